//! The `akf:` SPARQL functions (`akf:pagerank`, `akf:betweenness`, `akf:closeness`,
//! `akf:degree`, `akf:coreNumber`) and the score snapshot and cache they read.

use super::Measure;
use crate::algorithms::deadline::{Cancelled, Deadline};
use crate::algorithms::{betweenness, closeness, degree, kcore, pagerank};
use crate::error::Result;
use crate::projection::{Projection, ProjectionSpec};
use crate::store::KgStore;
use crate::vocab::AKF;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::SparqlEvaluator;
use std::sync::{Arc, Mutex, OnceLock};

/// The `akf:` functions, their local names and what they return.
const FUNCTIONS: &[(&str, Measure)] = &[
    ("pagerank", Measure::PageRank),
    ("betweenness", Measure::Betweenness),
    ("closeness", Measure::Closeness),
    ("degree", Measure::Degree),
    ("coreNumber", Measure::CoreNumber),
];

/// One function's values per node index, computed on first use (`None` when the measure
/// did not converge).
type Computed = OnceLock<Option<Vec<Option<Term>>>>;

/// Scores of the `supply-chain` projection at one store generation, computed per measure
/// on first use. Independent of the store once built, so SPARQL functions can hold it.
#[derive(Debug)]
pub struct ScoreSnapshot {
    projection: Arc<Projection>,
    computed: Vec<(Measure, Computed)>,
}

impl ScoreSnapshot {
    /// A snapshot over a built projection (normally `supply-chain`).
    pub fn new(projection: Arc<Projection>) -> Self {
        Self {
            projection,
            computed: FUNCTIONS
                .iter()
                .map(|(_, m)| (*m, OnceLock::new()))
                .collect(),
        }
    }

    /// The store generation the scores belong to.
    pub fn generation(&self) -> u64 {
        self.projection.generation()
    }

    /// The score of `node` for a function's measure, or `None` when the node is not in the
    /// projection (or PageRank did not converge). The measure is computed on first use.
    pub fn score(&self, measure: Measure, node: &Term) -> Option<Term> {
        self.score_until(measure, node, &Deadline::none())
            .unwrap_or_default()
    }

    /// [`ScoreSnapshot::score`] under a deadline: a measure not computed yet is computed with
    /// the kernels' checks, and `Err(Cancelled)` comes back once the deadline has expired
    /// (nothing is kept then; the next caller computes it again under its own deadline).
    pub fn score_until(
        &self,
        measure: Measure,
        node: &Term,
        deadline: &Deadline,
    ) -> Result<Option<Term>, Cancelled> {
        let Term::NamedNode(n) = node else {
            return Ok(None);
        };
        let Some(i) = self.projection.index_of(n.as_str()) else {
            return Ok(None);
        };
        let Some((_, cell)) = self.computed.iter().find(|(m, _)| *m == measure) else {
            return Ok(None);
        };
        if cell.get().is_none() {
            // Two first callers may both compute; the first to finish is kept.
            let _ = cell.set(self.compute_until(measure, deadline)?);
        }
        Ok(cell
            .get()
            .and_then(Option::as_ref)
            .and_then(|values| values.get(i as usize))
            .cloned()
            .flatten())
    }

    fn compute_until(
        &self,
        measure: Measure,
        deadline: &Deadline,
    ) -> Result<Option<Vec<Option<Term>>>, Cancelled> {
        let g = self.projection.graph();
        let real = |v: Vec<f64>| {
            v.into_iter()
                .map(|x| Some(Literal::from(x).into()))
                .collect()
        };
        let int = |v: Vec<usize>| {
            v.into_iter()
                .map(|x| Some(Literal::from(x as i64).into()))
                .collect()
        };
        Ok(Some(match measure {
            Measure::PageRank => {
                match pagerank::pagerank_until(g, pagerank::Options::default(), deadline)? {
                    Ok(p) => real(p.scores),
                    Err(_) => return Ok(None),
                }
            }
            Measure::Betweenness => real(betweenness::betweenness_until(g, true, None, deadline)?),
            Measure::Closeness => real(closeness::closeness_until(g, true, deadline)?),
            Measure::Degree => int(degree::degree(g, degree::Direction::Total)),
            // networkx refuses self-loops: unbound, as for a PageRank that did not converge.
            Measure::CoreNumber if !g.self_loops().is_empty() => return Ok(None),
            Measure::CoreNumber => int(kcore::core_number_until(g, deadline)?),
            _ => return Ok(None),
        }))
    }
}

/// Keeps the [`ScoreSnapshot`] of one store current: rebuilt when the store's generation
/// changes. Keep one per store.
#[derive(Debug, Default)]
pub struct ScoreCache {
    current: Mutex<Option<Arc<ScoreSnapshot>>>,
}

impl ScoreCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The snapshot for the store's current generation (the `supply-chain` projection).
    pub fn get(&self, store: &KgStore) -> Result<Arc<ScoreSnapshot>> {
        self.get_until(store, &Deadline::none())
    }

    /// [`ScoreCache::get`] with the projection built under `deadline`.
    ///
    /// Errors: `Error::Timeout` once the deadline expires, and what the store returns.
    pub fn get_until(&self, store: &KgStore, deadline: &Deadline) -> Result<Arc<ScoreSnapshot>> {
        let generation = store.generation();
        if let Some(s) = self.lock().as_ref() {
            if s.generation() == generation {
                return Ok(s.clone());
            }
        }
        let spec = ProjectionSpec::named(crate::projection::DEFAULT)?;
        let snapshot = Arc::new(ScoreSnapshot::new(Arc::new(Projection::build_until(
            store, &spec, deadline,
        )?)));
        *self.lock() = Some(snapshot.clone());
        Ok(snapshot)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<ScoreSnapshot>>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Registers `akf:pagerank`, `akf:betweenness`, `akf:closeness`, `akf:degree` and
/// `akf:coreNumber` on an evaluator. Each takes one entity and returns its score on the
/// `supply-chain` projection: PageRank, normalised exact betweenness and closeness as
/// xsd:double; the total degree (in + out, a count) and the core number as xsd:integer;
/// unbound for an entity outside the projection.
///
/// A measure is computed on its first call under `deadline`; once that expires, the call
/// unwinds with [`crate::sparql::cancel::Cancelled`], which the evaluation boundary
/// ([`crate::sparql::cancel::catch`]) turns into a timeout, as it does for `akf:alive`.
pub fn with_functions(
    evaluator: SparqlEvaluator,
    scores: Arc<ScoreSnapshot>,
    deadline: Deadline,
) -> SparqlEvaluator {
    FUNCTIONS.iter().fold(evaluator, |e, &(local, measure)| {
        let (scores, deadline) = (scores.clone(), deadline.clone());
        e.with_custom_function(
            NamedNode::new_unchecked(format!("{AKF}{local}")),
            move |args| match args {
                [node] => match scores.score_until(measure, node, &deadline) {
                    Ok(score) => score,
                    Err(_) => std::panic::panic_any(crate::sparql::cancel::Cancelled),
                },
                _ => None,
            },
        )
    })
}

/// Whether a query may call an `akf:` function (so the caller knows to build scores).
pub fn mentions_functions(sparql: &str) -> bool {
    sparql.contains("akf:") || sparql.contains(AKF)
}
