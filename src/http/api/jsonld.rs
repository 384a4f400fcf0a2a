//! JSON-LD contexts of the API's documents: the keys of the JSON answers mapped to the
//! ontology (`ak:`), RDFS, SKOS and PROV-O, so `Accept: application/ld+json` gives the same
//! document read as RDF.
//!
//! Lookups: `id` is `@id` resolved against `akid:` (so `seres` is `akid:seres`); `label`,
//! `altLabel` and `comment` are language maps; a relation is its `ak:Relationship`
//! statement node (`outgoing` and `incoming` reverse `ak:subject` and `ak:object`);
//! `properties` is nested into the entity itself; `items` are `rdfs:member`s of the page.
//! Keys about the answer rather than the data (`total`, `nextCursor`, `match`, ...) are
//! left unmapped, so JSON-LD processors drop them.
//!
//! Every mapped key is typed so that expanding the document (JSON-LD 1.1 Processing
//! Algorithms, Deserialize JSON-LD to RDF) gives exactly the store's literals, checked with
//! rdflib and PyLD by `tests/api_jsonld.rs`: dates (`since`, `until`, `periodStart`,
//! `periodEnd`) are `xsd:date`, `role`, `product` and `note` are English-tagged (the
//! ontology's ranges), and decimals are `xsd:decimal`. The JSON-LD document is therefore
//! not quite the JSON plus a context, in three places:
//!
//! - `value` and `yoyGrowth` are strings holding the decimal (`"0.097"`): a JSON-LD
//!   processor turns any JSON number with a fraction into an `xsd:double` (and a typed
//!   number into the double's lexical form, `9.7E-2`), so only a string keeps the exact
//!   `xsd:decimal`; the JSON keeps numbers for clients doing arithmetic;
//! - `properties` values are value objects (`{"@value": "1984", "@type": "xsd:gYear"}`,
//!   `{"@id": "https://…"}`) carrying each term's exact lexical form, datatype and
//!   language tag, which the JSON's plain text, numbers and booleans do not;
//! - an `akid:` id holding a colon (`plant:shanghai`) would read as an absolute IRI with
//!   the scheme `plant`, so it is written as the full IRI (`./plant:shanghai` would do by
//!   RFC 3986, but PyLD 3.3 takes anything with a colon for absolute and drops it). An id
//!   whose part before the colon is a declared prefix, `urn`, `_` (a blank node), holds a
//!   `/`, or which continues with `//`, is left as it is.

use crate::catalog::Entity;
use crate::vocab::{AKID, PREFIXES};
use oxigraph::model::vocab::xsd;
use oxigraph::model::Term;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// Which context a document gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Entities, firms, relations, observations and search hits.
    Lookup,
    /// Centrality, critical nodes, impact and paths reports.
    Analytics,
}

/// A context: the predeclared prefixes, the statement-node terms both kinds share, and
/// `terms`.
fn context_with(terms: Value) -> Value {
    let mut c: Map<String, Value> = PREFIXES
        .iter()
        .map(|(p, iri)| ((*p).to_owned(), Value::String((*iri).to_owned())))
        .collect();
    for t in [
        json!({
            "@version": 1.1,
            "id": "@id",
            "statement": "@id",
            "relation": {"@id": "ak:predicate", "@type": "@id"},
            "assertion": {"@id": "ak:assertion", "@type": "@id"},
            "source": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
            "paragraphs": "ak:sourceParagraph",
        }),
        terms,
    ] {
        if let Value::Object(t) = t {
            c.extend(t);
        }
    }
    Value::Object(c)
}

