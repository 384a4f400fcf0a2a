//! SERVICE over real loopback listeners: the allow-list cannot be walked around (every
//! position of a query or update, redirects, user information, path segments, schemes),
//! HTTPS works with `--service-ca` and fails cleanly without it, and a slow target is cut.
//!
//! Each endpoint here is a tiny server on `std::net::TcpListener` that counts every
//! connection it accepts, so a refusal is checked by its status AND by a forbidden listener
//! that saw no connection at all.

use crate::support::{spawn_app_with, stderr, TestApp};
use autokg::http::ServeConfig;
use autokg::sparql::federation::{Federation, ServiceError, SERVICE_CALL_LIMIT};
use autokg::sparql::service::ServicePolicy;
use oxigraph::model::NamedNode;
use oxigraph::sparql::DefaultServiceHandler;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What an endpoint answers.
#[derive(Clone)]
enum Answer {
    /// One solution binding `?o` to `from-PORT`.
    Results,
    /// `302 Found` to this location.
    Redirect(String),
    /// Results, after this long.
    Slow(Duration),
}

/// A loopback endpoint that records its connections and the queries it was sent.
struct Endpoint {
    port: u16,
    connections: Arc<AtomicUsize>,
    queries: Arc<Mutex<Vec<String>>>,
}

impl Endpoint {
    /// A plain HTTP endpoint.
    fn http(answer: Answer) -> Self {
        Self::start(answer, None)
    }

    /// An HTTPS endpoint presenting `tls`'s certificate.
    fn https(answer: Answer, tls: &SelfSigned) -> Self {
        Self::start(answer, Some(tls.server_config()))
    }

    fn start(answer: Answer, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let queries = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (connections.clone(), queries.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let (answer, seen, tls) = (answer.clone(), seen.clone(), tls.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                    match tls {
                        None => serve_one(stream, port, &answer, &seen),
                        Some(config) => {
                            let Ok(connection) = rustls::ServerConnection::new(config) else {
                                return;
                            };
                            let tls = rustls::StreamOwned::new(connection, stream);
                            serve_one(tls, port, &answer, &seen);
                        }
                    }
                });
            }
        });
        Self {
            port,
            connections,
            queries,
        }
    }

    /// `http://127.0.0.1:PORT` (or `https://`).
    fn origin(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Connections accepted so far, after a pause that lets a late connection land.
    fn connections(&self) -> usize {
        std::thread::sleep(Duration::from_millis(200));
        self.connections.load(Ordering::SeqCst)
    }

    /// The `query` parameters received so far.
    fn queries(&self) -> Vec<String> {
        self.queries.lock().expect("lock").clone()
    }
}

