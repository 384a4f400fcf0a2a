//! Centrality: computing a [`Measure`] on a projection and reporting it with IRIs and
//! labels ([`CentralityReport`], the document of `autokg centrality` and of
//! `/api/analytics/centrality`).

use super::{labels_of, resolve, Measure, MeasureCache, MeasureOptions, Score};
use crate::algorithms::{
    betweenness, closeness, components, degree, dominators, eigenvector, harmonic, kcore, pagerank,
    Deadline, NodeId, NotConverged,
};
use crate::error::{Error, Result};
use crate::projection::Projection;
use crate::store::KgStore;
use std::sync::Arc;
use utoipa::ToSchema;

/// One node's score in a centrality report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct NodeScore {
    /// The full IRI.
    #[schema(example = "https://w3id.org/autokg/id/huawei")]
    pub id: String,
    /// The English label, when there is one.
    #[schema(example = "Huawei")]
    pub label: Option<String>,
    /// The score: a count (degree raw, core number, component, dominated) or a real.
    #[schema(value_type = f64, example = 0.25)]
    pub score: Score,
    /// Dominators only: the immediate dominator's IRI (absent for the root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominator: Option<String>,
}

/// A measure on a projection, best first: what `measure` returns, the JSON document of
/// `autokg centrality --format json` and of `/api/analytics/centrality`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CentralityReport {
    /// The measure's name.
    #[schema(example = "pagerank")]
    pub measure: String,
    /// The projection's name.
    #[schema(example = "supply-chain")]
    pub projection: String,
    /// Whether the projection is directed.
    pub directed: bool,
    /// Nodes in the projection.
    pub node_count: usize,
    /// Edges in the projection.
    pub edge_count: usize,
    /// Degree and betweenness: whether scores are normalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<bool>,
    /// PageRank and eigenvector: iterations until convergence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// PageRank and eigenvector: always `true` in a report (no convergence is an error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converged: Option<bool>,
    /// Betweenness: whether the scores are estimated from a sample of sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<bool>,
    /// Sampled betweenness: the number of sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Sampled betweenness: the seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Dominators: the root's IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Components: the sizes, largest first (component `i` has `componentSizes[i]` nodes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component_sizes: Option<Vec<usize>>,
    /// The scored nodes, best first (components: by component, then IRI).
    pub nodes: Vec<NodeScore>,
}

/// Scores of every node, before sorting and labelling: what [`measure`] reports and the
/// SPARQL functions read.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// One score per node index; `None` for nodes the measure leaves out (dominators:
    /// nodes the root does not reach).
    pub values: Vec<Option<Score>>,
    /// Power iterations run, when the measure iterates.
    pub iterations: Option<usize>,
    /// Sampled betweenness: the sources.
    pub sources: Option<Vec<NodeId>>,
    /// Dominators: the root and each node's immediate dominator.
    pub dominators: Option<dominators::Dominators>,
    /// Components: sizes, largest first.
    pub component_sizes: Option<Vec<usize>>,
}

/// A power iteration that did not converge is reported instead of numbers. It is the
/// measure's answer for this graph, not a failure of the system, hence `InvalidInput`.
fn not_converged(e: NotConverged) -> Error {
    let hint = if e.measure == "eigenvector" {
        "eigenvector centrality needs a strongly connected graph to converge (on a directed, nearly acyclic projection use pagerank or an undirected projection)"
    } else {
        "the graph mixes too slowly for the iteration cap"
    };
    Error::InvalidInput(format!("{e}; no scores are reported: {hint}"))
}

/// Computes a measure on a projection, without labels.
///
/// Errors: [`Error::InvalidInput`] for options that do not fit the measure (a sample of
/// fewer than 2, a missing root), when PageRank or eigenvector does not converge and for
/// k-core on a projection with self-loops (networkx refuses it; the message names the
/// nodes), and [`Error::NotFound`] for an unknown root.
pub fn scores(
    store: &KgStore,
    projection: &Projection,
    measure: Measure,
    options: &MeasureOptions,
) -> Result<Scores> {
    scores_until(store, projection, measure, options, &Deadline::none())
}

