//! Writes: the one writer at a time, a write batch that records the net change of a write
//! (quads removed and added, against the store as it was), the refusal of writes to the
//! protected graphs, and the commit of the change with its entailment delta in one
//! transaction.

use super::maintain::{derivations, entailment_delta};
use super::{dirty_quad, inferred_graph, is_derived_graph, Entailment, FastSet, KgStore};
use crate::algorithms::Deadline;
use crate::error::{Error, Result};
use crate::rdf::inference::is_schema_triple;
use crate::vocab::{GRAPH_CURATED, GRAPH_INFERRED, GRAPH_META, GRAPH_ONTOLOGY};
use oxigraph::model::{GraphName, GraphNameRef, NamedOrBlankNode, Quad, Triple, TripleRef};
use oxigraph::store::Transaction;

/// Changes larger than this (quads removed plus added) recompute all entailments after the
/// commit (guarded by the dirty marker) instead of maintaining them quad by quad.
pub(super) const INCREMENTAL_LIMIT: usize = 200_000;

/// What a protected graph is, for the 403 message; `None` for a writable graph.
pub fn protected_graph(graph: GraphNameRef<'_>) -> Option<&'static str> {
    let GraphNameRef::NamedNode(g) = graph else {
        return None;
    };
    match g.as_str() {
        GRAPH_ONTOLOGY => Some("the ontology graph, the product's published data"),
        GRAPH_CURATED => Some("the curated graph, the product's published data"),
        GRAPH_INFERRED => Some("the inferred graph, which the server keeps"),
        GRAPH_META => Some("the bookkeeping graph, which the server keeps"),
        _ => None,
    }
}

/// The 403 for a write that would change a protected graph.
pub(super) fn refuse(graph: GraphNameRef<'_>) -> Error {
    Error::Forbidden(format!(
        "the write would change {graph}, {}; it is read-only, and nothing was applied",
        protected_graph(graph).unwrap_or("a protected graph")
    ))
}

/// One write in progress: an Oxigraph transaction (which reads its own writes) and the net
/// change it makes, recorded as it goes so that the commit knows the entailment delta.
pub(super) struct Batch<'a> {
    pub(super) tx: Transaction<'a>,
    store: &'a KgStore,
    /// Quads of the store before the write that the write removes.
    removed: FastSet<Quad>,
    /// Quads not in the store before the write that the write adds.
    added: FastSet<Quad>,
    /// The write's time limit, checked every [`CHECK_EVERY`] changes and before the commit.
    deadline: Deadline,
    /// Changes since the last check of `deadline`.
    since_check: u32,
}

/// How many quad changes a write makes between two checks of its deadline.
const CHECK_EVERY: u32 = 1024;

impl<'a> Batch<'a> {
    /// `Err(Error::Timeout)` once the write's deadline has passed, checked every
    /// [`CHECK_EVERY`] calls: the batch is then dropped uncommitted.
    fn tick(&mut self) -> Result<()> {
        self.since_check += 1;
        if self.since_check >= CHECK_EVERY {
            self.since_check = 0;
            self.deadline.check()?;
        }
        Ok(())
    }

    /// Adds a quad (a no-op when it is there).
    pub(super) fn insert(&mut self, quad: Quad) -> Result<()> {
        self.tick()?;
        if self.tx.contains(&quad)? {
            return Ok(());
        }
        self.tx.insert(&quad);
        if !self.removed.remove(&quad) {
            self.added.insert(quad);
        }
        Ok(())
    }

    /// Removes a quad (a no-op when it is not there).
    pub(super) fn remove(&mut self, quad: Quad) -> Result<()> {
        self.tick()?;
        if !self.tx.contains(&quad)? {
            return Ok(());
        }
        self.tx.remove(&quad);
        if !self.added.remove(&quad) {
            self.removed.insert(quad);
        }
        Ok(())
    }

    /// Removes a triple from every graph that holds it (a `DELETE` template without
    /// `GRAPH`). A triple held by a protected graph is refused (403 naming it); one that
    /// holds only as an entailment is refused naming the asserted triples it follows from.
    pub(super) fn remove_everywhere(&mut self, t: Triple) -> Result<()> {
        let holders: Vec<Quad> = self
            .tx
            .quads_for_pattern(
                Some(t.subject.as_ref()),
                Some(t.predicate.as_ref()),
                Some(t.object.as_ref()),
                None,
            )
            .collect::<std::result::Result<_, _>>()?;
        let inferred = GraphNameRef::NamedNode(inferred_graph());
        let asserted: Vec<Quad> = holders
            .iter()
            .filter(|q| q.graph_name.as_ref() != inferred)
            .cloned()
            .collect();
        if asserted.is_empty() && !holders.is_empty() {
            return Err(self.entailed_only(&t));
        }
        if let Some(q) = asserted
            .iter()
            .find(|q| protected_graph(q.graph_name.as_ref()).is_some())
        {
            return Err(refuse(q.graph_name.as_ref()));
        }
        for q in asserted {
            self.remove(q)?;
        }
        Ok(())
    }

