//! awssecrets: fetch AWS Secrets Manager secrets and Parameter Store parameters for CI, and
//! print them for the consumer that reads them or run a command with them in its environment.
//!
//! # Layers
//!
//! A module may use the modules of lower layers, never those of its own layer or above
//! (`tests/cli/layering.rs` enforces this table):
//!
//! | layer | modules | what they are |
//! | --- | --- | --- |
//! | 6 | `cli` | the command line; only `main` sees it |
//! | 5 | `app` | one file per command: the only place that combines the layers below |
//! | 4 | `source`, `render`, `template`, `exec`, `scan` | where values come from; how they are written (as variables, into templates); how a command runs with them; where they are found |
//! | 3 | `aws` | the AWS edge: session, credentials, retries, failure classification |
//! | 2 | `naming`, `mask`, `files`, `process` | pure naming and masking; the file and process edges |
//! | 1 | `model`, `log` | values, variables, layers; what a run says on stderr |
//! | 0 | `error` | the one error type and its exit codes |
//!
//! The pure core (`naming`, `mask`, `template`, `render`, `model`) does no I/O; the edges
//! (`aws`, `source`, `files`, `exec`, `scan`) do.

pub mod app;
pub mod aws;
pub mod cli;
pub mod error;
pub mod exec;
pub mod files;
pub mod log;
pub mod mask;
pub mod model;
pub mod naming;
pub mod process;
pub mod render;
pub mod scan;
pub mod source;
pub mod template;