/// Reads one request (head and `Content-Length` body) and writes the answer.
fn serve_one(mut stream: impl Read + Write, port: u16, answer: &Answer, seen: &Mutex<Vec<String>>) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = stream.read(&mut buffer) else {
            return;
        };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buffer[..n]);
        if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < head_end + length {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    if let Some((_, query)) =
        form_urlencoded::parse(&request[head_end..]).find(|(k, _)| k == "query")
    {
        seen.lock().expect("lock").push(query.into_owned());
    }
    let results = || {
        let body = format!(
            r#"{{"head":{{"vars":["o"]}},"results":{{"bindings":[{{"o":{{"type":"literal","value":"from-{port}"}}}}]}}}}"#
        );
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let response = match answer {
        Answer::Results => results(),
        Answer::Redirect(location) => format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Answer::Slow(delay) => {
            std::thread::sleep(*delay);
            results()
        }
    };
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// A self-signed certificate for `127.0.0.1` and `localhost`, made for this run.
struct SelfSigned {
    pem: String,
    certificate: rustls::pki_types::CertificateDer<'static>,
    key: Vec<u8>,
}

impl SelfSigned {
    fn new() -> Self {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("certificate");
        Self {
            pem: made.cert.pem(),
            certificate: made.cert.der().clone(),
            key: made.signing_key.serialize_der(),
        }
    }

    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(self.key.clone());
        Arc::new(
            rustls::ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(vec![self.certificate.clone()], key.into())
                .expect("server config"),
        )
    }
}

/// A federation allowing `entries`, trusting `ca` besides the webpki roots.
fn federation(entries: &[String], ca: Option<&str>) -> Federation {
    let policy = ServicePolicy::new(entries).expect("valid allow-list");
    Federation::new(policy, ca.map(str::as_bytes)).expect("client")
}

/// A server whose SERVICE may call `entries`.
fn app_allowing(entries: &[String]) -> TestApp {
    spawn_app_with(ServeConfig {
        federation: federation(entries, None),
        ..ServeConfig::default()
    })
}

/// `SELECT ?o { SERVICE <target> { ?s ?p ?o } }`.
fn select_from(target: &str) -> String {
    format!("SELECT ?o WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
}

fn json_values(body: &str) -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    doc["results"]["bindings"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["o"]["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn service_is_refused_without_any_outbound_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let target = format!(
        "http://127.0.0.1:{}/sparql",
        listener.local_addr().expect("addr").port()
    );
    let app = crate::support::spawn_app();
    let (status, _, body) = app.query(
        &format!("SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"),
        "application/json",
    );
    assert_eq!(status, 400);
    assert!(body.contains("refused"), "{body}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        listener.accept().is_err(),
        "something connected to the SERVICE target"
    );
}

#[test]
fn service_reaches_an_allowed_endpoint() {
    let remote = crate::support::spawn_app();
    let prefix = format!("{}/", remote.address);
    let app = app_allowing(&[prefix]);
    let q = format!(
        "SELECT ?zh WHERE {{ SERVICE <{}/sparql> {{ <https://w3id.org/autokg/id/jetta> <http://www.w3.org/2000/01/rdf-schema#label> ?zh FILTER(lang(?zh) = 'zh') }} }}",
        remote.address
    );
    let (status, _, body) = app.query(&q, "application/json");
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(doc["results"]["bindings"][0]["zh"]["value"], "捷达");
}

#[test]
fn a_forbidden_service_is_refused_in_every_position_without_a_connection() {
    let allowed = Endpoint::http(Answer::Results);
    let forbidden = Endpoint::http(Answer::Results);
    let app = app_allowing(&[format!("{}/", allowed.origin("http"))]);
    let evil = format!(
        "SERVICE <{}/sparql> {{ ?a ?b ?c }}",
        forbidden.origin("http")
    );
    let good = format!("{}/sparql", allowed.origin("http"));
    let mut wrong = Vec::new();
    for (position, query) in [
        ("ORDER BY EXISTS", format!("SELECT * {{ ?s ?p ?o }} ORDER BY (EXISTS {{ {evil} }}) LIMIT 1")),
        ("aggregate", format!("SELECT (COUNT(EXISTS {{ {evil} }}) AS ?n) {{ ?s ?p ?o }}")),
        ("aggregate SAMPLE(IF)", format!("SELECT (SAMPLE(IF(EXISTS {{ {evil} }}, 1, 0)) AS ?n) {{ ?s ?p ?o }}")),
        ("sub-query ORDER BY", format!("SELECT * {{ {{ SELECT ?s {{ ?s ?p ?o }} ORDER BY (EXISTS {{ {evil} }}) LIMIT 1 }} }}")),
        ("HAVING", format!("SELECT ?s {{ ?s ?p ?o }} GROUP BY ?s HAVING (EXISTS {{ {evil} }})")),
        ("BIND", format!("SELECT * {{ ?s ?p ?o BIND(EXISTS {{ {evil} }} AS ?e) }} LIMIT 1")),
        ("OPTIONAL condition", format!("SELECT * {{ ?s ?p ?o OPTIONAL {{ ?o ?q ?r FILTER EXISTS {{ {evil} }} }} }} LIMIT 1")),
        ("inside an allowed SERVICE", format!("SELECT * {{ SERVICE <{good}> {{ {evil} }} }}")),
        ("SILENT", format!("SELECT * {{ SERVICE SILENT <{}/sparql> {{ ?a ?b ?c }} }}", forbidden.origin("http"))),
    ] {
        let (status, _, body) = app.query(&query, "application/json");
        if status != 400 || !body.contains("refused") {
            wrong.push(format!("{position}: {status} {body}"));
        }
    }
    // Connections first: the handler alone must keep them at zero, whatever the statuses.
    assert_eq!(
        forbidden.connections(),
        0,
        "the forbidden target was contacted"
    );
    assert!(wrong.is_empty(), "not refused with 400: {wrong:#?}");
    assert_eq!(allowed.connections(), 0, "a refused query still called out");
}

#[test]
fn an_update_with_a_forbidden_service_is_refused_without_a_connection() {
    let allowed = Endpoint::http(Answer::Results);
    let forbidden = Endpoint::http(Answer::Results);
    let app = spawn_app_with(ServeConfig {
        federation: federation(&[format!("{}/", allowed.origin("http"))], None),
        update_token: Some("secret".into()),
        ..ServeConfig::default()
    });
    let evil = format!(
        "SERVICE <{}/sparql> {{ ?a ?b ?c }}",
        forbidden.origin("http")
    );
    for update in [
        format!("INSERT {{ <http://e/x> <http://e/p> ?c }} WHERE {{ {evil} }}"),
        format!("DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER EXISTS {{ {evil} }} }}"),
        format!("DELETE WHERE {{ ?s ?p ?o }} ; INSERT {{ ?s ?p 1 }} WHERE {{ ?s ?p ?o BIND(EXISTS {{ {evil} }} AS ?e) }}"),
    ] {
        let r = app
            .post("/sparql")
            .bearer_auth("secret")
            .header("Content-Type", "application/sparql-update")
            .body(update.clone())
            .send()
            .expect("request");
        let status = r.status().as_u16();
        let body = r.text().expect("body");
        assert_eq!(status, 400, "{update}: {body}");
        assert!(body.contains("refused"), "{body}");
    }
    assert_eq!(forbidden.connections(), 0);
    let (status, _, body) = app.query("ASK { <http://e/x> ?p ?o }", "application/json");
    assert_eq!(status, 200);
    assert!(body.contains("false"), "a refused update wrote: {body}");
}

#[test]
fn the_handler_itself_refuses_before_connecting() {
    // The evaluator's SERVICE handler is the wall every call passes, whatever the early
    // check saw; call it directly with a forbidden target.
    let allowed = Endpoint::http(Answer::Results);
    let forbidden = Endpoint::http(Answer::Results);
    let caller = federation(&[format!("{}/", allowed.origin("http"))], None)
        .caller(Instant::now() + Duration::from_secs(30));
    let pattern = spargebra::algebra::GraphPattern::Bgp {
        patterns: Vec::new(),
    };
    for target in [
        format!("{}/sparql", forbidden.origin("http")),
        format!(
            "http://127.0.0.1:{}@127.0.0.1:{}/",
            allowed.port, forbidden.port
        ),
        format!("https://127.0.0.1:{}/", allowed.port),
    ] {
        let name = NamedNode::new(&target).expect("IRI");
        match caller.handle(&name, &pattern, None) {
            Err(ServiceError::Refused(m)) => assert!(m.contains("refused"), "{m}"),
            Err(e) => panic!("{target}: not a refusal: {e}"),
            Ok(_) => panic!("{target}: called"),
        }
    }
    assert_eq!(forbidden.connections(), 0);
    assert_eq!(allowed.connections(), 0);
    // Off: nothing at all is called.
    let off = Federation::off().caller(Instant::now() + Duration::from_secs(30));
    let name = NamedNode::new(format!("{}/", allowed.origin("http"))).expect("IRI");
    assert!(matches!(
        off.handle(&name, &pattern, None),
        Err(ServiceError::Refused(_))
    ));
    assert_eq!(allowed.connections(), 0);
}

#[test]
fn a_redirect_to_a_forbidden_port_is_not_followed() {
    let forbidden = Endpoint::http(Answer::Results);
    let location = format!("{}/sparql", forbidden.origin("http"));
    let allowed = Endpoint::http(Answer::Redirect(location.clone()));
    let app = app_allowing(&[format!("{}/", allowed.origin("http"))]);
    let target = format!("{}/sparql", allowed.origin("http"));
    let (status, _, body) = app.query(&select_from(&target), "application/json");
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("302") && body.contains(&location), "{body}");
    assert!(body.contains("redirects are not followed"), "{body}");
    // SILENT turns the failure of an allowed target into the empty solution, still without
    // following the redirect.
    let silent = format!("SELECT ?o WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}");
    let (status, _, body) = app.query(&silent, "application/json");
    assert_eq!(status, 200, "{body}");
    assert!(json_values(&body).is_empty(), "{body}");
    assert_eq!(forbidden.connections(), 0, "the redirect was followed");
    assert_eq!(allowed.connections(), 2);
}

#[test]
fn the_userinfo_trick_is_refused() {
    let allowed = Endpoint::http(Answer::Results);
    let forbidden = Endpoint::http(Answer::Results);
    // The entry without a trailing slash, as the tester wrote it.
    let app = app_allowing(&[allowed.origin("http")]);
    let trick = format!(
        "http://127.0.0.1:{}@127.0.0.1:{}/sparql",
        allowed.port, forbidden.port
    );
    let (status, _, body) = app.query(&select_from(&trick), "application/json");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("user information"), "{body}");
    assert_eq!(forbidden.connections(), 0);
    assert_eq!(allowed.connections(), 0);
}

