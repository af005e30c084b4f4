//! The text `--help` shows after the options of each command: its examples (each run by
//! `tests/cli/examples.rs`) and its exit codes. The man pages show them as sections of their
//! own.

/// After the options of `awssecrets --help`.
pub const EXAMPLES: &str = "\
Examples:
  First CI stage: fetch, write a 0600 artifact that later stages load
    awssecrets --region eu-west-1 --secret ci/npm -o .ci-secrets
    set -a; . ./.ci-secrets; set +a

  A file for dotenv readers (node --env-file, python-dotenv, dotenv, dotenvy)
    awssecrets -s ci/app --format dotenv -o .env

  Only two keys of a JSON secret, and a plain secret under a chosen name
    awssecrets -s 'ci/db#user,password' -s 'NPM_TOKEN,ci/npm-token'

  Layer secrets (later wins), prefix every name, GitLab dotenv report
    awssecrets -s ci/common -s ci/prod --prefix APP_ --format gitlab -o build.env

  Every secret under a path, from the previous rotation
    awssecrets -s 'ci/prod/*' --version-stage AWSPREVIOUS --format json

  Parameter Store: a parameter, one at a version, every parameter under a path
    awssecrets -s ssm:/ci/npm/token -s 'DB,ssm:/ci/db:3' -s 'APP,ssm:/ci/app/'

  The least-privilege IAM policy those SPECs need
    awssecrets policy -s ssm:/ci/npm/token -s 'ci/prod/*' --region eu-west-1

  GitHub Actions: mask every value, append to $GITHUB_ENV
    awssecrets -s arn:aws:secretsmanager:us-east-1:123456789012:secret:ci/npm-AbCdEf --format github

  GitHub Actions: step outputs instead (run: step with id: fetch, then
  ${{ steps.fetch.outputs.NPM_TOKEN }} in the one step that needs it)
    awssecrets -s 'NPM_TOKEN,ci/npm' --format github-output

  An optional secret (`?`): skipped with a warning when it does not exist
    awssecrets -s ci/common -s 'ci/overrides/feature-x?'

  Behind a proxy (https_proxy, http_proxy, all_proxy, no_proxy; -v shows the route,
  never the password; instance metadata and container credentials are always direct)
    HTTPS_PROXY=http://user:pass@proxy.corp:3128 NO_PROXY=.internal awssecrets -s ci/npm -v

  Secret list from the environment (one SPEC per line, or comma-separated ids)
    AWSSECRETS_SECRETS=ci/common,ci/prod awssecrets --format json

