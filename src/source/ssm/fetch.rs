//! Fetching parameters in as few round trips as the API allows: names go out in GetParameters
//! calls of at most 10 (AWS's limit), paths through GetParametersByPath with recursion and
//! decryption, every page followed; all calls of all regions run concurrently. Both APIs share
//! one throughput quota (and GetParameter the same one): a throttled call backs off and tries
//! again within the run's deadline.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::{Parameter, ParameterStringFilter};
use tokio::task::JoinSet;

use super::service::{client, codes};
use super::spec::Target;
use crate::aws::{CallBudget, OnThrottling, Session, classify, every_page};
use crate::error::{Error, Failure, FailureKind};
use crate::model::{Entry, Payload, SecretValue};
use crate::source::aws_service::Request;

/// GetParameters takes at most this many names.
pub const NAMES_PER_CALL: usize = 10;
/// GetParametersByPath answers at most this many parameters per page.
const PAGE_SIZE: i32 = 10;

/// A parameter as fetched.
#[derive(Debug, Clone)]
struct Fetched {
    name: String,
    value: SecretValue,
    elapsed: Duration,
}

/// What a name gave (by region and request string).
type NameResults = HashMap<(String, String), Result<Fetched, Failure>>;

enum Done {
    Names(String, HashMap<String, Result<Fetched, Failure>>),
    Path(usize, Result<Vec<Fetched>, Failure>),
}

/// Fetches every request's parameters (one for a name, all under it for a path), results in
/// request order.
pub async fn fetch(
    session: &Session,
    requests: Vec<Request<Target>>,
) -> Vec<Result<Vec<Entry>, Error>> {
    let mut names_by_region: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut tasks = JoinSet::new();
    for (index, Request { target, region }) in requests.iter().enumerate() {
        if target.is_path() {
            let (client, path) = (client(session, region), target.name.clone());
            let budget = session.budget();
            tasks.spawn(async move { Done::Path(index, by_path(&client, &budget, &path).await) });
        } else {
            let names = names_by_region.entry(region.clone()).or_default();
            let request = target.request();
            if !names.contains(&request) {
                names.push(request);
            }
        }
    }
    for (region, names) in names_by_region {
        let region_client = client(session, &region);
        for call in calls(names) {
            let (client, region) = (region_client.clone(), region.clone());
            let budget = session.budget();
            tasks
                .spawn(async move { Done::Names(region, by_names(&client, &budget, &call).await) });
        }
    }
    let mut by_name: NameResults = HashMap::new();
    let mut paths: HashMap<usize, Result<Vec<Fetched>, Failure>> = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        match done.expect("fetch tasks do not panic") {
            Done::Names(region, results) => by_name.extend(
                results
                    .into_iter()
                    .map(|(request, result)| ((region.clone(), request), result)),
            ),
            Done::Path(index, result) => {
                paths.insert(index, result);
            }
        }
    }
    let mut outcomes = Vec::with_capacity(requests.len());
    for (index, Request { target, region }) in requests.iter().enumerate() {
        let account = target.arn.as_ref().map(|arn| arn.account.as_str());
        let outcome = if target.is_path() {
            let subject = format!("parameters {}", target.name);
            match paths.remove(&index).expect("every path has a result") {
                Ok(found) if found.is_empty() => Err(session
                    .failure(
                        subject,
                        Failure::new(FailureKind::NotFound, "no parameter under this path"),
                        region,
                        account,
                    )
                    .await),
                Ok(found) => Ok(found
                    .into_iter()
                    .map(|fetched| {
                        let stem = fetched.name[target.name.len()..].to_owned();
                        entry(fetched, stem, true, region)
                    })
                    .collect()),
                Err(failure) => Err(session.failure(subject, failure, region, account).await),
            }
        } else {
            let request = target.request();
            let subject = format!("parameter {request}");
            match by_name.get(&(region.clone(), request)) {
                Some(Ok(fetched)) => {
                    let stem = fetched.name.clone();
                    Ok(vec![entry(fetched.clone(), stem, false, region)])
                }
                Some(Err(failure)) => {
                    let failure =
                        explain_not_found(&client(session, region), target, failure.clone()).await;
                    Err(session.failure(subject, failure, region, account).await)
                }
                None => unreachable!("every name of a region gets a result"),
            }
        };
        outcomes.push(outcome);
    }
    outcomes
}

