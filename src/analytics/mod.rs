//! Supply-chain analytics façade: the shared vocabulary (measures, options, scores, entity
//! references, entity resolution, labels) and the re-exports the CLI and the HTTP API call.
//!
//! It resolves entity names, runs [`crate::algorithms`] on a [`Projection`], and turns
//! indices back into IRIs. Each concern has its own file: `centrality.rs` (measures and
//! their reports), `paths.rs` (paths with the provenance of every hop), `disruption.rs`
//! (impact and single points of failure), `functions.rs` (the `akf:` SPARQL functions and
//! their score cache) and `write_back.rs` (scores written back as RDF). Everything it
//! returns serialises to the JSON documents of SPEC §5 (`measure`, `projection`,
//! `directed`, `nodes: [{id, label, score}]`, ...); the report types also carry the
//! OpenAPI schemas of `/api/openapi.json`.

mod cache;
mod centrality;
mod disruption;
mod functions;
mod paths;
mod write_back;

pub use cache::MeasureCache;
pub use centrality::{
    measure, measure_until, scores, scores_until, CentralityReport, NodeScore, Scores,
};
pub use disruption::{
    critical, critical_until, impact, impact_until, CriticalEdge, CriticalNode, CriticalReport,
    ImpactReport,
};
pub use functions::{mentions_functions, with_functions, ScoreCache, ScoreSnapshot};
pub use paths::{paths, paths_until, Hop, HopDirection, HopRelation, PathReport, PathsReport};
pub use write_back::{clear_scores_update, score_quads, write_scores};

use crate::algorithms::{Deadline, NodeId};
pub use crate::describe::entity_iri;
use crate::error::{Error, Result};
use crate::projection::Projection;
use crate::store::KgStore;
use crate::vocab::AKF;
use oxigraph::model::{Literal, NamedOrBlankNode, Term};
use oxigraph::sparql::QueryResults;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

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

/// An entity in an analytics report: its full IRI and English label.
// The schema is called `NodeRef`: `EntityRef` names the lookups' reference (catalog).
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
#[schema(as = NodeRef)]
pub struct EntityRef {
    /// The full IRI (or `_:id` for a blank node).
    #[schema(example = "https://w3id.org/autokg/id/huawei")]
    pub id: String,
    /// The English `rdfs:label` (else an untagged one), when there is one.
    #[schema(example = "Huawei")]
    pub label: Option<String>,
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

/// English labels (else untagged ones) of some nodes, by node index, read under `deadline`.
fn labels_of(
    store: &KgStore,
    projection: &Projection,
    ids: &[NodeId],
    deadline: &Deadline,
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
    crate::sparql::cancel::query_until(store, &query, deadline, |results| {
        best_labels(results, &wanted)
    })
}

/// The English label (else an untagged one) of each wanted node in `?n ?l` rows, chosen by
/// [`crate::describe::NodeLabels`]' rule.
fn best_labels(
    results: QueryResults<'static>,
    wanted: &HashMap<&str, NodeId>,
) -> Result<HashMap<NodeId, String>> {
    let QueryResults::Solutions(solutions) = results else {
        return Ok(HashMap::new());
    };
    let mut best: HashMap<NodeId, crate::describe::NodeLabels> = HashMap::new();
    for s in solutions {
        let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
        let (Some(Term::NamedNode(n)), Some(Term::Literal(l))) = (s.get("n"), s.get("l")) else {
            continue;
        };
        let Some(&i) = wanted.get(n.as_str()) else {
            continue;
        };
        best.entry(i).or_default().add(l.value(), l.language());
    }
    Ok(best
        .into_iter()
        .filter_map(|(i, l)| Some((i, l.into_parts().0?)))
        .collect())
}

fn entity_refs(
    store: &KgStore,
    projection: &Projection,
    ids: &[NodeId],
    deadline: &Deadline,
) -> Result<Vec<EntityRef>> {
    let labels = labels_of(store, projection, ids, deadline)?;
    Ok(ids
        .iter()
        .map(|&i| EntityRef {
            id: projection.node_id_string(i),
            label: labels.get(&i).cloned(),
        })
        .collect())
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
}
