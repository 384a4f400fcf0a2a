//! The `autokg` binary: parse the command line, run it, map the outcome to an exit code.

use autokg::cli::{run, Cli, Outcome};
use autokg::error::Error;
use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: loading and querying allocate many small
/// terms, and glibc's malloc took a quarter of a large load's time. Built without
/// transparent huge pages, whose zeroing and purging cost more system time than they saved.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    autokg::telemetry::init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_user_error() { 2 } else { 1 })
        }
    }
}