/// `failure` (not found) for `target`, explained when a name lacks the leading `/` of the
/// hierarchical parameter that exists (DescribeParameters: names, never values).
async fn explain_not_found(client: &Client, target: &Target, failure: Failure) -> Failure {
    if failure.kind != FailureKind::NotFound
        || target.name.starts_with('/')
        || !target.name.contains('/')
    {
        return failure;
    }
    let hierarchical = format!("/{}", target.name);
    let filter = ParameterStringFilter::builder()
        .key("Name")
        .option("Equals")
        .values(&hierarchical)
        .build();
    let Ok(filter) = filter else {
        return failure;
    };
    let exists = client
        .describe_parameters()
        .parameter_filters(filter)
        .send()
        .await
        .is_ok_and(|found| !found.parameters().is_empty());
    if !exists {
        return failure;
    }
    let selector = target.selector_suffix();
    Failure {
        message: Some(format!(
            "no parameter {}; did you mean ssm:{hierarchical}{selector}? (a name with / is \
             hierarchical, and starts with /)",
            target.name
        )),
        ..failure
    }
}

fn entry(fetched: Fetched, stem: String, relative: bool, region: &str) -> Entry {
    Entry {
        subject: format!("parameter {}", fetched.name),
        name: fetched.name,
        stem,
        relative,
        found_by_listing: relative,
        payload: Payload::Text(fetched.value),
        region: region.to_owned(),
        elapsed: fetched.elapsed,
    }
}

/// The GetParameters calls for `requests`: at most [`NAMES_PER_CALL`] each, and never one name
/// twice in a call (at two versions, say), since an answer need not say which it is.
fn calls(requests: Vec<String>) -> Vec<Vec<String>> {
    let mut calls: Vec<Vec<String>> = Vec::new();
    for request in requests {
        let name = base_name(&request).to_owned();
        let open = calls.iter_mut().find(|call| {
            call.len() < NAMES_PER_CALL && !call.iter().any(|other| base_name(other) == name)
        });
        match open {
            Some(call) => call.push(request),
            None => calls.push(vec![request]),
        }
    }
    calls
}

/// A request without its `:VERSION` or `:LABEL` (and an ARN without anything around the name).
fn base_name(request: &str) -> &str {
    let name = match request.find(":parameter/") {
        Some(start) => &request[start + ":parameter".len()..],
        None => request,
    };
    name.split(':').next().unwrap_or(name)
}

/// One GetParameters call (decrypted); each request's parameter, or why not.
async fn by_names(
    client: &Client,
    budget: &CallBudget,
    requests: &[String],
) -> HashMap<String, Result<Fetched, Failure>> {
    let started = Instant::now();
    let answer = budget
        .call(OnThrottling::BackOff, || async {
            client
                .get_parameters()
                .set_names(Some(requests.to_vec()))
                .with_decryption(true)
                .send()
                .await
                .map_err(|error| classify(&error, codes).during("ssm:GetParameters"))
        })
        .await;
    let elapsed = started.elapsed();
    let output = match answer {
        Ok(output) => output,
        Err(failure) => {
            return requests
                .iter()
                .map(|request| (request.clone(), Err(failure.clone())))
                .collect();
        }
    };
    let invalid = output.invalid_parameters.unwrap_or_default();
    let mut parameters = output.parameters.unwrap_or_default();
    requests
        .iter()
        .map(|request| {
            let result = match parameters
                .iter()
                .position(|parameter| designates(request, parameter))
            {
                Some(index) => Ok(fetched(parameters.swap_remove(index), elapsed)),
                None if invalid.contains(request) => Err(Failure::new(
                    FailureKind::NotFound,
                    "no such parameter, or no such version or label of it",
                )),
                None => Err(Failure::new(
                    FailureKind::NotFound,
                    "the answer does not hold it",
                )),
            };
            (request.clone(), result)
        })
        .collect()
}

