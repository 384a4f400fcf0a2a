//! The SPARQL 1.1 Protocol and HTTP (RFC 9110) as clients expect them: relative IRIs resolve
//! against the endpoint, `format`/`output`/`results` override `Accept`, HEAD answers like GET
//! without a body, a known path with another method is a 405 with `Allow`, the Bearer scheme
//! is case-insensitive, and text answers say their charset.

use super::{header, update, writable, TOKEN};
use crate::support::spawn_app_with;
use autokg::http::ServeConfig;
use oxigraph::io::{RdfFormat, RdfParser};

fn ntriples(body: &str) -> Vec<oxigraph::model::Quad> {
    RdfParser::from_format(RdfFormat::NTriples)
        .for_slice(body.as_bytes())
        .collect::<Result<_, _>>()
        .expect("N-Triples")
}

#[test]
fn relative_iris_resolve_against_the_endpoint_iri() {
    let app = writable();
    let r = app
        .post("/sparql")
        .header("Content-Type", "application/sparql-query")
        .header("Accept", "application/n-triples")
        .body("CONSTRUCT { <s> <p> 1 } WHERE {}")
        .send()
        .expect("query");
    assert_eq!(r.status().as_u16(), 200);
    let quads = ntriples(&r.text().expect("body"));
    assert_eq!(quads.len(), 1);
    // The endpoint is {address}/sparql: <s> is {address}/s (RFC 3986 §5.2).
    assert_eq!(quads[0].subject.to_string(), format!("<{}/s>", app.address));
    assert_eq!(quads[0].predicate.as_str(), format!("{}/p", app.address));
    // An update with relative IRIs lands with the same resolution.
    assert_eq!(
        update(&app, "INSERT DATA { GRAPH <http://e/g> { <x> <y> <z> } }"),
        204
    );
    let ask = format!(
        "ASK {{ GRAPH <http://e/g> {{ <{0}/x> <{0}/y> <{0}/z> }} }}",
        app.address
    );
    let (_, _, body) = app.query(&ask, "application/sparql-results+json");
    assert!(body.contains("true"), "{body}");
    // A BASE in the text still wins.
    let r = app
        .get("/sparql")
        .query(&[(
            "query",
            "BASE <http://b.example/> CONSTRUCT { <s> <p> 1 } WHERE {}",
        )])
        .header("Accept", "application/n-triples")
        .send()
        .expect("query");
    assert!(r.text().expect("body").starts_with("<http://b.example/s>"));
}

#[test]
fn the_configured_public_url_is_the_base() {
    let app = spawn_app_with(ServeConfig {
        public_url: Some("https://kg.example.org/".into()),
        ..ServeConfig::default()
    });
    let r = app
        .get("/sparql")
        .query(&[("query", "CONSTRUCT { <s> <p> <../o> } WHERE {}")])
        .header("Accept", "application/n-triples")
        .header("Host", "evil.example")
        .send()
        .expect("query");
    let quads = ntriples(&r.text().expect("body"));
    assert_eq!(quads[0].subject.to_string(), "<https://kg.example.org/s>");
    assert_eq!(quads[0].object.to_string(), "<https://kg.example.org/o>");
}

/// A known deviation (README, "Known deviations"): spargebra accepts two triples without the
/// separating dot in INSERT DATA. When the parser starts refusing it, this test fails and the
/// README's note goes.
#[test]
fn a_missing_dot_between_triples_is_a_known_deviation() {
    let app = writable();
    let status = update(
        &app,
        "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> <http://e/a> <http://e/b> <http://e/d> }",
    );
    assert_eq!(status, 204);
}

