"""Checks the GitLab CI/CD components offline: each one's spec and rendered job validate
against GitLab's schema, and the rendered job script, run the way a runner would (its
variables in the environment, then project variables over them, as GitLab's precedence has
it; sh; a fresh build directory), fetches from the emulator and leaves the artifact later jobs
expect. Every run has project variables named like the components' old job variables and the
binary's own settings: none may change what a job does.

Given gitlab-ci-local too, runs the three components in pipelines it interprets: the same
hostile variables, later jobs reading the artifact and the dotenv report, a leak failing the
pipeline.

usage: check_ci_templates.py EMULATOR_URL AWSSECRETS_BINARY [GITLAB_CI_LOCAL]
"""
import json
import os
import pathlib
import re
import stat
import subprocess
import sys
import tempfile
import textwrap

import boto3
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
INTERPOLATION = re.compile(r"\$\[\[\s*inputs\.([a-z_]+)\s*\]\]")
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGg6Z3JvdXAvYXBwIn0.c2lnbmF0dXJl"


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def validate(document, label):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(document, file)
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", file.name],
        capture_output=True,
        text=True,
    )
    os.unlink(file.name)
    if result.returncode != 0:
        fail(f"{label} does not validate:\n{result.stdout}{result.stderr}")


def as_gitlab_text(value):
    """An input's text as GitLab writes it into a string: booleans are `true`/`false` (Ruby's
    to_s), never Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def interpolate(node, values):
    """GitLab's interpolation: a value that is only `$[[ inputs.x ]]` takes the input's type;
    inside a longer string the input is its text."""
    if isinstance(node, dict):
        return {interpolate(key, values): interpolate(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, values) for item in node]
    if isinstance(node, str):
        whole = INTERPOLATION.fullmatch(node.strip())
        if whole:
            return values[whole.group(1)]
        return INTERPOLATION.sub(lambda match: as_gitlab_text(values[match.group(1)]), node)
    return node


def render(template, given):
    header, body = yaml.safe_load_all(template.read_text())
    validate(header, f"{template.name} (spec)")
    inputs = header["spec"]["inputs"]
    values = {}
    for name, definition in inputs.items():
        definition = definition or {}
        if name in given:
            values[name] = given[name]
        elif "default" in definition:
            values[name] = definition["default"]
        else:
            fail(f"{template.name}: input {name} has no default and no test value")
        if "options" in definition and values[name] not in definition["options"]:
            fail(f"{template.name}: {values[name]!r} is not an option of input {name}")
    unknown = set(given) - set(inputs)
    if unknown:
        fail(f"{template.name}: no such inputs {unknown}")
    rendered = interpolate(body, values)
    if INTERPOLATION.search(json.dumps(rendered)):
        fail(f"{template.name}: an interpolation was left unrendered")
    validate(rendered, f"{template.name} (rendered)")
    return rendered


# Project, group and pipeline variables override the variables a job's YAML sets: hostile
# ones, named as a component would hand its inputs to the binary through variables.
PROJECT_VARIABLES = {
    "AWSSECRETS_FORMAT": "sh",
    "AWSSECRETS_SECRETS": "component/evil",
    "AWSSECRETS_ROLE_ARN": "arn:aws:iam::123456789012:role/evil",
    "AWSSECRETS_GITLAB_MAX_VARIABLES": "1",
    "AWSSECRETS_GITLAB_MAX_BYTES": "1",
    "FETCH_SECRETS": "component/evil",
    "FETCH_ALLOW_NAMES": "PATH",
    "FETCH_REGION": "us-east-1",
    "FETCH_OUTPUT": "elsewhere",
    "FETCH_OIDC": "true",
    "FETCH_MAX_VARIABLES": "1",
    "FETCH_MAX_BYTES": "1",
    "output": "elsewhere",
    "region": "us-east-1",
    "role_arn": "arn:aws:iam::123456789012:role/evil",
}


def aws_environment(url):
    """What a job gets to reach the emulator: fixed keys, no instance metadata, no AWS files."""
    return {
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_ENDPOINT_URL": url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }


def run_job(job, binary, url, extra_env, expect_code=0):
    """Runs the job's script with sh in a fresh build directory; returns that directory."""
    build_dir = pathlib.Path(tempfile.mkdtemp(prefix="awssecrets-job-"))
    bin_dir = build_dir / ".bin"
    bin_dir.mkdir()
    (bin_dir / "awssecrets").symlink_to(binary)
    environment = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(build_dir),
        "CI": "true",
        **aws_environment(url),
    }
    # GitLab stores every variable as text: a boolean input becomes `true` or `false`.
    environment.update({name: as_gitlab_text(value) for name, value in job.get("variables", {}).items()})
    environment.update(PROJECT_VARIABLES)
    environment.update(extra_env)
    script = "set -e\n" + "\n".join(job["script"])
    result = subprocess.run(["sh", "-c", script], cwd=build_dir, env=environment, capture_output=True, text=True)
    if result.returncode != expect_code:
        fail(f"the job script exited {result.returncode}, not {expect_code}:\n{result.stderr}")
    return build_dir, result


