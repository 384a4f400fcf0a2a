//! The knowledge-graph store: the only module that touches Oxigraph's `Store`. It loads the
//! embedded ontology and curated data into their graphs, keeps the RDFS entailments in the
//! inferred graph current, and runs queries, updates, loads and dumps.

mod stats;

pub use stats::Stats;

use crate::error::{Error, Result};
use crate::rdf::inference::{is_schema_triple, Schema, OWL_SYMMETRIC};
use crate::rdf::io::parse_text;
use crate::vocab::{self, EMBEDDED, GRAPH_CURATED, GRAPH_INFERRED, GRAPH_META, GRAPH_ONTOLOGY};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term, Triple,
    TripleRef,
};
use oxigraph::sparql::{PreparedSparqlQuery, PreparedSparqlUpdate, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

const INFERENCE_DIRTY: NamedNodeRef<'_> =
    NamedNodeRef::new_unchecked("https://w3id.org/autokg/ontology#inferenceDirty");

/// Quads removed per transaction when a graph is cleared.
const BATCH: usize = 100_000;

/// Quads per batch sent from the parsing thread to the loader.
const SCAN_BATCH: usize = 50_000;

/// Distinct entailments held in memory at once (a few hundred MB at most): a load that
/// entails more adds the rest in chunks of this size, in a second pass over its input.
const PENDING_LIMIT: usize = 2_000_000;

/// A hash set with a fast, non-cryptographic hasher (keys are triples we made ourselves).
type FastSet<T> = HashSet<T, rustc_hash::FxBuildHasher>;

/// Asserted instances of one (predicate, type) pattern, when few enough to hold in memory.
const PATTERN_CACHE_LIMIT: usize = 50_000;

/// What a probe learnt about one (predicate, type) pattern.
struct PatternInfo {
    /// Graphs (not derived) that hold at least one triple of the pattern.
    graphs: Vec<GraphName>,
    /// All asserted (subject, object) pairs of the pattern, when there are few.
    instances: Option<HashSet<(oxigraph::model::NamedOrBlankNode, Term)>>,
}

/// Tells whether a triple is asserted in a graph other than the derived ones, probing each
/// (predicate, type) pattern once: an entailment of a kind no graph asserts costs no lookup,
/// and one of a kind asserted a few times costs a hash lookup.
struct AssertedProbe<'a> {
    store: &'a Store,
    graphs: Vec<GraphName>,
    patterns: std::collections::HashMap<(NamedNode, Option<Term>), PatternInfo>,
}

impl<'a> AssertedProbe<'a> {
    fn new(store: &'a Store) -> Result<Self> {
        let mut graphs = vec![GraphName::DefaultGraph];
        for g in store.named_graphs() {
            let g = GraphName::from(g?);
            if !is_derived_graph(g.as_ref()) {
                graphs.push(g);
            }
        }
        Ok(Self {
            store,
            graphs,
            patterns: std::collections::HashMap::new(),
        })
    }

    fn learn(&self, predicate: &NamedNode, object: Option<&Term>) -> Result<PatternInfo> {
        let mut info = PatternInfo {
            graphs: Vec::new(),
            instances: Some(HashSet::new()),
        };
        for g in &self.graphs {
            let mut found = false;
            for q in self.store.quads_for_pattern(
                None,
                Some(predicate.as_ref()),
                object.map(Term::as_ref),
                Some(g.as_ref()),
            ) {
                let q = q?;
                found = true;
                match &mut info.instances {
                    Some(set) if set.len() < PATTERN_CACHE_LIMIT => {
                        set.insert((q.subject, q.object));
                    }
                    _ => {
                        info.instances = None;
                        break;
                    }
                }
            }
            if found {
                info.graphs.push(g.clone());
            }
        }
        Ok(info)
    }

