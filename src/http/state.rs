//! What every handler shares, built once in [`super::Application::build`] and passed to the
//! handlers as actix app data: the store, the configuration, the evaluation permits, the
//! metrics, and the caches kept per store generation (catalog index, built projections,
//! centrality scores behind the `akf:` functions).

use super::metrics::Metrics;
use super::problem::Problem;
use crate::analytics::ScoreCache;
use crate::catalog::{Catalog, Index};
use crate::projection::ProjectionCache;
use crate::sparql::HttpError;
use crate::store::KgStore;
use actix_web::http::header::HeaderValue;
use actix_web::web;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Default request body limit, in bytes.
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

/// What every handler shares; one per server, shared by all its workers.
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
    pub scores: ScoreCache,
    /// The catalog index behind the lookups, rebuilt when the store changes.
    pub catalog: Arc<Catalog>,
    /// Built projections, shared by the analytics and export routes.
    pub projections: Arc<ProjectionCache>,
    /// The large-stack threads that parse and evaluate SPARQL and parse RDF bodies.
    pub pool: super::pool::EvalPool,
}

impl AppState {
    /// The state of a server on `store` configured by `config`, with empty caches and its
    /// evaluation pool. Errors: the pool's threads cannot be started.
    pub fn new(store: Arc<KgStore>, config: ServeConfig) -> std::io::Result<Self> {
        Ok(Self {
            store,
            permits: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            metrics: Metrics::default(),
            scores: ScoreCache::new(),
            catalog: Arc::new(Catalog::new()),
            projections: Arc::new(ProjectionCache::default()),
            pool: super::pool::EvalPool::new()?,
            config,
        })
    }

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

    /// Waits briefly ([`QUEUE_WAIT`]) for an evaluation slot; 503 when none frees up.
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

    /// The catalog index of the store's current generation; a rebuild runs on a blocking
    /// thread.
    pub async fn index(&self) -> Result<Arc<Index>, Problem> {
        if let Some(index) = self.catalog.ready(&self.store) {
            return Ok(index);
        }
        let (store, catalog) = (self.store.clone(), self.catalog.clone());
        Ok(web::block(move || catalog.index(&store)).await??)
    }

    /// Runs analytics `work` on a blocking thread under an evaluation slot. An entity that
    /// is not found is a 404 (the one mapping) with the closest ids to the first of `names`
    /// the catalog does not know.
    pub async fn analyse<T: Send + 'static>(
        &self,
        names: Vec<String>,
        work: impl FnOnce(&KgStore, &ProjectionCache) -> crate::error::Result<T> + Send + 'static,
    ) -> Result<T, Problem> {
        let _permit = self.permit().await?;
        let (store, catalog, projections) = (
            self.store.clone(),
            self.catalog.clone(),
            self.projections.clone(),
        );
        web::block(move || match work(&store, &projections) {
            Ok(t) => Ok(t),
            Err(e @ crate::error::Error::NotFound(_)) => {
                let suggestions = catalog
                    .index(&store)
                    .ok()
                    .and_then(|i| names.iter().find(|n| !i.knows(n)).map(|n| i.suggest(n)))
                    .unwrap_or_default();
                Err(Problem::from(e).with_suggestions(suggestions))
            }
            Err(e) => Err(Problem::from(e)),
        })
        .await?
    }
}
