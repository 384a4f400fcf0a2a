//! Graph exports: the shared fixtures (hostile labels, builders, renderers) of the tests in
//! [`formats`] (the model, every format, determinism), [`tools`] (xmllint, Graphviz and
//! networkx reading real exports), [`cli`] (`autokg export`), [`http`] (the endpoints and
//! the page) and [`geo`] (GeoJSON and GeoSPARQL, checked by Python's geojson, shapely and
//! pyproj, and the page in a real browser) and [`columnar`] (Parquet read back by pyarrow and
//! duckdb, Neo4j bulk-import files against the importer's header grammar).

mod cli;
mod columnar;
mod formats;
mod geo;
mod http;
mod tools;

use autokg::analytics::Measure;
use autokg::export::{self, ExportGraph, Format, Scope};
use autokg::projection::{Projection, ProjectionSpec};
use autokg::store::KgStore;
use oxigraph::io::RdfFormat;
use oxigraph::model::GraphName;
use std::sync::OnceLock;

const AKID: &str = "https://w3id.org/autokg/id/";

/// Suppliers whose labels try to break every syntax, linked to the curated Seres.
const HOSTILE: &str = r#"
@prefix ak: <https://w3id.org/autokg/ontology#> .
@prefix akid: <https://w3id.org/autokg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
akid:hostile-quote a ak:PartsSupplier ;
    rdfs:label "Say \"cheese\" & <grin>"@en , "引号\"与<尖括号>&"@zh ;
    ak:headquarteredIn akid:chongqing ;
    ak:suppliesTo akid:seres .
akid:hostile-backslash a ak:PartsSupplier ;
    rdfs:label "C:\\Parts\\ \\n is no newline \\"@en , "反斜杠\\"@zh ;
    ak:suppliesTo akid:hostile-quote .
akid:hostile-newline a ak:Automaker ;
    rdfs:label "Line one\nLine two\r\nLine three\ttab"@en , "第一行\n第二行"@zh ;
    ak:partnerOf akid:hostile-backslash .
akid:hostile-markup a ak:TechnologyCompany ;
    rdfs:label "]]> <!-- x --> &amp; </graph> {\"a\": [1]}, 'single' ,comma;"@en , "汽车；逗号，,"@zh ;
    ak:suppliesTo akid:hostile-newline .
akid:hostile-chinese a ak:Automaker ;
    rdfs:label "长安汽车"@zh ;
    ak:suppliesTo akid:hostile-markup .
akid:rel-hostile-quote-suppliesTo-seres a ak:Relationship ;
    ak:subject akid:hostile-quote ; ak:predicate ak:suppliesTo ; ak:object akid:seres ;
    ak:sourceParagraph 7, 3 .
"#;

/// (local name, English label, Chinese label) of the hostile entities.
const HOSTILE_LABELS: &[(&str, Option<&str>, &str)] = &[
    (
        "hostile-quote",
        Some("Say \"cheese\" & <grin>"),
        "引号\"与<尖括号>&",
    ),
    (
        "hostile-backslash",
        Some("C:\\Parts\\ \\n is no newline \\"),
        "反斜杠\\",
    ),
    (
        "hostile-newline",
        Some("Line one\nLine two\r\nLine three\ttab"),
        "第一行\n第二行",
    ),
    (
        "hostile-markup",
        Some("]]> <!-- x --> &amp; </graph> {\"a\": [1]}, 'single' ,comma;"),
        "汽车；逗号，,",
    ),
    ("hostile-chinese", None, "长安汽车"),
];

fn hostile_store() -> KgStore {
    let s = KgStore::open(None).expect("store");
    let quads = autokg::rdf::io::parse_text(
        "hostile.ttl",
        HOSTILE.as_bytes(),
        RdfFormat::Turtle,
        GraphName::DefaultGraph,
    )
    .collect::<Result<Vec<_>, _>>()
    .expect("the fixture parses");
    s.load_quads(&quads).expect("loads");
    s
}

fn hostile() -> &'static KgStore {
    static STORE: OnceLock<KgStore> = OnceLock::new();
    STORE.get_or_init(hostile_store)
}

fn projection(store: &KgStore, name: &str) -> Projection {
    Projection::build(store, &ProjectionSpec::named(name).expect("named")).expect("projection")
}

fn build(store: &KgStore, name: &str, scope: Scope, measures: &[Measure]) -> ExportGraph {
    ExportGraph::build(store, &projection(store, name), &scope, measures).expect("export graph")
}

fn render(store: &KgStore, graph: &ExportGraph, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        Format::Rdf(f) => export::rdf::write(store, graph, f, &mut out).expect("writes"),
        // GeoJSON is of the store's places, not of the graph.
        Format::GeoJson => export::geojson::write(
            &export::geojson::places_until(store, &autokg::algorithms::Deadline::none())
                .expect("places"),
            &mut out,
        )
        .expect("writes"),
        f => export::write_graph(graph, f, &mut out).expect("writes"),
    }
    out
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8")
}

fn iri(local: &str) -> String {
    format!("{AKID}{local}")
}

const SCORES: &[Measure] = &[Measure::PageRank, Measure::Betweenness, Measure::CoreNumber];

fn hostile_graph() -> &'static ExportGraph {
    static GRAPH: OnceLock<ExportGraph> = OnceLock::new();
    GRAPH.get_or_init(|| build(hostile(), "supply-chain", Scope::Whole, SCORES))
}
