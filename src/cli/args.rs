//! clap's types and the help of each option: what the command line accepts (the examples and
//! exit codes after the options are in [`super::examples`]). It imports no module of the crate
//! but the formats it lists and the rules its values follow.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use super::examples::{
    COMPLETIONS_EXAMPLES, EXAMPLES, EXEC_EXAMPLES, MAN_EXAMPLES, POLICY_EXAMPLES, REDACT_EXAMPLES,
    RENDER_EXAMPLES, SCAN_EXAMPLES, WHOAMI_EXAMPLES,
};
use crate::render::Format;
use crate::source::is_account_id;

/// Fetch AWS Secrets Manager secrets and Parameter Store parameters and print them as variables
/// for CI, or run a command with them.
///
/// Values are fetched with the ambient AWS credentials (environment, profile, SSO, web identity,
/// ECS/EKS container or EC2 instance role). A JSON object gives one variable per key; any other
/// value gives one variable. Nothing is written unless every value was fetched.
#[derive(Debug, Parser)]
#[command(
    name = "awssecrets",
    version = VERSION,
    args_conflicts_with_subcommands = true,
    after_long_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// `awssecrets [OPTIONS]` is `awssecrets export [OPTIONS]`.
    #[command(flatten)]
    pub export: ExportArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print secrets as variables in a format for their consumer (the default command)
    #[command(after_long_help = EXAMPLES)]
    Export(ExportArgs),
    /// Run a command with the secrets in its environment
    ///
    /// The environment of COMMAND is, later wins: the inherited one (with --pristine only PATH,
    /// HOME, USER, LOGNAME, LANG, LC_ALL, TERM, TMPDIR, SHELL, TZ), then each --env-file in order,
    /// then each secret in order. Nothing is started unless every secret was fetched. COMMAND is
    /// looked up in the PATH awssecrets inherited, never in one a secret set. Without masking,
    /// awssecrets replaces itself with COMMAND (same PID, signals go straight to it, its exit
    /// status is awssecrets' own). With masking (or as PID 1), COMMAND runs as a child in a
    /// process group of its own: its stdout and stderr have every secret value (and its base64,
    /// JSON and percent-encoded forms) replaced by ***; stdin passes through; INT, TERM, HUP,
    /// QUIT, USR1 and USR2 reach it exactly once, sent to awssecrets or typed at a terminal; it
    /// is killed if awssecrets is killed; the exit status is COMMAND's (128+N if signal N killed
    /// it).
    #[command(after_long_help = EXEC_EXAMPLES)]
    Exec(ExecArgs),
    /// Show which AWS identity, credential source, region and endpoint awssecrets would use
    ///
    /// Calls sts:GetCallerIdentity (which needs no permission). Never prints a key or a token.
    #[command(
        after_long_help = WHOAMI_EXAMPLES,
        mut_arg("region", |region| region.help("AWS region (default: the SDK's usual sources, e.g. AWS_REGION or the profile)"))
    )]
    Whoami(WhoamiArgs),
    /// Print the least-privilege IAM policy the SPECs need, or a CI role's trust policy
    ///
    /// The identity policy allows exactly the calls fetching the SPECs makes, on exactly their
    /// resources (each source contributes its statements). With --trust, prints instead the
    /// trust policy that lets a GitLab or GitHub job's OIDC token assume the role.
    #[command(after_long_help = POLICY_EXAMPLES)]
    Policy(PolicyArgs),
    /// Render templates: {{ NAME }} placeholders take the values, escaped for where they land
    ///
    /// A placeholder is {{ NAME }} or {{ NAME | ESCAPE }}, NAME a variable as export names it
    /// (from the SPECs and env files), ESCAPE one of raw, json, yaml, xml, toml, sh, url,
    /// base64. json, yaml, toml and sh write a whole string, quotes included (write
    /// `key: {{ NAME }}`, not `key: "{{ NAME }}"`); xml writes character data, fit for text and
    /// quoted attributes; url percent-encodes; base64 encodes. Without an escape, a template
    /// named *.json, *.yaml, *.yml, *.xml or *.toml (a .tmpl, .tpl or .template suffix taken
    /// off) gets its format's escape, any other raw. Strict: a placeholder naming no variable,
    /// an unknown escape or a {{ NAME not closed on its line is exit 7 naming the template,
    /// line and column (never a value), and nothing is written. Other text, such as GitHub's
    /// ${{ x }} or Helm's {{ .Values.x }}, is left as it is, but {{ NAME json }} with NAME a
    /// variable of the run is exit 7 (a | forgotten); Go's {{ end }} reads as a placeholder of a
    /// variable named end. Every -i TEMPLATE goes to the -o FILE given in the
    /// same position; the files are written 0600, atomically and together (all or none).
    #[command(after_long_help = RENDER_EXAMPLES)]
    Render(RenderArgs),
    /// Search files, directories and archives for the values, in every form the masker knows
    ///
    /// Takes the values from SPECs (fetched as export fetches them) or from env files (no AWS
    /// call), and searches every PATH for each of them and their encoded forms (each line of a
    /// multi-line value, base64 at any alignment, URL-safe base64, the JSON escapes of
    /// Node, Go, Python, PHP and .NET, percent-encoding): directories recursively (symbolic
    /// links inside them are not followed, special files are passed by), binary files too,
    /// gzip streams, zip and tar archives opened (by what they hold, not their names; inside
    /// one another too). Prints PATH:LINE:COLUMN: NAME (FORM) for each finding on stdout
    /// (PATH!MEMBER inside an archive; COLUMN in bytes), never a value.
    #[command(after_long_help = SCAN_EXAMPLES)]
    Scan(ScanArgs),
    /// Copy stdin to stdout with every value, in every form the masker knows, replaced by ***
    ///
    /// The masking of `exec --mask`, for output that does not come from a command run under
    /// exec. Complete lines go out as soon as they are read; only the end of a line that may
    /// still become a value is held back.
    #[command(after_long_help = REDACT_EXAMPLES)]
    Redact(RedactArgs),
    /// Print the completion script of a shell (bash, zsh or fish)
    #[command(after_long_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of awssecrets or of one of its commands
    #[command(after_long_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