/// [`scores`] under a deadline, which every long-running kernel checks (per source node,
/// per iteration, per block of steps).
///
/// Errors: as [`scores`], and [`Error::Timeout`] with the deadline's limit once it expires.
pub fn scores_until(
    store: &KgStore,
    projection: &Projection,
    measure: Measure,
    options: &MeasureOptions,
    deadline: &Deadline,
) -> Result<Scores> {
    let started = std::time::Instant::now();
    let g = projection.graph();
    if options.samples.is_some() && measure != Measure::Betweenness {
        return Err(Error::InvalidInput(format!(
            "a sample size applies to betweenness only, not to {measure}"
        )));
    }
    if options.root.is_some() && measure != Measure::Dominators {
        return Err(Error::InvalidInput(format!(
            "a root applies to dominators only, not to {measure}"
        )));
    }
    let real = |v: Vec<f64>| v.into_iter().map(|x| Some(Score::Real(x))).collect();
    let int = |v: Vec<usize>| {
        v.into_iter()
            .map(|x| Some(Score::Integer(x as u64)))
            .collect()
    };
    let mut out = Scores {
        values: Vec::new(),
        iterations: None,
        sources: None,
        dominators: None,
        component_sizes: None,
    };
    let deg = |d: degree::Direction| -> Vec<Option<Score>> {
        if options.normalized {
            real(degree::degree_centrality(g, d))
        } else {
            int(degree::degree(g, d))
        }
    };
    out.values = match measure {
        Measure::Degree => deg(degree::Direction::Total),
        Measure::InDegree => deg(degree::Direction::In),
        Measure::OutDegree => deg(degree::Direction::Out),
        Measure::PageRank => {
            let r = pagerank::pagerank_until(g, pagerank::Options::default(), deadline)?
                .map_err(not_converged)?;
            out.iterations = Some(r.iterations);
            real(r.scores)
        }
        Measure::Eigenvector => {
            let r = eigenvector::eigenvector_until(g, eigenvector::Options::default(), deadline)?
                .map_err(not_converged)?;
            out.iterations = Some(r.iterations);
            real(r.scores)
        }
        Measure::Betweenness => {
            let sources = match options.samples {
                Some(k) if k < 2 => {
                    return Err(Error::InvalidInput(format!(
                        "a betweenness sample needs at least 2 sources, not {k}"
                    )))
                }
                Some(k) if k < g.node_count() => {
                    Some(betweenness::sample_sources(g.node_count(), k, options.seed))
                }
                _ => None,
            };
            let b = betweenness::betweenness_until(
                g,
                options.normalized,
                sources.as_deref(),
                deadline,
            )?;
            out.sources = sources;
            real(b)
        }
        Measure::Closeness => real(closeness::closeness_until(g, true, deadline)?),
        Measure::Harmonic => real(harmonic::harmonic_until(g, deadline)?),
        Measure::CoreNumber => {
            refuse_self_loops(projection)?;
            int(kcore::core_number_until(g, deadline)?)
        }
        Measure::Components => {
            let (labels, sizes) = components::connected_components(g);
            out.component_sizes = Some(sizes);
            int(labels)
        }
        Measure::Dominators => {
            let Some(root) = &options.root else {
                return Err(Error::InvalidInput(
                    "the dominators measure needs a root entity (--root NAME or root=...)".into(),
                ));
            };
            let root = resolve(store, projection, root)?;
            let d = dominators::immediate_dominators_until(g, root, options.reverse, deadline)?;
            let values = (0..g.node_count())
                .map(|v| {
                    (v as NodeId == root || d.idom[v].is_some())
                        .then_some(Score::Integer(d.dominated[v] as u64))
                })
                .collect();
            out.dominators = Some(d);
            values
        }
    };
    tracing::info!(
        measure = measure.name(),
        projection = projection.name(),
        nodes = projection.node_count(),
        edges = g.edge_count(),
        seconds = started.elapsed().as_secs_f64(),
        "measure computed"
    );
    Ok(out)
}

