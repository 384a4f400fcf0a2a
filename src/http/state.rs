//! What every handler shares, built once in [`super::Application::build`] and passed to the
//! handlers as actix app data: the store, the configuration, the evaluation permits, the
//! metrics, and the caches kept per store generation (catalog index, built projections,
//! measure scores, centrality scores behind the `akf:` functions).

use super::limits::{time_limit, InFlight, Watch};
use super::metrics::Metrics;
use super::problem::Problem;
use crate::algorithms::Deadline;
use crate::analytics::{MeasureCache, ScoreCache};
use crate::catalog::{Catalog, Index};
use crate::error::Error;
use crate::projection::{Projection, ProjectionCache, ProjectionSpec};
use crate::sparql::federation::Federation;
use crate::sparql::HttpError;
use crate::store::KgStore;
use actix_web::http::header::HeaderValue;
use actix_web::web;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Default request body limit, in bytes.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// Default cap on the rows of a `/sparql` result: far above any analytics projection or
/// export of the benchmark networks (a 100k-firm network's `all` projection has about 400k
/// edges), low enough that one request cannot stream a multi-gigabyte answer.
pub const DEFAULT_MAX_ROWS: u64 = 1_000_000;
/// How long a request waits for an evaluation slot before it is answered 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// HTTP workers per core by default. actix-web's own default is one per core; next to
/// another busy process on the same cores a worker that is preempted stalls every
/// connection it holds, and with four per core the label query in memory went from 0.98 to
/// 1.24 of `oxigraph serve`'s rate and its p99 from 2.42 to 1.08 ms (`benches/http.sh`, the
/// README's Performance section). A server with its cores to itself has the lowest p99 at
/// one per core (`--workers`).
pub const WORKERS_PER_CORE: usize = 4;

/// The most evaluations a server may run at once (`--max-concurrent`): far past any useful
/// count, and far below what tokio's semaphore allows (it panics past `usize::MAX >> 3`).
pub const MAX_CONCURRENT: usize = 65_536;

/// The most HTTP workers a server may have: actix-server's own bound (it panics past 512).
pub const MAX_WORKERS: usize = 512;

/// Everything `autokg serve` can be told.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to bind (`127.0.0.1:0` picks a free port).
    pub bind: String,
    /// The server's maximum time per query, update, analytics run or export; requests may
    /// lower it.
    pub timeout: Duration,
    /// The most rows a result may have (`None`: no cap).
    pub max_rows: Option<u64>,
    /// Origins allowed by CORS (`*` for any).
    pub cors: Vec<String>,
    /// The targets SERVICE may call and the client that calls them (`--allow-service`,
    /// `--service-ca`); off by default.
    pub federation: Federation,
    /// The bearer token that writes need; `None` makes the server read-only.
    pub update_token: Option<String>,
    /// Request body limit in bytes.
    pub max_body: usize,
    /// Evaluations that may run at once.
    pub max_concurrent: usize,
    /// The URL clients reach this server at (`https://kg.example.org`), when it sits behind a
    /// proxy: the Service Description's endpoint IRI is built from it. `None`: the request's
    /// own `Host` when valid, else the listener's address.
    pub public_url: Option<String>,
    /// HTTP worker threads (actix-web workers, each an event loop over its connections).
    /// Default: cores × [`WORKERS_PER_CORE`], at most [`MAX_WORKERS`].
    pub workers: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            bind: "127.0.0.1:7878".into(),
            timeout: Duration::from_secs(30),
            max_rows: Some(DEFAULT_MAX_ROWS),
            cors: Vec::new(),
            federation: Federation::off(),
            update_token: None,
            max_body: DEFAULT_MAX_BODY,
            max_concurrent: cores * 2,
            public_url: None,
            workers: (cores * WORKERS_PER_CORE).min(MAX_WORKERS),
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
    pub metrics: Arc<Metrics>,
    /// Centrality scores behind the `akf:` SPARQL functions, rebuilt when the store changes.
    pub scores: ScoreCache,
    /// The catalog index behind the lookups, rebuilt when the store changes.
    pub catalog: Arc<Catalog>,
    /// Built projections, shared by the analytics and export routes.
    pub projections: Arc<ProjectionCache>,
    /// The quad count behind `/healthz` and `/metrics`, kept per store generation.
    pub quads: Arc<super::health::QuadCount>,
    /// Scores of measures, shared by the centrality and export routes (hits and misses are
    /// counted in the metrics).
    pub measures: Arc<MeasureCache>,
    /// The large-stack threads that parse and evaluate SPARQL and parse RDF bodies.
    pub pool: super::pool::EvalPool,
    /// Parsed and checked queries by text (hits and misses are counted in the metrics).
    pub queries: Arc<crate::sparql::query_cache::QueryCache>,
    /// The `/api` reads answered 200 at the current generation, whose 304s skip the work.
    pub answered: Arc<super::api::reply::Answered>,
}

/// What a time-limited analytics run or export works with, on its blocking thread.
pub struct Run {
    /// The store.
    pub store: Arc<KgStore>,
    /// Built projections.
    pub projections: Arc<ProjectionCache>,
    /// Scores of measures.
    pub measures: Arc<MeasureCache>,
    /// The run's deadline: the request's time limit (or its handler being dropped).
    pub deadline: Deadline,
}

