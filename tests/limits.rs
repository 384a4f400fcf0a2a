//! Time limits that stop the work: each hostile query or update runs on a fresh `autokg
//! serve` process (so its CPU time can be read from `/proc/PID/stat`) with a 2 s limit, and
//! must be answered 503 at the limit, stop using CPU within a second of it, leave no
//! evaluation in flight, apply nothing, and leave the server answering plain queries.

use std::process::Child;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(2);
const TOKEN: &str = "limits-token";

/// A server process on a free loopback port.
struct Server {
    child: Child,
    address: String,
    client: reqwest::blocking::Client,
}

impl Server {
    fn start() -> Self {
        let limit = LIMIT.as_secs().to_string();
        let (child, address) = crate::support::serve_process(&[
            "--timeout".as_ref(),
            limit.as_ref(),
            "--update-token".as_ref(),
            TOKEN.as_ref(),
        ]);
        Self {
            child,
            address,
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
        }
    }

    /// User plus system CPU time of the server process, in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        crate::support::cpu_ticks(self.child.id())
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().expect("status").is_none()
    }

    /// Asserts that the work of the request sent at `start` stopped: from the limit plus 1 s
    /// on, the process spends at most 10 CPU ticks a second (a spinning evaluation costs
    /// about 100; idle actix workers nothing), and it is alive.
    fn assert_stopped(&mut self, name: &str, start: Instant) {
        std::thread::sleep((LIMIT + Duration::from_secs(1)).saturating_sub(start.elapsed()));
        let before = self.cpu_ticks();
        std::thread::sleep(Duration::from_secs(1));
        let grown = self.cpu_ticks() - before;
        assert!(
            grown <= 10,
            "{name}: {grown} CPU ticks in the second after the limit"
        );
        assert!(self.alive(), "{name}: the server died");
    }

    fn metric(&self, name: &str) -> f64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .expect("metrics")
            .text()
            .expect("text");
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().last())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
    }

    fn ask(&self, query: &str) -> bool {
        let r = self
            .client
            .get(format!("{}/sparql", self.address))
            .query(&[("query", query)])
            .header("Accept", "application/sparql-results+json")
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200);
        r.text().expect("body").contains("true")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PRODUCT4: &str = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l";

/// The hostile shapes: `(name, update?, text)`.
fn cases() -> Vec<(&'static str, bool, String)> {
    let values: String = (0..3000).map(|i| format!("{i} ")).collect();
    vec![
        ("count over a four-way product", false, format!("SELECT (COUNT(*) AS ?n) WHERE {{ {PRODUCT4} }}")),
        ("ORDER BY over a three-way product, LIMIT 1", false,
         "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1".into()),
        ("ordered CONSTRUCT over a product", false,
         "CONSTRUCT { ?a ?b ?i } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY DESC(?i) LIMIT 5".into()),
        ("large VALUES joined with a product", false,
         format!("SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?v {{ {values}}} ?a ?b ?c . ?d ?e ?f }}")),
        ("a sub-select grouping a product", false,
         "SELECT * WHERE { { SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?a } }".into()),
        // Sides held in memory joined on a key bound to one constant: a product although
        // they share a variable.
        ("sub-selects joined on a constant key", false,
         "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a (1 AS ?k) WHERE { ?a ?b ?c } } { SELECT ?d (1 AS ?k) WHERE { ?d ?e ?f } } { SELECT ?g (1 AS ?k) WHERE { ?g ?h ?i } } }".into()),
        ("BIND groups joined on a constant key", false,
         "SELECT (COUNT(*) AS ?n) WHERE { { ?a ?b ?c BIND(1 AS ?k) } { ?d ?e ?f BIND(1 AS ?k) } { ?g ?h ?i BIND(1 AS ?k) } }".into()),
        // Named graphs: an update's WHERE reads the real default graph, which is empty.
        ("an update whose WHERE is a product", true,
         "INSERT { <http://e/stopped> <http://e/p> ?c } WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }".into()),
    ]
}