#[test]
fn paths_are_compared_on_segment_boundaries() {
    let endpoint = Endpoint::http(Answer::Results);
    let app = app_allowing(&[format!("{}/sparql", endpoint.origin("http"))]);
    for path in ["/sparqlx", "/", "/other/sparql", "/sparql/../admin"] {
        let target = format!("{}{path}", endpoint.origin("http"));
        let (status, _, body) = app.query(&select_from(&target), "application/json");
        assert_eq!(status, 400, "{path}: {body}");
    }
    assert_eq!(endpoint.connections(), 0);
    for path in ["/sparql", "/sparql/x"] {
        let target = format!("{}{path}", endpoint.origin("http"));
        let (status, _, body) = app.query(&select_from(&target), "application/json");
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(json_values(&body), [format!("from-{}", endpoint.port)]);
    }
    assert_eq!(endpoint.connections(), 2);
}

#[test]
fn the_scheme_must_match() {
    let endpoint = Endpoint::http(Answer::Results);
    let app = app_allowing(&[format!("{}/", endpoint.origin("https"))]);
    let (status, _, body) = app.query(
        &select_from(&format!("{}/sparql", endpoint.origin("http"))),
        "application/json",
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("none of the allowed targets"), "{body}");
    assert_eq!(endpoint.connections(), 0);
}

