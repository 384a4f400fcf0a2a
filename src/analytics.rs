//! Supply-chain analytics: measures on a projection reported with IRIs and labels, paths
//! with the provenance of every hop, disruption impact, single points of failure, the
//! `akf:` SPARQL functions, and scores written back as RDF.
//!
//! This is the façade the CLI and the HTTP API call: it resolves entity names, runs
//! [`crate::algorithms`] on a [`Projection`], and turns indices back into IRIs. Everything
//! it returns serialises to the JSON documents of SPEC §5 (`measure`, `projection`,
//! `directed`, `nodes: [{id, label, score}]`, ...).

use crate::algorithms::{
    betweenness, closeness, components, cuts, degree, dominators, eigenvector, harmonic,
    impact as disruption, kcore, pagerank, paths as kpaths, NodeId, NotConverged,
};
pub use crate::describe::entity_iri;
use crate::error::{Error, Result};
use crate::projection::{Projection, ProjectionSpec};
use crate::store::KgStore;
use crate::vocab::{AK, AKF, AKID, GRAPH_ANALYTICS};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// A per-node measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Measure {
    /// Degree centrality, all edges (networkx `degree_centrality`).
    Degree,
    /// In-degree centrality (networkx `in_degree_centrality`).
    InDegree,
    /// Out-degree centrality (networkx `out_degree_centrality`).
    OutDegree,
    /// PageRank (networkx `pagerank`: damping 0.85, tolerance 1e-6, at most 100 iterations).
    PageRank,
    /// Betweenness (networkx `betweenness_centrality`), exact or sampled.
    Betweenness,
    /// Closeness (networkx `closeness_centrality`, `wf_improved=True`).
    Closeness,
    /// Harmonic centrality (networkx `harmonic_centrality`).
    Harmonic,
    /// Eigenvector centrality (networkx `eigenvector_centrality`).
    Eigenvector,
    /// Core number (networkx `core_number`).
    CoreNumber,
    /// Connected component of the undirected view (0 = largest).
    Components,
    /// Dominators from a root: how many nodes each one dominates.
    Dominators,
}

impl Measure {
    /// Every measure, in the order help texts list them.
    pub const ALL: &'static [Measure] = &[
        Measure::Degree,
        Measure::InDegree,
        Measure::OutDegree,
        Measure::PageRank,
        Measure::Betweenness,
        Measure::Closeness,
        Measure::Harmonic,
        Measure::Eigenvector,
        Measure::CoreNumber,
        Measure::Components,
        Measure::Dominators,
    ];

    /// The name used on the command line, in the API and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Degree => "degree",
            Measure::InDegree => "in-degree",
            Measure::OutDegree => "out-degree",
            Measure::PageRank => "pagerank",
            Measure::Betweenness => "betweenness",
            Measure::Closeness => "closeness",
            Measure::Harmonic => "harmonic",
            Measure::Eigenvector => "eigenvector",
            Measure::CoreNumber => "kcore",
            Measure::Components => "components",
            Measure::Dominators => "dominators",
        }
    }

    /// The IRI that names the measure in written scores (`akf:` namespace; the SPARQL
    /// functions use the same IRIs where they exist).
    pub fn iri(self) -> String {
        let local = match self {
            Measure::Degree => "degree",
            Measure::InDegree => "inDegree",
            Measure::OutDegree => "outDegree",
            Measure::PageRank => "pagerank",
            Measure::Betweenness => "betweenness",
            Measure::Closeness => "closeness",
            Measure::Harmonic => "harmonic",
            Measure::Eigenvector => "eigenvector",
            Measure::CoreNumber => "coreNumber",
            Measure::Components => "component",
            Measure::Dominators => "dominated",
        };
        format!("{AKF}{local}")
    }

    /// The known names, comma-separated, for error messages and help.
    pub fn names() -> String {
        Self::ALL
            .iter()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Measure {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        let m = match key.as_str() {
            "degree" | "total-degree" => Measure::Degree,
            "in-degree" | "indegree" => Measure::InDegree,
            "out-degree" | "outdegree" => Measure::OutDegree,
            "pagerank" | "page-rank" => Measure::PageRank,
            "betweenness" => Measure::Betweenness,
            "closeness" => Measure::Closeness,
            "harmonic" => Measure::Harmonic,
            "eigenvector" => Measure::Eigenvector,
            "kcore" | "k-core" | "core" | "core-number" | "corenumber" => Measure::CoreNumber,
            "components" | "component" => Measure::Components,
            "dominators" | "dominator" => Measure::Dominators,
            _ => {
                return Err(Error::InvalidInput(format!(
                    "unknown measure '{s}'; known: {}",
                    Self::names()
                )))
            }
        };
        Ok(m)
    }
}