/// Options of `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,

    #[command(flatten)]
    pub env: EnvFilesArgs,

    /// A template to render; repeatable, each with the -o in the same position
    #[arg(short, long = "input", value_name = "TEMPLATE", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Where the template in the same position goes (0600, replaced atomically); `-` is stdout
    #[arg(short, long = "output", value_name = "FILE", required = true)]
    pub outputs: Vec<PathBuf>,
}

/// Options of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,

    #[command(flatten)]
    pub env: EnvFilesArgs,

    /// Files and directories to search
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Do not search PATH (a file, or a directory and everything under it); repeatable
    #[arg(long = "exclude", value_name = "PATH")]
    pub excluded: Vec<PathBuf>,

    /// Output format of the findings
    #[arg(short, long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,

    #[command(flatten)]
    pub length: MaskLengthArgs,
}

/// How `scan` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// PATH:LINE:COLUMN: NAME (FORM), one finding per line
    Text,
    /// One JSON object: findings (place, line, column, name, form), files, bytes, unreadable
    Json,
}

/// Options of `redact`.
#[derive(Debug, Args)]
pub struct RedactArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,

    #[command(flatten)]
    pub env: EnvFilesArgs,

    #[command(flatten)]
    pub length: MaskLengthArgs,
}

/// Values read from env files, with or instead of SPECs.
#[derive(Debug, Args)]
pub struct EnvFilesArgs {
    /// Read variables from FILE (as `awssecrets export` writes it: sh, dotenv or shell) before
    /// the secrets; repeatable, later files win. Nothing in it is expanded; what sh would read
    /// differently is refused. With only env files, no AWS call is made: $AWSSECRETS_SECRETS is
    /// not read when an env file is given (only -s SPECs are fetched with it)
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
}

/// How short a value may be and still be masked (or searched for).
#[derive(Debug, Args)]
pub struct MaskLengthArgs {
    /// Values (and lines of multi-line values) shorter than this are not masked (nor searched
    /// for by scan)
    #[arg(long, value_name = "CHARS", default_value_t = crate::mask::DEFAULT_MIN_LENGTH,
          value_parser = parse_min_length)]
    pub mask_min_length: usize,
}