def load_with_sh(path, names):
    script = 'set -a; . "$1"; set +a; shift; for n in "$@"; do eval "printf \'%s=%s\\n\' \\"$n\\" \\"\\$$n\\""; done'
    result = subprocess.run(["sh", "-c", script, "sh", str(path), *names], capture_output=True, text=True, check=True)
    return result.stdout


def main():
    url, binary = sys.argv[1], os.path.abspath(sys.argv[2])
    gitlab_ci_local = sys.argv[3] if len(sys.argv) > 3 else None
    secrets = boto3.client(
        "secretsmanager", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="demo", aws_secret_access_key="demo"
    )
    secrets.create_secret(Name="component/npm", SecretString=json.dumps({"NPM_TOKEN": "npm-123", "REGISTRY": "https://r.example"}))
    secrets.create_secret(Name="component/db", SecretString=json.dumps({"user": "ci", "password": "it's secret"}))

    given = {"image": "registry.example.com/tools/awssecrets:1.0.0", "secrets": "component/npm\nDB,component/db#user", "region": "eu-west-1"}
    job = render(ROOT / "templates/fetch-secrets.yml", given)["fetch-secrets"]
    if job["artifacts"]["expire_in"] != "30 minutes" or job["artifacts"]["access"] != "none":
        fail("fetch-secrets: the artifact must expire in 30 minutes and be downloadable by nobody by default")
    build_dir, _ = run_job(job, binary, url, {})
    artifact = build_dir / job["artifacts"]["paths"][0]
    if stat.S_IMODE(artifact.stat().st_mode) != 0o600:
        fail(f"fetch-secrets: the artifact is mode {oct(artifact.stat().st_mode)}, not 0600")
    loaded = load_with_sh(artifact, ["NPM_TOKEN", "REGISTRY", "DB_user"])
    if loaded != "NPM_TOKEN=npm-123\nREGISTRY=https://r.example\nDB_user=ci\n":
        fail(f"fetch-secrets: a later job would load:\n{loaded}")

    # With a role and the job's OIDC token (GitLab id_tokens puts it in AWSSECRETS_ID_TOKEN).
    oidc = render(ROOT / "templates/fetch-secrets.yml", {**given, "role_arn": "arn:aws:iam::123456789012:role/gitlab-ci", "format": "json"})
    job = oidc["fetch-secrets"]
    for template, job_name in (("fetch-secrets.yml", "fetch-secrets"), ("dotenv-report.yml", "secrets-dotenv")):
        rendered = render(ROOT / "templates" / template, {"image": given["image"], "secrets": "x"})[job_name]
        if rendered.get("variables"):
            fail(f"{template}: job variables {sorted(rendered['variables'])} (project variables override them): pass inputs as flags")
    # The OIDC branch is taken: without the token the job fails naming the id_tokens variable.
    _, result = run_job(job, binary, url, {}, expect_code=5)
    if "AWSSECRETS_ID_TOKEN" not in result.stderr:
        fail(f"fetch-secrets with OIDC: the token variable was not used:\n{result.stderr}")
    build_dir, _ = run_job(job, binary, url, {"AWSSECRETS_ID_TOKEN": JWT})
    if json.loads((build_dir / ".ci-secrets").read_text()).get("NPM_TOKEN") != "npm-123":
        fail("fetch-secrets with OIDC: unexpected artifact")

    # Parameter Store SPECs, a path and a name, next to a secret.
    ssm = boto3.client("ssm", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="demo", aws_secret_access_key="demo")
    ssm.put_parameter(Name="/component/app/token", Value="param-123", Type="SecureString")
    ssm.put_parameter(Name="/component/flat", Value="flat-456", Type="String")
    mixed = render(ROOT / "templates/fetch-secrets.yml", {**given, "secrets": "component/npm#NPM_TOKEN\nAPP,ssm:/component/app/\nssm:/component/flat"})
    build_dir, _ = run_job(mixed["fetch-secrets"], binary, url, {})
    loaded = load_with_sh(build_dir / ".ci-secrets", ["NPM_TOKEN", "APP_TOKEN", "COMPONENT_FLAT"])
    if loaded != "NPM_TOKEN=npm-123\nAPP_TOKEN=param-123\nCOMPONENT_FLAT=flat-456\n":
        fail(f"fetch-secrets with ssm: SPECs: a later job would load:\n{loaded}")

    # A single line is one SPEC (its commas included); reserved names need allow_names.
    one_line = render(ROOT / "templates/fetch-secrets.yml", {**given, "secrets": "DB,component/db#user,password"})
    build_dir, _ = run_job(one_line["fetch-secrets"], binary, url, {})
    loaded = load_with_sh(build_dir / ".ci-secrets", ["DB_user", "DB_password"])
    if loaded != "DB_user=ci\nDB_password=it's secret\n":
        fail(f"fetch-secrets with a one-line SPEC: a later job would load:\n{loaded}")
    secrets.create_secret(Name="component/kube", SecretString=json.dumps({"KUBECONFIG": "/tmp/kubeconfig"}))
    for template, job_name in (("fetch-secrets.yml", "fetch-secrets"), ("dotenv-report.yml", "secrets-dotenv")):
        inputs = {"image": given["image"], "region": "eu-west-1", "secrets": "component/kube"}
        _, result = run_job(render(ROOT / "templates" / template, inputs)[job_name], binary, url, {}, expect_code=7)
        if "add KUBECONFIG to the allow_names input" not in result.stderr or "--" in result.stderr:
            fail(f"{template}: a reserved name was not refused naming the inputs:\n{result.stderr}")
        listed = render(ROOT / "templates" / template, {**inputs, "secrets": "component/kube#KUBECONFIG"})
        run_job(listed[job_name], binary, url, {})
        strict = render(ROOT / "templates" / template, {**inputs, "secrets": "component/npm", "only_listed_keys": True})
        _, result = run_job(strict[job_name], binary, url, {}, expect_code=7)
        if "the only_listed_keys input takes only names the pipeline wrote" not in result.stderr:
            fail(f"{template}: only_listed_keys did not refuse names the content chose:\n{result.stderr}")
        allowed = render(ROOT / "templates" / template, {**inputs, "allow_names": "KUBECONFIG\n"})
        run_job(allowed[job_name], binary, url, {})

    # What the report cannot carry is refused with fixes the user has where the report is made:
    # the fetch-secrets component, and this component's max_variables and max_bytes inputs.
    secrets.create_secret(Name="component/many", SecretString=json.dumps({f"V{i}": "x" for i in range(25)}))
    secrets.create_secret(Name="component/multi", SecretString=json.dumps({"KEY": "line 1\nline 2"}))
    report_inputs = yaml.safe_load_all((ROOT / "templates/dotenv-report.yml").read_text()).__next__()["spec"]["inputs"]
    for spec, extra, fragment in (
        ("component/multi", {}, "spans several lines"),
        ("component/many", {"max_variables": "20"}, "25 variables; GitLab accepts at most 20 here"),
    ):
        inputs = {"image": given["image"], "region": "eu-west-1", "secrets": spec, **extra}
        _, result = run_job(render(ROOT / "templates/dotenv-report.yml", inputs)["secrets-dotenv"], binary, url, {}, expect_code=7)
        if fragment not in result.stderr or "the fetch-secrets component (format: sh)" not in result.stderr:
            fail(f"dotenv-report: the refusal does not offer the fetch-secrets component:\n{result.stderr}")
        if "--" in result.stderr:
            fail(f"dotenv-report: the refusal names options, not the component's inputs:\n{result.stderr}")
        for named in re.findall(r"the (\w+) input", result.stderr):
            if named not in report_inputs:
                fail(f"dotenv-report: the refusal suggests an input it does not have: {named}")
    run_job(render(ROOT / "templates/dotenv-report.yml", {"image": given["image"], "region": "eu-west-1", "secrets": "component/many", "max_variables": "25"})["secrets-dotenv"], binary, url, {})

    report = render(ROOT / "templates/dotenv-report.yml", {"image": given["image"], "secrets": "component/npm", "region": "eu-west-1"})
    job = report["secrets-dotenv"]
    build_dir, _ = run_job(job, binary, url, {})
    text = (build_dir / job["artifacts"]["reports"]["dotenv"]).read_text()
    if text != "NPM_TOKEN=npm-123\nREGISTRY=https://r.example\n":
        fail(f"dotenv-report: GitLab would read:\n{text}")
    # scan-artifacts: in a directory holding the fetch-secrets artifact and the artifacts of the
    # jobs it needs, clean ones pass and a leaked value (here gzipped) fails the job.
    scan_inputs = {"image": given["image"], "needs": ["fetch-secrets", "build"]}
    scan = render(ROOT / "templates/scan-artifacts.yml", scan_inputs)["scan-artifacts"]
    if scan["needs"] != ["fetch-secrets", "build"] or scan["variables"] != {"GIT_STRATEGY": "none"}:
        fail(f"scan-artifacts: unexpected job: {scan}")
    fetched, _ = run_job(render(ROOT / "templates/fetch-secrets.yml", given)["fetch-secrets"], binary, url, {})
    secrets_file = fetched / ".ci-secrets"
    # The scan job's directory: what GitLab downloads there (the artifacts), no sources.
    def scan_job(files, expect_code):
        directory = pathlib.Path(tempfile.mkdtemp(prefix="awssecrets-scan-"))
        (directory / ".ci-secrets").write_bytes(secrets_file.read_bytes())
        for name, data in files.items():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_bytes(data)
        environment = {"PATH": os.environ["PATH"], "HOME": str(directory), "CI": "true",
                       "AWS_EC2_METADATA_DISABLED": "true", **PROJECT_VARIABLES}
        bin_dir = directory / ".bin"
        bin_dir.mkdir()
        (bin_dir / "awssecrets").symlink_to(binary)
        environment["PATH"] = f"{bin_dir}:{environment['PATH']}"
        script = "set -e\n" + "\n".join(scan["script"])
        result = subprocess.run(["sh", "-c", script], cwd=directory, env=environment, capture_output=True, text=True)
        if result.returncode != expect_code:
            fail(f"scan-artifacts exited {result.returncode}, not {expect_code}:\n{result.stdout}{result.stderr}")
        return result
    import gzip
    scan_job({"dist/app.js": b"console.log('ok')\n"}, 0)
    # (Values shorter than 8 characters, such as npm-123 here, are not looked for.)
    result = scan_job({"dist/app.js": b"ok\n", "logs/build.log.gz": gzip.compress(b"from https://r.example\n")}, 9)
    if result.stdout != "./logs/build.log.gz!build.log:1:6: REGISTRY (value)\n" or "r.example" in result.stderr:
        fail(f"scan-artifacts: unexpected findings:\n{result.stdout}{result.stderr}")
    print("GitLab components: specs and rendered jobs validate; their scripts work against the emulator")
    if gitlab_ci_local:
        under_gitlab_ci_local(url, binary, gitlab_ci_local, secrets)


