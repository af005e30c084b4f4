//! What a group of reserved names is: its family, why, where that is documented, its patterns.

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