fn lookup() -> Value {
    context_with(json!({
        "@base": AKID,
        "types": "@type",
        "label": {"@id": "rdfs:label", "@container": "@language"},
        "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
        "comment": {"@id": "rdfs:comment", "@container": "@language"},
        "properties": "@nest",
        "outgoing": {"@reverse": "ak:subject"},
        "incoming": {"@reverse": "ak:object"},
        "observations": {"@reverse": "ak:subject"},
        "subject": {"@id": "ak:subject", "@type": "@id"},
        "object": {"@id": "ak:object", "@type": "@id"},
        "since": {"@id": "ak:since", "@type": "xsd:date"},
        "until": {"@id": "ak:until", "@type": "xsd:date"},
        "role": {"@id": "ak:role", "@language": "en"},
        "product": {"@id": "ak:product", "@language": "en"},
        "note": {"@id": "rdfs:comment", "@language": "en"},
        "measure": {"@id": "ak:measure", "@type": "@id"},
        "value": {"@id": "ak:value", "@type": "xsd:decimal"},
        "periodStart": {"@id": "ak:periodStart", "@type": "xsd:date"},
        "periodEnd": {"@id": "ak:periodEnd", "@type": "xsd:date"},
        "yoyGrowth": {"@id": "ak:yoyGrowth", "@type": "xsd:decimal"},
        "approximation": {"@id": "ak:approximation", "@type": "@id"},
        "reportedBy": {"@id": "ak:reportedBy", "@type": "@id"},
        "headquarteredIn": {"@id": "ak:headquarteredIn", "@type": "@id"},
        "producesIn": {"@id": "ak:producesIn", "@type": "@id"},
        "items": "rdfs:member",
    }))
}

fn analytics() -> Value {
    context_with(json!({
        "label": "rdfs:label",
        "score": "ak:score",
        "projection": "ak:projection",
        "nodes": "rdfs:member",
    }))
}

/// The context object of a kind of document.
pub fn context(kind: Context) -> &'static Value {
    static LOOKUP: OnceLock<Value> = OnceLock::new();
    static ANALYTICS: OnceLock<Value> = OnceLock::new();
    match kind {
        Context::Lookup => LOOKUP.get_or_init(lookup),
        Context::Analytics => ANALYTICS.get_or_init(analytics),
    }
}

/// A document of the API that can be written as JSON-LD: its JSON, with what JSON loses
/// put back (see the module's documentation).
pub trait LinkedData: Serialize {
    /// Rewrites `doc`, this value's JSON, where the JSON-LD needs more than the JSON.
    fn refine(&self, _doc: &mut Value) {}
}

/// A document whose JSON needs no refinement (analytics reports).
#[derive(Serialize)]
#[serde(transparent)]
pub struct AsIs<'a, T: Serialize>(pub &'a T);

impl<T: Serialize> LinkedData for AsIs<'_, T> {}
impl LinkedData for crate::catalog::FirmPage {}
impl LinkedData for crate::catalog::ObservationList {}
impl LinkedData for crate::catalog::EntityRelations {}
impl LinkedData for crate::catalog::SearchResults {}
impl LinkedData for Value {}

impl LinkedData for Entity {
    /// `properties` from the RDF terms: value objects with the exact literal.
    fn refine(&self, doc: &mut Value) {
        let props: Map<String, Value> = self
            .property_terms
            .iter()
            .map(|(k, terms)| (k.clone(), terms.iter().map(term_object).collect()))
            .collect();
        doc["properties"] = Value::Object(props);
    }
}

/// A JSON-LD node or value object of an RDF term, exact: a full IRI, a blank node id, or the
/// lexical form with its datatype or language tag (`xsd:string` left implicit).
fn term_object(t: &Term) -> Value {
    match t {
        Term::NamedNode(n) => json!({"@id": n.as_str()}),
        Term::BlankNode(b) => json!({"@id": b.to_string()}),
        Term::Literal(l) => match l.language() {
            Some(lang) => json!({"@value": l.value(), "@language": lang}),
            None if l.datatype() == xsd::STRING => json!({"@value": l.value()}),
            None => json!({"@value": l.value(), "@type": l.datatype().as_str()}),
        },
    }
}

/// Keys whose string values are ids (`@id` or `"@type": "@id"` in the lookup context).
const ID_KEYS: &[&str] = &[
    "id",
    "statement",
    "relation",
    "assertion",
    "source",
    "measure",
    "approximation",
];
/// Keys whose numbers are `xsd:decimal`s, written as strings.
const DECIMAL_KEYS: &[&str] = &["value", "yoyGrowth"];

