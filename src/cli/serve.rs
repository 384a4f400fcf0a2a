//! `autokg serve`: checks the options, then runs [`crate::http::Application`] until stopped.

use super::Outcome;
use crate::error::{Error, Result};
use crate::sparql::federation::Federation;
use crate::sparql::service::ServicePolicy;
use crate::store::KgStore;
use clap::Args;
use oxigraph::model::NamedNode;
use std::path::PathBuf;

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
    /// The most rows (solutions or triples) a `/sparql` result may have; more is an error,
    /// never a silent truncation. 0 lifts the cap. (Whole dumps: `/store` or `autokg dump`.)
    #[arg(long, value_name = "N", default_value_t = crate::http::DEFAULT_MAX_ROWS)]
    pub max_rows: u64,
    /// An origin allowed by CORS (repeatable; `*` allows any).
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Vec<String>,
    /// A target SERVICE may call (repeatable): an http or https IRI without user information,
    /// compared by scheme, host, port and path segments (`https://h/sparql` allows
    /// `https://h/sparql` and `https://h/sparql/x`); without it, SERVICE is refused.
    #[arg(long, value_name = "IRI")]
    pub allow_service: Vec<String>,
    /// A PEM file of CA certificates trusted for HTTPS SERVICE targets, besides the built-in
    /// webpki roots.
    #[arg(long, value_name = "FILE")]
    pub service_ca: Option<PathBuf>,
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
    /// Evaluations that may run at once, 1 to 65,536 (default: cores × 2); more wait
    /// briefly, then get 503.
    #[arg(long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::http::MAX_CONCURRENT as u64))]
    pub max_concurrent: Option<usize>,
    /// HTTP worker threads, each an event loop over its share of the connections, 1 to 512
    /// (default: cores × 4, at most 512; see the README's Performance section).
    #[arg(long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::http::MAX_WORKERS as u64))]
    pub workers: Option<usize>,
    /// The URL clients reach this server at, when it sits behind a proxy
    /// (`https://kg.example.org`): the Service Description names its endpoint from it.
    /// Without it, the request's own Host when valid, else the listener's address.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

/// `autokg serve`.
pub fn run(store: KgStore, args: ServeArgs) -> Result<Outcome> {
    // Past about 1.8e19 s no Duration holds it: an error here, where it used to panic.
    let Some(timeout) = crate::algorithms::deadline::positive_seconds(args.timeout) else {
        return Err(Error::InvalidInput(format!(
            "--timeout {} must be a positive number of seconds, from 1e-9 to about 1.8e19",
            args.timeout
        )));
    };
    let policy = ServicePolicy::new(&args.allow_service)
        .map_err(|e| Error::InvalidInput(format!("--allow-service {e}")))?;
    let federation = match &args.service_ca {
        None => Federation::new(policy, None),
        Some(path) => std::fs::read(path)
            .map_err(|e| format!("cannot be read: {e}"))
            .and_then(|pem| Federation::new(policy, Some(&pem))),
    }
    .map_err(|e| {
        Error::InvalidInput(match &args.service_ca {
            Some(file) => format!("--service-ca {}: {e}", file.display()),
            None => e,
        })
    })?;
    if let Some(url) = &args.public_url {
        let iri = NamedNode::new(url.as_str()).map_err(|e| {
            Error::InvalidInput(format!("--public-url '{url}' is not an absolute IRI: {e}"))
        })?;
        if !(iri.as_str().starts_with("http://") || iri.as_str().starts_with("https://")) {
            return Err(Error::InvalidInput(format!(
                "--public-url '{url}' must be an http or https URL"
            )));
        }
    }
    let mut config = crate::http::ServeConfig {
        bind: args.bind,
        timeout,
        max_rows: (args.max_rows > 0).then_some(args.max_rows),
        cors: args.cors,
        federation,
        update_token: args.update_token.filter(|t| !t.is_empty()),
        max_body: args.max_body,
        public_url: args.public_url,
        ..Default::default()
    };
    if let Some(n) = args.workers {
        config.workers = n;
    }
    if let Some(n) = args.max_concurrent {
        config.max_concurrent = n;
    }
    crate::http::serve(config, std::sync::Arc::new(store))?;
    Ok(Outcome::Success)
}
