//! From clap's arguments and the environment to the plain request of a command, built once;
//! every problem reported at once.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::args::{
    AwsArgs, Caller, Cli, Command, EnvFilesArgs, ExecArgs, ExportArgs, PolicyArgs, ScanFormat,
    SelectionArgs, VerbosityArgs, WhoamiArgs, WhoamiFormat,
};
use super::generated;
use crate::app::{self, Destination, SECRETS_ENV, Selection};
use crate::aws::AwsOptions;
use crate::error::Error;
use crate::error::Wording;
use crate::exec;
use crate::log::Verbosity;
use crate::naming::{NamingOptions, UNUSABLE_NAME, is_valid_variable_name};
use crate::render::{self, Format};
use crate::source::{Spec, Target, split_spec_list};

/// Parses the command line (clap exits on its own errors, with code 2, and prints --help and
/// --version) and reads the environment variables that stand for options.
pub fn parse() -> Result<app::Command, Error> {
    let args: Vec<OsString> = std::env::args_os().collect();
    refuse_control_characters(&args)?;
    let cli = parse_cli(args).unwrap_or_else(|error| error.exit());
    resolve(cli, &|name| std::env::var_os(name))
}

/// The request `args` (program name first) ask for, reading option-like variables through
/// `environment`; clap's errors become usage errors. What checks a documented example.
pub fn parse_from(
    args: Vec<OsString>,
    environment: &dyn Fn(&str) -> Option<OsString>,
) -> Result<app::Command, Error> {
    refuse_control_characters(&args)?;
    let cli = parse_cli(args).map_err(|error| Error::Usage(error.render().to_string()))?;
    resolve(cli, environment)
}

/// `args` parsed by clap, options moved after the subcommand first: clap's definitions are
/// built once for both (as `Cli::try_parse_from` does, its errors formatted by them).
fn parse_cli(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    let args = options_after_the_subcommand(&command, args);
    let mut matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|error| error.format(&mut command))
}

/// Options go anywhere, as the aws CLI takes them: those given before a subcommand
/// (`awssecrets --profile ci -v whoami`) are moved after it, where clap reads them. What
/// takes a value is known from the definitions themselves, so a value that happens to be a
/// subcommand's name (`--region exec`) is never taken for one.
pub fn options_after_the_subcommand(cli: &clap::Command, args: Vec<OsString>) -> Vec<OsString> {
    let mut takes_value: Vec<(String, bool)> = Vec::new();
    for command in std::iter::once(cli).chain(cli.get_subcommands()) {
        for arg in command.get_arguments() {
            let value = arg.get_action().takes_values();
            if let Some(long) = arg.get_long() {
                takes_value.push((format!("--{long}"), value));
            }
            if let Some(short) = arg.get_short() {
                takes_value.push((format!("-{short}"), value));
            }
        }
    }
    let takes = |option: &str| {
        takes_value
            .iter()
            .any(|(name, value)| name == option && *value)
    };
    let subcommands: Vec<&str> = cli
        .get_subcommands()
        .map(|command| command.get_name())
        .collect();
    let mut index = 1;
    while let Some(arg) = args.get(index).and_then(|arg| arg.to_str()) {
        if subcommands.contains(&arg) {
            if index == 1 {
                return args;
            }
            let mut moved = vec![args[0].clone(), args[index].clone()];
            moved.extend_from_slice(&args[1..index]);
            moved.extend_from_slice(&args[index + 1..]);
            return moved;
        }
        if arg == "--" || !arg.starts_with('-') || arg == "-" {
            return args;
        }
        let attached = arg.contains('=') || (!arg.starts_with("--") && arg.len() > 2);
        index += if !attached && takes(arg) { 2 } else { 1 };
    }
    args
}

