//! The HTTP server: configuration, the application state, the route table and the request
//! span middleware. Handlers live in their own files and stay thin; protocol rules live in
//! `crate::sparql`, which knows nothing of actix.

mod graph_store;
pub mod metrics;
mod sparql;

use crate::sparql::evaluate::{Head, ResponseSink};
use crate::sparql::HttpError;
use crate::store::KgStore;
use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, App, HttpResponse, HttpServer};
use metrics::{Metrics, RequestLabels};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tracing::Instrument;

/// Default request body limit.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// How long a request waits for an evaluation slot before it is answered 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// Everything `autokg serve` can be told.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to bind (`127.0.0.1:0` picks a free port).
    pub bind: String,
    /// The server's maximum time per query or update; requests may lower it.
    pub timeout: Duration,
    /// The most rows a result may have (`None`: no cap).
    pub max_rows: Option<u64>,
    /// Origins allowed by CORS (`*` for any).
    pub cors: Vec<String>,
    /// IRI prefixes that SERVICE may call.
    pub allow_service: Vec<String>,
    /// The bearer token that writes need; `None` makes the server read-only.
    pub update_token: Option<String>,
    /// Request body limit in bytes.
    pub max_body: usize,
    /// Evaluations that may run at once.
    pub max_concurrent: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            bind: "127.0.0.1:7878".into(),
            timeout: Duration::from_secs(30),
            max_rows: None,
            cors: Vec::new(),
            allow_service: Vec::new(),
            update_token: None,
            max_body: DEFAULT_MAX_BODY,
            max_concurrent: cores * 2,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    /// The store.
    pub store: Arc<KgStore>,
    /// The configuration.
    pub config: ServeConfig,
    /// Evaluation slots.
    pub permits: Arc<Semaphore>,
    /// Metrics.
    pub metrics: Metrics,
    /// Centrality scores behind the `akf:` SPARQL functions, rebuilt when the store changes.
    pub scores: crate::analytics::ScoreCache,
}

impl AppState {
    /// Checks the `Authorization` header of a write: 403 when the server is read-only, 401
    /// when the token is missing or wrong (compared in constant time).
    pub fn authorize_write(&self, authorization: Option<&HeaderValue>) -> Result<(), HttpError> {
        let Some(expected) = &self.config.update_token else {
            return Err(HttpError::read_only());
        };
        let given = authorization
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or("");
        if constant_time_eq::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            Ok(())
        } else {
            Err(HttpError::unauthorized())
        }
    }

    /// Waits briefly for an evaluation slot; 503 when none frees up.
    pub async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, HttpError> {
        match tokio::time::timeout(QUEUE_WAIT, self.permits.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => {
                self.metrics.rejections.inc();
                Err(HttpError::overloaded())
            }
        }
    }

    /// The time limit of a request: the server's, or the request's when lower.
    pub fn time_limit(&self, requested: Option<Duration>) -> Duration {
        requested.map_or(self.config.timeout, |r| r.min(self.config.timeout))
    }
}

/// Turns a protocol error into a plain-text response.
pub fn error_response(e: &HttpError) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(e.status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.content_type("text/plain; charset=utf-8");
    if e.status == 503 {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    response.body(format!("{}\n", e.message))
}

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    address: SocketAddr,
}