    fn entailed_only(&self, t: &Triple) -> Error {
        let schema = self.store.current_schema();
        let sources = derivations(&self.store.store, &schema, t, &self.removed, 5)
            .unwrap_or_default()
            .iter()
            .map(Triple::to_string)
            .collect::<Vec<_>>();
        Error::Forbidden(format!(
            "{t} holds only as an entailment (in {GRAPH_INFERRED}), so deleting it would change nothing; it follows from {}; delete {} instead. Nothing was applied",
            if sources.is_empty() { "the schema".to_owned() } else { sources.join(" ; ") },
            if sources.len() > 1 { "those" } else { "that" },
        ))
    }

    /// Removes every quad of a graph (the named graph itself stays).
    pub(super) fn clear_graph(&mut self, graph: GraphNameRef<'_>) -> Result<()> {
        if let Some(_what) = protected_graph(graph) {
            if self
                .tx
                .quads_for_pattern(None, None, None, Some(graph))
                .next()
                .is_some()
            {
                return Err(refuse(graph));
            }
            return Ok(());
        }
        let quads: Vec<Quad> = self
            .tx
            .quads_for_pattern(None, None, None, Some(graph))
            .collect::<std::result::Result<_, _>>()?;
        for q in quads {
            self.remove(q)?;
        }
        Ok(())
    }

    /// Removes a named graph and its quads.
    pub(super) fn drop_graph(&mut self, graph: GraphNameRef<'_>) -> Result<()> {
        if protected_graph(graph).is_some() {
            return Err(refuse(graph));
        }
        self.clear_graph(graph)?;
        match graph {
            GraphNameRef::NamedNode(g) => self.tx.remove_named_graph(g)?,
            GraphNameRef::BlankNode(b) => self.tx.remove_named_graph(b)?,
            GraphNameRef::DefaultGraph => {}
        }
        Ok(())
    }

    /// Whether a graph exists, as the write sees the store (the default graph always does).
    pub(super) fn graph_exists(&self, graph: GraphNameRef<'_>) -> Result<bool> {
        Ok(match graph {
            GraphNameRef::DefaultGraph => true,
            GraphNameRef::NamedNode(g) => self.tx.contains_named_graph(g)?,
            GraphNameRef::BlankNode(b) => self.tx.contains_named_graph(b)?,
        })
    }

    /// The named graphs a client may write, as the write sees the store.
    pub(super) fn writable_named_graphs(&self) -> Result<Vec<NamedOrBlankNode>> {
        let mut out = Vec::new();
        for g in self.tx.named_graphs() {
            let g = g?;
            if protected_graph(GraphName::from(g.clone()).as_ref()).is_none() {
                out.push(g);
            }
        }
        Ok(out)
    }

    /// Checks the change against the protected graphs, then commits it with its
    /// entailments: in the same transaction when the schema is unchanged and the change is
    /// at most [`INCREMENTAL_LIMIT`] quads; otherwise the commit carries the dirty marker
    /// and all entailments are recomputed after it (a crash in between is repaired at the
    /// next open).
    fn commit(mut self) -> Result<()> {
        if let Some(q) = self
            .removed
            .iter()
            .chain(&self.added)
            .find(|q| protected_graph(q.graph_name.as_ref()).is_some())
        {
            return Err(refuse(q.graph_name.as_ref()));
        }
        let asserted = |q: &&Quad| !is_derived_graph(q.graph_name.as_ref());
        let schema_changed = self
            .removed
            .iter()
            .chain(&self.added)
            .filter(asserted)
            .any(|q| is_schema_triple(TripleRef::from(q.as_ref())));
        let store = self.store;
        self.deadline.check()?;
        // The count of the generation this write starts from (the writer lock is held).
        let counted = store.known_len();
        if store.entailment == Entailment::None {
            self.tx.commit()?;
            store.bump();
            store.carry_count(counted, self.added.len(), self.removed.len());
            return Ok(());
        }
        if schema_changed || self.removed.len() + self.added.len() > INCREMENTAL_LIMIT {
            self.tx.insert(dirty_quad().as_ref());
            self.tx.commit()?;
            store.bump();
            store.refresh_inference_locked()?;
            return Ok(());
        }
        let schema = store.current_schema();
        let start = std::time::Instant::now();
        let delta = entailment_delta(
            &store.store,
            &schema,
            &self.removed,
            &self.added,
            &self.deadline,
        )?;
        let delta_time = start.elapsed();
        for t in &delta.remove {
            self.tx.remove(t.as_ref().in_graph(inferred_graph()));
        }
        for t in &delta.add {
            self.tx.insert(t.as_ref().in_graph(inferred_graph()));
        }
        self.deadline.check()?;
        self.tx.commit()?;
        store.bump();
        store.carry_count(
            counted,
            self.added.len() + delta.add.len(),
            self.removed.len() + delta.remove.len(),
        );
        tracing::debug!(
            removed = self.removed.len(),
            added = self.added.len(),
            entailments_removed = delta.remove.len(),
            entailments_added = delta.add.len(),
            delta_ms = delta_time.as_secs_f64() * 1e3,
            commit_ms = (start.elapsed() - delta_time).as_secs_f64() * 1e3,
            "write committed"
        );
        Ok(())
    }
}

