//! End-to-end tests: the real binary against the moto emulator on loopback, each test in an
//! AWS account and a temp HOME of its own (see `support`).
//!
//! Where a new test goes, by what it is about (every file of this crate is listed):
//!
//! | file | what its tests are about |
//! | --- | --- |
//! | `export.rs` | `export`: SPECs, naming, layering, destinations (`-o`, FIFOs, shared directories, the CI log) |
//! | `exec.rs` | `exec`: environment, env files, masking, `--file`, exit codes |
//! | `parameters.rs` | the Parameter Store source: names, versions, labels, paths |
//! | `credentials.rs` | credentials, roles, OIDC, profiles, `whoami` |
//! | `policy.rs` | `awssecrets policy`, checked against IAM enforcement |
//! | `formats.rs` | what one format writes and its consumer reads |
//! | `consumers.rs` | every source x format x real reader, over a corpus built to be misread |
//! | `properties.rs` | property tests: any value through every format and reader, the masker |
//! | `reserved.rs` | who chose a name; reserved names against the real programs they hijack |
//! | `hostile.rs` | a hostile secret: encoded forms in output, a stalled masker, messages |
//! | `scan.rs` | `scan` (forms x containers, clean trees, links, unreadable archives) and `redact` |
//! | `signals.rs` | signals, core dumps, /proc, PID 1, core limits |
//! | `examples.rs` | every example of README.md, docs/ and `--help`, run or parsed; versions in them |
//! | `failures.rs` | a failure's exit code and message |
//! | `help.rs` | what awssecrets says of itself: `--version`, completions in real shells, man pages |
//! | `faults.rs` | injected faults, retries, throttling, batching, calls in flight |
//! | `bad_input.rs` | extreme input: sizes, encodings, nesting |
//! | `hygiene.rs` | nothing leaking: stderr, temp files, modes |
//! | `templates.rs` | `render` and `exec --render`: escapes read back by real parsers, strict errors |
//! | `tls.rs` | TLS trust |
//! | `proxy.rs` | HTTP proxies, through a real tinyproxy |
//! | `action.rs` | the GitHub action (`action/run.sh`), run as the runner would |
//! | `layering.rs` | the module layering rule of `src/lib.rs` |
//!
//! `support/`: the one builder (`TestEnv::awssecrets`, `TestEnv::exec`, `Run`, and `Outcome`,
//! strict unless told: exit 0 and an empty stderr), each source's fixtures (`fixtures/`),
//! background processes watched by events (`child.rs`), the emulator, a fault proxy, HTTP
//! stubs, tinyproxy, the real readers (`consumers.rs`) and shared values (`values.rs`). A tool
//! a test needs that is missing fails it (`support::require`): `scripts/test` installs them.
//! Seed values with the source's fixtures; check leaks with `support::CANARY` and files left
//! alone with `support::Untouched`.

mod action;
mod bad_input;
mod consumers;
mod credentials;
mod examples;
mod exec;
mod export;
mod failures;
mod faults;
mod formats;
mod help;
mod hostile;
mod hygiene;
mod layering;
mod parameters;
mod policy;
mod properties;
mod proxy;
mod reserved;
mod scan;
mod signals;
mod support;
mod templates;
mod tls;