impl TryFrom<String> for Measure {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Measure> for String {
    fn from(m: Measure) -> Self {
        m.name().to_owned()
    }
}

/// Options of [`measure`]; each applies to the measures its doc names.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MeasureOptions {
    /// Degree and betweenness: networkx's normalisation (default `true`); `false` gives raw
    /// degrees and raw pair counts.
    pub normalized: bool,
    /// Betweenness: estimate from this many sampled sources (at least 2) instead of all.
    pub samples: Option<usize>,
    /// Betweenness: the seed of the sample (default 0).
    pub seed: u64,
    /// Dominators: the root entity (an akid local name or an IRI).
    pub root: Option<String>,
    /// Dominators: walk edges backwards (from an OEM towards its suppliers).
    pub reverse: bool,
    /// Keep only the best `top` nodes.
    pub top: Option<usize>,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        Self {
            normalized: true,
            samples: None,
            seed: 0,
            root: None,
            reverse: false,
            top: None,
        }
    }
}

/// A score: a count or a real number (JSON `3` or `0.25`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Score {
    /// A count: degree (raw), core number, component, dominated nodes.
    Integer(u64),
    /// A real-valued centrality.
    Real(f64),
}

impl Score {
    /// The score as a float, for sorting.
    pub fn as_f64(self) -> f64 {
        match self {
            Score::Integer(i) => i as f64,
            Score::Real(x) => x,
        }
    }

    /// The score as an RDF literal: xsd:integer or xsd:double.
    pub fn to_literal(self) -> Literal {
        match self {
            Score::Integer(i) => Literal::from(i as i64),
            Score::Real(x) => Literal::from(x),
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Score::Integer(i) => write!(f, "{i}"),
            Score::Real(x) => write!(f, "{x}"),
        }
    }
}

/// An entity in a report: its IRI and English label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntityRef {
    /// The full IRI (or `_:id` for a blank node).
    pub id: String,
    /// The English `rdfs:label` (else an untagged one), when there is one.
    pub label: Option<String>,
}

/// One node's score in a [`CentralityReport`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NodeScore {
    /// The full IRI.
    pub id: String,
    /// The English label, when there is one.
    pub label: Option<String>,
    /// The score.
    pub score: Score,
    /// Dominators only: the immediate dominator's IRI (absent for the root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominator: Option<String>,
}

/// The result of [`measure`]: the JSON document of `autokg centrality --format json` and of
/// `/api/analytics/centrality`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CentralityReport {
    /// The measure's name.
    pub measure: String,
    /// The projection's name.
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
/// fewer than 2, a missing root) and when PageRank or eigenvector does not converge, and
/// [`Error::NotFound`] for an unknown root.
pub fn scores(
    store: &KgStore,
    projection: &Projection,
    measure: Measure,
    options: &MeasureOptions,
) -> Result<Scores> {
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
            let r = pagerank::pagerank(g, pagerank::Options::default()).map_err(not_converged)?;
            out.iterations = Some(r.iterations);
            real(r.scores)
        }
        Measure::Eigenvector => {
            let r = eigenvector::eigenvector(g, eigenvector::Options::default())
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
            let b = betweenness::betweenness(g, options.normalized, sources.as_deref());
            out.sources = sources;
            real(b)
        }
        Measure::Closeness => real(closeness::closeness(g, true)),
        Measure::Harmonic => real(harmonic::harmonic(g)),
        Measure::CoreNumber => int(kcore::core_number(g)),
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
            let d = dominators::immediate_dominators(g, root, options.reverse);
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
    let started = std::time::Instant::now();
    let scores = scores(store, projection, measure, options)?;
    tracing::info!(
        measure = measure.name(),
        projection = projection.name(),
        nodes = projection.node_count(),
        edges = projection.graph().edge_count(),
        seconds = started.elapsed().as_secs_f64(),
        "measure computed"
    );
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
    let labels = labels_of(store, projection, &ids)?;
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
        component_sizes: scores.component_sizes,
        nodes,
    })
}

