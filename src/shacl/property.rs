//! Property shapes: each constraint component compiled to one SPARQL query over the focus
//! nodes, or (for `sh:datatype`) a query plus a lexical check in Rust.
//!
//! Components (SHACL §4): `sh:minCount`, `sh:maxCount`, `sh:datatype` (datatype and a valid
//! lexical form), `sh:class`, `sh:nodeKind` (all six kinds), `sh:in`, `sh:hasValue`,
//! `sh:minInclusive`, `sh:maxInclusive`, `sh:minExclusive`, `sh:maxExclusive` (a value that
//! cannot be compared, such as an ill-typed literal, is a violation), `sh:minLength`,
//! `sh:maxLength`, `sh:pattern` with `sh:flags`, `sh:languageIn`, `sh:uniqueLang`, and
//! SPARQL-based constraints. Only IRI paths.

use super::{component_iri, lexical, literal_value, select_pairs, sh, sh_term, Shapes, Violation};
use crate::error::{Error, Result};
use crate::store::KgStore;
use oxigraph::model::{NamedOrBlankNodeRef, Term, TermRef};

/// The predicates of a property shape, besides [`super::SHAPE_ANNOTATIONS`], that are not
/// constraints or are read with another (`sh:flags` with `sh:pattern`).
const NON_VALIDATING: &[&str] = &["path", "defaultValue", "flags"];

/// The constraint components this module compiles (their short names).
const SUPPORTED: &[&str] = &[
    "minCount",
    "maxCount",
    "datatype",
    "class",
    "nodeKind",
    "in",
    "hasValue",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "minLength",
    "maxLength",
    "pattern",
    "languageIn",
    "uniqueLang",
    "sparql",
];

/// One compiled check: component name, query binding `?this` (and `?value`), default message.
struct Check {
    constraint: &'static str,
    query: String,
    message: String,
}

impl Shapes {
    pub(super) fn check_property(
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
        if let Some(unsupported) = self.sh_predicates(prop).into_iter().find(|p| {
            let p = p.as_str();
            !super::SHAPE_ANNOTATIONS.contains(&p)
                && !NON_VALIDATING.contains(&p)
                && !SUPPORTED.contains(&p)
        }) {
            return Err(Error::InvalidInput(format!(
                "shape {shape_name}: sh:{unsupported} is not supported by this validator"
            )));
        }
        let path = match self.object(prop, sh!("path")) {
            Some(TermRef::NamedNode(path)) => path,
            Some(_) => {
                return Err(Error::InvalidInput(format!(
                    "shape {shape_name}: only IRI paths are supported"
                )))
            }
            None => {
                return Err(Error::InvalidInput(format!(
                    "shape {shape_name}: a property shape needs sh:path"
                )))
            }
        };
        let path_text = path.to_string();
        for sparql in self.objects(prop, sh!("sparql")) {
            self.run_sparql(
                store,
                focus,
                &shape_name,
                Some(path_text.clone()),
                sparql,
                out,
            )?;
        }
        let message = self.object(prop, sh!("message")).and_then(literal_value);
        let mut push =
            |constraint: &str, focus_node: String, value: Option<Term>, default: &str| {
                out.push(Violation {
                    shape: shape_name.clone(),
                    constraint: constraint.to_owned(),
                    component: component_iri(constraint),
                    focus: focus_node,
                    path: Some(path_text.clone()),
                    value: value.map(|v| v.to_string()),
                    message: message.clone().unwrap_or_else(|| default.to_owned()),
                });
            };
        if let Some(dt) = self.object(prop, sh!("datatype")) {
            let query =
                format!("SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value }}");
            let dt_iri = match dt {
                TermRef::NamedNode(n) => n.as_str().to_owned(),
                _ => {
                    return Err(Error::InvalidInput(format!(
                        "shape {shape_name}: sh:datatype must be an IRI"
                    )))
                }
            };
            if let Some(stored) = lexical::stored_as(&dt_iri) {
                return Err(Error::InvalidInput(format!(
                    "shape {shape_name}: sh:datatype {dt} cannot be checked: the store keeps such values as {stored}; use sh:datatype {stored} with a range (sh:minInclusive, ...)"
                )));
            }
            for (focus_node, value) in select_pairs(store, &query)? {
                if !has_datatype(value.as_ref(), &dt_iri) {
                    let default = format!(
                        "value is not a literal of datatype {dt} with a valid lexical form"
                    );
                    push("datatype", focus_node, value, &default);
                }
            }
        }
        for check in self.compile(prop, focus, path_text.as_str(), &shape_name)? {
            for (focus_node, value) in select_pairs(store, &check.query)? {
                push(check.constraint, focus_node, value, &check.message);
            }
        }
        Ok(())
    }

