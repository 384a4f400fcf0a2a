//! A SHACL-Core subset validator that compiles shapes to SPARQL and runs them on the store.
//!
//! No maintained Rust SHACL crate builds lean enough for this project, so this module covers
//! the constraints `ontology/shapes.ttl` uses: targets `sh:targetClass`, `sh:targetSubjectsOf`
//! and `sh:targetNode`; property shapes with an IRI `sh:path` and `sh:minCount`,
//! `sh:maxCount`, `sh:datatype`, `sh:class`, `sh:in`, `sh:nodeKind sh:IRI`,
//! `sh:minInclusive`, `sh:maxInclusive`; and SPARQL-based constraints (`sh:sparql` with
//! `sh:select`, prefixes written in the query). An unsupported constraint is reported as an
//! error rather than silently skipped.

use crate::error::{Error, Result};
use crate::rdf::io::parse_text;
use crate::store::KgStore;
use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Graph, GraphName, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef, Triple};
use oxigraph::sparql::QueryResults;
use std::fmt;

/// `sh!("name")` is the SHACL term `sh:name`.
macro_rules! sh {
    ($local:literal) => {
        NamedNodeRef::new_unchecked(concat!("http://www.w3.org/ns/shacl#", $local))
    };
}

/// One constraint violation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Violation {
    /// The shape (its `sh:name` or IRI) whose constraint failed.
    pub shape: String,
    /// The constraint component (`minCount`, `sparql`, ...).
    pub constraint: String,
    /// The focus node, in N-Triples form.
    pub focus: String,
    /// The property path, when the constraint is on a property.
    pub path: Option<String>,
    /// The offending value, when there is one.
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

/// Parsed shapes, ready to run.
pub struct Shapes {
    graph: Graph,
}

impl Shapes {
    /// Parses the shapes graph from Turtle.
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

    /// The shapes compiled into the binary.
    pub fn embedded() -> Result<Self> {
        Self::parse(crate::vocab::SHAPES.path, crate::vocab::SHAPES.text)
    }

