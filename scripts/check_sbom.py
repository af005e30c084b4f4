"""Checks a release SBOM (scripts/build-sbom) against Cargo.lock: every crate it lists is locked
at that version with that SHA-256, the crates the binary is made of are there, and the
dev-dependencies (never in the binary) are not.

usage: check_sbom.py SBOM.cdx.json...
"""
import json
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Crates the binary cannot do without: the services, the runtime, TLS.
REQUIRED = ["aws-sdk-secretsmanager", "aws-sdk-ssm", "aws-sdk-sts", "aws-config", "tokio", "rustls", "ring"]


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def main(paths):
    if not paths:
        fail("usage: check_sbom.py SBOM.cdx.json...")
    locked = {}
    for package in tomllib.loads((ROOT / "Cargo.lock").read_text())["package"]:
        locked.setdefault(package["name"], {})[package["version"]] = package.get("checksum")
    manifest = tomllib.loads((ROOT / "Cargo.toml").read_text())
    dev_only = set(manifest.get("dev-dependencies", {})) - set(manifest["dependencies"])

    for path in paths:
        sbom = json.loads(pathlib.Path(path).read_text())
        if sbom.get("bomFormat") != "CycloneDX":
            fail(f"{path}: not a CycloneDX document")
        top = sbom["metadata"]["component"]
        if (top["name"], top["version"]) != ("awssecrets", manifest["package"]["version"]):
            fail(f"{path}: describes {top['name']} {top['version']}, not awssecrets {manifest['package']['version']}")
        listed = {}
        for component in sbom["components"]:
            name, version = component["name"], component["version"]
            if version not in locked.get(name, {}):
                fail(f"{path}: {name} {version} is not in Cargo.lock (locked: {sorted(locked.get(name, {}))})")
            digests = {h["content"] for h in component.get("hashes", []) if h["alg"] == "SHA-256"}
            checksum = locked[name][version]
            if checksum and digests != {checksum}:
                fail(f"{path}: {name} {version} has SHA-256 {digests}, Cargo.lock {checksum}")
            listed[name] = version
        for name in REQUIRED:
            if name not in listed:
                fail(f"{path}: {name} is missing")
            if listed[name] not in locked[name]:
                fail(f"{path}: {name} {listed[name]} does not match Cargo.lock")
        for name in dev_only:
            if name in listed:
                fail(f"{path}: lists the dev-dependency {name}, which is not in the binary")
        summary = ", ".join(f"{name} {listed[name]}" for name in REQUIRED[:5])
        print(f"{path}: {len(sbom['components'])} crates as in Cargo.lock ({summary}, ...)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
