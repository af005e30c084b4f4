"""The fleet benchmark: K CI jobs start at once, each fetching the same 5 secrets, through a
proxy enforcing Secrets Manager's quotas scaled down (bench/throttle_proxy.py). For each K and
each client (awssecrets; an AWS CLI loop; a boto3 script doing one GetSecretValue per secret,
as the official GitHub action does), it reports the success rate, p50/p99/max wall time of a
job, the calls by API and the throttled calls; then writes bench/fleet.md and bench/fleet.svg.

usage: fleet.py EMULATOR_URL PROXY_URL AWSSECRETS_BINARY K...   (run by bench/fleet)
"""
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import boto3

emulator, proxy, binary = sys.argv[1], sys.argv[2], sys.argv[3]
ks = [int(k) for k in sys.argv[4:]]
here = pathlib.Path(__file__).resolve().parent
rates = json.loads(os.environ["FLEET_RATES"])
batch_rate, single_rate = rates["BatchGetSecretValue"], rates["GetSecretValue"]
# Python clients cost tens of MB each: past this many at once this machine would swap or kill.
peer_limit = int(os.environ.get("FLEET_PEER_LIMIT", "200"))
secrets = [f"fleet/s{index}" for index in range(5)]
# The scaled quotas stretch time ~100x: the jobs get a timeout stretched alike.
timeout_seconds = 180
# A job still running after this is killed and counted as failed (the Python clients are slow
# to start on 2 cores: 1,000 AWS CLI runs take minutes of CPU).
kill_after_seconds = 1200
memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30

client = boto3.client("secretsmanager", endpoint_url=emulator, region_name="eu-west-1")
for index, name in enumerate(secrets):
    value = json.dumps({f"USER_{index}": f"user-{index}", f"TOKEN_{index}": f"token-{index}-" + "x" * 40})
    try:
        client.create_secret(Name=name, SecretString=value)
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=name, SecretString=value)

clients = {
    "awssecrets": [binary, "--region", "eu-west-1", "--endpoint-url", proxy, "--timeout", str(timeout_seconds)]
    + [argument for name in secrets for argument in ("-s", name)],
    "AWS CLI loop": ["sh", "-c", "for id in " + " ".join(secrets) + "; do aws --region eu-west-1 --endpoint-url "
                     + proxy + " secretsmanager get-secret-value --secret-id $id --query SecretString --output text"
                     " || exit 1; done"],
    "boto3 GetSecretValue each": [sys.executable, str(here / "fleet_boto3.py"), proxy] + secrets,
}


