//! The command line: clap's types and every help text ([`args`]), and [`parse`], which turns
//! them into the plain request of a command ([`resolve`]). Only `main` sees it.

mod args;
mod resolve;

pub use args::Cli;
pub use resolve::parse;