Exit codes:
  0 success            3 not found               6 throttled, network, timeout
  1 unexpected error   4 access denied or KMS    7 bad secret content for the format
  2 usage error        5 no or rejected creds    8 cannot write the output
                                                   (or stdout is the CI job's log)
  7 also: a reserved name the secret's content chose (see --allow-name)";

/// After the options of `awssecrets render --help`.
pub const RENDER_EXAMPLES: &str = "\
Examples:
  An .npmrc with the token (.npmrc.tmpl holds //registry.npmjs.org/:_authToken={{ NPM_TOKEN }})
    awssecrets render -s ci/npm -i .npmrc.tmpl -o .npmrc

  Two files, one fetch; in config.json.tmpl, {\"password\": {{ DB_password }}} is JSON-escaped
    awssecrets render -s DB,ci/db -i config.json.tmpl -o config.json -i db.env.tmpl -o db.env

  A later stage, from the first stage's file (no AWS call), to stdout
    awssecrets render --env-file .ci-secrets -i settings.xml.tmpl -o -

Exit codes:
  0 every file written
  7 a template problem (TEMPLATE:LINE:COLUMN: what), or a value its escape cannot carry
  8 an output could not be written (then none was)
  2-6 as for export";

/// After the options of `awssecrets scan --help`.
pub const SCAN_EXAMPLES: &str = "\
Examples:
  A job's artifacts, before they are uploaded: the values of the first stage's file, no AWS
  call (the file itself, which holds them, excluded)
    awssecrets scan --env-file .ci-secrets --exclude .ci-secrets dist/ build/

  Fetch the values to look for, and report as JSON
    awssecrets scan -s ci/npm -s ci/db --format json logs/ > findings.json

Exit codes:
  0 nothing found, everything read
  9 a value was found (each finding is on stdout)
  10 nothing found, but a file or archive could not be read through (listed on stderr)
  2-6 as for export (usage, not found, access denied, credentials, AWS unavailable)";

/// After the options of `awssecrets redact --help`.
pub const REDACT_EXAMPLES: &str = "\
Examples:
  A build's log, masked, in a step not run under exec
    ./build.sh 2>&1 | awssecrets redact --env-file .ci-secrets

  A file someone will read, with the values fetched
    awssecrets redact -s ci/npm < debug.log > debug-redacted.log

Exit codes:
  0 done (also when the reader stops reading early)
  8 stdout could not be written
  2-6 as for export";

/// After the options of `awssecrets whoami --help`.
pub const WHOAMI_EXAMPLES: &str = "\
Examples:
  Who a CI job is, from its ambient credentials (GitLab, GitHub, EC2, ECS, EKS)
    awssecrets whoami

  Which role a profile assumes, and where its region comes from
    awssecrets --profile ci whoami

  The same as JSON, for a script
    awssecrets whoami --format json

  The session a role gives (what CloudTrail will show)
    awssecrets whoami --role-arn arn:aws:iam::123456789012:role/ci-read -v

Exit codes:
  0 success    2 usage error (no region for an --endpoint-url)
  5 no or rejected credentials    6 throttled, network, timeout";

/// After the options of `awssecrets completions --help`.
pub const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  bash (bash-completion loads it when awssecrets is first completed)
    mkdir -p ~/.local/share/bash-completion/completions
    awssecrets completions bash > ~/.local/share/bash-completion/completions/awssecrets

  zsh (a directory in $fpath, before compinit runs)
    mkdir -p ~/.zfunc
    awssecrets completions zsh > ~/.zfunc/_awssecrets

  fish
    mkdir -p ~/.config/fish/completions
    awssecrets completions fish > ~/.config/fish/completions/awssecrets.fish";

/// After the options of `awssecrets man --help`.
pub const MAN_EXAMPLES: &str = "\
Examples:
  Read the manual page of awssecrets, then the one of exec
    awssecrets man | man -l -
    awssecrets man exec | man -l -

  Install every page where man finds them
    mkdir -p ~/.local/share/man/man1
    awssecrets man > ~/.local/share/man/man1/awssecrets.1
    awssecrets man exec > ~/.local/share/man/man1/awssecrets-exec.1";

/// After the options of `awssecrets policy --help`.
pub const POLICY_EXAMPLES: &str = "\
Examples:
  The policy of a CI role reading two secrets, a prefix and a parameter path
    awssecrets policy --region eu-west-1 --account 123456789012 \\
        -s ci/npm -s 'DB,ci/db#user' -s 'ci/prod/*' -s ssm:/ci/app/

  The trust policy of that role, for the main branch of a GitLab project
    awssecrets policy --account 123456789012 --trust gitlab:group/app:main

  Secrets encrypted with a customer managed KMS key, fetched in batches
    awssecrets policy -s ci/npm -s ci/db --batch --kms-key arn:aws:kms:eu-west-1:123456789012:key/ID";

/// After the options of `awssecrets exec --help`.
pub const EXEC_EXAMPLES: &str = "\
Examples:
  Publish with the token in the environment, never on disk
    awssecrets exec -s ci/npm -- npm publish

  A later CI stage: variables from the first stage's artifact, no AWS call
    awssecrets exec --env-file .ci-secrets -- ./deploy.sh

  Only the secrets and a minimal environment, output masked even outside CI
    awssecrets exec --pristine --mask -s ci/db -- ./migrate.sh

  A tool that wants a path: the kubeconfig in a private 0600 file, removed afterwards
    awssecrets exec -s KUBECONFIG,ci/kubeconfig --file KUBECONFIG -- kubectl get pods

  A config file made from a template, for this command only (.npmrc.tmpl holds
  //registry.npmjs.org/:_authToken={{ NPM_TOKEN }})
    awssecrets exec -s ci/npm --render .npmrc.tmpl=NPM_CONFIG_USERCONFIG -- npm publish

Exit codes:
  COMMAND's own status, or 128+N if signal N killed it (masked mode, --file)
  126 COMMAND cannot be run   127 COMMAND not found
  1-8 awssecrets failed before starting COMMAND (see awssecrets --help)";
