//! `render` and `exec --render`: every escape proven by its format's real parser over the
//! consumer corpus (and values aimed at each escape), strict errors naming template, line and
//! column, outputs written together or not at all, and masks in the forms templates wrote.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use awssecrets::template::Escape;

use crate::support::values::corpus;
use crate::support::{CANARY, TestEnv, Untouched, emulator, read};

/// The consumer corpus, and values aimed at the escapes: controls XML cannot hold, what YAML
/// folds or normalises, markup, look-alikes of other types.
fn values() -> Vec<(&'static str, String)> {
    let mut values = corpus();
    values.extend(
        [
            ("CONTROL", "bell\u{7} and escape\u{1b}[0m"),
            ("DELETE", "a\u{7f}b\u{85}c\u{9f}"),
            ("SEPARATORS", "a\u{2028}b\u{2029}c"),
            ("BOM", "\u{feff}starts with a BOM"),
            ("NONCHARACTER", "x\u{fffe}y"),
            ("MARKUP", "<a href=\"x\">&amp; 'q' ]]></a>"),
            ("YAML_LOOKING", "- key: value # c\n? : &anchor *ref !tag |"),
            ("BOOL_LIKE", "yes"),
            ("NUMBER_LIKE", "0123"),
            ("NULL_LIKE", "~"),
            ("TOML_LOOKING", "\"\"\"x\"\"\" [t] a = 1 '''"),
            ("URL_LOOKING", "user:p@ss/w?rd#frag&x=1+2%20"),
        ]
        .into_iter()
        .map(|(name, value)| (name, value.to_owned())),
    );
    values
}

/// Whether `escape` refuses `value`, as its documentation says: XML 1.0 cannot hold the C0
/// controls but tab, line feed and carriage return, nor U+FFFE and U+FFFF; no shell word holds
/// a NUL byte (which no variable holds either: naming refuses it before any escape).
fn refused(escape: Escape, value: &str) -> bool {
    match escape {
        Escape::Xml => value.chars().any(|c| {
            ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{fffe}' | '\u{ffff}')
        }),
        Escape::Sh => value.contains('\0'),
        _ => false,
    }
}

/// A template holding `{{ NAME | escape }}` for each name, in the format the escape is for,
/// and the file name it is given.
fn template(escape: Escape, names: &[&str]) -> (String, String) {
    let placeholder = |name: &str| format!("{{{{ {name} | {} }}}}", escape.name());
    let mut text = String::new();
    let file = match escape {
        Escape::Json => {
            let fields: Vec<String> = names
                .iter()
                .map(|name| format!("  \"{name}\": {}", placeholder(name)))
                .collect();
            text = format!("{{\n{}\n}}\n", fields.join(",\n"));
            "out.json"
        }
        Escape::Yaml => {
            for name in names {
                text.push_str(&format!("{name}: {}\n", placeholder(name)));
            }
            "out.yaml"
        }
        Escape::Toml => {
            for name in names {
                text.push_str(&format!("{name} = {}\n", placeholder(name)));
            }
            "out.toml"
        }
        Escape::Xml => {
            text.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<values>\n");
            for name in names {
                text.push_str(&format!(
                    "  <v name=\"{name}\" a=\"{0}\">{0}</v>\n",
                    placeholder(name)
                ));
            }
            text.push_str("</values>\n");
            "out.xml"
        }
        Escape::Sh => {
            for name in names {
                text.push_str(&format!("{name}={}\n", placeholder(name)));
            }
            "out.sh"
        }
        Escape::Url | Escape::Base64 | Escape::Raw => {
            for name in names {
                text.push_str(&format!("{name}={}\n", placeholder(name)));
            }
            "out.txt"
        }
    };
    (text, file.to_owned())
}

