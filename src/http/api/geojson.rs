//! `GET /api/export?format=geojson[&query=SELECT…][&timeout=SECS]`: GeoJSON (RFC 7946) of
//! every place with its figures, or of a user's SELECT with a WKT column
//! ([`crate::export::geojson`]).
//!
//! A user's query runs under the same rules as on `/sparql`: the nesting check and the
//! parser on the large-stack evaluation pool (400 naming the limit or the syntax error),
//! an evaluation slot (503 when none frees up), the time limit (the server's `--timeout`,
//! lowered by `timeout=`; 503 at the limit, evaluation stopped) and the row cap
//! (`--max-rows`; 400 naming it, never a truncated file), and at most
//! [`geojson::MAX_TEXT_BYTES`] of text in its rows (the file is built before it is sent;
//! 400 past it). `SERVICE` is refused here (400):
//! federated queries go to `/sparql`, where the operator's allow-list applies.

use crate::error::Error;
use crate::export::geojson;
use crate::export::Format;
use crate::http::limits::{InFlight, Watch};
use crate::http::problem::Problem;
use crate::http::state::Cheaper;
use crate::http::AppState;
use crate::sparql::evaluate::parse_query;
use crate::sparql::service::{check_query, ServicePolicy};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use std::time::Duration;

/// Builds the GeoJSON of `query` (or of every place without one) and answers it as
/// `application/geo+json` with a `Content-Disposition` file name.
pub async fn respond(
    state: web::Data<AppState>,
    query: Option<String>,
    timeout: Option<Duration>,
) -> Result<HttpResponse, Problem> {
    let limit = state.time_limit(timeout);
    let cheaper = Cheaper {
        what: if query.is_some() {
            "the GeoJSON of this SELECT".to_owned()
        } else {
            "the GeoJSON of every place".to_owned()
        },
        instead: "add LIMIT or narrow the query".to_owned(),
    };
    let permit = state.permit().await?;
    let watch = Watch::start(limit);
    let deadline = watch.deadline().clone();
    let store = state.store.clone();
    let max_rows = state.config.max_rows;
    let in_flight = InFlight::new(state.metrics.clone());
    let built = state
        .pool
        .run(move || {
            let features = match query {
                None => geojson::places_until(&store, &deadline),
                Some(text) => {
                    let parsed = parse_query(&text).map_err(Problem::from)?;
                    check_query(&parsed, &ServicePolicy::default()).map_err(|e| {
                        Problem::bad_request(format!(
                            "{e}; GeoJSON exports run on this server's data only (send federated queries to /sparql)"
                        ))
                    })?;
                    geojson::select_until(&store, &text, &deadline, max_rows)
                }
            };
            let features = features.map_err(|e| match e {
                Error::Timeout(_) => None,
                e => Some(Problem::from(e)),
            });
            let body = features.map(|f| {
                let mut out = Vec::new();
                geojson::write(&f, &mut out).map(|()| out)
            });
            drop(in_flight);
            drop(permit);
            Ok::<_, Problem>(body)
        })
        .await
        .map_err(Problem::from)??;
    drop(watch);
    let body = match built {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(Problem::new(500, format!("writing the GeoJSON: {e}"))),
        Err(None) => return Err(state.timed_out(limit, &cheaper)),
        Err(Some(problem)) => return Err(problem),
    };
    Ok(HttpResponse::Ok()
        .content_type(Format::GeoJson.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"autokg-places.geojson\"",
        ))
        .body(body))
}
