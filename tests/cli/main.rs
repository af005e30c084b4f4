//! End-to-end tests: the real binary against the moto emulator on loopback.

mod action;
mod credentials;
mod exec;
mod export;
mod failures;
mod formats;
mod support;
mod tls;
