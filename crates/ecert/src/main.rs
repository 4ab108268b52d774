//! The `ecert` command: parses the command line, sets up logging and runs one command.

mod cli;
mod commands;
mod config;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.log_json, cli.command.default_log_level());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::Error::from(error)),
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) => fail(&error),
    }
}

/// Prints an error chain the way a person reads it: the failure, then each cause.
fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::FAILURE
}

/// Logs go to stderr so that command output on stdout stays clean for scripts;
/// `ECERT_LOG` (such as `debug` or `ecert_store=debug`) overrides the default level.
fn init_logging(json: bool, default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECERT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
