//! Names a secret never sets unless the user allows each one (`--allow-name NAME`): variables
//! that decide which programs run and how, or that a CI system sets for itself. A secret's
//! content is written by whoever may call PutSecretValue; through these names it would take
//! over the job.

use crate::error::Error;
#[cfg(test)]
use crate::model::EnvVar;
use crate::model::Merged;

/// Why a group of names is reserved, and which names (`*` ends a prefix).
struct ReservedGroup {
    reason: &'static str,
    names: &'static [&'static str],
}

const GROUPS: &[ReservedGroup] = &[
    ReservedGroup {
        reason: "it decides which program a command name runs",
        names: &["PATH", "CDPATH"],
    },
    ReservedGroup {
        reason: "the dynamic linker loads code named by it into every program",
        names: &["LD_*", "DYLD_*"],
    },
    ReservedGroup {
        reason: "shells read it to run code or to change how they parse",
        names: &[
            "BASH_ENV",
            "ENV",
            "IFS",
            "PS4",
            "PROMPT_COMMAND",
            "SHELLOPTS",
            "BASHOPTS",
            "GLOBIGNORE",
            "ZDOTDIR",
            "HOME",
            "SHELL",
        ],
    },
    ReservedGroup {
        reason: "language runtimes read it to load code at start",
        names: &[
            "NODE_OPTIONS",
            "NODE_PATH",
            "PYTHONPATH",
            "PYTHONSTARTUP",
            "PYTHONHOME",
            "PYTHONINSPECT",
            "PERL5OPT",
            "PERL5LIB",
            "PERLLIB",
            "PERL5DB",
            "RUBYOPT",
            "RUBYLIB",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS",
        ],
    },
    ReservedGroup {
        reason: "git runs the program it names, or reads configuration from it",
        names: &[
            "GIT_SSH_COMMAND",
            "GIT_SSH",
            "GIT_ASKPASS",
            "GIT_EXEC_PATH",
            "GIT_PROXY_COMMAND",
            "GIT_EXTERNAL_DIFF",
            "GIT_PAGER",
            "GIT_EDITOR",
            "GIT_SEQUENCE_EDITOR",
            "GIT_TEMPLATE_DIR",
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_CONFIG",
            "GIT_CONFIG_*",
        ],
    },
    ReservedGroup {
        reason: "GitHub Actions sets it for the job and its later steps",
        names: &["GITHUB_*", "RUNNER_*", "ACTIONS_*"],
    },
    ReservedGroup {
        reason: "GitLab CI sets it for the job, or its runner reads it as a setting",
        names: &[
            "CI",
            "GITLAB_*",
            "FF_*",
            "CHAT_CHANNEL",
            "CHAT_INPUT",
            "CHAT_USER_ID",
            "KUBECONFIG",
            "TRIGGER_PAYLOAD",
        ],
    },
    ReservedGroup {
        reason: "GitLab CI predefines it for every job",
        names: GITLAB_PREDEFINED,
    },
];

