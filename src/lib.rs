//! autokg: a knowledge graph of the geography of China's automotive industry, served over
//! SPARQL 1.1 with supply-chain analytics.
//!
//! # Architecture map
//!
//! The binary (`main.rs`) sets the allocator and logging and calls [`cli::main`]; everything
//! else is this library. The folder tells the room; dependencies point down this list (no
//! import circles between top-level modules: `tests/architecture.rs` checks it).
//!
//! Edges, the only modules that know a wire framework:
//! - [`cli`]: the only module that names clap: [`cli::Cli`] and one file per subcommand
//!   (arguments, one call into the library, printing); progress bars draw on a terminal only.
//! - [`http`]: the only module that names actix-web: [`http::Application`] with its
//!   [`http::AppState`] built once (store, configuration, permits, metrics, catalog,
//!   projection and score caches), the request-span middleware, the one streaming body, the
//!   one problem type (RFC 9457) and every route: `/sparql`, `/store`, `/healthz`,
//!   `/metrics`, `/`, and `/api/...` (lookups, analytics, exports, OpenAPI).
//!
//! Services the edges call:
//! - [`sparql`]: the SPARQL 1.1 Protocol without HTTP types: parameters, content
//!   negotiation, SERVICE policy and federated calls, the service description, evaluation
//!   under time and row limits, result serialization and the terminal table.
//! - [`catalog`]: the in-memory index behind the API's lookups (entities, labels, relations
//!   with provenance, observations, firm locations, search, suggestions), rebuilt when the
//!   store's generation changes.
//! - [`analytics`]: reports with IRIs and labels over a projection: centrality, paths with
//!   provenance, disruption impact, critical nodes, the `akf:` SPARQL functions, scores
//!   written back to the analytics graph.
//! - [`export`]: the export graph (a projection, whole or one entity's neighbourhood, with
//!   labels, types, places and scores) and one writer per format, streaming to any
//!   `io::Write`; GeoJSON of places with their figures, or of a SELECT with a WKT column.
//! - [`shacl`]: a SHACL-Core subset compiled to SPARQL; runs `ontology/shapes.ttl`.
//! - [`remote`]: the Graph Store client behind `autokg load --server`.
//! - [`generate`]: deterministic synthetic supply networks (N-Quads, streamed).
//!
//! Core:
//! - [`projection`]: a SPARQL SELECT of `?source ?target` turned into a compact graph with
//!   an IRI ↔ index map; the named projections of `queries/projections/`; a cache per store
//!   generation. The one boundary between RDF and the algorithms.
//! - [`algorithms`]: one file per measure on a CSR graph (degree, PageRank, betweenness,
//!   closeness, harmonic, eigenvector, k-core, components, cuts, dominators, impact,
//!   paths), networkx's conventions; knows nothing of RDF. Long-running kernels check an
//!   [`algorithms::Deadline`] (a cancellation flag with an optional instant) that the
//!   projection's SPARQL, the exports and the HTTP time limits share.
//! - [`store`]: [`store::KgStore`], the **only** module that touches Oxigraph's `Store`:
//!   the façade (open, queries, graphs, dumps, counts; every evaluator carries the GeoSPARQL
//!   `geof:` functions), SPARQL updates executed over the query dataset, writes (one at a
//!   time, refused whole on a protected graph, committed with their entailment delta), the
//!   one-pass bulk loader, and the upkeep of the inferred graph (incremental, or
//!   recomputed). In memory by default, RocksDB with `--store DIR`.
//! - [`rdf`]: RDF below the store: file formats and parse errors with file, line and column
//!   ([`rdf::io`]), RDFS entailment ([`rdf::inference`]), canonical N-Quads
//!   ([`rdf::canonical`]).
//! - [`describe`]: how people name things and how they are shown back: entity and
//!   vocabulary arguments expanded to IRIs, compact IRIs, local names; one reader for all.
//! - [`nesting`]: the nesting limits checked before any parser sees outside text (SPARQL
//!   brackets and operator chains, JSON-LD brackets) and the stack size of the threads that
//!   parse and evaluate.
//! - [`vocab`]: namespaces, graph IRIs, predeclared prefixes, and the ontology and curated
//!   data compiled into the binary (`include_str!` of `ontology/` and `data/`).
//! - [`error`]: the typed [`error::Error`] every module returns, with the one mapping to an
//!   HTTP status ([`error::Error::status`]) and an exit code ([`error::Error::exit_code`]).
//! - [`telemetry`]: the tracing subscriber.
//!
//! # Invariants
//!
//! - Only `store` names `oxigraph::store::Store`; other modules see prepared queries and
//!   results.
//! - A load lands whole or not at all (Oxigraph's bulk loader commits once at the end).
//! - The inferred graph never repeats a triple asserted in another graph, so the union
//!   default graph shows each fact once; a write commits its data and entailment delta
//!   in one transaction, or (schema changes, loads) commits a marker quad in the
//!   bookkeeping graph with its data that says entailments may be stale, and the next open
//!   repairs them.
//! - Clients never change the ontology, curated, inferred or bookkeeping graphs
//!   ([`store::protected_graph`]): such a write is refused whole with a 403.
//! - Every relation is a direct edge plus an `ak:Relationship` statement node; every figure
//!   is an `ak:Observation` with its own period. `ontology/shapes.ttl` checks both.

pub mod algorithms;
pub mod analytics;
pub mod catalog;
pub mod cli;
pub mod describe;
pub mod error;
pub mod export;
pub mod generate;
pub mod http;
pub mod nesting;
pub mod projection;
pub mod rdf;
pub mod remote;
pub mod shacl;
pub mod sparql;
pub mod store;
pub mod telemetry;
pub mod vocab;