/// What the real parser of `escape`'s format reads in `file`.
fn parsed(escape: Escape, file: &Path, names: &[&str]) -> BTreeMap<String, String> {
    match escape {
        Escape::Sh => {
            // dash and bash read the assignments; each value printed NUL-terminated.
            let mut read = BTreeMap::new();
            for shell in ["dash", "bash"] {
                let script = format!(
                    ". '{}'; for name in {}; do eval \"printf '%s\\0' \\\"\\$$name\\\"\"; done",
                    file.display(),
                    names.join(" ")
                );
                let output = Command::new(shell).args(["-c", &script]).output().unwrap();
                assert!(output.status.success(), "{shell}: {:?}", output);
                let values: Vec<String> = output
                    .stdout
                    .split(|&byte| byte == 0)
                    .map(|value| String::from_utf8(value.to_vec()).unwrap())
                    .collect();
                for (name, value) in names.iter().zip(values) {
                    let previous = read.insert(name.to_string(), value.clone());
                    if let Some(previous) = previous {
                        assert_eq!(previous, value, "{name}: dash and bash differ");
                    }
                }
            }
            read
        }
        Escape::Raw => panic!("raw has no parser"),
        _ => {
            let kind = match escape {
                Escape::Json => "json",
                Escape::Yaml => "yaml",
                Escape::Xml => "xml",
                Escape::Toml => "toml",
                Escape::Url => "url",
                _ => "base64",
            };
            let output = Command::new(emulator::python())
                .arg(
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("tests/cli/support/parse_rendered.py"),
                )
                .arg(kind)
                .arg(file)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{kind} parser: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let values: BTreeMap<String, serde_json::Value> =
                serde_json::from_slice(&output.stdout).unwrap();
            if escape == Escape::Json {
                // serde_json reads it too, in process.
                let ours: BTreeMap<String, String> =
                    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
                assert_eq!(ours.len(), names.len());
            }
            values
                .into_iter()
                .map(|(name, value)| (name, value.as_str().unwrap_or_default().to_owned()))
                .collect()
        }
    }
}

#[test]
fn every_escape_is_read_back_exactly_by_its_formats_real_parser() {
    let env = TestEnv::new();
    let values = values();
    let object: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(name, value)| (name.to_string(), serde_json::Value::String(value.clone())))
        .collect();
    env.secret("corpus", &serde_json::to_string(&object).unwrap());
    for escape in Escape::ALL.iter().copied() {
        let accepted: Vec<&str> = values
            .iter()
            .filter(|(_, value)| !refused(escape, value))
            .map(|(name, _)| *name)
            .collect();
        let (text, output) = template(escape, &accepted);
        let input = format!("{output}.tmpl");
        std::fs::write(env.path(&input), &text).unwrap();
        env.run(["render", "-s", "corpus", "-i", &input, "-o", &output]);
        let file = env.path(&output);
        if escape == Escape::Raw {
            let expected: String = accepted
                .iter()
                .map(|name| {
                    let value = &values.iter().find(|(n, _)| n == name).unwrap().1;
                    format!("{name}={value}\n")
                })
                .collect();
            assert_eq!(read(&file), expected, "raw writes each value as it is");
            continue;
        }
        let read_back = parsed(escape, &file, &accepted);
        for (name, value) in values.iter().filter(|(name, _)| accepted.contains(name)) {
            assert_eq!(
                read_back.get(*name),
                Some(value),
                "{}: {name} is not read back exactly",
                escape.name()
            );
            if escape == Escape::Xml {
                assert_eq!(
                    read_back.get(&format!("{name}@attribute")),
                    Some(value),
                    "xml: {name} as an attribute"
                );
            }
        }
        // What the escape refuses is exit 7, naming the template, line and column.
        for (name, value) in values.iter().filter(|(_, value)| refused(escape, value)) {
            let (text, output) = template(escape, &[name]);
            let input = format!("refused-{output}.tmpl");
            std::fs::write(env.path(&input), &text).unwrap();
            let outcome = env.run(["render", "-s", "corpus", "-i", &input, "-o", "refused"]);
            let line = text.lines().position(|line| line.contains(name)).unwrap() + 1;
            outcome
                .expect_failure(7, &format!("{input}:{line}:"))
                .expect_stderr(&format!(
                    "variable {name} with the {} escape",
                    escape.name()
                ))
                .expect_stderr_without(&[value.as_str()]);
            assert!(!env.path("refused").exists());
        }
    }
}

