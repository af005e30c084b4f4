//! End-to-end tests: the real binary against the moto emulator on loopback, each test in an
//! AWS account and a temp HOME of its own (see `support`).
//!
//! Where a new test goes:
//! - a SPEC, naming or layering behaviour of `export`: `export.rs`; of `exec`: `exec.rs`;
//!   credentials and `whoami`: `credentials.rs`;
//! - what one format writes and its consumer reads: `formats.rs`; every format at once goes
//!   through `consumers::readers` and the property tests (`properties.rs`);
//! - who chose a name, reserved names and the real programs they would hijack: `reserved.rs`;
//! - a hostile secret (encoded forms, a stalled masker, messages): `hostile.rs`; signals,
//!   core dumps, /proc and PID 1: `signals.rs`;
//! - a failure's exit code and message: `failures.rs`; injected faults, retries, batching:
//!   `faults.rs`; extreme input: `bad_input.rs`; nothing leaking anywhere: `hygiene.rs`;
//! - TLS: `tls.rs`; proxies: `proxy.rs`; the GitHub action: `action.rs`; the module layering rule: `layering.rs`.
//!
//! Run the binary with `TestEnv::awssecrets(args)` (the one builder); seed values with the
//! source's fixtures (`support::fixtures`); check leaks with `support::CANARY` and files left
//! alone with `support::Untouched`.

mod action;
mod bad_input;
mod consumers;
mod credentials;
mod exec;
mod export;
mod failures;
mod faults;
mod formats;
mod hostile;
mod hygiene;
mod layering;
mod parameters;
mod policy;
mod properties;
mod proxy;
mod reserved;
mod signals;
mod support;
mod tls;
