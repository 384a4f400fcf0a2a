//! The SPARQL 1.1 Protocol without HTTP types: request parameters, content negotiation,
//! the service description, SERVICE policy and federated calls, and evaluation under limits.
//! The server module adapts these to actix-web.

pub mod algebra;
pub mod cancel;
pub mod description;
pub mod evaluate;
pub mod federation;
pub mod negotiate;
pub mod planning;
pub mod protocol;
pub mod query_cache;
pub mod representable;
pub mod results;
pub mod service;
pub mod watchdog;

pub use protocol::{HttpError, Operation, QueryRequest, UpdateRequest};

/// Media types offered for SELECT and ASK results, the default first.
pub const SOLUTION_TYPES: &[&str] = &[
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
];

/// Media types offered for graphs (CONSTRUCT, DESCRIBE, Graph Store reads), the default first.
pub const GRAPH_TYPES: &[&str] = &[
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/ld+json",
];