    fn is_asserted(&mut self, t: &Triple) -> Result<bool> {
        let object = (t.predicate.as_ref() == rdf::TYPE).then(|| t.object.clone());
        let key = (t.predicate.clone(), object);
        if !self.patterns.contains_key(&key) {
            let info = self.learn(&key.0, key.1.as_ref())?;
            self.patterns.insert(key.clone(), info);
        }
        let Some(info) = self.patterns.get(&key) else {
            return Ok(false);
        };
        if let Some(set) = &info.instances {
            return Ok(set.contains(&(t.subject.clone(), t.object.clone())));
        }
        for g in &info.graphs {
            if self.store.contains(t.as_ref().in_graph(g.as_ref()))? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// What a load did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LoadReport {
    /// Quads read from the files (before de-duplication by the store).
    pub quads_read: u64,
    /// Entailments written to the inferred graph (a triple entailed twice counts twice).
    pub entailments_added: u64,
    /// Whether the load changed the schema, so all entailments were recomputed.
    pub full_reinference: bool,
    /// Wall time of the whole load, inference included.
    pub seconds: f64,
}

/// Triples per graph, as `stats` reports them.
#[derive(Debug, Clone, serde::Serialize)]
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

    fn is_inference_dirty(&self) -> Result<bool> {
        Ok(self.store.contains(dirty_quad().as_ref())?)
    }

    fn reload_schema(&self) -> Result<Schema> {
        let mut triples = Vec::new();
        let symmetric: Term = OWL_SYMMETRIC.into();
        for (p, o) in [
            (rdfs::SUB_CLASS_OF, None),
            (rdfs::SUB_PROPERTY_OF, None),
            (rdfs::DOMAIN, None),
            (rdfs::RANGE, None),
            (rdf::TYPE, Some(symmetric.as_ref())),
        ] {
            for q in self.store.quads_for_pattern(None, Some(p), o, None) {
                let q = q?;
                if is_derived_graph(q.graph_name.as_ref()) {
                    continue;
                }
                let t = Triple::from(q);
                if is_schema_triple(t.as_ref()) {
                    triples.push(t);
                }
            }
        }
        let schema = Schema::from_triples(triples.iter().map(Triple::as_ref));
        *self.schema.write().unwrap_or_else(|e| e.into_inner()) =
            std::sync::Arc::new(schema.clone());
        Ok(schema)
    }

    /// Recomputes the inferred graph from scratch and returns how many entailments it holds.
    ///
    /// When the store's entailments fit in memory ([`PENDING_LIMIT`]), only the difference
    /// is written: stale entailments removed, new ones added, the rest left alone (a schema
    /// change usually touches a few). Otherwise the inferred graph is cleared and refilled,
    /// streaming through the bulk loader in bounded chunks. Either way the dirty marker is
    /// set first and removed once the new entailments are committed.
    pub fn refresh_inference(&self) -> Result<u64> {
        let schema = self.reload_schema()?;
        self.store.insert(dirty_quad().as_ref())?;
        if self.entailment == Entailment::None {
            self.clear_in_chunks(inferred_graph().into())?;
            return self.finish_entailments(0);
        }
        if let Some(entailed) = self.all_entailments(&schema)? {
            return self.write_difference(entailed);
        }
        self.clear_in_chunks(inferred_graph().into())?;
        let mut entailer = Entailer::new(&self.store, self.pending_limit)?;
        for t in schema.closure_triples() {
            entailer.add(t)?;
        }
        for q in self.asserted_quads()? {
            entailer.entail(&schema, TripleRef::from(q?.as_ref()))?;
        }
        let written = entailer.commit()?;
        self.finish_entailments(written)
    }

    /// The quads of every graph but the derived ones (which are not even decoded).
    fn asserted_quads(&self) -> Result<impl Iterator<Item = Result<Quad>> + '_> {
        let mut graphs = vec![GraphName::DefaultGraph];
        for g in self.store.named_graphs() {
            let g = GraphName::from(g?);
            if !is_derived_graph(g.as_ref()) {
                graphs.push(g);
            }
        }
        Ok(graphs.into_iter().flat_map(move |g| {
            self.store
                .quads_for_pattern(None, None, None, Some(g.as_ref()))
                .map(|q| q.map_err(Error::Storage))
        }))
    }

    /// Every entailment of the store not asserted in it, or `None` when there are more than
    /// [`PENDING_LIMIT`].
    fn all_entailments(&self, schema: &Schema) -> Result<Option<FastSet<Triple>>> {
        let mut entailed: FastSet<Triple> = schema.closure_triples().into_iter().collect();
        // The asserted triples an entailment could repeat, gathered in the same pass.
        let mut asserted: FastSet<Triple> = FastSet::default();
        for q in self.asserted_quads()? {
            let q = q?;
            let t = TripleRef::from(q.as_ref());
            if schema.may_be_entailed(t) {
                asserted.insert(t.into_owned());
            }
            schema.entail(t, &mut |e| {
                entailed.insert(e);
            });
            if entailed.len() + asserted.len() > self.pending_limit {
                return Ok(None);
            }
        }
        entailed.retain(|t| !asserted.contains(t));
        Ok(Some(entailed))
    }

