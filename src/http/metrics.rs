//! Prometheus metrics of the server: requests by route and status, query durations,
//! timeouts, rejections, evaluations in flight (SPARQL, analytics and exports), score-cache
//! hits and misses, and triples in the store.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels of the request counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route pattern (`/sparql`, `/store`, ...), not the raw path.
    pub route: String,
    /// The response status code.
    pub status: u16,
}

/// The server's metrics, registered once.
pub struct Metrics {
    registry: Registry,
    /// Requests by route and status.
    pub requests: Family<RequestLabels, Counter>,
    /// Seconds from request to the end of a query's evaluation.
    pub query_seconds: Histogram,
    /// Queries, updates, analytics and exports stopped by their time limit.
    pub timeouts: Counter,
    /// Requests refused because too many evaluations were running.
    pub rejections: Counter,
    /// Evaluations running now: SPARQL queries, analytics and exports.
    pub in_flight: Gauge,
    /// Scores served from the score cache.
    pub score_cache_hits: Counter,
    /// Scores computed because the score cache did not have them.
    pub score_cache_misses: Counter,
    /// SPARQL queries whose parsed form came from the query cache.
    pub query_cache_hits: Counter,
    /// SPARQL queries parsed because the query cache did not have them.
    pub query_cache_misses: Counter,
    /// Quads in the store, updated at each scrape.
    pub triples: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("autokg");
        let requests = Family::<RequestLabels, Counter>::default();
        let query_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 18));
        let timeouts = Counter::default();
        let rejections = Counter::default();
        let in_flight = Gauge::default();
        let score_cache_hits = Counter::default();
        let score_cache_misses = Counter::default();
        let triples = Gauge::default();
        let query_cache_hits = Counter::default();
        let query_cache_misses = Counter::default();
        registry.register(
            "query_cache_hits",
            "SPARQL queries whose parsed form came from the query cache (no parse)",
            query_cache_hits.clone(),
        );
        registry.register(
            "query_cache_misses",
            "SPARQL queries parsed and checked because the query cache did not have them",
            query_cache_misses.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "query_duration_seconds",
            "SPARQL evaluation time",
            query_seconds.clone(),
        );
        registry.register(
            "query_timeouts",
            "Queries, updates, analytics and exports stopped by their time limit",
            timeouts.clone(),
        );
        registry.register(
            "rejections",
            "Requests refused because the server was busy",
            rejections.clone(),
        );
        registry.register(
            "evaluations_in_flight",
            "SPARQL evaluations, analytics and exports running now",
            in_flight.clone(),
        );
        registry.register(
            "score_cache_hits",
            "Measure scores served from the score cache",
            score_cache_hits.clone(),
        );
        registry.register(
            "score_cache_misses",
            "Measure scores computed because the score cache did not have them",
            score_cache_misses.clone(),
        );
        registry.register("store_quads", "Quads in the store", triples.clone());
        Self {
            registry,
            requests,
            query_seconds,
            timeouts,
            rejections,
            in_flight,
            score_cache_hits,
            score_cache_misses,
            query_cache_hits,
            query_cache_misses,
            triples,
        }
    }
}

impl Metrics {
    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