/// Finds an entity argument's node in a projection.
///
/// Errors: [`Error::NotFound`] naming the entity, and saying whether it exists in the store
/// but has no edge in this projection.
pub fn resolve(store: &KgStore, projection: &Projection, arg: &str) -> Result<NodeId> {
    let iri = entity_iri(arg)?;
    if let Some(i) = projection.index_of(iri.as_str()) {
        return Ok(i);
    }
    let exists = matches!(
        store.query(&format!(
            "ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}"
        ))?,
        QueryResults::Boolean(true)
    );
    Err(Error::NotFound(if exists {
        format!(
            "{iri} is in the store but not in the '{}' projection (it has none of the relations that projection includes); try another projection, such as 'all'",
            projection.name()
        )
    } else {
        format!("unknown entity '{arg}': nothing in the store is called {iri}")
    }))
}

/// English labels (else untagged ones) of some nodes, by node index.
fn labels_of(
    store: &KgStore,
    projection: &Projection,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, String>> {
    const VALUES_LIMIT: usize = 2000;
    let wanted: HashMap<&str, NodeId> = ids
        .iter()
        .filter_map(|&i| match projection.node(i) {
            NamedOrBlankNode::NamedNode(n) => Some((n.as_str(), i)),
            NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = "FILTER(lang(?l) = \"\" || langMatches(lang(?l), \"en\"))";
    let query = if wanted.len() <= VALUES_LIMIT {
        let values: String = wanted.keys().map(|iri| format!("<{iri}> ")).collect();
        format!("SELECT ?n ?l WHERE {{ VALUES ?n {{ {values}}} ?n rdfs:label ?l {filter} }}")
    } else {
        format!("SELECT ?n ?l WHERE {{ ?n rdfs:label ?l {filter} }}")
    };
    let QueryResults::Solutions(solutions) = store.query(&query)? else {
        return Ok(HashMap::new());
    };
    // Keep the English label over an untagged one; among several, the smallest string.
    let mut best: HashMap<NodeId, (bool, String)> = HashMap::new();
    for s in solutions {
        let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
        let (Some(Term::NamedNode(n)), Some(Term::Literal(l))) = (s.get("n"), s.get("l")) else {
            continue;
        };
        let Some(&i) = wanted.get(n.as_str()) else {
            continue;
        };
        let candidate = (l.language().is_some(), l.value().to_owned());
        let slot = best.entry(i).or_insert_with(|| candidate.clone());
        if (candidate.0 && !slot.0) || (candidate.0 == slot.0 && candidate.1 < slot.1) {
            *slot = candidate;
        }
    }
    Ok(best.into_iter().map(|(i, (_, l))| (i, l)).collect())
}

fn entity_refs(store: &KgStore, projection: &Projection, ids: &[NodeId]) -> Result<Vec<EntityRef>> {
    let labels = labels_of(store, projection, ids)?;
    Ok(ids
        .iter()
        .map(|&i| EntityRef {
            id: projection.node_id_string(i),
            label: labels.get(&i).cloned(),
        })
        .collect())
}

/// Which way a hop's RDF triple reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HopDirection {
    /// The triple reads `hop.from relation hop.to`.
    Forward,
    /// The triple reads `hop.to relation hop.from`.
    Backward,
}

/// A relation behind one hop of a path, with its provenance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HopRelation {
    /// The relation property's IRI.
    pub relation: String,
    /// Which way the triple reads.
    pub direction: HopDirection,
    /// The `ak:Relationship` statement node, when the data has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// `ak:Stated` or `ak:Inferred` (the IRI), when the statement says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    /// The source document (`prov:wasDerivedFrom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The statement's `ak:sourceParagraph` numbers.
    pub paragraphs: Vec<i64>,
}

/// One hop of a path.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hop {
    /// The IRI the hop leaves.
    pub from: String,
    /// The IRI the hop reaches.
    pub to: String,
    /// The relations linking the two, stated ones first.
    pub relations: Vec<HopRelation>,
}