    /// Makes the inferred graph equal to `entailed`, writing only what differs.
    fn write_difference(&self, mut entailed: FastSet<Triple>) -> Result<u64> {
        let total = entailed.len() as u64;
        let mut stale = Vec::new();
        for q in self
            .store
            .quads_for_pattern(None, None, None, Some(inferred_graph().into()))
        {
            let t = Triple::from(q?);
            if !entailed.remove(&t) {
                stale.push(t.in_graph(inferred_graph()));
            }
        }
        for chunk in stale.chunks(BATCH) {
            let mut tx = self.store.start_transaction()?;
            for q in chunk {
                tx.remove(q.as_ref());
            }
            tx.commit()?;
        }
        let mut loader = self.store.bulk_loader();
        loader.load_quads(entailed.into_iter().map(|t| t.in_graph(inferred_graph())))?;
        loader.commit()?;
        self.finish_entailments(total)
    }

    /// Clears the dirty marker once entailments are committed; passes `written` through.
    fn finish_entailments(&self, written: u64) -> Result<u64> {
        self.store.remove(dirty_quad().as_ref())?;
        self.bump();
        Ok(written)
    }

    /// Adds the entailments of `quads` (already committed) without recomputing the rest.
    fn add_entailments(&self, quads: impl Iterator<Item = Result<Quad>>) -> Result<u64> {
        if self.entailment == Entailment::None {
            return self.finish_entailments(0);
        }
        let schema = self
            .schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut entailer = Entailer::new(&self.store, self.pending_limit)?;
        for q in quads {
            let q = q?;
            if !is_derived_graph(q.graph_name.as_ref()) {
                entailer.entail(&schema, TripleRef::from(q.as_ref()))?;
            }
        }
        let written = entailer.commit()?;
        self.finish_entailments(written)
    }

    /// Empties a graph in transactions of bounded size: RocksDB handles one huge write batch
    /// poorly, and the dirty marker already guards against a crash half-way.
    fn clear_in_chunks(&self, graph: GraphNameRef<'_>) -> Result<()> {
        loop {
            let chunk: Vec<Quad> = self
                .store
                .quads_for_pattern(None, None, None, Some(graph))
                .take(BATCH)
                .collect::<std::result::Result<_, _>>()?;
            if chunk.is_empty() {
                return Ok(());
            }
            let mut tx = self.store.start_transaction()?;
            for q in &chunk {
                tx.remove(q.as_ref());
            }
            tx.commit()?;
        }
    }

