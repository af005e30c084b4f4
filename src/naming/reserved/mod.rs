//! Names only the pipeline may set: the variables that change which program runs, what it
//! loads, where it fetches from, what it trusts, or how CI runs the job. Grouped by family, each
//! group with why and the documentation that says so; a whole prefix where the namespace is
//! all settings, otherwise the tool's documented variables, so that the credential names
//! scripts use (`GIT_TOKEN`, `SSH_PRIVATE_KEY`, `DOCKER_PASSWORD`, `NPM_TOKEN`) stay free.

mod gitlab;
mod kinds;
mod table;

pub use kinds::{Family, Reserved};
pub use table::RESERVED;

/// Credential-only names inside reserved namespaces: they carry a secret, not a destination,
/// whose destination the reserved settings still fix.
pub const CREDENTIALS: &[&str] = &[
    "CARGO_REGISTRY_TOKEN",
    "CARGO_REGISTRIES_*_TOKEN",
    "GEM_HOST_API_KEY",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "POETRY_PYPI_TOKEN_*",
    "POETRY_HTTP_BASIC_*_USERNAME",
    "POETRY_HTTP_BASIC_*_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "UV_INDEX_*_USERNAME",
    "UV_INDEX_*_PASSWORD",
    "YARN_NPM_AUTH_TOKEN",
    "YARN_NPM_AUTH_IDENT",
];

/// The group that reserves `name`, if any.
pub fn reserved(name: &str) -> Option<&'static Reserved> {
    if CREDENTIALS.iter().any(|pattern| matches(pattern, name)) {
        return None;
    }
    RESERVED.iter().find(|group| {
        group.patterns.iter().any(|pattern| {
            if group.any_case {
                matches(pattern, &name.to_ascii_uppercase())
            } else {
                matches(pattern, name)
            }
        })
    })
}

/// Whether `name` matches `pattern`, where each `*` stands for any run of characters.
fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(index) => rest = &rest[index + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::Family::*;
    use super::*;

    /// A name `pattern` covers: each `*` filled in.
    fn example(pattern: &str) -> String {
        pattern.replace('*', "X")
    }

    #[test]
    fn every_pattern_of_the_table_reserves_what_it_says() {
        for group in RESERVED {
            assert!(!group.why.is_empty() && !group.source.is_empty());
            for pattern in group.patterns {
                let name = example(pattern);
                let found = reserved(&name).unwrap_or_else(|| panic!("{name} is not reserved"));
                assert!(
                    std::ptr::eq(found, group) || found.patterns.iter().any(|p| matches(p, &name)),
                    "{name} is reserved by another group"
                );
                if group.any_case {
                    assert!(
                        reserved(&name.to_ascii_lowercase()).is_some(),
                        "{name} in lower case"
                    );
                }
            }
        }
    }

    #[test]
    fn the_variables_hostile_secrets_use_are_reserved_by_their_family() {
        for (name, family) in [
            ("PYTHONWARNINGS", CodeAndHooks),
            ("BROWSER", ProgramPickers),
            ("MAKEFLAGS", CodeAndHooks),
            ("AWS_ENDPOINT_URL_STS", Aws),
            ("AWS_ENDPOINT_URL", Aws),
            ("HTTPS_PROXY", TrustAndRouting),
            ("https_proxy", TrustAndRouting),
            ("no_proxy", TrustAndRouting),
            ("npm_config_registry", TrustAndRouting),
            ("AWS_CA_BUNDLE", Aws),
            ("SSL_CERT_FILE", TrustAndRouting),
            ("NODE_EXTRA_CA_CERTS", TrustAndRouting),
            ("GIT_SSL_NO_VERIFY", TrustAndRouting),
            ("NODE_TLS_REJECT_UNAUTHORIZED", TrustAndRouting),
            ("GIT_SSH_COMMAND", CodeAndHooks),
            ("KUBECONFIG", CodeAndHooks),
            ("LD_PRELOAD", CodeAndHooks),
            ("RUSTC_WRAPPER", CodeAndHooks),
            ("TF_CLI_ARGS_plan", CodeAndHooks),
            ("LESSOPEN", ProgramPickers),
            ("PATH", Shells),
            ("path", Shells),
            ("BASH_ENV", Shells),
            ("GITHUB_TOKEN", Ci),
            ("GIT_STRATEGY", Ci),
            ("GET_SOURCES_ATTEMPTS", Ci),
            ("CI_JOB_TOKEN", Ci),
            ("AWSSECRETS_FORMAT", Aws),
        ] {
            let group = reserved(name).unwrap_or_else(|| panic!("{name} is not reserved"));
            assert_eq!(group.family, family, "{name}");
        }
    }

    #[test]
    fn the_credential_names_scripts_use_stay_allowed() {
        for name in [
            "GIT_TOKEN",
            "SSH_PRIVATE_KEY",
            "DOCKER_PASSWORD",
            "DOCKER_USERNAME",
            "GOOGLE_API_KEY",
            "NODE_ENV",
            "NODE_AUTH_TOKEN",
            "NPM_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ACCOUNT_ID",
            "DB_PASSWORD",
            "API_KEY",
            "SENTRY_DSN",
            "SLACK_WEBHOOK_URL",
            "GH_TOKEN",
            "GITLAB_TOKEN",
            "CARGO_REGISTRY_TOKEN",
            "CARGO_REGISTRIES_MY_REGISTRY_TOKEN",
            "TF_VAR_region",
            "TF_TOKEN_app_terraform_io",
            "CI_NPM",
            "CI_DEPLOY_KEY",
            "HOMEPAGE",
            "PATH_TO_KEY",
            "CIRCLE",
            "env",
            "home",
            "shell",
            "_X",
        ] {
            assert_eq!(reserved(name).map(|group| group.why), None, "{name}");
        }
    }

    #[test]
    fn no_pattern_is_listed_twice() {
        let mut patterns: Vec<&str> = RESERVED
            .iter()
            .flat_map(|group| group.patterns.iter().copied())
            .collect();
        let count = patterns.len();
        patterns.sort_unstable();
        patterns.dedup();
        assert_eq!(patterns.len(), count, "a pattern is listed twice");
        assert!(
            Family::ALL
                .iter()
                .all(|family| RESERVED.iter().any(|group| group.family == *family))
        );
    }

    #[test]
    fn patterns_match_as_globs() {
        assert!(matches("LD_*", "LD_PRELOAD"));
        assert!(!matches("LD_*", "OLD_X"));
        assert!(matches("*_OPTIONS", "NODE_OPTIONS"));
        assert!(!matches("*_OPTIONS", "OPTIONS"));
        assert!(matches("*CA_BUNDLE*", "AWS_CA_BUNDLE"));
        assert!(matches("*CA_BUNDLE*", "CA_BUNDLE"));
        assert!(matches(
            "CARGO_REGISTRIES_*_TOKEN",
            "CARGO_REGISTRIES_X_TOKEN"
        ));
        assert!(!matches(
            "CARGO_REGISTRIES_*_TOKEN",
            "CARGO_REGISTRIES_TOKEN"
        ));
        assert!(matches("PATH", "PATH"));
        assert!(!matches("PATH", "PATHX"));
    }
}
