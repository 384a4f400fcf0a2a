//! The SPARQL 1.1 Graph Store HTTP Protocol: direct identification (a URL under `/store/`
//! is its graph), graph creation by POST, multipart merges, every RDF syntax the server
//! writes accepted on PUT and POST, and a leading byte-order mark skipped (also by
//! `autokg load`).

use super::{header, writable, TOKEN};
use crate::support::{autokg, stderr, stdout, TestApp};

fn write(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::blocking::Response {
    app.client
        .request(method, format!("{}{path}", app.address))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .expect("write")
}

fn read(app: &TestApp, path: &str) -> (u16, String, String) {
    let r = app
        .get(path)
        .header("Accept", "application/n-triples")
        .send()
        .expect("read");
    let status = r.status().as_u16();
    let ct = header(&r, "content-type");
    (status, ct, r.text().expect("body"))
}

#[test]
fn a_url_under_the_store_names_its_graph_directly() {
    let app = writable();
    let put = write(
        &app,
        reqwest::Method::PUT,
        "/store/person/1.ttl",
        "text/turtle; charset=utf-8",
        b"<http://www.example/p> <http://xmlns.com/foaf/0.1/name> \"Jane\" ; <http://e/knows> <2.ttl> .".to_vec(),
    );
    assert_eq!(put.status().as_u16(), 201);
    let iri = format!("{}/store/person/1.ttl", app.address);
    let (status, ct, body) = read(&app, "/store/person/1.ttl");
    assert_eq!(
        (status, ct.as_str()),
        (200, "application/n-triples; charset=utf-8")
    );
    assert!(body.contains("\"Jane\""), "{body}");
    // Relative IRIs in the body resolve against the graph's IRI.
    assert!(
        body.contains(&format!("<{}/store/person/2.ttl>", app.address)),
        "{body}"
    );
    // The same graph, named indirectly, and in SPARQL.
    let indirect = format!("/store?graph={}", urlencode(&iri));
    assert_eq!(read(&app, &indirect).2, body);
    let (_, _, ask) = app.query(
        &format!("ASK {{ GRAPH <{iri}> {{ ?s ?p \"Jane\" }} }}"),
        "application/sparql-results+json",
    );
    assert!(ask.contains("true"), "{ask}");
    // Turtle reads say their charset.
    let r = app.get("/store/person/1.ttl").send().expect("read");
    assert_eq!(header(&r, "content-type"), "text/turtle; charset=utf-8");
    // A second PUT replaces (204); DELETE removes; then 404.
    let put = write(
        &app,
        reqwest::Method::PUT,
        "/store/person/1.ttl",
        "application/n-triples",
        b"<http://e/a> <http://e/b> \"new\" .\n".to_vec(),
    );
    assert_eq!(put.status().as_u16(), 204);
    assert!(!read(&app, "/store/person/1.ttl").2.contains("Jane"));
    let delete = app
        .client
        .delete(format!("{}/store/person/1.ttl", app.address))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send()
        .expect("delete");
    assert_eq!(delete.status().as_u16(), 204);
    assert_eq!(read(&app, "/store/person/1.ttl").0, 404);
    // A direct URL with ?graph= is ambiguous: 400.
    assert_eq!(read(&app, "/store/x?graph=http://e/g").0, 400);
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn post_to_the_store_creates_a_graph_at_its_location() {
    let app = writable();
    let post = write(
        &app,
        reqwest::Method::POST,
        "/store",
        "text/turtle",
        b"<http://e/new> <http://e/p> 42 .".to_vec(),
    );
    assert_eq!(post.status().as_u16(), 201);
    let location = header(&post, "location");
    let prefix = format!("{}/store/", app.address);
    assert!(location.starts_with(&prefix), "{location}");
    let path = &location[app.address.len()..];
    let (status, _, body) = read(&app, path);
    assert_eq!(status, 200);
    assert!(
        body.contains("<http://e/new> <http://e/p> \"42\""),
        "{body}"
    );
    // A second POST creates another graph.
    let again = write(
        &app,
        reqwest::Method::POST,
        "/store",
        "text/turtle",
        b"<http://e/new> <http://e/p> 43 .".to_vec(),
    );
    assert_ne!(header(&again, "location"), location);
    // PUT must name its graph.
    let put = write(
        &app,
        reqwest::Method::PUT,
        "/store",
        "text/turtle",
        b"".to_vec(),
    );
    assert_eq!(put.status().as_u16(), 400);
}

#[test]
fn multipart_posts_merge_their_files() {
    let app = writable();
    let boundary = "b0undary";
    let part = |name: &str, ct: Option<&str>, body: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n{}\r\n{body}\r\n",
            ct.map(|c| format!("Content-Type: {c}\r\n")).unwrap_or_default()
        )
    };
    let body = format!(
        "{}{}{}--{boundary}--\r\n",
        part(
            "a.ttl",
            Some("text/turtle; charset=utf-8"),
            "<http://e/p1> <http://e/name> \"Doe\" ."
        ),
        part("b.nt", None, "<http://e/p1> <http://e/given> \"Jane\" ."),
        part(
            "c.jsonld",
            Some("application/ld+json"),
            r#"{"@id": "http://e/p1", "http://e/age": 3}"#
        ),
    );
    let post = write(
        &app,
        reqwest::Method::POST,
        "/store?graph=http%3A%2F%2Fe%2Fpeople",
        &format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    );
    assert_eq!(post.status().as_u16(), 201);
    let (_, _, got) = read(&app, "/store?graph=http%3A%2F%2Fe%2Fpeople");
    for expected in [
        "\"Doe\"",
        "\"Jane\"",
        "\"3\"^^<http://www.w3.org/2001/XMLSchema#integer>",
    ] {
        assert!(got.contains(expected), "{expected} missing: {got}");
    }
    // A part of no RDF syntax is refused, naming it; nothing lands.
    let bad = format!(
        "{}{}--{boundary}--\r\n",
        part(
            "x.ttl",
            Some("text/turtle"),
            "<http://e/p2> <http://e/q> 1 ."
        ),
        part("notes.png", Some("image/png"), "hello"),
    );
    let r = write(
        &app,
        reqwest::Method::POST,
        "/store?graph=http%3A%2F%2Fe%2Fother",
        &format!("multipart/form-data; boundary={boundary}"),
        bad.into_bytes(),
    );
    assert_eq!(r.status().as_u16(), 415);
    assert!(r.text().expect("body").contains("part 2 (notes.png)"));
    assert_eq!(read(&app, "/store?graph=http%3A%2F%2Fe%2Fother").0, 404);
}

