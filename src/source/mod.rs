//! Where values come from: one folder per AWS source behind [`Source`], each owning its SPEC
//! syntax, API calls, paging and error codes; the SPEC grammar they share; and env files.
//!
//! [`Target`] is the one list of sources: a new source is a folder, a variant and its match arms.

pub mod env_file;
pub mod policy;
pub mod secretsmanager;
mod spec;
pub mod ssm;

use std::future::Future;

pub use spec::{Spec, SpecError, is_account_id, split_spec_list};

use crate::aws::Session;
use crate::error::Error;
use crate::model::Entry;
use crate::naming::Shape;

use policy::{Scope, Statement};

use secretsmanager::SecretsManager;
use ssm::ParameterStore;

/// A store of values that SPECs can name.
pub trait Source {
    /// What a SPEC selects in this source (a secret id, a prefix, a parameter, a path).
    type Target: Clone + std::fmt::Debug + PartialEq + Eq;

    /// Parses the selector part of a SPEC (after this source's `ssm:`-like marker, if any).
    fn parse(selector: &str) -> Result<Self::Target, String>;

    /// Refuses an `ALIAS,` or `#KEYS` that `target` cannot take.
    fn check_shape(target: &Self::Target, shape: &Shape) -> Result<(), String>;

    /// What `target` is, for messages: `secret ci/npm`, `parameter /ci/npm/token`.
    fn subject(target: &Self::Target) -> String;

    /// The region `target`'s ARN names, which wins over the default region.
    fn arn_region(target: &Self::Target) -> Option<&str>;

    /// Fetches every request in as few round trips as the API allows; one result per request,
    /// in request order (a selector of many values gives many entries).
    fn fetch(
        session: &Session,
        requests: Vec<Request<Self::Target>>,
    ) -> impl Future<Output = Vec<Result<Vec<Entry>, Error>>>;

    /// The IAM statements fetching every request needs, and nothing more.
    fn permissions(requests: &[Request<Self::Target>], scope: &Scope) -> Vec<Statement>;
}

/// One SPEC's target for a source, with the region it is fetched from.
#[derive(Debug, Clone)]
pub struct Request<T> {
    pub target: T,
    pub region: String,
}

/// The sources, for what is said of each (help, tests, policies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SecretsManager,
    ParameterStore,
}

impl Kind {
    /// Every source.
    pub const ALL: [Kind; 2] = [Kind::SecretsManager, Kind::ParameterStore];

    /// Its service name in endpoints and ARNs (`ssm`).
    pub fn service(self) -> &'static str {
        match self {
            Kind::SecretsManager => "secretsmanager",
            Kind::ParameterStore => "ssm",
        }
    }

    /// What its SPECs start with (`ssm:`); Secrets Manager's start with nothing.
    pub fn marker(self) -> &'static str {
        match self {
            Kind::SecretsManager => "",
            Kind::ParameterStore => "ssm:",
        }
    }
}

/// Which source a SPEC names, and what it selects there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    SecretsManager(<SecretsManager as Source>::Target),
    ParameterStore(<ParameterStore as Source>::Target),
}

impl Target {
    /// `ssm:...` is Parameter Store; everything else is a Secrets Manager id.
    fn parse(selector: &str) -> Result<Target, String> {
        match selector.strip_prefix(Kind::ParameterStore.marker()) {
            Some(rest) => ParameterStore::parse(rest).map(Target::ParameterStore),
            None => SecretsManager::parse(selector).map(Target::SecretsManager),
        }
    }

    fn check_shape(&self, shape: &Shape) -> Result<(), String> {
        match self {
            Target::SecretsManager(target) => SecretsManager::check_shape(target, shape),
            Target::ParameterStore(target) => ParameterStore::check_shape(target, shape),
        }
    }

    /// What the target is, for messages.
    pub fn subject(&self) -> String {
        match self {
            Target::SecretsManager(target) => SecretsManager::subject(target),
            Target::ParameterStore(target) => ParameterStore::subject(target),
        }
    }

    /// The region its ARN names, if it was given as one.
    pub fn arn_region(&self) -> Option<&str> {
        match self {
            Target::SecretsManager(target) => SecretsManager::arn_region(target),
            Target::ParameterStore(target) => ParameterStore::arn_region(target),
        }
    }

    /// Which source it belongs to.
    pub fn kind(&self) -> Kind {
        match self {
            Target::SecretsManager(_) => Kind::SecretsManager,
            Target::ParameterStore(_) => Kind::ParameterStore,
        }
    }
}

/// Fetches every SPEC's values, all sources concurrently; results in `specs` order.
pub async fn fetch_all(session: &Session, specs: &[Spec]) -> Vec<Result<Vec<Entry>, Error>> {
    let (mut secrets, mut parameters) = (Vec::new(), Vec::new());
    for (index, spec) in specs.iter().enumerate() {
        match &spec.target {
            Target::SecretsManager(target) => secrets.push((index, target.clone())),
            Target::ParameterStore(target) => parameters.push((index, target.clone())),
        }
    }
    let (secrets, parameters) = tokio::join!(
        fetch_from::<SecretsManager>(session, secrets),
        fetch_from::<ParameterStore>(session, parameters)
    );
    let mut results: Vec<Option<Result<Vec<Entry>, Error>>> = specs.iter().map(|_| None).collect();
    for (index, result) in secrets.into_iter().chain(parameters) {
        results[index] = Some(result);
    }
    results
        .into_iter()
        .map(|result| result.expect("every SPEC has a result"))
        .collect()
}

/// The IAM statements every SPEC needs, source by source, each SPEC in its region (`region_for`
/// gives the region of a SPEC without an ARN of its own).
pub fn permissions(
    specs: &[Spec],
    region_for: &dyn Fn(Option<&str>) -> Result<String, Error>,
    scope: &Scope,
) -> Result<Vec<Statement>, Error> {
    let (mut secrets, mut parameters) = (Vec::new(), Vec::new());
    for spec in specs {
        match &spec.target {
            Target::SecretsManager(target) => secrets.push(Request {
                region: region_for(SecretsManager::arn_region(target))?,
                target: target.clone(),
            }),
            Target::ParameterStore(target) => parameters.push(Request {
                region: region_for(ParameterStore::arn_region(target))?,
                target: target.clone(),
            }),
        }
    }
    let mut statements = Vec::new();
    if !secrets.is_empty() {
        statements.extend(SecretsManager::permissions(&secrets, scope));
    }
    if !parameters.is_empty() {
        statements.extend(ParameterStore::permissions(&parameters, scope));
    }
    Ok(statements)
}

/// One source's share of a run: regions resolved (a SPEC without one fails alone), then fetched.
async fn fetch_from<S: Source>(
    session: &Session,
    targets: Vec<(usize, S::Target)>,
) -> Vec<(usize, Result<Vec<Entry>, Error>)> {
    let mut done = Vec::new();
    let mut indexes = Vec::new();
    let mut requests = Vec::new();
    for (index, target) in targets {
        match session.region_for(S::arn_region(&target), &S::subject(&target)) {
            Ok(region) => {
                indexes.push(index);
                requests.push(Request { target, region });
            }
            Err(error) => done.push((index, Err(error))),
        }
    }
    if !requests.is_empty() {
        done.extend(indexes.into_iter().zip(S::fetch(session, requests).await));
    }
    done
}
