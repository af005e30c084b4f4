//! The command line: clap's types and every help text ([`args`]), and [`parse`], which turns
//! them into the plain request of a command ([`resolve`]). Only `main` sees it.

mod args;
mod generated;
mod resolve;

pub use args::{Cli, VERSION};
pub use resolve::{parse, parse_from};