/// GitLab's documented predefined variables that start with `CI_` (predefined_variables.md:
/// the main table, merge request and external pull request pipelines, and those the runner
/// sets). Only these: a secret `ci/npm` still gives `CI_NPM`.
const GITLAB_PREDEFINED: &[&str] = &[
    "CI_API_V4_URL",
    "CI_API_GRAPHQL_URL",
    "CI_BUILD_NETWORK_NAME",
    "CI_BUILDS_DIR",
    "CI_COMMIT_AUTHOR",
    "CI_COMMIT_BEFORE_SHA",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_DESCRIPTION",
    "CI_COMMIT_MESSAGE",
    "CI_COMMIT_MESSAGE_IS_TRUNCATED",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_REF_PROTECTED",
    "CI_COMMIT_REF_SLUG",
    "CI_COMMIT_SHA",
    "CI_COMMIT_SHORT_SHA",
    "CI_COMMIT_TAG",
    "CI_COMMIT_TAG_MESSAGE",
    "CI_COMMIT_TIMESTAMP",
    "CI_COMMIT_TITLE",
    "CI_COMMIT_USER_LOGIN",
    "CI_CONCURRENT_ID",
    "CI_CONCURRENT_PROJECT_ID",
    "CI_CONFIG_PATH",
    "CI_CONFIG_REF_URI",
    "CI_DEBUG_TRACE",
    "CI_DEBUG_SERVICES",
    "CI_DEFAULT_BRANCH",
    "CI_DEFAULT_BRANCH_SLUG",
    "CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX",
    "CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX",
    "CI_DEPENDENCY_PROXY_PASSWORD",
    "CI_DEPENDENCY_PROXY_SERVER",
    "CI_DEPENDENCY_PROXY_USER",
    "CI_DEPLOY_FREEZE",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "CI_DISPOSABLE_ENVIRONMENT",
    "CI_ENVIRONMENT_ID",
    "CI_ENVIRONMENT_NAME",
    "CI_ENVIRONMENT_SLUG",
    "CI_ENVIRONMENT_URL",
    "CI_ENVIRONMENT_ACTION",
    "CI_ENVIRONMENT_TIER",
    "CI_GITLAB_FIPS_MODE",
    "CI_HAS_OPEN_REQUIREMENTS",
    "CI_JOB_GROUP_NAME",
    "CI_JOB_ID",
    "CI_JOB_IMAGE",
    "CI_JOB_MANUAL",
    "CI_JOB_NAME",
    "CI_JOB_NAME_SLUG",
    "CI_JOB_SERVICES",
    "CI_JOB_STAGE",
    "CI_JOB_STATUS",
    "CI_JOB_TIMEOUT",
    "CI_JOB_TOKEN",
    "CI_JOB_URL",
    "CI_JOB_STARTED_AT",
    "CI_JOB_STARTED_AT_SLUG",
    "CI_KUBERNETES_ACTIVE",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
    "CI_OPEN_MERGE_REQUESTS",
    "CI_PAGES_DOMAIN",
    "CI_PAGES_HOSTNAME",
    "CI_PAGES_URL",
    "CI_PIPELINE_ID",
    "CI_PIPELINE_IID",
    "CI_PIPELINE_SOURCE",
    "CI_PIPELINE_TRIGGERED",
    "CI_PIPELINE_URL",
    "CI_PIPELINE_CREATED_AT",
    "CI_PIPELINE_NAME",
    "CI_PIPELINE_SCHEDULE_DESCRIPTION",
    "CI_PROJECT_DIR",
    "CI_PROJECT_ID",
    "CI_PROJECT_NAME",
    "CI_PROJECT_NAMESPACE",
    "CI_PROJECT_NAMESPACE_ID",
    "CI_PROJECT_NAMESPACE_SLUG",
    "CI_PROJECT_PATH_SLUG",
    "CI_PROJECT_PATH",
    "CI_PROJECT_REPOSITORY_LANGUAGES",
    "CI_PROJECT_ROOT_NAMESPACE",
    "CI_PROJECT_ROOT_NAMESPACE_SLUG",
    "CI_PROJECT_TITLE",
    "CI_PROJECT_DESCRIPTION",
    "CI_PROJECT_TOPICS",
    "CI_PROJECT_URL",
    "CI_PROJECT_VISIBILITY",
    "CI_PROJECT_CLASSIFICATION_LABEL",
    "CI_REGISTRY",
    "CI_REGISTRY_IMAGE",
    "CI_REGISTRY_PASSWORD",
    "CI_REGISTRY_USER",
    "CI_RELEASE_DESCRIPTION",
    "CI_REPOSITORY_URL",
    "CI_RUNNER_DESCRIPTION",
    "CI_RUNNER_EXECUTABLE_ARCH",
    "CI_RUNNER_ID",
    "CI_RUNNER_REVISION",
    "CI_RUNNER_SHORT_TOKEN",
    "CI_RUNNER_TAGS",
    "CI_RUNNER_VERSION",
    "CI_SERVER_FQDN",
    "CI_SERVER_HOST",
    "CI_SERVER_NAME",
    "CI_SERVER_PORT",
    "CI_SERVER_PROTOCOL",
    "CI_SERVER_SHELL_SSH_HOST",
    "CI_SERVER_SHELL_SSH_PORT",
    "CI_SERVER_REVISION",
    "CI_SERVER_TLS_CA_FILE",
    "CI_SERVER_TLS_CERT_FILE",
    "CI_SERVER_TLS_KEY_FILE",
    "CI_SERVER_URL",
    "CI_SERVER_VERSION_MAJOR",
    "CI_SERVER_VERSION_MINOR",
    "CI_SERVER_VERSION_PATCH",
    "CI_SERVER_VERSION",
    "CI_SERVER",
    "CI_SHARED_ENVIRONMENT",
    "CI_TEMPLATE_REGISTRY_HOST",
    "CI_TRIGGER_SHORT_TOKEN",
    "CI_UPSTREAM_JOB_ID",
    "CI_UPSTREAM_PIPELINE_ID",
    "CI_UPSTREAM_PROJECT_ID",
    "CI_MERGE_REQUEST_APPROVED",
    "CI_MERGE_REQUEST_ASSIGNEES",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    "CI_MERGE_REQUEST_DIFF_ID",
    "CI_MERGE_REQUEST_EVENT_TYPE",
    "CI_MERGE_REQUEST_DESCRIPTION",
    "CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED",
    "CI_MERGE_REQUEST_ID",
    "CI_MERGE_REQUEST_IID",
    "CI_MERGE_REQUEST_LABELS",
    "CI_MERGE_REQUEST_MILESTONE",
    "CI_MERGE_REQUEST_PROJECT_ID",
    "CI_MERGE_REQUEST_PROJECT_PATH",
    "CI_MERGE_REQUEST_PROJECT_URL",
    "CI_MERGE_REQUEST_REF_PATH",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_PROTECTED",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_ID",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_PATH",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_URL",
    "CI_MERGE_REQUEST_SQUASH_ON_MERGE",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED",
    "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
    "CI_MERGE_REQUEST_TITLE",
    "CI_MERGE_REQUEST_DRAFT",
    "CI_EXTERNAL_PULL_REQUEST_IID",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_REPOSITORY",
    "CI_EXTERNAL_PULL_REQUEST_TARGET_REPOSITORY",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_SHA",
    "CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME",
    "CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_SHA",
];

