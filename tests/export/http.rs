//! Exports over HTTP: `/api/export` and `/api/entities/{id}/neighbourhood` (media types,
//! file names, problems), data loaded through the graph store, and the page for people.

use super::tools::{schemas, xmllint};
use super::{build, iri, render, HOSTILE};
use crate::support::{spawn_app, spawn_app_with, store, TestApp};
use autokg::analytics::Measure;
use autokg::export::{Format, Scope, FORMATS};
use serde_json::Value;

fn header(r: &reqwest::blocking::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn problem(r: reqwest::blocking::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status);
    assert_eq!(header(&r, "content-type"), "application/problem+json");
    let doc: Value = serde_json::from_slice(&r.bytes().expect("body")).expect("problem JSON");
    for key in ["type", "title", "status", "detail"] {
        assert!(!doc[key].is_null(), "problem without {key}: {doc}");
    }
    assert_eq!(doc["status"], status);
    doc
}

#[test]
fn http_exports_stream_with_media_type_and_file_name() {
    let app = spawn_app();
    let r = app
        .get("/api/export?format=gexf&projection=supply-chain&scores=pagerank,betweenness")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        header(&r, "content-type"),
        "application/gexf+xml; charset=utf-8"
    );
    assert_eq!(
        header(&r, "content-disposition"),
        "attachment; filename=\"autokg-supply-chain.gexf\""
    );
    let body = r.bytes().expect("body");
    let library = render(
        store(),
        &build(
            store(),
            "supply-chain",
            Scope::Whole,
            &[Measure::PageRank, Measure::Betweenness],
        ),
        Format::Gexf,
    );
    assert_eq!(body.as_ref(), library.as_slice());

    for (format, media, ending) in [
        ("graphml", "application/graphml+xml", ".graphml"),
        ("dot", "text/vnd.graphviz", ".dot"),
        ("cytoscape", "application/json", ".cyjs"),
        ("csv-nodes", "text/csv", "-nodes.csv"),
        ("csv-edges", "text/csv", "-edges.csv"),
        ("turtle", "text/turtle", ".ttl"),
        ("jsonld", "application/ld+json", ".jsonld"),
    ] {
        let r = app
            .get(&format!("/api/export?format={format}&projection=ownership"))
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{format}");
        assert!(header(&r, "content-type").starts_with(media), "{format}");
        assert!(
            header(&r, "content-disposition")
                .ends_with(&format!("filename=\"autokg-ownership{ending}\"")),
            "{format}: {}",
            header(&r, "content-disposition")
        );
        assert!(!r.bytes().expect("body").is_empty());
    }

    let doc = problem(
        app.get("/api/export?format=svg").send().expect("request"),
        400,
    );
    let detail = doc["detail"].as_str().expect("detail");
    assert!(detail.contains("'svg'") && detail.contains("graphml") && detail.contains("csv-edges"));
    assert_eq!(
        doc["knownFormats"].as_array().map(Vec::len),
        Some(FORMATS.len())
    );
    problem(
        app.get("/api/export?projection=nope")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/export?format=gexf&scores=fame")
            .send()
            .expect("request"),
        400,
    );
    // RDF carries no scores, but a bad value is still refused rather than ignored.
    problem(
        app.get("/api/export?format=turtle&scores=fame")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/export?fromat=gexf").send().expect("request"),
        400,
    );
}

/// The textual RDF syntaxes say they are UTF-8 on the export routes as on /sparql: one
/// `Content-Type` per syntax across the server.
#[test]
fn http_rdf_exports_carry_the_charset_that_sparql_gives_the_same_syntax() {
    let app = spawn_app();
    let (status, sparql_nt, _) = app.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
        "application/n-triples",
    );
    assert_eq!(status, 200);
    assert_eq!(sparql_nt, "application/n-triples; charset=utf-8");
    for (format, media) in [
        ("ntriples", sparql_nt.as_str()),
        ("nquads", "application/n-quads; charset=utf-8"),
        ("trig", "application/trig; charset=utf-8"),
        ("turtle", "text/turtle; charset=utf-8"),
    ] {
        for path in [
            format!("/api/export?format={format}&projection=ownership"),
            format!("/api/entities/seres/neighbourhood?format={format}"),
        ] {
            let r = app.get(&path).send().expect("request");
            assert_eq!(r.status().as_u16(), 200, "{path}");
            assert_eq!(header(&r, "content-type"), media, "{path}");
            let body = r.text().expect("UTF-8 body");
            assert!(body.contains("<"), "{path}: {body}");
        }
    }
}

