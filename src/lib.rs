//! autokg: a knowledge graph of the geography of China's automotive industry, served over
//! SPARQL 1.1 with supply-chain analytics.
//!
//! # Architecture map
//!
//! The binary (`main.rs`) parses the command line and dispatches to [`cli`]; everything else
//! is this library. Data flows one way: RDF files and the embedded Turtle are parsed by
//! [`rdfio`], land in [`store`], and are read back by SPARQL ([`results`] writes answers),
//! SHACL ([`shacl`]) and canonical dumps ([`canonical`]).
//!
//! - [`vocab`]: namespaces, graph IRIs, predeclared prefixes, and the ontology and curated
//!   data compiled into the binary (`include_str!` of `ontology/` and `data/`).
//! - [`store`]: [`store::KgStore`], the **only** module that touches Oxigraph's `Store`.
//!   In memory by default, RocksDB with `--store DIR`. On open it loads the embedded files
//!   into the ontology and curated graphs (again when their fingerprint changes) and keeps
//!   the inferred graph current. Queries see the union of all graphs as default graph.
//! - [`inference`]: RDFS entailment (subclass, subproperty, domain, range) and symmetric
//!   properties from a closed schema; pure, no store.
//! - [`rdfio`]: file formats, gzip, parse errors with file, line and column.
//! - [`shacl`]: a SHACL-Core subset compiled to SPARQL; runs `ontology/shapes.ttl`.
//! - [`canonical`]: RDFC-1.0 canonical N-Quads (sophia) and the SHA-256 fingerprint.
//! - [`results`]: SPARQL result and RDF serialization, and the terminal table.
//! - [`sparql`]: the SPARQL 1.1 Protocol without HTTP types: parameters, content
//!   negotiation, SERVICE policy, the service description, evaluation under time and row
//!   limits with the first solutions computed before the status line.
//! - [`server`]: actix-web: the route table, thin handlers for `/sparql`, `/store`,
//!   `/healthz`, `/metrics`, the request-span middleware, metrics. Only `server`, `api` and
//!   `export::http`/`export::page` know actix; `sparql`, `store`, the algorithms and the
//!   writers do not.
//! - [`api`]: the JSON API under `/api` (entities, firms, relations, observations, search,
//!   analytics, paths): thin actix handlers, JSON or JSON-LD, ETags, problem+json errors,
//!   and the OpenAPI document generated from the handlers' types (`/api/openapi.json`).
//! - [`catalog`]: the in-memory index behind the API's lookups (entities, labels,
//!   relations with provenance, observations, firm locations, search, suggestions),
//!   rebuilt when the store's generation changes; knows nothing of HTTP.
//! - [`projection`]: a SPARQL SELECT of `?source ?target` turned into a compact graph with
//!   an IRI ↔ index map; the named projections of `queries/projections/`; a cache per store
//!   generation. The one boundary between RDF and the algorithms.
//! - [`algorithms`]: one file per measure on a CSR graph (degree, PageRank, betweenness,
//!   closeness, harmonic, eigenvector, k-core, components, cuts, dominators, impact,
//!   paths), networkx's conventions; knows nothing of RDF.
//! - [`analytics`]: the façade the CLI and the API call: reports with IRIs and labels,
//!   paths with provenance, impact, critical nodes, the `akf:` SPARQL functions, scores
//!   written back to the analytics graph.
//! - [`generate`]: deterministic synthetic supply networks (N-Quads, streamed).
//! - [`export`]: the export graph (a projection, whole or one entity's neighbourhood, with
//!   labels, types, places and scores) and one writer per format (GraphML, GEXF, DOT,
//!   Cytoscape.js, CSV, RDF), streaming to any `io::Write`; its `http` file adapts them to
//!   actix-web (`/api/export`, neighbourhoods, the page at `/`), `cli` to `autokg export`.
//! - [`cli`]: clap definitions and one function per subcommand; no logic of its own.
//! - [`analytics_cli`]: the `centrality`, `paths`, `impact` and `generate` subcommands.
//! - [`error`]: the typed error every module returns; the CLI maps it to exit codes.
//! - [`telemetry`]: the tracing subscriber.
//!
//! # Invariants
//!
//! - Only `store` names `oxigraph::store::Store`; other modules see prepared queries and
//!   results.
//! - A load lands whole or not at all (Oxigraph's bulk loader commits once at the end).
//! - The inferred graph never repeats a triple asserted in another graph, so the union
//!   default graph shows each fact once; a marker quad in the bookkeeping graph says when
//!   entailments may be stale, and the next open repairs them.
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
pub mod projection;
pub mod rdf;
pub mod remote;
pub mod shacl;
pub mod sparql;
pub mod store;
pub mod telemetry;
pub mod vocab;
