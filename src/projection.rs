//! Projections: a SPARQL SELECT of `?source ?target` (optionally `?relation ?weight`) turned
//! into a compact graph with an IRI ↔ index map. The one boundary between RDF and the
//! algorithms.
//!
//! A projection declares whether it is directed with a comment line `# directed: true` or
//! `# directed: false` among the comment lines that open the query (directed when absent).
//! Each solution is an edge from `?source` to `?target`; `?relation` (an IRI) names the
//! relation, kept for path explanations; `?weight` (a number ≥ 0) weighs the edge for
//! PageRank. Rows repeating a pair merge into one edge with the largest weight; rows whose
//! `?source` or `?target` is unbound are skipped. A self-loop (`?source` = `?target`) is
//! kept, and each measure treats it as networkx does (see [`crate::algorithms`]).

use crate::algorithms::{Csr, Deadline, NodeId};
use crate::error::{Error, Result};
use crate::sparql::cancel::query_until;
use crate::store::KgStore;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
use oxigraph::sparql::QueryResults;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The projection used when none is named: firms and the supply links between them.
pub const DEFAULT: &str = "supply-chain";

/// The named projections, compiled into the binary from `queries/projections/`.
pub const NAMED: &[(&str, &str)] = &[
    (
        "supply-chain",
        include_str!("../queries/projections/supply-chain.rq"),
    ),
    (
        "ownership",
        include_str!("../queries/projections/ownership.rq"),
    ),
    (
        "geography",
        include_str!("../queries/projections/geography.rq"),
    ),
    ("all", include_str!("../queries/projections/all.rq")),
];

/// What to project: a name, the SELECT query and whether edges are directed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProjectionSpec {
    name: String,
    sparql: String,
    directed: bool,
}

