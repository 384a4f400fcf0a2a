//! Incremental upkeep of the inferred graph for a write whose net change is known before it
//! commits: the entailments of added triples are added (semi-naive: only what they entail),
//! and those of removed triples are deleted and then rederived where another asserted
//! triple still entails them (DRed, delete/rederive).
//!
//! The entailment regime of [`crate::rdf::inference`] makes this exact and cheap: every
//! entailment follows from one asserted triple under the closed schema, so the inferred
//! graph is `closure ∪ ⋃ entail(t) ∖ asserted` over the asserted triples `t`, and a
//! rederivation only looks up the few patterns [`Schema::sources`] names.

use super::{inferred_graph, is_derived_graph, FastSet};
use crate::algorithms::Deadline;
use crate::error::Result;
use crate::rdf::inference::Schema;
use oxigraph::model::{NamedOrBlankNode, Quad, Term, Triple, TripleRef};
use oxigraph::store::Store;
use rustc_hash::FxHashMap as HashMap;

/// The changes a write makes to the inferred graph.
#[derive(Debug, Default)]
pub(super) struct Delta {
    /// Triples to remove from the inferred graph.
    pub remove: Vec<Triple>,
    /// Triples to add to the inferred graph.
    pub add: Vec<Triple>,
}

/// The inferred graph's change for a write that removes `removed` and adds `added` (net,
/// against `store` as it is before the write, which is what `store` still shows), the
/// schema unchanged. Past `deadline`: [`crate::error::Error::Timeout`].
pub(super) fn entailment_delta(
    store: &Store,
    schema: &Schema,
    removed: &FastSet<Quad>,
    added: &FastSet<Quad>,
    deadline: &Deadline,
) -> Result<Delta> {
    let mut every = deadline.every(256);
    let triples = |quads: &FastSet<Quad>| -> FastSet<Triple> {
        quads
            .iter()
            .filter(|q| !is_derived_graph(q.graph_name.as_ref()))
            .map(|q| Triple::from(q.clone()))
            .collect()
    };
    let added_triples = triples(added);
    let after = After {
        store,
        removed,
        added: &added_triples,
        subjects: Default::default(),
    };
    // Entailments the added triples bring (they stay whatever was removed).
    let mut brought: FastSet<Triple> = FastSet::default();
    for t in &added_triples {
        schema.entail(t.as_ref(), &mut |e| {
            brought.insert(e);
        });
    }
    // Triples no longer asserted, and what they entailed: candidates for removal.
    let mut lost: FastSet<Triple> = FastSet::default();
    for t in triples(removed) {
        every.check()?;
        if !after.is_asserted(&t)? {
            schema.entail(t.as_ref(), &mut |e| {
                lost.insert(e);
            });
            lost.insert(t);
        }
    }
    let closure: FastSet<Triple> = if lost.is_empty() {
        FastSet::default()
    } else {
        schema.closure_triples().into_iter().collect()
    };
    let mut delta = Delta::default();
    let mut settle = |t: &Triple, wanted: bool| -> Result<()> {
        let present = after.was_inferred(t)?;
        match (wanted, present) {
            (true, false) => delta.add.push(t.clone()),
            (false, true) => delta.remove.push(t.clone()),
            _ => {}
        }
        Ok(())
    };
    for t in &added_triples {
        settle(t, false)?;
    }
    for e in &brought {
        every.check()?;
        if !added_triples.contains(e) {
            settle(e, !after.is_asserted(e)?)?;
        }
    }
    let mut rederive = Rederive {
        after: &after,
        schema,
        nodes: HashMap::default(),
    };
    for e in &lost {
        every.check()?;
        if brought.contains(e) || added_triples.contains(e) {
            continue;
        }
        let wanted = !after.is_asserted(e)? && (closure.contains(e) || rederive.holds(e)?);
        settle(e, wanted)?;
    }
    Ok(delta)
}

/// Quads around one node read by [`Rederive`] before it falls back to per-pattern lookups.
const NODE_SCAN_LIMIT: usize = 1_000;