/// One path of a [`PathsReport`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PathReport {
    /// Number of hops.
    pub length: usize,
    /// The nodes, both ends included.
    pub nodes: Vec<EntityRef>,
    /// The hops, in order.
    pub hops: Vec<Hop>,
}

/// The result of [`paths`]: the document of `autokg paths --format json` and `/api/paths`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PathsReport {
    /// The projection's name.
    pub projection: String,
    /// Whether the projection is directed (paths then follow edge direction).
    pub directed: bool,
    /// The start.
    pub from: EntityRef,
    /// The end.
    pub to: EntityRef,
    /// Up to `k` shortest simple paths, shortest first; empty when none exists.
    pub paths: Vec<PathReport>,
}

/// Statement nodes with their provenance, keyed by (subject, object); each entry is the
/// statement's IRI and the relation as read from subject to object.
type Statements = HashMap<(String, String), Vec<(String, HopRelation)>>;

/// The `k` shortest relationship paths between two entities.
///
/// Arguments: `store`; `from` and `to`, entity arguments (akid local names or IRIs); `k`;
/// `projection`, the graph to walk (`all` walks every relation either way).
///
/// Returns the [`PathsReport`]: every hop names the relations between its ends (those the
/// projection's `?relation` gave, or all statement nodes when it has none), each with its
/// direction and the statement node's assertion, source and paragraphs.
///
/// Errors: [`Error::NotFound`] for an entity not in the projection.
pub fn paths(
    store: &KgStore,
    from: &str,
    to: &str,
    k: usize,
    projection: &Projection,
) -> Result<PathsReport> {
    let a = resolve(store, projection, from)?;
    let b = resolve(store, projection, to)?;
    let found = kpaths::k_shortest_paths(projection.graph(), a, b, k);
    let mut pairs: Vec<(NodeId, NodeId)> = found
        .iter()
        .flat_map(|p| p.windows(2).map(|w| (w[0], w[1])))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let statements = statements_between(store, projection, &pairs)?;
    let mut all_nodes: Vec<NodeId> = found.iter().flatten().copied().chain([a, b]).collect();
    all_nodes.sort_unstable();
    all_nodes.dedup();
    let refs: HashMap<NodeId, EntityRef> = all_nodes
        .iter()
        .copied()
        .zip(entity_refs(store, projection, &all_nodes)?)
        .collect();
    let entity = |i: NodeId| {
        refs.get(&i).cloned().unwrap_or_else(|| EntityRef {
            id: projection.node_id_string(i),
            label: None,
        })
    };
    let paths = found
        .iter()
        .map(|p| PathReport {
            length: p.len() - 1,
            nodes: p.iter().map(|&i| entity(i)).collect(),
            hops: p
                .windows(2)
                .map(|w| hop(projection, &statements, w[0], w[1]))
                .collect(),
        })
        .collect();
    Ok(PathsReport {
        projection: projection.name().to_owned(),
        directed: projection.is_directed(),
        from: entity(a),
        to: entity(b),
        paths,
    })
}

