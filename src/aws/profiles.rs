//! The profiles of the shared config and credentials files, as the SDK reads them: a profile
//! that is not there is named with those that are (closest first), a `source_profile` chain
//! with a missing link names it, and the role a profile assumes is told.

use std::borrow::Cow;

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;
use aws_types::os_shim_internal::{Env, Fs};

use crate::error::{Error, shown};

/// The profiles of the files, or none when they cannot be read (the SDK then says why).
pub async fn load_profiles(selected: Option<&str>) -> Option<ProfileSet> {
    aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &ProfileFiles::default(),
        selected.map(|name| Cow::Owned(name.to_owned())),
    )
    .await
    .ok()
}

/// The config and credentials files the profiles come from, for messages.
pub(super) fn profile_files() -> (String, String) {
    let file = |variable: &str, default: &str| {
        std::env::var(variable)
            .ok()
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    (
        file("AWS_CONFIG_FILE", "~/.aws/config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
    )
}

fn files() -> String {
    let (config, credentials) = profile_files();
    format!("{config} and {credentials}")
}

/// Every profile's name, the closest to `name` first.
fn closest_first(profiles: &ProfileSet, name: &str) -> Vec<String> {
    let mut names: Vec<&str> = profiles.profiles().collect();
    names.sort_by_key(|candidate| (strsim::levenshtein(name, candidate), *candidate));
    names.into_iter().map(str::to_owned).collect()
}

/// Refuses a profile the user named (`--profile`, `AWS_PROFILE`) that is not in the files,
/// listing those that are; and a `source_profile` chain from it with a missing link.
pub fn check_profile(profiles: &ProfileSet, name: &str, given_by: &str) -> Result<(), Error> {
    if profiles.get_profile(name).is_none() {
        let known = closest_first(profiles, name);
        let listed = if known.is_empty() {
            "they hold no profile".to_owned()
        } else {
            format!("profiles there, closest first: {}", known.join(", "))
        };
        return Err(Error::Usage(format!(
            "profile {} ({given_by}) is not in {}: {listed}",
            shown(name),
            files()
        )));
    }
    let mut chain = vec![name.to_owned()];
    let mut current = name.to_owned();
    while let Some(source) = profiles
        .get_profile(&current)
        .and_then(|profile| profile.get("source_profile"))
    {
        if source == current {
            // A profile may be its own source (its keys, then the role): the SDK reads it so.
            break;
        }
        if chain.iter().any(|seen| seen == source) {
            return Err(Error::Credentials(format!(
                "profile {}: its source_profile chain loops ({} -> {})",
                shown(name),
                chain.join(" -> "),
                shown(source)
            )));
        }
        if profiles.get_profile(source).is_none() {
            return Err(Error::Credentials(format!(
                "profile {}: {} names source_profile {}, which is not in {} (chain {} -> {}); \
                 profiles there, closest first: {}",
                shown(name),
                shown(&current),
                shown(source),
                files(),
                chain.join(" -> "),
                shown(source),
                closest_first(profiles, source).join(", ")
            )));
        }
        chain.push(source.to_owned());
        current = source.to_owned();
    }
    Ok(())
}

/// What a profile does for credentials, for `whoami` and `-v`: the role it assumes (and from
/// which profile or source, and with which session name), if any.
pub fn describe_profile(profiles: &ProfileSet, name: &str) -> Option<String> {
    let profile = profiles.get_profile(name)?;
    let role = profile.get("role_arn")?;
    let from = match (
        profile.get("source_profile"),
        profile.get("credential_source"),
        profile.get("web_identity_token_file"),
    ) {
        (Some(source), _, _) => format!("source profile {}", shown(source)),
        (None, Some(source), _) => format!("credential_source {source}"),
        (None, None, Some(_)) => "its web_identity_token_file".to_owned(),
        (None, None, None) => "nothing (no source_profile or credential_source)".to_owned(),
    };
    let session = profile.get("role_session_name").map_or_else(
        || "assume-role-from-profile-TIMESTAMP, the SDK's".to_owned(),
        |session| format!("{session}, its role_session_name"),
    );
    Some(format!(
        "assumes role {role} with {from}; session name {session}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn profiles(config: &str) -> ProfileSet {
        let fs = Fs::from_slice(&[("config", config), ("credentials", "")]);
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", "config"),
            ("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        ]);
        aws_config::profile::load(&fs, &env, &ProfileFiles::default(), None)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_missing_profile_lists_those_there_closest_first() {
        let set = profiles("[default]\n[profile ci-read-only]\n[profile prod]\n").await;
        let error = check_profile(&set, "ci-readonly", "--profile").unwrap_err();
        assert_eq!(error.exit_code(), crate::error::ExitCode::Usage);
        let message = error.to_string();
        assert!(
            message.contains("profile ci-readonly (--profile) is not in"),
            "{message}"
        );
        assert!(
            message.ends_with("profiles there, closest first: ci-read-only, default, prod"),
            "{message}"
        );
        assert!(check_profile(&set, "prod", "--profile").is_ok());
    }

    #[tokio::test]
    async fn a_broken_source_profile_chain_names_the_missing_link() {
        let set = profiles(
            "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\nsource_profile = base\n\
             [profile base]\nrole_arn = arn:aws:iam::123456789012:role/base\nsource_profile = nope\n",
        )
        .await;
        let message = check_profile(&set, "ci", "--profile")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("profile ci: base names source_profile nope, which is not in"),
            "{message}"
        );
        assert!(message.contains("(chain ci -> base -> nope)"), "{message}");
        assert_eq!(
            describe_profile(&set, "ci").as_deref(),
            Some(
                "assumes role arn:aws:iam::123456789012:role/ci with source profile base; \
                 session name assume-role-from-profile-TIMESTAMP, the SDK's"
            )
        );
    }
}
