//! The score cache: scores of a measure on a projection, kept per store generation so that a
//! repeated request (or an export asking for the same scores) costs a lookup.
//!
//! Entries are keyed by the projection (its query and direction), the store generation, the
//! measure and the options that change the scores (`top` does not). The cache is bounded by
//! [`MAX_ENTRIES`] entries and [`MAX_VALUES`] scores in all, evicting the least recently used;
//! entries of older generations go at the next insertion. A computation runs outside the
//! lock, so two identical first requests may both compute; only finished computations are
//! kept (one stopped by its deadline is not).

use super::centrality::scores_until;
use super::{Measure, MeasureOptions, Scores};
use crate::algorithms::Deadline;
use crate::error::Result;
use crate::projection::{Projection, ProjectionSpec};
use crate::store::KgStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most entries the cache keeps.
pub const MAX_ENTRIES: usize = 32;
/// The most scores, summed over entries, the cache keeps (about 16 bytes each).
pub const MAX_VALUES: usize = 4_000_000;

/// What the scores depend on besides the projection and the measure.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Options {
    normalized: bool,
    samples: Option<usize>,
    seed: u64,
    root: Option<String>,
    reverse: bool,
}

impl Options {
    /// The options that change `measure`'s scores, others at their defaults (so that, say,
    /// a seed given to PageRank does not make a second entry).
    fn of(measure: Measure, o: &MeasureOptions) -> Self {
        let normalized = matches!(
            measure,
            Measure::Degree | Measure::InDegree | Measure::OutDegree | Measure::Betweenness
        ) && o.normalized;
        let samples = if measure == Measure::Betweenness {
            o.samples
        } else {
            None
        };
        let dominators = measure == Measure::Dominators;
        Self {
            normalized,
            samples,
            seed: if samples.is_some() { o.seed } else { 0 },
            root: if dominators { o.root.clone() } else { None },
            reverse: dominators && o.reverse,
        }
    }
}

type Key = (ProjectionSpec, u64, Measure, Options);

struct Entry {
    scores: Arc<Scores>,
    used: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    clock: u64,
}

/// Scores per projection, measure and options at one store generation, bounded (see the
/// module docs). One per store; shared by every request.
#[derive(Default)]
pub struct MeasureCache {
    entries: Mutex<Entries>,
    observer: Option<Box<dyn Fn(bool) + Send + Sync>>,
}

impl std::fmt::Debug for MeasureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeasureCache")
            .field("entries", &self.lock().map.len())
            .finish()
    }
}

impl MeasureCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty cache that calls `observer` with `true` on every hit and `false` on every
    /// miss (the server counts them in its metrics).
    pub fn with_observer(observer: impl Fn(bool) + Send + Sync + 'static) -> Self {
        Self {
            entries: Mutex::default(),
            observer: Some(Box::new(observer)),
        }
    }

    /// The scores of `measure` on `projection` with `options`: from the cache, else computed
    /// under `deadline` (see [`super::scores_until`]) and kept.
    ///
    /// Errors: those of [`super::scores_until`], [`crate::error::Error::Timeout`] included;
    /// nothing is kept then.
    pub fn scores(
        &self,
        store: &KgStore,
        projection: &Projection,
        measure: Measure,
        options: &MeasureOptions,
        deadline: &Deadline,
    ) -> Result<Arc<Scores>> {
        let key: Key = (
            projection.spec().clone(),
            projection.generation(),
            measure,
            Options::of(measure, options),
        );
        {
            let mut entries = self.lock();
            entries.clock += 1;
            let now = entries.clock;
            if let Some(e) = entries.map.get_mut(&key) {
                e.used = now;
                let hit = e.scores.clone();
                drop(entries);
                self.observe(true);
                return Ok(hit);
            }
        }
        self.observe(false);
        let scores = Arc::new(scores_until(store, projection, measure, options, deadline)?);
        self.insert(key, scores.clone());
        Ok(scores)
    }

    /// How many entries the cache holds.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn insert(&self, key: Key, scores: Arc<Scores>) {
        let generation = key.1;
        let mut entries = self.lock();
        entries.clock += 1;
        let used = entries.clock;
        entries.map.retain(|k, _| k.1 >= generation);
        entries.map.insert(key, Entry { scores, used });
        loop {
            let values: usize = entries.map.values().map(|e| e.scores.values.len()).sum();
            if entries.map.len() <= MAX_ENTRIES && values <= MAX_VALUES {
                break;
            }
            let Some(oldest) = entries
                .map
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            entries.map.remove(&oldest);
        }
    }

    fn observe(&self, hit: bool) {
        if let Some(o) = &self.observer {
            o(hit);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn store() -> &'static KgStore {
        static STORE: std::sync::OnceLock<KgStore> = std::sync::OnceLock::new();
        STORE.get_or_init(|| KgStore::open(None).expect("the embedded data loads"))
    }

    #[test]
    fn repeated_requests_hit_and_options_that_matter_miss() {
        let spec = ProjectionSpec::named("all").expect("named");
        let p = Projection::build(store(), &spec).expect("builds");
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        let cache = MeasureCache::with_observer(move |hit| {
            if hit {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        let none = Deadline::none();
        let plain = MeasureOptions::default();
        let first = cache
            .scores(store(), &p, Measure::Closeness, &plain, &none)
            .expect("closeness");
        assert_eq!(hits.load(Ordering::SeqCst), 0);
        // `top` and a seed without samples do not change closeness: the same entry.
        let again = MeasureOptions {
            top: Some(3),
            seed: 9,
            ..MeasureOptions::default()
        };
        let second = cache
            .scores(store(), &p, Measure::Closeness, &again, &none)
            .expect("cached");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        assert_eq!(
            *first,
            scores_until(store(), &p, Measure::Closeness, &plain, &none).expect("fresh")
        );
        // A sample is another entry.
        let sampled = MeasureOptions {
            samples: Some(5),
            ..MeasureOptions::default()
        };
        cache
            .scores(store(), &p, Measure::Betweenness, &sampled, &none)
            .expect("sampled");
        assert_eq!((cache.len(), hits.load(Ordering::SeqCst)), (2, 1));
    }

    #[test]
    fn a_timed_out_computation_is_not_kept_and_the_cache_is_bounded() {
        let spec = ProjectionSpec::named("all").expect("named");
        let p = Projection::build(store(), &spec).expect("builds");
        let cache = MeasureCache::new();
        let expired = Deadline::after(std::time::Duration::ZERO);
        let e = cache
            .scores(
                store(),
                &p,
                Measure::Closeness,
                &MeasureOptions::default(),
                &expired,
            )
            .expect_err("expired");
        assert!(matches!(e, crate::error::Error::Timeout(_)), "{e}");
        assert!(cache.is_empty());
        for seed in 0..(MAX_ENTRIES as u64 + 5) {
            let options = MeasureOptions {
                samples: Some(2),
                seed,
                ..MeasureOptions::default()
            };
            cache
                .scores(
                    store(),
                    &p,
                    Measure::Betweenness,
                    &options,
                    &Deadline::none(),
                )
                .expect("sampled");
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
    }
}
