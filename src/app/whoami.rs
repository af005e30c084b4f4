//! `awssecrets whoami`: the identity, credential source, region and endpoint a run would use.

use crate::aws;
use crate::error::Error;

use crate::log::Log;

use super::collect::log_session;
use super::request::Whoami;
use super::stdout::{runtime, write_stdout};

pub fn whoami(request: Whoami) -> Result<u8, Error> {
    let log = Log::new(request.verbosity, crate::error::Wording::CommandLine);
    let (session, identity) = runtime()?.block_on(async {
        let session = aws::connect(&request.aws, log).await?;
        log_session(&session, log);
        // STS's global endpoint signs with its own region; another endpoint needs one given.
        if let (None, Some(endpoint)) = (&session.default_region, session.endpoint_url()) {
            return Err(Error::Usage(format!(
                "no AWS region for GetCallerIdentity at {endpoint}: pass --region or set \
                 AWS_REGION"
            )));
        }
        let identity = session.caller_identity().await?;
        Ok::<_, Error>((session, identity))
    })?;
    let fields = [
        ("account", Some(identity.account)),
        ("arn", Some(identity.arn)),
        ("user_id", Some(identity.user_id)),
        ("credentials", Some(session.credentials_source.clone())),
        ("region", session.default_region.clone()),
        (
            "region_source",
            session
                .default_region
                .as_ref()
                .map(|_| session.region_source.to_owned()),
        ),
        ("endpoint", session.endpoint_url().map(str::to_owned)),
    ];
    let mut out = Vec::new();
    if request.json {
        let object: serde_json::Map<String, serde_json::Value> = fields
            .into_iter()
            .map(|(name, value)| {
                (
                    name.to_owned(),
                    value.map_or(serde_json::Value::Null, serde_json::Value::String),
                )
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &object).expect("writing to a Vec cannot fail");
        out.push(b'\n');
    } else {
        for (name, value) in fields {
            let value = value.unwrap_or_else(|| match name {
                "endpoint" => "AWS default".to_owned(),
                _ => "(none)".to_owned(),
            });
            out.extend_from_slice(format!("{:<14}{value}\n", name.replace('_', " ")).as_bytes());
        }
    }
    write_stdout(&out)?;
    Ok(0)
}