#[test]
fn template_problems_name_template_line_and_column_and_write_nothing() {
    let env = TestEnv::new();
    env.secret("ci/npm", &format!(r#"{{"NPM_TOKEN":"{CANARY}"}}"#));
    std::fs::write(env.path("old"), "kept").unwrap();
    let untouched = Untouched::of(env.path("old"));
    std::fs::write(
        env.path("a.yaml.tmpl"),
        "ok: {{ NPM_TOKEN }}\nbad: {{ NPM_TOKEN | html }}\nmissing: {{ NOPE }}\n",
    )
    .unwrap();
    std::fs::write(env.path("b.tmpl"), "{{ NPM_TOKEN\n").unwrap();
    // Syntax first, before anything is fetched: both templates' problems at once.
    env.run([
        "render",
        "-s",
        "ci/npm",
        "-i",
        "a.yaml.tmpl",
        "-o",
        "old",
        "-i",
        "b.tmpl",
        "-o",
        "b",
    ])
    .expect_failure(7, "2 failures:")
    .expect_stderr("a.yaml.tmpl:2:6: unknown escape \"html\"")
    .expect_stderr("b.tmpl:1:1: a placeholder's {{ is not closed by }} on its line");
    // A name no variable has, once the values are known; the same for every template.
    std::fs::write(env.path("a.yaml.tmpl"), "missing: {{ NOPE }}\n").unwrap();
    env.run(["render", "-s", "ci/npm", "-i", "a.yaml.tmpl", "-o", "old"])
        .expect_failure(
            7,
            "a.yaml.tmpl:1:10: no variable NOPE among the secrets and env files (they give NPM_TOKEN)",
        )
        .expect_stderr_without(&[CANARY]);
    // `{{ NAME json }}` with NAME a variable of the run: a `|` forgotten, not another language.
    std::fs::write(
        env.path("a.yaml.tmpl"),
        "helm: {{ if .Values.x }}\ntoken: {{ NPM_TOKEN json }}\n",
    )
    .unwrap();
    env.run(["render", "-s", "ci/npm", "-i", "a.yaml.tmpl", "-o", "old"])
        .expect_failure(
            7,
            "a.yaml.tmpl:2:8: \"{{ NPM_TOKEN json }}\" is not a placeholder, yet NPM_TOKEN is a \
             variable of this run",
        )
        .expect_stderr_without(&[CANARY]);
    untouched.assert();
    assert!(!env.path("b").exists());
    // Mismatched pairs and an unreadable template are usage errors.
    env.run([
        "render",
        "-s",
        "ci/npm",
        "-i",
        "a.yaml.tmpl",
        "-i",
        "b.tmpl",
        "-o",
        "x",
    ])
    .expect_failure(2, "each -i TEMPLATE needs its -o FILE");
    env.run(["render", "-s", "ci/npm", "-i", "none.tmpl", "-o", "x"])
        .expect_failure(2, "cannot read template none.tmpl");
}

#[test]
fn outputs_are_written_together_0600_or_not_at_all() {
    let env = TestEnv::new();
    env.secret("ci/npm", &format!(r#"{{"NPM_TOKEN":"{CANARY}"}}"#));
    std::fs::write(env.path("t.tmpl"), "token={{ NPM_TOKEN }}\n").unwrap();
    std::fs::write(env.path("first"), "old first").unwrap();
    let first = Untouched::of(env.path("first"));
    // The second destination cannot be written: the first is left as it was.
    env.run([
        "render",
        "-s",
        "ci/npm",
        "-i",
        "t.tmpl",
        "-o",
        "first",
        "-i",
        "t.tmpl",
        "-o",
        "no/such/dir/second",
    ])
    .expect_failure(8, "cannot write no/such/dir/second");
    first.assert();
    env.run([
        "render", "-s", "ci/npm", "-i", "t.tmpl", "-o", "first", "-i", "t.tmpl", "-o", "second",
    ]);
    for output in ["first", "second"] {
        assert_eq!(read(&env.path(output)), format!("token={CANARY}\n"));
        let mode = std::fs::metadata(env.path(output)).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
            0o600
        );
    }
    // From an env file, no AWS call; to stdout with -o -.
    std::fs::write(env.path("values.env"), format!("NPM_TOKEN='{CANARY}'\n")).unwrap();
    let outcome = env
        .awssecrets([
            "render",
            "--env-file",
            "values.env",
            "-i",
            "t.tmpl",
            "-o",
            "-",
        ])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .run();
    assert_eq!(outcome.stdout, format!("token={CANARY}\n"));
}

#[test]
fn exec_render_gives_the_command_a_private_file_masked_in_the_forms_it_was_written() {
    let env = TestEnv::new();
    let value = "p<a&ss\"w0rd-value";
    env.secret(
        "ci/app",
        &serde_json::json!({ "APP_SECRET": value }).to_string(),
    );
    std::fs::write(
        env.path("app.xml.tmpl"),
        "<config><secret>{{ APP_SECRET }}</secret><json>{{ APP_SECRET | json }}</json></config>\n",
    )
    .unwrap();
    let script = r#"printf '%s\n' "$APP_CONFIG"; stat -c %a "$APP_CONFIG" "$(dirname "$APP_CONFIG")"; cat "$APP_CONFIG""#;
    let outcome = env.exec(
        &[
            "-s",
            "ci/app",
            "--render",
            "app.xml.tmpl=APP_CONFIG",
            "--mask",
        ],
        &["sh", "-c", script],
    );
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    let path = Path::new(lines[0]);
    assert!(path.ends_with("app.xml"), "{}", lines[0]);
    assert_eq!(&lines[1..3], &["600", "700"]);
    assert_eq!(
        lines[3], "<config><secret>***</secret><json>\"***\"</json></config>",
        "the xml and json forms are masked"
    );
    assert!(!path.exists(), "removed when the command ended");
    assert!(!outcome.stdout.contains("p&lt;a"));
    // A variable the pipeline names is set even when reserved (its choice), and replaces one.
    std::fs::write(
        env.path(".npmrc.tmpl"),
        "//r/:_authToken={{ APP_SECRET | url }}\n",
    )
    .unwrap();
    let outcome = env.exec(
        &[
            "-s",
            "ci/app",
            "--render",
            ".npmrc.tmpl=NPM_CONFIG_USERCONFIG",
            "--no-mask",
        ],
        &[
            "sh",
            "-c",
            r#"basename "$NPM_CONFIG_USERCONFIG"; cat "$NPM_CONFIG_USERCONFIG""#,
        ],
    );
    assert_eq!(
        outcome.stdout,
        ".npmrc\n//r/:_authToken=p%3Ca%26ss%22w0rd-value\n"
    );
    // Template problems stop the run before the command starts.
    std::fs::write(env.path("bad.tmpl"), "{{ NOPE }}").unwrap();
    let outcome = env.exec(
        &["-s", "ci/app", "--render", "bad.tmpl=X"],
        &["sh", "-c", "echo started"],
    );
    outcome.expect_failure(7, "bad.tmpl:1:1: no variable NOPE");
    assert_eq!(outcome.stdout, "", "the command did not start");
    env.exec(&["-s", "ci/app", "--render", "bad.tmpl"], &["true"])
        .expect_failure(2, "expected TEMPLATE=VAR");
}
