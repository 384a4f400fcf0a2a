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

/// The server's own origin (scheme, authority and any path prefix, no trailing slash):
/// `public_url` when the operator configured one, else `http://{host}` with the request's
/// `Host` when it is a valid authority (letters, digits, `.`, `-`, `:` and an IPv6 literal's
/// brackets; no user info, path or spaces), else `http://{local}` with the listener's
/// address. Headers nobody configured (`X-Forwarded-Host`, `Forwarded`) are never read. The
/// endpoint IRI, the base IRI of relative IRIs in queries and updates, and the graph IRIs of
/// the Graph Store's direct identification all start with it.
pub fn public_base(
    public_url: Option<&str>,
    host: Option<&str>,
    local: std::net::SocketAddr,
) -> String {
    let valid = |base: &str| NamedNode::new(format!("{base}/sparql")).is_ok();
    public_url
        .map(|p| p.trim_end_matches('/').to_owned())
        .filter(|p| valid(p))
        .or_else(|| {
            host.filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .map(|h| format!("http://{h}"))
            .filter(|b| valid(b))
        })
        .unwrap_or_else(|| format!("http://{local}"))
}

/// The endpoint's own IRI: [`public_base`] followed by `/sparql`.
pub fn endpoint_iri(
    public_url: Option<&str>,
    host: Option<&str>,
    local: std::net::SocketAddr,
) -> NamedNode {
    NamedNode::new_unchecked(format!("{}/sparql", public_base(public_url, host, local)))
}

/// Describes the endpoint at `endpoint` (its absolute URL): languages, result formats,
/// features, functions and the default dataset.
pub fn service_description(endpoint: &NamedNode, federation: bool, updates: bool) -> Vec<Triple> {
    // Fixed labels: the same description is the same bytes on every request, so HEAD and
    // GET agree on its length.
    let service = BlankNode::new_unchecked("service");
    let mut t = vec![
        Triple::new(service.clone(), rdf::TYPE, sd("Service")),
        Triple::new(service.clone(), sd("endpoint"), endpoint.clone()),
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
    t.push(Triple::new(
        service.clone(),
        NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#comment"),
        Literal::new_language_tagged_literal_unchecked(
            format!(
                "The format, output and results parameters override Accept: {} (json is SPARQL Results JSON for SELECT and ASK and JSON-LD for graphs; xml is SPARQL Results XML or RDF/XML). Relative IRIs in queries and updates resolve against the endpoint IRI.",
                super::negotiate::ResultsOverride::NAMES.join(", ")
            ),
            "en",
        ),
    ));
    for f in FUNCTIONS {
        t.push(Triple::new(
            service.clone(),
            sd("extensionFunction"),
            NamedNode::new_unchecked(format!("{AKF}{f}")),
        ));
    }
    // The GeoSPARQL functions every evaluator registers (see `KgStore::evaluator`).
    for (name, _) in spargeo::GEOSPARQL_EXTENSION_FUNCTIONS.iter() {
        t.push(Triple::new(
            service.clone(),
            sd("extensionFunction"),
            name.into_owned(),
        ));
    }
    let dataset = BlankNode::new_unchecked("dataset");
    let default_graph = BlankNode::new_unchecked("defaultGraph");
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
    for (i, g) in [GRAPH_ONTOLOGY, GRAPH_CURATED, GRAPH_INFERRED]
        .into_iter()
        .enumerate()
    {
        let named = BlankNode::new_unchecked(format!("namedGraph{i}"));
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

#[cfg(test)]
mod endpoint_tests {
    use super::endpoint_iri;

    #[test]
    fn the_endpoint_comes_from_configuration_or_a_valid_host_only() {
        let local: std::net::SocketAddr = "127.0.0.1:7878".parse().expect("address");
        let iri = |public: Option<&str>, host: Option<&str>| {
            endpoint_iri(public, host, local).into_string()
        };
        assert_eq!(
            iri(Some("https://kg.example.org/"), Some("evil")),
            "https://kg.example.org/sparql"
        );
        assert_eq!(
            iri(None, Some("localhost:8080")),
            "http://localhost:8080/sparql"
        );
        assert_eq!(iri(None, Some("[::1]:7878")), "http://[::1]:7878/sparql");
        for hostile in [
            "x> <http://e/injected> <http://e/p",
            "a@b",
            "a/b",
            "a b",
            "",
            "é",
        ] {
            assert_eq!(
                iri(None, Some(hostile)),
                "http://127.0.0.1:7878/sparql",
                "{hostile}"
            );
        }
    }
}
