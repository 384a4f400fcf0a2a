//! The SPARQL 1.1 Service Description of the endpoint, as RDF triples.

use crate::vocab::{AKF, GRAPH_CURATED, GRAPH_INFERRED, GRAPH_ONTOLOGY};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, Literal, NamedNode, Triple};

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";

/// The custom functions the endpoint understands, by local name in the `akf:` namespace.
pub const FUNCTIONS: &[&str] = &[
    "pagerank",
    "betweenness",
    "closeness",
    "degree",
    "coreNumber",
];

fn sd(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{local}"))
}

/// Describes the endpoint at `endpoint` (its absolute URL): languages, result formats,
/// features, functions and the default dataset.
pub fn service_description(endpoint: &str, federation: bool, updates: bool) -> Vec<Triple> {
    let service = BlankNode::default();
    let mut t = vec![
        Triple::new(service.clone(), rdf::TYPE, sd("Service")),
        Triple::new(
            service.clone(),
            sd("endpoint"),
            NamedNode::new_unchecked(endpoint),
        ),
        Triple::new(
            service.clone(),
            sd("supportedLanguage"),
            sd("SPARQL11Query"),
        ),
        Triple::new(service.clone(), sd("feature"), sd("UnionDefaultGraph")),
    ];
    if updates {
        t.push(Triple::new(
            service.clone(),
            sd("supportedLanguage"),
            sd("SPARQL11Update"),
        ));
    }
    if federation {
        t.push(Triple::new(
            service.clone(),
            sd("feature"),
            sd("BasicFederatedQuery"),
        ));
    }
    for format in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "N-Quads",
        "TriG",
        "RDF_XML",
        "JSON-LD",
    ] {
        t.push(Triple::new(
            service.clone(),
            sd("resultFormat"),
            NamedNode::new_unchecked(format!("http://www.w3.org/ns/formats/{format}")),
        ));
    }
    for f in FUNCTIONS {
        t.push(Triple::new(
            service.clone(),
            sd("extensionFunction"),
            NamedNode::new_unchecked(format!("{AKF}{f}")),
        ));
    }
    let dataset = BlankNode::default();
    let default_graph = BlankNode::default();
    t.push(Triple::new(
        service.clone(),
        sd("defaultDataset"),
        dataset.clone(),
    ));
    t.push(Triple::new(dataset.clone(), rdf::TYPE, sd("Dataset")));
    t.push(Triple::new(
        dataset.clone(),
        sd("defaultGraph"),
        default_graph.clone(),
    ));
    t.push(Triple::new(
        default_graph.clone(),
        NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#comment"),
        Literal::new_language_tagged_literal_unchecked("the union of all named graphs", "en"),
    ));
    for g in [GRAPH_ONTOLOGY, GRAPH_CURATED, GRAPH_INFERRED] {
        let named = BlankNode::default();
        t.push(Triple::new(
            dataset.clone(),
            sd("namedGraph"),
            named.clone(),
        ));
        t.push(Triple::new(
            named.clone(),
            sd("name"),
            NamedNode::new_unchecked(g),
        ));
    }
    t
}
