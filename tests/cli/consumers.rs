//! The consumer matrix: every source × every format × every real reader of it × a corpus of
//! values built to be misread. Each cell is the exact value, or the refusal docs/formats.md
//! documents for that format. A new format or source cannot be left out (`consumers::readers` and
//! `fixtures::store` have no wildcard), and a new reader is one line there.

use awssecrets::render::Format;
use awssecrets::source::Kind;

use crate::support::TestEnv;
use crate::support::consumers::{Reader, format_name, formats, readers};
use crate::support::fixtures::store;
use crate::support::values::corpus;

/// The refusal each format documents for `value` (a fragment of its message), or `None` when
/// every reader of the format must read `value` back exactly.
fn documented_refusal(format: Format, value: &str) -> Option<&'static str> {
    match format {
        Format::Sh | Format::Shell | Format::Github | Format::GithubOutput | Format::Json => None,
        Format::Dotenv => {
            let reference = value
                .match_indices("${")
                .any(|(start, _)| value[start..].contains('}'));
            let single = !value.contains('\'')
                && !value.contains("\\\\")
                && !value.ends_with('\\')
                && !reference;
            let double = !value.contains(['"', '\\', '$', '`']);
            if value.contains('\r') {
                Some("holds a carriage return")
            } else if single || double {
                None
            } else {
                Some("would each read differently")
            }
        }
        Format::Env => {
            if value.contains('\n') {
                Some("spans several lines")
            } else if value.ends_with('\r') {
                Some("ends with a carriage return")
            } else {
                None
            }
        }
        Format::Gitlab => {
            if value.contains('\n') {
                Some("spans several lines")
            } else if value != value.trim() {
                Some("starts or ends with whitespace")
            } else if value.contains('$') {
                Some("holds '$'")
            } else if value.contains("%PATH%") {
                Some("%NAME% reference")
            } else {
                None
            }
        }
    }
}

#[test]
fn every_source_and_format_read_by_every_real_reader_gives_each_value_or_its_refusal() {
    let env = TestEnv::new();
    let mut failures = Vec::new();
    for &kind in Kind::ALL {
        let values: Vec<(&str, String)> = corpus()
            .into_iter()
            // Parameter Store holds at most 8 KB (advanced tier) per parameter.
            .filter(|(name, _)| kind != Kind::ParameterStore || *name != "LARGE")
            .collect();
        let object: serde_json::Map<String, serde_json::Value> = values
            .iter()
            .map(|(name, value)| (name.to_string(), serde_json::Value::String(value.clone())))
            .collect();
        let spec = store(
            &env,
            kind,
            "matrix/corpus",
            &serde_json::to_string(&object).unwrap(),
        );
        check_every_format(&env, &spec, &values, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every format of `spec` (a JSON object of `values`) through every reader of it.
fn check_every_format(
    env: &TestEnv,
    spec: &str,
    values: &[(&str, String)],
    failures: &mut Vec<String>,
) {
    for format in formats() {
        let name = format_name(format);
        // The whole corpus: exactly the documented refusals, each named.
        let refused: Vec<(&str, &str)> = values
            .iter()
            .filter_map(|(variable, value)| {
                documented_refusal(format, value).map(|reason| (*variable, reason))
            })
            .collect();
        let whole = env.run(["-s", spec, "-f", &name, "-o", "whole.out"]);
        let expected_code = if refused.is_empty() { 0 } else { 7 };
        if whole.code() != Some(expected_code) {
            failures.push(format!(
                "{name}: the whole corpus exits {:?}, not {expected_code}:\n{}",
                whole.code(),
                whole.stderr()
            ));
        } else if !refused.is_empty() {
            for (variable, reason) in &refused {
                let named = format!("variable {variable}: ");
                let line = whole.stderr().lines().find(|line| line.contains(&named));
                if !line.is_some_and(|line| line.contains(reason)) {
                    failures.push(format!("{name}: {variable} not refused with {reason:?}"));
                }
            }
            let refusals = whole.stderr().matches("variable ").count();
            if refusals != refused.len() {
                failures.push(format!(
                    "{name}: {refusals} refusals, {} documented:\n{}",
                    refused.len(),
                    whole.stderr()
                ));
            }
        }
        // What the format accepts: read back exactly by every reader, nothing injected.
        let accepted: Vec<&(&str, String)> = values
            .iter()
            .filter(|(_, value)| documented_refusal(format, value).is_none())
            .collect();
        let keys: Vec<&str> = accepted.iter().map(|(variable, _)| *variable).collect();
        let path = env.path(&format!("matrix.{name}"));
        let _ = std::fs::remove_file(&path);
        let selected = format!("{spec}#{}", keys.join(","));
        let mut run = env
            .awssecrets(["-s", &selected, "-f", &name, "-o"])
            .arg(&path);
        if format == Format::Gitlab {
            run = run.arg("--gitlab-max-bytes").arg("1000000");
        }
        let outcome = run.run();
        outcome.expect_success();
        // GitLab's documentation says its reports take no spaces, which it keeps all the
        // same: the one warning any format gives for what it accepts.
        for line in outcome.stderr().lines() {
            if format != Format::Gitlab || !line.contains(": its value holds spaces, which GitLab")
            {
                failures.push(format!("{name}: an unexpected warning: {line}"));
            }
        }
        let text = std::fs::read(&path).unwrap();
        let expected: Vec<(String, String)> = accepted
            .iter()
            .map(|(variable, value)| (variable.to_string(), value.clone()))
            .collect();
        let mut names = keys.clone();
        names.push("INJECTED");
        let directory = tempfile::tempdir().unwrap();
        let format_readers = readers(format);
        assert!(!format_readers.is_empty(), "{name} has no reader");
        for reader in format_readers {
            let read_back = reader.read(&text, directory.path(), &names);
            for (variable, value) in &expected {
                let got = read_back.iter().find(|(seen, _)| seen == variable);
                if got.map(|(_, seen)| seen) != Some(value) {
                    failures.push(format!(
                        "{name} read by {}: {variable} is {}",
                        describe(&reader),
                        match got {
                            Some(_) => "another value",
                            None => "missing",
                        }
                    ));
                }
            }
            if read_back.iter().any(|(seen, _)| seen == "INJECTED") {
                failures.push(format!(
                    "{name} read by {}: INJECTED was set",
                    describe(&reader)
                ));
            }
            if read_back.len() != expected.len() {
                failures.push(format!(
                    "{name} read by {}: {} variables, not {}",
                    describe(&reader),
                    read_back.len(),
                    expected.len()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn describe(reader: &Reader) -> String {
    match reader {
        Reader::ShellSource(shell) => format!("`set -a; . FILE` in {}", shell.join(" ")),
        Reader::ShellEval(shell) => format!("eval in {}", shell.join(" ")),
        other => format!("{other:?}"),
    }
}
