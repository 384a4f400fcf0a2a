//! The knowledge-graph store: the only module that touches Oxigraph's `Store`. It loads the
//! embedded ontology and curated data into their graphs, keeps the RDFS entailments in the
//! inferred graph current, and runs queries, updates, loads and dumps.
//!
//! This file is the façade (open, queries, updates, graphs, dump, counts); the bulk loader
//! is in [`load`], the upkeep of the inferred graph in [`entailment`], the counts of
//! `stats` in [`stats`].

mod entailment;
mod load;
mod maintain;
mod stats;
mod update;
mod write;

pub use load::LoadReport;
pub use stats::Stats;
pub use update::UpdatePlan;
pub use write::protected_graph;

use crate::error::{Error, Result};
use crate::rdf::inference::Schema;
use crate::rdf::io::parse_text;
use crate::vocab::{self, EMBEDDED, GRAPH_CURATED, GRAPH_INFERRED, GRAPH_META, GRAPH_ONTOLOGY};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term, Triple,
};
use oxigraph::sparql::{PreparedSparqlQuery, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

const INFERENCE_DIRTY: NamedNodeRef<'_> =
    NamedNodeRef::new_unchecked("https://w3id.org/autokg/ontology#inferenceDirty");

/// Distinct entailments held in memory at once (a few hundred MB at most): a load that
/// entails more adds the rest in chunks of this size, in a second pass over its input.
const PENDING_LIMIT: usize = 2_000_000;

/// A hash set with a fast, non-cryptographic hasher (keys are triples we made ourselves).
type FastSet<T> = HashSet<T, rustc_hash::FxBuildHasher>;

/// Triples per graph, as `stats` reports them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GraphCount {
    /// The graph's IRI (or `default`).
    pub graph: String,
    /// Its number of triples.
    pub triples: usize,
}

/// Which entailments a store materialises in the inferred graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Entailment {
    /// RDFS (subclass, subproperty, domain, range) and `owl:SymmetricProperty`.
    #[default]
    Rdfs,
    /// None: the inferred graph stays empty and queries see only asserted triples.
    None,
}

/// The store, with the embedded data loaded and entailments current.
pub struct KgStore {
    store: Store,
    persistent: bool,
    /// Bumped after every write: readers use it to invalidate caches and build ETags.
    generation: AtomicU64,
    schema: RwLock<std::sync::Arc<Schema>>,
    entailment: Entailment,
    /// Distinct entailments held in memory at once ([`PENDING_LIMIT`]; lowered by tests to
    /// exercise the paths of larger stores).
    pending_limit: usize,
    /// Held by every write (updates, Graph Store writes, loads, recomputations): one
    /// writer at a time, while reads go on from snapshots.
    writer: parking_lot::Mutex<()>,
    /// The quad count as of a generation: set by [`KgStore::count_len`], carried forward
    /// exactly by incremental writes (their net change is known), so probes need no scan.
    counted: std::sync::Mutex<Option<(u64, usize)>>,
}

