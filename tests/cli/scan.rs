//! `scan` and `redact`: each planted value, in each form real encoders write, found at its
//! line and column in plain files, gzip streams, zip and tar archives (and archives inside
//! them); nothing in a clean tree; links, special files and exclusions passed by; unreadable
//! archives make a scan incomplete; `redact` masks a stream as `exec --mask` does.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{CANARY, TestEnv, emulator, require};

/// A value every encoder writes differently: quotes, `/` (PHP), `+` (.NET), non-ASCII
/// (Python, PHP), HTML-sensitive characters (Go).
const VALUE: &str = "s3cr3t\"val/ue+é<x>&more";
/// A multi-line value: each of its lines is searched for alone.
const LINES: &str = "first-line-secret\nsecond-line-secret";

/// (what the finding's form must say, the text an encoder wrote), each from the real encoder.
fn forms(env: &TestEnv) -> Vec<(String, String)> {
    let mut forms = vec![
        ("value".to_owned(), VALUE.to_owned()),
        (
            "a line of the value".to_owned(),
            "second-line-secret".to_owned(),
        ),
    ];
    let python = emulator::python();
    let go = env.path("encode.go");
    std::fs::write(
        &go,
        "package main\nimport (\"encoding/json\"; \"fmt\"; \"os\")\nfunc main() {\n\
         out, _ := json.Marshal(os.Getenv(\"TOKEN\"))\nfmt.Print(string(out))\n}\n",
    )
    .unwrap();
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-cache");
    let encoders: [(&str, Vec<String>); 4] = [
        (
            "JSON escape, Node, serde_json",
            vec![
                "node".into(),
                "-e".into(),
                "process.stdout.write(JSON.stringify(process.env.TOKEN))".into(),
            ],
        ),
        (
            "JSON escape, Python",
            vec![
                python.clone(),
                "-c".into(),
                "import json, os, sys; sys.stdout.write(json.dumps(os.environ['TOKEN']))".into(),
            ],
        ),
        (
            "JSON escape, PHP",
            vec![
                "php".into(),
                "-r".into(),
                "echo json_encode(getenv('TOKEN'));".into(),
            ],
        ),
        (
            "JSON escape, Go",
            vec!["go".into(), "run".into(), go.display().to_string()],
        ),
    ];
    for (form, command) in encoders {
        let output = Command::new(&command[0])
            .args(&command[1..])
            .env("TOKEN", VALUE)
            .env("GOCACHE", &cache)
            .env("HOME", env.home.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{form}: {output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        forms.push((form.to_owned(), text.trim_matches('"').to_owned()));
    }
    let script = "import base64, json, sys, urllib.parse\n\
                  v = sys.argv[1].encode()\n\
                  forms = [['percent-encoded', urllib.parse.quote(v, safe='')]]\n\
                  for k in range(3):\n\
                  \x20   data = b'x' * k + v + b'yy'\n\
                  \x20   forms.append(['base64', base64.b64encode(data).decode()])\n\
                  \x20   url = base64.urlsafe_b64encode(data).decode()\n\
                  \x20   forms.append(['base64url' if url != forms[-1][1] else 'base64', url])\n\
                  print(json.dumps(forms))\n";
    let output = Command::new(&python)
        .args(["-c", script, VALUE])
        .output()
        .unwrap();
    let encoded: Vec<(String, String)> = serde_json::from_slice(&output.stdout).unwrap();
    forms.extend(encoded);
    forms
}

/// Writes each (file name, text) in every container: plain files, gzip, a zip, a .tgz, a zip
/// inside a zip, gzip inside a zip; returns the place a finding in each names, by file.
fn plant(directory: &Path, documents: &[(String, String)]) -> Vec<(String, String)> {
    let script = r#"
import gzip, io, json, os, sys, tarfile, zipfile
root, documents = sys.argv[1], json.loads(sys.stdin.read())
os.makedirs(f"{root}/plain"); os.makedirs(f"{root}/gz")
def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()
for name, text in documents:
    data = text.encode()
    open(f"{root}/plain/{name}", "wb").write(data)
    open(f"{root}/gz/{name}.gz", "wb").write(gzip.compress(data))
members = [(f"docs/{name}", text.encode()) for name, text in documents]
open(f"{root}/bundle.zip", "wb").write(zipped(members))
with tarfile.open(f"{root}/bundle.tgz", "w:gz") as archive:
    for name, data in members:
        info = tarfile.TarInfo(name); info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
inner = zipped(members)
gzipped = [(f"{name}.gz", gzip.compress(data)) for name, data in members]
open(f"{root}/outer.zip", "wb").write(zipped([("inner.zip", inner)] + gzipped))
"#;
    let mut child = Command::new(emulator::python())
        .args(["-c", script])
        .arg(directory)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(documents).unwrap().as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let root = directory
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut places = Vec::new();
    for (name, _) in documents {
        for place in [
            format!("{root}/plain/{name}"),
            format!("{root}/gz/{name}.gz!{name}"),
            format!("{root}/bundle.zip!docs/{name}"),
            format!("{root}/bundle.tgz!bundle.tar!docs/{name}"),
            format!("{root}/outer.zip!inner.zip!docs/{name}"),
            format!("{root}/outer.zip!docs/{name}.gz!{name}"),
        ] {
            places.push((name.clone(), place));
        }
    }
    places
}

#[test]
fn every_form_of_every_value_is_found_where_it_is_in_files_and_archives() {
    for program in ["go", "php", "node"] {
        require(program);
    }
    let env = TestEnv::new();
    let forms = forms(&env);
    std::fs::write(
        env.path("values.env"),
        format!(
            "TOKEN='{}'\nLINES='{LINES}'\n",
            VALUE.replace('\'', "'\\''")
        ),
    )
    .unwrap();
    // Each form alone on the second line of its document, 7 bytes in.
    let documents: Vec<(String, String)> = forms
        .iter()
        .enumerate()
        .map(|(index, (_, text))| {
            (
                format!("form{index}.txt"),
                format!("header\nprefix {text} suffix\n"),
            )
        })
        .collect();
    std::fs::create_dir(env.path("tree")).unwrap();
    let places = plant(&env.path("tree"), &documents);
    let outcome = env.run(["scan", "--env-file", "values.env", "tree"]);
    outcome
        .expect_found("occurrences of secret values in")
        .expect_stderr_without(&[VALUE, "second-line-secret"]);
    assert!(!outcome.stdout.contains(VALUE) && !outcome.stdout.contains("line-secret"));
    let found: BTreeSet<String> = outcome.stdout.lines().map(str::to_owned).collect();
    let mut expected = BTreeSet::new();
    for (document, place) in &places {
        let index: usize = document["form".len()..document.len() - ".txt".len()]
            .parse()
            .unwrap();
        let (form, _) = &forms[index];
        let name = if form == "a line of the value" {
            "LINES"
        } else {
            "TOKEN"
        };
        let line = found
            .iter()
            .find(|line| line.starts_with(&format!("{place}:2:")))
            .unwrap_or_else(|| panic!("{form} not found in {place}:\n{}", outcome.stdout));
        // The base64 forms are found where the value's own characters start inside them.
        if !form.starts_with("base64") {
            assert_eq!(line, &format!("{place}:2:8: {name} ({form})"));
        } else {
            assert!(line.ends_with(&format!(": {name} ({form})")), "{line}");
        }
        expected.insert(line.clone());
    }
    assert_eq!(
        found, expected,
        "one finding per form and place, nothing else"
    );
}

#[test]
fn a_clean_tree_is_exit_0_and_nothing_on_stdout() {
    let env = TestEnv::new();
    std::fs::write(env.path("values.env"), format!("TOKEN='{CANARY}'\n")).unwrap();
    std::fs::create_dir_all(env.path("tree/sub")).unwrap();
    // Near misses: the value but one character, cut short, and random bytes.
    let near = CANARY.replace('7', "8");
    std::fs::write(
        env.path("tree/near.txt"),
        format!("{near}\n{}\n", &CANARY[..12]),
    )
    .unwrap();
    let bytes: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(env.path("tree/sub/random.bin"), bytes).unwrap();
    // A project-wide AWSSECRETS_SECRETS (naming no secret there is) is not read with --env-file.
    let outcome = env
        .awssecrets([
            "scan",
            "--env-file",
            "values.env",
            "tree",
            "values.env",
            "--exclude",
            "values.env",
        ])
        .env(
            "AWSSECRETS_SECRETS",
            "project/wide-secret-that-does-not-exist",
        )
        .run();
    assert_eq!(outcome.stdout, "");
}

#[test]
fn links_special_files_and_excluded_paths_are_passed_by() {
    let env = TestEnv::new();
    std::fs::write(env.path("values.env"), format!("TOKEN='{CANARY}'\n")).unwrap();
    std::fs::create_dir_all(env.path("outside")).unwrap();
    std::fs::write(env.path("outside/leak.txt"), CANARY).unwrap();
    std::fs::create_dir_all(env.path("tree/cache")).unwrap();
    std::os::unix::fs::symlink(env.path("outside"), env.path("tree/link")).unwrap();
    std::fs::write(env.path("tree/cache/leak.txt"), CANARY).unwrap();
    nix::unistd::mkfifo(&env.path("tree/fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    // A FIFO is never opened (it would wait for a writer); the link is not followed.
    env.run([
        "scan",
        "--env-file",
        "values.env",
        "tree",
        "--exclude",
        "./tree/cache",
        "-v",
    ])
    .expect_stderr("skipped tree/fifo: not a regular file")
    .expect_stderr("skipped tree/link: a symbolic link");
    // A link named on the command line is followed.
    env.run(["scan", "--env-file", "values.env", "tree/link"])
        .expect_found("1 occurrence");
}

#[test]
fn an_archive_that_cannot_be_read_through_makes_the_scan_incomplete() {
    let env = TestEnv::new();
    std::fs::write(env.path("values.env"), format!("TOKEN='{CANARY}'\n")).unwrap();
    std::fs::create_dir_all(env.path("tree")).unwrap();
    std::fs::write(env.path("tree/broken.zip"), b"PK\x03\x04 not really a zip").unwrap();
    std::fs::write(env.path("tree/broken.gz"), b"\x1f\x8b\x08\x00 truncated").unwrap();
    std::fs::write(env.path("tree/fine.txt"), "nothing").unwrap();
    let outcome = env.run(["scan", "--env-file", "values.env", "tree"]);
    outcome
        .expect_failure(
            10,
            "nothing found, but 2 files or archives could not be read through",
        )
        .expect_stderr("tree/broken.zip: not a readable zip")
        .expect_stderr("tree/broken.gz");
    // A finding wins over what could not be read.
    std::fs::write(env.path("tree/leak.txt"), CANARY).unwrap();
    env.run(["scan", "--env-file", "values.env", "tree"])
        .expect_found("found 1 occurrence of secret values in 1 file");
}

#[test]
fn values_from_specs_and_a_json_report() {
    let env = TestEnv::new();
    env.secret(
        "ci/npm",
        &serde_json::json!({ "NPM_TOKEN": CANARY }).to_string(),
    );
    std::fs::create_dir_all(env.path("dist")).unwrap();
    std::fs::write(
        env.path("dist/.npmrc"),
        format!("//r/:_authToken={CANARY}\n"),
    )
    .unwrap();
    let outcome = env.run(["scan", "-s", "ci/npm", "--format", "json", "dist"]);
    outcome.expect_found("found 1 occurrence");
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(
        report["findings"],
        serde_json::json!([{"place": "dist/.npmrc", "line": 1, "column": 17, "name": "NPM_TOKEN", "form": "value"}])
    );
    assert_eq!(
        (
            report["files"].as_u64(),
            report["unreadable"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0))
    );
    env.run(["scan", "dist"])
        .expect_failure(2, "nothing to look for");
    env.run(["scan", "--env-file", "values.env", "missing"])
        .expect_failure(2, "cannot");
}

#[test]
fn redact_masks_every_form_in_a_stream_as_exec_does() {
    let env = TestEnv::new();
    std::fs::write(env.path("values.env"), format!("TOKEN='{CANARY}'\n")).unwrap();
    let base64 = aws_smithy_types::base64::encode(format!("x{CANARY}"));
    let input = format!(
        "plain {CANARY}\nb64 {base64}\nurl {}\nclean line\n",
        CANARY.replace('-', "%2D")
    );
    let mut child = env
        .awssecrets(["redact", "--env-file", "values.env"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn_as_is();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{output:?}"
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains(CANARY), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "plain ***");
    assert!(
        lines[1].starts_with("b64 ") && lines[1].contains("***"),
        "{text}"
    );
    assert_eq!(lines[3], "clean line");
    // A reader that stops early ends it quietly.
    let outcome = env
        .program("sh")
        .args([
            "-c",
            "yes \"$0\" | head -c 3000000 | awssecrets redact --env-file values.env | head -c 10",
        ])
        .arg(CANARY)
        .env(
            "PATH",
            format!(
                "{}:{}",
                crate::support::binary().parent().unwrap().display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .run();
    assert_eq!(outcome.stdout, "***\n***\n**");
}
