//! A SHACL-Core subset validator that compiles shapes to SPARQL and runs them on the store.
//!
//! Why hand-written: the maintained Rust validator (rudof's `shacl_validation` 0.2.12) brings
//! its own RDF stack (`rudof_rdf` with a second Oxigraph, `rudof_viz`, `mie`, `tabled`,
//! `toml`, `schemars`, two generations of the `rudof_*`/`prefixmap` crates) and validates its
//! own graph type rather than this store, so the data would be copied for every run; this
//! module compiles each constraint to one SPARQL query over the store instead, and a test
//! (`tests/shacl.rs`) checks it result by result against pySHACL, the reference.
//!
//! Covered: node shapes (typed `sh:NodeShape` or carrying a target) with `sh:targetClass`,
//! `sh:targetSubjectsOf`, `sh:targetObjectsOf`, `sh:targetNode`, `sh:property` and
//! SPARQL-based constraints (`sh:sparql` with `sh:select`, prefixes written in the query);
//! property shapes with an IRI `sh:path` and the components of [`property`]. Anything else
//! (complex paths, `sh:node`, `sh:or`, `sh:closed`, ...) is reported as an error naming the
//! shape, never skipped silently. `sh:deactivated true` shapes are skipped, as SHACL says.

mod lexical;
mod property;

pub use lexical::is_valid as is_valid_lexical_form;

use crate::error::{Error, Result};
use crate::rdf::io::parse_text;
use crate::store::KgStore;
use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Graph, GraphName, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef, Triple};
use oxigraph::sparql::QueryResults;
use std::collections::BTreeSet;
use std::fmt;

/// The SHACL namespace.
pub const SH: &str = "http://www.w3.org/ns/shacl#";

/// `sh!("name")` is the SHACL term `sh:name`.
macro_rules! sh {
    ($local:literal) => {
        oxigraph::model::NamedNodeRef::new_unchecked(concat!("http://www.w3.org/ns/shacl#", $local))
    };
}
pub(crate) use sh;

