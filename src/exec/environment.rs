//! The command's environment: the inherited one (or a minimal part of it), then the variables.

use std::ffi::{OsStr, OsString};

use crate::model::EnvVar;

/// What `--pristine` keeps of the inherited environment.
pub const PRISTINE_VARIABLES: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TERM", "TMPDIR", "SHELL", "TZ",
];

/// The child's environment: the inherited one (or only [`PRISTINE_VARIABLES`] of it), then
/// `variables`. Overriding an inherited variable pushes a warning naming it.
pub fn child_environment(
    inherited: impl IntoIterator<Item = (OsString, OsString)>,
    pristine: bool,
    variables: &[EnvVar],
    warnings: &mut Vec<String>,
) -> Vec<(OsString, OsString)> {
    let mut environment: Vec<(OsString, OsString)> = inherited
        .into_iter()
        .filter(|(name, _)| {
            !pristine
                || PRISTINE_VARIABLES
                    .iter()
                    .any(|kept| name == OsStr::new(kept))
        })
        .collect();
    for variable in variables {
        let value = OsString::from(variable.value.expose());
        match environment
            .iter_mut()
            .find(|(name, _)| name == OsStr::new(&variable.name))
        {
            Some((_, inherited_value)) => {
                warnings.push(format!(
                    "variable {} overrides the inherited one",
                    variable.name
                ));
                *inherited_value = value;
            }
            None => environment.push((OsString::from(&variable.name), value)),
        }
    }
    environment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(n, v)| (OsString::from(n), OsString::from(v)))
            .collect()
    }

    #[test]
    fn later_wins_and_overriding_an_inherited_variable_warns() {
        let mut warnings = Vec::new();
        let environment = child_environment(
            os(&[("PATH", "/bin"), ("TOKEN", "old"), ("KEEP", "k")]),
            false,
            &[EnvVar::new("TOKEN", "new"), EnvVar::new("EXTRA", "e")],
            &mut warnings,
        );
        assert_eq!(
            environment,
            os(&[
                ("PATH", "/bin"),
                ("TOKEN", "new"),
                ("KEEP", "k"),
                ("EXTRA", "e")
            ])
        );
        assert_eq!(warnings, vec!["variable TOKEN overrides the inherited one"]);
    }

    #[test]
    fn pristine_keeps_only_the_allow_list() {
        let environment = child_environment(
            os(&[
                ("PATH", "/bin"),
                ("HOME", "/h"),
                ("AWS_SECRET_ACCESS_KEY", "x"),
                ("CI", "true"),
            ]),
            true,
            &[EnvVar::new("A", "1")],
            &mut Vec::new(),
        );
        assert_eq!(
            environment,
            os(&[("PATH", "/bin"), ("HOME", "/h"), ("A", "1")])
        );
    }
}
