//! Shared fixtures: one in-memory store of the curated data, query helpers, the CLI binary.

use autokg::store::KgStore;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The curated store, opened once for all tests in this process.
pub fn store() -> &'static KgStore {
    static STORE: OnceLock<KgStore> = OnceLock::new();
    STORE.get_or_init(|| KgStore::open(None).expect("the embedded data loads"))
}

/// Runs an ASK query on the curated store.
pub fn ask(query: &str) -> bool {
    match store().query(query) {
        Ok(QueryResults::Boolean(b)) => b,
        Ok(_) => panic!("not an ASK query: {query}"),
        Err(e) => panic!("query failed: {e}\n{query}"),
    }
}

/// Runs a SELECT query and returns its rows as strings (N-Triples form), by variable order.
pub fn select(store: &KgStore, query: &str) -> Vec<Vec<Option<String>>> {
    let QueryResults::Solutions(solutions) = store
        .query(query)
        .unwrap_or_else(|e| panic!("{e}\n{query}"))
    else {
        panic!("not a SELECT query: {query}");
    };
    let vars = solutions.variables().to_vec();
    solutions
        .map(|s| {
            let s = s.expect("solution");
            vars.iter().map(|v| s.get(v).map(Term::to_string)).collect()
        })
        .collect()
}

/// Runs the `autokg` binary with arguments.
pub fn autokg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autokg"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the autokg binary runs")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A real server on a free port of the loopback, with a fresh in-memory store.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client without timeouts of its own.
    pub client: reqwest::blocking::Client,
}

impl TestApp {
    /// `GET {address}{path}`.
    pub fn get(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.client.get(format!("{}{path}", self.address))
    }

    /// `POST {address}{path}`.
    pub fn post(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.client.post(format!("{}{path}", self.address))
    }

    /// The value of the sample `name` in `/metrics` (Prometheus text; panics when absent).
    pub fn metric(&self, name: &str) -> f64 {
        let text = self
            .get("/metrics")
            .send()
            .expect("metrics")
            .text()
            .expect("text");
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
    }

    /// A query by GET with an `Accept` header; returns status, content type and body.
    pub fn query(&self, query: &str, accept: &str) -> (u16, String, String) {
        let r = self
            .get("/sparql")
            .query(&[("query", query)])
            .header("Accept", accept)
            .send()
            .expect("request");
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (status, ct, r.text().expect("body"))
    }
}

/// Starts the server with `config` (its bind address is replaced by `127.0.0.1:0`).
pub fn spawn_app_with(config: autokg::http::ServeConfig) -> TestApp {
    spawn_app_on(
        config,
        std::sync::Arc::new(KgStore::open(None).expect("store")),
    )
}

/// Starts the server with `config` on `store`.
pub fn spawn_app_on(
    mut config: autokg::http::ServeConfig,
    store: std::sync::Arc<KgStore>,
) -> TestApp {
    config.bind = "127.0.0.1:0".into();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = autokg::http::Application::build(config, store).expect("binds");
            tx.send(app.port()).expect("report port");
            app.run_until_stopped().await
        })
    });
    let port = rx.recv().expect("server started");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("client"),
    }
}

/// An in-memory store with the curated data and a generated network of `firms` firms
/// (about 11 quads a firm with entailments).
pub fn generated_store(firms: usize, seed: u64) -> KgStore {
    generated_store_with(firms, seed, autokg::store::Entailment::Rdfs)
}

/// [`generated_store`] with the given entailment regime; checks that entailments were added
/// exactly when the regime asks for them.
pub fn generated_store_with(
    firms: usize,
    seed: u64,
    entailment: autokg::store::Entailment,
) -> KgStore {
    let mut nq = Vec::new();
    autokg::generate::generate(
        autokg::generate::Options {
            firms,
            seed,
            triples: false,
        },
        &mut nq,
        |_| {},
    )
    .expect("generates");
    let store = KgStore::open_with(None, entailment).expect("store");
    let quads = || {
        Ok(autokg::rdf::io::parse_text(
            "generated",
            &nq,
            oxigraph::io::RdfFormat::NQuads,
            oxigraph::model::GraphName::DefaultGraph,
        ))
    };
    let report = store.load(quads, |_| {}).expect("loads");
    assert_eq!(
        report.entailments_added > 0,
        entailment == autokg::store::Entailment::Rdfs
    );
    store
}

/// Starts the server with the defaults (read-only, 30 s limit).
pub fn spawn_app() -> TestApp {
    spawn_app_with(autokg::http::ServeConfig::default())
}

/// The Python interpreter with the cross-check tools: `AUTOKG_PYTHON`, else the venv that
/// `tests/python/setup.sh` creates, else `python3`.
pub fn python() -> String {
    if let Ok(p) = std::env::var("AUTOKG_PYTHON") {
        return p;
    }
    let venv = "/var/tmp/autokg-venv/bin/python";
    if std::path::Path::new(venv).exists() {
        return venv.to_owned();
    }
    "python3".to_owned()
}

/// User plus system CPU time of process `pid` so far, in clock ticks (`/proc/PID/stat`).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// Starts the real `autokg serve` process with `args` (after `serve --bind 127.0.0.1:0`) and
/// the log level `info`, waits for the line naming its address, and keeps draining its log so
/// it never blocks on a full pipe. Returns the child and `http://host:port`.
pub fn serve_process(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_autokg"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("autokg serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("the server logs its address")
            .expect("line");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break format!("http://{}", rest.split('/').next().expect("host:port"));
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, address)
}
