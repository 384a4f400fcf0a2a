//! The JSON API under `/api`: the route table and the helpers every route shares.
//!
//! Lookups ([`lookup`]: entities, firms, relations, observations, search) read the
//! in-memory [`crate::catalog`]; analytics ([`analytics`]: centrality, critical, impact,
//! paths) run [`crate::analytics`] on a blocking thread under an evaluation slot; exports
//! ([`export`]: `/api/export`, neighbourhoods) stream [`crate::export`] writers. [`reply`]
//! holds the wire rules of reads (JSON or JSON-LD, ETag and 304, Cache-Control); errors are
//! [`Problem`]s.

pub mod analytics;
pub mod export;
pub mod geojson;
pub mod jsonld;
pub mod lookup;
pub mod reply;

use super::problem::Problem;
use actix_web::{web, FromRequest, Handler, HttpRequest, HttpResponse, Responder};
pub use jsonld::Context;
use serde::de::DeserializeOwned;

/// Registers the `/api` routes (call with `App::configure`). Each route answers GET and
/// HEAD; other methods get 405 with `Allow`. Any other path under `/api` is a 404 problem
/// naming it, so every `/api` error has the one problem shape.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .service(resource(
                "/entities/{id:.+}/neighbourhood",
                export::neighbourhood,
            ))
            .service(resource("/entities/{id}", lookup::entity))
            .service(resource("/firms", lookup::firms))
            .service(resource("/firms/{id}/relations", lookup::relations))
            .service(resource("/observations", lookup::observations))
            .service(resource("/search", lookup::search))
            .service(resource("/analytics/centrality", analytics::centrality))
            .service(resource("/analytics/critical", analytics::critical))
            .service(resource("/analytics/impact", analytics::impact))
            .service(resource("/paths", analytics::paths))
            .service(resource("/export", export::export))
            .service(resource("/openapi.json", super::openapi::openapi_json))
            .default_service(web::to(no_such_route)),
    );
}

/// The answer to a path under `/api` that no route serves, whatever the method.
async fn no_such_route(req: HttpRequest) -> Result<HttpResponse, Problem> {
    Err(Problem::new(
        404,
        format!(
            "no /api route serves {}; the routes are listed in /api/openapi.json",
            req.path()
        ),
    ))
}

/// A GET (and HEAD) resource that answers other methods with a 405 problem naming them.
pub fn resource<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: Handler<Args> + Clone,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(web::to(method_not_allowed))
}

async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, Problem> {
    Err(Problem::method_not_allowed(
        req.method().as_str(),
        "GET, HEAD",
    ))
}

/// Decodes a query string into `T`; a malformed one is a 400 naming the problem.
pub fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, Problem> {
    web::Query::<T>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| Problem::bad_request(format!("query string: {e}")))
}
