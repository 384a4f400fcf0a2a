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

use crate::vocab::{AKID, PREFIXES};
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
        "since": "ak:since",
        "until": "ak:until",
        "role": "ak:role",
        "product": "ak:product",
        "note": {"@id": "rdfs:comment", "@language": "en"},
        "measure": {"@id": "ak:measure", "@type": "@id"},
        "value": "ak:value",
        "periodStart": {"@id": "ak:periodStart", "@type": "xsd:date"},
        "periodEnd": {"@id": "ak:periodEnd", "@type": "xsd:date"},
        "yoyGrowth": "ak:yoyGrowth",
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

/// `body` as JSON with `@context` added (an object gets the key; anything else is wrapped
/// as `@graph`).
pub fn with_context<T: Serialize>(kind: Context, body: &T) -> serde_json::Result<Vec<u8>> {
    let doc = match serde_json::to_value(body)? {
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
