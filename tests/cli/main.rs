//! End-to-end tests: the real binary against the moto emulator on loopback.

mod action;
mod bad_input;
mod credentials;
mod exec;
mod export;
mod failures;
mod faults;
mod formats;
mod hygiene;
mod properties;
mod support;
mod tls;