impl ProjectionSpec {
    /// One of the [`NAMED`] projections; an unknown name is an [`Error::InvalidInput`]
    /// listing the known ones.
    pub fn named(name: &str) -> Result<Self> {
        match NAMED.iter().find(|(n, _)| *n == name) {
            Some((n, sparql)) => Self::custom(*n, *sparql),
            None => Err(Error::InvalidInput(format!(
                "unknown projection '{name}'; known: {} (or pass your own SELECT of ?source ?target)",
                NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// A projection from query text, named `name` in reports. The `# directed:` header is
    /// read here; the query itself is checked when the projection is built.
    pub fn custom(name: impl Into<String>, sparql: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let sparql = sparql.into();
        let directed = directed_header(&name, &sparql)?.unwrap_or(true);
        Ok(Self {
            name,
            sparql,
            directed,
        })
    }

    /// A projection read from a `.rq` file, named after the file's stem.
    pub fn from_file(path: &Path) -> Result<Self> {
        let sparql = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "custom".to_owned());
        Self::custom(name, sparql)
    }

    /// The name reports use.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SELECT query.
    pub fn sparql(&self) -> &str {
        &self.sparql
    }

    /// Whether edges have a direction.
    pub fn directed(&self) -> bool {
        self.directed
    }
}

/// Reads `# directed: true|false` from the comment lines that open the query.
fn directed_header(name: &str, sparql: &str) -> Result<Option<bool>> {
    for line in sparql.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        if let Some(value) = comment.trim().strip_prefix("directed:") {
            return match value.trim() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                other => Err(Error::InvalidInput(format!(
                    "projection '{name}': the header says '# directed: {other}'; write true or false"
                ))),
            };
        }
    }
    Ok(None)
}

/// A projected graph: the [`Csr`], its nodes (IRIs or blank nodes) in index order, and the
/// relations behind each edge.
#[derive(Debug, Clone)]
pub struct Projection {
    spec: ProjectionSpec,
    name: String,
    directed: bool,
    generation: u64,
    nodes: Vec<NamedOrBlankNode>,
    index: HashMap<NamedOrBlankNode, NodeId>,
    graph: Csr,
    relation_names: Vec<NamedNode>,
    /// Relations (indices into `relation_names`) per `(source, target)` as the rows gave them.
    relations: HashMap<(NodeId, NodeId), Vec<u32>>,
    weighted: bool,
}

impl Projection {
    /// Runs the projection's query on the store and builds the graph.
    ///
    /// Errors: [`Error::InvalidInput`] when the query is not a SELECT, does not return
    /// `?source` and `?target`, or binds them to literals, or binds `?relation` to a
    /// non-IRI or `?weight` to anything but a number ≥ 0; SPARQL syntax and evaluation
    /// errors as the store reports them.
    pub fn build(store: &KgStore, spec: &ProjectionSpec) -> Result<Self> {
        Self::build_until(store, spec, &Deadline::none())
    }

    /// [`Projection::build`] under a deadline: the query runs with liveness checks (see
    /// [`crate::sparql::cancel::query_until`]) and rows are read while it lasts.
    ///
    /// Errors: as [`Projection::build`], and [`Error::Timeout`] once the deadline expires.
    pub fn build_until(
        store: &KgStore,
        spec: &ProjectionSpec,
        deadline: &Deadline,
    ) -> Result<Self> {
        let started = std::time::Instant::now();
        let generation = store.generation();
        let builder = query_until(store, spec.sparql(), deadline, |results| {
            read_rows(spec.name(), results, deadline)
        })?;
        deadline.check()?;
        let mut projection = builder.finish(spec.name().to_owned(), spec.directed(), generation);
        projection.spec = spec.clone();
        let name = spec.name();
        tracing::info!(
            projection = name,
            nodes = projection.node_count(),
            edges = projection.graph().edge_count(),
            seconds = started.elapsed().as_secs_f64(),
            "projection built"
        );
        Ok(projection)
    }

    /// What the projection was built from.
    pub fn spec(&self) -> &ProjectionSpec {
        &self.spec
    }

    /// The projection's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether edges have a direction.
    pub fn is_directed(&self) -> bool {
        self.directed
    }

    /// The store generation the projection was built at.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether any row carried a `?weight`.
    pub fn is_weighted(&self) -> bool {
        self.weighted
    }

    /// The graph, for the algorithms.
    pub fn graph(&self) -> &Csr {
        &self.graph
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes in index order (sorted by IRI; blank nodes last).
    pub fn nodes(&self) -> &[NamedOrBlankNode] {
        &self.nodes
    }

    /// The node at an index.
    pub fn node(&self, id: NodeId) -> &NamedOrBlankNode {
        &self.nodes[id as usize]
    }

    /// The node's identifier as reports print it: the IRI, or `_:id` for a blank node.
    pub fn node_id_string(&self, id: NodeId) -> String {
        match self.node(id) {
            NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
            NamedOrBlankNode::BlankNode(b) => b.to_string(),
        }
    }

    /// The index of an IRI, if it is a node of the projection.
    pub fn index_of(&self, iri: &str) -> Option<NodeId> {
        NamedNode::new(iri)
            .ok()
            .and_then(|n| self.index.get(&NamedOrBlankNode::NamedNode(n)).copied())
    }

    /// The relations the rows gave between `a` and `b`, each with `true` when the row ran
    /// from `a` to `b` and `false` when it ran from `b` to `a`. Sorted, without duplicates.
    pub fn relations_between(&self, a: NodeId, b: NodeId) -> Vec<(NamedNode, bool)> {
        let mut out = Vec::new();
        for (key, forward) in [((a, b), true), ((b, a), false)] {
            for &r in self.relations.get(&key).into_iter().flatten() {
                out.push((self.relation_names[r as usize].clone(), forward));
            }
        }
        out.sort_by(|x, y| (x.0.as_str(), !x.1).cmp(&(y.0.as_str(), !y.1)));
        out.dedup();
        out
    }
}

/// Reads a projection query's rows into a [`Builder`], checking `deadline` every 1,024 rows.
fn read_rows(name: &str, results: QueryResults<'static>, deadline: &Deadline) -> Result<Builder> {
    let solutions = match results {
        QueryResults::Solutions(s) => s,
        QueryResults::Boolean(_) => return Err(not_a_select(name, "an ASK query")),
        QueryResults::Graph(_) => return Err(not_a_select(name, "a CONSTRUCT or DESCRIBE query")),
    };
    let variables: Vec<&str> = solutions.variables().iter().map(|v| v.as_str()).collect();
    if !variables.contains(&"source") || !variables.contains(&"target") {
        return Err(Error::InvalidInput(format!(
            "projection '{name}' must return the variables ?source and ?target (and optionally ?relation and ?weight); it returns {}",
            if variables.is_empty() {
                "no variables".to_owned()
            } else {
                variables.iter().map(|v| format!("?{v}")).collect::<Vec<_>>().join(", ")
            }
        )));
    }
    let mut builder = Builder::default();
    let mut every = deadline.every(1024);
    for (row, solution) in solutions.enumerate() {
        every.check()?;
        let solution = solution.map_err(|e| Error::Evaluation(e.to_string()))?;
        let (Some(source), Some(target)) = (solution.get("source"), solution.get("target")) else {
            continue;
        };
        let source = endpoint(name, "source", source, row)?;
        let target = endpoint(name, "target", target, row)?;
        let relation = match solution.get("relation") {
            None => None,
            Some(Term::NamedNode(r)) => Some(r.clone()),
            Some(other) => {
                return Err(Error::InvalidInput(format!(
                    "projection '{name}', row {}: ?relation must be an IRI, not {other}",
                    row + 1
                )))
            }
        };
        let weight = match solution.get("weight") {
            None => None,
            Some(Term::Literal(l)) => match l.value().trim().parse::<f64>() {
                Ok(w) if w.is_finite() && w >= 0.0 => Some(w),
                _ => return Err(bad_weight(name, row, &l.to_string())),
            },
            Some(other) => return Err(bad_weight(name, row, &other.to_string())),
        };
        builder.add(source, target, relation, weight);
    }
    Ok(builder)
}

fn not_a_select(name: &str, what: &str) -> Error {
    Error::InvalidInput(format!(
        "projection '{name}' is {what}; a projection must be a SELECT query returning ?source and ?target"
    ))
}

fn bad_weight(name: &str, row: usize, value: &str) -> Error {
    Error::InvalidInput(format!(
        "projection '{name}', row {}: ?weight must be a number ≥ 0, not {value}",
        row + 1
    ))
}

fn endpoint(name: &str, var: &str, term: &Term, row: usize) -> Result<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Ok(n.clone().into()),
        Term::BlankNode(b) => Ok(b.clone().into()),
        other => Err(Error::InvalidInput(format!(
            "projection '{name}', row {}: ?{var} is {other}; projections link resources (IRIs or blank nodes), not literals",
            row + 1
        ))),
    }
}

/// Collects rows with provisional indices, then numbers the nodes in IRI order.
#[derive(Default)]
struct Builder {
    index: HashMap<NamedOrBlankNode, NodeId>,
    nodes: Vec<NamedOrBlankNode>,
    edges: Vec<(NodeId, NodeId, f64)>,
    relation_index: HashMap<NamedNode, u32>,
    relation_names: Vec<NamedNode>,
    relations: Vec<(NodeId, NodeId, u32)>,
    weighted: bool,
}

impl Builder {
    fn node(&mut self, term: NamedOrBlankNode) -> NodeId {
        if let Some(&i) = self.index.get(&term) {
            return i;
        }
        let i = self.nodes.len() as NodeId;
        self.nodes.push(term.clone());
        self.index.insert(term, i);
        i
    }

