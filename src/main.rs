//! awssecrets: fetch AWS Secrets Manager secrets for CI, print them or run a command with them.

mod app;
mod aws;
mod cli;
mod credentials;
mod error;
mod exec;
mod files;
mod mask;
mod output;
mod secret;
mod spec;
mod tls;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::from(error.exit_code().code())
        }
    }
}