/// The one name no variable may have, even when allowed: bash, zsh and mksh overwrite `_`
/// with the last command's argument, so what `set -a; . FILE` loads is lost.
pub const UNUSABLE_NAME: &str = "_";

/// Why `name` is reserved, or `None` when a secret may set it.
pub fn reserved_reason(name: &str) -> Option<&'static str> {
    GROUPS
        .iter()
        .find(|group| group.names.iter().any(|pattern| matches(pattern, name)))
        .map(|group| group.reason)
}

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// Refuses every final variable name that is reserved and not allowed (all at once, exit 7),
/// naming the variable, where it came from, why, and the option that allows it.
pub fn check_reserved(merged: &Merged, allowed: &[String]) -> Result<(), Error> {
    let mut errors = Vec::new();
    for (variable, origin) in merged.variables.iter().zip(&merged.origins) {
        let name = variable.name.as_str();
        let subject = format!("variable {name} (from {origin})");
        if name == UNUSABLE_NAME {
            errors.push(Error::bad_content(
                subject,
                "no variable may be named _: bash, zsh and mksh overwrite it with the last \
                 command's argument; rename it with an ALIAS or --prefix",
            ));
        } else if let Some(reason) = reserved_reason(name)
            && !allowed.iter().any(|allowed| allowed == name)
        {
            errors.push(Error::bad_content(
                subject,
                format!(
                    "a reserved name ({reason}); pass --allow-name {name} to let a secret set it"
                ),
            ));
        }
    }
    Error::from_many(errors).map_or(Ok(()), Err)
}