#[test]
fn the_remote_gets_the_pattern_as_written() {
    let endpoint = Endpoint::http(Answer::Results);
    let app = app_allowing(&[format!("{}/", endpoint.origin("http"))]);
    let q = format!(
        "SELECT ?o WHERE {{ SERVICE <{}/sparql> {{ ?s ?p ?o . ?o ?q ?r }} }}",
        endpoint.origin("http")
    );
    let (status, _, body) = app.query(&q, "application/json");
    assert_eq!(status, 200, "{body}");
    let sent = endpoint.queries();
    assert_eq!(sent.len(), 1);
    // The liveness guard is local: a remote endpoint knows no akf:alive.
    assert!(!sent[0].contains("alive"), "{}", sent[0]);
    assert!(sent[0].contains("?q"), "{}", sent[0]);
}

#[test]
fn an_https_target_works_with_the_ca_and_fails_cleanly_without_it() {
    let tls = SelfSigned::new();
    let endpoint = Endpoint::https(Answer::Results, &tls);
    let entry = format!("{}/", endpoint.origin("https"));
    let target = format!("{}/sparql", endpoint.origin("https"));

    let trusting = spawn_app_with(ServeConfig {
        federation: federation(std::slice::from_ref(&entry), Some(&tls.pem)),
        ..ServeConfig::default()
    });
    let (status, _, body) = trusting.query(&select_from(&target), "application/json");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_values(&body), [format!("from-{}", endpoint.port)]);

    let untrusting = app_allowing(&[entry]);
    let start = Instant::now();
    let (status, _, body) = untrusting.query(&select_from(&target), "application/json");
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("certificate"), "{body}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_slow_target_is_cut_at_the_per_service_limit() {
    let slow = Endpoint::http(Answer::Slow(Duration::from_secs(20)));
    let entry = format!("{}/", slow.origin("http"));
    let target = format!("{}/sparql", slow.origin("http"));

    // The per-call cap (shortened here) is below the query's 30 s.
    let app = spawn_app_with(ServeConfig {
        federation: federation(std::slice::from_ref(&entry), None)
            .with_call_limit(Duration::from_secs(1)),
        ..ServeConfig::default()
    });
    let start = Instant::now();
    let (status, _, body) = app.query(&select_from(&target), "application/json");
    let elapsed = start.elapsed();
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("within 1 s, the per-SERVICE limit"), "{body}");
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
        "cut after {elapsed:?}"
    );

    // The query's own limit (2 s) is below the cap (10 s): the call gets what is left.
    assert!(SERVICE_CALL_LIMIT > Duration::from_secs(2));
    let app = app_allowing(&[entry]);
    let start = Instant::now();
    let r = app
        .get("/sparql")
        .query(&[("query", select_from(&target).as_str()), ("timeout", "2")])
        .send()
        .expect("request");
    let elapsed = start.elapsed();
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.text().expect("body").contains("time limit"));
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(5),
        "cut after {elapsed:?}"
    );
    assert_eq!(slow.connections(), 2);
}