#[test]
fn format_parameters_override_accept() {
    let app = writable();
    let get = |query: &str, params: &[(&str, &str)]| {
        let mut all = vec![("query", query)];
        all.extend_from_slice(params);
        let r = app
            .get("/sparql")
            .query(&all)
            .header("Accept", "*/*")
            .send()
            .expect("query");
        let status = r.status().as_u16();
        (status, header(&r, "content-type"), r.text().expect("body"))
    };
    let construct = "CONSTRUCT { <http://e/s> <http://e/p> \"v\" } WHERE {}";
    let (status, ct, body) = get(construct, &[("format", "json")]);
    assert_eq!((status, ct.as_str()), (200, "application/ld+json"));
    let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON-LD");
    assert!(body.contains("http://e/s"), "{doc}");
    let (_, ct, body) = get(construct, &[("output", "xml")]);
    assert_eq!(ct, "application/rdf+xml");
    assert!(body.contains("<rdf:RDF"), "{body}");
    let (_, ct, _) = get(construct, &[("results", "ntriples")]);
    assert_eq!(ct, "application/n-triples; charset=utf-8");
    let select = "SELECT ?x WHERE { VALUES ?x { 1 } }";
    let (_, ct, body) = get(select, &[("format", "json")]);
    assert_eq!(ct, "application/sparql-results+json");
    assert!(body.contains("\"bindings\""), "{body}");
    let (_, ct, _) = get(select, &[("output", "XML")]);
    assert_eq!(ct, "application/sparql-results+xml");
    let (_, ct, body) = get(select, &[("results", "csv")]);
    assert_eq!(
        (ct.as_str(), body.as_str()),
        ("text/csv; charset=utf-8", "x\r\n1\r\n")
    );
    let (_, ct, _) = get("ASK {}", &[("format", "tsv")]);
    assert_eq!(ct, "text/tab-separated-values; charset=utf-8");
    // A syntax that cannot carry the form, an unknown name, two different names: 400.
    let (status, _, body) = get(select, &[("format", "turtle")]);
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = get(select, &[("format", "yaml")]);
    assert_eq!(status, 400);
    assert!(body.contains("json, xml, csv"), "{body}");
    let (status, _, _) = get(select, &[("format", "json"), ("output", "xml")]);
    assert_eq!(status, 400);
}

/// A format override that cannot carry the query's form is refused in the request's own
/// words: the parameter sent and its value as sent, never a type of the server's.
#[test]
fn a_refused_format_override_names_the_parameter_and_value_sent() {
    let app = writable();
    let construct = "CONSTRUCT { <http://e/s> <http://e/p> \"v\" } WHERE {}";
    let select = "SELECT ?x WHERE { VALUES ?x { 1 } }";
    for (query, parameter, value) in [
        (construct, "output", "csv"),
        (construct, "results", "csv"),
        (construct, "format", "text/tab-separated-values"),
        (select, "results", "Turtle"),
    ] {
        let r = app
            .get("/sparql")
            .query(&[("query", query), (parameter, value)])
            .send()
            .expect("query");
        assert_eq!(r.status().as_u16(), 400, "{parameter}={value}");
        let body = r.text().expect("body");
        assert!(
            body.starts_with(&format!(
                "{parameter}={value} names a syntax that cannot carry"
            )),
            "{parameter}={value}: {body}"
        );
        for internal in ["Csv", "Tsv", "ResultsOverride"] {
            assert!(!body.contains(internal), "{parameter}={value}: {body}");
        }
    }
}

/// The body and `Content-Length` of a GET, then the same for HEAD.
fn get_and_head(app: &crate::support::TestApp, path: &str) -> [(u16, String, usize); 2] {
    let get = app.get(path).send().expect("GET");
    let get = (
        get.status().as_u16(),
        header(&get, "content-length"),
        get.bytes().expect("body").len(),
    );
    let head = app
        .client
        .head(format!("{}{path}", app.address))
        .send()
        .expect("HEAD");
    let head = (
        head.status().as_u16(),
        header(&head, "content-length"),
        head.bytes().expect("body").len(),
    );
    [get, head]
}

