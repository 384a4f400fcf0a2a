//! A bounded LRU of parsed queries: a query text the endpoint has seen before skips the
//! nesting scan, the parser, the join-width and SERVICE checks and the liveness rewrite, and
//! goes straight to evaluation with a copy of the algebra those steps produced.
//!
//! The cache holds algebra, never results: what a query means does not depend on the data, so
//! writes leave it valid. It depends on the base IRI (relative IRIs resolve against it) and on
//! the SERVICE policy, which is fixed for a server's lifetime, so one cache belongs to one
//! server. Texts longer than [`MAX_TEXT`] bytes and algebra whose serialization is longer than
//! [`MAX_ALGEBRA`] are not kept, which bounds the cache to `capacity` × (16 + 32) KiB of text
//! and serialized algebra, about 25 MiB with the algebra's own overhead.

use super::evaluate::QueryForm;
use super::HttpError;
use lru::LruCache;
use prometheus_client::metrics::counter::Counter;
use spargebra::Query;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The longest query text (bytes) the cache keeps.
pub const MAX_TEXT: usize = 16 * 1024;

/// The largest algebra the cache keeps, measured as its serialization in bytes (prefixed
/// names are expanded there, as in memory: a 16 KiB text can stand for megabytes).
pub const MAX_ALGEBRA: usize = 32 * 1024;

/// The deepest a query may nest ([`crate::nesting::Shape::depth`]) to be evaluated on a
/// thread with a default-sized stack (2 MiB; [`crate::nesting::STACK_SIZE`] gives about
/// 32 KiB per level).
pub const SHALLOW_DEPTH: usize = 16;

/// A query after every check and rewrite, ready to be bound to an evaluator.
#[derive(Debug)]
pub struct ParsedQuery {
    /// The algebra, SERVICE policy applied and liveness checks added
    /// ([`super::cancel::guard_query`]).
    pub query: Query,
    /// Its form (SELECT, ASK, CONSTRUCT/DESCRIBE), which picks the result syntaxes.
    pub form: QueryForm,
    /// Whether it may run off the large-stack pool: it nests at most [`SHALLOW_DEPTH`] deep
    /// and calls no SERVICE (whose answer could take any time).
    pub inlinable: bool,
    /// The length of its serialization (bytes): what it weighs in the cache
    /// ([`MAX_ALGEBRA`]); 0 when not measured.
    pub size: usize,
    /// Whether it calls GeoSPARQL functions (true unless known otherwise), so needs
    /// [`crate::store::KgStore::evaluator`] rather than its plain form.
    pub geosparql: bool,
    /// One more than the store generation in which its last run was quick ([`QUICK`],
    /// [`QUICK_WALL`]) with a one-chunk body; 0 when none did.
    quick_in: AtomicU64,
}

/// How quick a run must be (evaluation and serialization) to count as quick: the CPU time
/// of the thread that ran it, judged on the evaluation pool. CPU time, not wall time: on a
/// busy host a run waits for a core as long as it runs, and a wall-time rule sent the
/// cheapest queries back to the pool exactly when the server was loaded.
pub const QUICK: std::time::Duration = std::time::Duration::from_micros(500);

/// The most wall time a run may take and still count as quick (on the pool or in place): a
/// run that waited this long (for I/O, a lock, or a core) keeps the HTTP workers free by
/// going back to the pool, until a pool run is quick again.
pub const QUICK_WALL: std::time::Duration = std::time::Duration::from_millis(5);

/// Whether a run counts as quick: its answer went out `whole` in one chunk, it took at most
/// [`QUICK_WALL`] of `wall` time, and, where the thread's `cpu` time was measured (on the
/// pool), at most [`QUICK`] of it.
pub fn is_quick_run(
    whole: bool,
    wall: std::time::Duration,
    cpu: Option<std::time::Duration>,
) -> bool {
    whole && wall <= QUICK_WALL && cpu.is_none_or(|cpu| cpu <= QUICK)
}

impl ParsedQuery {
    /// A checked query of form `form`; `inlinable` as documented on the field.
    pub fn new(query: Query, form: QueryForm, inlinable: bool) -> Self {
        Self {
            query,
            form,
            inlinable,
            size: 0,
            geosparql: true,
            quick_in: AtomicU64::new(0),
        }
    }

    /// Records a run on the store's `generation`: `quick` when it took at most [`QUICK`] of
    /// CPU time (where measured) and [`QUICK_WALL`] of wall time, and its whole answer fitted
    /// in one chunk.
    pub fn record_run(&self, generation: u64, quick: bool) {
        let value = if quick { generation + 1 } else { 0 };
        self.quick_in.store(value, Ordering::Relaxed);
    }

    /// Whether it may run where it is asked for, on the store's `generation`: inlinable, and
    /// its last run on this generation was quick. The same text on the same data costs the
    /// same, and a write starts a new generation, so what was quick stays quick; should
    /// it not, the run is still cancelled at its time limit ([`super::watchdog`]).
    pub fn is_quick_in(&self, generation: u64) -> bool {
        self.inlinable && self.quick_in.load(Ordering::Relaxed) == generation + 1
    }
}

struct Entry {
    base: Option<String>,
    parsed: Arc<ParsedQuery>,
}

