//! Who may set which name: only the pipeline decides what changes how a job runs. A name the
//! pipeline wrote (an ALIAS, a key listed after `#`) is its choice; any other name (a key the
//! content chose, a name a listing found, a name derived from an id, a line of an env file) is
//! refused when it is reserved ([`super::reserved`]), unless `--allow-name` names it; with
//! `--only-listed-keys` every name the content chose is refused. A reserved name comes from
//! one origin only, whoever chose it.

use crate::error::{Error, quoted};
use crate::model::{ChosenBy, EnvVar, Merged, Origin};

use super::reserved::{Reserved, reserved};

/// The one name no variable may have, even when allowed: bash, zsh and mksh overwrite `_`
/// with the last command's argument, so what `set -a; . FILE` loads is lost.
pub const UNUSABLE_NAME: &str = "_";

/// What the pipeline allows beyond the names it wrote itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct NameRules<'a> {
    /// `--allow-name`: reserved names anything may set all the same.
    pub allowed: &'a [String],
    /// `--only-listed-keys`: refuse every name a secret's content chose.
    pub only_listed_keys: bool,
}

/// Refuses (all at once, exit 7) every final variable whose name its chooser may not set, and
/// every reserved name that more than one origin gives; each message names the variable,
/// where it came from, why, and the ways out. Never a value.
pub fn check_names(merged: &Merged, rules: NameRules<'_>) -> Result<(), Error> {
    let mut errors = Vec::new();
    for (variable, origin) in merged.variables.iter().zip(&merged.origins) {
        let name = variable.name.as_str();
        let subject = format!("variable {name} ({})", provenance(variable, origin));
        if name == UNUSABLE_NAME {
            errors.push(Error::bad_content(
                subject,
                "no variable may be named _: bash, zsh and mksh overwrite it with the last \
                 command's argument; rename it with an ALIAS or --prefix",
            ));
            continue;
        }
        if rules.only_listed_keys && variable.chosen_by.is_content() {
            errors.push(Error::bad_content(
                subject,
                format!(
                    "the secret's content chose this name, and --only-listed-keys takes only \
                     names the pipeline wrote; {}",
                    way_out(variable, origin, false)
                ),
            ));
            continue;
        }
        let Some(entry) = reserved(name) else {
            continue;
        };
        if variable.chosen_by == ChosenBy::Pipeline || rules.allowed.iter().any(|a| a == name) {
            continue;
        }
        errors.push(Error::bad_content(
            subject,
            format!(
                "{}; {} chose it, not the pipeline: {}",
                reason(entry),
                chooser(&variable.chosen_by),
                way_out(variable, origin, true)
            ),
        ));
    }
    errors.extend(conflicts(merged));
    Error::from_many(errors).map_or(Ok(()), Err)
}

/// `a reserved name (it ...)`.
fn reason(entry: &Reserved) -> String {
    format!("a reserved name ({})", entry.why)
}

/// Who chose a name that was not the pipeline.
fn chooser(chosen_by: &ChosenBy) -> &'static str {
    match chosen_by {
        ChosenBy::Key(_) => "the secret's content (a JSON key the SPEC does not list)",
        ChosenBy::Listing => "whoever named the value the SPEC's prefix or path found",
        ChosenBy::Id => "the value's id (a name derived from it)",
        ChosenBy::File => "the env file",
        ChosenBy::Pipeline => "the pipeline",
    }
}

/// Where a variable came from: `key "PATH" of secret ci/app, SPEC "ci/app"`.
fn provenance(variable: &EnvVar, origin: &Origin) -> String {
    let spec = origin
        .spec
        .as_deref()
        .map(|spec| format!(", SPEC {}", quoted(spec)))
        .unwrap_or_default();
    match &variable.chosen_by {
        ChosenBy::Key(key) => format!("key {} of {}{spec}", quoted(key), origin.subject),
        ChosenBy::Listing => format!(
            "named after {}, found by SPEC {}",
            origin.subject,
            quoted(origin.spec.as_deref().unwrap_or_default())
        ),
        ChosenBy::Id => format!("named after {}{spec}", origin.subject),
        ChosenBy::Pipeline | ChosenBy::File => format!("from {}{spec}", origin.subject),
    }
}

