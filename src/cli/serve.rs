//! `autokg serve`: checks the options, then runs [`crate::http::Application`] until stopped.

use super::Outcome;
use crate::error::{Error, Result};
use crate::store::KgStore;
use clap::Args;
use oxigraph::model::NamedNode;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    pub bind: String,
    /// The server's maximum time per query, update, analytics run or export, in seconds
    /// (requests may lower it with `timeout=`).
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub timeout: f64,
    /// The most rows (solutions or triples) a result may have; more is an error, never a
    /// silent truncation.
    #[arg(long, value_name = "N")]
    pub max_rows: Option<u64>,
    /// An origin allowed by CORS (repeatable; `*` allows any).
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Vec<String>,
    /// An IRI prefix that SERVICE may call (repeatable); without it, SERVICE is refused.
    #[arg(long, value_name = "IRI-PREFIX")]
    pub allow_service: Vec<String>,
    /// The bearer token that writes need; without it the server is read-only.
    #[arg(
        long,
        env = "AUTOKG_UPDATE_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub update_token: Option<String>,
    /// Request body limit in bytes.
    #[arg(long, default_value_t = crate::http::DEFAULT_MAX_BODY, value_name = "BYTES")]
    pub max_body: usize,
    /// Evaluations that may run at once (default: cores × 2); more wait briefly, then get 503.
    #[arg(long, value_name = "N")]
    pub max_concurrent: Option<usize>,
}

/// `autokg serve`.
pub fn run(store: KgStore, args: ServeArgs) -> Result<Outcome> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(Error::InvalidInput(format!(
            "--timeout {} must be a positive number of seconds",
            args.timeout
        )));
    }
    for prefix in &args.allow_service {
        NamedNode::new(prefix.as_str()).map_err(|e| {
            Error::InvalidInput(format!(
                "--allow-service '{prefix}' is not an absolute IRI: {e}"
            ))
        })?;
    }
    let mut config = crate::http::ServeConfig {
        bind: args.bind,
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        max_rows: args.max_rows,
        cors: args.cors,
        allow_service: args.allow_service,
        update_token: args.update_token.filter(|t| !t.is_empty()),
        max_body: args.max_body,
        ..Default::default()
    };
    if let Some(n) = args.max_concurrent {
        config.max_concurrent = n;
    }
    crate::http::serve(config, std::sync::Arc::new(store))?;
    Ok(Outcome::Success)
}