/// An id as JSON-LD reads it back as the same IRI: see the module's documentation.
fn ld_id(id: &str) -> Option<String> {
    let (before, after) = id.split_once(':')?;
    let keep = before == "_"
        || before.eq_ignore_ascii_case("urn")
        || after.starts_with("//")
        || PREFIXES.iter().any(|(p, _)| *p == before)
        || before.contains('/');
    (!keep).then(|| format!("{AKID}{id}"))
}

/// Decimals to strings and colon ids made full IRIs, everywhere in `doc` but the context
/// and the already exact `properties`.
fn normalize(doc: &mut Value) {
    match doc {
        Value::Object(o) => {
            for (k, v) in o.iter_mut() {
                match v {
                    Value::Number(n) if DECIMAL_KEYS.contains(&k.as_str()) => {
                        *v = Value::String(n.to_string());
                    }
                    Value::String(s) if ID_KEYS.contains(&k.as_str()) => {
                        if let Some(rel) = ld_id(s) {
                            *s = rel;
                        }
                    }
                    _ if k == "@context" || k == "properties" => {}
                    _ => normalize(v),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// `body` as JSON-LD: its JSON refined ([`LinkedData`]) with `@context` added (an object
/// gets the key; anything else is wrapped as `@graph`).
pub fn with_context<T: LinkedData>(kind: Context, body: &T) -> serde_json::Result<Vec<u8>> {
    let mut doc = serde_json::to_value(body)?;
    body.refine(&mut doc);
    normalize(&mut doc);
    let doc = match doc {
        Value::Object(mut o) => {
            o.insert("@context".into(), context(kind).clone());
            Value::Object(o)
        }
        other => json!({"@context": context(kind), "@graph": other}),
    };
    serde_json::to_vec(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::AK;

    #[test]
    fn colon_ids_become_full_iris_and_decimals_strings() {
        assert_eq!(
            ld_id("plant:shanghai"),
            Some(format!("{AKID}plant:shanghai"))
        );
        for kept in [
            "seres",
            "ak:Stated",
            "http://e/x",
            "urn:isbn:1",
            "_:b0",
            "a/b:c",
        ] {
            assert_eq!(ld_id(kept), None, "{kept}");
        }
        let body = json!({"id": "plant:shanghai", "items": [{"value": 0.125, "yoyGrowth": -2,
            "subject": {"id": "plant:x"}, "paragraphs": [2], "label": {"en": "a:b"}}]});
        let doc: Value =
            serde_json::from_slice(&with_context(Context::Lookup, &body).expect("json"))
                .expect("parses");
        assert_eq!(doc["id"], format!("{AKID}plant:shanghai"));
        let item = &doc["items"][0];
        assert_eq!(item["value"], "0.125");
        assert_eq!(item["yoyGrowth"], "-2");
        assert_eq!(item["subject"]["id"], format!("{AKID}plant:x"));
        assert_eq!(item["paragraphs"][0], 2);
        assert_eq!(item["label"]["en"], "a:b");
        assert_eq!(doc["@context"]["value"]["@type"], "xsd:decimal");
        assert_eq!(doc["@context"]["role"]["@language"], "en");
        assert_eq!(doc["@context"]["since"]["@type"], "xsd:date");
    }

    #[test]
    fn contexts_map_keys_to_the_ontology() {
        let c = context(Context::Lookup);
        assert_eq!(c["ak"], AK);
        assert_eq!(c["@base"], AKID);
        assert_eq!(c["outgoing"]["@reverse"], "ak:subject");
        assert_eq!(c["source"]["@id"], "prov:wasDerivedFrom");
        let doc: Value = serde_json::from_slice(
            &with_context(Context::Analytics, &json!({"id": "x"})).expect("json"),
        )
        .expect("parses");
        assert_eq!(doc["@context"]["score"], "ak:score");
        assert_eq!(doc["id"], "x");
    }
}
