//! One function per command: the only place that combines fetching, formatting and writing.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::aws;
use crate::cli::{
    Cli, Command, ExecArgs, ExportArgs, SECRETS_ENV, Selection, WhoamiArgs, WhoamiFormat,
};
use crate::error::Error;
use crate::exec;
use crate::files;
use crate::mask;
use crate::output::{self, Format};
use crate::secret::{self, Layer};

/// Runs the parsed command line; returns the exit code on success.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        None => export(cli.export),
        Some(Command::Export(args)) => export(args),
        Some(Command::Exec(args)) => exec(args),
        Some(Command::Whoami(args)) => whoami(args),
    }
}

/// What goes to stderr: warnings always, progress with `--verbose`. Never a value.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    verbose: bool,
}

impl Log {
    /// Progress line, shown with `--verbose`.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("awssecrets: {}", message.as_ref());
        }
    }

    /// Warning, always shown.
    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!("warning: {}", message.as_ref());
    }

    fn warn_all(&self, warnings: &[String]) {
        for warning in warnings {
            self.warn(warning);
        }
    }
}

/// Where `export` writes.
enum Destination {
    Stdout,
    File(PathBuf),
    /// Masks to stdout, variables appended to this file.
    GithubEnv(PathBuf),
}

impl Destination {
    fn choose(
        format: Format,
        output: Option<PathBuf>,
        github_env: Option<PathBuf>,
    ) -> Result<Self, Error> {
        match (format, output) {
            (Format::Github, Some(path)) => Ok(Destination::GithubEnv(path)),
            (Format::Github, None) => github_env.map(Destination::GithubEnv).ok_or_else(|| {
                Error::Usage(
                    "--format github appends to $GITHUB_ENV, which is not set: run it in a GitHub \
                     Actions step or pass -o FILE"
                        .into(),
                )
            }),
            (_, Some(path)) => Ok(Destination::File(path)),
            (_, None) => Ok(Destination::Stdout),
        }
    }
}

fn export(args: ExportArgs) -> Result<u8, Error> {
    let started = Instant::now();
    let selection = args
        .selection
        .selection(std::env::var(SECRETS_ENV).ok().as_deref())?;
    let log = Log {
        verbose: selection.verbose,
    };
    let destination = Destination::choose(
        args.format,
        args.output,
        std::env::var_os("GITHUB_ENV")
            .filter(|value| !value.is_empty())
            .map(PathBuf::from),
    )?;
    if selection.specs.is_empty() {
        return Err(no_secrets_error());
    }
    let layers = runtime()?.block_on(fetch_layers(&selection, log))?;
    let mut warnings = Vec::new();
    let variables = secret::merge_layers(layers, &mut warnings);
    log.warn_all(&warnings);

    let mut warnings = Vec::new();
    match destination {
        Destination::GithubEnv(path) => {
            let github = output::render_github(&variables, &mut output::random_github_delimiter)?;
            write_private_stdout(&github.masks, log)?;
            files::append(&path, &github.env).map_err(|source| Error::Output {
                target: path.display().to_string(),
                source,
            })?;
            log.info(format!(
                "appended {} variables to {}",
                variables.len(),
                path.display()
            ));
        }
        Destination::Stdout => {
            let rendered = output::render(args.format, &variables, &mut warnings)?;
            log.warn_all(&warnings);
            write_private_stdout(&rendered, log)?;
        }
        Destination::File(path) => {
            let rendered = output::render(args.format, &variables, &mut warnings)?;
            log.warn_all(&warnings);
            files::write_atomically(&path, &rendered).map_err(|source| Error::Output {
                target: path.display().to_string(),
                source,
            })?;
            log.info(format!(
                "wrote {} variables to {} (mode 0600)",
                variables.len(),
                path.display()
            ));
        }
    }
    log.info(format!("done in {} ms", started.elapsed().as_millis()));
    Ok(0)
}

/// Writes secret-bearing output to stdout, first making a redirected file private.
fn write_private_stdout(bytes: &[u8], log: Log) -> Result<(), Error> {
    match files::make_stdout_private() {
        Ok(true) => log.info("stdout is a file others could read: made it 0600"),
        Ok(false) => {}
        Err(error) => log.warn(format!(
            "stdout is a file others may read, and it could not be made 0600: {error}"
        )),
    }
    write_stdout(bytes)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Output {
            target: "stdout".into(),
            source,
        })
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Other(format!("cannot start the async runtime: {error}")))
}

fn no_secrets_error() -> Error {
    Error::Usage(format!(
        "no secrets to fetch: pass --secret SPEC or set {SECRETS_ENV}"
    ))
}

