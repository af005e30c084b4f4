//! awssecrets: fetch AWS Secrets Manager secrets for CI, and print them for the consumer that
//! reads them or run a command with them in its environment.
//!
//! `main.rs` only parses the command line and reports; [`app`] runs the commands. The pure core
//! ([`spec`], [`secret`], [`output`], [`mask`]) does no I/O; the edges ([`aws`], [`fetch`],
//! [`credentials`], [`tls`], [`files`], [`exec`]) do.

pub mod app;
pub mod aws;
pub mod cli;
pub mod credentials;
pub mod error;
pub mod exec;
pub mod fetch;
pub mod files;
pub mod mask;
pub mod output;
pub mod secret;
pub mod spec;
pub mod tls;
