//! Names only the pipeline may set: the variables that change which program runs, what it
//! loads, where it fetches from, what it trusts, or how CI runs the job. Grouped by family, each
//! group with why and the documentation that says so; a whole prefix where the namespace is
//! all settings, otherwise the tool's documented variables, so that the credential names
//! scripts use (`GIT_TOKEN`, `SSH_PRIVATE_KEY`, `DOCKER_PASSWORD`, `NPM_TOKEN`) stay free.

/// What a reserved name changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// AWS configuration other than credentials (and awssecrets' own settings).
    Aws,
    /// Where traffic goes and what TLS trusts.
    TrustAndRouting,
    /// What code a program loads or runs inside itself.
    CodeAndHooks,
    /// Which program a tool runs.
    ProgramPickers,
    /// How shells find commands, parse and start.
    Shells,
    /// What a CI system sets for the job, or reads as its settings.
    Ci,
}

impl Family {
    /// Every family, in the order the documentation lists them.
    pub const ALL: [Family; 6] = [
        Family::Aws,
        Family::TrustAndRouting,
        Family::CodeAndHooks,
        Family::ProgramPickers,
        Family::Shells,
        Family::Ci,
    ];

    /// Its name in messages and documentation.
    pub fn title(self) -> &'static str {
        match self {
            Family::Aws => "AWS configuration",
            Family::TrustAndRouting => "trust and routing",
            Family::CodeAndHooks => "code and hooks",
            Family::ProgramPickers => "program pickers",
            Family::Shells => "shells",
            Family::Ci => "CI",
        }
    }
}

/// A group of reserved names that share why they are reserved and where that is documented.
#[derive(Debug)]
pub struct Reserved {
    pub family: Family,
    /// Why, as a clause: `it decides which program a command name runs`.
    pub why: &'static str,
    /// The documentation that says what the names do.
    pub source: &'static str,
    /// `NAME` exactly, or with `*` standing for any run of characters (`LD_*`, `*_OPTIONS`,
    /// `*CA_BUNDLE*`, `CARGO_REGISTRIES_*_TOKEN`).
    pub patterns: &'static [&'static str],
    /// Whether the names are read in any case (`http_proxy` as well as `HTTP_PROXY`).
    pub any_case: bool,
}

/// Credential-only names inside reserved namespaces: they carry a secret, not a destination,
/// whose destination the reserved settings still fix.
pub const CREDENTIALS: &[&str] = &[
    "CARGO_REGISTRY_TOKEN",
    "CARGO_REGISTRIES_*_TOKEN",
    "GEM_HOST_API_KEY",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "POETRY_PYPI_TOKEN_*",
    "POETRY_HTTP_BASIC_*_USERNAME",
    "POETRY_HTTP_BASIC_*_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "UV_INDEX_*_USERNAME",
    "UV_INDEX_*_PASSWORD",
    "YARN_NPM_AUTH_TOKEN",
    "YARN_NPM_AUTH_IDENT",
];

/// The group that reserves `name`, if any.
pub fn reserved(name: &str) -> Option<&'static Reserved> {
    if CREDENTIALS.iter().any(|pattern| matches(pattern, name)) {
        return None;
    }
    RESERVED.iter().find(|group| {
        group.patterns.iter().any(|pattern| {
            if group.any_case {
                matches(pattern, &name.to_ascii_uppercase())
            } else {
                matches(pattern, name)
            }
        })
    })
}

