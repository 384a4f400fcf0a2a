//! Paths: the `k` shortest relationship paths between two entities, with the relations
//! and provenance (statement node, assertion, source, paragraphs) of every hop
//! ([`PathsReport`], the document of `autokg paths` and of `/api/paths`).

use super::{entity_refs, resolve, EntityRef};
use crate::algorithms::{paths as kpaths, Deadline, NodeId};
use crate::error::{Error, Result};
use crate::projection::Projection;
use crate::store::KgStore;
use crate::vocab::AK;
use oxigraph::model::{NamedOrBlankNode, Term};
use oxigraph::sparql::QueryResults;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Which way a hop's RDF triple reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HopDirection {
    /// The triple reads `hop.from relation hop.to`.
    Forward,
    /// The triple reads `hop.to relation hop.from`.
    Backward,
}

/// A relation behind one hop of a path, with its provenance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct HopRelation {
    /// The relation property's IRI.
    #[schema(example = "https://w3id.org/autokg/ontology#partnerOf")]
    pub relation: String,
    /// Which way the triple reads.
    pub direction: HopDirection,
    /// The `ak:Relationship` statement node's IRI, when the data has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://w3id.org/autokg/id/rel-huawei-partnerOf-seres")]
    pub statement: Option<String>,
    /// `ak:Stated` or `ak:Inferred` (the IRI), when the statement says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    /// The source document's IRI (`prov:wasDerivedFrom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The statement's `ak:sourceParagraph` numbers.
    #[schema(example = json!([2]))]
    pub paragraphs: Vec<i64>,
}

/// One hop of a path.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct Hop {
    /// The IRI the hop leaves.
    pub from: String,
    /// The IRI the hop reaches.
    pub to: String,
    /// The relations linking the two, stated ones first.
    pub relations: Vec<HopRelation>,
}

/// One path of a paths report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct PathReport {
    /// Number of hops.
    #[schema(example = 1)]
    pub length: usize,
    /// The nodes, both ends included.
    pub nodes: Vec<EntityRef>,
    /// The hops, in order.
    pub hops: Vec<Hop>,
}

/// Up to `k` shortest relationship paths between two entities: what `paths` returns, the
/// JSON document of `autokg paths --format json` and of `/api/paths`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct PathsReport {
    /// The projection's name.
    #[schema(example = "all")]
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
    paths_until(store, from, to, k, projection, &Deadline::none())
}

/// [`paths`] under a deadline, checked before each search of Yen's algorithm and while the
/// labels are read.
///
/// Errors: as [`paths`], and [`Error::Timeout`] with the deadline's limit once it expires.
pub fn paths_until(
    store: &KgStore,
    from: &str,
    to: &str,
    k: usize,
    projection: &Projection,
    deadline: &Deadline,
) -> Result<PathsReport> {
    let a = resolve(store, projection, from)?;
    let b = resolve(store, projection, to)?;
    let found = kpaths::k_shortest_paths_until(projection.graph(), a, b, k, deadline)?;
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
        .zip(entity_refs(store, projection, &all_nodes, deadline)?)
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