def http(method, path):
    request = urllib.request.Request(proxy + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def run_fleet(command, k):
    """Starts k copies at once; each one's (exit code, wall seconds, last line of stderr)."""
    results = [None] * k
    started = threading.Barrier(k + 1)

    def job(index):
        started.wait()
        begin = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, stderr = process.communicate(timeout=kill_after_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        last = (stderr.decode(errors="replace").strip().splitlines() or [""])[-1]
        results[index] = (process.returncode, time.monotonic() - begin, last[:300])

    threads = [threading.Thread(target=job, args=(index,)) for index in range(k)]
    for thread in threads:
        thread.start()
    started.wait()
    for thread in threads:
        thread.join()
    return results


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def quota_floor(k):
    """The least time K jobs of 5 secrets need under the quotas: every secret fetched by a
    single call (a batch call per job would take k / batch_rate), after the first burst."""
    return max(0.0, (5 * k - single_rate) / single_rate)


rows = []
for k in ks:
    floor = quota_floor(k)
    for name, command in clients.items():
        if name != "awssecrets" and k > peer_limit:
            rows.append({"k": k, "client": name, "skipped": True, "floor": floor})
            print(f"K={k} {name}: not run ({k} Python processes at once exceed this machine's memory)", flush=True)
            continue
        http("POST", "/__reset")
        started = time.monotonic()
        results = run_fleet(command, k)
        elapsed = time.monotonic() - started
        stats = json.loads(http("GET", "/__stats"))
        times = [seconds for _, seconds, _ in results]
        ok = sum(1 for code, _, _ in results if code == 0)
        failures = sorted({reason for code, _, reason in results if code != 0})
        row = {
            "k": k, "client": name, "skipped": False, "floor": floor, "success": ok / k,
            "p50": statistics.median(times), "p99": percentile(times, 0.99), "max": max(times),
            "elapsed": elapsed,
            "calls": {operation: counts["calls"] for operation, counts in sorted(stats.items())},
            "throttled": sum(counts["throttled"] for counts in stats.values()),
            "ok": ok, "failures": failures,
        }
        rows.append(row)
        print(f"K={k} {name}: {ok}/{k} ok, p50 {row['p50']:.2f} s, p99 {row['p99']:.2f} s, max {row['max']:.2f} s, "
              f"calls {row['calls']}, throttled {row['throttled']} (quota floor {floor:.1f} s)", flush=True)
        for reason in failures[:5]:
            print(f"    failed: {reason}", flush=True)


def cell_calls(row):
    return ", ".join(f"{operation} {count}" for operation, count in row["calls"].items())


lines = [
    f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {os.cpu_count()} cores, against moto on loopback "
    f"behind `bench/throttle_proxy.py` (BatchGetSecretValue {batch_rate:g}/s, GetSecretValue {single_rate:g}/s: "
    f"AWS's 100 and 10,000 per second, scaled down 100 times), with `bench/fleet {' '.join(map(str, ks))}`. "
    f"Each job fetches the same 5 secrets; all K jobs start at once.",
    "",
    "| K | client | success | p50 | p99 | max | quota floor | p99 / floor | calls by API | throttled |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
]
for row in rows:
    if row["skipped"]:
        lines.append(f"| {row['k']} | {row['client']} | not run: {row['k']} Python processes of 44 to 55 MB each "
                     f"need more than this machine's {memory_gb:.0f} GB | | | | {row['floor']:.1f} s | | | |")
        continue
    ratio = f"{row['p99'] / row['floor']:.1f}x" if row["floor"] > 0 else "-"
    lines.append(f"| {row['k']} | {row['client']} | {row['ok']}/{row['k']} | {row['p50']:.2f} s | "
                 f"{row['p99']:.2f} s | {row['max']:.2f} s | {row['floor']:.1f} s | {ratio} | {cell_calls(row)} | "
                 f"{row['throttled']} |")
failed = [(row, reason) for row in rows if not row["skipped"] for reason in row["failures"][:3]]
if failed:
    lines.append("")
    lines.append("Why jobs failed (last line of their stderr):")
    lines.extend(f"- K={row['k']}, {row['client']}: `{reason}`" for row, reason in failed)
ours = [row for row in rows if row["client"] == "awssecrets"]
targets = [
    ("100% success at every K", all(row["success"] == 1.0 for row in ours)),
    ("p99 within 3x the quota floor at every K",
     all(row["p99"] <= 3 * max(row["floor"], 1.0) for row in ours)),
]
lines.append("")
lines.append("Targets (awssecrets): " + "; ".join(f"{name} {'met' if met else 'MISSED'}" for name, met in targets)
             + ". The floor is (5K - burst) / GetSecretValue rate (at least 1 s in the p99 target: below that, "
               "starting K processes on this machine is what the time measures).")
(here / "fleet.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))

# The chart: p99 job time against K, with the quota floor.
width, height, left, right, top, bottom = 660, 400, 70, 200, 30, 50
measured = [row for row in rows if not row["skipped"]]
y_max = max(max(row["p99"] for row in measured), max(quota_floor(k) for k in ks)) * 1.1
x_min, x_max = min(ks), max(ks)


def x(k):
    if x_max == x_min:
        return left
    return left + (width - left - right) * (math.log10(k) - math.log10(x_min)) / (math.log10(x_max) - math.log10(x_min))


def y(seconds):
    return top + (height - top - bottom) * (1 - seconds / y_max)


svg = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
    f'<rect width="{width}" height="{height}" fill="white"/>',
    f'<text x="{left}" y="18" font-size="14">p99 time of a job, K jobs at once under throttling quotas</text>',
]
step = 10 ** math.floor(math.log10(y_max)) if y_max >= 1 else 0.1
tick = 0.0
while tick <= y_max:
    svg.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" stroke="#ddd"/>')
    svg.append(f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g} s</text>')
    tick += step
for k in ks:
    svg.append(f'<text x="{x(k):.1f}" y="{height - bottom + 18}" text-anchor="middle">{k}</text>')
svg.append(f'<text x="{(left + width - right) / 2}" y="{height - 10}" text-anchor="middle">K concurrent jobs</text>')
series = [("awssecrets", "#d35400"), ("AWS CLI loop", "#2c3e50"), ("boto3 GetSecretValue each", "#27ae60")]
for name, colour in series:
    points = [(row["k"], row["p99"], row["success"]) for row in measured if row["client"] == name]
    if not points:
        continue
    svg.append('<polyline points="' + " ".join(f"{x(k):.1f},{y(p):.1f}" for k, p, _ in points)
               + f'" fill="none" stroke="{colour}" stroke-width="2"/>')
    for k, p, success in points:
        svg.append(f'<circle cx="{x(k):.1f}" cy="{y(p):.1f}" r="3.5" fill="{colour}"/>')
        if success < 1.0:
            svg.append(f'<text x="{x(k) + 6:.1f}" y="{y(p) - 6:.1f}" fill="{colour}">{success * 100:.0f}% ok</text>')
    k, p, _ = points[-1]
    svg.append(f'<text x="{x(k) + 10:.1f}" y="{y(p) + 4:.1f}" fill="{colour}">{name}</text>')
floor_points = " ".join(f"{x(k):.1f},{y(quota_floor(k)):.1f}" for k in ks)
svg.append(f'<polyline points="{floor_points}" fill="none" stroke="#999" stroke-dasharray="4 3"/>')
svg.append(f'<text x="{x(ks[-1]) + 10:.1f}" y="{y(quota_floor(ks[-1])) + 16:.1f}" fill="#999">quota floor</text>')
svg.append("</svg>")
(here / "fleet.svg").write_text("\n".join(svg) + "\n")
sys.exit(0 if all(met for _, met in targets) else 1)
