//! What any source is: a SPEC syntax of its own, values it fetches, and what it needs to be
//! allowed to. Nothing here is about AWS: an AWS service is a source with more
//! ([`super::aws_service::AwsService`]), and a local file or another vault fits as it is.

use std::future::Future;

use crate::aws::Session;
use crate::error::Error;
use crate::model::Entry;
use crate::naming::Shape;

use super::policy::{Scope, Statement};

/// A store of values that SPECs can name.
pub trait Source {
    /// What a SPEC selects in this source (a secret id, a prefix, a parameter, a path).
    type Target: Clone + std::fmt::Debug + PartialEq + Eq;

    /// What its SPECs start with (`ssm:`); the one source whose marker is empty takes every
    /// SPEC no other source's marker starts.
    const MARKER: &'static str;

    /// Parses the selector part of a SPEC (after the marker).
    fn parse(selector: &str) -> Result<Self::Target, String>;

    /// Refuses an `ALIAS,` or `#KEYS` that `target` cannot take.
    fn check_shape(target: &Self::Target, shape: &Shape) -> Result<(), String>;

    /// What `target` is, for messages: `secret ci/npm`, `parameter /ci/npm/token`.
    fn subject(target: &Self::Target) -> String;

    /// Fetches every target in as few round trips as the store allows; one result per target,
    /// in order (a target of many values gives many entries).
    fn fetch(
        reach: &Reach<'_>,
        targets: Vec<Self::Target>,
    ) -> impl Future<Output = Vec<Result<Vec<Entry>, Error>>>;

    /// What fetching every target needs to be allowed, and nothing more (nothing, for a
    /// source no IAM policy governs).
    fn needs(_targets: &[Self::Target], _grant: &Grant<'_>) -> Result<Needs, Error> {
        Ok(Needs::default())
    }

    /// The customer managed KMS keys the targets' values are encrypted with, as far as the
    /// caller may look them up (none, for a source without KMS).
    fn encryption_keys(
        _reach: &Reach<'_>,
        _targets: Vec<Self::Target>,
    ) -> impl Future<Output = Keys> {
        async { Keys::default() }
    }
}

/// Customer managed KMS keys found for a policy, and what could not be looked up.
#[derive(Debug, Default)]
pub struct Keys {
    /// Key ARNs (`arn:aws:kms:eu-west-1:123456789012:key/ID`).
    pub arns: Vec<String>,
    /// What could not be looked up, or not turned into a key ARN, for stderr.
    pub unknown: Vec<String>,
}

impl Keys {
    /// These keys and `other`'s.
    pub fn and(mut self, other: Keys) -> Keys {
        self.arns.extend(other.arns);
        self.unknown.extend(other.unknown);
        self
    }
}

/// What a run can reach while fetching: the AWS session (configured and with credentials).
pub struct Reach<'a> {
    pub session: &'a Session,
}

/// For whom and where a policy is written: the account and options of the policy, and the
/// region of a target that names none.
pub struct Grant<'a> {
    pub scope: &'a Scope,
    /// The region of a target whose ARN names none.
    pub region_for: &'a dyn Fn(Option<&str>) -> Result<String, Error>,
}

/// What a source needs to be allowed: IAM statements, and the services through which
/// customer managed KMS keys decrypt its values (`ssm.eu-west-1.amazonaws.com`).
#[derive(Debug, Default)]
pub struct Needs {
    pub statements: Vec<Statement>,
    pub decrypts_via: Vec<String>,
}

impl Needs {
    /// These needs and `other`'s.
    pub fn and(mut self, other: Needs) -> Needs {
        self.statements.extend(other.statements);
        self.decrypts_via.extend(other.decrypts_via);
        self
    }
}