fn hop(projection: &Projection, statements: &Statements, a: NodeId, b: NodeId) -> Hop {
    let (sa, sb) = (projection.node_id_string(a), projection.node_id_string(b));
    let oriented = |key: (String, String), direction: HopDirection| {
        statements
            .get(&key)
            .into_iter()
            .flatten()
            .map(move |(_, r)| HopRelation {
                direction,
                ..r.clone()
            })
    };
    let known = projection.relations_between(a, b);
    let mut relations: Vec<HopRelation> = oriented((sa.clone(), sb.clone()), HopDirection::Forward)
        .chain(oriented((sb.clone(), sa.clone()), HopDirection::Backward))
        .filter(|r| known.is_empty() || known.iter().any(|(k, _)| k.as_str() == r.relation))
        .collect();
    // Relations the projection names but no statement node documents.
    for (rel, row_forward) in &known {
        if !relations.iter().any(|r| r.relation == rel.as_str()) {
            relations.push(HopRelation {
                relation: rel.as_str().to_owned(),
                direction: if *row_forward {
                    HopDirection::Forward
                } else {
                    HopDirection::Backward
                },
                statement: None,
                assertion: None,
                source: None,
                paragraphs: Vec::new(),
            });
        }
    }
    let stated = format!("{AK}Stated");
    relations.sort_by(|x, y| {
        let rank = |r: &HopRelation| match &r.assertion {
            Some(a) if *a == stated => 0,
            Some(_) => 1,
            None => 2,
        };
        (rank(x), &x.relation, &x.statement).cmp(&(rank(y), &y.relation, &y.statement))
    });
    relations.dedup();
    Hop {
        from: sa,
        to: sb,
        relations,
    }
}

/// Statement nodes (`ak:Relationship`) whose subject and object are the two ends of a pair,
/// either way round.
fn statements_between(
    store: &KgStore,
    projection: &Projection,
    pairs: &[(NodeId, NodeId)],
) -> Result<Statements> {
    let mut out: Statements = HashMap::new();
    let iri = |i: NodeId| match projection.node(i) {
        NamedOrBlankNode::NamedNode(n) => Some(n.to_string()),
        NamedOrBlankNode::BlankNode(_) => None,
    };
    let values: Vec<String> = pairs
        .iter()
        .filter_map(|&(a, b)| Some((iri(a)?, iri(b)?)))
        .flat_map(|(a, b)| [format!("({a} {b})"), format!("({b} {a})")])
        .collect();
    if values.is_empty() {
        return Ok(out);
    }
    let query = format!(
        "SELECT ?st ?s ?p ?o ?assertion ?src ?n WHERE {{
           VALUES (?s ?o) {{ {} }}
           ?st a ak:Relationship ; ak:subject ?s ; ak:predicate ?p ; ak:object ?o .
           OPTIONAL {{ ?st ak:assertion ?assertion }}
           OPTIONAL {{ ?st prov:wasDerivedFrom ?src }}
           OPTIONAL {{ ?st ak:sourceParagraph ?n }}
         }}",
        values.join(" ")
    );
    let QueryResults::Solutions(solutions) = store.query(&query)? else {
        return Ok(out);
    };
    let text = |t: Option<&Term>| match t {
        Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        Some(Term::BlankNode(b)) => Some(b.to_string()),
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        None => None,
    };
    for s in solutions {
        let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
        let (Some(st), Some(subject), Some(p), Some(object)) = (
            text(s.get("st")),
            text(s.get("s")),
            text(s.get("p")),
            text(s.get("o")),
        ) else {
            continue;
        };
        let list = out.entry((subject, object)).or_default();
        let at = match list.iter().position(|(id, _)| *id == st) {
            Some(at) => at,
            None => {
                list.push((
                    st.clone(),
                    HopRelation {
                        relation: p,
                        direction: HopDirection::Forward,
                        statement: Some(st),
                        assertion: None,
                        source: None,
                        paragraphs: Vec::new(),
                    },
                ));
                list.len() - 1
            }
        };
        let entry = &mut list[at].1;
        if entry.assertion.is_none() {
            entry.assertion = text(s.get("assertion"));
        }
        if entry.source.is_none() {
            entry.source = text(s.get("src"));
        }
        if let Some(n) = text(s.get("n")).and_then(|n| n.parse::<i64>().ok()) {
            if !entry.paragraphs.contains(&n) {
                entry.paragraphs.push(n);
                entry.paragraphs.sort_unstable();
            }
        }
    }
    Ok(out)
}

