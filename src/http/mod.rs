//! The HTTP edge, the only module that knows actix-web: the application (state built once,
//! middleware, route table) and every route. Handlers decode the request, call the core and
//! encode the answer; protocol rules live in [`crate::sparql`], lookups in
//! [`crate::catalog`], analytics in [`crate::analytics`], writers in [`crate::export`].
//!
//! - [`sparql`]: `/sparql` (SPARQL 1.1 Protocol); [`graph_store`]: `/store` (Graph Store
//!   Protocol); [`health`]: `/healthz`, `/metrics`; [`page`]: `/`.
//! - [`api`]: the JSON API under `/api` (lookups, analytics, exports); [`openapi`]: its
//!   OpenAPI document.
//! - [`state`]: [`AppState`] and [`ServeConfig`]; [`pool`]: the large-stack threads that
//!   parse and evaluate; [`middleware`]: the request span;
//!   [`metrics`]: Prometheus metrics; [`problem`]: RFC 9457 errors; [`stream`]: the one
//!   streaming body and the plain-text errors; [`limits`]: the time limits of analytics and
//!   exports (deadline and timer, `timeout=`, in-flight gauge, the 503 naming a cheaper
//!   request).

pub mod api;
pub mod body;
mod graph_store;
pub mod health;
pub mod limits;
pub mod metrics;
mod middleware;
pub mod openapi;
pub mod page;
pub mod pool;
pub mod problem;
mod sparql;
pub mod state;
pub mod stream;

pub use state::{
    AppState, ServeConfig, DEFAULT_MAX_BODY, DEFAULT_MAX_ROWS, MAX_CONCURRENT, MAX_WORKERS,
    QUEUE_WAIT,
};

use crate::store::KgStore;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::{web, App, HttpServer};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    address: SocketAddr,
}

impl Application {
    /// Binds the listener (port 0 picks a free one) and builds the server around `store`:
    /// the [`AppState`] is built here, once, and shared by every worker.
    pub fn build(config: ServeConfig, store: Arc<KgStore>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(&config.bind)?;
        let address = listener.local_addr()?;
        let workers = config.workers.clamp(1, state::MAX_WORKERS);
        let state = web::Data::new(AppState::new(store, config)?);
        let server = HttpServer::new(move || {
            let cors = cors(&state.config.cors);
            App::new()
                .app_data(state.clone())
                .wrap(actix_web::middleware::Condition::new(
                    !state.config.cors.is_empty(),
                    cors,
                ))
                .wrap(actix_web::middleware::from_fn(middleware::utf8_only))
                .wrap(actix_web::middleware::from_fn(middleware::request_span))
                .service(
                    web::resource("/sparql")
                        .route(web::get().to(sparql::sparql))
                        .route(web::head().to(sparql::sparql))
                        .route(web::post().to(sparql::sparql))
                        .default_service(web::to(not_allowed(sparql::ALLOW))),
                )
                .service(graph_store_resource("/store"))
                .service(graph_store_resource("/store/{graph:.+}"))
                .service(get_only("/healthz", health::healthz))
                .service(get_only("/metrics", health::metrics_text))
                .service(get_only("/", page::index))
                .configure(api::configure)
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

/// Runs a server on `store` until SIGINT or SIGTERM (what `autokg serve` does): binds,
/// logs the address, the store's size and whether it is read-only, and serves on an actix
/// runtime of its own. Errors: [`crate::error::Error::Io`] when the address cannot be bound.
pub fn serve(config: ServeConfig, store: Arc<KgStore>) -> crate::error::Result<()> {
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| crate::error::Error::Io {
            path: what.into(),
            source,
        }
    };
    let quads = store.len()?;
    let persistent = store.is_persistent();
    let read_only = config.update_token.is_none();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config, store).map_err(io("<listener>"))?;
        tracing::info!(
            address = %app.address(),
            quads,
            persistent,
            read_only,
            "autokg listening on http://{}/ (SPARQL at /sparql, graph store at /store)",
            app.address()
        );
        app.run_until_stopped().await.map_err(io("<server>"))
    })
}

/// The resource of the Graph Store at `path` (`/store`, or the URLs under it).
fn graph_store_resource(path: &str) -> actix_web::Resource {
    web::resource(path)
        .route(web::get().to(graph_store::read))
        .route(web::head().to(graph_store::read))
        .route(web::put().to(graph_store::put))
        .route(web::post().to(graph_store::post))
        .route(web::delete().to(graph_store::delete))
        .default_service(web::to(not_allowed(graph_store::ALLOW)))
}

/// A resource answering GET and HEAD with `handler` (actix-web sends a HEAD's headers,
/// `Content-Length` included, without the body), and other methods with a 405.
fn get_only<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args> + Clone,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(web::to(not_allowed("GET, HEAD")))
}

/// The handler of a method a known path does not take: 405 in plain text with `Allow`
/// listing `allow` (RFC 9110 §15.5.6).
fn not_allowed(
    allow: &'static str,
) -> impl Fn(actix_web::HttpRequest) -> std::future::Ready<actix_web::HttpResponse> + Clone {
    move |req: actix_web::HttpRequest| {
        let mut response =
            stream::error_response(&crate::sparql::HttpError::method_not_allowed(format!(
                "{} is not allowed on {}; it answers {allow}",
                req.method(),
                req.path()
            )));
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static(allow));
        std::future::ready(response)
    }
}

/// The server's origin for this request ([`crate::sparql::description::public_base`]):
/// `--public-url` if set, else the request's `Host` when it is a valid authority.
pub(crate) fn public_base(req: &actix_web::HttpRequest, state: &AppState) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    crate::sparql::description::public_base(
        state.config.public_url.as_deref(),
        host,
        req.app_config().local_addr(),
    )
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