/// The LRU of [`ParsedQuery`]s by text, counting hits and misses (the counters of the
/// server's `/metrics`).
pub struct QueryCache {
    entries: Mutex<LruCache<String, Entry>>,
    hits: Counter,
    misses: Counter,
}

impl QueryCache {
    /// A cache of at most `capacity` queries (at least one), counting lookups answered from
    /// it in `hits` and the others in `misses`.
    pub fn new(capacity: usize, hits: Counter, misses: Counter) -> Self {
        Self {
            entries: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
            hits,
            misses,
        }
    }

    /// The parsed form of `text` with relative IRIs resolved against `base`: from the cache,
    /// or from `parse` (whose result is kept when it succeeds and `text` is short enough).
    /// Errors are `parse`'s, and are not kept.
    pub fn get_or_parse(
        &self,
        text: &str,
        base: Option<&str>,
        parse: impl FnOnce() -> Result<ParsedQuery, HttpError>,
    ) -> Result<Arc<ParsedQuery>, HttpError> {
        if let Some(found) = self.lookup(text, base) {
            self.hits.inc();
            return Ok(found);
        }
        self.misses.inc();
        let parsed = Arc::new(parse()?);
        if text.len() <= MAX_TEXT && parsed.size <= MAX_ALGEBRA {
            let entry = Entry {
                base: base.map(str::to_owned),
                parsed: parsed.clone(),
            };
            self.lock().put(text.to_owned(), entry);
        }
        Ok(parsed)
    }

    /// The parsed form of `text` (with `base`) when the cache holds it, counted as a hit.
    pub fn get(&self, text: &str, base: Option<&str>) -> Option<Arc<ParsedQuery>> {
        let found = self.lookup(text, base);
        if found.is_some() {
            self.hits.inc();
        }
        found
    }

    fn lookup(&self, text: &str, base: Option<&str>) -> Option<Arc<ParsedQuery>> {
        let mut entries = self.lock();
        let entry = entries.get(text)?;
        (entry.base.as_deref() == base).then(|| entry.parsed.clone())
    }

    /// The number of lookups answered from the cache, and the number that parsed.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.get(), self.misses.get())
    }

    /// The number of queries held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no query is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Entry>> {
        // A panic while holding the lock cannot leave the LRU inconsistent for our uses
        // (every operation is one call), so a poisoned lock is used as is.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_run_is_judged_quick_on_its_cpu_time_with_a_wall_time_bound() {
        let us = Duration::from_micros;
        // Preempted on a busy host: 200 µs of work over 3 ms of wall time is still quick.
        assert!(is_quick_run(true, us(3_000), Some(us(200))));
        // Work over the budget is not, however fast the wall clock says it went.
        assert!(!is_quick_run(true, us(600), Some(us(600))));
        // A run that waited past the wall bound goes back to the pool.
        assert!(!is_quick_run(true, us(5_001), Some(us(100))));
        // In place the CPU clock is not read: the wall bound alone decides.
        assert!(is_quick_run(true, us(4_000), None));
        assert!(!is_quick_run(true, us(6_000), None));
        // An answer that streamed in several chunks never is.
        assert!(!is_quick_run(false, us(10), Some(us(10))));
    }

    fn parse(text: &str) -> Result<ParsedQuery, HttpError> {
        let query = super::super::evaluate::parse_query(text)?;
        Ok(ParsedQuery::new(query, QueryForm::Solutions, true))
    }

    #[test]
    fn a_repeated_text_is_parsed_once_and_a_new_base_parses_again() {
        let cache = QueryCache::new(4, Counter::default(), Counter::default());
        let text = "SELECT * WHERE { ?s ?p ?o }";
        let mut parses = 0;
        for _ in 0..3 {
            cache
                .get_or_parse(text, Some("http://a/"), || {
                    parses += 1;
                    parse(text)
                })
                .expect("parses");
        }
        assert_eq!((parses, cache.counts()), (1, (2, 1)));
        cache
            .get_or_parse(text, Some("http://b/"), || {
                parses += 1;
                parse(text)
            })
            .expect("parses");
        assert_eq!(parses, 2, "another base IRI is another query");
    }

    #[test]
    fn errors_and_long_texts_are_not_kept_and_the_oldest_entry_leaves_first() {
        let cache = QueryCache::new(2, Counter::default(), Counter::default());
        assert!(cache
            .get_or_parse("SELECT", None, || parse("SELECT"))
            .is_err());
        assert!(cache.is_empty());
        let long = format!("SELECT * WHERE {{ ?s ?p ?o }} #{}", "x".repeat(MAX_TEXT));
        cache
            .get_or_parse(&long, None, || parse(&long))
            .expect("parses");
        assert!(cache.is_empty(), "a text over MAX_TEXT is not kept");
        for i in 0..3 {
            let text = format!("SELECT * WHERE {{ ?s ?p {i} }}");
            cache
                .get_or_parse(&text, None, || parse(&text))
                .expect("parses");
        }
        assert_eq!(cache.len(), 2);
        let mut parsed_again = false;
        cache
            .get_or_parse("SELECT * WHERE { ?s ?p 0 }", None, || {
                parsed_again = true;
                parse("SELECT * WHERE { ?s ?p 0 }")
            })
            .expect("parses");
        assert!(parsed_again, "the least recently used query was dropped");
    }
}
