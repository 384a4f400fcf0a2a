//! The knowledge-graph store: the only module that touches Oxigraph's `Store`. It loads the
//! embedded ontology and curated data into their graphs, keeps the RDFS entailments in the
//! inferred graph current, and runs queries, updates, loads and dumps.

use crate::error::{Error, Result};
use crate::inference::{is_schema_triple, Schema};
use crate::rdfio::parse_text;
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

/// Entailments handed to the bulk loader at a time.
const BATCH: usize = 100_000;

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

/// The store, with the embedded data loaded and entailments current.
pub struct KgStore {
    store: Store,
    persistent: bool,
    /// Bumped after every write: readers use it to invalidate caches and build ETags.
    generation: AtomicU64,
    schema: RwLock<std::sync::Arc<Schema>>,
}

impl KgStore {
    /// Opens an in-memory store (`None`) or a persistent RocksDB store in `dir`, loading the
    /// embedded ontology and curated data if they are missing or out of date.
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        let (store, persistent) = match dir {
            Some(dir) => (Store::open(dir)?, true),
            None => (Store::new()?, false),
        };
        let this = Self {
            store,
            persistent,
            generation: AtomicU64::new(1),
            schema: RwLock::new(Default::default()),
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
        for p in [
            rdfs::SUB_CLASS_OF,
            rdfs::SUB_PROPERTY_OF,
            rdfs::DOMAIN,
            rdfs::RANGE,
            rdf::TYPE,
        ] {
            for q in self.store.quads_for_pattern(None, Some(p), None, None) {
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
    /// Streams: the store's quads are read once and the entailments go through Oxigraph's
    /// bulk loader, so memory stays flat in the size of the store. The dirty marker is set
    /// before the old entailments are cleared and removed once the new ones are committed.
    pub fn refresh_inference(&self) -> Result<u64> {
        let schema = self.reload_schema()?;
        self.store.insert(dirty_quad().as_ref())?;
        self.clear_in_chunks(inferred_graph().into())?;
        let mut probe = AssertedProbe::new(&self.store)?;
        let mut emitted = Vec::new();
        let mut loader = self.store.bulk_loader();
        let closure = schema.closure_triples();
        let mut batch = Vec::with_capacity(BATCH);
        let flush =
            |batch: &mut Vec<Triple>, loader: &mut oxigraph::store::BulkLoader<'_>| -> Result<()> {
                let mut quads = batch
                    .drain(..)
                    .map(|t| t.in_graph(inferred_graph()))
                    .collect();
                load_distinct(loader, &mut quads)
            };
        let mut written = 0u64;
        for t in closure {
            if !probe.is_asserted(&t)? {
                batch.push(t);
                written += 1;
            }
        }
        for q in self.store.iter() {
            let q = q?;
            if is_derived_graph(q.graph_name.as_ref()) {
                continue;
            }
            schema.entail(Triple::from(q).as_ref(), &mut |e| emitted.push(e));
            for e in emitted.drain(..) {
                if !probe.is_asserted(&e)? {
                    batch.push(e);
                    written += 1;
                }
            }
            if batch.len() >= BATCH {
                flush(&mut batch, &mut loader)?;
            }
        }
        flush(&mut batch, &mut loader)?;
        loader.commit()?;
        self.store.remove(dirty_quad().as_ref())?;
        self.bump();
        Ok(written)
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

    /// Adds the entailments of `quads` (already committed) without recomputing the rest,
    /// streaming them through the bulk loader.
    fn add_entailments(&self, quads: impl Iterator<Item = Result<Quad>>) -> Result<u64> {
        let schema = self
            .schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut written = 0u64;
        let mut probe = AssertedProbe::new(&self.store)?;
        let mut loader = self.store.bulk_loader();
        let mut emitted = Vec::new();
        let mut batch = Vec::with_capacity(BATCH);
        for q in quads {
            let q = q?;
            if is_derived_graph(q.graph_name.as_ref()) {
                continue;
            }
            schema.entail(TripleRef::from(q.as_ref()), &mut |e| emitted.push(e));
            for e in emitted.drain(..) {
                if !probe.is_asserted(&e)? {
                    batch.push(e.in_graph(inferred_graph()));
                    written += 1;
                }
            }
            if batch.len() >= BATCH {
                load_distinct(&mut loader, &mut batch)?;
            }
        }
        load_distinct(&mut loader, &mut batch)?;
        loader.commit()?;
        self.store.remove(dirty_quad().as_ref())?;
        self.bump();
        Ok(written)
    }

    /// Loads quads atomically: either all of them land or none do (a parse error anywhere
    /// leaves the store as it was). `open` yields the quads and is called twice: once to load
    /// them, once to add their entailments (recomputed instead when the load changes the
    /// schema). Memory stays flat in the size of the load.
    pub fn load<I: Iterator<Item = Result<Quad>>>(
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
        let mut schema_changed = false;
        let mut entailing = false;
        let mut read = 0u64;
        let mut first_error = None;
        let stream = open()?.map_while(|q| match q {
            Ok(q) => {
                read += 1;
                if is_derived_graph(q.graph_name.as_ref()) {
                    // Entailments and bookkeeping are ours to write; loaded copies would go stale.
                    return Some(None);
                }
                let t = TripleRef::from(q.as_ref());
                schema_changed |= is_schema_triple(t);
                entailing = entailing || schema.entails_anything(t);
                Some(Some(q))
            }
            Err(e) => {
                first_error = Some(e);
                None
            }
        });
        let mut loader = self.store.bulk_loader().on_progress(on_progress);
        loader.load_quads(stream.flatten().chain(std::iter::once(dirty_quad())))?;
        if let Some(e) = first_error {
            // Dropping the loader without commit discards everything it buffered.
            drop(loader);
            return Err(e);
        }
        loader.commit()?;
        self.bump();
        let mut report = LoadReport {
            quads_read: read,
            ..LoadReport::default()
        };
        if schema_changed {
            report.full_reinference = true;
            report.entailments_added = self.refresh_inference()?;
        } else if entailing {
            report.entailments_added = self.add_entailments(open()?)?;
        } else {
            self.store.remove(dirty_quad().as_ref())?;
        }
        report.seconds = start.elapsed().as_secs_f64();
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

    /// Parses a query with the common prefixes and the union of all graphs as default graph.
    pub fn prepare_query(&self, sparql: &str) -> Result<PreparedSparqlQuery> {
        self.prepare_query_with(Self::evaluator(), sparql)
    }

    /// Like [`KgStore::prepare_query`] on an evaluator of the caller's (custom functions).
    pub fn prepare_query_with(
        &self,
        evaluator: SparqlEvaluator,
        sparql: &str,
    ) -> Result<PreparedSparqlQuery> {
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
            self.add_entailments(quads.into_iter().map(Ok))?;
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

/// Hands a batch to the bulk loader without its duplicates (an object typed by the range of
/// several edges is entailed once per edge).
fn load_distinct(
    loader: &mut oxigraph::store::BulkLoader<'_>,
    batch: &mut Vec<Quad>,
) -> Result<()> {
    let distinct: HashSet<Quad> = batch.drain(..).collect();
    loader.load_quads(distinct)?;
    Ok(())
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
