//! awssecrets: parse the command line, run it, report the error with its documented exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    match awssecrets::cli::parse().and_then(awssecrets::app::run) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let message = format!("{error:#}");
            eprintln!("error: {}", awssecrets::error::printable(&message));
            ExitCode::from(error.exit_code().code())
        }
    }
}