/// The result of [`impact`]: the document of `autokg impact --format json` and of
/// `/api/analytics/impact`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    /// The projection's name.
    pub projection: String,
    /// Whether the projection is directed (lost pairs then follow edge direction).
    pub directed: bool,
    /// Nodes in the projection.
    pub node_count: usize,
    /// The removed entities.
    pub removed: Vec<EntityRef>,
    /// Entities that lose every path to the rest of their component (they end up outside
    /// its largest surviving piece).
    pub disconnected: Vec<EntityRef>,
    /// Ordered pairs of remaining entities that lose reachability.
    pub pairs_lost: u64,
    /// Largest connected component (undirected view) before the removal.
    pub largest_component_before: usize,
    /// Largest connected component of the remaining entities.
    pub largest_component_after: usize,
    /// Connected components before.
    pub components_before: usize,
    /// Connected components of the remaining entities.
    pub components_after: usize,
}

/// What removing some entities cuts off.
///
/// Arguments: `store`; `nodes`, entity arguments; `projection`.
///
/// Returns the [`ImpactReport`]. Errors: [`Error::NotFound`] for an entity not in the
/// projection; [`Error::InvalidInput`] for an empty list.
pub fn impact(store: &KgStore, nodes: &[String], projection: &Projection) -> Result<ImpactReport> {
    if nodes.is_empty() {
        return Err(Error::InvalidInput(
            "name at least one entity to remove".into(),
        ));
    }
    let removed = nodes
        .iter()
        .map(|n| resolve(store, projection, n))
        .collect::<Result<Vec<_>>>()?;
    let i = disruption::disruption_impact(projection.graph(), &removed);
    Ok(ImpactReport {
        projection: projection.name().to_owned(),
        directed: projection.is_directed(),
        node_count: projection.node_count(),
        removed: entity_refs(store, projection, &i.removed)?,
        disconnected: entity_refs(store, projection, &i.disconnected)?,
        pairs_lost: i.pairs_lost,
        largest_component_before: i.largest_before,
        largest_component_after: i.largest_after,
        components_before: i.components_before,
        components_after: i.components_after,
    })
}

/// An articulation point in a [`CriticalReport`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CriticalNode {
    /// The full IRI.
    pub id: String,
    /// The English label, when there is one.
    pub label: Option<String>,
    /// How many entities its removal cuts off from the rest of its component.
    pub disconnects: usize,
}

/// A bridge in a [`CriticalReport`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CriticalEdge {
    /// One end.
    pub source: EntityRef,
    /// The other end.
    pub target: EntityRef,
    /// The relations the projection gave for the edge.
    pub relations: Vec<String>,
    /// How many entities its removal cuts off (the smaller side).
    pub disconnects: usize,
}

/// The result of [`critical`]: single points of failure, `/api/analytics/critical`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CriticalReport {
    /// The projection's name.
    pub projection: String,
    /// Whether the projection is directed (the analysis uses the undirected view).
    pub directed: bool,
    /// Articulation points, the most disconnecting first.
    pub articulation_points: Vec<CriticalNode>,
    /// Bridges, the most disconnecting first.
    pub bridges: Vec<CriticalEdge>,
}

