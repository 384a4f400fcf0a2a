//! The one integration-test binary: facts of the article, example queries, the CLI, loads.

mod analytics;
mod api;
mod architecture;
mod cli;
mod errors;
mod export;
mod facts;
mod hostile;
mod http;
mod queries;
mod support;