/// Whether `parameter` is what `request` (a name or an ARN, maybe with a selector) asked for.
/// The same name is never asked twice in one call, so the name decides; a selector the answer
/// states must agree.
fn designates(request: &str, parameter: &Parameter) -> bool {
    let asked = base_name(request);
    let name = parameter.name.as_deref().unwrap_or_default();
    let same_name = asked == name || asked.trim_start_matches('/') == name.trim_start_matches('/');
    let selector_agrees = match (parameter.selector.as_deref(), request.rsplit_once(':')) {
        (Some(stated), Some((_, asked_selector))) if asked != request => {
            stated.trim_start_matches(':') == asked_selector
        }
        _ => true,
    };
    same_name && selector_agrees
}

fn fetched(mut parameter: Parameter, elapsed: Duration) -> Fetched {
    Fetched {
        name: parameter.name.take().unwrap_or_default(),
        value: SecretValue::new(parameter.value.take().unwrap_or_default()),
        elapsed,
    }
}

/// Every parameter under `path` (recursively, decrypted), following every page, sorted by name.
async fn by_path(
    client: &Client,
    budget: &CallBudget,
    path: &str,
) -> Result<Vec<Fetched>, Failure> {
    let mut found = Vec::new();
    // AWS names the path without its final `/` (except the root).
    let asked = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    every_page(
        budget,
        OnThrottling::BackOff,
        |token| async move {
            client
                .get_parameters_by_path()
                .path(asked)
                .recursive(true)
                .with_decryption(true)
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| classify(&error, codes).during("ssm:GetParametersByPath"))
        },
        |output, elapsed| {
            for parameter in output.parameters.unwrap_or_default() {
                // Only what is really under the path: `/ci/app/` never takes `/ci/application`.
                if parameter
                    .name
                    .as_deref()
                    .is_some_and(|name| name.starts_with(path))
                {
                    found.push(fetched(parameter, elapsed));
                }
            }
            output.next_token
        },
    )
    .await?;
    found.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_hold_at_most_ten_names_and_never_one_name_twice() {
        let requests: Vec<String> = (0..23)
            .map(|index| format!("/ci/p{index}"))
            .chain(["/ci/p0:2".to_owned(), "/ci/p0:prod".to_owned()])
            .collect();
        let calls = calls(requests);
        assert_eq!(calls.iter().map(Vec::len).sum::<usize>(), 25);
        assert!(calls.iter().all(|call| call.len() <= NAMES_PER_CALL));
        for call in &calls {
            let mut names: Vec<&str> = call.iter().map(|request| base_name(request)).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), call.len(), "{call:?}");
        }
        assert_eq!(
            calls.len(),
            4,
            "three for 25 names, one more for the third p0"
        );
    }

    #[test]
    fn base_names_drop_selectors_and_arns() {
        assert_eq!(base_name("/ci/db:3"), "/ci/db");
        assert_eq!(base_name("token"), "token");
        assert_eq!(
            base_name("arn:aws:ssm:eu-west-1:123456789012:parameter/ci/db:prod"),
            "/ci/db"
        );
        assert_eq!(
            base_name("arn:aws:ssm:eu-west-1:123456789012:parameter/token"),
            "/token"
        );
    }

    #[test]
    fn an_answer_is_matched_by_name_and_by_its_stated_selector() {
        let parameter = |name: &str, selector: Option<&str>| {
            Parameter::builder()
                .name(name)
                .set_selector(selector.map(str::to_owned))
                .build()
        };
        assert!(designates("/ci/db", &parameter("/ci/db", None)));
        assert!(designates("/ci/db:3", &parameter("/ci/db", None)));
        assert!(designates("/ci/db:3", &parameter("/ci/db", Some(":3"))));
        assert!(!designates("/ci/db:3", &parameter("/ci/db", Some(":4"))));
        assert!(!designates("/ci/d", &parameter("/ci/db", None)));
        assert!(designates(
            "arn:aws:ssm:eu-west-1:123456789012:parameter/token",
            &parameter("token", None)
        ));
    }
}
