//! The JSON API under `/api`: the route table, the per-store state the handlers share, and
//! the OpenAPI 3.1 document generated from the handlers' types (`/api/openapi.json`).
//!
//! Lookups (`entities`, `firms`, `relations`, `observations`, `search`) read the in-memory
//! [`crate::catalog`]; analytics (`analytics/*`, `paths`) run [`crate::analytics`] on a
//! blocking thread under an evaluation slot. [`reply`] holds the wire rules every route
//! shares: JSON or JSON-LD, ETag and 304, Cache-Control, problem+json errors.
//! `/api/export` and `/api/entities/{id}/neighbourhood` are registered by `crate::export`.

pub mod analytics;
pub mod jsonld;
pub mod lookup;
pub mod reply;

use crate::catalog::{Catalog, Index};
use crate::projection::ProjectionCache;
use crate::server::AppState;
use crate::store::KgStore;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, Handler, HttpRequest, HttpResponse, Responder};
pub use jsonld::Context;
use reply::ApiError;
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use utoipa::OpenApi;

/// Registers the `/api` routes (call with `App::configure`). Each route answers GET and
/// HEAD; other methods get 405 with `Allow`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::Data::new(Slot::default()))
        .service(resource("/api/entities/{id}", lookup::entity))
        .service(resource("/api/firms", lookup::firms))
        .service(resource("/api/firms/{id}/relations", lookup::relations))
        .service(resource("/api/observations", lookup::observations))
        .service(resource("/api/search", lookup::search))
        .service(resource("/api/analytics/centrality", analytics::centrality))
        .service(resource("/api/analytics/critical", analytics::critical))
        .service(resource("/api/analytics/impact", analytics::impact))
        .service(resource("/api/paths", analytics::paths))
        .service(resource("/api/openapi.json", openapi_json));
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

async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::method_not_allowed(req.method().as_str()))
}

/// Decodes a query string into `T`; a malformed one is a 400 naming the problem.
pub fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    web::Query::<T>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::bad_request(format!("query string: {e}")))
}

/// What the API keeps per store: the catalog and the built projections.
#[derive(Debug, Default)]
pub struct Shared {
    catalog: Catalog,
    projections: ProjectionCache,
}

impl Shared {
    /// The built projections of this store, shared by every worker and by the export routes.
    pub fn projections(&self) -> &ProjectionCache {
        &self.projections
    }
}

/// The [`Shared`] state of every store served in this process, so that all workers of a
/// server share one catalog and one projection cache. Entries go when their store does.
pub fn shared_for(store: &Arc<KgStore>) -> Arc<Shared> {
    type Registry = Vec<(Weak<KgStore>, Arc<Shared>)>;
    static REGISTRY: Mutex<Registry> = Mutex::new(Vec::new());
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    registry.retain(|(w, _)| w.strong_count() > 0);
    if let Some((_, s)) = registry
        .iter()
        .find(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(store)))
    {
        return s.clone();
    }
    let shared = Arc::new(Shared::default());
    registry.push((Arc::downgrade(store), shared.clone()));
    shared
}

/// A worker's handle on its store's [`Shared`] state, looked up once.
#[derive(Debug, Default)]
struct Slot(OnceLock<Arc<Shared>>);

/// What a handler needs: the server's state and the API's state for its store.
pub struct Ctx {
    /// The server's state (store, configuration, evaluation slots).
    pub app: web::Data<AppState>,
    shared: Arc<Shared>,
}

impl FromRequest for Ctx {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let app = req.app_data::<web::Data<AppState>>().cloned();
        let slot = req.app_data::<web::Data<Slot>>().cloned();
        std::future::ready(match (app, slot) {
            (Some(app), Some(slot)) => {
                let shared = slot.0.get_or_init(|| shared_for(&app.store)).clone();
                Ok(Ctx { app, shared })
            }
            _ => Err(ApiError::internal(
                "the JSON API is not configured on this server (no AppState)",
            )),
        })
    }
}

impl Ctx {
    /// The catalog index of the store's current generation; a rebuild runs on a blocking
    /// thread.
    pub async fn index(&self) -> Result<Arc<Index>, ApiError> {
        if let Some(index) = self.shared.catalog.ready(&self.app.store) {
            return Ok(index);
        }
        let (store, shared) = (self.app.store.clone(), self.shared.clone());
        Ok(web::block(move || shared.catalog.index(&store)).await??)
    }

    /// Runs analytics `work` on a blocking thread under an evaluation slot. An entity that
    /// is not found is a 400 with the closest ids to the first of `names` the catalog does
    /// not know.
    pub async fn analyse<T: Send + 'static>(
        &self,
        names: Vec<String>,
        work: impl FnOnce(&KgStore, &ProjectionCache) -> crate::error::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.app.permit().await?;
        let (store, shared) = (self.app.store.clone(), self.shared.clone());
        web::block(move || match work(&store, &shared.projections) {
            Ok(t) => Ok(t),
            Err(crate::error::Error::NotFound(detail)) => {
                let suggestions = shared
                    .catalog
                    .index(&store)
                    .ok()
                    .and_then(|i| names.iter().find(|n| !i.knows(n)).map(|n| i.suggest(n)))
                    .unwrap_or_default();
                Err(ApiError::bad_request(detail).with_suggestions(suggestions))
            }
            Err(e) => Err(ApiError::from(e)),
        })
        .await?
    }
}

/// The OpenAPI document of the `/api` routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "autokg JSON API",
        description = "Look up firms, places, their relations (with the source paragraph of each), figures and supply-chain analytics of China's automotive geography without writing SPARQL. Answers are JSON, or JSON-LD with `Accept: application/ld+json`; errors are RFC 9457 problem details; reads carry an ETag (send it back in If-None-Match for a 304). Ids are `akid:` local names such as `seres`."
    ),
    paths(
        lookup::entity,
        lookup::firms,
        lookup::relations,
        lookup::observations,
        lookup::search,
        analytics::centrality,
        analytics::critical,
        analytics::impact,
        analytics::paths,
        crate::export::http::export,
        crate::export::http::neighbourhood,
        openapi_json,
    ),
    tags(
        (name = "lookup", description = "Entities, firms, relations with provenance, observations and search."),
        (name = "analytics", description = "Centrality, single points of failure, disruption impact and paths on a projection."),
        (name = "export", description = "Projections and neighbourhoods as files for graph tools, or as RDF."),
        (name = "meta", description = "This document."),
    )
)]
pub struct ApiDoc;

/// This OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of the JSON API.", body = Object, content_type = "application/json"))
)]
pub async fn openapi_json() -> HttpResponse {
    static DOC: OnceLock<String> = OnceLock::new();
    let doc = DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    });
    HttpResponse::Ok()
        .content_type(reply::JSON)
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(doc.as_str())
}