#[test]
fn every_runaway_shape_is_answered_503_and_stops_using_cpu() {
    for (name, is_update, text) in cases() {
        let mut server = Server::start();
        let start = Instant::now();
        let request = if is_update {
            server
                .client
                .post(format!("{}/sparql", server.address))
                .bearer_auth(TOKEN)
                .header("Content-Type", "application/sparql-update")
                .body(text.clone())
        } else {
            server
                .client
                .post(format!("{}/sparql", server.address))
                .header("Content-Type", "application/sparql-query")
                .body(text.clone())
        };
        let response = request.send().expect("answered");
        let answered = start.elapsed();
        assert_eq!(response.status().as_u16(), 503, "{name}");
        assert!(response.headers().contains_key("retry-after"), "{name}");
        assert!(
            answered < LIMIT + Duration::from_secs(2),
            "{name}: answered after {answered:?}"
        );
        // The work stops: CPU time does not grow from limit + 1 s on.
        server.assert_stopped(name, start);
        assert_eq!(server.metric("autokg_evaluations_in_flight"), 0.0, "{name}");
        assert!(server.metric("autokg_query_timeouts") >= 1.0, "{name}");
        assert!(
            server.ask("ASK { ?s ?p ?o }"),
            "{name}: a plain query afterwards"
        );
        if is_update {
            assert!(
                !server.ask("ASK { <http://e/stopped> ?p ?o }"),
                "{name}: the cancelled update left triples behind"
            );
        }
    }
}

/// `n` groups that all share `?o`, each filtered: the shape Oxigraph's planner is slowest on.
fn filtered_groups(n: usize) -> String {
    let groups: String = (0..n)
        .map(|i| format!("{{ ?s{} ?p ?o FILTER(?o != 0) }} ", i % 3))
        .collect();
    format!("SELECT * WHERE {{ {groups}}} LIMIT 1")
}

#[test]
fn queries_too_wide_to_plan_in_time_are_refused_before_planning() {
    let server = Server::start();
    let optionals: String = (0..200)
        .map(|i| format!("OPTIONAL {{ ?s ?p{i} ?o{i} }} "))
        .collect();
    let path = vec!["rdfs:label"; 1_000].join("/");
    // Each planned for minutes (1,000 groups: hours) before the planning limit.
    for (text, width) in [
        (filtered_groups(1_000), 1_000),
        (filtered_groups(200), 200),
        (format!("SELECT * WHERE {{ ?s ?p ?o {optionals}}}"), 201),
        (format!("ASK {{ ?s {path} ?o }}"), 1_000),
    ] {
        let start = Instant::now();
        let response = server
            .client
            .post(format!("{}/sparql", server.address))
            .header("Content-Type", "application/sparql-query")
            .body(text)
            .send()
            .expect("answered");
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(response.status().as_u16(), 400);
        let body = response.text().expect("body");
        assert!(
            body.contains(&format!("planning limit: one group joins {width} ")),
            "{body}"
        );
    }
    // At the limit, the slowest shapes are answered well within the time limit.
    let optionals: String = (0..63)
        .map(|i| format!("OPTIONAL {{ ?s ?p{i} ?o{i} }} "))
        .collect();
    for text in [
        filtered_groups(64),
        format!("SELECT * WHERE {{ ?s ?p ?o {optionals}}} LIMIT 1"),
    ] {
        let start = Instant::now();
        let response = server
            .client
            .post(format!("{}/sparql", server.address))
            .header("Content-Type", "application/sparql-query")
            .body(text)
            .send()
            .expect("answered");
        assert_eq!(response.status().as_u16(), 200);
        assert!(start.elapsed() < LIMIT, "{:?}", start.elapsed());
    }
    let before = server.cpu_ticks();
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        server.cpu_ticks() - before <= 10,
        "work went on after the answers"
    );
    assert_eq!(server.metric("autokg_evaluations_in_flight"), 0.0);
}