    /// Compiles the SPARQL-expressible components of one property shape.
    fn compile(
        &self,
        prop: NamedOrBlankNodeRef<'_>,
        focus: &str,
        path: &str,
        shape_name: &str,
    ) -> Result<Vec<Check>> {
        let mut checks = Vec::new();
        let values = |filter: String| {
            format!("SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value FILTER({filter}) }}")
        };
        let number = |name: &str| -> Result<Option<String>> {
            self.object(prop, sh_term(name).as_ref())
                .map(|t| {
                    literal_value(t)
                        .filter(|v| v.parse::<u64>().is_ok())
                        .ok_or_else(|| {
                            Error::InvalidInput(format!(
                                "shape {shape_name}: sh:{name} must be a non-negative integer"
                            ))
                        })
                })
                .transpose()
        };
        if let Some(n) = number("minCount")? {
            checks.push(Check {
                constraint: "minCount",
                query: format!(
                    "SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
                ),
                message: format!("needs at least {n} value(s) of {path}"),
            });
        }
        if let Some(n) = number("maxCount")? {
            checks.push(Check {
                constraint: "maxCount",
                query: format!(
                    "SELECT ?this WHERE {{ {focus} ?this {path} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
                ),
                message: format!("has more than {n} value(s) of {path}"),
            });
        }
        if let Some(class) = self.object(prop, sh!("class")) {
            checks.push(Check {
                constraint: "class",
                query: format!(
                    "SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value FILTER NOT EXISTS {{ ?value a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {class} }} }}"
                ),
                message: format!("value is not an instance of {class}"),
            });
        }
        if let Some(list) = self.object(prop, sh!("in")) {
            let allowed: Vec<String> = self.list(list).iter().map(Term::to_string).collect();
            let same: Vec<String> = allowed
                .iter()
                .map(|a| format!("sameTerm(?value, {a})"))
                .collect();
            let filter = if same.is_empty() {
                "true".to_owned()
            } else {
                format!("!({})", same.join(" || "))
            };
            checks.push(Check {
                constraint: "in",
                query: values(filter),
                message: format!("value is not one of {}", allowed.join(", ")),
            });
        }
        if let Some(value) = self.object(prop, sh!("hasValue")) {
            checks.push(Check {
                constraint: "hasValue",
                query: format!(
                    "SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?v FILTER(sameTerm(?v, {value})) }} }}"
                ),
                message: format!("has no value {value}"),
            });
        }
        if let Some(kind) = self.object(prop, sh!("nodeKind")) {
            let test = node_kind_test(kind).ok_or_else(|| {
                Error::InvalidInput(format!("shape {shape_name}: unknown sh:nodeKind {kind}"))
            })?;
            checks.push(Check {
                constraint: "nodeKind",
                query: values(format!("!({test})")),
                message: format!("value is not of node kind {kind}"),
            });
        }
        for (name, op) in [
            ("minInclusive", ">="),
            ("maxInclusive", "<="),
            ("minExclusive", ">"),
            ("maxExclusive", "<"),
        ] {
            if let Some(bound) = self.object(prop, sh_term(name).as_ref()) {
                checks.push(Check {
                    constraint: name,
                    // A value that cannot be compared (an IRI, an ill-typed literal) fails.
                    query: values(format!("!COALESCE(?value {op} {bound}, false)")),
                    message: format!("value is not {op} {bound}"),
                });
            }
        }
        for (name, op) in [("minLength", "<"), ("maxLength", ">")] {
            if let Some(n) = number(name)? {
                checks.push(Check {
                    constraint: name,
                    query: values(format!("isBlank(?value) || STRLEN(STR(?value)) {op} {n}")),
                    message: format!("value's length is {op} {n}"),
                });
            }
        }
        if let Some(pattern) = self.object(prop, sh!("pattern")) {
            let flags = self
                .object(prop, sh!("flags"))
                .map_or_else(|| "\"\"".to_owned(), |f| f.to_string());
            let pattern = literal_value(pattern).map_or_else(
                || pattern.to_string(),
                |p| oxigraph::model::Literal::new_simple_literal(p).to_string(),
            );
            checks.push(Check {
                constraint: "pattern",
                query: values(format!(
                    "isBlank(?value) || !COALESCE(REGEX(STR(?value), {pattern}, {flags}), false)"
                )),
                message: format!("value does not match {pattern}"),
            });
        }
        if let Some(list) = self.object(prop, sh!("languageIn")) {
            let tags: Vec<String> = self
                .list(list)
                .iter()
                .filter_map(|t| literal_value(t.as_ref()))
                .map(|t| {
                    format!(
                        "LANGMATCHES(LANG(?value), {})",
                        oxigraph::model::Literal::new_simple_literal(t)
                    )
                })
                .collect();
            let test = if tags.is_empty() {
                "false".to_owned()
            } else {
                tags.join(" || ")
            };
            checks.push(Check {
                constraint: "languageIn",
                query: values(format!("!isLiteral(?value) || !COALESCE({test}, false)")),
                message: "value's language is not allowed".into(),
            });
        }
        if self
            .object(prop, sh!("uniqueLang"))
            .and_then(literal_value)
            .is_some_and(|v| v == "true" || v == "1")
        {
            checks.push(Check {
                constraint: "uniqueLang",
                query: format!(
                    "SELECT ?this WHERE {{ {focus} ?this {path} ?v FILTER(LANG(?v) != \"\") }} GROUP BY ?this (LANG(?v) AS ?lang) HAVING (COUNT(DISTINCT ?v) > 1)"
                ),
                message: "more than one value shares a language tag".into(),
            });
        }
        Ok(checks)
    }
}

/// Whether `value` is a literal of datatype `datatype` with a valid lexical form (SHACL
/// §4.1.2); `rdf:langString` needs a language tag.
fn has_datatype(value: Option<&Term>, datatype: &str) -> bool {
    let Some(Term::Literal(l)) = value else {
        return false;
    };
    l.datatype().as_str() == datatype && lexical::is_valid(datatype, l.value())
}

/// The SPARQL test that a value has the node kind `kind`.
fn node_kind_test(kind: TermRef<'_>) -> Option<&'static str> {
    let TermRef::NamedNode(kind) = kind else {
        return None;
    };
    Some(match kind.as_str().strip_prefix(super::SH)? {
        "IRI" => "isIRI(?value)",
        "BlankNode" => "isBlank(?value)",
        "Literal" => "isLiteral(?value)",
        "BlankNodeOrIRI" => "!isLiteral(?value)",
        "BlankNodeOrLiteral" => "!isIRI(?value)",
        "IRIOrLiteral" => "!isBlank(?value)",
        _ => return None,
    })
}