impl Application {
    /// Binds the listener (port 0 picks a free one) and builds the server around `store`.
    pub fn build(config: ServeConfig, store: Arc<KgStore>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(&config.bind)?;
        let address = listener.local_addr()?;
        let state = web::Data::new(AppState {
            store,
            permits: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            metrics: Metrics::default(),
            scores: crate::analytics::ScoreCache::new(),
            config: config.clone(),
        });
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let server = HttpServer::new(move || {
            let cors = cors(&state.config.cors);
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(state.config.max_body))
                .wrap(actix_web::middleware::Condition::new(
                    !state.config.cors.is_empty(),
                    cors,
                ))
                .wrap_fn(|req, srv| {
                    let state = req.app_data::<web::Data<AppState>>().cloned();
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .filter(|v| v.len() <= 64)
                        .map_or_else(next_request_id, str::to_owned);
                    let route = route_label(req.path());
                    let span = tracing::info_span!(
                        "request",
                        id = %id,
                        method = %req.method(),
                        path = %req.path(),
                        status = tracing::field::Empty,
                        duration_ms = tracing::field::Empty,
                        query_hash = tracing::field::Empty,
                    );
                    let start = Instant::now();
                    let fut = srv.call(req);
                    async move {
                        let mut res = fut.await?;
                        let status = res.status().as_u16();
                        let span = tracing::Span::current();
                        span.record("status", status);
                        span.record("duration_ms", start.elapsed().as_secs_f64() * 1000.0);
                        tracing::info!("request done");
                        if let Ok(v) = HeaderValue::from_str(&id) {
                            res.headers_mut()
                                .insert(header::HeaderName::from_static("x-request-id"), v);
                        }
                        if let Some(state) = state {
                            state
                                .metrics
                                .requests
                                .get_or_create(&RequestLabels { route, status })
                                .inc();
                        }
                        Ok(res)
                    }
                    .instrument(span)
                })
                .route("/sparql", web::get().to(sparql::sparql))
                .route("/sparql", web::post().to(sparql::sparql))
                .route("/sparql", web::route().to(sparql::method_not_allowed))
                .route("/store", web::get().to(graph_store::read))
                .route("/store", web::head().to(graph_store::read))
                .route("/store", web::put().to(graph_store::put))
                .route("/store", web::post().to(graph_store::post))
                .route("/store", web::delete().to(graph_store::delete))
                .route("/healthz", web::get().to(healthz))
                .route("/metrics", web::get().to(metrics_text))
                .configure(crate::api::configure)
                .configure(crate::export::http::configure)
        })
        .workers(workers)
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self { server, address })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT, SIGTERM or [`ServerHandle::stop`]; shuts down gracefully.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::HeaderName::from_static("x-request-id")])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin().send_wildcard()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    format!("{start:x}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The metrics label of a path: the route, so that labels stay few.
fn route_label(path: &str) -> String {
    match path {
        "/sparql" | "/store" | "/healthz" | "/metrics" | "/" => path.to_owned(),
        p if p.starts_with("/api/") => "/api".to_owned(),
        _ => "other".to_owned(),
    }
}

async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let store = state.store.clone();
    let counts = web::block(move || {
        store
            .len()
            .map(|n| (n, store.generation(), store.is_persistent()))
    })
    .await;
    match counts {
        Ok(Ok((quads, generation, persistent))) => HttpResponse::Ok().json(serde_json::json!({
            "status": "ok",
            "quads": quads,
            "generation": generation,
            "persistent": persistent,
            "readOnly": state.config.update_token.is_none(),
        })),
        Ok(Err(e)) => error_response(&HttpError::internal(e.to_string())),
        Err(e) => error_response(&HttpError::internal(e.to_string())),
    }
}

async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    let store = state.store.clone();
    if let Ok(Ok(n)) = web::block(move || store.len()).await {
        state
            .metrics
            .triples
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render())
}

/// A [`ResponseSink`] feeding an actix response from a blocking thread.
pub struct ChannelSink {
    head: Option<tokio::sync::oneshot::Sender<Result<Head, HttpError>>>,
    body: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
}

impl ResponseSink for ChannelSink {
    fn head(&mut self, head: Result<Head, HttpError>) {
        if let Some(tx) = self.head.take() {
            let _ = tx.send(head);
        }
    }

    fn chunk(&mut self, chunk: Result<bytes::Bytes, std::io::Error>) -> bool {
        self.body.blocking_send(chunk).is_ok()
    }
}

/// Runs `work` on a blocking thread and answers with what it writes to its sink: an error
/// status, a complete body, or a stream. The shared path of every evaluated response.
pub async fn stream_blocking(
    content_type: &'static str,
    work: impl FnOnce(ChannelSink) + Send + 'static,
) -> HttpResponse {
    let (head_tx, head_rx) = tokio::sync::oneshot::channel();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let sink = ChannelSink {
        head: Some(head_tx),
        body: tx,
    };
    drop(tokio::task::spawn_blocking(move || work(sink)));
    let mut ok = HttpResponse::Ok();
    ok.content_type(content_type)
        .insert_header((header::VARY, "Accept"));
    match head_rx.await {
        Ok(Ok(Head::Complete(body))) => ok.body(body),
        Ok(Ok(Head::Streaming)) => {
            let body = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|chunk| (chunk, rx))
            });
            ok.streaming(body)
        }
        Ok(Err(e)) => error_response(&e),
        Err(_) => error_response(&HttpError::internal(
            "the evaluation ended without an answer",
        )),
    }
}