#[test]
fn serve_refuses_bad_allow_list_entries_and_ca_files() {
    let garbage = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(garbage.path(), "not a certificate\n").expect("write");
    let garbage = garbage.path().to_string_lossy().into_owned();
    for (args, expected) in [
        (
            vec!["--allow-service", "ftp://example.org/"],
            "only http and https",
        ),
        (
            vec!["--allow-service", "http://u@example.org/"],
            "user information",
        ),
        (
            vec!["--allow-service", "example.org"],
            "not an absolute IRI",
        ),
        (
            vec!["--allow-service", "http://example.org/?q"],
            "no query or fragment",
        ),
        (
            vec!["--service-ca", "/nonexistent/ca.pem"],
            "cannot be read",
        ),
        (vec!["--service-ca", garbage.as_str()], "PEM"),
    ] {
        let mut all = vec!["--entailment", "none", "serve", "--bind", "127.0.0.1:0"];
        all.extend(&args);
        let out = exits_within(&all, Duration::from_secs(60));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let option = args[0];
        assert!(
            err.contains(option) && err.contains(expected),
            "{args:?}: {err}"
        );
    }
}

/// Runs `autokg` with `args`, which must exit within `limit` (a server that starts despite a
/// bad option is killed and the test fails rather than hangs).
fn exits_within(args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_autokg"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("autokg runs");
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("autokg {args:?} did not exit: it accepted the option");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// Runs `autokg serve` with `args` on a free port until dropped.
struct Served {
    child: std::process::Child,
    address: String,
}

impl Served {
    fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// [`Served::start`] with extra environment variables for the process.
    fn start_with_env(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let bind = format!("127.0.0.1:{port}");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_autokg"))
            .args(["--entailment", "none", "serve", "--bind", &bind])
            .args(args)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("autokg serve starts");
        let served = Self {
            child,
            address: format!("http://{bind}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(&bind).is_err() {
            assert!(Instant::now() < deadline, "autokg serve did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        served
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn autokg_serve_calls_an_https_target_trusted_through_service_ca() {
    let tls = SelfSigned::new();
    let endpoint = Endpoint::https(Answer::Results, &tls);
    let ca = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(ca.path(), &tls.pem).expect("write");
    let entry = format!("{}/sparql", endpoint.origin("https"));
    let served = Served::start(&[
        "--allow-service",
        &entry,
        "--service-ca",
        &ca.path().to_string_lossy(),
    ]);
    let r = reqwest::blocking::Client::new()
        .get(format!("{}/sparql", served.address))
        .query(&[("query", select_from(&entry))])
        .header("Accept", "application/sparql-results+json")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().expect("body");
    assert_eq!(json_values(&body), [format!("from-{}", endpoint.port)]);
    assert_eq!(endpoint.connections(), 1);
}

/// The system's trust store counts too (rustls-native-certs, which reads `SSL_CERT_FILE` as
/// OpenSSL does): a CA installed on the machine is trusted without `--service-ca`.
#[test]
fn autokg_serve_trusts_the_system_roots() {
    let tls = SelfSigned::new();
    let endpoint = Endpoint::https(Answer::Results, &tls);
    let ca = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(ca.path(), &tls.pem).expect("write");
    let entry = format!("{}/sparql", endpoint.origin("https"));
    let ask = |served: &Served| {
        reqwest::blocking::Client::new()
            .get(format!("{}/sparql", served.address))
            .query(&[("query", select_from(&entry))])
            .header("Accept", "application/sparql-results+json")
            .send()
            .expect("request")
    };
    let trusted = Served::start_with_env(
        &["--allow-service", &entry],
        &[("SSL_CERT_FILE", ca.path().as_os_str())],
    );
    let r = ask(&trusted);
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        json_values(&r.text().expect("body")),
        [format!("from-{}", endpoint.port)]
    );
    drop(trusted);
    // Without it in the system's store, the same target fails the TLS handshake: a 502.
    let empty = tempfile::NamedTempFile::new().expect("temp file");
    let untrusted = Served::start_with_env(
        &["--allow-service", &entry],
        &[("SSL_CERT_FILE", empty.path().as_os_str())],
    );
    assert_eq!(ask(&untrusted).status().as_u16(), 502);
}
