//! The one integration-test binary: facts of the article, example queries, the CLI, loads,
//! the endpoint and its SERVICE policy.

mod analytics;
mod analytics_limits;
mod api;
mod architecture;
mod cli;
mod crash;
mod errors;
mod export;
mod facts;
mod fidelity;
mod hostile;
mod http;
mod limits;
mod queries;
mod query_cache;
mod service;
mod shacl;
mod standards;
mod support;
mod writes;