    fn add(
        &mut self,
        source: NamedOrBlankNode,
        target: NamedOrBlankNode,
        relation: Option<NamedNode>,
        weight: Option<f64>,
    ) {
        let (s, t) = (self.node(source), self.node(target));
        self.weighted |= weight.is_some();
        self.edges.push((s, t, weight.unwrap_or(1.0)));
        if let Some(r) = relation {
            let next = self.relation_names.len() as u32;
            let r = *self.relation_index.entry(r.clone()).or_insert_with(|| {
                self.relation_names.push(r);
                next
            });
            self.relations.push((s, t, r));
        }
    }

    fn finish(self, name: String, directed: bool, generation: u64) -> Projection {
        let mut order: Vec<NodeId> = (0..self.nodes.len() as NodeId).collect();
        let key = |n: &NamedOrBlankNode| match n {
            NamedOrBlankNode::NamedNode(n) => (0, n.as_str().to_owned()),
            NamedOrBlankNode::BlankNode(b) => (1, b.as_str().to_owned()),
        };
        order.sort_by_cached_key(|&i| key(&self.nodes[i as usize]));
        let mut renumber = vec![0 as NodeId; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old as usize] = new as NodeId;
        }
        let r = |i: NodeId| renumber[i as usize];
        let mut nodes: Vec<Option<NamedOrBlankNode>> = self.nodes.into_iter().map(Some).collect();
        let sorted: Vec<NamedOrBlankNode> = order
            .iter()
            .filter_map(|&old| nodes[old as usize].take())
            .collect();
        let index = sorted
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as NodeId))
            .collect();
        let graph = Csr::new(
            sorted.len(),
            directed,
            self.edges.into_iter().map(|(s, t, w)| (r(s), r(t), w)),
        );
        let mut relations: HashMap<(NodeId, NodeId), Vec<u32>> = HashMap::new();
        for (s, t, rel) in self.relations {
            let list = relations.entry((r(s), r(t))).or_default();
            if !list.contains(&rel) {
                list.push(rel);
            }
        }
        Projection {
            spec: ProjectionSpec {
                name: name.clone(),
                sparql: String::new(),
                directed,
            },
            name,
            directed,
            generation,
            nodes: sorted,
            index,
            graph,
            relation_names: self.relation_names,
            relations,
            weighted: self.weighted,
        }
    }
}