/// Every reserved name or prefix with its reason, for `--help` and the README.
pub fn reserved_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    GROUPS
        .iter()
        .flat_map(|group| group.names.iter().map(move |name| (*name, group.reason)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_that_take_over_a_job_are_reserved() {
        for name in [
            "PATH",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "DYLD_INSERT_LIBRARIES",
            "BASH_ENV",
            "ENV",
            "IFS",
            "PS4",
            "SHELLOPTS",
            "BASHOPTS",
            "CDPATH",
            "GLOBIGNORE",
            "HOME",
            "SHELL",
            "NODE_OPTIONS",
            "PYTHONPATH",
            "PYTHONSTARTUP",
            "PYTHONHOME",
            "PERL5OPT",
            "PERL5LIB",
            "RUBYOPT",
            "RUBYLIB",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "GIT_SSH_COMMAND",
            "GIT_CONFIG_COUNT",
            "GIT_CONFIG_KEY_0",
            "GITHUB_TOKEN",
            "GITHUB_ENV",
            "RUNNER_TEMP",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "GITLAB_USER_LOGIN",
            "CI",
            "CI_JOB_TOKEN",
            "CI_SERVER_URL",
            "CI_REGISTRY_PASSWORD",
            "CI_MERGE_REQUEST_IID",
        ] {
            assert!(reserved_reason(name).is_some(), "{name} is not reserved");
        }
    }

    #[test]
    fn ordinary_secrets_stay_allowed() {
        for name in [
            "CI_NPM",
            "CI_DEPLOY_KEY",
            "NPM_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "DB_PASSWORD",
            "GIT_TOKEN",
            "PATH_TO_KEY",
            "HOMEPAGE",
            "CIRCLE",
            "_X",
        ] {
            assert_eq!(reserved_reason(name), None, "{name} is reserved");
        }
    }

    #[test]
    fn every_name_has_a_reason_and_no_name_is_listed_twice() {
        let names: Vec<&str> = reserved_names().map(|(name, _)| name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a name is listed twice");
        assert!(reserved_names().all(|(_, reason)| !reason.is_empty()));
    }

    #[test]
    fn checks_name_the_variable_its_origin_and_the_way_out() {
        let merged = Merged {
            variables: vec![
                EnvVar::new("PATH", "/tmp/evil"),
                EnvVar::new("TOKEN", "x"),
                EnvVar::new("LD_PRELOAD", "/tmp/evil.so"),
            ],
            origins: vec![
                "secret ci/app".into(),
                "secret ci/app".into(),
                "env file e".into(),
            ],
        };
        let error = check_reserved(&merged, &[]).unwrap_err();
        let message = error.to_string();
        assert_eq!(error.exit_code(), crate::error::ExitCode::BadContent);
        assert!(message.starts_with("2 failures:"), "{message}");
        assert!(
            message.contains("variable PATH (from secret ci/app): a reserved name (it decides which program a command name runs); pass --allow-name PATH"),
            "{message}"
        );
        assert!(
            message.contains("variable LD_PRELOAD (from env file e)"),
            "{message}"
        );
        assert!(!message.contains("evil"), "{message}");
        let allowed = ["PATH".to_owned(), "LD_PRELOAD".to_owned()];
        assert!(check_reserved(&merged, &allowed).is_ok());
    }

    #[test]
    fn underscore_is_refused_even_when_allowed() {
        let merged = Merged {
            variables: vec![EnvVar::new("_", "x")],
            origins: vec!["secret app".into()],
        };
        let message = check_reserved(&merged, &["_".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("variable _ (from secret app)"),
            "{message}"
        );
        assert!(message.contains("overwrite"), "{message}");
    }
}
