//! The neutral export graph every format writes, and what it holds: the graph types
//! ([`Scope`], [`ExportError`], [`ExportNode`], [`ExportEdge`], [`ExportGraph`]), building
//! one from a projection with [`ExportGraph::build`], and choosing its nodes (whole or one
//! entity's neighbourhood) and edges. The store's labels, types, places and paragraphs are
//! read in `attributes.rs`.

use super::attributes::{add_paragraphs, Attributes};
use crate::algorithms::{Deadline, NodeId};
use crate::analytics::{self, Measure, MeasureCache, MeasureOptions, Score};
pub use crate::describe::local_name;
use crate::error::{Error, Result};
use crate::projection::Projection;
use crate::store::KgStore;

/// Logs how long each step of building took (`RUST_LOG=autokg::export=debug`).
pub(super) struct Laps(std::time::Instant);

impl Laps {
    fn start() -> Self {
        Self(std::time::Instant::now())
    }

    pub(super) fn lap(&mut self, step: &'static str) {
        tracing::debug!(
            step,
            seconds = self.0.elapsed().as_secs_f64(),
            "export step"
        );
        self.0 = std::time::Instant::now();
    }
}

/// What part of a projection to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every node and edge.
    Whole,
    /// The nodes within `depth` hops of `entity`, edges followed either way (networkx's
    /// `ego_graph(G, n, radius=depth, undirected=True)`), and every edge among them.
    Neighbourhood {
        /// An akid local name, `prefix:local` or a full IRI.
        entity: String,
        /// Hops from the entity (0: the entity alone).
        depth: usize,
        /// The most nodes the neighbourhood may have; more is refused with the count.
        max_nodes: usize,
    },
}

/// Why an export graph could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The neighbourhood has more nodes than the cap allows.
    #[error("the depth-{depth} neighbourhood of {entity} in '{projection}' has {count} nodes, more than the limit of {limit}; lower the depth or raise the limit")]
    TooLarge {
        /// The entity's IRI.
        entity: String,
        /// The depth asked for.
        depth: usize,
        /// The projection's name.
        projection: String,
        /// Nodes the neighbourhood has.
        count: usize,
        /// The cap.
        limit: usize,
    },
    /// Anything the store, the projection or the measures report (unknown entity, bad
    /// measure, storage failure).
    #[error(transparent)]
    Kg(#[from] Error),
}

impl From<ExportError> for Error {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Kg(e) => e,
            e @ ExportError::TooLarge { .. } => Error::InvalidInput(e.to_string()),
        }
    }
}

/// One exported node.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportNode {
    /// The full IRI (or `_:id` for a blank node).
    pub id: String,
    /// The English `rdfs:label`, else an untagged one.
    pub label_en: Option<String>,
    /// The Chinese `rdfs:label` (`@zh`, `@zh-Hans`, ...).
    pub label_zh: Option<String>,
    /// The local name of the node's most specific class (`Automaker`, `City`, ...): among
    /// its classes without subclasses when it has any, else among all its types; ties go
    /// to a fixed ranking (a joint venture before an automaker, a city before a province).
    pub kind: Option<String>,
    /// The city's English label: the node itself when it is an `ak:City`, else where it is
    /// headquartered (`ak:headquarteredIn`).
    pub city: Option<String>,
    /// The province's English label: the node itself when it is an `ak:Province`, else
    /// the province of its city (the city itself for a province-level municipality).
    pub province: Option<String>,
    /// One score per [`ExportGraph::measures`], on the whole projection.
    pub scores: Vec<Option<Score>>,
}

impl ExportNode {
    /// The label tools show: English, else untagged, else Chinese, else the IRI's local name.
    pub fn label(&self) -> &str {
        self.label_en
            .as_deref()
            .or(self.label_zh.as_deref())
            .unwrap_or_else(|| local_name(&self.id))
    }
}

