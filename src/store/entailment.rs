//! Upkeep of the inferred graph: the schema read from the store, recomputation of all
//! entailments (writing only the difference when they fit in memory), adding the
//! entailments of new data, and the probe that leaves out entailments asserted elsewhere.

use super::{dirty_quad, inferred_graph, is_derived_graph, Entailment, FastSet, KgStore};
use crate::error::{Error, Result};
use crate::rdf::inference::{is_schema_triple, Schema, OWL_SYMMETRIC};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad, Term, Triple, TripleRef};
use oxigraph::store::Store;
use std::collections::HashSet;

/// Quads removed per transaction when a graph is cleared.
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
pub(super) struct AssertedProbe<'a> {
    store: &'a Store,
    graphs: Vec<GraphName>,
    patterns: std::collections::HashMap<(NamedNode, Option<Term>), PatternInfo>,
}

impl<'a> AssertedProbe<'a> {
    pub(super) fn new(store: &'a Store) -> Result<Self> {
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

    pub(super) fn is_asserted(&mut self, t: &Triple) -> Result<bool> {
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

impl KgStore {
    /// Whether the dirty marker is set: entailments may be stale (a write or load did not
    /// finish its upkeep).
    pub(super) fn is_inference_dirty(&self) -> Result<bool> {
        Ok(self.store.contains(dirty_quad().as_ref())?)
    }

    /// Reads the schema triples (subclass, subproperty, domain, range, symmetric
    /// properties) of the asserted graphs and makes them the schema new data is entailed
    /// under; returns it.
    pub(super) fn reload_schema(&self) -> Result<Schema> {
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
    /// When the store's entailments fit in memory ([`PENDING_LIMIT`](super::PENDING_LIMIT)),
    /// only the difference is written: stale entailments removed, new ones added, the rest
    /// left alone (a schema change usually touches a few). Otherwise the inferred graph is
    /// cleared and refilled, streaming through the bulk loader in bounded chunks. Either way
    /// the dirty marker is set first and removed once the new entailments are committed.
    /// Waits for the writer lock (one writer at a time).
    pub fn refresh_inference(&self) -> Result<u64> {
        let _writer = self.writer.lock();
        self.refresh_inference_locked()
    }

    /// [`KgStore::refresh_inference`] for a caller that holds the writer lock.
    pub(super) fn refresh_inference_locked(&self) -> Result<u64> {
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
    /// [`PENDING_LIMIT`](super::PENDING_LIMIT).
    pub(super) fn all_entailments(&self, schema: &Schema) -> Result<Option<FastSet<Triple>>> {
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
    pub(super) fn add_entailments(&self, quads: impl Iterator<Item = Result<Quad>>) -> Result<u64> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_same, inferred, parse, sample, AK};
    use super::*;

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
}