impl KgStore {
    /// Opens an in-memory store (`None`) or a persistent RocksDB store in `dir`, loading the
    /// embedded ontology and curated data if they are missing or out of date.
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        Self::open_with(dir, Entailment::Rdfs)
    }

    /// Opens a store as [`KgStore::open`] does, materialising the given entailments. A
    /// persistent store keeps RDFS entailments: another regime is for in-memory stores.
    pub fn open_with(dir: Option<&Path>, entailment: Entailment) -> Result<Self> {
        if dir.is_some() && entailment != Entailment::Rdfs {
            return Err(Error::InvalidInput(
                "a persistent store always keeps RDFS entailments; choose another regime only for the in-memory store".into(),
            ));
        }
        let (store, persistent) = match dir {
            Some(dir) => (Store::open(dir)?, true),
            None => (Store::new()?, false),
        };
        let this = Self {
            store,
            persistent,
            generation: AtomicU64::new(1),
            schema: RwLock::new(Default::default()),
            entailment,
            pending_limit: PENDING_LIMIT,
            writer: Default::default(),
            counted: Default::default(),
        };
        this.ensure_embedded()?;
        Ok(this)
    }

    /// Opens an in-memory store holding only the ontology (no curated data): for validating
    /// a researcher's own files against the shapes.
    pub fn ontology_only() -> Result<Self> {
        let this = Self {
            store: Store::new()?,
            persistent: false,
            generation: AtomicU64::new(1),
            schema: RwLock::new(Default::default()),
            entailment: Entailment::Rdfs,
            pending_limit: PENDING_LIMIT,
            writer: Default::default(),
            counted: Default::default(),
        };
        let ontology = &EMBEDDED[0];
        let quads = parse_text(
            ontology.path,
            ontology.text.as_bytes(),
            RdfFormat::Turtle,
            NamedNode::new_unchecked(ontology.graph).into(),
        )
        .collect::<Result<Vec<_>>>()?;
        this.store.extend(quads)?;
        this.refresh_inference()?;
        Ok(this)
    }

    /// Whether the store lives on disk.
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// A number that changes after every write (for caches and ETags).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn meta_version(&self) -> Result<Option<String>> {
        let meta = NamedNodeRef::new_unchecked(GRAPH_META);
        let prop = NamedNodeRef::new_unchecked(vocab::EMBEDDED_VERSION);
        Ok(self
            .store
            .quads_for_pattern(Some(meta.into()), Some(prop), None, Some(meta.into()))
            .next()
            .transpose()?
            .and_then(|q| match q.object {
                Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            }))
    }

    fn ensure_embedded(&self) -> Result<()> {
        let version = vocab::embedded_version();
        let dirty = self.is_inference_dirty()?;
        if self.meta_version()?.as_deref() == Some(version.as_str()) {
            if dirty {
                self.refresh_inference()?;
            } else {
                self.reload_schema()?;
            }
            return Ok(());
        }
        let mut quads = Vec::new();
        for file in EMBEDDED {
            let graph = GraphName::from(NamedNode::new_unchecked(file.graph));
            for q in parse_text(file.path, file.text.as_bytes(), RdfFormat::Turtle, graph) {
                quads.push(q?);
            }
        }
        let meta = NamedNode::new_unchecked(GRAPH_META);
        let mut tx = self.store.start_transaction()?;
        for g in [GRAPH_ONTOLOGY, GRAPH_CURATED, GRAPH_META] {
            tx.clear_graph(NamedNodeRef::new_unchecked(g))?;
        }
        tx.extend(quads.iter());
        tx.insert(QuadRef::new(
            &meta,
            NamedNodeRef::new_unchecked(vocab::EMBEDDED_VERSION),
            &Literal::new_simple_literal(&version),
            &meta,
        ));
        tx.insert(dirty_quad().as_ref());
        tx.commit()?;
        self.refresh_inference().map(drop)
    }

    /// A SPARQL evaluator with the common prefixes predeclared and the GeoSPARQL 1.1
    /// functions (`geof:distance`, `geof:sfWithin`, `geof:sfIntersects`, ... : the
    /// `spargeo` crate's [`spargeo::GEOSPARQL_EXTENSION_FUNCTIONS`]) registered. Distances
    /// are haversine great-circle distances on a sphere of the mean Earth radius, in the
    /// unit the third argument names (`uom:metre`, `uom:kilometre`); an unknown unit or a
    /// non-point geometry leaves the result unbound.
    /// Built once; each call returns a copy.
    pub fn evaluator() -> SparqlEvaluator {
        static EVALUATOR: std::sync::OnceLock<SparqlEvaluator> = std::sync::OnceLock::new();
        EVALUATOR
            .get_or_init(|| {
                spargeo::GEOSPARQL_EXTENSION_FUNCTIONS
                    .iter()
                    .fold(Self::plain_evaluator(), |e, (name, function)| {
                        e.with_custom_function(name.into_owned(), *function)
                    })
            })
            .clone()
    }

    /// [`KgStore::evaluator`] without the GeoSPARQL functions, for a query that calls none
    /// ([`crate::sparql::evaluate::calls_geosparql`]): the evaluator copies its function
    /// table for every evaluation, which costs a small query about 5 % of its time.
    pub fn plain_evaluator() -> SparqlEvaluator {
        static EVALUATOR: std::sync::OnceLock<SparqlEvaluator> = std::sync::OnceLock::new();
        EVALUATOR
            .get_or_init(|| {
                vocab::PREFIXES
                    .iter()
                    .fold(SparqlEvaluator::new(), |e, (p, iri)| {
                        e.with_prefix(*p, *iri)
                            .unwrap_or_else(|_| SparqlEvaluator::new())
                    })
            })
            .clone()
    }

    /// Parses a query with the common prefixes and the union of all graphs as default graph,
    /// after the nesting check.
    pub fn prepare_query(&self, sparql: &str) -> Result<PreparedSparqlQuery> {
        self.prepare_query_with(Self::evaluator(), sparql)
    }

    /// Like [`KgStore::prepare_query`] on an evaluator of the caller's (custom functions).
    /// The text passes the nesting check of [`crate::nesting`] first (an
    /// [`Error::InvalidInput`] naming the limit and where).
    pub fn prepare_query_with(
        &self,
        evaluator: SparqlEvaluator,
        sparql: &str,
    ) -> Result<PreparedSparqlQuery> {
        crate::nesting::check_sparql(sparql)?;
        let mut prepared = evaluator
            .parse_query(sparql)
            .map_err(|e| Error::SparqlSyntax(e.to_string()))?;
        prepared.dataset_mut().set_default_graph_as_union();
        Ok(prepared)
    }

    /// Runs a prepared query on the store.
    pub fn execute(&self, prepared: PreparedSparqlQuery) -> Result<QueryResults<'static>> {
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(evaluation_error)
    }

    /// Runs a prepared query and hands back Oxigraph's own error (the protocol layer tells
    /// cancellations from other failures).
    pub fn execute_raw(
        &self,
        prepared: PreparedSparqlQuery,
    ) -> std::result::Result<QueryResults<'static>, oxigraph::sparql::QueryEvaluationError> {
        prepared.on_store(&self.store).execute()
    }

    /// Parses and runs a query (union default graph, common prefixes).
    pub fn query(&self, sparql: &str) -> Result<QueryResults<'static>> {
        self.execute(self.prepare_query(sparql)?)
    }

    /// Whether a named graph exists (the default graph always does).
    pub fn graph_exists(&self, graph: GraphNameRef<'_>) -> Result<bool> {
        Ok(match graph {
            GraphNameRef::DefaultGraph => true,
            GraphNameRef::NamedNode(g) => self.store.contains_named_graph(g)?,
            GraphNameRef::BlankNode(b) => self.store.contains_named_graph(b)?,
        })
    }

    /// The triples of one graph.
    pub fn graph_triples(
        &self,
        graph: GraphNameRef<'_>,
    ) -> impl Iterator<Item = Result<Triple>> + '_ {
        self.store
            .quads_for_pattern(None, None, None, Some(graph))
            .map(|q| q.map(Triple::from).map_err(Error::Storage))
    }

    /// Every quad, except the bookkeeping graph.
    pub fn quads(&self) -> impl Iterator<Item = Result<Quad>> + '_ {
        self.store.iter().filter_map(|q| match q {
            Ok(q) if q.graph_name.as_ref() == GraphNameRef::NamedNode(meta_graph()) => None,
            Ok(q) => Some(Ok(q)),
            Err(e) => Some(Err(Error::Storage(e))),
        })
    }

    /// Writes one graph (`Some`) or the whole dataset (`None`, bookkeeping excluded).
    pub fn dump(
        &self,
        format: RdfFormat,
        graph: Option<GraphNameRef<'_>>,
        out: impl Write,
    ) -> Result<()> {
        let mut serializer = vocab::PREFIXES
            .iter()
            .fold(RdfSerializer::from_format(format), |s, (p, iri)| {
                s.with_prefix(*p, *iri)
                    .unwrap_or_else(|_| RdfSerializer::from_format(format))
            })
            .for_writer(out);
        let io = |e: std::io::Error| Error::Io {
            path: "<output>".into(),
            source: e,
        };
        match graph {
            Some(g) => {
                for t in self.graph_triples(g) {
                    serializer.serialize_triple(t?.as_ref()).map_err(io)?;
                }
            }
            None => {
                if !format.supports_datasets() {
                    return Err(Error::InvalidInput(format!(
                        "{} holds one graph; name one with --graph or use nquads or trig for the whole dataset",
                        format.name()
                    )));
                }
                for q in self.quads() {
                    serializer.serialize_quad(q?.as_ref()).map_err(io)?;
                }
            }
        }
        serializer.finish().map_err(io)?;
        Ok(())
    }

    /// Number of quads, bookkeeping included.
    pub fn len(&self) -> Result<usize> {
        Ok(self.store.len()?)
    }

    /// The number of quads without a scan, when the last count is of the current generation:
    /// after [`KgStore::count_len`], each incremental write adds its net change; a bulk load
    /// or a recomputation of the entailments leaves it unknown (`None`) until the next count.
    pub fn known_len(&self) -> Option<usize> {
        let counted = *self.counted.lock().unwrap_or_else(|e| e.into_inner());
        counted.and_then(|(g, n)| (g == self.generation()).then_some(n))
    }

    /// Counts the quads (a scan: about 150 ms at 1.1M quads) under the writer lock, so the
    /// count belongs exactly to the generation it is stored with; writes wait meanwhile,
    /// reads do not.
    /// Returns the generation and the count.
    pub fn count_len(&self) -> Result<(u64, usize)> {
        let _writer = self.writer.lock();
        let counted = (self.generation(), self.store.len()?);
        *self.counted.lock().unwrap_or_else(|e| e.into_inner()) = Some(counted);
        Ok(counted)
    }

    /// Records the count after a write whose net change is known (under the writer lock).
    fn carry_count(&self, before: Option<usize>, added: usize, removed: usize) {
        let after = before.map(|n| (self.generation(), (n + added).saturating_sub(removed)));
        *self.counted.lock().unwrap_or_else(|e| e.into_inner()) = after;
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.store.is_empty()?)
    }

    /// Triples per graph, sorted by graph IRI (bookkeeping excluded).
    pub fn graph_counts(&self) -> Result<Vec<GraphCount>> {
        let mut graphs = vec![GraphName::DefaultGraph];
        for g in self.store.named_graphs() {
            match g? {
                oxigraph::model::NamedOrBlankNode::NamedNode(n) if n.as_str() == GRAPH_META => {}
                oxigraph::model::NamedOrBlankNode::NamedNode(n) => graphs.push(n.into()),
                oxigraph::model::NamedOrBlankNode::BlankNode(b) => graphs.push(b.into()),
            }
        }
        let mut counts = graphs
            .into_iter()
            .map(|g| {
                let triples = self
                    .store
                    .quads_for_pattern(None, None, None, Some(g.as_ref()))
                    .count();
                let graph = match &g {
                    GraphName::DefaultGraph => "default".to_owned(),
                    GraphName::NamedNode(n) => n.as_str().to_owned(),
                    GraphName::BlankNode(b) => b.to_string(),
                };
                GraphCount { graph, triples }
            })
            .filter(|c| c.triples > 0 || c.graph != "default")
            .collect::<Vec<_>>();
        counts.sort_by(|a, b| a.graph.cmp(&b.graph));
        Ok(counts)
    }

    /// Flushes a persistent store to disk (no-op in memory).
    pub fn flush(&self) -> Result<()> {
        if self.persistent {
            self.store.flush()?;
        }
        Ok(())
    }
}