/// Built projections, reused until the store changes. Keep one cache per store: entries are
/// keyed by the projection and checked against [`KgStore::generation`].
#[derive(Debug, Default)]
pub struct ProjectionCache {
    entries: Mutex<HashMap<ProjectionSpec, Arc<Projection>>>,
}

impl ProjectionCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The projection for `spec` at the store's current generation, built if needed.
    pub fn get(&self, store: &KgStore, spec: &ProjectionSpec) -> Result<Arc<Projection>> {
        self.get_until(store, spec, &Deadline::none())
    }

    /// [`ProjectionCache::get`] under a deadline (see [`Projection::build_until`]); a build
    /// that runs out of time is not kept.
    pub fn get_until(
        &self,
        store: &KgStore,
        spec: &ProjectionSpec,
        deadline: &Deadline,
    ) -> Result<Arc<Projection>> {
        let generation = store.generation();
        if let Some(p) = self.lock().get(spec) {
            if p.generation() == generation {
                return Ok(p.clone());
            }
        }
        let built = Arc::new(Projection::build_until(store, spec, deadline)?);
        let mut entries = self.lock();
        entries.retain(|_, p| p.generation() == generation);
        entries.insert(spec.clone(), built.clone());
        Ok(built)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ProjectionSpec, Arc<Projection>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_declares_direction() {
        assert_eq!(
            directed_header("x", "# a\n# directed: false\nSELECT").ok(),
            Some(Some(false))
        );
        assert_eq!(
            directed_header("x", "SELECT ?s\n# directed: false").ok(),
            Some(None)
        );
        let e = directed_header("x", "# directed: maybe\n").expect_err("bad value");
        assert!(e.to_string().contains("maybe"));
    }

    #[test]
    fn named_projections_declare_direction() {
        for (name, _) in NAMED {
            let spec = ProjectionSpec::named(name).expect("known");
            assert_eq!(
                spec.directed(),
                matches!(*name, "supply-chain" | "ownership"),
                "{name}"
            );
        }
        let e = ProjectionSpec::named("nope").expect_err("unknown");
        assert!(e.to_string().contains("'nope'") && e.to_string().contains("supply-chain"));
    }

    #[test]
    fn build_until_matches_build_and_keeps_nothing_past_its_deadline() {
        use std::time::Duration;
        let store = KgStore::open(None).expect("the embedded data loads");
        let spec = ProjectionSpec::named("all").expect("named");
        let plain = Projection::build(&store, &spec).expect("builds");
        let far = Deadline::after(Duration::from_secs(3600));
        let timed = Projection::build_until(&store, &spec, &far).expect("builds");
        assert_eq!(plain.nodes(), timed.nodes());
        assert_eq!(
            plain.graph().edges().collect::<Vec<_>>(),
            timed.graph().edges().collect::<Vec<_>>()
        );
        assert_eq!(timed.spec(), &spec);
        let expired = Deadline::after(Duration::ZERO);
        let e = Projection::build_until(&store, &spec, &expired).expect_err("expired");
        assert!(matches!(e, Error::Timeout(_)), "{e}");
        let cache = ProjectionCache::new();
        assert!(cache.get_until(&store, &spec, &expired).is_err());
        let built = cache.get_until(&store, &spec, &far).expect("builds");
        assert!(Arc::ptr_eq(
            &built,
            &cache.get(&store, &spec).expect("cached")
        ));
    }

    #[test]
    fn builder_sorts_nodes_and_merges_rows() {
        let n = |s: &str| NamedOrBlankNode::from(NamedNode::new_unchecked(format!("http://e/{s}")));
        let rel = NamedNode::new_unchecked("http://e/r");
        let mut b = Builder::default();
        b.add(n("c"), n("a"), Some(rel.clone()), None);
        b.add(n("c"), n("a"), Some(rel.clone()), None);
        b.add(n("a"), n("b"), None, Some(2.0));
        b.add(n("b"), n("b"), None, None);
        b.add(n("d"), n("d"), None, None);
        let p = b.finish("t".into(), true, 7);
        // The self-loops stay, and so does d, whose only edge is one.
        assert_eq!(p.node_count(), 4);
        assert_eq!(p.node_id_string(0), "http://e/a");
        assert_eq!(p.index_of("http://e/c"), Some(2));
        assert_eq!(p.graph().edge_count(), 4);
        assert_eq!(p.graph().self_loops(), vec![1, 3]);
        assert_eq!(p.graph().successor_weights(0), &[2.0]);
        assert_eq!(p.relations_between(0, 2), vec![(rel, false)]);
        assert!(p.is_weighted());
    }
}