/// Single points of failure of a projection: articulation points and bridges of its
/// undirected view, each with how many entities its loss cuts off.
pub fn critical(store: &KgStore, projection: &Projection) -> Result<CriticalReport> {
    let g = projection.graph();
    let mut cut = cuts::cut_vertices(g);
    cut.sort_by(|a, b| {
        b.disconnects()
            .cmp(&a.disconnects())
            .then(a.node.cmp(&b.node))
    });
    let mut bridges = cuts::cut_edges(g);
    bridges.sort_by(|a, b| b.disconnects.cmp(&a.disconnects).then(a.edge.cmp(&b.edge)));
    let mut ids: Vec<NodeId> = cut.iter().map(|c| c.node).collect();
    ids.extend(bridges.iter().flat_map(|b| [b.edge.0, b.edge.1]));
    ids.sort_unstable();
    ids.dedup();
    let refs: HashMap<NodeId, EntityRef> = ids
        .iter()
        .copied()
        .zip(entity_refs(store, projection, &ids)?)
        .collect();
    let entity = |i: NodeId| {
        refs.get(&i).cloned().unwrap_or_else(|| EntityRef {
            id: projection.node_id_string(i),
            label: None,
        })
    };
    Ok(CriticalReport {
        projection: projection.name().to_owned(),
        directed: projection.is_directed(),
        articulation_points: cut
            .iter()
            .map(|c| {
                let e = entity(c.node);
                CriticalNode {
                    id: e.id,
                    label: e.label,
                    disconnects: c.disconnects(),
                }
            })
            .collect(),
        bridges: bridges
            .iter()
            .map(|b| CriticalEdge {
                source: entity(b.edge.0),
                target: entity(b.edge.1),
                relations: {
                    // Either direction of the undirected edge: each relation once.
                    let mut r: Vec<String> = projection
                        .relations_between(b.edge.0, b.edge.1)
                        .into_iter()
                        .map(|(r, _)| r.as_str().to_owned())
                        .collect();
                    r.sort_unstable();
                    r.dedup();
                    r
                },
                disconnects: b.disconnects,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// SPARQL functions
// ---------------------------------------------------------------------------------------

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
    /// projection (or PageRank did not converge).
    pub fn score(&self, measure: Measure, node: &Term) -> Option<Term> {
        let Term::NamedNode(n) = node else {
            return None;
        };
        let i = self.projection.index_of(n.as_str())?;
        let (_, cell) = self.computed.iter().find(|(m, _)| *m == measure)?;
        let values = cell.get_or_init(|| self.compute(measure));
        values.as_ref()?.get(i as usize)?.clone()
    }

    fn compute(&self, measure: Measure) -> Option<Vec<Option<Term>>> {
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
        Some(match measure {
            Measure::PageRank => real(
                pagerank::pagerank(g, pagerank::Options::default())
                    .ok()?
                    .scores,
            ),
            Measure::Betweenness => real(betweenness::betweenness(g, true, None)),
            Measure::Closeness => real(closeness::closeness(g, true)),
            Measure::Degree => int(degree::degree(g, degree::Direction::Total)),
            Measure::CoreNumber => int(kcore::core_number(g)),
            _ => return None,
        })
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
        let generation = store.generation();
        if let Some(s) = self.lock().as_ref() {
            if s.generation() == generation {
                return Ok(s.clone());
            }
        }
        let spec = ProjectionSpec::named(crate::projection::DEFAULT)?;
        let snapshot = Arc::new(ScoreSnapshot::new(Arc::new(Projection::build(
            store, &spec,
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
pub fn with_functions(evaluator: SparqlEvaluator, scores: Arc<ScoreSnapshot>) -> SparqlEvaluator {
    FUNCTIONS.iter().fold(evaluator, |e, &(local, measure)| {
        let scores = scores.clone();
        e.with_custom_function(
            NamedNode::new_unchecked(format!("{AKF}{local}")),
            move |args| match args {
                [node] => scores.score(measure, node),
                _ => None,
            },
        )
    })
}

/// Whether a query may call an `akf:` function (so the caller knows to build scores).
pub fn mentions_functions(sparql: &str) -> bool {
    sparql.contains("akf:") || sparql.contains(AKF)
}

// ---------------------------------------------------------------------------------------
// Writing scores
// ---------------------------------------------------------------------------------------

/// A SPARQL update removing the scores a previous `--write` stored for the same measure and
/// projection; run it before loading [`score_quads`] so that scores are replaced.
pub fn clear_scores_update(report: &CentralityReport) -> String {
    format!(
        "DELETE {{ GRAPH <{GRAPH_ANALYTICS}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{GRAPH_ANALYTICS}> {{ \
           ?s a <{AK}CentralityScore> ; <{AK}centralityMeasure> <{}> ; <{AK}projection> {} ; ?p ?o }} }}",
        measure_iri(&report.measure),
        Literal::new_simple_literal(&report.projection),
    )
}

fn measure_iri(name: &str) -> String {
    name.parse::<Measure>()
        .map(Measure::iri)
        .unwrap_or_else(|_| format!("{AKF}{name}"))
}

/// The quads storing a report's scores in `<https://w3id.org/autokg/graph/analytics>`, for
/// `KgStore::load`. Each scored node gets a node
/// `akid:analytics/{projection}/{measure}/{hash}` with `a ak:CentralityScore`,
/// `ak:scoreOf` (the entity), `ak:centralityMeasure` (the measure's `akf:` IRI),
/// `ak:projection` (the name), `ak:score` and `prov:generatedAtTime` (`at`).
pub fn score_quads(report: &CentralityReport, at: SystemTime) -> Vec<Quad> {
    use sha2::{Digest, Sha256};
    let graph = NamedNode::new_unchecked(GRAPH_ANALYTICS);
    let ak = |local: &str| NamedNode::new_unchecked(format!("{AK}{local}"));
    let measure = NamedNode::new_unchecked(measure_iri(&report.measure));
    let projection = Literal::new_simple_literal(&report.projection);
    let time = Literal::new_typed_literal(xsd_date_time(at), xsd::DATE_TIME);
    let slug = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let generated = NamedNode::new_unchecked("http://www.w3.org/ns/prov#generatedAtTime");
    let mut quads = Vec::with_capacity(report.nodes.len() * 6);
    for node in &report.nodes {
        let Ok(entity) = NamedNode::new(&node.id) else {
            continue; // blank nodes cannot be referred to from another graph
        };
        let hash = crate::vocab::hex(&Sha256::digest(node.id.as_bytes())[..8]);
        let s = NamedNode::new_unchecked(format!(
            "{AKID}analytics/{}/{}/{hash}",
            slug(&report.projection),
            slug(&report.measure)
        ));
        let mut add = |p: NamedNode, o: Term| quads.push(Quad::new(s.clone(), p, o, graph.clone()));
        add(rdf::TYPE.into_owned(), ak("CentralityScore").into());
        add(ak("scoreOf"), entity.into());
        add(ak("centralityMeasure"), measure.clone().into());
        add(ak("projection"), projection.clone().into());
        add(ak("score"), node.score.to_literal().into());
        add(generated.clone(), time.clone().into());
    }
    quads
}

/// An `xsd:dateTime` in UTC, to the second.
fn xsd_date_time(at: SystemTime) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Writes `report`'s scores to the analytics graph, replacing earlier scores of the same
/// measure and projection, and flushes; returns how many nodes were scored.
pub fn write_scores(store: &KgStore, report: &CentralityReport) -> Result<usize> {
    let update = KgStore::evaluator()
        .parse_update(&clear_scores_update(report))
        .map_err(|e| Error::SparqlSyntax(e.to_string()))?;
    store.update(update)?;
    store.load_quads(&score_quads(report, SystemTime::now()))?;
    store.flush()?;
    Ok(report.nodes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_names_round_trip_and_unknown_ones_are_listed() {
        for m in Measure::ALL {
            assert_eq!(m.name().parse::<Measure>().ok(), Some(*m));
        }
        assert_eq!("PageRank".parse::<Measure>().ok(), Some(Measure::PageRank));
        assert_eq!(
            "core_number".parse::<Measure>().ok(),
            Some(Measure::CoreNumber)
        );
        let e = "popularity".parse::<Measure>().expect_err("unknown");
        assert!(e.to_string().contains("'popularity'") && e.to_string().contains("betweenness"));
    }

    #[test]
    fn entity_arguments() {
        let iri = |a: &str| entity_iri(a).map(|n| n.into_string()).unwrap_or_default();
        assert_eq!(iri("seres"), "https://w3id.org/autokg/id/seres");
        assert_eq!(iri("akid:seres"), "https://w3id.org/autokg/id/seres");
        assert_eq!(
            iri("<https://w3id.org/autokg/id/nio>"),
            "https://w3id.org/autokg/id/nio"
        );
        assert_eq!(iri("https://example.org/x"), "https://example.org/x");
        assert_eq!(
            iri("synthetic/firm-1"),
            "https://w3id.org/autokg/id/synthetic/firm-1"
        );
        assert!(entity_iri("has space").is_err());
    }

    #[test]
    fn dates_are_utc_seconds() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600 + 3_661);
        assert_eq!(xsd_date_time(t), "2026-01-01T01:01:01Z");
        assert_eq!(
            xsd_date_time(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00Z"
        );
    }
}