    /// Loads quads atomically: either all of them land or none do (a parse error anywhere
    /// leaves the store as it was).
    ///
    /// One pass over the input, on two threads: a scanning thread parses (`open` yields the
    /// quads) and follows each quad with its new entailments, while this thread hands both
    /// to Oxigraph's bulk loader, so data and entailments are committed together. A load that
    /// changes the schema recomputes all entailments afterwards instead; one that entails more
    /// than [`PENDING_LIMIT`] distinct triples calls `open` a second time to add the rest in
    /// bounded chunks.
    pub fn load<I: Iterator<Item = Result<Quad>> + Send>(
        &self,
        open: impl Fn() -> Result<I>,
        on_progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<LoadReport> {
        let start = Instant::now();
        let schema = self
            .schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let source = open()?;
        let mut loader = self.store.bulk_loader().on_progress(on_progress);
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Quad>>(4);
        let entailing = (self.entailment == Entailment::Rdfs).then_some(&*schema);
        let (scan, loaded) = std::thread::scope(|scope| {
            let scanner = scope
                .spawn(|| scan_load(&self.store, source, entailing, self.pending_limit, sender));
            let loaded = (|| -> Result<()> {
                for batch in receiver {
                    loader.load_quads(batch)?;
                }
                Ok(())
            })();
            let scan = scanner
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (scan, loaded)
        });
        // Dropping the loader without commit discards everything it buffered.
        if let Some(e) = scan.error {
            return Err(e);
        }
        loaded?;
        loader.commit()?;
        self.bump();
        let data_seconds = start.elapsed().as_secs_f64();
        let mut report = LoadReport {
            quads_read: scan.read,
            entailments_added: scan.entailments,
            ..LoadReport::default()
        };
        if scan.schema_changed && self.entailment == Entailment::Rdfs {
            report.full_reinference = true;
            report.entailments_added = self.refresh_inference()?;
        } else {
            if !scan.conflicts.is_empty() {
                // An input that asserts a triple twice names it twice.
                let conflicts: FastSet<Triple> = scan.conflicts.into_iter().collect();
                let mut tx = self.store.start_transaction()?;
                for t in &conflicts {
                    tx.remove(t.as_ref().in_graph(inferred_graph()));
                }
                tx.commit()?;
                report.entailments_added = report
                    .entailments_added
                    .saturating_sub(conflicts.len() as u64);
            }
            if scan.overflow {
                report.entailments_added += self.add_entailments(open()?)?;
            } else {
                self.store.remove(dirty_quad().as_ref())?;
                self.bump();
            }
        }
        report.seconds = start.elapsed().as_secs_f64();
        tracing::debug!(
            quads = report.quads_read,
            entailments = report.entailments_added,
            data_seconds,
            seconds = report.seconds,
            "loaded"
        );
        Ok(report)
    }

    /// Loads quads held in memory (see [`KgStore::load`]).
    pub fn load_quads(&self, quads: &[Quad]) -> Result<LoadReport> {
        self.load(|| Ok(quads.iter().cloned().map(Ok)), |_| {})
    }

    /// A SPARQL evaluator with the common prefixes predeclared.
    pub fn evaluator() -> SparqlEvaluator {
        vocab::PREFIXES
            .iter()
            .fold(SparqlEvaluator::new(), |e, (p, iri)| {
                e.with_prefix(*p, *iri)
                    .unwrap_or_else(|_| SparqlEvaluator::new())
            })
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

    /// Runs a prepared update atomically, then recomputes the entailments.
    pub fn update(&self, prepared: PreparedSparqlUpdate) -> Result<()> {
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| Error::Evaluation(e.to_string()))?;
        self.bump();
        self.refresh_inference()?;
        Ok(())
    }

    /// Replaces (or, with `replace == false`, adds to) one graph with the given triples in one
    /// transaction, then recomputes the entailments. Returns whether the graph existed before.
    pub fn write_graph(
        &self,
        graph: GraphNameRef<'_>,
        quads: Vec<Quad>,
        replace: bool,
    ) -> Result<bool> {
        let existed = self.graph_exists(graph)?;
        let mut tx = self.store.start_transaction()?;
        if replace {
            tx.clear_graph(graph)?;
        }
        tx.extend(quads.iter().map(|q| q.as_ref()));
        if let GraphNameRef::NamedNode(g) = graph {
            tx.insert_named_graph(g);
        }
        tx.insert(dirty_quad().as_ref());
        tx.commit()?;
        self.bump();
        let schema_changed = quads
            .iter()
            .any(|q| is_schema_triple(TripleRef::from(q.as_ref())));
        if replace || schema_changed {
            self.refresh_inference()?;
        } else {
            self.add_entailments(quads.iter().map(|q| Ok(q.clone())))?;
        }
        Ok(existed)
    }

    /// Deletes a graph; returns whether it existed.
    pub fn delete_graph(&self, graph: GraphNameRef<'_>) -> Result<bool> {
        let existed = self.graph_exists(graph)?;
        match graph {
            GraphNameRef::NamedNode(g) => self.store.remove_named_graph(g)?,
            GraphNameRef::DefaultGraph => self.store.clear_graph(GraphNameRef::DefaultGraph)?,
            GraphNameRef::BlankNode(b) => self.store.remove_named_graph(b)?,
        }
        self.bump();
        self.refresh_inference()?;
        Ok(existed)
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

/// What the scanning thread of [`KgStore::load`] saw.
#[derive(Default)]
struct Scan {
    read: u64,
    schema_changed: bool,
    /// Entailments sent to the inferred graph along with the data.
    entailments: u64,
    /// Whether the input entailed more than [`PENDING_LIMIT`] distinct triples, so the
    /// rest must be added in a second pass.
    overflow: bool,
    /// Entailments sent before the input asserted them after all: to remove from the
    /// inferred graph once the load is committed.
    conflicts: Vec<Triple>,
    error: Option<Error>,
}

/// Parses the input of a load and sends it to the loader in batches (the dirty marker
/// first), each quad followed by its entailments under `schema` (if any) that are new:
/// neither sent before, nor asserted earlier in the input, nor asserted in the store.
fn scan_load(
    store: &Store,
    quads: impl Iterator<Item = Result<Quad>>,
    schema: Option<&Schema>,
    limit: usize,
    sender: std::sync::mpsc::SyncSender<Vec<Quad>>,
) -> Scan {
    let mut scan = Scan::default();
    let mut probe = match AssertedProbe::new(store) {
        Ok(probe) => probe,
        Err(e) => {
            scan.error = Some(e);
            return scan;
        }
    };
    // Entailments sent so far, and the input's triples that an entailment could repeat.
    let mut sent: FastSet<Triple> = FastSet::default();
    let mut asserted: FastSet<Triple> = FastSet::default();
    let mut found = Vec::new();
    let mut batch = Vec::with_capacity(SCAN_BATCH);
    batch.push(dirty_quad());
    for q in quads {
        let q = match q {
            Ok(q) => q,
            Err(e) => {
                scan.error = Some(e);
                return scan;
            }
        };
        scan.read += 1;
        if is_derived_graph(q.graph_name.as_ref()) {
            // Entailments and bookkeeping are ours to write; loaded copies would go stale.
            continue;
        }
        let t = TripleRef::from(q.as_ref());
        scan.schema_changed |= is_schema_triple(t);
        if let (Some(schema), true) = (schema, scan.overflow && !scan.schema_changed) {
            // Past the limit nothing more is sent, but what was sent may still turn out to
            // be asserted further on.
            if schema.may_be_entailed(t) && sent.contains(&t.into_owned()) {
                scan.conflicts.push(t.into_owned());
            }
        }
        let entailing = schema.filter(|_| !scan.schema_changed && !scan.overflow);
        if let Some(schema) = entailing {
            if schema.may_be_entailed(t) {
                let t = t.into_owned();
                if sent.contains(&t) {
                    scan.conflicts.push(t.clone());
                }
                asserted.insert(t);
            }
            schema.entail(t, &mut |e| found.push(e));
            for e in found.drain(..) {
                if asserted.contains(&e) || sent.contains(&e) {
                    continue;
                }
                match probe.is_asserted(&e) {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(err) => {
                        scan.error = Some(err);
                        return scan;
                    }
                }
                batch.push(e.clone().in_graph(inferred_graph()));
                sent.insert(e);
                scan.entailments += 1;
            }
            if sent.len() > limit {
                // The second pass adds the rest; `sent` stays (it is full, not growing).
                scan.overflow = true;
                asserted = FastSet::default();
            }
        }
        batch.push(q);
        if batch.len() >= SCAN_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(SCAN_BATCH));
            if sender.send(full).is_err() {
                // The loader failed and says why.
                return scan;
            }
        }
    }
    let _ = sender.send(batch);
    scan
}

/// Writes entailments to the inferred graph: drops the ones asserted elsewhere and the
/// duplicates, and hands the rest to a bulk loader in chunks of bounded size.
struct Entailer<'a> {
    probe: AssertedProbe<'a>,
    loader: oxigraph::store::BulkLoader<'a>,
    pending: FastSet<Triple>,
    limit: usize,
    written: u64,
}