/// One validation result (SHACL §3.6), with the shape's name and message for people.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Violation {
    /// The shape (its `sh:name` or IRI) whose constraint failed.
    pub shape: String,
    /// The constraint's short name (`minCount`, `datatype`, `sparql`, ...).
    pub constraint: String,
    /// The constraint component IRI (`sh:sourceConstraintComponent`), for example
    /// `http://www.w3.org/ns/shacl#MinCountConstraintComponent`.
    pub component: String,
    /// The focus node, in N-Triples form.
    pub focus: String,
    /// The property path (`sh:resultPath`) in N-Triples form, when the constraint is on a
    /// property shape.
    pub path: Option<String>,
    /// The offending value (`sh:value`), when there is one.
    pub value: Option<String>,
    /// The shape's message, or a generated one.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}", self.shape, self.constraint, self.focus)?;
        if let Some(p) = &self.path {
            write!(f, " {p}")?;
        }
        if let Some(v) = &self.value {
            write!(f, " = {v}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The component IRI of a constraint's short name (`minCount` → `sh:MinCountConstraintComponent`,
/// `sparql` → `sh:SPARQLConstraintComponent`).
#[must_use]
pub fn component_iri(constraint: &str) -> String {
    if constraint == "sparql" {
        return format!("{SH}SPARQLConstraintComponent");
    }
    let mut chars = constraint.chars();
    let first = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or_default();
    format!("{SH}{first}{}ConstraintComponent", chars.as_str())
}

/// The SHACL term with local name `local`, for names known only at run time.
pub(crate) fn sh_term(local: &str) -> oxigraph::model::NamedNode {
    oxigraph::model::NamedNode::new_unchecked(format!("{SH}{local}"))
}

/// Parsed shapes, ready to run.
pub struct Shapes {
    graph: Graph,
}

/// The predicates any shape may carry that are not constraints (SHACL §2.1: names,
/// descriptions, messages, severity, deactivation, and the `sh:order`/`sh:group` of forms).
pub(crate) const SHAPE_ANNOTATIONS: &[&str] = &[
    "name",
    "description",
    "message",
    "severity",
    "deactivated",
    "order",
    "group",
];

/// The predicates a node shape may carry besides [`SHAPE_ANNOTATIONS`]: its targets,
/// `sh:property`, `sh:sparql` and the prefix declarations SPARQL constraints use.
const NODE_SHAPE_NON_VALIDATING: &[&str] = &[
    "targetClass",
    "targetSubjectsOf",
    "targetObjectsOf",
    "targetNode",
    "property",
    "sparql",
    "prefixes",
    "declare",
];

impl Shapes {
    /// Parses the shapes graph from Turtle; `label` names the file in parse errors.
    pub fn parse(label: &str, turtle: &str) -> Result<Self> {
        let mut graph = Graph::new();
        for q in parse_text(
            label,
            turtle.as_bytes(),
            RdfFormat::Turtle,
            GraphName::DefaultGraph,
        ) {
            graph.insert(Triple::from(q?).as_ref());
        }
        Ok(Self { graph })
    }

    /// Reads and parses a shapes file (Turtle), for `autokg validate --shapes FILE`.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// The shapes compiled into the binary (`ontology/shapes.ttl`).
    pub fn embedded() -> Result<Self> {
        Self::parse(crate::vocab::SHAPES.path, crate::vocab::SHAPES.text)
    }

    pub(crate) fn objects<'a>(
        &'a self,
        s: impl Into<NamedOrBlankNodeRef<'a>>,
        p: NamedNodeRef<'a>,
    ) -> Vec<TermRef<'a>> {
        self.graph.objects_for_subject_predicate(s, p).collect()
    }

    pub(crate) fn object<'a, 'b>(
        &'a self,
        s: impl Into<NamedOrBlankNodeRef<'b>>,
        p: NamedNodeRef<'b>,
    ) -> Option<TermRef<'a>> {
        self.graph.object_for_subject_predicate(s, p)
    }

    /// The SHACL predicates (local names) used on `node`.
    pub(crate) fn sh_predicates(&self, node: NamedOrBlankNodeRef<'_>) -> BTreeSet<String> {
        self.graph
            .triples_for_subject(node)
            .filter_map(|t| t.predicate.as_str().strip_prefix(SH).map(str::to_owned))
            .collect()
    }

    pub(crate) fn list(&self, head: TermRef<'_>) -> Vec<Term> {
        let mut out = Vec::new();
        let mut node = head;
        while let Some(n) = as_subject(node) {
            let Some(first) = self.object(n, rdf::FIRST) else {
                break;
            };
            out.push(first.into_owned());
            match self.object(n, rdf::REST) {
                Some(rest) => node = rest,
                None => break,
            }
        }
        out
    }

    fn name(&self, shape: NamedOrBlankNodeRef<'_>) -> String {
        self.object(shape, sh!("name"))
            .and_then(literal_value)
            .unwrap_or_else(|| shape.to_string())
    }

    pub(crate) fn deactivated(&self, shape: NamedOrBlankNodeRef<'_>) -> bool {
        self.object(shape, sh!("deactivated"))
            .and_then(literal_value)
            .is_some_and(|v| v == "true" || v == "1")
    }

    /// The node shapes: typed `sh:NodeShape`, or carrying a target.
    fn node_shapes(&self) -> Vec<NamedOrBlankNodeRef<'_>> {
        let mut shapes: Vec<_> = self
            .graph
            .subjects_for_predicate_object(rdf::TYPE, sh!("NodeShape"))
            .collect();
        for target in [
            sh!("targetClass"),
            sh!("targetSubjectsOf"),
            sh!("targetObjectsOf"),
            sh!("targetNode"),
        ] {
            for t in self.graph.triples_for_predicate(target) {
                if !shapes.contains(&t.subject) {
                    shapes.push(t.subject);
                }
            }
        }
        shapes
    }

    /// Runs every node shape over the store and returns the violations.
    pub fn validate(&self, store: &KgStore) -> Result<Vec<Violation>> {
        let mut violations = Vec::new();
        for shape in self.node_shapes() {
            if self.deactivated(shape) {
                continue;
            }
            let shape_name = self.name(shape);
            if let Some(unsupported) = self.sh_predicates(shape).into_iter().find(|p| {
                !SHAPE_ANNOTATIONS.contains(&p.as_str())
                    && !NODE_SHAPE_NON_VALIDATING.contains(&p.as_str())
            }) {
                return Err(Error::InvalidInput(format!(
                    "shape {shape_name}: sh:{unsupported} on a node shape is not supported by this validator"
                )));
            }
            let focus = self.focus_pattern(shape)?;
            for sparql in self.objects(shape, sh!("sparql")) {
                self.run_sparql(store, &focus, &shape_name, None, sparql, &mut violations)?;
            }
            for prop in self.objects(shape, sh!("property")) {
                let Some(prop) = as_subject(prop) else {
                    continue;
                };
                if self.deactivated(prop) {
                    continue;
                }
                self.check_property(store, &focus, &shape_name, prop, &mut violations)?;
            }
        }
        Ok(violations)
    }

    fn focus_pattern(&self, shape: NamedOrBlankNodeRef<'_>) -> Result<String> {
        let mut parts = Vec::new();
        for c in self.objects(shape, sh!("targetClass")) {
            parts.push(format!(
                "?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {c} ."
            ));
        }
        for p in self.objects(shape, sh!("targetSubjectsOf")) {
            parts.push(format!("?this {p} [] ."));
        }
        for p in self.objects(shape, sh!("targetObjectsOf")) {
            parts.push(format!("[] {p} ?this ."));
        }
        for n in self.objects(shape, sh!("targetNode")) {
            parts.push(format!("VALUES ?this {{ {n} }}"));
        }
        if parts.is_empty() {
            return Err(Error::InvalidInput(format!(
                "shape {} has no target this validator supports (targetClass, targetSubjectsOf, targetObjectsOf, targetNode)",
                self.name(shape)
            )));
        }
        Ok(format!(
            "{{ SELECT DISTINCT ?this WHERE {{ {{ {} }} }} }}",
            parts.join(" } UNION { ")
        ))
    }

    pub(crate) fn run_sparql(
        &self,
        store: &KgStore,
        focus: &str,
        shape_name: &str,
        path: Option<String>,
        constraint: TermRef<'_>,
        out: &mut Vec<Violation>,
    ) -> Result<()> {
        let Some(node) = as_subject(constraint) else {
            return Ok(());
        };
        if self.deactivated(node) {
            return Ok(());
        }
        let Some(select) = self.object(node, sh!("select")).and_then(literal_value) else {
            return Err(Error::InvalidInput(format!(
                "shape {shape_name}: sh:sparql without sh:select"
            )));
        };
        let message = self
            .object(node, sh!("message"))
            .and_then(literal_value)
            .unwrap_or_else(|| "SPARQL constraint failed".into());
        let split = find_keyword(&select, "SELECT").ok_or_else(|| {
            Error::InvalidInput(format!("shape {shape_name}: sh:select has no SELECT"))
        })?;
        let (prologue, body) = select.split_at(split);
        let query =
            format!("{prologue}\nSELECT DISTINCT ?this ?value WHERE {{ {focus} {{ {body} }} }}");
        let pairs = select_pairs(store, &query).map_err(|e| {
            Error::InvalidInput(format!(
                "shape {shape_name}: its SPARQL constraint fails: {e}"
            ))
        })?;
        for (focus_node, value) in pairs {
            out.push(Violation {
                shape: shape_name.to_owned(),
                constraint: "sparql".into(),
                component: component_iri("sparql"),
                focus: focus_node,
                path: path.clone(),
                value: value.map(|v| v.to_string()),
                message: message.clone(),
            });
        }
        Ok(())
    }
}

/// Runs a SELECT binding `?this` (and optionally `?value`) and returns the pairs.
pub(crate) fn select_pairs(store: &KgStore, query: &str) -> Result<Vec<(String, Option<Term>)>> {
    let QueryResults::Solutions(solutions) = store.query(query)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for s in solutions {
        let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
        let Some(this) = s.get("this") else { continue };
        out.push((this.to_string(), s.get("value").cloned()));
    }
    Ok(out)
}

fn find_keyword(text: &str, keyword: &str) -> Option<usize> {
    let upper = text.to_ascii_uppercase();
    upper.find(keyword)
}

pub(crate) fn as_subject(t: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match t {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

pub(crate) fn literal_value(t: TermRef<'_>) -> Option<String> {
    match t {
        TermRef::Literal(l) => Some(l.value().to_owned()),
        _ => None,
    }
}
