//! Geography: GeoJSON of places and of a SELECT (CLI and HTTP) read back by Python's
//! `geojson` and `shapely`; the GeoJSON SELECT under `/sparql`'s limits; `geof:distance`
//! against pyproj's WGS 84 geodesic on the endpoint and the CLI; and the page at `/` driven
//! in Debian's Chromium through Selenium (`tests/python/browser_check.py`).

use crate::support::{autokg, select, spawn_app, spawn_app_with, stderr, stdout, store};
use serde_json::{json, Map, Value};
use std::path::Path;
use std::process::Command;

fn python() -> String {
    if let Ok(p) = std::env::var("AUTOKG_PYTHON") {
        return p;
    }
    let venv = "/var/tmp/autokg-venv/bin/python";
    if Path::new(venv).exists() {
        return venv.to_owned();
    }
    "python3".to_owned()
}

/// Runs a script of `tests/python/` with the venv's Python; panics with its output on failure.
fn run_python(script: &str, args: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let out = Command::new(python())
        .arg(&path)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// The value of an N-Triples term as `select` returns it (`<iri>` or `"lexical"^^<dt>`).
fn lexical(term: &str) -> String {
    let parsed: oxigraph::model::Term = term.parse().expect("an N-Triples term");
    match parsed {
        oxigraph::model::Term::NamedNode(n) => n.into_string(),
        oxigraph::model::Term::Literal(l) => l.value().to_owned(),
        other => other.to_string(),
    }
}

/// What the GeoJSON of every place must hold, from SPARQL on the store: each place with a
/// WKT point, its observation count and its labels.
fn expected_places() -> Value {
    let rows = select(
        store(),
        "SELECT ?place ?wkt (COUNT(DISTINCT ?o) AS ?n) (SAMPLE(?en) AS ?label_en) (SAMPLE(?zh) AS ?label_zh) WHERE { \
           ?place geo:hasGeometry/geo:asWKT ?wkt . \
           OPTIONAL { ?o a ak:Observation ; ak:subject ?place } \
           OPTIONAL { ?place rdfs:label ?en FILTER(lang(?en) = 'en') } \
           OPTIONAL { ?place rdfs:label ?zh FILTER(lang(?zh) = 'zh') } \
         } GROUP BY ?place ?wkt",
    );
    assert!(rows.len() >= 6, "the curated data has six located cities");
    let mut features = Map::new();
    for row in rows {
        let place = lexical(row[0].as_deref().expect("place"));
        let count: usize = lexical(row[2].as_deref().expect("count"))
            .parse()
            .expect("a count");
        features.insert(
            place.clone(),
            json!({
                "wkt": lexical(row[1].as_deref().expect("wkt")),
                "observations": count,
                "properties": {
                    "iri": place,
                    "label_en": lexical(row[3].as_deref().expect("en")),
                    "label_zh": lexical(row[4].as_deref().expect("zh")),
                },
            }),
        );
    }
    json!({ "features": features })
}

/// A SELECT with a WKT column and what its GeoJSON must hold, feature by row index.
const SELECT_WKT: &str =
    "SELECT ?place ?label ?wkt WHERE { ?place geo:hasGeometry/geo:asWKT ?wkt ; \
                          rdfs:label ?label FILTER(lang(?label) = 'en') } ORDER BY ?label";

fn expected_select() -> Value {
    let mut features = Map::new();
    for (i, row) in select(store(), SELECT_WKT).into_iter().enumerate() {
        features.insert(
            i.to_string(),
            json!({
                "wkt": lexical(row[2].as_deref().expect("wkt")),
                "observations": null,
                "properties": {
                    "place": lexical(row[0].as_deref().expect("place")),
                    "label": lexical(row[1].as_deref().expect("label")),
                },
            }),
        );
    }
    json!({ "features": features })
}

fn write_json(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(value).expect("JSON")).expect("write");
    path.display().to_string()
}

