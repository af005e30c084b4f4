//! `awssecrets scan`: the values (from SPECs or env files) and every form the masker knows,
//! searched for in files, directories and archives; each finding told by place, never by
//! value.

use std::time::Instant;

use serde_json::json;

use crate::error::{Error, ExitCode};
use crate::log::Log;
use crate::mask::{Finder, variable_patterns};
use crate::scan::{Report, scan as search};

use super::collect::{collect_variables, require_values};
use super::request::Scan;
use super::stdout::write_stdout;

pub fn scan(request: Scan) -> Result<u8, Error> {
    let started = Instant::now();
    let log = Log::new(request.selection.verbosity, request.selection.wording);
    require_values(
        &request.selection,
        &request.env_files,
        "nothing to look for",
    )?;
    for path in &request.paths {
        std::fs::symlink_metadata(path).map_err(|error| {
            Error::Usage(format!(
                "cannot scan {}: {error}",
                crate::error::shown_path(path)
            ))
        })?;
    }
    let variables = collect_variables(&request.selection, &request.env_files, log)?;
    let patterns = variable_patterns(&variables, request.min_length);
    if patterns.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to look for: no value is {} characters or longer (--mask-min-length)",
            request.min_length
        )));
    }
    log.info(format!(
        "looking for {} strings: every form of {} values",
        patterns.len(),
        variables.len()
    ));
    let finder = Finder::new(&patterns);
    let report = search(&request.paths, &request.excluded, &finder);
    for skipped in &report.skipped {
        log.info(format!("skipped {skipped}"));
    }
    let name_of = |pattern: usize| {
        let (variable, form) = patterns.origin(pattern);
        (variables[variable].name.as_str(), form.name())
    };
    let mut out = String::new();
    if request.json {
        let findings: Vec<serde_json::Value> = report
            .findings
            .iter()
            .map(|finding| {
                let (name, form) = name_of(finding.found.pattern);
                json!({
                    "place": finding.place,
                    "line": finding.found.line,
                    "column": finding.found.column,
                    "name": name,
                    "form": form,
                })
            })
            .collect();
        let document = json!({
            "findings": findings,
            "files": report.files,
            "bytes": report.bytes,
            "unreadable": report.unreadable,
        });
        out.push_str(&document.to_string());
        out.push('\n');
    } else {
        for finding in &report.findings {
            let (name, form) = name_of(finding.found.pattern);
            out.push_str(&format!(
                "{}:{}:{}: {name} ({form})\n",
                finding.place, finding.found.line, finding.found.column
            ));
        }
    }
    write_stdout(out.as_bytes())?;
    let seconds = started.elapsed().as_secs_f64();
    log.info(format!(
        "scanned {} files, {:.1} MB, in {seconds:.2} s ({:.0} MB/s)",
        report.files,
        report.bytes as f64 / 1e6,
        report.bytes as f64 / 1e6 / seconds.max(1e-9)
    ));
    outcome(&report)
}

/// Exit 0 when nothing was found and everything was read; else the error saying what.
fn outcome(report: &Report) -> Result<u8, Error> {
    let unreadable = (!report.unreadable.is_empty()).then(|| {
        format!(
            "{} could not be read through, so they may hold values unseen:\n  {}",
            plural(
                report.unreadable.len(),
                "file or archive",
                "files or archives"
            ),
            report.unreadable.join("\n  ")
        )
    });
    if !report.findings.is_empty() {
        let mut places: Vec<&str> = report
            .findings
            .iter()
            .map(|finding| finding.place.as_str())
            .collect();
        places.sort_unstable();
        places.dedup();
        let mut message = format!(
            "found {} of secret values in {} (listed on stdout): remove them before these \
             files are shared (artifacts, caches, logs), and rotate the secrets they hold",
            plural(report.findings.len(), "occurrence", "occurrences"),
            plural(places.len(), "file", "files")
        );
        if let Some(unreadable) = unreadable {
            message.push('\n');
            message.push_str(&unreadable);
        }
        return Err(Error::Scan {
            exit: ExitCode::Found,
            message,
        });
    }
    match unreadable {
        Some(message) => Err(Error::Scan {
            exit: ExitCode::Incomplete,
            message: format!("nothing found, but {message}"),
        }),
        None => Ok(0),
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
