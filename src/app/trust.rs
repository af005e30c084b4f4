//! The trust policy of a CI role: which CI's OIDC tokens may assume it, for which project
//! and branch.

use serde_json::{Value, json};

/// Which CI's OIDC tokens a role trusts, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// `gitlab:GROUP/PROJECT[:REF]` on `host` (gitlab.com, or a self-managed instance).
    Gitlab {
        host: String,
        project: String,
        reference: Option<String>,
    },
    /// `github:OWNER/REPO[:REF]`.
    Github {
        repository: String,
        reference: Option<String>,
    },
}

impl Trust {
    /// Parses `gitlab:GROUP/PROJECT[:REF]` or `github:OWNER/REPO[:REF]`.
    pub fn parse(text: &str, gitlab_host: &str) -> Result<Trust, String> {
        let (ci, rest) = text
            .split_once(':')
            .ok_or("--trust takes gitlab:GROUP/PROJECT[:REF] or github:OWNER/REPO[:REF]")?;
        // Project paths hold no ':': one starts the branch.
        let (path, reference) = match rest.split_once(':') {
            Some((path, reference)) if !reference.is_empty() => (path, Some(reference.to_owned())),
            Some((path, _)) => (path, None),
            None => (rest, None),
        };
        let valid_path = path.contains('/')
            && !path.starts_with('/')
            && !path.ends_with('/')
            && path
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-/".contains(&b));
        if !valid_path {
            return Err(format!(
                "--trust {text:?}: {path:?} is not a project path (GROUP/PROJECT or OWNER/REPO)"
            ));
        }
        match ci {
            "gitlab" => Ok(Trust::Gitlab {
                host: gitlab_host.to_owned(),
                project: path.to_owned(),
                reference,
            }),
            "github" => {
                if path.matches('/').count() != 1 {
                    return Err(format!(
                        "--trust {text:?}: a GitHub repository is OWNER/REPO"
                    ));
                }
                Ok(Trust::Github {
                    repository: path.to_owned(),
                    reference,
                })
            }
            other => Err(format!(
                "--trust {text:?}: {other:?} is neither gitlab nor github"
            )),
        }
    }

    /// The trust policy of a role the CI's OIDC token may assume, in `account`.
    pub fn policy(&self, partition: &str, account: &str) -> Value {
        let (issuer, subject) = match self {
            Trust::Gitlab {
                host,
                project,
                reference,
            } => (
                host.clone(),
                match reference {
                    Some(branch) => format!("project_path:{project}:ref_type:branch:ref:{branch}"),
                    None => format!("project_path:{project}:*"),
                },
            ),
            Trust::Github {
                repository,
                reference,
            } => (
                "token.actions.githubusercontent.com".to_owned(),
                match reference {
                    Some(branch) => format!("repo:{repository}:ref:refs/heads/{branch}"),
                    None => format!("repo:{repository}:*"),
                },
            ),
        };
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AssumeWithCiOidcToken",
                "Effect": "Allow",
                "Principal": {"Federated": format!("arn:{partition}:iam::{account}:oidc-provider/{issuer}")},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {format!("{issuer}:aud"): "sts.amazonaws.com"},
                    "StringLike": {format!("{issuer}:sub"): subject},
                },
            }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policies_pin_the_project_and_branch() {
        let gitlab = Trust::parse("gitlab:group/sub/app:main", "gitlab.com").unwrap();
        let document = gitlab.policy("aws", "123456789012");
        let statement = &document["Statement"][0];
        assert_eq!(
            statement["Principal"]["Federated"],
            "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
        );
        assert_eq!(
            statement["Condition"]["StringEquals"]["gitlab.com:aud"],
            "sts.amazonaws.com"
        );
        assert_eq!(
            statement["Condition"]["StringLike"]["gitlab.com:sub"],
            "project_path:group/sub/app:ref_type:branch:ref:main"
        );
        let github = Trust::parse("github:octo/app", "gitlab.com").unwrap();
        let document = github.policy("aws", "123456789012");
        assert_eq!(
            document["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
            "repo:octo/app:*"
        );
        let own = Trust::parse("gitlab:team/app", "gitlab.example.com").unwrap();
        assert!(
            own.policy("aws", "1")
                .to_string()
                .contains("oidc-provider/gitlab.example.com")
        );
    }

    #[test]
    fn bad_trust_targets_are_refused() {
        assert!(
            Trust::parse("bitbucket:a/b", "gitlab.com")
                .unwrap_err()
                .contains("neither")
        );
        assert!(
            Trust::parse("github:a/b/c", "gitlab.com")
                .unwrap_err()
                .contains("OWNER/REPO")
        );
        assert!(
            Trust::parse("gitlab:app", "gitlab.com")
                .unwrap_err()
                .contains("not a project path")
        );
        assert!(Trust::parse("gitlab", "gitlab.com").is_err());
    }
}
