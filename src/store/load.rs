//! The bulk loader: one pass over the input on two threads, a scanning thread that parses
//! and follows each quad with its new entailments, and this thread feeding both to
//! Oxigraph's bulk loader, so data and entailments are committed together.

use super::entailment::AssertedProbe;
use super::{dirty_quad, inferred_graph, is_derived_graph, Entailment, FastSet, KgStore};
use crate::error::{Error, Result};
use crate::rdf::inference::{is_schema_triple, Schema};
use oxigraph::model::{Quad, Triple, TripleRef};
use oxigraph::store::Store;
use std::time::Instant;

/// Quads per batch sent from the parsing thread to the loader.
const SCAN_BATCH: usize = 50_000;

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

impl KgStore {
    /// Loads quads atomically: either all of them land or none do (a parse error anywhere
    /// leaves the store as it was).
    ///
    /// One pass over the input, on two threads: a scanning thread parses (`open` yields the
    /// quads) and follows each quad with its new entailments, while this thread hands both
    /// to Oxigraph's bulk loader, so data and entailments are committed together. A load that
    /// changes the schema recomputes all entailments afterwards instead; one that entails more
    /// than [`PENDING_LIMIT`](super::PENDING_LIMIT) distinct triples calls `open` a second
    /// time to add the rest in bounded chunks.
    pub fn load<I: Iterator<Item = Result<Quad>> + Send>(
        &self,
        open: impl Fn() -> Result<I>,
        on_progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<LoadReport> {
        let start = Instant::now();
        let _writer = self.writer.lock();
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
            report.entailments_added = self.refresh_inference_locked()?;
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
}

/// What the scanning thread of [`KgStore::load`] saw.
#[derive(Default)]
struct Scan {
    read: u64,
    schema_changed: bool,
    /// Entailments sent to the inferred graph along with the data.
    entailments: u64,
    /// Whether the input entailed more than [`PENDING_LIMIT`](super::PENDING_LIMIT) distinct
    /// triples, so the rest must be added in a second pass.
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

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_same, inferred, sample, AK};
    use super::*;

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
}