#[test]
fn head_answers_like_get_without_the_body() {
    let app = writable();
    for path in [
        "/sparql",
        "/sparql?query=ASK%20%7B%7D",
        "/healthz",
        "/",
        "/store?graph=https%3A%2F%2Fw3id.org%2Fautokg%2Fgraph%2Fontology",
        "/store?graph=http%3A%2F%2Fe%2Fnone",
        "/api/search?q=seres",
        "/api/openapi.json",
    ] {
        let [get, head] = get_and_head(&app, path);
        assert_eq!(get.0, head.0, "{path}: status");
        assert_eq!(head.2, 0, "{path}: HEAD sent a body");
        // Same Content-Length as GET (both absent when GET streams). The service
        // description's blank node labels are fresh on each request, so only its presence
        // is compared.
        if path == "/sparql" {
            assert!(
                head.1.parse::<usize>().is_ok_and(|n| n > 1000),
                "{path}: {}",
                head.1
            );
        } else {
            assert_eq!(get.1, head.1, "{path}: Content-Length");
        }
        if !get.1.is_empty() {
            assert_eq!(get.1, get.2.to_string(), "{path}: GET's own length");
        }
    }
}

#[test]
fn a_known_path_with_another_method_is_405_with_allow() {
    let app = writable();
    let send = |method: &str, path: &str| {
        let r = app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                format!("{}{path}", app.address),
            )
            .send()
            .expect("request");
        (r.status().as_u16(), header(&r, "allow"))
    };
    let store = "GET, HEAD, PUT, POST, DELETE";
    for (method, path, allow) in [
        ("PATCH", "/store", store),
        ("OPTIONS", "/store", store),
        ("PATCH", "/store/person/1", store),
        ("PATCH", "/healthz", "GET, HEAD"),
        ("POST", "/metrics", "GET, HEAD"),
        ("DELETE", "/", "GET, HEAD"),
        ("PUT", "/sparql", "GET, HEAD, POST"),
        ("DELETE", "/api/search", "GET, HEAD"),
    ] {
        assert_eq!(
            send(method, path),
            (405, allow.to_owned()),
            "{method} {path}"
        );
    }
    assert_eq!(send("GET", "/nowhere").0, 404);
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let app = writable();
    let write = |authorization: &str| {
        app.post("/sparql")
            .header("Content-Type", "application/sparql-update")
            .header("Authorization", authorization)
            .body("INSERT DATA { <http://e/a> <http://e/b> 1 }")
            .send()
            .expect("update")
            .status()
            .as_u16()
    };
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        assert_eq!(write(&format!("{scheme} {TOKEN}")), 204, "{scheme}");
    }
    assert_eq!(write(&format!("Bearer  {TOKEN}")), 204, "two spaces");
    assert_eq!(write("bearer wrong"), 401);
    assert_eq!(write(&format!("Basic {TOKEN}")), 401);
    assert_eq!(write(TOKEN), 401);
}

#[test]
fn text_answers_say_charset_utf8() {
    let app = writable();
    let q = "SELECT ?zh WHERE { akid:seres rdfs:label ?zh FILTER(lang(?zh) = 'zh') }";
    for (accept, ct) in [
        ("text/csv", "text/csv; charset=utf-8"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
        ),
    ] {
        let (status, got, body) = app.query(q, accept);
        assert_eq!((status, got.as_str()), (200, ct));
        assert!(body.contains("赛力斯"), "{body}");
    }
    let c = "CONSTRUCT { akid:seres rdfs:label ?l } WHERE { akid:seres rdfs:label ?l }";
    for (accept, ct) in [
        ("text/turtle", "text/turtle; charset=utf-8"),
        (
            "application/n-triples",
            "application/n-triples; charset=utf-8",
        ),
        ("application/n-quads", "application/n-quads; charset=utf-8"),
        ("application/trig", "application/trig; charset=utf-8"),
    ] {
        assert_eq!(app.query(c, accept).1, ct);
    }
}