/// The rederivation step of DRed, by node: every triple that entails `e` has `e`'s subject
/// as its subject or object, so the entailments of the asserted triples around that node
/// (read once per node, at most [`NODE_SCAN_LIMIT`] quads each way; the subject's side is
/// the scan [`After`] already made) tell whether `e` still holds; around a larger node, the
/// patterns of [`Schema::sources`] are looked up instead.
struct Rederive<'a> {
    after: &'a After<'a>,
    schema: &'a Schema,
    /// Node → what the asserted triples around it entail (`None`: too many to read).
    nodes: HashMap<NamedOrBlankNode, Option<FastSet<Triple>>>,
}

impl Rederive<'_> {
    fn holds(&mut self, e: &Triple) -> Result<bool> {
        if !self.nodes.contains_key(&e.subject) {
            let around = self.around(&e.subject)?;
            self.nodes.insert(e.subject.clone(), around);
        }
        match self.nodes.get(&e.subject) {
            Some(Some(entailed)) => Ok(entailed.contains(e)),
            _ => Ok(
                !derivations(self.after.store, self.schema, e, self.after.removed, 1)?.is_empty(),
            ),
        }
    }

    fn around(&self, node: &NamedOrBlankNode) -> Result<Option<FastSet<Triple>>> {
        let mut entailed = FastSet::default();
        let schema = self.schema;
        let read = self.after.with_subject(node, |around| {
            around.map(|a| {
                for t in &a.asserted {
                    schema.entail(t.as_ref(), &mut |e| {
                        entailed.insert(e);
                    });
                }
            })
        })?;
        if read.is_none() {
            return Ok(None);
        }
        let as_object = Term::from(node.clone());
        let quads = self
            .after
            .store
            .quads_for_pattern(None, None, Some(as_object.as_ref()), None);
        for (i, q) in quads.enumerate() {
            if i >= NODE_SCAN_LIMIT {
                return Ok(None);
            }
            let q = q?;
            if is_derived_graph(q.graph_name.as_ref()) || self.after.removed.contains(&q) {
                continue;
            }
            self.schema.entail(TripleRef::from(q.as_ref()), &mut |t| {
                entailed.insert(t);
            });
        }
        Ok(Some(entailed))
    }
}

/// Up to `limit` asserted triples of `store`, not among `removed`, that entail `t` under
/// `schema` (the rederivation step of DRed, and the sources named when a client tries to
/// delete an entailment).
pub(super) fn derivations(
    store: &Store,
    schema: &Schema,
    t: &Triple,
    removed: &FastSet<Quad>,
    limit: usize,
) -> Result<Vec<Triple>> {
    let mut found: Vec<Triple> = Vec::new();
    for pattern in schema.sources(t.as_ref()) {
        for q in store.quads_for_pattern(
            pattern.subject.as_ref().map(|s| s.as_ref()),
            Some(pattern.predicate.as_ref()),
            pattern.object.as_ref().map(|o| o.as_ref()),
            None,
        ) {
            let q = q?;
            if is_derived_graph(q.graph_name.as_ref()) || removed.contains(&q) {
                continue;
            }
            let mut entails = false;
            schema.entail(TripleRef::from(q.as_ref()), &mut |e| entails |= &e == t);
            let source = Triple::from(q);
            if entails && !found.contains(&source) {
                found.push(source);
                if found.len() >= limit {
                    return Ok(found);
                }
            }
        }
    }
    Ok(found)
}

/// The asserted triples after a write, read as the store before it plus the change.
struct After<'a> {
    store: &'a Store,
    removed: &'a FastSet<Quad>,
    added: &'a FastSet<Triple>,
    /// Subject → its asserted (after the write) and inferred triples (before it), read in
    /// one scan per subject; `None` past [`NODE_SCAN_LIMIT`] quads (then point lookups).
    subjects: std::cell::RefCell<HashMap<NamedOrBlankNode, Option<Around>>>,
}

/// The triples of one subject, asserted after the write and inferred before it.
#[derive(Default)]
struct Around {
    asserted: FastSet<Triple>,
    inferred: FastSet<Triple>,
}

