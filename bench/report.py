"""Turns bench/run's measurements into a markdown table, an SVG chart and target checks.

usage: report.py WORK_DIR RESULTS_MD CHART_SVG   (exits 1 when a target is missed)
"""
import datetime
import json
import math
import pathlib
import platform
import sys

work, results_path, chart_path = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])


def median_ms(name):
    return json.loads((work / name).read_text())["results"][0]["median"] * 1000


def cpu():
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


counts = sorted(int(path.stem.split("-")[1]) for path in work.glob("extra-*.json"))
rows = []
for n in counts:
    extra = json.loads((work / f"extra-{n}.json").read_text())
    rows.append(
        {
            "n": n,
            "awssecrets": median_ms(f"awssecrets-{n}.json"),
            "cli": median_ms(f"cli-{n}.json"),
            **extra,
        }
    )
startup = median_ms("startup.json")
size = json.loads((work / "size.json").read_text())["size"]

lines = [
    f"Measured {datetime.date.today()} on {cpu()}, {__import__('os').cpu_count()} cores, against moto on loopback,",
    "with `bench/run` (medians of 30 awssecrets runs and of 3 to 5 AWS CLI v1 loop runs).",
    "",
    "| secrets | awssecrets | AWS CLI + jq loop | faster | API calls (awssecrets / CLI) | peak RSS (awssecrets / CLI) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
]
for row in rows:
    lines.append(
        f"| {row['n']} | {row['awssecrets']:.1f} ms | {row['cli']:,.0f} ms | {row['cli'] / row['awssecrets']:,.0f}x "
        f"| {row['awssecrets_calls']} / {row['cli_calls']} "
        f"| {row['awssecrets_rss_kb'] / 1024:.1f} MB / {row['cli_rss_kb'] / 1024:.1f} MB |"
    )
lines += ["", f"Start-up (`awssecrets --version`): {startup:.2f} ms median. Static binary: {size / 1e6:.1f} MB.", ""]

by_n = {row["n"]: row for row in rows}
targets = [("start-up under 5 ms", startup < 5), ("static binary under 8 MB", size < 8_000_000)]
if 50 in by_n:
    targets += [
        ("50 secrets in at most 3 API calls", by_n[50]["awssecrets_calls"] <= 3),
        ("50 secrets under 50 ms", by_n[50]["awssecrets"] < 50),
    ]
if 10 in by_n:
    targets.append(("at least 20x faster than the CLI loop at N=10", by_n[10]["cli"] / by_n[10]["awssecrets"] >= 20))
targets.append(("peak RSS under 15 MB", all(row["awssecrets_rss_kb"] < 15 * 1024 for row in rows)))
lines.append("Targets: " + "; ".join(f"{name} {'met' if met else 'MISSED'}" for name, met in targets) + ".")
report = "\n".join(lines) + "\n"
results_path.write_text(report)
print(report)

# The chart: median wall time against N, both axes logarithmic.
width, height, left, right, top, bottom = 640, 400, 70, 150, 30, 50
low = min(min(row["awssecrets"] for row in rows), 1.0)
high = max(row["cli"] for row in rows)
y_min, y_max = 10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high))
x_min, x_max = 1, max(counts + [10])


def x(n):
    return left + (width - left - right) * (math.log10(n) - math.log10(x_min)) / (math.log10(x_max) - math.log10(x_min))


def y(ms):
    return top + (height - top - bottom) * (1 - (math.log10(ms) - math.log10(y_min)) / (math.log10(y_max) - math.log10(y_min)))


svg = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
    f'<rect width="{width}" height="{height}" fill="white"/>',
    f'<text x="{left}" y="18" font-size="14">Time to fetch N secrets of 10 keys (median, log scales)</text>',
]
decade = y_min
while decade <= y_max:
    svg.append(f'<line x1="{left}" y1="{y(decade):.1f}" x2="{width - right}" y2="{y(decade):.1f}" stroke="#ddd"/>')
    label = f"{decade:g} ms" if decade < 1000 else f"{decade / 1000:g} s"
    svg.append(f'<text x="{left - 8}" y="{y(decade) + 4:.1f}" text-anchor="end">{label}</text>')
    decade *= 10
for n in counts:
    svg.append(f'<line x1="{x(n):.1f}" y1="{top}" x2="{x(n):.1f}" y2="{height - bottom}" stroke="#eee"/>')
    svg.append(f'<text x="{x(n):.1f}" y="{height - bottom + 18}" text-anchor="middle">{n}</text>')
svg.append(f'<text x="{(left + width - right) / 2}" y="{height - 10}" text-anchor="middle">N secrets</text>')
for key, colour, name in [("awssecrets", "#d35400", "awssecrets"), ("cli", "#2c3e50", "AWS CLI + jq loop")]:
    points = " ".join(f"{x(row['n']):.1f},{y(row[key]):.1f}" for row in rows)
    svg.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for row in rows:
        svg.append(f'<circle cx="{x(row["n"]):.1f}" cy="{y(row[key]):.1f}" r="3.5" fill="{colour}"/>')
    last = rows[-1]
    svg.append(f'<text x="{x(last["n"]) + 10:.1f}" y="{y(last[key]) + 4:.1f}" fill="{colour}">{name}</text>')
svg.append("</svg>")
chart_path.write_text("\n".join(svg) + "\n")

sys.exit(0 if all(met for _, met in targets) else 1)
