//! Builds the tracing subscriber once: `RUST_LOG` sets the level, logs go to standard error.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (a second call does nothing).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
