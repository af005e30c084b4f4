//! awssecrets: parse the command line, run it, report the error with its documented exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = awssecrets::cli::Cli::parse();
    match awssecrets::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(error.exit_code().code())
        }
    }
}
