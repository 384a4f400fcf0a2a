//! What the serializers must never send: CSV with unquoted commas, XML that no parser reads
//! (control characters, RDF/XML predicates without an XML name), and decimals rounded
//! through floats in `/api/observations`.

use super::{header, update, writable};

#[test]
fn csv_quotes_iris_with_commas() {
    let app = writable();
    assert_eq!(
        update(
            &app,
            "INSERT DATA { <http://e/a,b> <http://e/p> \"x, \\\"y\\\"\" }"
        ),
        204
    );
    let (status, ct, body) = app.query("SELECT ?s ?o WHERE { ?s <http://e/p> ?o }", "text/csv");
    assert_eq!((status, ct.as_str()), (200, "text/csv; charset=utf-8"));
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("CSV");
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(&rows[0][0], "http://e/a,b");
    assert_eq!(&rows[0][1], "x, \"y\"");
    assert!(body.ends_with("\r\n"), "SPARQL CSV rows end with CRLF");
}

#[test]
fn xml_refuses_control_characters_it_cannot_carry() {
    let app = writable();
    assert_eq!(
        update(
            &app,
            "INSERT DATA { <http://e/a> <http://e/p> \"x\\u0001y\" }"
        ),
        204
    );
    let select = "SELECT ?o WHERE { <http://e/a> <http://e/p> ?o }";
    let (status, _, body) = app.query(select, "application/sparql-results+xml");
    assert_eq!(status, 406, "{body}");
    assert!(body.contains("U+0001") && body.contains("?o"), "{body}");
    // JSON carries it.
    let (status, _, body) = app.query(select, "application/sparql-results+json");
    assert_eq!(status, 200);
    assert!(body.contains("x\\u0001y"), "{body}");
    let construct =
        "CONSTRUCT { <http://e/a> <http://e/p> ?o } WHERE { <http://e/a> <http://e/p> ?o }";
    let (status, _, body) = app.query(construct, "application/rdf+xml");
    assert_eq!(status, 406, "{body}");
    assert!(body.contains("U+0001"), "{body}");
    // Tab, LF and CR are fine.
    assert_eq!(
        update(
            &app,
            "INSERT DATA { <http://e/b> <http://e/p> \"t\\tn\\nr\\r\" }"
        ),
        204
    );
    let (status, _, _) = app.query(
        "SELECT ?o WHERE { <http://e/b> <http://e/p> ?o }",
        "application/sparql-results+xml",
    );
    assert_eq!(status, 200);
}

#[test]
fn a_late_control_character_aborts_the_xml_body() {
    let app = writable();
    // 3,000 rows of 40 characters (past the first 32 kB chunk), then the bad one, last in order.
    let mut data = String::from("INSERT DATA { ");
    for i in 0..3000 {
        data.push_str(&format!(
            "<http://e/r{i:05}> <http://e/p> \"{}\" . ",
            "a".repeat(40)
        ));
    }
    data.push_str("<http://e/r99999> <http://e/p> \"bad\\u0002\" }");
    assert_eq!(update(&app, &data), 204);
    let r = app
        .get("/sparql")
        .query(&[(
            "query",
            "SELECT ?s ?o WHERE { ?s <http://e/p> ?o } ORDER BY ?s",
        )])
        .header("Accept", "application/sparql-results+xml")
        .send()
        .expect("query");
    assert_eq!(r.status().as_u16(), 200);
    // The transfer breaks: never a complete-looking document.
    match r.text() {
        Err(_) => {}
        Ok(body) => panic!(
            "a complete body of {} bytes, ending {:?}",
            body.len(),
            &body[body.len().saturating_sub(80)..]
        ),
    }
}

#[test]
fn rdf_xml_refuses_predicates_without_an_xml_name() {
    let app = writable();
    assert_eq!(
        update(
            &app,
            "INSERT DATA { <http://e/a> <http://example.org/123> \"v\" }"
        ),
        204
    );
    let (status, _, body) = app.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s <http://example.org/123> ?o BIND(<http://example.org/123> AS ?p) }",
        "application/rdf+xml",
    );
    assert_eq!(status, 406, "{body}");
    assert!(body.contains("<http://example.org/123>"), "{body}");
    // A predicate that does end with a name is written, and parses back.
    let (status, _, body) = app.query(
        "CONSTRUCT { <http://e/a> <http://example.org/1a> \"v\" } WHERE {}",
        "application/rdf+xml",
    );
    assert_eq!(status, 200);
    let triples: Vec<_> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::RdfXml)
        .for_slice(body.as_bytes())
        .collect::<Result<_, _>>()
        .expect("RDF/XML parses");
    assert_eq!(triples[0].predicate.as_str(), "http://example.org/1a");
    // The Graph Store's RDF/XML reads check the same.
    let r = app
        .get("/store?graph=http%3A%2F%2Fe%2Fnone")
        .header("Accept", "application/rdf+xml")
        .send()
        .expect("read");
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn observations_keep_exact_decimals() {
    let app = writable();
    assert_eq!(
        update(
            &app,
            "INSERT DATA { GRAPH <http://e/g> {
                akid:obs-exact a ak:Observation ; ak:subject akid:chongqing ;
                    ak:measure ak:VehicleOutput ;
                    ak:value \"22345678901234567890000\"^^xsd:decimal ;
                    ak:yoyGrowth \"0.1000000000000000000001\"^^xsd:decimal ;
                    ak:periodStart \"2030-01-01\"^^xsd:date ; ak:periodEnd \"2030-12-31\"^^xsd:date } }"
        ),
        204
    );
    let r = app
        .get("/api/observations?subject=chongqing&from=2030-01-01")
        .send()
        .expect("observations");
    assert_eq!(r.status().as_u16(), 200);
    assert!(header(&r, "content-type").starts_with("application/json"));
    let body = r.text().expect("body");
    assert!(body.contains("\"value\":22345678901234567890000"), "{body}");
    assert!(
        body.contains("\"yoyGrowth\":0.1000000000000000000001"),
        "{body}"
    );
    // Curated decimals: 0.097 stays 0.097.
    let body = app
        .get("/api/observations?subject=chongqing&measure=VehicleOutput&to=2025-12-31")
        .send()
        .expect("observations")
        .text()
        .expect("body");
    assert!(body.contains("\"yoyGrowth\":0.097"), "{body}");
}