#[test]
fn every_syntax_the_server_writes_is_accepted() {
    let app = writable();
    let graph = "/store?graph=http%3A%2F%2Fe%2Fsyntaxes";
    for (ct, body) in [
        (
            "application/ld+json",
            r#"{"@id": "http://e/s", "http://e/p": "json-ld"}"#,
        ),
        ("text/turtle", "<http://e/s> <http://e/p> \"turtle\" ."),
        (
            "application/n-triples",
            "<http://e/s> <http://e/p> \"nt\" .\n",
        ),
        (
            "application/n-quads",
            "<http://e/s> <http://e/p> \"nq\" .\n",
        ),
        ("application/trig", "{ <http://e/s> <http://e/p> \"trig\" }"),
        (
            "application/rdf+xml",
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s"><e:p>rdfxml</e:p></rdf:Description></rdf:RDF>"#,
        ),
    ] {
        let r = write(
            &app,
            reqwest::Method::POST,
            graph,
            ct,
            body.as_bytes().to_vec(),
        );
        assert!(r.status().is_success(), "{ct}: {}", r.status());
    }
    let (_, _, got) = read(&app, graph);
    for v in ["json-ld", "turtle", "nt", "nq", "trig", "rdfxml"] {
        assert!(got.contains(&format!("\"{v}\"")), "{v}: {got}");
    }
    // A dataset syntax naming another graph is refused, naming it.
    let r = write(
        &app,
        reqwest::Method::POST,
        graph,
        "application/n-quads",
        b"<http://e/s> <http://e/p> \"x\" <http://e/elsewhere> .\n".to_vec(),
    );
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().expect("body").contains("http://e/elsewhere"));
    // A charset other than UTF-8 is refused.
    let r = write(
        &app,
        reqwest::Method::POST,
        graph,
        "text/turtle; charset=iso-8859-1",
        b"".to_vec(),
    );
    assert_eq!(r.status().as_u16(), 415);
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[test]
fn a_leading_byte_order_mark_is_skipped() {
    let app = writable();
    for (ct, body) in [
        ("text/turtle", "<http://e/s> <http://e/p> \"ttl\" ."),
        (
            "application/n-triples",
            "<http://e/s> <http://e/p> \"nt\" .\n",
        ),
        (
            "application/n-quads",
            "<http://e/s> <http://e/p> \"nq\" .\n",
        ),
    ] {
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(body.as_bytes());
        let r = write(
            &app,
            reqwest::Method::POST,
            "/store?graph=http%3A%2F%2Fe%2Fbom",
            ct,
            bytes,
        );
        assert!(
            r.status().is_success(),
            "{ct}: {}",
            r.text().unwrap_or_default()
        );
    }
    let (_, _, got) = read(&app, "/store?graph=http%3A%2F%2Fe%2Fbom");
    assert_eq!(got.lines().count(), 3, "{got}");
    // `autokg load` too, for each syntax.
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let store = store.to_str().expect("utf-8");
    let mut files = Vec::new();
    for (name, body) in [
        ("a.ttl", "<http://e/bom> <http://e/p> \"ttl\" ."),
        ("b.nt", "<http://e/bom> <http://e/p> \"nt\" .\n"),
        ("c.nq", "<http://e/bom> <http://e/p> \"nq\" .\n"),
    ] {
        let path = dir.path().join(name);
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(body.as_bytes());
        std::fs::write(&path, bytes).expect("write");
        files.push(path.to_str().expect("utf-8").to_owned());
    }
    let mut args = vec!["--store", store, "load"];
    args.extend(files.iter().map(String::as_str));
    let out = autokg(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = autokg(&[
        "--store",
        store,
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { <http://e/bom> <http://e/p> ?o }",
        "--format",
        "csv",
    ]);
    assert_eq!(stdout(&out).replace('\r', ""), "n\n3\n");
}
