//! Vocabulary constants (namespaces, graph names, well-known terms) and the ontology and
//! curated data compiled into the binary.

/// Namespace of classes, properties and code-list concepts (`ak:`).
pub const AK: &str = "https://w3id.org/autokg/ontology#";
/// Namespace of entities, statement nodes, observations and sources (`akid:`).
pub const AKID: &str = "https://w3id.org/autokg/id/";
/// Namespace of the custom SPARQL functions (`akf:`).
pub const AKF: &str = "https://w3id.org/autokg/function#";

/// Namespace of RDF Schema (`rdfs:`).
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
/// `rdf:type`.
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// `rdfs:label`.
pub const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
/// `skos:altLabel`.
pub const SKOS_ALT_LABEL: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
/// `prov:wasDerivedFrom`: the source a fact or statement node comes from.
pub const PROV_WAS_DERIVED_FROM: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";
/// `owl:SymmetricProperty`.
pub const OWL_SYMMETRIC_PROPERTY: &str = "http://www.w3.org/2002/07/owl#SymmetricProperty";
/// `geo:Geometry` (GeoSPARQL 1.1).
pub const GEO_GEOMETRY: &str = "http://www.opengis.net/ont/geosparql#Geometry";
/// `geo:wktLiteral` (GeoSPARQL 1.1): a geometry as Well-Known Text, WGS 84 longitude first.
pub const GEO_WKT_LITERAL: &str = "http://www.opengis.net/ont/geosparql#wktLiteral";

/// Whether `datatype` (an IRI) is one of XSD 1.1's numeric types (`xsd:decimal`, `xsd:float`,
/// `xsd:double` and the types derived from `xsd:decimal`): the literals the JSON outputs
/// write as numbers.
pub fn is_xsd_numeric(datatype: &str) -> bool {
    datatype
        .strip_prefix("http://www.w3.org/2001/XMLSchema#")
        .is_some_and(|t| {
            matches!(
                t,
                "integer"
                    | "decimal"
                    | "double"
                    | "float"
                    | "int"
                    | "long"
                    | "short"
                    | "byte"
                    | "nonNegativeInteger"
                    | "positiveInteger"
                    | "negativeInteger"
                    | "nonPositiveInteger"
                    | "unsignedInt"
                    | "unsignedLong"
                    | "unsignedShort"
                    | "unsignedByte"
            )
        })
}

/// Named graph holding the ontology.
pub const GRAPH_ONTOLOGY: &str = "https://w3id.org/autokg/graph/ontology";
/// Named graph holding the curated dataset.
pub const GRAPH_CURATED: &str = "https://w3id.org/autokg/graph/curated";
/// Named graph holding the RDFS entailments of everything else.
pub const GRAPH_INFERRED: &str = "https://w3id.org/autokg/graph/inferred";
/// Named graph holding bookkeeping (the embedded data's version).
pub const GRAPH_META: &str = "https://w3id.org/autokg/graph/meta";
/// Named graph holding analytics scores written with `--write`.
pub const GRAPH_ANALYTICS: &str = "https://w3id.org/autokg/graph/analytics";
/// Named graph holding generated synthetic networks.
pub const GRAPH_SYNTHETIC: &str = "https://w3id.org/autokg/graph/synthetic";

/// The property recording the embedded data's version in [`GRAPH_META`].
pub const EMBEDDED_VERSION: &str = "https://w3id.org/autokg/ontology#embeddedVersion";

/// Prefixes predeclared for every query and update (a query may redeclare them).
pub const PREFIXES: &[(&str, &str)] = &[
    ("ak", AK),
    ("akid", AKID),
    ("akf", AKF),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("schema", "http://schema.org/"),
    ("org", "http://www.w3.org/ns/org#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("qb", "http://purl.org/linked-data/cube#"),
    ("geo", "http://www.opengis.net/ont/geosparql#"),
    ("geof", "http://www.opengis.net/def/function/geosparql/"),
    ("uom", "http://www.opengis.net/def/uom/OGC/1.0/"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("sh", "http://www.w3.org/ns/shacl#"),
];

/// One Turtle file compiled into the binary and the named graph it is loaded into.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedFile {
    /// Path of the file in the repository, used in error messages.
    pub path: &'static str,
    /// IRI of the named graph that receives it.
    pub graph: &'static str,
    /// The Turtle text.
    pub text: &'static str,
}

/// An [`EmbeddedFile`] of the repository's `path`, compiled in, for `graph`.
macro_rules! embedded {
    ($path:literal, $graph:expr) => {
        EmbeddedFile {
            path: $path,
            graph: $graph,
            text: include_str!(concat!("../", $path)),
        }
    };
}

/// The ontology and the curated data, in the order they are loaded.
pub const EMBEDDED: &[EmbeddedFile] = &[
    embedded!("ontology/autokg.ttl", GRAPH_ONTOLOGY),
    embedded!("data/entities.ttl", GRAPH_CURATED),
    embedded!("data/relations.ttl", GRAPH_CURATED),
    embedded!("data/observations.ttl", GRAPH_CURATED),
    embedded!("data/events.ttl", GRAPH_CURATED),
];

/// The SHACL shapes that `autokg validate` checks.
pub const SHAPES: EmbeddedFile = embedded!(
    "ontology/shapes.ttl",
    "https://w3id.org/autokg/graph/shapes"
);

/// A fingerprint of the embedded files: when it changes, a persistent store reloads them.
pub fn embedded_version() -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for file in EMBEDDED {
        hasher.update(file.path.as_bytes());
        hasher.update([0]);
        hasher.update(file.text.as_bytes());
        hasher.update([0]);
    }
    hex(&hasher.finalize())
}

/// Lower-case hexadecimal of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SPARQL `PREFIX` lines for [`PREFIXES`].
pub fn prefix_block() -> String {
    PREFIXES
        .iter()
        .map(|(p, iri)| format!("PREFIX {p}: <{iri}>\n"))
        .collect()
}