def under_gitlab_ci_local(url, binary, program, secrets):
    """The three components included with `inputs:` by gitlab-ci-local (a GitLab CI interpreter:
    interpolation, needs, artifacts, dotenv reports), with every hostile project variable set:
    later jobs get exact values, and a leaked value fails the pipeline at scan-artifacts. Then
    the jobs docs/render-and-scan.md shows for scanning in the job that makes the artifacts."""
    app = {"APP_TOKEN": "it's \"quoted\" $HOME `id` \\ and more", "APP_LINES": "line 1\nline 2"}
    # gitlab-ci-local reads dotenv reports with npm dotenv, not GitLab's parser: these values read
    # the same in both, and a report in sh quoting (what AWSSECRETS_FORMAT=sh did) reads otherwise.
    report = {"REPORT_TOKEN": "it's-a-report-token", "REPORT_URL": "https://r.example/a?b=c&d=e"}
    secrets.create_secret(Name="glcl/app", SecretString=json.dumps(app))
    secrets.create_secret(Name="glcl/report", SecretString=json.dumps(report))
    results = pathlib.Path(tempfile.mkdtemp(prefix="awssecrets-glcl-results-"))
    bin_dir = results / "bin"
    bin_dir.mkdir()
    (bin_dir / "awssecrets").symlink_to(binary)
    clean_build = "mkdir -p dist\nprintf 'console.log(1)\\n' > dist/app.js\n"
    # What a build that leaks does: a fetched value into the files it ships.
    leaky_build = "mkdir -p dist\nset -a; . ./.ci-secrets; set +a\nprintf 'ok\\n%s\\n' \"$APP_TOKEN\" > dist/app.js\n"
    component_build = {"stage": "build", "script": ["./build.sh"], "artifacts": {"paths": ["dist/"]}}

    def pipeline(build_job, build_sh, isolated=True):
        """Runs a pipeline of the three components, `build_job` running `build_sh` as ./build.sh,
        and jobs recording what later jobs get; returns gitlab-ci-local's result, its output, and
        whether the build's artifacts hold dist/."""
        project = pathlib.Path(tempfile.mkdtemp(prefix="awssecrets-glcl-"))
        (project / "templates").mkdir()
        for template in ("fetch-secrets.yml", "dotenv-report.yml", "scan-artifacts.yml"):
            (project / "templates" / template).write_text((ROOT / "templates" / template).read_text())
        (project / "build.sh").write_text("#!/bin/sh\nset -e\n" + build_sh)
        (project / "build.sh").chmod(0o755)
        image = "registry.example.com/tools/awssecrets:1.0.0"
        document = {
            "stages": [".pre", "build", "test", "deploy"],
            "include": [
                {"local": "templates/fetch-secrets.yml", "inputs": {"image": image, "secrets": "glcl/app", "region": "eu-west-1"}},
                {"local": "templates/dotenv-report.yml", "inputs": {"image": image, "secrets": "glcl/report", "region": "eu-west-1"}},
                {"local": "templates/scan-artifacts.yml", "inputs": {"image": image, "needs": ["fetch-secrets", "build"]}},
            ],
            "build": build_job,
            "load-artifact": {
                "stage": "test",
                "needs": ["fetch-secrets"],
                "script": [f"set -a; . ./.ci-secrets; set +a; printf '%s\\0' \"$APP_TOKEN\" \"$APP_LINES\" > {results}/artifact"],
            },
            "read-report": {
                "stage": "test",
                "needs": ["secrets-dotenv"],
                "script": [f"printf '%s\\0' \"$REPORT_TOKEN\" \"$REPORT_URL\" > {results}/report"],
            },
            # What deploy jobs download of the build's artifacts: one ordered by `needs` (which
            # must name scan-artifacts: `needs` ignores stages), one by its stage.
            "ship": {"stage": "deploy", "needs": ["build", "scan-artifacts"], "script": [f"ls dist > {results}/shipped 2>/dev/null || true"]},
            "ship-by-stage": {"stage": "deploy", "script": [f"ls dist > {results}/shipped-by-stage 2>/dev/null || true"]},
        }
        (project / ".gitlab-ci.yml").write_text(yaml.safe_dump(document, sort_keys=False))
        # gitlab-ci-local reads the project's name and branch from git.
        for step in (
            ["init", "-q", "-b", "main"],
            ["config", "user.name", "ci"],
            ["config", "user.email", "ci@example.com"],
            ["add", "-A"],
            ["commit", "-q", "-m", "pipeline"],
            ["remote", "add", "origin", "git@gitlab.example.com:group/app.git"],
        ):
            subprocess.run(["git", *step], cwd=project, check=True)
        for stale in ("artifact", "report", "shipped", "shipped-by-stage"):
            (results / stale).unlink(missing_ok=True)
        command = [program, "--force-shell-executor", "--no-color"]
        if isolated:
            command.append("--shell-isolation")
        for name, value in PROJECT_VARIABLES.items():
            command += ["--variable", f"{name}={value}"]
        environment = {
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "HOME": str(project),
            **aws_environment(url),
        }
        result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True, timeout=300)
        output = result.stdout + result.stderr
        if app["APP_TOKEN"] in output or report["REPORT_TOKEN"] in output:
            fail(f"gitlab-ci-local: the pipeline's log shows a value:\n{output}")
        return result, output, (project / ".gitlab-ci-local/artifacts/build/dist").exists()

    def job_ended(output, job, status):
        return re.search(rf"^\s*{status}\s+{re.escape(job)}\s*$", output, re.MULTILINE) is not None

    def shipped():
        """What both deploy jobs found of the build's files (None: they did not run)."""
        found = {(results / job).read_text() if (results / job).exists() else None for job in ("shipped", "shipped-by-stage")}
        if len(found) != 1:
            fail(f"gitlab-ci-local: the deploy jobs got different files: {found}")
        return found.pop()

    result, output, uploaded = pipeline(component_build, clean_build)
    if result.returncode != 0:
        fail(f"gitlab-ci-local: the pipeline failed:\n{output}")
    loaded = (results / "artifact").read_bytes().split(b"\0")[:-1]
    if loaded != [app["APP_TOKEN"].encode(), app["APP_LINES"].encode()]:
        fail(f"gitlab-ci-local: a job loading the fetch-secrets artifact got {loaded}")
    read = (results / "report").read_bytes().split(b"\0")[:-1]
    if read != [report["REPORT_TOKEN"].encode(), report["REPORT_URL"].encode()]:
        fail(f"gitlab-ci-local: a job after dotenv-report got {read}")
    if shipped() != "app.js\n" or not uploaded:
        fail(f"gitlab-ci-local: the deploy jobs got {shipped()!r} of the clean build's artifacts")

    result, output, uploaded = pipeline(component_build, leaky_build)
    if result.returncode == 0 or not job_ended(output, "scan-artifacts", "FAIL") or "FAIL 9" not in output:
        fail(f"gitlab-ci-local: a leaked value did not fail the pipeline at scan-artifacts (exit 9):\n{output}")
    if "./dist/app.js:2:1: APP_TOKEN (value)" not in result.stdout:
        fail(f"gitlab-ci-local: scan-artifacts did not name the place and the variable:\n{output}")
    for job in ("fetch-secrets", "secrets-dotenv", "build", "load-artifact", "read-report"):
        if not job_ended(output, job, "PASS"):
            fail(f"gitlab-ci-local: job {job} did not pass:\n{output}")
    if shipped() is not None:
        fail("gitlab-ci-local: a deploy job ran after scan-artifacts failed")

    # docs/render-and-scan.md, "Scanning in CI": its build job, and its after_script.
    document = (ROOT / "docs/render-and-scan.md").read_text()
    section = document.split("\n## Scanning in CI\n", 1)[1].split("\n## ", 1)[0]
    fences = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    in_job = yaml.safe_load(fences[0])["build"]
    after_script = yaml.safe_load(textwrap.dedent(fences[1]))["after_script"]
    in_job = {"stage": "build", **in_job}
    result, output, uploaded = pipeline(in_job, clean_build)
    if result.returncode != 0 or shipped() != "app.js\n" or not uploaded:
        fail(f"gitlab-ci-local: the documented build job failed on a clean build:\n{output}")
    result, output, uploaded = pipeline(in_job, leaky_build)
    if not job_ended(output, "build", "FAIL") or "dist/app.js:2:1: APP_TOKEN (value)" not in result.stdout or shipped() is not None or uploaded:
        fail(f"gitlab-ci-local: the documented in-job scan did not fail the job and keep its artifacts:\n{output}")
    scan_line = in_job["script"][-1]
    after = {**in_job, "script": in_job["script"][:-1], "after_script": after_script}
    if not scan_line.startswith("awssecrets scan") or not after_script[0].startswith(scan_line):
        fail("docs/render-and-scan.md: the after_script example is no longer the build job's scan line")
    # gitlab-ci-local 4.73 runs after_script in a fresh copy of the project under
    # --shell-isolation (GitLab's runner keeps the build directory): this one runs in place.
    result, output, uploaded = pipeline(after, leaky_build, isolated=False)
    if not job_ended(output, "build", "PASS") or "dist/app.js:2:1: APP_TOKEN (value)" not in result.stdout or shipped() != "" or uploaded:
        fail(f"gitlab-ci-local: the documented after_script did not remove what leaked:\n{output}\nshipped: {shipped()!r}")
    print("GitLab components under gitlab-ci-local: later jobs read exact values; a leak fails the pipeline, and the documented in-job scans keep it from being uploaded")

main()
