//! `/healthz` (JSON: status, quads, store generation, persistence, read-only) and
//! `/metrics` (Prometheus/OpenMetrics text).

use super::stream::error_response;
use super::AppState;
use crate::sparql::HttpError;
use actix_web::{web, HttpResponse};

/// `GET /healthz`.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
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
        Ok(Err(e)) => error_response(&HttpError::from(e)),
        Err(e) => error_response(&HttpError::internal(e.to_string())),
    }
}

/// `GET /metrics`.
pub async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
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