/// Options of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells `completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// Options of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (export, exec, whoami, ...); none: awssecrets' own
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// The version `--version` prints: Cargo.toml's, the commit built and the target, as build.rs
/// found them.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("AWSSECRETS_BUILD"),
    ")"
);

/// Options of `policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A SPEC to grant reading (as for export), repeatable; default: $AWSSECRETS_SECRETS
    #[arg(short, long = "secret", value_name = "SPEC")]
    pub secrets: Vec<String>,

    /// The account of the secrets and parameters named without an ARN (default: the caller's,
    /// from sts:GetCallerIdentity)
    #[arg(long, value_name = "ID", value_parser = parse_account)]
    pub account: Option<String>,

    /// Also allow secretsmanager:BatchGetSecretValue (on *, as AWS requires): fewer round trips.
    /// Without it, awssecrets reads each secret on its own after one denied batch call
    #[arg(long)]
    pub batch: bool,

    /// Also allow kms:Decrypt on this customer managed key, through the services read only;
    /// repeatable (the AWS managed keys need no permission)
    #[arg(long = "kms-key", value_name = "ARN")]
    pub kms_keys: Vec<String>,

    /// Print the trust policy of a role that a CI job's OIDC token may assume:
    /// gitlab:GROUP/PROJECT[:BRANCH] or github:OWNER/REPO[:BRANCH] (no branch: any ref)
    #[arg(long, value_name = "CI:PROJECT[:BRANCH]")]
    pub trust: Option<String>,

    /// The GitLab instance whose OIDC provider --trust gitlab: names
    #[arg(long, value_name = "HOST", default_value = "gitlab.com")]
    pub gitlab_host: String,

    #[command(flatten)]
    pub aws: AwsArgs,

    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

fn parse_account(text: &str) -> Result<String, String> {
    if is_account_id(text) {
        Ok(text.to_owned())
    } else {
        Err("an AWS account id is 12 digits".into())
    }
}

/// Options of `whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub aws: AwsArgs,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = WhoamiFormat::Text)]
    pub format: WhoamiFormat,

    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

/// How `whoami` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhoamiFormat {
    /// Aligned `field  value` lines
    Text,
    /// One JSON object
    Json,
}

/// Options of `exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,

    #[command(flatten)]
    pub env: EnvFilesArgs,

    /// Start COMMAND with only a minimal inherited environment (see above) plus the variables
    #[arg(long)]
    pub pristine: bool,

    /// Write variable NAME's value (a binary secret's bytes) to a 0600 file in a private 0700
    /// directory and set NAME to its path instead, for tools that want a path (kubeconfig,
    /// keys); repeatable. The directory is removed when COMMAND ends, by signal included
    #[arg(long = "file", value_name = "NAME", value_parser = parse_variable_name)]
    pub files: Vec<String>,

    /// Render TEMPLATE (as `awssecrets render` does) into a 0600 file in the private directory
    /// of --file, and set VAR to its path, for tools that read a config file
    /// (NPM_CONFIG_USERCONFIG, KUBECONFIG, ...); repeatable. Masking also masks each value in
    /// the form the template wrote it. The file is removed when COMMAND ends
    #[arg(long = "render", value_name = "TEMPLATE=VAR", value_parser = parse_render)]
    pub renders: Vec<(PathBuf, String)>,

    /// Mask secret values in COMMAND's output (default when $CI is set, as GitLab and GitHub do)
    #[arg(long, overrides_with = "no_mask")]
    pub mask: bool,

    /// Do not mask: replace awssecrets with COMMAND (default outside CI)
    #[arg(long, overrides_with = "mask")]
    pub no_mask: bool,

    #[command(flatten)]
    pub length: MaskLengthArgs,

    /// The command to run and its arguments, after --
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Options of `export` (and of the bare command).
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = FormatArg(Format::Sh), env = "AWSSECRETS_FORMAT")]
    pub format: FormatArg,

    /// Write to FILE (created 0600, replaced atomically) instead of stdout; for --format github,
    /// the file to append to instead of $GITHUB_ENV. `-o -` is stdout on purpose: in CI
    /// (`CI` set), values are printed to stdout only so when stdout is the job's log
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Print GitHub's ::add-mask:: for every value (every line of a multi-line one) on stdout
    /// first, whatever the format: so that a later step printing the file shows *** (the
    /// github formats always do)
    #[arg(long)]
    pub add_mask: bool,

    /// --format gitlab: refuse more variables than this (your instance's dotenv_variables
    /// limit; GitLab.com 50, 100 or 150 by tier, self-managed 20 by default) [default: 150]
    #[arg(long, value_name = "COUNT", env = "AWSSECRETS_GITLAB_MAX_VARIABLES",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub gitlab_max_variables: Option<u32>,

    /// --format gitlab: refuse a report whose gzip-compressed size (what GitLab measures) is
    /// this many bytes or more (your instance's dotenv_size limit) [default: 5120]
    #[arg(long, value_name = "BYTES", env = "AWSSECRETS_GITLAB_MAX_BYTES",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub gitlab_max_bytes: Option<u32>,
}