fn evaluation_error(e: oxigraph::sparql::QueryEvaluationError) -> Error {
    match e {
        oxigraph::sparql::QueryEvaluationError::Cancelled => Error::Timeout(Duration::ZERO),
        e => Error::Evaluation(e.to_string()),
    }
}

fn inferred_graph() -> NamedNodeRef<'static> {
    NamedNodeRef::new_unchecked(GRAPH_INFERRED)
}

fn meta_graph() -> NamedNodeRef<'static> {
    NamedNodeRef::new_unchecked(GRAPH_META)
}

/// Graphs whose content the store writes itself and that inference never reads.
fn is_derived_graph(g: GraphNameRef<'_>) -> bool {
    g == GraphNameRef::NamedNode(inferred_graph()) || g == GraphNameRef::NamedNode(meta_graph())
}

/// The marker quad that says "entailments may be stale": written with every load and removed
/// once entailments are current, so a crash in between is repaired at the next open.
fn dirty_quad() -> Quad {
    let meta = meta_graph();
    Quad::new(meta, INFERENCE_DIRTY, Literal::from(true), meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const AK: &str = "https://w3id.org/autokg/ontology#";

    pub(super) fn inferred(store: &KgStore) -> std::collections::BTreeSet<String> {
        store
            .graph_triples(inferred_graph().into())
            .map(|t| t.expect("reads").to_string())
            .collect()
    }

    pub(super) fn parse(text: &str) -> Vec<Quad> {
        parse_text(
            "test",
            text.as_bytes(),
            RdfFormat::Turtle,
            GraphName::DefaultGraph,
        )
        .collect::<Result<_>>()
        .expect("parses")
    }

    /// Asserts two sets of triples are equal, naming a few of the differences if not.
    pub(super) fn assert_same(
        a: &std::collections::BTreeSet<String>,
        b: &std::collections::BTreeSet<String>,
        what: &str,
    ) {
        let only_a: Vec<_> = a.difference(b).take(5).collect();
        let only_b: Vec<_> = b.difference(a).take(5).collect();
        assert!(
            only_a.is_empty() && only_b.is_empty(),
            "{what}: only in the first {only_a:?}; only in the second {only_b:?}"
        );
    }

    pub(super) fn sample() -> Vec<Quad> {
        parse(&format!(
            "@prefix ak: <{AK}> . @prefix e: <http://example.org/> .
             e:a ak:suppliesTo e:b .
             e:b a ak:Organization .
             e:a ak:partnerOf e:c .
             e:c ak:partnerOf e:a .
             e:d a ak:Automaker .
             e:d a ak:Company .
             e:d a ak:Company .
             e:x a ak:Company .
             e:y ak:suppliesTo e:x ."
        ))
    }

    #[test]
    fn a_store_without_entailment_keeps_the_inferred_graph_empty() {
        let store = KgStore::open_with(None, Entailment::None).expect("opens");
        assert!(inferred(&store).is_empty());
        let quads = parse(&format!(
            "@prefix ak: <{AK}> . <http://example.org/a> ak:suppliesTo <http://example.org/b> ."
        ));
        assert_eq!(
            store.load_quads(&quads).expect("loads").entailments_added,
            0
        );
        assert!(inferred(&store).is_empty());
        assert!(!store.is_inference_dirty().expect("reads"));
        assert!(KgStore::open_with(Some(Path::new("/nonexistent")), Entailment::None).is_err());
    }
}