/// How the pipeline takes the choice back: list the key, name it with an ALIAS, or (when
/// `allowing` is a way out) `--allow-name`.
fn way_out(variable: &EnvVar, origin: &Origin, allowing: bool) -> String {
    let allow = format!("pass --allow-name {}", variable.name);
    let choose = match (&variable.chosen_by, origin.spec.as_deref()) {
        (ChosenBy::Key(key), Some(spec)) if !spec.contains('#') && !key.contains([',', '.']) => {
            Some(format!(
                "if the pipeline means it, list the key in the SPEC ({})",
                quoted(&format!("{spec}#{key}"))
            ))
        }
        (ChosenBy::Key(_), _) => None,
        (ChosenBy::Id, Some(spec)) => Some(format!(
            "name it with an ALIAS ({})",
            quoted(&format!("NAME,{spec}"))
        )),
        (ChosenBy::Listing, _) => Some(format!(
            "name {} in a SPEC of its own with an ALIAS",
            origin.subject
        )),
        _ => None,
    };
    match (choose, allowing) {
        (Some(choose), true) => format!("{choose}, or {allow}"),
        (Some(choose), false) => choose,
        (None, true) => allow,
        (None, false) => "fetch it with a SPEC that names it".to_owned(),
    }
}

/// A reserved name given by two or more origins: each is an error, naming every origin.
fn conflicts(merged: &Merged) -> Vec<Error> {
    let mut givers: Vec<(&str, Vec<&Origin>)> = Vec::new();
    for replaced in &merged.overrides {
        if reserved(&replaced.name).is_none() {
            continue;
        }
        let index = match givers.iter().position(|(name, _)| *name == replaced.name) {
            Some(index) => index,
            None => {
                givers.push((&replaced.name, Vec::new()));
                givers.len() - 1
            }
        };
        for origin in [&replaced.earlier, &replaced.later] {
            if !givers[index].1.contains(&origin) {
                givers[index].1.push(origin);
            }
        }
    }
    givers
        .into_iter()
        .map(|(name, origins)| {
            let described: Vec<String> = origins
                .iter()
                .map(|origin| match &origin.spec {
                    Some(spec) => format!("{} (SPEC {})", origin.subject, quoted(spec)),
                    None => origin.subject.clone(),
                })
                .collect();
            let entry = reserved(name).expect("kept only reserved names");
            Error::bad_content(
                format!("variable {name}"),
                format!(
                    "given by {}: {} comes from one origin only, never overridden; keep it in \
                     one of them (select the keys you need from the others with #KEY)",
                    described.join(" and by "),
                    reason(entry)
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Layer, merge_layers};

    fn variable(name: &str, chosen_by: ChosenBy) -> EnvVar {
        EnvVar {
            chosen_by,
            ..EnvVar::new(name, "/tmp/evil")
        }
    }

    fn merged(layers: Vec<(&str, Option<&str>, Vec<EnvVar>)>) -> Merged {
        merge_layers(
            layers
                .into_iter()
                .map(|(subject, spec, variables)| Layer {
                    origin: Origin {
                        subject: subject.to_owned(),
                        spec: spec.map(str::to_owned),
                    },
                    variables,
                })
                .collect(),
        )
    }

    fn problems(merged: &Merged, rules: NameRules<'_>) -> String {
        check_names(merged, rules).unwrap_err().to_string()
    }

    #[test]
    fn the_pipelines_own_names_are_never_refused() {
        let merged = merged(vec![
            (
                "secret ci/kubeconfig",
                Some("KUBECONFIG,ci/kubeconfig"),
                vec![variable("KUBECONFIG", ChosenBy::Pipeline)],
            ),
            (
                "secret ci/proxy",
                Some("ci/proxy#HTTPS_PROXY"),
                vec![variable("HTTPS_PROXY", ChosenBy::Pipeline)],
            ),
        ]);
        assert!(check_names(&merged, NameRules::default()).is_ok());
    }

    #[test]
    fn names_the_content_chose_are_refused_with_both_ways_out() {
        let merged = merged(vec![(
            "secret ci/app",
            Some("ci/app"),
            vec![
                variable("PYTHONWARNINGS", ChosenBy::Key("PYTHONWARNINGS".into())),
                variable("TOKEN", ChosenBy::Key("TOKEN".into())),
                variable("MAKEFLAGS", ChosenBy::Key("make.flags".into())),
            ],
        )]);
        let message = problems(&merged, NameRules::default());
        assert!(message.starts_with("2 failures:"), "{message}");
        assert!(
            message.contains(
                r#"variable PYTHONWARNINGS (key "PYTHONWARNINGS" of secret ci/app, SPEC "ci/app"): a reserved name ("#
            ),
            "{message}"
        );
        assert!(
            message.contains(r#"list the key in the SPEC ("ci/app#PYTHONWARNINGS"), or pass --allow-name PYTHONWARNINGS"#),
            "{message}"
        );
        // A nested key cannot be listed: only --allow-name is offered.
        assert!(
            message.contains("not the pipeline: pass --allow-name MAKEFLAGS"),
            "{message}"
        );
        assert!(!message.contains("evil"), "{message}");
        let allowed = ["PYTHONWARNINGS".to_owned(), "MAKEFLAGS".to_owned()];
        let rules = NameRules {
            allowed: &allowed,
            only_listed_keys: false,
        };
        assert!(check_names(&merged, rules).is_ok());
    }

    #[test]
    fn names_derived_from_an_id_are_checked_and_an_alias_chooses_them() {
        let merged = merged(vec![(
            "secret ci/job-token",
            Some("ci/job-token"),
            vec![variable("CI_JOB_TOKEN", ChosenBy::Id)],
        )]);
        let message = problems(&merged, NameRules::default());
        assert!(
            message.contains(
                r#"variable CI_JOB_TOKEN (named after secret ci/job-token, SPEC "ci/job-token")"#
            ),
            "{message}"
        );
        assert!(
            message.contains(
                r#"name it with an ALIAS ("NAME,ci/job-token"), or pass --allow-name CI_JOB_TOKEN"#
            ),
            "{message}"
        );
    }

    #[test]
    fn only_listed_keys_refuses_every_name_the_content_chose() {
        let merged = merged(vec![
            (
                "secret ci/shared",
                Some("ci/shared"),
                vec![variable("DB_HOST", ChosenBy::Key("DB_HOST".into()))],
            ),
            (
                "secret ci/prod/a",
                Some("ci/prod/*"),
                vec![variable("CI_PROD_A", ChosenBy::Listing)],
            ),
            (
                "secret ci/npm",
                Some("ci/npm"),
                vec![
                    variable("CI_NPM", ChosenBy::Id),
                    variable("LISTED", ChosenBy::Pipeline),
                ],
            ),
        ]);
        let rules = NameRules {
            allowed: &[],
            only_listed_keys: true,
        };
        let message = problems(&merged, rules);
        assert!(message.starts_with("2 failures:"), "{message}");
        assert!(
            message.contains(r#"variable DB_HOST (key "DB_HOST" of secret ci/shared, SPEC "ci/shared"): the secret's content chose this name, and --only-listed-keys"#),
            "{message}"
        );
        assert!(
            message.contains(
                r#"variable CI_PROD_A (named after secret ci/prod/a, found by SPEC "ci/prod/*")"#
            ),
            "{message}"
        );
    }

    #[test]
    fn a_reserved_name_from_two_origins_is_refused_even_when_allowed() {
        let merged = merged(vec![
            (
                "secret ci/kubeconfig",
                Some("KUBECONFIG,ci/kubeconfig"),
                vec![variable("KUBECONFIG", ChosenBy::Pipeline)],
            ),
            (
                "secret ci/common",
                Some("ci/common"),
                vec![
                    variable("KUBECONFIG", ChosenBy::Key("KUBECONFIG".into())),
                    variable("TOKEN", ChosenBy::Key("TOKEN".into())),
                ],
            ),
            (
                "secret ci/other",
                Some("ci/other"),
                vec![variable("TOKEN", ChosenBy::Key("TOKEN".into()))],
            ),
        ]);
        let allowed = ["KUBECONFIG".to_owned()];
        let rules = NameRules {
            allowed: &allowed,
            only_listed_keys: false,
        };
        let message = problems(&merged, rules);
        assert_eq!(
            message,
            r#"variable KUBECONFIG: given by secret ci/kubeconfig (SPEC "KUBECONFIG,ci/kubeconfig") and by secret ci/common (SPEC "ci/common"): a reserved name (it names the kubeconfig whose exec: entries kubectl runs) comes from one origin only, never overridden; keep it in one of them (select the keys you need from the others with #KEY)"#
        );
    }

    #[test]
    fn env_file_names_are_checked_and_underscore_is_never_allowed() {
        let merged = merged(vec![(
            "env file vars.env",
            None,
            vec![
                EnvVar::new("LD_PRELOAD", "/tmp/evil.so"),
                EnvVar::new("_", "x"),
            ],
        )]);
        let allowed = ["_".to_owned()];
        let rules = NameRules {
            allowed: &allowed,
            only_listed_keys: true,
        };
        let message = problems(&merged, rules);
        assert!(
            message.contains("variable LD_PRELOAD (from env file vars.env): a reserved name ("),
            "{message}"
        );
        assert!(
            message
                .contains("the env file chose it, not the pipeline: pass --allow-name LD_PRELOAD"),
            "{message}"
        );
        assert!(
            message.contains("variable _ (from env file vars.env): no variable may be named _"),
            "{message}"
        );
    }
}
