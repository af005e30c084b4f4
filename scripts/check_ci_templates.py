"""Checks the GitLab CI/CD components offline: each one's spec and rendered job validate
against GitLab's schema, and the rendered job script, run the way a runner would (its
variables in the environment, then project variables over them, as GitLab's precedence has
it; sh; a fresh build directory), fetches from the emulator and leaves the artifact later jobs
expect. Every run has project variables named like the components' old job variables and the
binary's own settings: none may change what a job does.

usage: check_ci_templates.py EMULATOR_URL AWSSECRETS_BINARY
"""
import json
import os
import pathlib
import re
import stat
import subprocess
import sys
import tempfile

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
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_ENDPOINT_URL": url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
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


main()