/// No option takes a line break or a control character: one is refused before clap, which
/// would quote it raw in its message (where a line starting `::` is a CI workflow command).
/// The command after `--` is `exec`'s to pass on as it is.
fn refuse_control_characters(args: &[OsString]) -> Result<(), Error> {
    let options = args.iter().skip(1).take_while(|arg| *arg != "--");
    for (index, arg) in options.enumerate() {
        let text = arg.to_string_lossy();
        if text.chars().any(char::is_control) {
            return Err(Error::Usage(format!(
                "argument {} ({}) holds a line break or a control character, which no option \
                 takes",
                index + 1,
                crate::error::quoted(&text)
            )));
        }
    }
    Ok(())
}

/// The request `cli` asks for, reading option-like variables through `environment`.
pub fn resolve(
    cli: Cli,
    environment: &dyn Fn(&str) -> Option<OsString>,
) -> Result<app::Command, Error> {
    let text = |name: &str| {
        environment(name)
            .and_then(|value| value.into_string().ok())
            .filter(|value| !value.is_empty())
    };
    match cli.command {
        None => export(cli.export, &text),
        Some(Command::Export(args)) => export(args, &text),
        Some(Command::Exec(args)) => exec(args, &text),
        Some(Command::Whoami(args)) => Ok(whoami(args)),
        Some(Command::Policy(args)) => policy(args, &text),
        Some(Command::Render(args)) => {
            if args.inputs.len() != args.outputs.len() {
                return Err(Error::Usage(format!(
                    "each -i TEMPLATE needs its -o FILE, in the same position: {} templates, {} \
                     outputs",
                    args.inputs.len(),
                    args.outputs.len()
                )));
            }
            let stdout = std::path::Path::new("-");
            if args
                .outputs
                .iter()
                .filter(|output| *output == stdout)
                .count()
                > 1
            {
                return Err(Error::Usage(
                    "-o - (stdout) may be given to one template only".to_owned(),
                ));
            }
            let pairs = args
                .inputs
                .into_iter()
                .zip(args.outputs)
                .map(|(input, output)| {
                    let to = if output == stdout {
                        app::RenderTo::Stdout
                    } else {
                        app::RenderTo::File(output)
                    };
                    (input, to)
                })
                .collect();
            let (selection, env_files) = values(&args.selection, args.env, &text)?;
            Ok(app::Command::Render(app::Render {
                selection,
                env_files,
                pairs,
            }))
        }
        Some(Command::Scan(args)) => {
            let (selection, env_files) = values(&args.selection, args.env, &text)?;
            Ok(app::Command::Scan(app::Scan {
                selection,
                env_files,
                paths: args.paths,
                excluded: args.excluded,
                json: args.format == ScanFormat::Json,
                min_length: args.length.mask_min_length,
            }))
        }
        Some(Command::Redact(args)) => {
            let (selection, env_files) = values(&args.selection, args.env, &text)?;
            Ok(app::Command::Redact(app::Redact {
                selection,
                env_files,
                min_length: args.length.mask_min_length,
            }))
        }
        Some(Command::Completions(args)) => {
            Ok(app::Command::Print(generated::completions(args.shell)))
        }
        Some(Command::Man(args)) => generated::man_page(args.command.as_deref())
            .map(app::Command::Print)
            .map_err(Error::Usage),
    }
}

fn policy(
    args: PolicyArgs,
    environment: &dyn Fn(&str) -> Option<String>,
) -> Result<app::Command, Error> {
    let trust = args
        .trust
        .as_deref()
        .map(|text| app::Trust::parse(text, &args.gitlab_host))
        .transpose()
        .map_err(Error::Usage)?;
    Ok(app::Command::Policy(app::Policy {
        specs: specs(&args.secrets, environment(SECRETS_ENV).as_deref(), None)
            .map_err(Error::Usage)?,
        aws: aws_options(&args.aws),
        account: args.account,
        batch: args.batch,
        kms_keys: args.kms_keys,
        trust,
        verbosity: verbosity(&args.verbosity),
    }))
}

