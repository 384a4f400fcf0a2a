//! The one integration-test binary: facts of the article, example queries, the CLI, loads.

mod analytics;
mod cli;
mod facts;
mod http;
mod queries;
mod support;