    fn objects<'a>(
        &'a self,
        s: impl Into<NamedOrBlankNodeRef<'a>>,
        p: NamedNodeRef<'a>,
    ) -> Vec<TermRef<'a>> {
        self.graph.objects_for_subject_predicate(s, p).collect()
    }

    fn object<'a>(
        &'a self,
        s: impl Into<NamedOrBlankNodeRef<'a>>,
        p: NamedNodeRef<'a>,
    ) -> Option<TermRef<'a>> {
        self.graph.object_for_subject_predicate(s, p)
    }

    fn list(&self, head: TermRef<'_>) -> Vec<Term> {
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

    /// Runs every node shape over the store and returns the violations.
    pub fn validate(&self, store: &KgStore) -> Result<Vec<Violation>> {
        let mut violations = Vec::new();
        let node_shapes: Vec<_> = self
            .graph
            .subjects_for_predicate_object(rdf::TYPE, sh!("NodeShape"))
            .collect();
        for shape in node_shapes {
            let focus = self.focus_pattern(shape)?;
            let shape_name = self.name(shape);
            for sparql in self.objects(shape, sh!("sparql")) {
                self.run_sparql(store, &focus, &shape_name, None, sparql, &mut violations)?;
            }
            for prop in self.objects(shape, sh!("property")) {
                let Some(prop) = as_subject(prop) else {
                    continue;
                };
                self.check_property(store, &focus, &shape_name, prop, &mut violations)?;
            }
        }
        Ok(violations)
    }

    fn focus_pattern(&self, shape: NamedOrBlankNodeRef<'_>) -> Result<String> {
        let mut parts = Vec::new();
        for c in self.objects(shape, sh!("targetClass")) {
            parts.push(format!("?this a {c} ."));
        }
        for p in self.objects(shape, sh!("targetSubjectsOf")) {
            parts.push(format!("?this {p} [] ."));
        }
        for n in self.objects(shape, sh!("targetNode")) {
            parts.push(format!("VALUES ?this {{ {n} }}"));
        }
        if parts.is_empty() {
            return Err(Error::InvalidInput(format!(
                "shape {} has no target this validator supports (targetClass, targetSubjectsOf, targetNode)",
                self.name(shape)
            )));
        }
        Ok(format!(
            "{{ SELECT DISTINCT ?this WHERE {{ {{ {} }} }} }}",
            parts.join(" } UNION { ")
        ))
    }

    fn check_property(
        &self,
        store: &KgStore,
        focus: &str,
        node_shape: &str,
        prop: NamedOrBlankNodeRef<'_>,
        out: &mut Vec<Violation>,
    ) -> Result<()> {
        let shape_name = self
            .object(prop, sh!("name"))
            .and_then(literal_value)
            .map_or_else(|| node_shape.to_owned(), |n| format!("{node_shape} / {n}"));
        let message = self.object(prop, sh!("message")).and_then(literal_value);
        for sparql in self.objects(prop, sh!("sparql")) {
            self.run_sparql(store, focus, &shape_name, None, sparql, out)?;
        }
        let Some(TermRef::NamedNode(path)) = self.object(prop, sh!("path")) else {
            if self.object(prop, sh!("path")).is_some() {
                return Err(Error::InvalidInput(format!(
                    "shape {shape_name}: only IRI paths are supported"
                )));
            }
            return Ok(());
        };
        let mut checks: Vec<(&str, String, String)> = Vec::new();
        if let Some(n) = self.object(prop, sh!("minCount")).and_then(literal_value) {
            checks.push((
                "minCount",
                format!(
                    "SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
                ),
                format!("needs at least {n} value(s) of {path}"),
            ));
        }
        if let Some(n) = self.object(prop, sh!("maxCount")).and_then(literal_value) {
            checks.push((
                "maxCount",
                format!(
                    "SELECT ?this WHERE {{ {focus} ?this {path} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
                ),
                format!("has more than {n} value(s) of {path}"),
            ));
        }
        let value_check = |filter: String| {
            format!("SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value FILTER({filter}) }}")
        };
        if let Some(dt) = self.object(prop, sh!("datatype")) {
            checks.push((
                "datatype",
                value_check(format!("!isLiteral(?value) || datatype(?value) != {dt}")),
                format!("value is not a {dt}"),
            ));
        }
        if let Some(class) = self.object(prop, sh!("class")) {
            checks.push((
                "class",
                format!(
                    "SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value FILTER NOT EXISTS {{ ?value a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {class} }} }}"
                ),
                format!("value is not an instance of {class}"),
            ));
        }
        if let Some(list) = self.object(prop, sh!("in")) {
            let allowed: Vec<String> = self.list(list).iter().map(Term::to_string).collect();
            checks.push((
                "in",
                value_check(format!("?value NOT IN ({})", allowed.join(", "))),
                format!("value is not one of {}", allowed.join(", ")),
            ));
        }
        if let Some(kind) = self.object(prop, sh!("nodeKind")) {
            if kind != sh!("IRI").into() {
                return Err(Error::InvalidInput(format!(
                    "shape {shape_name}: only sh:nodeKind sh:IRI is supported"
                )));
            }
            checks.push((
                "nodeKind",
                value_check("!isIRI(?value)".into()),
                "value is not an IRI".into(),
            ));
        }
        if let Some(min) = self.object(prop, sh!("minInclusive")) {
            checks.push((
                "minInclusive",
                value_check(format!("!(?value >= {min})")),
                format!("value is below {min}"),
            ));
        }
        if let Some(max) = self.object(prop, sh!("maxInclusive")) {
            checks.push((
                "maxInclusive",
                value_check(format!("!(?value <= {max})")),
                format!("value is above {max}"),
            ));
        }
        for (constraint, query, default_message) in checks {
            for (focus_node, value) in select_pairs(store, &query)? {
                out.push(Violation {
                    shape: shape_name.clone(),
                    constraint: constraint.to_owned(),
                    focus: focus_node,
                    path: Some(path.to_string()),
                    value,
                    message: message.clone().unwrap_or_else(|| default_message.clone()),
                });
            }
        }
        Ok(())
    }

    fn run_sparql(
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
                focus: focus_node,
                path: path.clone(),
                value,
                message: message.clone(),
            });
        }
        Ok(())
    }
}

fn select_pairs(store: &KgStore, query: &str) -> Result<Vec<(String, Option<String>)>> {
    let QueryResults::Solutions(solutions) = store.query(query)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for s in solutions {
        let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
        let Some(this) = s.get("this") else { continue };
        out.push((this.to_string(), s.get("value").map(Term::to_string)));
    }
    Ok(out)
}

fn find_keyword(text: &str, keyword: &str) -> Option<usize> {
    let upper = text.to_ascii_uppercase();
    upper.find(keyword)
}

fn as_subject(t: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match t {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

fn literal_value(t: TermRef<'_>) -> Option<String> {
    match t {
        TermRef::Literal(l) => Some(l.value().to_owned()),
        _ => None,
    }
}