#[test]
fn http_neighbourhoods_resolve_entities_and_refuse_what_is_too_large() {
    let app = spawn_app();
    let r = app
        .get("/api/entities/seres/neighbourhood?depth=1")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, "content-type"), "application/json");
    assert_eq!(
        header(&r, "content-disposition"),
        "attachment; filename=\"autokg-seres-depth1-all.cyjs\""
    );
    let doc: Value = serde_json::from_slice(&r.bytes().expect("body")).expect("cytoscape JSON");
    let ids: Vec<&str> = doc["elements"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["data"]["id"].as_str())
        .collect();
    assert!(ids.contains(&iri("huawei").as_str()) && ids.contains(&iri("aito").as_str()));
    let library = build(
        store(),
        "all",
        Scope::Neighbourhood {
            entity: "seres".into(),
            depth: 1,
            max_nodes: 100,
        },
        &[Measure::PageRank],
    );
    assert_eq!(ids.len(), library.nodes.len());

    // A full IRI, percent-encoded, and a prefixed name name the same entity.
    for id in ["https%3A%2F%2Fw3id.org%2Fautokg%2Fid%2Fseres", "akid:seres"] {
        let r = app
            .get(&format!(
                "/api/entities/{id}/neighbourhood?format=csv-nodes"
            ))
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{id}");
        assert_eq!(
            r.text().expect("body").lines().count(),
            ids.len() + 1,
            "{id}"
        );
    }
    let r = app
        .get("/api/entities/seres/neighbourhood?format=turtle&depth=1")
        .send()
        .expect("request");
    assert_eq!(header(&r, "content-type"), "text/turtle; charset=utf-8");
    let turtle = r.text().expect("body");
    assert!(turtle.contains("akid:seres") && turtle.contains("赛力斯"));

    let doc = problem(
        app.get("/api/entities/nobody/neighbourhood")
            .send()
            .expect("request"),
        404,
    );
    assert!(doc["detail"].as_str().is_some_and(|d| d.contains("nobody")));
    let doc = problem(
        app.get("/api/entities/seres/neighbourhood?depth=3&maxNodes=5")
            .send()
            .expect("request"),
        400,
    );
    let wide = build(
        store(),
        "all",
        Scope::Neighbourhood {
            entity: "seres".into(),
            depth: 3,
            max_nodes: 1000,
        },
        &[],
    );
    assert_eq!(doc["count"], wide.nodes.len());
    assert_eq!(doc["limit"], 5);
    assert!(doc["detail"]
        .as_str()
        .is_some_and(|d| d.contains(&wide.nodes.len().to_string())));
    problem(
        app.get("/api/entities/seres/neighbourhood?depth=99")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/entities/seres/neighbourhood?maxNodes=999999")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/entities/seres/neighbourhood?format=svg")
            .send()
            .expect("request"),
        400,
    );
}

/// A server whose store holds the hostile suppliers and 60 synthetic firms, both loaded
/// through the graph store protocol.
pub(super) fn hostile_and_synthetic_app() -> TestApp {
    let token = "export-test-token";
    let app = spawn_app_with(autokg::http::ServeConfig {
        update_token: Some(token.into()),
        ..Default::default()
    });
    let r = app
        .post("/store?default")
        .bearer_auth(token)
        .header("Content-Type", "text/turtle")
        .body(HOSTILE)
        .send()
        .expect("request");
    assert!(r.status().is_success(), "{}", r.status());
    let mut nt = Vec::new();
    autokg::generate::generate(
        autokg::generate::Options {
            firms: 60,
            seed: 5,
            triples: true,
        },
        &mut nt,
        |_| {},
    )
    .expect("generates");
    let r = app
        .post("/store?default")
        .bearer_auth(token)
        .header("Content-Type", "application/n-triples")
        .body(nt)
        .send()
        .expect("request");
    assert!(r.status().is_success(), "{}", r.status());
    app
}

/// The GEXF of hostile-quote's depth-2 supply-chain neighbourhood, its labels escaped.
fn hostile_neighbourhood_gexf(app: &TestApp) -> String {
    let r = app
        .get(
            "/api/entities/hostile-quote/neighbourhood?format=gexf&projection=supply-chain&depth=2",
        )
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().expect("body");
    assert!(body.contains("label=\"Say &quot;cheese&quot; &amp; &lt;grin&gt;\""));
    assert!(body.contains("引号&quot;与&lt;尖括号&gt;&amp;"));
    body
}

#[test]
fn http_exports_hostile_and_synthetic_data_loaded_through_the_graph_store() {
    let app = hostile_and_synthetic_app();
    hostile_neighbourhood_gexf(&app);

    // A synthetic firm's local name holds a slash: raw or percent-encoded, it resolves.
    let firm = autokg::generate::firm_local_name(0, 60, 5);
    for id in [firm.clone(), firm.replace('/', "%2F")] {
        let r = app
            .get(&format!(
                "/api/entities/{id}/neighbourhood?projection=supply-chain&format=csv-nodes"
            ))
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{id}");
        assert!(r.text().expect("body").contains(&iri(&firm)), "{id}");
    }
}

#[test]
#[ignore = "needs the official GraphML/GEXF schemas (../shared/schemas, CI only): .ci/run runs it with AUTOKG_SCHEMAS set"]
fn http_hostile_neighbourhood_gexf_passes_the_official_schemas() {
    let schemas = schemas();
    let app = hostile_and_synthetic_app();
    let body = hostile_neighbourhood_gexf(&app);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hostile.gexf");
    std::fs::write(&file, &body).expect("write");
    xmllint("--relaxng", &schemas.join("gexf13/gexf.rng"), &file);
}

#[test]
fn the_page_for_people_embeds_the_examples_and_fetches_nothing_external() {
    let app = spawn_app();
    let r = app.get("/").send().expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    assert!(header(&r, "content-security-policy").contains("connect-src 'self'"));
    let html = r.text().expect("body");
    for (name, query) in autokg::http::page::EXAMPLES {
        let title = query
            .lines()
            .next()
            .expect("title")
            .trim_start_matches("# ");
        let encoded = serde_json::to_string(title)
            .expect("json")
            .replace('<', "\\u003c");
        assert!(html.contains(&encoded), "{name} missing from the page");
    }
    assert!(html.contains("/sparql") && html.contains("/neighbourhood?depth="));
    for external in ["src=\"http", "src='http", "href=\"http", "@import", "cdn"] {
        assert!(
            !html.contains(external),
            "the page refers outside: {external}"
        );
    }
}
