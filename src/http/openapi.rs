//! The OpenAPI 3.1 document of the JSON API (`/api/openapi.json`), generated from the
//! handlers' annotations and the core types' schemas.

use super::api::{analytics, export, lookup};
use actix_web::http::header;
use actix_web::HttpResponse;
use std::sync::OnceLock;
use utoipa::OpenApi;

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
        export::export,
        export::neighbourhood,
        openapi_json,
    ),
    modifiers(&RequiredParameters),
    tags(
        (name = "lookup", description = "Entities, firms, relations with provenance, observations and search."),
        (name = "analytics", description = "Centrality, single points of failure, disruption impact and paths on a projection."),
        (name = "export", description = "Projections and neighbourhoods as files for graph tools, or as RDF."),
        (name = "meta", description = "This document."),
    )
)]
pub struct ApiDoc;

/// Marks as required the parameters that the handlers require but whose `schema_with`
/// attribute makes utoipa-gen 5 drop their `required = true` (it builds the parameter from
/// the schema function alone). `tests/standards.rs` walks every operation's parameters
/// against the handlers, so a parameter missing here fails there.
struct RequiredParameters;

/// `(path, parameter)` pairs that are required despite a `schema_with`.
const REQUIRED_WITH_SCHEMA: &[(&str, &str)] = &[("/api/analytics/centrality", "measure")];

impl utoipa::Modify for RequiredParameters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, name) in REQUIRED_WITH_SCHEMA {
            let Some(item) = openapi.paths.paths.get_mut(*path) else {
                continue;
            };
            let Some(op) = item.get.as_mut() else {
                continue;
            };
            for p in op.parameters.iter_mut().flatten() {
                if p.name == *name {
                    p.required = utoipa::openapi::Required::True;
                }
            }
        }
    }
}

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
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(doc.as_str())
}
