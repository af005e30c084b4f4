//! The command line: clap's types and the help of each option ([`args`]), the examples and exit
//! codes each `--help` ends with ([`examples`]), completions and man pages made from them
//! ([`generated`]), and [`parse`], which turns them into the plain request of a command
//! ([`resolve`]). Only `main` sees it.

mod args;
mod examples;
mod generated;
mod resolve;

pub use args::{Cli, VERSION};
pub use resolve::{parse, parse_from};
