//! The endpoint's cache of parsed queries and its quick path: a repeated text is parsed once,
//! still sees every write, keeps its time limit when a write makes it slow, and a deeply
//! nested text repeats without harm.

use crate::support::{spawn_app_with, TestApp};
use autokg::http::ServeConfig;
use std::time::{Duration, Instant};

/// A counter of `/metrics`.
fn metric(app: &TestApp, name: &str) -> u64 {
    // Counters are whole numbers, written without a fraction.
    app.metric(name) as u64
}

fn cache_counts(app: &TestApp) -> (u64, u64) {
    (
        metric(app, "autokg_query_cache_hits_total"),
        metric(app, "autokg_query_cache_misses_total"),
    )
}

fn with_token() -> TestApp {
    spawn_app_with(ServeConfig {
        update_token: Some("t".into()),
        ..ServeConfig::default()
    })
}

fn update(app: &TestApp, text: &str) {
    let r = app
        .post("/sparql")
        .bearer_auth("t")
        .header("Content-Type", "application/sparql-update")
        .body(text.to_owned())
        .send()
        .expect("update");
    assert_eq!(r.status().as_u16(), 204, "{text}");
}

/// The `?n` of a one-row JSON answer.
fn count(app: &TestApp, query: &str) -> u64 {
    let (status, _, body) = app.query(query, "application/sparql-results+json");
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
    doc["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no ?n in {body}"))
}

#[test]
fn a_repeated_query_is_parsed_once_and_still_sees_every_write() {
    let app = with_token();
    let query = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:autokg-test:p> ?o }";
    let before = cache_counts(&app);
    for _ in 0..4 {
        assert_eq!(count(&app, query), 0);
    }
    let after = cache_counts(&app);
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (3, 1),
        "hits and misses"
    );
    update(
        &app,
        "INSERT DATA { <urn:a> <urn:autokg-test:p> 1 . <urn:b> <urn:autokg-test:p> 2 }",
    );
    // The cache holds the algebra, not the answer: the write shows at once.
    assert_eq!(count(&app, query), 2);
    update(&app, "DELETE DATA { <urn:a> <urn:autokg-test:p> 1 }");
    assert_eq!(count(&app, query), 1);
    assert_eq!(cache_counts(&app).1, after.1, "no new parse");
    // Negotiation is per request: the same cached text answers in another syntax.
    let (status, content_type, body) = app.query(query, "text/csv");
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    assert_eq!(body.replace("\r\n", "\n"), "n\n1\n");
    // The base IRI is part of what a text means: another public URL parses again.
    let relative = "SELECT (COUNT(*) AS ?n) WHERE { ?s <relative-p> ?o }";
    let r = app
        .get("/sparql")
        .query(&[("query", relative)])
        .header("Host", "example.org")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let misses = cache_counts(&app).1;
    let r = app
        .get("/sparql")
        .query(&[("query", relative)])
        .header("Host", "example.com")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        cache_counts(&app).1,
        misses + 1,
        "another base is another query"
    );
}

#[test]
fn a_quick_query_keeps_its_time_limit_when_a_write_makes_it_slow() {
    let app = with_token();
    let product = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:autokg-test:q> ?b . \
                   ?c <urn:autokg-test:q> ?d . ?e <urn:autokg-test:q> ?f . ?g <urn:autokg-test:q> ?h }";
    // Quick on an empty pattern, so later runs take the quick path.
    for _ in 0..3 {
        assert_eq!(count(&app, product), 0);
    }
    let triples: String = (0..200)
        .map(|i| format!("<urn:s{i}> <urn:autokg-test:q> {i} . "))
        .collect();
    update(&app, &format!("INSERT DATA {{ {triples} }}"));
    // 200⁴ solutions: only the time limit stops it.
    let start = Instant::now();
    let r = app
        .get("/sparql")
        .query(&[("query", product), ("timeout", "1")])
        .send()
        .expect("request");
    let elapsed = start.elapsed();
    assert_eq!(r.status().as_u16(), 503, "{}", r.text().unwrap_or_default());
    assert!(
        elapsed < Duration::from_secs(3),
        "answered after {elapsed:?}"
    );
    // The slow run released its permit and its thread: the endpoint still answers.
    assert_eq!(
        count(&app, "SELECT (COUNT(*) AS ?n) WHERE { <urn:s1> ?p ?o }"),
        1
    );
}

#[test]
fn a_deeply_nested_query_repeats_without_harm() {
    let app = with_token();
    // 60 nested groups (the bracket limit is 64): too deep for the quick path's stack.
    let depth = 60;
    let query = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {}?s a ak:Automaker{}",
        "{ ".repeat(depth),
        " }".repeat(depth)
    );
    let first = count(&app, &query);
    assert!(first > 0);
    for _ in 0..4 {
        assert_eq!(count(&app, &query), first);
    }
    let (hits, _) = cache_counts(&app);
    assert!(hits >= 4, "{hits} hits");
}

#[test]
fn a_text_quick_on_another_dataset_is_not_run_in_place_on_the_whole_store() {
    let app = with_token();
    let product = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    // Quick on an empty dataset…
    for _ in 0..3 {
        let r = app
            .get("/sparql")
            .query(&[("query", product), ("default-graph-uri", "http://x/none")])
            .header("Accept", "text/csv")
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200);
    }
    // …and slow on the whole store: it must go to the pool, leaving the HTTP workers free.
    // Run in place, it would hold one HTTP worker for its whole 6 s limit, and the probes
    // landing on that worker would wait about 5 s; the bound below leaves room for a busy
    // machine (CI runs the suite in parallel on 2 cores) without mistaking that for it.
    let address = app.address.clone();
    let heavy = std::thread::spawn(move || {
        reqwest::blocking::Client::new()
            .get(format!("{address}/sparql"))
            .query(&[("query", product), ("timeout", "6")])
            .send()
            .expect("request")
            .status()
            .as_u16()
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut slowest = Duration::ZERO;
    for _ in 0..10 {
        // A new connection each time: they are spread over every HTTP worker.
        let start = Instant::now();
        let r = reqwest::blocking::Client::new()
            .get(format!("{}/healthz", app.address))
            .send()
            .expect("probe");
        assert_eq!(r.status().as_u16(), 200);
        slowest = slowest.max(start.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(heavy.join().expect("thread"), 503);
    assert!(
        slowest < Duration::from_millis(3000),
        "a probe waited {slowest:?} behind the product"
    );
}

#[test]
fn a_short_text_standing_for_a_large_algebra_is_not_kept() {
    let app = with_token();
    // 16 KB of text; each prefixed name expands to a 6,000-character IRI in the algebra.
    let prefix = format!("http://e.org/{}/", "a".repeat(6000));
    let names = "p:a ".repeat(2000);
    let query =
        format!("PREFIX p: <{prefix}> SELECT ?x WHERE {{ VALUES ?x {{ {names} }} }} LIMIT 1");
    assert!(query.len() < 16 * 1024, "{}", query.len());
    let (_, misses) = cache_counts(&app);
    for _ in 0..2 {
        let (status, _, body) = app.query(&query, "application/sparql-results+json");
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        cache_counts(&app).1,
        misses + 2,
        "parsed both times: not kept"
    );
}