/// One exported edge.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportEdge {
    /// Index of the source in [`ExportGraph::nodes`].
    pub source: u32,
    /// Index of the target in [`ExportGraph::nodes`].
    pub target: u32,
    /// The relation properties' IRIs behind the edge, sorted.
    pub relations: Vec<String>,
    /// The projection's weight (1 unless the projection gives `?weight`).
    pub weight: f64,
    /// `ak:sourceParagraph` numbers of the statement nodes behind the edge, sorted.
    pub paragraphs: Vec<i64>,
}

impl ExportEdge {
    /// The relations' local names joined by `, ` (the edge label tools show).
    pub fn label(&self) -> String {
        self.relations
            .iter()
            .map(|r| local_name(r))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The relation IRIs joined by spaces.
    pub fn relation_text(&self) -> String {
        self.relations.join(" ")
    }

    /// The paragraph numbers joined by spaces (empty when unknown).
    pub fn paragraph_text(&self) -> String {
        self.paragraphs
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A graph ready to be written: nodes in IRI order, edges by source then target.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportGraph {
    /// The projection's name.
    pub name: String,
    /// Whether edges have a direction.
    pub directed: bool,
    /// The scores every node carries, in order.
    pub measures: Vec<Measure>,
    /// The nodes.
    pub nodes: Vec<ExportNode>,
    /// The edges.
    pub edges: Vec<ExportEdge>,
}

/// Whether a measure's scores are counts (written as integers) rather than reals.
pub fn is_integer_measure(m: Measure) -> bool {
    matches!(
        m,
        Measure::CoreNumber | Measure::Components | Measure::Dominators
    )
}

/// The XML Schema type name of a measure's scores in GraphML and GEXF: `long` for counts,
/// `double` for reals.
pub fn xml_score_type(m: Measure) -> &'static str {
    if is_integer_measure(m) {
        "long"
    } else {
        "double"
    }
}

impl ExportGraph {
    /// Builds the export graph of `projection` (whole or a neighbourhood) with `measures`
    /// computed on the whole projection (networkx's conventions, default options).
    ///
    /// Errors: [`ExportError::TooLarge`] for a neighbourhood over its cap (nothing else is
    /// computed then); `Kg(NotFound)` for an entity not in the projection; `Kg(InvalidInput)`
    /// for a measure that fails (dominators, a PageRank that does not converge).
    pub fn build(
        store: &KgStore,
        projection: &Projection,
        scope: &Scope,
        measures: &[Measure],
    ) -> Result<Self, ExportError> {
        Self::build_until(store, projection, scope, measures, &Deadline::none(), None)
    }

    /// [`ExportGraph::build`] under a deadline (the scores, and the store reads for labels,
    /// types, places and paragraphs), with the scores taken from `cache` when given (and
    /// kept there).
    ///
    /// Errors: as [`ExportGraph::build`], and `Kg(Timeout)` once the deadline expires.
    pub fn build_until(
        store: &KgStore,
        projection: &Projection,
        scope: &Scope,
        measures: &[Measure],
        deadline: &Deadline,
        cache: Option<&MeasureCache>,
    ) -> Result<Self, ExportError> {
        let started = std::time::Instant::now();
        let mut laps = Laps::start();
        let selected = select(store, projection, scope)?;
        laps.lap("select nodes");
        let options = MeasureOptions::default();
        let mut scores = Vec::with_capacity(measures.len());
        for &m in measures {
            scores.push(match cache {
                Some(cache) => cache.scores(store, projection, m, &options, deadline)?,
                None => std::sync::Arc::new(analytics::scores_until(
                    store, projection, m, &options, deadline,
                )?),
            });
        }
        laps.lap("scores");
        let (local, edges) = edges_among(projection, &selected);
        let iris: Vec<String> = selected
            .iter()
            .map(|&i| projection.node_id_string(i))
            .collect();
        let mut attributes = Attributes::read(store, projection, &selected, &mut laps, deadline)?;
        let nodes: Vec<ExportNode> = selected
            .iter()
            .zip(iris)
            .enumerate()
            .map(|(k, (&i, id))| ExportNode {
                scores: scores.iter().map(|s| s.values[i as usize]).collect(),
                ..attributes.take_node(k, id)
            })
            .collect();
        drop(attributes);
        let mut edges: Vec<ExportEdge> = edges
            .into_iter()
            .map(|(u, v, w)| ExportEdge {
                source: local[u as usize],
                target: local[v as usize],
                relations: relations_of(projection, u, v),
                weight: w,
                paragraphs: Vec::new(),
            })
            .collect();
        laps.lap("nodes and edges");
        deadline.check().map_err(Error::from)?;
        add_paragraphs(store, &nodes, &mut edges, deadline)?;
        laps.lap("source paragraphs");
        tracing::info!(
            projection = projection.name(),
            nodes = nodes.len(),
            edges = edges.len(),
            seconds = started.elapsed().as_secs_f64(),
            "export graph built"
        );
        Ok(Self {
            name: projection.name().to_owned(),
            directed: projection.is_directed(),
            measures: measures.to_vec(),
            nodes,
            edges,
        })
    }
}

/// The projection's node indices to export, ascending (so in IRI order).
fn select(
    store: &KgStore,
    projection: &Projection,
    scope: &Scope,
) -> Result<Vec<NodeId>, ExportError> {
    let (entity, depth, max_nodes) = match scope {
        Scope::Whole => return Ok((0..projection.node_count() as NodeId).collect()),
        Scope::Neighbourhood {
            entity,
            depth,
            max_nodes,
        } => (entity, *depth, *max_nodes),
    };
    let start = analytics::resolve(store, projection, entity)?;
    let g = projection.graph();
    let mut seen = vec![false; projection.node_count()];
    seen[start as usize] = true;
    let mut frontier = vec![start];
    let mut found = vec![start];
    for _ in 0..depth {
        let mut next = Vec::new();
        for &v in &frontier {
            for &w in g.successors(v).iter().chain(g.predecessors(v)) {
                if !seen[w as usize] {
                    seen[w as usize] = true;
                    next.push(w);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        found.extend_from_slice(&next);
        frontier = next;
    }
    if found.len() > max_nodes {
        return Err(ExportError::TooLarge {
            entity: projection.node_id_string(start),
            depth,
            projection: projection.name().to_owned(),
            count: found.len(),
            limit: max_nodes,
        });
    }
    found.sort_unstable();
    Ok(found)
}

/// The position of each selected node (`u32::MAX` for the others) and the projection's
/// edges among the selected nodes, by source then target.
fn edges_among(projection: &Projection, selected: &[NodeId]) -> (Vec<u32>, Vec<(u32, u32, f64)>) {
    let g = projection.graph();
    let mut local = vec![u32::MAX; projection.node_count()];
    for (k, &i) in selected.iter().enumerate() {
        local[i as usize] = k as u32;
    }
    let mut edges = Vec::new();
    for &u in selected {
        for (&v, &w) in g.successors(u).iter().zip(g.successor_weights(u)) {
            if local[v as usize] != u32::MAX && (g.is_directed() || u < v) {
                edges.push((u, v, w));
            }
        }
    }
    (local, edges)
}

/// The relations behind an edge: the rows that ran `u → v` (and, undirected, `v → u`).
fn relations_of(projection: &Projection, u: NodeId, v: NodeId) -> Vec<String> {
    let mut out: Vec<String> = projection
        .relations_between(u, v)
        .into_iter()
        .filter(|(_, forward)| *forward || !projection.is_directed())
        .map(|(r, _)| r.into_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names() {
        assert_eq!(local_name("https://w3id.org/autokg/ontology#City"), "City");
        assert_eq!(local_name("https://w3id.org/autokg/id/seres"), "seres");
        assert_eq!(local_name("urn:x"), "urn:x");
        assert_eq!(local_name("http://e/"), "http://e/");
    }
}