/// Parses every SPEC (from `flags`, else `secrets_env`), reporting all bad ones at once (one
/// per line); a version stage applies to every Secrets Manager SPEC.
fn specs(
    flags: &[String],
    secrets_env: Option<&str>,
    version_stage: Option<&String>,
) -> Result<Vec<Spec>, String> {
    let texts: Vec<&str> = if flags.is_empty() {
        secrets_env
            .map(split_spec_list)
            .transpose()?
            .unwrap_or_default()
    } else {
        flags.iter().map(String::as_str).collect()
    };
    let mut specs = Vec::new();
    let mut problems = Vec::new();
    for text in texts {
        match Spec::parse(text) {
            Ok(mut spec) => {
                if let Target::SecretsManager(target) = &mut spec.target {
                    target.version_stage = version_stage.cloned();
                }
                specs.push(spec);
            }
            Err(error) => problems.push(error.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(specs)
    } else {
        Err(problems.join("\n"))
    }
}

fn export(
    args: ExportArgs,
    environment: &dyn Fn(&str) -> Option<String>,
) -> Result<app::Command, Error> {
    let format = args.format.0;
    let mut render = render::Options::default();
    if let Some(count) = args.gitlab_max_variables {
        render.gitlab_max_variables = count as usize;
        render.gitlab_limits_given = true;
    }
    if let Some(bytes) = args.gitlab_max_bytes {
        render.gitlab_max_bytes = bytes as usize;
        render.gitlab_limits_given = true;
    }
    render.add_masks = args.add_mask;
    Ok(app::Command::Export(app::Export {
        destination: destination(format, args.output, environment)?,
        selection: selection(&args.selection, environment(SECRETS_ENV).as_deref())?,
        format,
        render,
        in_ci: in_ci(environment("CI").as_deref()),
    }))
}

/// Where `export` writes: `-o -` is stdout on purpose; a format that appends (to
/// `$GITHUB_ENV`) appends to `-o FILE` or to the file its variable names.
fn destination(
    format: Format,
    output: Option<PathBuf>,
    environment: &dyn Fn(&str) -> Option<String>,
) -> Result<Destination, Error> {
    let on_purpose = output.as_deref() == Some(std::path::Path::new("-"));
    match (format.appends_to(), output) {
        (Some(variable), Some(_)) if on_purpose => Err(Error::Usage(format!(
            "-o - prints to stdout, but --format {} appends to a file: pass -o FILE, or leave \
             -o out to append to ${variable}",
            format.name()
        ))),
        (Some(_), Some(path)) => Ok(Destination::Append(path)),
        (Some(variable), None) => environment(variable)
            .map(|path| Destination::Append(PathBuf::from(path)))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--format {} appends to ${variable}, which is not set: run it in a GitHub \
                     Actions step or pass -o FILE",
                    format.name()
                ))
            }),
        (None, Some(_)) if on_purpose => Ok(Destination::Stdout { on_purpose }),
        (None, Some(path)) => Ok(Destination::File(path)),
        (None, None) => Ok(Destination::Stdout { on_purpose: false }),
    }
}

fn exec(
    args: ExecArgs,
    environment: &dyn Fn(&str) -> Option<String>,
) -> Result<app::Command, Error> {
    let (selection, env_files) = values(&args.selection, args.env, environment)?;
    Ok(app::Command::Exec(app::Exec {
        selection,
        env_files,
        options: exec::Options {
            mask: args.mask || (!args.no_mask && in_ci(environment("CI").as_deref())),
            pristine: args.pristine,
            mask_min_length: args.length.mask_min_length,
            files: args.files,
            renders: args
                .renders
                .into_iter()
                .map(|(template, variable)| exec::RenderTemplate { template, variable })
                .collect(),
            command: args.command,
        },
    }))
}

fn whoami(args: WhoamiArgs) -> app::Command {
    app::Command::Whoami(app::Whoami {
        aws: aws_options(&args.aws),
        json: args.format == WhoamiFormat::Json,
        verbosity: verbosity(&args.verbosity),
    })
}

/// Whether this is a CI job: `ci` (the CI variable, as GitLab and GitHub set it) is set to
/// anything but empty, 0 or false.
fn in_ci(ci: Option<&str>) -> bool {
    ci.is_some_and(|value| !matches!(value, "" | "0" | "false" | "FALSE" | "False"))
}