/// Which secrets to fetch, how to name their variables, and how to reach AWS.
#[derive(Debug, Args)]
pub struct SelectionArgs {
    /// Secret or parameter to fetch, repeatable: ID (secret name or ARN), ID#KEY1,KEY2 (only
    /// those keys of a JSON secret), ALIAS,ID (variable name of a plain secret, prefix ALIAS_ of
    /// a JSON secret's keys), ID* (every secret whose name starts with ID); ssm:NAME (a
    /// Parameter Store parameter, by name or ARN), ssm:NAME:VERSION, ssm:NAME:LABEL,
    /// ssm:/PATH/ (every parameter under the path), with ALIAS, and #KEYS but for a path. A `?`
    /// after the ID makes it optional: skipped with a warning if it does not exist (or a
    /// prefix or path matches nothing); access denied and other failures still fail.
    /// Default: $AWSSECRETS_SECRETS, one SPEC per line or comma-separated ids
    #[arg(short, long = "secret", value_name = "SPEC")]
    pub secrets: Vec<String>,

    /// Fetch this version stage instead of AWSCURRENT (e.g. AWSPREVIOUS)
    #[arg(long, value_name = "STAGE")]
    pub version_stage: Option<String>,

    /// Put PREFIX before every variable name
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,

    /// Upper-case variable names that come from JSON keys
    #[arg(long)]
    pub uppercase: bool,

    /// Refuse JSON keys that are not valid variable names instead of sanitising them
    #[arg(long)]
    pub strict: bool,

    /// Let a secret's content set NAME although it is reserved (PATH, LD_*, *_PROXY,
    /// NODE_OPTIONS, AWS_ENDPOINT_URL*, GITHUB_*, CI_JOB_TOKEN, ...: names that change which
    /// program runs, what it loads or trusts, or how CI runs the job); repeatable. Names the
    /// pipeline wrote (an ALIAS, a key listed after #) need no allowing. docs/security.md lists
    /// every reserved name and why
    #[arg(long = "allow-name", value_name = "NAME")]
    pub allow_names: Vec<String>,

    /// Refuse every name a secret's content chose (JSON keys not listed after #, names found
    /// under a prefix or path): only ALIASes, listed keys and names derived from the ids
    /// given. For secrets that others than the pipeline's authors may write
    #[arg(long)]
    pub only_listed_keys: bool,

    /// Name the inputs of the CI integration that runs awssecrets in messages, instead of
    /// the options
    #[arg(long, value_enum, hide = true, value_name = "CALLER")]
    pub inputs_of: Option<Caller>,

    #[command(flatten)]
    pub aws: AwsArgs,

    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

/// How much is said on stderr.
#[derive(Debug, Args)]
pub struct VerbosityArgs {
    /// Tell what is done, fetched and how long it took (retries, slow calls), on stderr; never
    /// a value
    #[arg(short, long, overrides_with = "quiet")]
    pub verbose: bool,

    /// Say no warnings (the ones a job expects); errors are always said
    #[arg(short, long, overrides_with = "verbose")]
    pub quiet: bool,
}

/// Who runs awssecrets on the user's behalf, for `--inputs-of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Caller {
    /// The fetch-secrets GitLab component.
    FetchSecretsComponent,
    /// The dotenv-report GitLab component.
    DotenvReportComponent,
    /// The GitHub action.
    GithubAction,
}