impl After<'_> {
    /// Reads the quads of `subject` once; `f` gets them, or `None` for a large subject.
    fn with_subject<T>(
        &self,
        subject: &NamedOrBlankNode,
        f: impl FnOnce(Option<&Around>) -> T,
    ) -> Result<T> {
        if let Some(around) = self.subjects.borrow().get(subject) {
            return Ok(f(around.as_ref()));
        }
        let mut around = Some(Around::default());
        for (i, q) in self
            .store
            .quads_for_pattern(Some(subject.as_ref()), None, None, None)
            .enumerate()
        {
            let q = q?;
            let Some(a) = around.as_mut() else { break };
            if i >= NODE_SCAN_LIMIT {
                around = None;
                break;
            }
            if q.graph_name.as_ref() == oxigraph::model::GraphNameRef::NamedNode(inferred_graph()) {
                a.inferred.insert(Triple::from(q));
            } else if !is_derived_graph(q.graph_name.as_ref()) && !self.removed.contains(&q) {
                a.asserted.insert(Triple::from(q));
            }
        }
        let out = f(around.as_ref());
        self.subjects.borrow_mut().insert(subject.clone(), around);
        Ok(out)
    }

    fn is_asserted(&self, t: &Triple) -> Result<bool> {
        if self.added.contains(t) {
            return Ok(true);
        }
        if let Some(found) = self.with_subject(&t.subject, |a| a.map(|a| a.asserted.contains(t)))? {
            return Ok(found);
        }
        for q in self.store.quads_for_pattern(
            Some(t.subject.as_ref()),
            Some(t.predicate.as_ref()),
            Some(t.object.as_ref()),
            None,
        ) {
            let q = q?;
            if !is_derived_graph(q.graph_name.as_ref()) && !self.removed.contains(&q) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether `t` is in the inferred graph before the write.
    fn was_inferred(&self, t: &Triple) -> Result<bool> {
        if let Some(found) = self.with_subject(&t.subject, |a| a.map(|a| a.inferred.contains(t)))? {
            return Ok(found);
        }
        Ok(self.store.contains(t.as_ref().in_graph(inferred_graph()))?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{inferred_graph, KgStore};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const E: &str = "http://example.org/";
    const AK: &str = "https://w3id.org/autokg/ontology#";

    /// One write of a random sequence, as SPARQL Update text.
    #[derive(Debug, Clone)]
    enum Step {
        Insert(String, usize),
        Delete(String, usize),
        DeleteEverywhere(String),
        Drop(usize),
    }

    fn graph(g: usize) -> String {
        format!("<{E}g{g}>")
    }

    /// A triple over a small vocabulary (a few individuals, classes and properties, one of
    /// each from the ontology so the curated schema takes part), data or schema.
    fn triple() -> impl Strategy<Value = String> {
        let node = prop_oneof![
            (0..4usize).prop_map(|i| format!("<{E}i{i}>")),
            Just(format!("<{AK}huawei-test>")),
        ];
        let class = prop_oneof![
            (0..4usize).prop_map(|i| format!("<{E}C{i}>")),
            Just(format!("<{AK}Organization>")),
        ];
        let property = prop_oneof![
            (0..4usize).prop_map(|i| format!("<{E}p{i}>")),
            Just(format!("<{AK}suppliesTo>")),
        ];
        let rdfs = "http://www.w3.org/2000/01/rdf-schema#";
        prop_oneof![
            4 => (node.clone(), class.clone()).prop_map(|(s, c)| format!("{s} a {c}")),
            4 => (node.clone(), property.clone(), node.clone())
                .prop_map(|(s, p, o)| format!("{s} {p} {o}")),
            1 => (node.clone(), property.clone()).prop_map(|(s, p)| format!("{s} {p} 7")),
            1 => (class.clone(), class.clone())
                .prop_map(move |(a, b)| format!("{a} <{rdfs}subClassOf> {b}")),
            1 => (property.clone(), property.clone())
                .prop_map(move |(a, b)| format!("{a} <{rdfs}subPropertyOf> {b}")),
            1 => (property.clone(), class.clone())
                .prop_map(move |(p, c)| format!("{p} <{rdfs}domain> {c}")),
            1 => (property.clone(), class.clone())
                .prop_map(move |(p, c)| format!("{p} <{rdfs}range> {c}")),
            1 => property.prop_map(|p| format!("{p} a <http://www.w3.org/2002/07/owl#SymmetricProperty>")),
        ]
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            6 => (triple(), 0..3usize).prop_map(|(t, g)| Step::Insert(t, g)),
            3 => (triple(), 0..3usize).prop_map(|(t, g)| Step::Delete(t, g)),
            2 => triple().prop_map(Step::DeleteEverywhere),
            1 => (0..3usize).prop_map(Step::Drop),
        ]
    }

    fn sparql(step: &Step) -> String {
        match step {
            Step::Insert(t, g) => format!("INSERT DATA {{ GRAPH {} {{ {t} }} }}", graph(*g)),
            Step::Delete(t, g) => format!("DELETE DATA {{ GRAPH {} {{ {t} }} }}", graph(*g)),
            Step::DeleteEverywhere(t) => format!("DELETE DATA {{ {t} }}"),
            Step::Drop(g) => format!("DROP SILENT GRAPH {}", graph(*g)),
        }
    }

    fn inferred(store: &KgStore) -> BTreeSet<String> {
        store
            .graph_triples(inferred_graph().into())
            .map(|t| t.expect("reads").to_string())
            .collect()
    }

    /// What a recomputation from scratch puts in the inferred graph.
    fn recomputed(store: &KgStore) -> BTreeSet<String> {
        let schema = store.reload_schema().expect("schema");
        store
            .all_entailments(&schema)
            .expect("computes")
            .expect("fits in memory")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Applies writes of one to three steps each; after every write, the inferred graph
    /// maintained incrementally equals a recomputation from scratch.
    /// The quad count carried by each incremental write stays the store's real count (a
    /// schema change recomputes, and leaves it unknown until the next count).
    fn check(store: &KgStore, writes: &[Vec<Step>]) -> Result<(), TestCaseError> {
        store.count_len().expect("counts");
        for (i, write) in writes.iter().enumerate() {
            let text = write.iter().map(sparql).collect::<Vec<_>>().join(" ;\n");
            let plan = store.prepare_update(&text).expect("parses");
            // A delete of an entailment is refused (nothing applied); all else applies.
            if let Err(e) = store.update(plan) {
                prop_assert_eq!(e.status(), 403, "{}: {}", text, e);
            }
            let (now, fresh) = (inferred(store), recomputed(store));
            let only_now: Vec<_> = now.difference(&fresh).take(4).collect();
            let only_fresh: Vec<_> = fresh.difference(&now).take(4).collect();
            prop_assert!(
                only_now.is_empty() && only_fresh.is_empty(),
                "after write {} ({}): stale {:?}, missing {:?}",
                i,
                text,
                only_now,
                only_fresh
            );
            match store.known_len() {
                Some(n) => prop_assert_eq!(n, store.len().expect("len"), "after write {}", i),
                None => {
                    store.count_len().expect("counts");
                }
            }
        }
        Ok(())
    }

    /// The sequence CI's run of the property test found: a sub-property of a symmetric
    /// property used on a self-loop (entailment once treated the sub-property as symmetric).
    #[test]
    fn self_loop_on_a_sub_property_of_a_symmetric_property() {
        let rdfs = "http://www.w3.org/2000/01/rdf-schema#";
        let writes = [
            format!("<{AK}suppliesTo> a <http://www.w3.org/2002/07/owl#SymmetricProperty>"),
            format!("<{E}p3> <{rdfs}subPropertyOf> <{AK}suppliesTo>"),
            format!("<{AK}huawei-test> <{E}p3> <{AK}huawei-test>"),
            format!("<{E}i1> <{E}p3> <{E}i2>"),
        ]
        .map(|t| vec![Step::Insert(t, 0)]);
        let store = KgStore::open(None).expect("opens");
        check(&store, &writes).expect("incremental equals recomputed");
        let now = inferred(&store);
        assert!(now.contains(&format!("<{E}i2> <{AK}suppliesTo> <{E}i1>")));
        assert!(!now.contains(&format!("<{E}i2> <{E}p3> <{E}i1>")));
    }

    fn writes() -> impl Strategy<Value = Vec<Vec<Step>>> {
        proptest::collection::vec(proptest::collection::vec(step(), 1..4), 1..14)
    }

    /// Failing seeds are kept beside this file (`maintain.proptest-regressions`) and replayed
    /// first.
    fn config() -> ProptestConfig {
        ProptestConfig {
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
            )),
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..config() })]

        #[test]
        fn incremental_entailment_equals_recomputation_in_memory(writes in writes()) {
            let store = KgStore::open(None).expect("opens");
            check(&store, &writes)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10, ..config() })]

        #[test]
        fn incremental_entailment_equals_recomputation_on_rocksdb(writes in writes()) {
            let dir = tempfile::tempdir().expect("tempdir");
            let store = KgStore::open(Some(dir.path())).expect("opens");
            check(&store, &writes)?;
        }
    }
}