/// Whether `name` matches `pattern`, where each `*` stands for any run of characters.
fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(index) => rest = &rest[index + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

use Family::*;

/// Every reserved name, by family.
pub const RESERVED: &[Reserved] = &[
    // AWS configuration other than credentials.
    Reserved {
        family: Aws,
        why: "it chooses where the AWS SDKs and CLI send signed requests (a later run's OIDC \
              token included)",
        source: "AWS SDKs and Tools Reference Guide: service-specific endpoints; endpoint settings",
        patterns: &[
            "AWS_ENDPOINT_URL*",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "AWS_USE_FIPS_ENDPOINT",
            "AWS_USE_DUALSTACK_ENDPOINT",
            "AWS_STS_REGIONAL_ENDPOINTS",
            "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT",
            "AWS_ACCOUNT_ID_ENDPOINT_MODE",
        ],
        any_case: false,
    },
    Reserved {
        family: Aws,
        why: "it replaces the certificate authorities the AWS CLI and SDKs trust",
        source: "AWS SDKs and Tools Reference Guide: general configuration (ca_bundle)",
        patterns: &["AWS_CA_BUNDLE"],
        any_case: false,
    },
    Reserved {
        family: Aws,
        why: "it chooses the configuration the AWS SDKs and CLI load (a profile's \
              credential_process runs a command)",
        source: "AWS CLI: config-vars; AWS SDKs and Tools Reference Guide: shared config files",
        patterns: &[
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SDK_LOAD_CONFIG",
            "AWS_DATA_PATH",
        ],
        any_case: false,
    },
    Reserved {
        family: Aws,
        why: "it chooses where the AWS SDKs get credentials from, and so the job's identity",
        source: "AWS SDKs and Tools Reference Guide: container credentials, assume role \
                 credentials, IMDS credentials",
        patterns: &[
            "AWS_CONTAINER_*",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN",
            "AWS_ROLE_SESSION_NAME",
            "AWS_EC2_METADATA_*",
            "AWS_METADATA_SERVICE_*",
            "AWS_LAMBDA_*",
        ],
        any_case: false,
    },
    Reserved {
        family: Aws,
        why: "it changes how the AWS CLI and SDKs behave (AWS_PAGER runs a program, AWS_CSM_HOST \
              receives every call's metadata)",
        source: "AWS CLI: config-vars; AWS SDKs and Tools Reference Guide: settings reference",
        patterns: &[
            "AWS_PAGER",
            "AWS_CLI_*",
            "AWS_CSM_*",
            "AWS_MAX_ATTEMPTS",
            "AWS_RETRY_MODE",
            "AWS_AUTH_SCHEME_PREFERENCE",
            "AWS_SIGV4A_SIGNING_REGION_SET",
            "AWS_REQUEST_CHECKSUM_CALCULATION",
            "AWS_RESPONSE_CHECKSUM_VALIDATION",
            "AWS_DISABLE_*",
            "AWS_EXECUTION_ENV",
            "AWS_DEFAULT_OUTPUT",
            "AWS_SDK_UA_APP_ID",
        ],
        any_case: false,
    },
    Reserved {
        family: Aws,
        why: "awssecrets reads it as a setting of its own",
        source: "awssecrets --help",
        patterns: &["AWSSECRETS_*"],
        any_case: false,
    },
    // Trust and routing.
    Reserved {
        family: TrustAndRouting,
        why: "it sends HTTP traffic through a proxy of its choosing (curl, git, pip, npm and the \
              AWS SDKs read every case)",
        source: "curl(1) ENVIRONMENT",
        patterns: &["*_PROXY"],
        any_case: true,
    },
    Reserved {
        family: TrustAndRouting,
        why: "it chooses which certificate authorities TLS trusts",
        source: "openssl-env(7); curl(1); git-config(1) http.sslCAInfo; Node.js CLI: \
                 NODE_EXTRA_CA_CERTS",
        patterns: &[
            "SSL_CERT_*",
            "*CA_BUNDLE*",
            "*CA_CERT*",
            "*CAINFO*",
            "*CAPATH*",
            "*CAFILE*",
            "*CA_FILE*",
        ],
        any_case: false,
    },
    Reserved {
        family: TrustAndRouting,
        why: "it turns certificate checks off (GIT_SSL_NO_VERIFY, NODE_TLS_REJECT_UNAUTHORIZED, \
              GOINSECURE)",
        source: "git(1) ENVIRONMENT; Node.js CLI: environment variables; go help environment",
        patterns: &["*VERIFY*", "*INSECURE*", "*TLS_REJECT*"],
        any_case: false,
    },
    Reserved {
        family: TrustAndRouting,
        why: "it configures the TLS, proxies or keys of curl, Python requests, git or OpenSSL \
              (SSLKEYLOGFILE receives TLS session keys)",
        source: "curl(1) ENVIRONMENT; requests: SSL cert verification; git(1) ENVIRONMENT",
        patterns: &["CURL_*", "REQUESTS_*", "GIT_SSL_*", "SSLKEYLOGFILE"],
        any_case: false,
    },
    Reserved {
        family: TrustAndRouting,
        why: "a package manager reads it as a setting: where it downloads code from, what it \
              trusts, what it runs",
        source: "pip: configuration; Yarn: yarnrc; uv: environment; Poetry: configuration",
        patterns: &["PIP_*", "YARN_*", "UV_*", "POETRY_*", "VIRTUAL_ENV"],
        any_case: false,
    },
    Reserved {
        family: TrustAndRouting,
        why: "npm reads it (in any case) as a setting: the registry, the CA, the shell that runs \
              scripts",
        source: "npm: config, environment variables",
        patterns: &["NPM_CONFIG_*"],
        any_case: true,
    },
    Reserved {
        family: TrustAndRouting,
        why: "it chooses where Go fetches modules from, what it verifies, or which toolchain \
              and tools it runs",
        source: "go help environment; go help private",
        patterns: &[
            "GOPROXY",
            "GOPRIVATE",
            "GONOPROXY",
            "GONOSUMDB",
            "GOSUMDB",
            "GOINSECURE",
            "GOVCS",
            "GOAUTH",
            "GOFLAGS",
            "GOTOOLCHAIN",
            "GOENV",
            "GOROOT",
            "GOWORK",
            "GOCACHEPROG",
            "GODEBUG",
            "GOEXPERIMENT",
            "GOPATH",
            "GOBIN",
            "GOMODCACHE",
            "GOTMPDIR",
            "GCCGO",
            "CGO_*",
            "NETRC",
        ],
        any_case: false,
    },
    Reserved {
        family: TrustAndRouting,
        why: "it rewrites how every program resolves host names",
        source: "hostname(7); resolv.conf(5)",
        patterns: &[
            "HOSTALIASES",
            "RES_OPTIONS",
            "LOCALDOMAIN",
            "RESOLV_HOST_CONF",
        ],
        any_case: false,
    },
    Reserved {
        family: TrustAndRouting,
        why: "it chooses the credential file Google's SDKs load, whose source may be a URL or a \
              program they run",
        source: "Google Cloud: application default credentials; google-auth: executable sources",
        patterns: &[
            "GOOGLE_APPLICATION_CREDENTIALS",
            "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
        ],
        any_case: false,
    },
    // Code and hooks.
    Reserved {
        family: CodeAndHooks,
        why: "the dynamic linker loads code named by it into every program",
        source: "ld.so(8) ENVIRONMENT",
        patterns: &["LD_*", "DYLD_*"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "the C library loads modules or data named by it, or tunes itself by it, in every \
              program",
        source: "ld.so(8) secure-execution mode; mallopt(3); glibc manual: tunables",
        patterns: &[
            "GCONV_PATH",
            "LOCPATH",
            "NLSPATH",
            "GETCONF_DIR",
            "NIS_PATH",
            "TZDIR",
            "MALLOC_*",
            "GLIBC_TUNABLES",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "OpenSSL loads the configuration, providers or engines it names",
        source: "openssl-env(7)",
        patterns: &["OPENSSL_*"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "a tool reads it as extra command-line options (NODE_OPTIONS --require, \
              JAVA_TOOL_OPTIONS -javaagent, MAKEFLAGS --eval, RUSTFLAGS)",
        source: "Node.js CLI: NODE_OPTIONS; java(1); make(1); Cargo book: environment variables",
        patterns: &["*_OPTIONS", "*_OPTS", "*FLAGS"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "Python reads it to choose the code it runs (PYTHONWARNINGS imports a module, \
              PYTHONSTARTUP runs a file)",
        source: "python3(1) ENVIRONMENT VARIABLES",
        patterns: &["PYTHON*"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "Perl, Ruby or Lua load code named by it (PERL5OPT -M, RUBYOPT -r, LUA_INIT)",
        source: "perlrun(1) ENVIRONMENT; ruby(1) ENVIRONMENT; RubyGems and Bundler \
                 configuration; Lua manual: lua standalone",
        patterns: &["PERL*", "RUBY*", "GEM_*", "BUNDLE_*", "LUA_*"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "the JVM or Gradle loads code named by it (JAVA_HOME picks the JVM)",
        source: "java(1) ENVIRONMENT; Gradle: environment variables",
        patterns: &["JAVA_*", "JDK_*", "CLASSPATH", "GRADLE_USER_HOME"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "Node.js loads code, modules or certificate authorities named by it",
        source: "Node.js CLI: environment variables",
        patterns: &[
            "NODE_OPTIONS",
            "NODE_PATH",
            "NODE_EXTRA_CA_CERTS",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "NODE_REPL_EXTERNAL_MODULE",
            "NODE_REPL_HISTORY",
            "NODE_V8_COVERAGE",
            "NODE_ICU_DATA",
            "NODE_PRESERVE_SYMLINKS",
            "NODE_REDIRECT_WARNINGS",
            "NODE_DEBUG",
            "NODE_DEBUG_NATIVE",
            "NODE_USE_ENV_PROXY",
            "NODE_USE_SYSTEM_CA",
            "NODE_COMPILE_CACHE",
            "NODE_COMPILE_CACHE_PORTABLE",
            "NODE_DISABLE_COMPILE_CACHE",
            "NODE_TEST_CONTEXT",
            "NODE_PENDING_PIPE_INSTANCES",
            "NODE_SKIP_PLATFORM_CHECK",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "Cargo and rustup run the compiler, linker or runner it names, or read it as \
              configuration (every Cargo setting is a CARGO_ variable)",
        source: "Cargo book: environment variables, configuration environment variables; rustup: \
                 environment variables",
        patterns: &[
            "RUSTC*", "RUSTDOC*", "RUSTFMT", "RUSTUP_*", "CARGO", "CARGO_*",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "Terraform adds it to every command line, or loads providers and settings from it",
        source: "Terraform CLI: environment variables",
        patterns: &[
            "TF_CLI_ARGS*",
            "TF_CLI_CONFIG_FILE",
            "TF_PLUGIN_CACHE_DIR",
            "TF_DATA_DIR",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "it names the kubeconfig whose exec: entries kubectl runs",
        source: "Kubernetes: organizing cluster access using kubeconfig files",
        patterns: &["KUBECONFIG"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "kubectl, Helm or docker run the plugins, helpers or daemons it names, or trust the \
              cluster and certificates it names",
        source: "kubectl diff (KUBECTL_EXTERNAL_DIFF); helm(1) environment variables; docker(1) \
                 environment variables; docker buildx",
        patterns: &[
            "KUBECTL_*",
            "KUBE_EDITOR",
            "HELM_*",
            "DOCKER_HOST",
            "DOCKER_CONTEXT",
            "DOCKER_CONFIG",
            "DOCKER_CERT_PATH",
            "DOCKER_TLS",
            "DOCKER_TLS_VERIFY",
            "DOCKER_API_VERSION",
            "DOCKER_CONTENT_TRUST",
            "DOCKER_CONTENT_TRUST_SERVER",
            "DOCKER_DEFAULT_PLATFORM",
            "BUILDX_*",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "git runs the program it names, or lets a transport run one",
        source: "git(1) ENVIRONMENT VARIABLES",
        patterns: &[
            "GIT_SSH*",
            "GIT_ASKPASS",
            "GIT_EXEC_PATH",
            "GIT_EDITOR",
            "GIT_SEQUENCE_EDITOR",
            "GIT_PAGER",
            "GIT_MAN_VIEWER",
            "GIT_EXTERNAL_DIFF",
            "GIT_EXTERNAL_DIFF_TRUST_EXIT_CODE",
            "GIT_DIFF_OPTS",
            "GIT_TEMPLATE_DIR",
            "GIT_PROXY_*",
            "GIT_ALLOW_PROTOCOL",
            "GIT_PROTOCOL_FROM_USER",
            "GIT_PROTOCOL",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "git reads its configuration (which runs commands) or its repository from where it \
              points",
        source: "git(1) ENVIRONMENT VARIABLES; git-config(1) ENVIRONMENT",
        patterns: &[
            "GIT_CONFIG*",
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_COMMON_DIR",
            "GIT_INDEX_FILE",
            "GIT_INDEX_VERSION",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_NAMESPACE",
            "GIT_CEILING_DIRECTORIES",
            "GIT_DISCOVERY_ACROSS_FILESYSTEM",
            "GIT_REPLACE_REF_BASE",
            "GIT_NO_REPLACE_OBJECTS",
            "GIT_GRAFT_FILE",
            "GIT_SHALLOW_FILE",
            "GIT_IMPLICIT_WORK_TREE",
            "GIT_PREFIX",
            "GIT_QUARANTINE_PATH",
            "GIT_ATTR_SOURCE",
            "GIT_DEFAULT_HASH",
            "GIT_DEFAULT_REF_FORMAT",
            "GIT_REF_STORAGE_FORMAT",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "git changes where it connects, what its traces write (tokens included) or what \
              it selects",
        source: "git(1) ENVIRONMENT VARIABLES",
        patterns: &[
            "GIT_TRACE*",
            "GIT_CURL_*",
            "GIT_HTTP_*",
            "GIT_REDIRECT_*",
            "GIT_TERMINAL_PROMPT",
            "GIT_NO_LAZY_FETCH",
            "GIT_REF_PARANOIA",
            "GIT_COMMIT_GRAPH_PARANOIA",
            "GIT_OPTIONAL_LOCKS",
            "GIT_LITERAL_PATHSPECS",
            "GIT_GLOB_PATHSPECS",
            "GIT_NOGLOB_PATHSPECS",
            "GIT_ICASE_PATHSPECS",
            "GIT_FLUSH",
            "GIT_ADVICE",
            "GIT_MERGE_VERBOSITY",
            "GIT_REFLOG_ACTION",
        ],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "ssh or gpg use the agent, the passphrase program or the keyrings it names",
        source: "ssh(1) ENVIRONMENT; gpg(1) --homedir",
        patterns: &["SSH_AUTH_SOCK", "SSH_ASKPASS*", "GNUPGHOME"],
        any_case: false,
    },
    Reserved {
        family: CodeAndHooks,
        why: "tools read their configuration (git's, pip's, curl's) from the directories it names",
        source: "XDG Base Directory Specification; git(1) FILES; curl(1) ENVIRONMENT",
        patterns: &["XDG_*"],
        any_case: false,
    },
    // Program pickers.
    Reserved {
        family: ProgramPickers,
        why: "tools run the command it names (git, less, man, cargo, the GitHub CLI)",
        source: "git(1) GIT_EDITOR and GIT_PAGER; less(1) ENVIRONMENT VARIABLES; man(1); Cargo \
                 book: BROWSER",
        patterns: &[
            "EDITOR",
            "VISUAL",
            "PAGER",
            "MANPAGER",
            "MANOPT",
            "BROWSER",
            "LESS",
            "LESSOPEN",
            "LESSCLOSE",
            "LESSEDIT",
            "LESSKEY*",
            "LESSSECURE",
        ],
        any_case: false,
    },
    Reserved {
        family: ProgramPickers,
        why: "make and build scripts run the compiler or tool it names, or read the makefiles it \
              names",
        source: "GNU make manual: implicit variables, MAKEFILES; go help environment",
        patterns: &[
            "CC",
            "CXX",
            "CPP",
            "LD",
            "AR",
            "AS",
            "FC",
            "RANLIB",
            "NM",
            "STRIP",
            "PKG_CONFIG",
            "MAKEFILES",
            "MAKELEVEL",
            "MAKESHELL",
        ],
        any_case: false,
    },
    Reserved {
        family: ProgramPickers,
        why: "the GitHub CLI runs the program, or talks to the host, it names",
        source: "gh help environment",
        patterns: &["GH_*"],
        any_case: false,
    },
    // Shells.
    Reserved {
        family: Shells,
        why: "it decides which program a command name runs",
        source: "bash(1) PATH and CDPATH; zshparam(1): path, cdpath, fpath and module_path are \
                 tied to their upper-case names",
        patterns: &[
            "PATH",
            "CDPATH",
            "EXECIGNORE",
            "path",
            "cdpath",
            "fpath",
            "module_path",
            "manpath",
        ],
        any_case: false,
    },
    Reserved {
        family: Shells,
        why: "shells read it to run code or to change how they parse",
        source: "bash(1) Shell Variables and INVOCATION; dash(1); zshparam(1)",
        patterns: &[
            "BASH_*",
            "ENV",
            "SHELLOPTS",
            "BASHOPTS",
            "GLOBIGNORE",
            "PS0",
            "PS1",
            "PS2",
            "PS3",
            "PS4",
            "PROMPT_COMMAND",
            "IFS",
            "ZDOTDIR",
            "FPATH",
            "MODULE_PATH",
            "STTY",
        ],
        any_case: false,
    },
    Reserved {
        family: Shells,
        why: "tools read their configuration from under it (HOME), write scripts to it (TMPDIR) \
              or run it (SHELL)",
        source: "bash(1) Shell Variables; git(1) FILES; ld.so(8)",
        patterns: &["HOME", "SHELL", "TMPDIR"],
        any_case: false,
    },
    // CI.
    Reserved {
        family: Ci,
        why: "GitHub Actions sets it for the job and its later steps",
        source: "GitHub Actions: variables reference, default environment variables",
        patterns: &["GITHUB_*", "RUNNER_*", "ACTIONS_*"],
        any_case: false,
    },
    Reserved {
        family: Ci,
        why: "GitHub Actions and GitLab CI set it, and tools change what they do by it",
        source: "GitHub Actions: default environment variables; GitLab: predefined variables",
        patterns: &["CI"],
        any_case: false,
    },
    Reserved {
        family: Ci,
        why: "GitLab's runner reads it as a setting of the job",
        source: "GitLab: configure runner behavior with variables; Kubernetes executor: \
                 overwrite variables; runner feature flags",
        patterns: &[
            "GIT_STRATEGY",
            "GIT_DEPTH",
            "GIT_CHECKOUT",
            "GIT_CLEAN_FLAGS",
            "GIT_FETCH_EXTRA_FLAGS",
            "GIT_CLONE_PATH",
            "GIT_CLONE_EXTRA_FLAGS",
            "GIT_SUBMODULE_*",
            "GIT_LFS_SKIP_SMUDGE",
            "TRANSFER_METER_*",
            "ARTIFACT_*",
            "CACHE_*",
            "FASTZIP_*",
            "ARCHIVER_STAGING_DIR",
            "AFTER_SCRIPT_IGNORE_ERRORS",
            "*_ATTEMPTS",
            "KUBERNETES_*",
            "FF_*",
            "DOCKER_AUTH_CONFIG",
            "HEALTHCHECK_TCP_PORT",
        ],
        any_case: false,
    },
    Reserved {
        family: Ci,
        why: "GitLab CI predefines it for every job",
        source: "GitLab: predefined CI/CD variables",
        patterns: GITLAB_PREDEFINED,
        any_case: false,
    },
];

/// GitLab's documented predefined variables (predefined_variables.md: the main table, merge
/// request and external pull request pipelines, and those the runner sets). `CI_` names one by
/// one, never the prefix: a secret `ci/npm` still gives `CI_NPM`.
const GITLAB_PREDEFINED: &[&str] = &[
    "GITLAB_CI",
    "GITLAB_FEATURES",
    "GITLAB_USER_*",
    "CHAT_CHANNEL",
    "CHAT_INPUT",
    "CHAT_USER_ID",
    "TRIGGER_PAYLOAD",
    "CI_API_V4_URL",
    "CI_API_GRAPHQL_URL",
    "CI_BUILD_NETWORK_NAME",
    "CI_BUILDS_DIR",
    "CI_COMMIT_AUTHOR",
    "CI_COMMIT_BEFORE_SHA",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_DESCRIPTION",
    "CI_COMMIT_MESSAGE",
    "CI_COMMIT_MESSAGE_IS_TRUNCATED",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_REF_PROTECTED",
    "CI_COMMIT_REF_SLUG",
    "CI_COMMIT_SHA",
    "CI_COMMIT_SHORT_SHA",
    "CI_COMMIT_TAG",
    "CI_COMMIT_TAG_MESSAGE",
    "CI_COMMIT_TIMESTAMP",
    "CI_COMMIT_TITLE",
    "CI_COMMIT_USER_LOGIN",
    "CI_CONCURRENT_ID",
    "CI_CONCURRENT_PROJECT_ID",
    "CI_CONFIG_PATH",
    "CI_CONFIG_REF_URI",
    "CI_DEBUG_TRACE",
    "CI_DEBUG_SERVICES",
    "CI_DEFAULT_BRANCH",
    "CI_DEFAULT_BRANCH_SLUG",
    "CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX",
    "CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX",
    "CI_DEPENDENCY_PROXY_PASSWORD",
    "CI_DEPENDENCY_PROXY_SERVER",
    "CI_DEPENDENCY_PROXY_USER",
    "CI_DEPLOY_FREEZE",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "CI_DISPOSABLE_ENVIRONMENT",
    "CI_ENVIRONMENT_ID",
    "CI_ENVIRONMENT_NAME",
    "CI_ENVIRONMENT_SLUG",
    "CI_ENVIRONMENT_URL",
    "CI_ENVIRONMENT_ACTION",
    "CI_ENVIRONMENT_TIER",
    "CI_GITLAB_FIPS_MODE",
    "CI_HAS_OPEN_REQUIREMENTS",
    "CI_JOB_GROUP_NAME",
    "CI_JOB_ID",
    "CI_JOB_IMAGE",
    "CI_JOB_MANUAL",
    "CI_JOB_NAME",
    "CI_JOB_NAME_SLUG",
    "CI_JOB_SERVICES",
    "CI_JOB_STAGE",
    "CI_JOB_STATUS",
    "CI_JOB_TIMEOUT",
    "CI_JOB_TOKEN",
    "CI_JOB_URL",
    "CI_JOB_STARTED_AT",
    "CI_JOB_STARTED_AT_SLUG",
    "CI_KUBERNETES_ACTIVE",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
    "CI_OPEN_MERGE_REQUESTS",
    "CI_PAGES_DOMAIN",
    "CI_PAGES_HOSTNAME",
    "CI_PAGES_URL",
    "CI_PIPELINE_ID",
    "CI_PIPELINE_IID",
    "CI_PIPELINE_SOURCE",
    "CI_PIPELINE_TRIGGERED",
    "CI_PIPELINE_URL",
    "CI_PIPELINE_CREATED_AT",
    "CI_PIPELINE_NAME",
    "CI_PIPELINE_SCHEDULE_DESCRIPTION",
    "CI_PROJECT_DIR",
    "CI_PROJECT_ID",
    "CI_PROJECT_NAME",
    "CI_PROJECT_NAMESPACE",
    "CI_PROJECT_NAMESPACE_ID",
    "CI_PROJECT_NAMESPACE_SLUG",
    "CI_PROJECT_PATH_SLUG",
    "CI_PROJECT_PATH",
    "CI_PROJECT_REPOSITORY_LANGUAGES",
    "CI_PROJECT_ROOT_NAMESPACE",
    "CI_PROJECT_ROOT_NAMESPACE_SLUG",
    "CI_PROJECT_TITLE",
    "CI_PROJECT_DESCRIPTION",
    "CI_PROJECT_TOPICS",
    "CI_PROJECT_URL",
    "CI_PROJECT_VISIBILITY",
    "CI_PROJECT_CLASSIFICATION_LABEL",
    "CI_REGISTRY",
    "CI_REGISTRY_IMAGE",
    "CI_REGISTRY_PASSWORD",
    "CI_REGISTRY_USER",
    "CI_RELEASE_DESCRIPTION",
    "CI_REPOSITORY_URL",
    "CI_RUNNER_DESCRIPTION",
    "CI_RUNNER_EXECUTABLE_ARCH",
    "CI_RUNNER_ID",
    "CI_RUNNER_REVISION",
    "CI_RUNNER_SHORT_TOKEN",
    "CI_RUNNER_TAGS",
    "CI_RUNNER_VERSION",
    "CI_SERVER_FQDN",
    "CI_SERVER_HOST",
    "CI_SERVER_NAME",
    "CI_SERVER_PORT",
    "CI_SERVER_PROTOCOL",
    "CI_SERVER_SHELL_SSH_HOST",
    "CI_SERVER_SHELL_SSH_PORT",
    "CI_SERVER_REVISION",
    "CI_SERVER_TLS_CA_FILE",
    "CI_SERVER_TLS_CERT_FILE",
    "CI_SERVER_TLS_KEY_FILE",
    "CI_SERVER_URL",
    "CI_SERVER_VERSION_MAJOR",
    "CI_SERVER_VERSION_MINOR",
    "CI_SERVER_VERSION_PATCH",
    "CI_SERVER_VERSION",
    "CI_SERVER",
    "CI_SHARED_ENVIRONMENT",
    "CI_TEMPLATE_REGISTRY_HOST",
    "CI_TRIGGER_SHORT_TOKEN",
    "CI_UPSTREAM_JOB_ID",
    "CI_UPSTREAM_PIPELINE_ID",
    "CI_UPSTREAM_PROJECT_ID",
    "CI_MERGE_REQUEST_APPROVED",
    "CI_MERGE_REQUEST_ASSIGNEES",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    "CI_MERGE_REQUEST_DIFF_ID",
    "CI_MERGE_REQUEST_EVENT_TYPE",
    "CI_MERGE_REQUEST_DESCRIPTION",
    "CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED",
    "CI_MERGE_REQUEST_ID",
    "CI_MERGE_REQUEST_IID",
    "CI_MERGE_REQUEST_LABELS",
    "CI_MERGE_REQUEST_MILESTONE",
    "CI_MERGE_REQUEST_PROJECT_ID",
    "CI_MERGE_REQUEST_PROJECT_PATH",
    "CI_MERGE_REQUEST_PROJECT_URL",
    "CI_MERGE_REQUEST_REF_PATH",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_PROTECTED",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_ID",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_PATH",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_URL",
    "CI_MERGE_REQUEST_SQUASH_ON_MERGE",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED",
    "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
    "CI_MERGE_REQUEST_TITLE",
    "CI_MERGE_REQUEST_DRAFT",
    "CI_EXTERNAL_PULL_REQUEST_IID",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_REPOSITORY",
    "CI_EXTERNAL_PULL_REQUEST_TARGET_REPOSITORY",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_SHA",
    "CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME",
    "CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_SHA",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A name `pattern` covers: each `*` filled in.
    fn example(pattern: &str) -> String {
        pattern.replace('*', "X")
    }

    #[test]
    fn every_pattern_of_the_table_reserves_what_it_says() {
        for group in RESERVED {
            assert!(!group.why.is_empty() && !group.source.is_empty());
            for pattern in group.patterns {
                let name = example(pattern);
                let found = reserved(&name).unwrap_or_else(|| panic!("{name} is not reserved"));
                assert!(
                    std::ptr::eq(found, group) || found.patterns.iter().any(|p| matches(p, &name)),
                    "{name} is reserved by another group"
                );
                if group.any_case {
                    assert!(
                        reserved(&name.to_ascii_lowercase()).is_some(),
                        "{name} in lower case"
                    );
                }
            }
        }
    }

    #[test]
    fn the_variables_hostile_secrets_use_are_reserved_by_their_family() {
        for (name, family) in [
            ("PYTHONWARNINGS", CodeAndHooks),
            ("BROWSER", ProgramPickers),
            ("MAKEFLAGS", CodeAndHooks),
            ("AWS_ENDPOINT_URL_STS", Aws),
            ("AWS_ENDPOINT_URL", Aws),
            ("HTTPS_PROXY", TrustAndRouting),
            ("https_proxy", TrustAndRouting),
            ("no_proxy", TrustAndRouting),
            ("npm_config_registry", TrustAndRouting),
            ("AWS_CA_BUNDLE", Aws),
            ("SSL_CERT_FILE", TrustAndRouting),
            ("NODE_EXTRA_CA_CERTS", TrustAndRouting),
            ("GIT_SSL_NO_VERIFY", TrustAndRouting),
            ("NODE_TLS_REJECT_UNAUTHORIZED", TrustAndRouting),
            ("GIT_SSH_COMMAND", CodeAndHooks),
            ("KUBECONFIG", CodeAndHooks),
            ("LD_PRELOAD", CodeAndHooks),
            ("RUSTC_WRAPPER", CodeAndHooks),
            ("TF_CLI_ARGS_plan", CodeAndHooks),
            ("LESSOPEN", ProgramPickers),
            ("PATH", Shells),
            ("path", Shells),
            ("BASH_ENV", Shells),
            ("GITHUB_TOKEN", Ci),
            ("GIT_STRATEGY", Ci),
            ("GET_SOURCES_ATTEMPTS", Ci),
            ("CI_JOB_TOKEN", Ci),
            ("AWSSECRETS_FORMAT", Aws),
        ] {
            let group = reserved(name).unwrap_or_else(|| panic!("{name} is not reserved"));
            assert_eq!(group.family, family, "{name}");
        }
    }

    #[test]
    fn the_credential_names_scripts_use_stay_allowed() {
        for name in [
            "GIT_TOKEN",
            "SSH_PRIVATE_KEY",
            "DOCKER_PASSWORD",
            "DOCKER_USERNAME",
            "GOOGLE_API_KEY",
            "NODE_ENV",
            "NODE_AUTH_TOKEN",
            "NPM_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ACCOUNT_ID",
            "DB_PASSWORD",
            "API_KEY",
            "SENTRY_DSN",
            "SLACK_WEBHOOK_URL",
            "GH_TOKEN",
            "GITLAB_TOKEN",
            "CARGO_REGISTRY_TOKEN",
            "CARGO_REGISTRIES_MY_REGISTRY_TOKEN",
            "TF_VAR_region",
            "TF_TOKEN_app_terraform_io",
            "CI_NPM",
            "CI_DEPLOY_KEY",
            "HOMEPAGE",
            "PATH_TO_KEY",
            "CIRCLE",
            "env",
            "home",
            "shell",
            "_X",
        ] {
            assert_eq!(reserved(name).map(|group| group.why), None, "{name}");
        }
    }

    #[test]
    fn no_pattern_is_listed_twice() {
        let mut patterns: Vec<&str> = RESERVED
            .iter()
            .flat_map(|group| group.patterns.iter().copied())
            .collect();
        let count = patterns.len();
        patterns.sort_unstable();
        patterns.dedup();
        assert_eq!(patterns.len(), count, "a pattern is listed twice");
        assert!(
            Family::ALL
                .iter()
                .all(|family| RESERVED.iter().any(|group| group.family == *family))
        );
    }

    #[test]
    fn patterns_match_as_globs() {
        assert!(matches("LD_*", "LD_PRELOAD"));
        assert!(!matches("LD_*", "OLD_X"));
        assert!(matches("*_OPTIONS", "NODE_OPTIONS"));
        assert!(!matches("*_OPTIONS", "OPTIONS"));
        assert!(matches("*CA_BUNDLE*", "AWS_CA_BUNDLE"));
        assert!(matches("*CA_BUNDLE*", "CA_BUNDLE"));
        assert!(matches(
            "CARGO_REGISTRIES_*_TOKEN",
            "CARGO_REGISTRIES_X_TOKEN"
        ));
        assert!(!matches(
            "CARGO_REGISTRIES_*_TOKEN",
            "CARGO_REGISTRIES_TOKEN"
        ));
        assert!(matches("PATH", "PATH"));
        assert!(!matches("PATH", "PATHX"));
    }
}
