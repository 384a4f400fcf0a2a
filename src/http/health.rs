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
        let (generation, quads) = store
            .count_len()
            .unwrap_or((store.generation().wrapping_sub(1), 0));
        Self {
            inner: Mutex::new(Counted {
                quads,
                generation,
                recounting: false,
            }),
        }
    }

    /// The last count and its generation, without waiting: the store's own count when its
    /// writes carried it forward ([`KgStore::known_len`]), else the last count, starting a
    /// recount when stale (after a bulk load or a recomputation).
    pub fn read(self: &Arc<Self>, store: &Arc<KgStore>) -> (usize, u64) {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let generation = store.generation();
        if let Some(quads) = store.known_len() {
            (c.quads, c.generation) = (quads, generation);
        }
        if c.generation != generation && !c.recounting {
            c.recounting = true;
            let (this, store) = (self.clone(), store.clone());
            drop(tokio::task::spawn_blocking(move || {
                let counted = store.count_len();
                let mut c = this.inner.lock().unwrap_or_else(|e| e.into_inner());
                if let Ok((generation, quads)) = counted {
                    if generation >= c.generation {
                        (c.quads, c.generation) = (quads, generation);
                    }
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