/// The values of a command that takes SPECs or env files: `$AWSSECRETS_SECRETS` stands for
/// SPECs only when the command line names no values at all; with an `--env-file`, the values
/// are the files' and the `-s` SPECs' (a project-wide variable adds no AWS call).
fn values(
    args: &SelectionArgs,
    env: EnvFilesArgs,
    environment: &dyn Fn(&str) -> Option<String>,
) -> Result<(Selection, Vec<PathBuf>), Error> {
    let secrets_env = if env.env_files.is_empty() {
        environment(SECRETS_ENV)
    } else {
        None
    };
    Ok((selection(args, secrets_env.as_deref())?, env.env_files))
}

/// Parses every SPEC (from `--secret`, else `secrets_env`), reporting all bad ones at once.
fn selection(args: &SelectionArgs, secrets_env: Option<&str>) -> Result<Selection, Error> {
    let mut problems = Vec::new();
    let specs = match specs(&args.secrets, secrets_env, args.version_stage.as_ref()) {
        Ok(specs) => specs,
        Err(problem) => {
            problems.push(problem);
            Vec::new()
        }
    };
    if let Some(prefix) = &args.prefix
        && !is_valid_variable_name(prefix)
    {
        problems.push(format!(
            "--prefix {prefix:?} must start a valid variable name ([A-Za-z_][A-Za-z0-9_]*)"
        ));
    }
    for name in &args.allow_names {
        if name == UNUSABLE_NAME {
            problems.push(format!(
                "--allow-name {name}: no variable may be named {name} (shells overwrite it)"
            ));
        } else if !is_valid_variable_name(name) {
            problems.push(format!(
                "--allow-name {name:?} is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Usage(problems.join("\n")));
    }
    Ok(Selection {
        specs,
        naming: NamingOptions {
            prefix: args.prefix.clone().unwrap_or_default(),
            uppercase: args.uppercase,
            strict: args.strict,
            allowed_names: args.allow_names.clone(),
            only_listed_keys: args.only_listed_keys,
        },
        aws: aws_options(&args.aws),
        verbosity: verbosity(&args.verbosity),
        wording: match args.inputs_of {
            None => Wording::CommandLine,
            Some(Caller::FetchSecretsComponent) => Wording::FetchSecretsComponent,
            Some(Caller::DotenvReportComponent) => Wording::DotenvReportComponent,
            Some(Caller::GithubAction) => Wording::GithubAction,
        },
    })
}

fn verbosity(args: &VerbosityArgs) -> Verbosity {
    match (args.verbose, args.quiet) {
        (true, _) => Verbosity::Verbose,
        (false, true) => Verbosity::Quiet,
        (false, false) => Verbosity::Normal,
    }
}

/// An option given empty (`--region ""`, as a CI integration passes an input left empty) is
/// an option not given.
fn given(value: &Option<String>) -> Option<String> {
    value.clone().filter(|value| !value.is_empty())
}

fn aws_options(args: &AwsArgs) -> AwsOptions {
    AwsOptions {
        region: given(&args.region),
        profile: given(&args.profile),
        endpoint_url: given(&args.endpoint_url),
        timeout: Duration::from_secs_f64(args.timeout),
        role_arn: given(&args.role_arn),
        role_session_name: args.role_session_name.clone(),
        external_id: args.external_id.clone(),
        duration_seconds: args.duration_seconds,
        web_identity_token_env: args.web_identity_token_env.clone(),
        oidc_audience: args.oidc_audience.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::Parser;

    use super::*;
    use crate::render::Format;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("awssecrets").chain(args.iter().copied())).unwrap()
    }

    /// The request for `args` with `variables` as the environment.
    fn request(args: &[&str], variables: &[(&str, &str)]) -> Result<app::Command, Error> {
        let variables: HashMap<String, OsString> = variables
            .iter()
            .map(|(name, value)| (name.to_string(), OsString::from(value)))
            .collect();
        resolve(parse(args), &|name| variables.get(name).cloned())
    }

    fn export_request(args: &[&str], variables: &[(&str, &str)]) -> app::Export {
        match request(args, variables).unwrap() {
            app::Command::Export(export) => export,
            other => panic!("expected export, got {other:?}"),
        }
    }

    fn exec_request(args: &[&str], variables: &[(&str, &str)]) -> app::Exec {
        match request(args, variables).unwrap() {
            app::Command::Exec(exec) => exec,
            other => panic!("expected exec, got {other:?}"),
        }
    }

    #[test]
    fn bare_command_is_export() {
        let export = export_request(&["--region", "eu-west-1", "--secret", "ci/npm"], &[]);
        assert_eq!(export.selection.specs.len(), 1);
        assert_eq!(export.selection.specs[0].text, "ci/npm");
        assert_eq!(export.format, Format::Sh);
        assert_eq!(export.selection.aws.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn export_subcommand() {
        let export = export_request(
            &["export", "-s", "a", "-s", "b#k", "-f", "json", "-o", "out"],
            &[],
        );
        assert_eq!(export.selection.specs.len(), 2);
        assert_eq!(export.format, Format::Json);
        assert_eq!(export.destination, Destination::File(PathBuf::from("out")));
    }

    #[test]
    fn secrets_come_from_the_environment_when_no_flag() {
        let export = export_request(&[], &[(SECRETS_ENV, "a\nDB,b#x,y")]);
        assert_eq!(export.selection.specs.len(), 2);
        assert_eq!(export.selection.specs[1].shape.alias.as_deref(), Some("DB"));
        let export = export_request(&["-s", "c"], &[(SECRETS_ENV, "a,b")]);
        assert_eq!(export.selection.specs.len(), 1);
    }

    #[test]
    fn an_env_file_on_the_command_line_leaves_the_secrets_variable_unread() {
        let variables = [(SECRETS_ENV, "a\nb\n")];
        for (command, args) in [
            ("exec", &["--env-file", "f", "--", "true"][..]),
            ("scan", &["--env-file", "f", "dist"][..]),
            ("redact", &["--env-file", "f"][..]),
            ("render", &["--env-file", "f", "-i", "t", "-o", "o"][..]),
        ] {
            let mut with_file = vec![command];
            with_file.extend_from_slice(args);
            let without_file: Vec<&str> = with_file
                .iter()
                .copied()
                .filter(|arg| !["--env-file", "f"].contains(arg))
                .collect();
            let specs = |args: &[&str]| match request(args, &variables).unwrap() {
                app::Command::Exec(exec) => exec.selection.specs.len(),
                app::Command::Scan(scan) => scan.selection.specs.len(),
                app::Command::Redact(redact) => redact.selection.specs.len(),
                app::Command::Render(render) => render.selection.specs.len(),
                _ => unreachable!("{command} is not a command with --env-file"),
            };
            assert_eq!(specs(&with_file), 0, "{command} with --env-file");
            assert_eq!(specs(&without_file), 2, "{command} without --env-file");
        }
    }

    #[test]
    fn the_github_format_appends_to_github_env() {
        let export = export_request(&["-f", "github", "-s", "a"], &[("GITHUB_ENV", "/tmp/env")]);
        assert_eq!(
            export.destination,
            Destination::Append(PathBuf::from("/tmp/env"))
        );
        let export = export_request(&["-f", "json", "-s", "a"], &[("GITHUB_ENV", "/tmp/env")]);
        assert_eq!(
            export.destination,
            Destination::Stdout { on_purpose: false }
        );
        let export = export_request(&["-f", "json", "-s", "a", "-o", "-"], &[]);
        assert_eq!(export.destination, Destination::Stdout { on_purpose: true });
        assert!(request(&["-f", "github", "-s", "a"], &[]).is_err());
    }

    #[test]
    fn every_bad_spec_is_reported() {
        let error = request(
            &["-s", "bad id", "-s", "ok", "-s", "x#", "--prefix", "1X"],
            &[],
        )
        .unwrap_err();
        let message = error.to_string();
        assert_eq!(message.lines().count(), 3, "{message}");
        assert_eq!(error.exit_code(), crate::error::ExitCode::Usage);
    }

    #[test]
    fn the_version_stage_applies_to_every_secret() {
        let export = export_request(
            &["-s", "a", "-s", "b*", "--version-stage", "AWSPREVIOUS"],
            &[],
        );
        for spec in &export.selection.specs {
            let Target::SecretsManager(target) = &spec.target else {
                panic!("a secret");
            };
            assert_eq!(target.version_stage.as_deref(), Some("AWSPREVIOUS"));
        }
    }

    #[test]
    fn exec_takes_the_command_after_double_dash() {
        let exec = exec_request(
            &[
                "exec",
                "-s",
                "ci/npm",
                "--env-file",
                "a",
                "--env-file",
                "b",
                "--",
                "npm",
                "publish",
                "--tag",
                "x",
            ],
            &[],
        );
        assert_eq!(exec.options.command, vec!["npm", "publish", "--tag", "x"]);
        assert_eq!(exec.env_files, vec![PathBuf::from("a"), PathBuf::from("b")]);
        assert!(
            Cli::try_parse_from(["awssecrets", "exec", "-s", "x"]).is_err(),
            "a command is required"
        );
        assert!(
            Cli::try_parse_from(["awssecrets", "exec", "--mask-min-length", "0", "--", "x"])
                .is_err()
        );
    }

    #[test]
    fn masking_follows_ci_unless_told() {
        let masking = |args: &[&str], ci: Option<&str>| {
            let mut all = vec!["exec"];
            all.extend_from_slice(args);
            all.extend_from_slice(&["--", "true"]);
            let variables: Vec<(&str, &str)> = ci.map(|value| ("CI", value)).into_iter().collect();
            exec_request(&all, &variables).options.mask
        };
        assert!(masking(&[], Some("true")));
        assert!(!masking(&[], None));
        assert!(!masking(&[], Some("false")));
        assert!(masking(&["--mask"], None));
        assert!(!masking(&["--no-mask"], Some("true")));
        assert!(masking(&["--no-mask", "--mask"], None), "the last one wins");
    }

    #[test]
    fn options_before_a_subcommand_go_after_it() {
        let moved = |args: &[&str]| -> Vec<String> {
            options_after_the_subcommand(&Cli::command(), args.iter().map(OsString::from).collect())
                .into_iter()
                .map(|arg| arg.into_string().unwrap())
                .collect()
        };
        assert_eq!(
            moved(&[
                "awssecrets",
                "--profile",
                "ci",
                "-v",
                "whoami",
                "-f",
                "json"
            ]),
            [
                "awssecrets",
                "whoami",
                "--profile",
                "ci",
                "-v",
                "-f",
                "json"
            ]
        );
        assert_eq!(
            moved(&[
                "awssecrets",
                "--region=eu-west-1",
                "-sci/npm",
                "exec",
                "--",
                "env"
            ]),
            [
                "awssecrets",
                "exec",
                "--region=eu-west-1",
                "-sci/npm",
                "--",
                "env"
            ]
        );
        // A value named like a subcommand is a value; no subcommand leaves all as it is.
        assert_eq!(
            moved(&["awssecrets", "--region", "exec", "-s", "x"]),
            ["awssecrets", "--region", "exec", "-s", "x"]
        );
        assert_eq!(
            moved(&["awssecrets", "-s", "whoami"]),
            ["awssecrets", "-s", "whoami"]
        );
        assert_eq!(
            moved(&["awssecrets", "exec", "-s", "x", "--", "whoami"]),
            ["awssecrets", "exec", "-s", "x", "--", "whoami"]
        );
        let cli = Cli::try_parse_from(moved(&[
            "awssecrets",
            "--profile",
            "ci",
            "policy",
            "-s",
            "a",
        ]));
        assert!(cli.is_ok(), "{cli:?}");
    }

    #[test]
    fn timeout_must_be_positive() {
        let result = Cli::try_parse_from(["awssecrets", "--timeout", "0"]);
        assert!(result.is_err());
        let export = export_request(&["--timeout", "2.5"], &[]);
        assert_eq!(export.selection.aws.timeout, Duration::from_millis(2500));
    }
}