impl Run {
    /// The projection for `spec` (cached, else built under the deadline).
    pub fn projection(&self, spec: &ProjectionSpec) -> crate::error::Result<Arc<Projection>> {
        self.projections
            .get_until(&self.store, spec, &self.deadline)
    }
}

/// What ran over its time limit and the cheaper request to make instead, for the 503.
#[derive(Debug, Clone)]
pub struct Cheaper {
    /// What ran, as the detail names it ("exact betweenness on 'all'").
    pub what: String,
    /// The cheaper request ("ask for samples=K ...").
    pub instead: String,
}

/// How many parsed queries the server keeps ([`crate::sparql::query_cache`]).
pub const QUERY_CACHE_CAPACITY: usize = 512;

impl AppState {
    /// The state of a server on `store` configured by `config`, with empty caches and its
    /// evaluation pool. Errors: the pool's threads cannot be started.
    pub fn new(store: Arc<KgStore>, config: ServeConfig) -> std::io::Result<Self> {
        let metrics = Arc::new(Metrics::default());
        let (hits, misses) = (
            metrics.score_cache_hits.clone(),
            metrics.score_cache_misses.clone(),
        );
        let queries = Arc::new(crate::sparql::query_cache::QueryCache::new(
            QUERY_CACHE_CAPACITY,
            metrics.query_cache_hits.clone(),
            metrics.query_cache_misses.clone(),
        ));
        Ok(Self {
            quads: Arc::new(super::health::QuadCount::new(&store)),
            store,
            permits: Arc::new(Semaphore::new(
                config.max_concurrent.clamp(1, MAX_CONCURRENT),
            )),
            metrics,
            scores: ScoreCache::new(),
            catalog: Arc::new(Catalog::new()),
            projections: Arc::new(ProjectionCache::default()),
            measures: Arc::new(MeasureCache::with_observer(move |hit| {
                if hit {
                    hits.inc();
                } else {
                    misses.inc();
                }
            })),
            pool: super::pool::EvalPool::new()?,
            queries,
            answered: Arc::default(),
            config,
        })
    }

    /// A run under `deadline` with the shared caches.
    pub fn run(&self, deadline: &Deadline) -> Run {
        Run {
            store: self.store.clone(),
            projections: self.projections.clone(),
            measures: self.measures.clone(),
            deadline: deadline.clone(),
        }
    }

    /// The 503 of a run stopped at `limit`, counted in the timeouts metric.
    pub fn timed_out(&self, limit: Duration, cheaper: &Cheaper) -> Problem {
        self.metrics.timeouts.inc();
        time_limit(limit, &cheaper.what, &cheaper.instead)
    }

    /// Checks the `Authorization` header of a write: 403 when the server is read-only, 401
    /// when the token is missing or wrong (compared in constant time).
    pub fn authorize_write(&self, authorization: Option<&HeaderValue>) -> Result<(), HttpError> {
        let Some(expected) = &self.config.update_token else {
            return Err(HttpError::read_only());
        };
        let given = authorization
            .and_then(|h| h.to_str().ok())
            .and_then(bearer_token)
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

    /// Runs a catalog lookup on a blocking thread (suggestions for an unknown id compute
    /// edit distances, which stay off the async workers); a refusal becomes its problem.
    pub async fn lookup<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Index) -> Result<T, crate::catalog::Rejection> + Send + 'static,
    ) -> Result<T, Problem> {
        let index = self.index().await?;
        Ok(web::block(move || work(&index)).await??)
    }

    /// Runs analytics `work` on a blocking thread under an evaluation slot and the time
    /// limit `limit` (see [`super::limits`]): the permit and the in-flight mark are released
    /// when `work` ends, and `work` stops at its deadline. A run stopped at the limit is a
    /// 503 naming `cheaper`; an entity that is not found is a 404 (the one mapping) with the
    /// closest ids to the first of `names` the catalog does not know.
    pub async fn analyse<T: Send + 'static>(
        &self,
        names: Vec<String>,
        limit: Duration,
        cheaper: Cheaper,
        work: impl FnOnce(&Run) -> crate::error::Result<T> + Send + 'static,
    ) -> Result<T, Problem> {
        let permit = self.permit().await?;
        let watch = Watch::start(limit);
        let run = self.run(watch.deadline());
        let in_flight = InFlight::new(self.metrics.clone());
        let catalog = self.catalog.clone();
        let result = web::block(move || {
            let result = work(&run);
            drop(in_flight);
            drop(permit);
            match result {
                Ok(t) => Ok(t),
                Err(e @ Error::NotFound(_)) => {
                    let suggestions = catalog
                        .index(&run.store)
                        .ok()
                        .and_then(|i| names.iter().find(|n| !i.knows(n)).map(|n| i.suggest(n)))
                        .unwrap_or_default();
                    Err(Some(Problem::from(e).with_suggestions(suggestions)))
                }
                Err(Error::Timeout(_)) => Err(None),
                Err(e) => Err(Some(Problem::from(e))),
            }
        })
        .await?;
        drop(watch);
        result.map_err(|p| p.unwrap_or_else(|| self.timed_out(limit, &cheaper)))
    }
}

/// The token of an `Authorization: Bearer <token>` value. The scheme name is
/// case-insensitive (RFC 9110 §11.1, RFC 6750 §2.1); spaces around the token are dropped.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_matches(' '))
}