#[test]
fn four_runaways_at_once_do_not_lock_the_endpoint() {
    let server = Server::start();
    let heavy = format!("SELECT (COUNT(*) AS ?n) WHERE {{ {PRODUCT4} }}");
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, q) = (
                server.client.clone(),
                format!("{}/sparql", server.address),
                heavy.clone(),
            );
            std::thread::spawn(move || {
                client
                    .get(url)
                    .query(&[("query", q)])
                    .send()
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().expect("thread").expect("answered"), 503);
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.metric("autokg_evaluations_in_flight") > 0.0 {
        assert!(Instant::now() < deadline, "evaluations still in flight");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(server.ask("ASK { ?s ?p ?o }"));
}

#[test]
fn health_and_metrics_probes_take_constant_time_on_a_million_quads() {
    let store = std::sync::Arc::new(crate::support::generated_store(90_000, 3));
    let quads = store.len().expect("len");
    assert!(quads > 1_000_000, "{quads} quads");
    let app = crate::support::spawn_app_on(
        autokg::http::ServeConfig {
            update_token: Some(TOKEN.into()),
            ..Default::default()
        },
        store,
    );
    let probe = |path: &str| {
        let start = Instant::now();
        let r = app.get(path).send().expect("probe");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let body = r.text().expect("body");
        (start.elapsed(), body)
    };
    let (_, body) = probe("/healthz");
    let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(doc["quads"], quads, "{doc}");
    // An incremental write carries the count forward by its net change: no recount, and the
    // next probe already counts the new triple.
    let r = app
        .post("/sparql")
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/sparql-update")
        .body("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> <http://e/c> } }")
        .send()
        .expect("update");
    assert_eq!(r.status().as_u16(), 204);
    let (_, body) = probe("/healthz");
    let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(doc["quads"], quads + 1, "{doc}");
    assert_eq!(doc["quadsAsOfGeneration"], doc["generation"], "{doc}");
    let mut times: Vec<Duration> = (0..100)
        .map(|i| probe(if i % 2 == 0 { "/healthz" } else { "/metrics" }).0)
        .collect();
    times.sort();
    let p99 = times[98];
    assert!(
        p99 < Duration::from_millis(5),
        "p99 {p99:?}, median {:?}",
        times[50]
    );
    // The recount lands: the new triple is counted.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = probe("/healthz");
        let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        if doc["quads"] == quads + 1 && doc["quadsAsOfGeneration"] == doc["generation"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the count never caught up: {doc}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Peak resident memory of the server process, in kilobytes.
fn peak_kb(server: &Server) -> u64 {
    std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .expect("/proc/PID/status")
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM")
}

/// `n` zero bytes, gzip-compressed (about 1,000-fold smaller).
fn gzip_zeros(n: usize) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..n / block.len() {
        e.write_all(&block).expect("compress");
    }
    e.finish().expect("gzip")
}

#[test]
fn compressed_bodies_are_bounded_as_they_are_read_and_anonymous_writes_are_not_read() {
    let mut server = Server::start();
    let bomb = gzip_zeros(1 << 30); // 1 GiB of zeros in about 1 MB
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let before = peak_kb(&server);
    let send = |token: Option<&str>, path: &str, content_type: &str| {
        let mut r = server
            .client
            .post(format!("{}{path}", server.address))
            .header("Content-Type", content_type)
            .header("Content-Encoding", "gzip")
            .body(bomb.clone());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().expect("answered");
        (r.status().as_u16(), r.text().unwrap_or_default())
    };
    // Without the token: refused before the body is read.
    assert_eq!(
        send(None, "/store?graph=http%3A%2F%2Fe%2Fg", "text/turtle").0,
        401
    );
    assert_eq!(send(None, "/sparql", "application/sparql-update").0, 401);
    // With it: refused at the limit, while decompressing.
    let (status, text) = send(
        Some(TOKEN),
        "/store?graph=http%3A%2F%2Fe%2Fg",
        "text/turtle",
    );
    assert_eq!(status, 413, "{text}");
    let (status, _) = send(Some(TOKEN), "/sparql", "application/x-www-form-urlencoded");
    assert_eq!(status, 413);
    let grown_mb = (peak_kb(&server) - before) / 1024;
    // The expansion check refuses a 1,000-fold bomb at about 1 MiB of output (7 MB of peak
    // growth measured for both requests); two bodies at the 16 MiB limit would pass 32 MB.
    assert!(grown_mb < 32, "peak memory grew by {grown_mb} MB");
    assert!(server.alive());
    // An honest gzip body still works.
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b"<http://e/a> <http://e/b> \"c\" .\n")
        .expect("compress");
    let r = server
        .client
        .put(format!("{}/store?graph=http%3A%2F%2Fe%2Fz", server.address))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/n-triples")
        .header("Content-Encoding", "gzip")
        .body(e.finish().expect("gzip"))
        .send()
        .expect("answered");
    assert_eq!(r.status().as_u16(), 201);
    assert!(server.ask("ASK { GRAPH <http://e/z> { <http://e/a> <http://e/b> \"c\" } }"));
}

#[test]
fn text_that_is_not_utf8_is_refused_everywhere_and_nothing_runs() {
    let server = Server::start();
    let get = |path: &str| {
        let r = server
            .client
            .get(format!("{}{path}", server.address))
            .send()
            .expect("answered");
        (r.status().as_u16(), r.text().unwrap_or_default())
    };
    for (path, parameter) in [
        (
            "/sparql?query=ASK%7B%3Chttp%3A%2F%2Fe%2Fcaf%E9%3E%20%3Fp%20%3Fo%7D",
            "query",
        ),
        ("/api/search?q=%FF", "q"),
        ("/api/firms?city=caf%E9", "city"),
        ("/store?graph=http%3A%2F%2Fe%2F%FF", "graph"),
    ] {
        let (status, text) = get(path);
        assert_eq!(status, 400, "{path}: {text}");
        assert!(text.contains(&format!("'{parameter}'")), "{path}: {text}");
    }
    let (status, _) = get("/api/entities/caf%E9");
    assert_eq!(status, 400);
    // A Latin-1 form update is refused, not stored with U+FFFD.
    let r = server
        .client
        .post(format!("{}/sparql", server.address))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(&b"update=INSERT+DATA+%7B+%3Chttp%3A%2F%2Fe%2Fs%3E+%3Chttp%3A%2F%2Fe%2Fp%3E+%22caf\xE9%22+%7D"[..])
        .send()
        .expect("answered");
    assert_eq!(r.status().as_u16(), 400);
    assert!(!server.ask("ASK { <http://e/s> ?p ?o }"));
}

#[test]
fn the_service_description_never_copies_unconfigured_headers() {
    let server = Server::start();
    let r = server
        .client
        .get(format!("{}/sparql", server.address))
        .header("Accept", "application/n-triples")
        .header("X-Forwarded-Host", "evil> <http://e/injected> <http://e/x")
        .header("Forwarded", "host=evil.example")
        .send()
        .expect("answered");
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().expect("body");
    assert!(
        !text.contains("injected") && !text.contains("evil"),
        "{text}"
    );
    let endpoint = format!("<{}/sparql>", server.address);
    assert!(text.contains(&endpoint), "{text}");
    // Every line parses as N-Triples: nothing was written outside the serializer.
    let parsed = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NTriples)
        .for_slice(text.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("N-Triples");
    assert!(parsed.len() > 5);
}

#[test]
fn writes_stop_at_the_time_limit_with_nothing_applied() {
    // 150,000 typed firms entail about five super-types each: more than the 2 s limit of the
    // server to apply with their entailments, on every write path.
    let mut server = Server::start();
    let triples: String = (0..150_000)
        .map(|i| format!("<u:f{i}> a ak:Automaker .\n"))
        .collect();
    let turtle = format!("@prefix ak: <https://w3id.org/autokg/ontology#> .\n{triples}");
    let store_url = format!("{}/store?graph=urn:big", server.address);
    let update_url = format!("{}/sparql", server.address);
    let writes: Vec<(&str, reqwest::blocking::RequestBuilder)> = vec![
        (
            "Graph Store PUT",
            server
                .client
                .put(&store_url)
                .header("Content-Type", "text/turtle")
                .body(turtle.clone()),
        ),
        (
            "INSERT DATA",
            server
                .client
                .post(&update_url)
                .header("Content-Type", "application/sparql-update")
                .body(format!("INSERT DATA {{ GRAPH <urn:big> {{ {triples} }} }}")),
        ),
    ];
    for (name, request) in writes {
        let start = Instant::now();
        let r = request.bearer_auth(TOKEN).send().expect("answered");
        let answered = start.elapsed();
        assert_eq!(r.status().as_u16(), 503, "{name}: {:?}", r.text());
        assert!(
            answered < LIMIT + Duration::from_secs(3),
            "{name}: {answered:?}"
        );
        server.assert_stopped(name, start);
        assert!(
            !server.ask("ASK { GRAPH <urn:big> { ?s ?p ?o } }"),
            "{name}: part of the write was applied"
        );
        assert!(
            !server.ask("ASK { <u:f0> a ?c }"),
            "{name}: an entailment of the write was applied"
        );
    }
    // A write that waits for another one counts the wait against its own limit.
    let big = {
        let client = server.client.clone();
        let url = store_url.clone();
        std::thread::spawn(move || {
            client
                .put(url)
                .bearer_auth(TOKEN)
                .header("Content-Type", "text/turtle")
                .body(turtle)
                .send()
                .map(|r| r.status().as_u16())
        })
    };
    std::thread::sleep(Duration::from_millis(700));
    let start = Instant::now();
    let r = server
        .client
        .post(format!("{update_url}?timeout=0.5"))
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/sparql-update")
        .body("INSERT DATA { <http://e/small> <http://e/p> 1 }")
        .send()
        .expect("answered");
    let waited = start.elapsed();
    let status = r.status().as_u16();
    let text = r.text().expect("a body");
    assert_eq!(status, 503, "{text}");
    // The message names what ran over and the limit as it was given.
    assert!(
        text.contains("the update ran over its time limit of 0.5 s") && text.contains("nothing"),
        "{text}"
    );
    assert!(waited < Duration::from_millis(1500), "waited {waited:?}");
    assert_eq!(big.join().expect("thread").expect("answered"), 503);
    assert!(!server.ask("ASK { <http://e/small> ?p ?o }"));
    // Afterwards a small write goes through at once.
    let r = server
        .client
        .post(&update_url)
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/sparql-update")
        .body("INSERT DATA { <http://e/small> <http://e/p> 1 }")
        .send()
        .expect("answered");
    assert_eq!(r.status().as_u16(), 204);
    assert!(server.ask("ASK { <http://e/small> ?p ?o }"));
}
