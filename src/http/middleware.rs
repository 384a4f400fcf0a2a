//! The request-span middleware: one `tracing` span per request (id, method, path, status,
//! duration in milliseconds, query hash), the id sent back as `X-Request-Id`, and the
//! request counted in the metrics by route and status.

use super::metrics::RequestLabels;
use super::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tracing::Instrument;

/// The longest client-sent `X-Request-Id` that is kept; longer ones are replaced.
const MAX_REQUEST_ID: usize = 64;

/// Wraps one request in its span and records its outcome (use with
/// `actix_web::middleware::from_fn`).
pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= MAX_REQUEST_ID)
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
    async move {
        let mut res = next.call(req).await?;
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
    .await
}

/// Refuses, before routing, a request whose path or URL query is not UTF-8 once
/// percent-decoded: 400 naming the parameter, as plain text on `/sparql` and `/store` and as
/// a problem elsewhere (use with `actix_web::middleware::from_fn`).
pub async fn utf8_only(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if let Err(e) = crate::sparql::protocol::check_utf8(req.path(), req.query_string()) {
        let response = if req.path() == "/sparql"
            || req.path() == "/store"
            || req.path().starts_with("/store/")
        {
            super::stream::error_response(&e)
        } else {
            actix_web::ResponseError::error_response(&super::problem::Problem::from(e))
        };
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// A request id unique in this process: the start time and a counter, in hex.
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
        p if p.starts_with("/store/") => "/store".to_owned(),
        _ => "other".to_owned(),
    }
}