/// How to reach AWS.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// AWS region (default: the SDK's usual sources, e.g. AWS_REGION or the profile); a full
    /// ARN's own region always wins for that secret
    #[arg(long, value_name = "REGION", value_parser = parse_single_word)]
    pub region: Option<String>,

    /// Named profile from the AWS config files (default: AWS_PROFILE, else "default")
    #[arg(long, value_name = "NAME", value_parser = parse_single_word)]
    pub profile: Option<String>,

    /// Send every AWS request to this URL (AWS_ENDPOINT_URL is honoured too)
    #[arg(long, value_name = "URL", value_parser = parse_single_word)]
    pub endpoint_url: Option<String>,

    /// Give up on AWS after this many seconds in all, retries included
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = parse_seconds)]
    pub timeout: f64,

    /// Assume this IAM role with whatever credentials were found (or with a CI OIDC token)
    #[arg(long, value_name = "ARN", env = "AWSSECRETS_ROLE_ARN", value_parser = parse_single_word)]
    pub role_arn: Option<String>,

    /// Session name for --role-arn, shown in CloudTrail [default: from the CI job (GitLab project
    /// path and job id, GitHub repository and run id), else the local user]
    #[arg(long, value_name = "NAME", value_parser = parse_session_name)]
    pub role_session_name: Option<String>,

    /// External id for --role-arn, when the role's trust policy requires one
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,

    /// Lifetime of the --role-arn session (900 to 43200 seconds; AWS default 3600)
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(i32).range(900..=43200))]
    pub duration_seconds: Option<i32>,

    /// Exchange the OIDC token (JWT) held in environment variable VAR for --role-arn credentials
    /// (GitLab: the variable named under id_tokens:). On GitHub Actions with a role and the
    /// id-token: write permission, the token is fetched without this option
    #[arg(long, value_name = "VAR", value_parser = parse_variable_name)]
    pub web_identity_token_env: Option<String>,

    /// Audience of the GitHub Actions OIDC token
    #[arg(long, value_name = "AUDIENCE", default_value = "sts.amazonaws.com")]
    pub oidc_audience: String,
}

fn parse_variable_name(text: &str) -> Result<String, String> {
    if crate::naming::is_valid_variable_name(text) {
        Ok(text.to_owned())
    } else {
        Err("a variable name is letters, digits and _, not first a digit".into())
    }
}

/// `TEMPLATE=VAR` of `exec --render`: the template's path, and a variable name.
fn parse_render(text: &str) -> Result<(PathBuf, String), String> {
    let (template, variable) = text
        .rsplit_once('=')
        .ok_or("expected TEMPLATE=VAR: the template, then the variable to set to its file")?;
    if template.is_empty() {
        return Err("the template before = is empty".into());
    }
    Ok((PathBuf::from(template), parse_variable_name(variable)?))
}

/// A value that is one word: no space, no line break, no control character.
fn parse_single_word(text: &str) -> Result<String, String> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("it holds a space, a line break or a control character".into())
    } else {
        Ok(text.to_owned())
    }
}

fn parse_session_name(text: &str) -> Result<String, String> {
    if crate::aws::is_valid_session_name(text) {
        Ok(text.to_owned())
    } else {
        Err("a role session name is 2 to 64 of letters, digits and _+=,.@-".into())
    }
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 => Ok(seconds),
        _ => Err("expected a number of seconds between 0 and 3600".into()),
    }
}

fn parse_min_length(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(length) if length >= 1 => Ok(length),
        _ => Err("expected a whole number of characters, at least 1".into()),
    }
}

/// A format as the command line names it: [`Format`]'s list, names and descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatArg(pub Format);

impl ValueEnum for FormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [FormatArg; Format::ALL.len()] = {
            let mut all = [FormatArg(Format::Sh); Format::ALL.len()];
            let mut index = 0;
            while index < all.len() {
                all[index] = FormatArg(Format::ALL[index]);
                index += 1;
            }
            all
        };
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()).help(self.0.description()))
    }
}

impl std::fmt::Display for FormatArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}
