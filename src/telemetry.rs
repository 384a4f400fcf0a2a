//! Builds the tracing subscriber once: logs go to standard error, coloured only when it is a
//! terminal (and `NO_COLOR` is unset); `RUST_LOG` sets the filter, else the caller's default
//! level (the command line picks `info` for `serve`, `warn` for one-shot commands, more with
//! `-v`).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber with `default_level` (a `tracing` level or filter directive,
/// such as `"warn"`) unless `RUST_LOG` is set; a second call does nothing.
pub fn init(default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .try_init();
}