#[test]
fn geojson_of_places_and_of_a_select_reads_back_in_geojson_and_shapely() {
    let dir = tempfile::tempdir().expect("temp dir");
    let places = write_json(dir.path(), "places.json", &expected_places());
    let rows = write_json(dir.path(), "select.json", &expected_select());

    // The CLI: every place, then the rows of --select.
    let cli_file = dir.path().join("cli.geojson");
    let out = autokg(&[
        "export",
        "--format",
        "geojson",
        "-o",
        cli_file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    run_python(
        "check_geo.py",
        &["geojson", cli_file.to_str().expect("path"), &places],
    );
    let select_file = dir.path().join("select.rq");
    std::fs::write(&select_file, SELECT_WKT).expect("write");
    let out = autokg(&[
        "export",
        "--format",
        "geojson",
        "--select",
        select_file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for refused in [
        &["export", "--format", "graphml", "--select", "x.rq"][..],
        &["export", "--format", "geojson", "--around", "seres"][..],
        &["export", "--format", "geojson", "--projection", "all"][..],
    ] {
        let o = autokg(refused);
        assert_eq!(o.status.code(), Some(2), "{refused:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("geojson"),
            "{refused:?}: {}",
            stderr(&o)
        );
    }
    let cli_select = dir.path().join("cli-select.geojson");
    std::fs::write(&cli_select, &out.stdout).expect("write");
    run_python(
        "check_geo.py",
        &["geojson", cli_select.to_str().expect("path"), &rows],
    );

    // HTTP gives the same bytes.
    let app = spawn_app();
    let r = app
        .get("/api/export?format=geojson")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/geo+json")
    );
    let body = r.bytes().expect("body");
    assert_eq!(
        body.as_ref(),
        std::fs::read(&cli_file).expect("read").as_slice()
    );
    let r = app
        .get("/api/export")
        .query(&[("format", "geojson"), ("query", SELECT_WKT)])
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let http_select = dir.path().join("http-select.geojson");
    std::fs::write(&http_select, r.bytes().expect("body")).expect("write");
    run_python(
        "check_geo.py",
        &["geojson", http_select.to_str().expect("path"), &rows],
    );
    assert_eq!(
        std::fs::read(&http_select).expect("read"),
        std::fs::read(&cli_select).expect("read")
    );

    // Each figure keeps its own period and provenance (read generically).
    let doc: Value = serde_json::from_slice(&body).expect("JSON");
    let chongqing = doc["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["id"] == "https://w3id.org/autokg/id/chongqing")
        .expect("Chongqing");
    let figures = chongqing["properties"]["observations"]
        .as_array()
        .expect("observations");
    assert!(figures.iter().any(|o| o["measure"] == "VehicleOutput"
        && o["periodStart"] == "2025-01-01"
        && o["periodEnd"] == "2025-12-31"
        && o["value"].is_number()
        && o["sourceParagraph"].is_number()));
}

#[test]
fn a_geojson_select_runs_under_the_limits_of_sparql() {
    let app = spawn_app_with(autokg::http::ServeConfig {
        max_rows: Some(2),
        ..Default::default()
    });
    let geo = |query: &str, extra: &[(&str, &str)]| {
        let mut params = vec![("format", "geojson"), ("query", query)];
        params.extend_from_slice(extra);
        let r = app
            .get("/api/export")
            .query(&params)
            .send()
            .expect("request");
        let status = r.status().as_u16();
        let body: Value = serde_json::from_slice(&r.bytes().expect("body")).unwrap_or(Value::Null);
        (status, body["detail"].as_str().unwrap_or("").to_owned())
    };
    let (status, detail) = geo(SELECT_WKT, &[]);
    assert_eq!(status, 400);
    assert!(
        detail.contains("more than 2 rows") && detail.contains("--max-rows"),
        "{detail}"
    );
    let (status, detail) = geo(&format!("{SELECT_WKT} LIMIT 2"), &[]);
    assert_eq!((status, detail.as_str()), (200, ""));
    // A SELECT without solutions is an empty map, not an error.
    let r = app
        .get("/api/export")
        .query(&[
            ("format", "geojson"),
            ("query", "SELECT ?city ?wkt WHERE { ?city a ak:City ; geo:hasGeometry/geo:asWKT ?wkt FILTER(?city = akid:nowhere) }"),
        ])
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let empty: Value = serde_json::from_slice(&r.bytes().expect("body")).expect("GeoJSON");
    assert_eq!(empty["type"], "FeatureCollection");
    assert_eq!(empty["features"], serde_json::json!([]));

    // A product of the store with itself, three times over, stopped at the time limit.
    let started = std::time::Instant::now();
    let (status, detail) = geo(
        "SELECT ?wkt WHERE { ?p geo:hasGeometry/geo:asWKT ?wkt . ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } LIMIT 1 OFFSET 100000000000",
        &[("timeout", "0.5")],
    );
    assert_eq!(status, 503, "{detail}");
    assert!(
        detail.contains("time limit") || detail.contains("0.5"),
        "{detail}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    for (query, needle) in [
        ("ASK { ?s ?p ?o }", "SELECT"),
        ("SELECT ?x WHERE { BIND(1 AS ?x) }", "?x"),
        ("SELECT ?wkt WHERE { ?p geo:asWKT ?wkt ", "syntax"),
        (
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "/sparql",
        ),
        (
            &format!("SELECT * WHERE {}{}", "{".repeat(100), "}".repeat(100)),
            "nesting",
        ),
        (
            "SELECT ?wkt WHERE { BIND(STRDT('POINT(1', geo:wktLiteral) AS ?wkt) }",
            "row 1, ?wkt",
        ),
    ] {
        let (status, detail) = geo(query, &[]);
        assert_eq!(status, 400, "{query}: {detail}");
        assert!(detail.contains(needle), "{query}: {detail}");
    }
    for path in [
        "/api/export?format=geojson&projection=all",
        "/api/export?format=graphml&query=SELECT",
        "/api/entities/seres/neighbourhood?format=geojson",
    ] {
        let r = app.get(path).send().expect("request");
        assert_eq!(r.status().as_u16(), 400, "{path}");
    }
}

#[test]
fn geof_distance_agrees_with_a_geodesic_and_honours_units() {
    let app = spawn_app();
    let query = "SELECT ?wa ?wb (geof:distance(?wa, ?wb, uom:metre) AS ?m) (geof:distance(?wa, ?wb, uom:kilometre) AS ?km) \
                 (geof:distance(?wa, ?wb, <http://example.org/furlong>) AS ?unknown) WHERE { \
                 ?a geo:hasGeometry/geo:asWKT ?wa . ?b geo:hasGeometry/geo:asWKT ?wb }";
    let (status, _, body) = app.query(query, "application/sparql-results+json");
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).expect("JSON");
    let bindings = doc["results"]["bindings"].as_array().expect("bindings");
    assert!(bindings.len() >= 36, "every pair of the six cities");
    let number = |b: &Value, v: &str| -> f64 {
        b[v]["value"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{v} unbound in {b}"))
    };
    let mut rows: Vec<Value> = Vec::new();
    for b in bindings {
        assert!(
            b.get("unknown").is_none(),
            "an unknown unit leaves the result unbound: {b}"
        );
        rows.push(json!({
            "a": b["wa"]["value"], "b": b["wb"]["value"],
            "m": number(b, "m"), "km": number(b, "km"),
        }));
    }
    // The CLI answers the example with the same function.
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/examples/geosparql-distances.rq");
    let out = autokg(&[
        "query",
        "-f",
        example.to_str().expect("path"),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let example_rows = doc["results"]["bindings"].as_array().expect("bindings");
    let wkt_of = |city: &str| {
        let rows = select(
            store(),
            &format!("SELECT ?w WHERE {{ <{city}> geo:hasGeometry/geo:asWKT ?w }}"),
        );
        lexical(rows[0][0].as_deref().expect("wkt"))
    };
    let pair = example_rows
        .iter()
        .find(|b| b["question"]["value"] == "Chongqing to Chengdu")
        .expect("the Chongqing-Chengdu row");
    let km = number(pair, "km");
    rows.push(json!({
        "a": wkt_of("https://w3id.org/autokg/id/chongqing"),
        "b": wkt_of("https://w3id.org/autokg/id/chengdu"),
        "m": km * 1000.0, "km": km,
    }));
    for b in example_rows
        .iter()
        .filter(|b| b["question"]["value"] != "Chongqing to Chengdu")
    {
        assert!(number(b, "km") <= 500.0, "{b}");
        assert_eq!(b["from"]["value"], "https://w3id.org/autokg/id/hefei");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_json(dir.path(), "distances.json", &Value::Array(rows));
    run_python("check_geo.py", &["distance", &file]);

    // The Service Description lists the GeoSPARQL functions.
    let r = app
        .get("/sparql")
        .header("Accept", "application/n-triples")
        .send()
        .expect("request");
    let description = r.text().expect("body");
    for f in ["distance", "sfWithin", "sfIntersects"] {
        assert!(
            description.contains(&format!(
                "<http://www.opengis.net/def/function/geosparql/{f}>"
            )),
            "{f} missing from the service description"
        );
    }
}

#[test]
fn the_page_draws_its_views_in_a_real_browser() {
    let app = spawn_app();
    let (index, text) = autokg::http::page::EXAMPLES
        .iter()
        .enumerate()
        .find(|(_, (name, _))| *name == "firms-per-city")
        .map(|(i, (_, q))| (i, *q))
        .expect("the example");
    let example_rows = select(store(), text).len();
    let mut wkt_rows = Map::new();
    for row in select(store(), SELECT_WKT) {
        wkt_rows.insert(
            lexical(row[2].as_deref().expect("wkt")),
            Value::String(lexical(row[1].as_deref().expect("label"))),
        );
    }
    let hood: Value = serde_json::from_slice(
        &app.get("/api/entities/seres/neighbourhood?depth=1&projection=all&format=cytoscape&scores=pagerank&maxNodes=600")
            .send()
            .expect("request")
            .bytes()
            .expect("body"),
    )
    .expect("JSON");
    let ids: Vec<Value> = hood["elements"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["data"]["id"].clone())
        .collect();
    assert!(ids.len() > 2);
    let graph_query = "SELECT ?investor ?firm WHERE { ?investor ak:investedIn ?firm }";
    let mut iris: Vec<String> = select(store(), graph_query)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    iris.sort();
    iris.dedup();
    assert!(iris.len() > 2);
    let expected = json!({
        "graph_query": graph_query,
        "graph_nodes": iris.len(),
        "example": index,
        "example_rows": example_rows,
        "wkt_query": SELECT_WKT,
        "wkt_rows": wkt_rows,
        "neighbourhood": { "entity": "seres", "ids": ids },
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_json(dir.path(), "expected.json", &expected);
    let said = run_python("browser_check.py", &[&app.address, &file]);
    assert!(said.contains("no console errors"), "{said}");
}