impl<'a> Entailer<'a> {
    fn new(store: &'a Store, limit: usize) -> Result<Self> {
        Ok(Self {
            probe: AssertedProbe::new(store)?,
            loader: store.bulk_loader(),
            pending: FastSet::default(),
            limit,
            written: 0,
        })
    }

    /// Adds one entailed triple.
    fn add(&mut self, t: Triple) -> Result<()> {
        self.pending.insert(t);
        if self.pending.len() >= self.limit {
            self.flush()?;
        }
        Ok(())
    }

    /// Adds the entailments of `t` under `schema`.
    fn entail(&mut self, schema: &Schema, t: TripleRef<'_>) -> Result<()> {
        let pending = &mut self.pending;
        schema.entail(t, &mut |e| {
            pending.insert(e);
        });
        if self.pending.len() >= self.limit {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let mut quads = Vec::with_capacity(self.pending.len());
        for t in self.pending.drain() {
            if !self.probe.is_asserted(&t)? {
                quads.push(t.in_graph(inferred_graph()));
            }
        }
        self.written += quads.len() as u64;
        self.loader.load_quads(quads)?;
        Ok(())
    }

    /// Loads what is left and commits; returns how many entailments were written.
    fn commit(mut self) -> Result<u64> {
        self.flush()?;
        self.loader.commit()?;
        Ok(self.written)
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

    const AK: &str = "https://w3id.org/autokg/ontology#";

    fn inferred(store: &KgStore) -> std::collections::BTreeSet<String> {
        store
            .graph_triples(inferred_graph().into())
            .map(|t| t.expect("reads").to_string())
            .collect()
    }

    fn parse(text: &str) -> Vec<Quad> {
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
    fn assert_same(
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

    fn sample() -> Vec<Quad> {
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

    /// The entailments a load writes in its single pass are exactly those a recomputation
    /// from scratch finds, including when the input asserts a triple after entailing it.
    #[test]
    fn one_pass_load_entails_what_a_full_recomputation_does() {
        let store = KgStore::open(None).expect("opens");
        let quads = sample();
        let report = store.load_quads(&quads).expect("loads");
        let after_load = inferred(&store);
        assert!(report.entailments_added > 0);
        assert_eq!(
            report.entailments_added as usize
                + inferred(&KgStore::open(None).expect("opens")).len(),
            after_load.len()
        );
        store.refresh_inference().expect("recomputes");
        assert_same(&after_load, &inferred(&store), "recomputation");
        for asserted in [
            format!("<http://example.org/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{AK}Organization>"),
            format!("<http://example.org/c> <{AK}partnerOf> <http://example.org/a>"),
            format!("<http://example.org/d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{AK}Company>"),
            format!("<http://example.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{AK}Company>"),
        ] {
            assert!(!after_load.contains(&asserted), "{asserted} is asserted, not inferred");
        }
        assert!(!store.is_inference_dirty().expect("reads"));
    }

    /// With room for only a few entailments in memory, loads finish in a second pass and
    /// recomputations clear and refill the inferred graph: the same result either way.
    #[test]
    fn small_memory_limits_give_the_same_entailments() {
        let roomy = KgStore::open(None).expect("opens");
        roomy.load_quads(&sample()).expect("loads");
        let mut tight = KgStore::open(None).expect("opens");
        tight.pending_limit = 3;
        let report = tight.load_quads(&sample()).expect("loads");
        assert!(report.entailments_added > 0);
        assert_same(&inferred(&roomy), &inferred(&tight), "load");
        tight.refresh_inference().expect("recomputes");
        assert_same(&inferred(&roomy), &inferred(&tight), "recomputation");
        assert!(!tight.is_inference_dirty().expect("reads"));
    }

    /// A recomputation writes only the difference: entailments of deleted data go, those of
    /// a new subclass come, and the result is what a fresh store computes.
    #[test]
    fn recomputation_removes_stale_and_adds_new_entailments() {
        let store = KgStore::open(None).expect("opens");
        let graph = NamedNode::new_unchecked("http://example.org/g");
        let quads: Vec<Quad> = sample()
            .into_iter()
            .map(|q| Triple::from(q).in_graph(graph.clone()))
            .collect();
        store.load_quads(&quads).expect("loads");
        let b_is_company = format!(
            "<http://example.org/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{AK}Company>"
        );
        assert!(inferred(&store).contains(&b_is_company));
        store.delete_graph(graph.as_ref().into()).expect("deletes");
        assert_eq!(
            inferred(&store),
            inferred(&KgStore::open(None).expect("opens"))
        );
        let schema = parse(&format!(
            "@prefix ak: <{AK}> . @prefix e: <http://example.org/> .
             @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
             e:x a e:Maker . e:Maker rdfs:subClassOf ak:Automaker ."
        ));
        let report = store.load_quads(&schema).expect("loads");
        assert!(report.full_reinference);
        let now = inferred(&store);
        for expected in [
            format!("<http://example.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{AK}Company>"),
            format!("<http://example.org/Maker> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{AK}Company>"),
        ] {
            assert!(now.contains(&expected), "missing {expected}");
        }
        let fresh = KgStore::open(None).expect("opens");
        fresh.load_quads(&schema).expect("loads");
        assert_same(&now, &inferred(&fresh), "schema change");
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