impl KgStore {
    /// The [`Error::Forbidden`] for a write to a protected graph ([`protected_graph`]),
    /// naming it; for callers that refuse before reading a request body.
    pub fn refuse_write(graph: GraphNameRef<'_>) -> Error {
        refuse(graph)
    }

    /// Runs `f` on a new write batch under the writer lock and commits what it did with its
    /// entailment delta (see [`Batch::commit`]); an error from `f` or from the checks drops
    /// the batch uncommitted, so nothing is applied. Past `deadline` (waiting for the lock,
    /// changing quads, finding the entailment delta, or just before the commit) the answer is
    /// [`Error::Timeout`] and nothing is applied; a write that recomputes every entailment
    /// after its commit (a schema change, or more than [`INCREMENTAL_LIMIT`] quads) finishes
    /// that recomputation whatever the deadline, as its data is already committed.
    pub(super) fn write<T>(
        &self,
        deadline: &Deadline,
        f: impl FnOnce(&mut Batch<'_>) -> Result<T>,
    ) -> Result<T> {
        // Waiting for another write counts against this one's limit.
        let _writer = match deadline.instant() {
            None => self.writer.lock(),
            Some(at) => self
                .writer
                .try_lock_until(at)
                .ok_or_else(|| Error::from(deadline.cancelled()))?,
        };
        let mut batch = Batch {
            tx: self.store.start_transaction()?,
            store: self,
            removed: FastSet::default(),
            added: FastSet::default(),
            deadline: deadline.clone(),
            since_check: 0,
        };
        let out = f(&mut batch)?;
        batch.commit()?;
        Ok(out)
    }

    /// The schema entailments are computed under.
    pub(super) fn current_schema(&self) -> std::sync::Arc<crate::rdf::inference::Schema> {
        self.schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces (or, with `replace == false`, adds to) one graph with the given triples in
    /// one transaction, with their entailments. Returns whether the graph existed before.
    /// A protected graph ([`protected_graph`]) is refused with [`Error::Forbidden`].
    pub fn write_graph(
        &self,
        graph: GraphNameRef<'_>,
        quads: Vec<Quad>,
        replace: bool,
    ) -> Result<bool> {
        self.write_graph_until(graph, quads, replace, &Deadline::none())
    }

    /// [`KgStore::write_graph`] under `deadline`: past it, [`Error::Timeout`] and nothing
    /// applied (see [`KgStore::write`]).
    pub fn write_graph_until(
        &self,
        graph: GraphNameRef<'_>,
        quads: Vec<Quad>,
        replace: bool,
        deadline: &Deadline,
    ) -> Result<bool> {
        if protected_graph(graph).is_some() {
            return Err(refuse(graph));
        }
        self.write(deadline, |batch| {
            let existed = batch.graph_exists(graph)?;
            if replace {
                batch.clear_graph(graph)?;
            }
            for q in quads {
                batch.insert(q)?;
            }
            if let GraphNameRef::NamedNode(g) = graph {
                batch.tx.insert_named_graph(g);
            }
            Ok(existed)
        })
    }

    /// Deletes a graph (empties the default graph) with its entailments; returns whether it
    /// existed. A protected graph is refused with [`Error::Forbidden`].
    pub fn delete_graph(&self, graph: GraphNameRef<'_>) -> Result<bool> {
        self.delete_graph_until(graph, &Deadline::none())
    }

    /// [`KgStore::delete_graph`] under `deadline`: past it, [`Error::Timeout`] and nothing
    /// applied (see [`KgStore::write`]).
    pub fn delete_graph_until(&self, graph: GraphNameRef<'_>, deadline: &Deadline) -> Result<bool> {
        if protected_graph(graph).is_some() {
            return Err(refuse(graph));
        }
        self.write(deadline, |batch| {
            let existed = batch.graph_exists(graph)?;
            batch.drop_graph(graph)?;
            Ok(existed)
        })
    }
}
