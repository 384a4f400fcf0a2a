//! `/healthz` (JSON: status, quads, store generation, persistence, read-only) and
//! `/metrics` (Prometheus/OpenMetrics text), both in constant time: the quad count is read
//! from a [`QuadCount`] kept per store generation, never by scanning the store on the probe's
//! request (Oxigraph keeps no statistics, and `Store::len` scans: 150 ms at 1.1M quads).

use super::AppState;
use crate::store::KgStore;
use actix_web::{web, HttpResponse};
use std::sync::{Arc, Mutex};

/// The store's quad count as of some generation. Probes read it; when the store has moved
/// on since, the first probe starts one recount on a blocking thread and every probe
/// answers the last count meanwhile, with the generation it belongs to.
#[derive(Debug, Default)]
pub struct QuadCount {
    inner: Mutex<Counted>,
}

#[derive(Debug, Default)]
struct Counted {
    quads: usize,
    generation: u64,
    recounting: bool,
}

impl QuadCount {
    /// Counts `store` now (once, at start-up).
    pub fn new(store: &KgStore) -> Self {
        Self {
            inner: Mutex::new(Counted {
                quads: store.len().unwrap_or(0),
                generation: store.generation(),
                recounting: false,
            }),
        }
    }

    /// The last count and its generation, without waiting; starts a recount when stale.
    pub fn read(self: &Arc<Self>, store: &Arc<KgStore>) -> (usize, u64) {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if c.generation != store.generation() && !c.recounting {
            c.recounting = true;
            let (this, store) = (self.clone(), store.clone());
            drop(tokio::task::spawn_blocking(move || {
                let generation = store.generation();
                let quads = store.len();
                let mut c = this.inner.lock().unwrap_or_else(|e| e.into_inner());
                if let Ok(quads) = quads {
                    (c.quads, c.generation) = (quads, generation);
                }
                c.recounting = false;
            }));
        }
        (c.quads, c.generation)
    }
}

/// `GET /healthz`.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let (quads, counted_at) = state.quads.read(&state.store);
    HttpResponse::Ok().json(serde_json::json!({
        "status": "ok",
        "quads": quads,
        "quadsAsOfGeneration": counted_at,
        "generation": state.store.generation(),
        "persistent": state.store.is_persistent(),
        "readOnly": state.config.update_token.is_none(),
    }))
}

/// `GET /metrics`.
pub async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    let (quads, _) = state.quads.read(&state.store);
    state
        .metrics
        .triples
        .set(i64::try_from(quads).unwrap_or(i64::MAX));
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render())
}