/// Fetches every selected secret and turns each into a layer of variables; all or nothing,
/// with every failure reported.
pub async fn fetch_layers(selection: &Selection, log: Log) -> Result<Vec<Layer>, Error> {
    let session = aws::connect(&selection.aws).await?;
    log_session(&session, log);
    // --timeout bounds each call, retries included; this bounds them all together.
    let results = aws::within_timeout(
        selection.aws.timeout,
        "fetching secrets",
        session.fetch_secrets(&selection.specs, selection.version_stage.as_deref()),
    )
    .await?;

    let calls = session
        .state
        .calls
        .load(std::sync::atomic::Ordering::SeqCst);
    log.info(format!(
        "{calls} API {} for secret values",
        if calls == 1 { "call" } else { "calls" }
    ));

    let mut errors = Vec::new();
    let mut layers = Vec::new();
    let mut warnings = Vec::new();
    for (spec, result) in selection.specs.iter().zip(results) {
        let fetched = match result {
            Ok(fetched) => fetched,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        for fetched in fetched {
            match secret::secret_variables(spec, &fetched.secret, &selection.naming, &mut warnings)
            {
                Ok(variables) => {
                    let names: Vec<&str> = variables
                        .iter()
                        .map(|variable| variable.name.as_str())
                        .collect();
                    log.info(format!(
                        "fetched {} from {} in {} ms: {}",
                        fetched.secret.name,
                        fetched.region,
                        fetched.elapsed.as_millis(),
                        if names.is_empty() {
                            "no variables".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ));
                    layers.push(Layer {
                        origin: format!("secret {}", fetched.secret.name),
                        variables,
                    });
                }
                Err(error) => errors.push(error),
            }
        }
    }
    log.warn_all(&warnings);
    match Error::from_many(errors) {
        Some(error) => Err(error),
        None => Ok(layers),
    }
}

/// `exec`: env files, then secrets, into the command's environment; then either become the
/// command (execvp) or run it masked.
fn exec(args: ExecArgs) -> Result<u8, Error> {
    let selection = args
        .selection
        .selection(std::env::var(SECRETS_ENV).ok().as_deref())?;
    let log = Log {
        verbose: selection.verbose,
    };
    let mut layers = Vec::new();
    for path in &args.env_files {
        let layer = exec::read_env_file(path)?;
        log.info(format!(
            "read {} variables from {}",
            layer.variables.len(),
            layer.origin
        ));
        layers.push(layer);
    }
    if !selection.specs.is_empty() {
        // The runtime is gone before the command starts: nothing of ours runs beside it.
        layers.extend(runtime()?.block_on(fetch_layers(&selection, log))?);
    } else if layers.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to put in the environment: pass --secret SPEC, --env-file FILE or set {SECRETS_ENV}"
        )));
    }
    let mut warnings = Vec::new();
    let variables = secret::merge_layers(layers, &mut warnings);
    let environment = exec::child_environment(
        std::env::vars_os(),
        args.pristine,
        &variables,
        &mut warnings,
    );
    log.warn_all(&warnings);

    if args.masking(std::env::var_os("CI").as_deref()) {
        let patterns = mask::mask_patterns(
            variables.iter().map(|variable| variable.value.expose()),
            args.mask_min_length,
        );
        log.info(format!(
            "running {} with {} values masked in its output",
            args.command[0].to_string_lossy(),
            patterns.len()
        ));
        drop(variables);
        return runtime()?.block_on(exec::run_masked(&args.command, environment, patterns));
    }
    log.info(format!(
        "replacing awssecrets with {} (execvp)",
        args.command[0].to_string_lossy()
    ));
    drop(variables);
    Err(exec::replace_process(&args.command, environment))
}

fn log_session(session: &aws::AwsSession, log: Log) {
    log.info(format!(
        "region {} (from {}), credentials from {}{} ({} ms)",
        session.default_region.as_deref().unwrap_or("(none)"),
        session.region_source,
        session.credentials_source,
        session
            .endpoint_url()
            .map(|url| format!(", endpoint {url}"))
            .unwrap_or_default(),
        session.connect_time.as_millis()
    ));
    log.info(format!("TLS trusts {}", session.tls_roots));
}

/// `whoami`: the identity, credential source, region and endpoint a run would use.
fn whoami(args: WhoamiArgs) -> Result<u8, Error> {
    let log = Log {
        verbose: args.verbose,
    };
    let options = args.aws.options();
    let (session, identity) = runtime()?.block_on(async {
        let session = aws::connect(&options).await?;
        log_session(&session, log);
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
    match args.format {
        WhoamiFormat::Json => {
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
        }
        WhoamiFormat::Text => {
            for (name, value) in fields {
                let value = value.unwrap_or_else(|| match name {
                    "endpoint" => "AWS default".to_owned(),
                    _ => "(none)".to_owned(),
                });
                out.extend_from_slice(
                    format!("{:<14}{value}\n", name.replace('_', " ")).as_bytes(),
                );
            }
        }
    }
    write_stdout(&out)?;
    Ok(0)
}
