//! From SPECs to layers of variables: one AWS session, every source at once, then naming;
//! all or nothing, with every failure reported.

use crate::aws::{self, Session};
use crate::error::quoted;
use crate::error::{Error, FailureKind};
use crate::model::{Layer, Origin};
use crate::naming;
use crate::source::{self, Reach, Spec};

use crate::log::Log;

use super::request::{SECRETS_ENV, Selection};

/// Fetches every selected value and turns each into a layer of variables; all or nothing,
/// with every failure reported.
pub async fn fetch_layers(selection: &Selection, log: Log) -> Result<Vec<Layer>, Error> {
    let mut warnings = Vec::new();
    let specs = distinct(&selection.specs, &mut warnings);
    let session = aws::connect(&selection.aws, log).await?;
    log_session(&session, log);
    let started = std::time::Instant::now();
    // What a run out of time spent, told with its failure.
    let spent = |error: Error| {
        if !error.to_string().contains("--timeout") {
            return error;
        }
        error.hinted(format!(
            "awssecrets waited {:.1} s for AWS (--timeout {} s) and made {}",
            started.elapsed().as_secs_f64() + session.connect_time.as_secs_f64(),
            selection.aws.timeout.as_secs_f64(),
            session.calls.summary()
        ))
    };
    // --timeout bounds each call, retries included; this bounds them all together.
    let results = aws::within_timeout(
        selection.aws.timeout,
        "fetching secrets",
        source::fetch_all(&Reach { session: &session }, &specs),
    )
    .await
    .map_err(spent)?;
    for note in session.calls.notes() {
        log.info(note);
    }
    warnings.extend(session.take_warnings());
    log.info(session.calls.summary());

    let mut errors = Vec::new();
    let mut layers = Vec::new();
    for (spec, result) in specs.iter().zip(results) {
        let entries = match result {
            Ok(entries) => entries,
            // An optional SPEC that does not exist is skipped; any other failure still counts.
            Err(error) if spec.optional && error.failure_kind() == Some(FailureKind::NotFound) => {
                warnings.push(format!("{error} (optional: skipped)"));
                continue;
            }
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        for entry in entries {
            match naming::variables(&entry, &spec.shape, &selection.naming, &mut warnings) {
                Ok(variables) => {
                    let names: Vec<&str> = variables
                        .iter()
                        .map(|variable| variable.name.as_str())
                        .collect();
                    log.info(format!(
                        "fetched {} from {} in {} ms: {}",
                        entry.name,
                        entry.region,
                        entry.elapsed.as_millis(),
                        if names.is_empty() {
                            "no variables".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ));
                    layers.push(Layer {
                        origin: Origin::of_spec(&entry.subject, &spec.text),
                        variables,
                    });
                }
                Err(error) => errors.push(error),
            }
        }
    }
    log.warn_all(&warnings);
    match Error::from_many(errors) {
        Some(error) => Err(spent(error)),
        None => Ok(layers),
    }
}

/// The SPECs in order, each given once: a SPEC given again is fetched once, with a warning
/// (it would only override itself).
fn distinct(specs: &[Spec], warnings: &mut Vec<String>) -> Vec<Spec> {
    let mut kept: Vec<Spec> = Vec::with_capacity(specs.len());
    let mut repeated: Vec<(&str, usize)> = Vec::new();
    for spec in specs {
        if kept.iter().any(|seen| seen.text == spec.text) {
            match repeated.iter_mut().find(|(text, _)| *text == spec.text) {
                Some((_, count)) => *count += 1,
                None => repeated.push((&spec.text, 2)),
            }
        } else {
            kept.push(spec.clone());
        }
    }
    for (text, count) in repeated {
        warnings.push(format!(
            "SPEC {} is given {count} times: it is fetched once",
            quoted(text)
        ));
    }
    kept
}

/// Refuses a command given no values at all (usage, exit 2): `nothing` says what it lacks them
/// for ("nothing to redact").
pub fn require_values(
    selection: &Selection,
    env_files: &[std::path::PathBuf],
    nothing: &str,
) -> Result<(), Error> {
    if selection.specs.is_empty() && env_files.is_empty() {
        return Err(Error::Usage(format!(
            "{nothing}: pass --secret SPEC, --env-file FILE or set {SECRETS_ENV}"
        )));
    }
    Ok(())
}

/// The variables of the env files (in order), then of the SPECs (one fetch for all), merged
/// (later wins, overrides warned) and their names checked: what `exec`, `render`, `scan` and
/// `redact` work with. With no SPECs, no AWS call is made.
pub fn collect_variables(
    selection: &Selection,
    env_files: &[std::path::PathBuf],
    log: Log,
) -> Result<Vec<crate::model::EnvVar>, Error> {
    let mut layers = Vec::new();
    for path in env_files {
        let layer = crate::source::env_file::read(path)?;
        log.info(format!(
            "read {} variables from {}",
            layer.variables.len(),
            layer.origin
        ));
        layers.push(layer);
    }
    if !selection.specs.is_empty() {
        // The runtime is gone before anything else runs: nothing of ours runs beside it.
        layers.extend(super::stdout::runtime()?.block_on(fetch_layers(selection, log))?);
    }
    let merged = crate::model::merge_layers(layers);
    log.warn_all(&merged.override_warnings());
    naming::check_names(&merged, selection.naming.rules())?;
    Ok(merged.variables)
}

/// `--verbose`: where region and credentials came from, the endpoint, TLS trust and proxies.
pub fn log_session(session: &Session, log: Log) {
    // Nothing of it is worked out on a quiet run (describing a route builds a proxy matcher).
    if log.is_verbose() {
        for line in session.describe() {
            log.info(line);
        }
    }
}