/// Runs a measure on a projection and reports it with IRIs and English labels.
///
/// Arguments: `store`, for labels and entity names; `projection`, the graph (see
/// [`crate::projection::ProjectionCache`]); `measure`; `options` (sampling, root, top N,
/// normalisation).
///
/// Returns the [`CentralityReport`], nodes sorted by score (highest first, ties by IRI;
/// components by component number). Errors as [`scores`].
pub fn measure(
    store: &KgStore,
    projection: &Projection,
    measure: Measure,
    options: &MeasureOptions,
) -> Result<CentralityReport> {
    measure_until(store, projection, measure, options, &Deadline::none(), None)
}

/// [`measure`] under a deadline (the scores and the label lookup), with the scores taken from
/// `cache` when given (and kept there).
///
/// Errors: as [`measure`], and [`Error::Timeout`] with the deadline's limit once it expires.
pub fn measure_until(
    store: &KgStore,
    projection: &Projection,
    measure: Measure,
    options: &MeasureOptions,
    deadline: &Deadline,
    cache: Option<&MeasureCache>,
) -> Result<CentralityReport> {
    let scores = match cache {
        Some(cache) => cache.scores(store, projection, measure, options, deadline)?,
        None => Arc::new(scores_until(store, projection, measure, options, deadline)?),
    };
    let mut order: Vec<(NodeId, Score)> = scores
        .values
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i as NodeId, s)))
        .collect();
    if measure == Measure::Components {
        order.sort_by_key(|&(i, s)| (s.as_f64() as u64, i));
    } else {
        // Node indices follow IRI order, so ties fall back to the IRI.
        order.sort_by(|a, b| b.1.as_f64().total_cmp(&a.1.as_f64()).then(a.0.cmp(&b.0)));
    }
    if let Some(top) = options.top {
        order.truncate(top);
    }
    let ids: Vec<NodeId> = order.iter().map(|&(i, _)| i).collect();
    let labels = labels_of(store, projection, &ids, deadline)?;
    let dominator = |v: NodeId| {
        scores
            .dominators
            .as_ref()
            .and_then(|d| d.idom[v as usize])
            .map(|d| projection.node_id_string(d))
    };
    let nodes = order
        .into_iter()
        .map(|(i, score)| NodeScore {
            id: projection.node_id_string(i),
            label: labels.get(&i).cloned(),
            score,
            dominator: dominator(i),
        })
        .collect();
    let sampled = scores.sources.as_ref().map(Vec::len);
    Ok(CentralityReport {
        measure: measure.name().to_owned(),
        projection: projection.name().to_owned(),
        directed: projection.is_directed(),
        node_count: projection.node_count(),
        edge_count: projection.graph().edge_count(),
        normalized: matches!(
            measure,
            Measure::Degree | Measure::InDegree | Measure::OutDegree | Measure::Betweenness
        )
        .then_some(options.normalized),
        iterations: scores.iterations,
        converged: scores.iterations.map(|_| true),
        sampled: (measure == Measure::Betweenness).then_some(sampled.is_some()),
        samples: sampled,
        seed: sampled.map(|_| options.seed),
        root: scores
            .dominators
            .as_ref()
            .map(|d| projection.node_id_string(d.root)),
        component_sizes: scores.component_sizes.clone(),
        nodes,
    })
}

/// networkx's `core_number` raises on a graph with self-loops; so does this, naming the
/// first few nodes that have one.
fn refuse_self_loops(projection: &Projection) -> Result<()> {
    let loops = projection.graph().self_loops();
    if loops.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = loops
        .iter()
        .take(5)
        .map(|&v| projection.node_id_string(v))
        .collect();
    Err(Error::InvalidInput(format!(
        "core_number is not defined on a graph with self-loops (networkx refuses it too): projection '{}' has {} node(s) with an edge to itself: {}{}; remove those rows from the projection",
        projection.name(),
        loops.len(),
        shown.join(", "),
        if loops.len() > shown.len() { ", ..." } else { "" }
    )))
}
