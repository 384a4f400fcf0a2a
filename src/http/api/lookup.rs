//! The lookup routes: one entity, firms, an entity's relations, observations and search.
//! Each handler decodes its parameters, asks the [`crate::catalog`] index and encodes the
//! answer; the index is in memory, so only a rebuild (after a write) leaves the async worker.

use super::reply::Reply;
use super::{query, Context};
use crate::catalog::{
    Direction, Entity, EntityRelations, FirmFilter, FirmPage, ObservationFilter, ObservationList,
    SearchResults, DEFAULT_LIMIT,
};
use crate::http::problem::{Problem, ProblemDetails};
use crate::http::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

/// The longest search text (characters): longer text cannot match a label usefully and
/// would only make every key's substring test longer.
pub const MAX_QUERY_TEXT: usize = 200;

/// Parameters of `GET /api/firms`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FirmsQuery {
    /// A class of firms (subclasses included): an `ak:` local name such as `Automaker`,
    /// `JointVenture` or `TechnologyCompany`, a compact IRI or an IRI.
    #[serde(rename = "type")]
    #[param(rename = "type", example = "Automaker")]
    pub class: Option<String>,
    /// A place (id) where the firm is headquartered or produces.
    #[param(example = "hefei")]
    pub city: Option<String>,
    /// A place (id) that the firm's places are in, following `ak:locatedIn`.
    #[param(example = "anhui")]
    pub province: Option<String>,
    /// An economic region (id) that the firm's places are part of.
    #[param(example = "yangtze-river-delta")]
    pub region: Option<String>,
    /// Firms per page (default 50).
    #[param(minimum = 1, maximum = 500, example = 10)]
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    #[param(pattern = "^c1([0-9a-f]{2})*$")]
    pub cursor: Option<String>,
}

/// Parameters of `GET /api/firms/{id}/relations`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelationsQuery {
    /// Only this relation: an `ak:` local name such as `investedIn`, a compact IRI or an IRI.
    #[serde(rename = "type")]
    #[param(rename = "type", example = "investedIn")]
    pub relation: Option<String>,
    /// `out` (the entity is the subject), `in` (the object) or `both` (default). Symmetric
    /// relations such as `ak:partnerOf` count both ways.
    #[param(inline, example = "out")]
    pub direction: Option<Direction>,
}

/// Parameters of `GET /api/observations`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObservationsQuery {
    /// The entity (id) the figures are about.
    #[param(example = "chongqing")]
    pub subject: Option<String>,
    /// The measure: an `ak:` local name such as `VehicleOutput`, a compact IRI or an IRI.
    #[param(example = "VehicleOutput")]
    pub measure: Option<String>,
    /// Only periods that start on or after this date.
    #[param(value_type = Option<String>, format = Date, example = "2025-01-01")]
    pub from: Option<String>,
    /// Only periods that end on or before this date.
    #[param(value_type = Option<String>, format = Date, example = "2025-12-31")]
    pub to: Option<String>,
}

/// Parameters of `GET /api/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to find in English or Chinese labels and alternative labels, or in ids.
    #[param(min_length = 1, max_length = 200, example = "问界")]
    pub q: String,
    /// The most hits (default 10).
    #[param(minimum = 1, maximum = 100, example = 10)]
    pub limit: Option<u32>,
}

/// One entity: types, labels (en, zh), properties, outgoing and incoming relations with
/// their provenance, and its observations.
#[utoipa::path(
    get,
    path = "/api/entities/{id}",
    tag = "lookup",
    params(("id" = String, Path, description = "The entity's `akid:` local name (or a compact or full IRI, percent-encoded).", example = "seres")),
    responses(
        (status = 200, description = "The entity.", content((Entity = "application/json"), (Entity = "application/ld+json")),
            headers(("ETag" = String, description = "Changes when the store does."), ("Cache-Control" = String))),
        (status = 304, description = "Not modified since the `If-None-Match` ETag."),
        (status = 404, description = "No such entity; `suggestions` lists the closest ids.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let reply = Reply::new(&req, &state);
    if let Some(r) = reply.not_modified() {
        return Ok(r);
    }
    let entity = state.lookup(move |index| index.entity(&id)).await?;
    reply.send(Context::Lookup, &entity)
}

/// Firms (`ak:Company` and its subclasses), filtered, sorted by IRI, paged with an opaque
/// cursor.
#[utoipa::path(
    get,
    path = "/api/firms",
    tag = "lookup",
    params(FirmsQuery),
    responses(
        (status = 200, description = "One page of firms.", content((FirmPage = "application/json"), (FirmPage = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "An unknown class, a bad limit or cursor.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "A place filter names no entity (with suggestions).", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn firms(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let q: FirmsQuery = query(&req)?;
    let reply = Reply::new(&req, &state);
    if let Some(r) = reply.not_modified() {
        return Ok(r);
    }
    let filter = FirmFilter {
        class: q.class,
        city: q.city,
        province: q.province,
        region: q.region,
    };
    let limit = q.limit.map_or(DEFAULT_LIMIT, |l| l as usize);
    let page: FirmPage = state
        .lookup(move |index| index.firms(&filter, limit, q.cursor.as_deref()))
        .await?;
    reply.send(Context::Lookup, &page)
}

/// The relations of an entity (a firm, or any other entity), with provenance.
#[utoipa::path(
    get,
    path = "/api/firms/{id}/relations",
    tag = "lookup",
    params(("id" = String, Path, description = "The entity's id.", example = "hefei-government"), RelationsQuery),
    responses(
        (status = 200, description = "The relations.", content((EntityRelations = "application/json"), (EntityRelations = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "An unknown relation type or direction.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such entity; `suggestions` lists the closest ids.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn relations(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let q: RelationsQuery = query(&req)?;
    let reply = Reply::new(&req, &state);
    if let Some(r) = reply.not_modified() {
        return Ok(r);
    }
    let direction = q.direction.unwrap_or_default();
    let relations: EntityRelations = state
        .lookup(move |index| index.relations(&id, q.relation.as_deref(), direction))
        .await?;
    reply.send(Context::Lookup, &relations)
}

/// Figures (`ak:Observation`), each with its own period, filtered by subject, measure and
/// period (periods inside `[from, to]`).
#[utoipa::path(
    get,
    path = "/api/observations",
    tag = "lookup",
    params(ObservationsQuery),
    responses(
        (status = 200, description = "The observations.", content((ObservationList = "application/json"), (ObservationList = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "An unknown measure, or a bad date.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "The subject names no entity (with suggestions).", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn observations(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let q: ObservationsQuery = query(&req)?;
    let reply = Reply::new(&req, &state);
    if let Some(r) = reply.not_modified() {
        return Ok(r);
    }
    let filter = ObservationFilter {
        subject: q.subject,
        measure: q.measure,
        from: q.from,
        to: q.to,
    };
    let list: ObservationList = state
        .lookup(move |index| index.observations(&filter))
        .await?;
    reply.send(Context::Lookup, &list)
}

/// Entities by English or Chinese label: exact, then prefix, then substring matches,
/// case-insensitive.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "lookup",
    params(SearchQuery),
    responses(
        (status = 200, description = "Hits, best first.", content((SearchResults = "application/json"), (SearchResults = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "No `q`, or a bad limit.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn search(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let q: SearchQuery = query(&req)?;
    let limit = q.limit.unwrap_or(10) as usize;
    if !(1..=crate::catalog::MAX_SEARCH).contains(&limit) {
        return Err(Problem::bad_request(format!(
            "limit={limit} is out of range; ask for 1 to {} hits",
            crate::catalog::MAX_SEARCH
        )));
    }
    if q.q.is_empty() {
        return Err(Problem::bad_request(
            "q is empty; give some text to look for, such as q=Seres or q=问界",
        ));
    }
    if q.q.chars().count() > MAX_QUERY_TEXT {
        return Err(Problem::bad_request(format!(
            "q has {} characters; search text is at most {MAX_QUERY_TEXT}",
            q.q.chars().count()
        )));
    }
    let reply = Reply::new(&req, &state);
    if let Some(r) = reply.not_modified() {
        return Ok(r);
    }
    let results: SearchResults = state
        .lookup(move |index| Ok(index.search(&q.q, limit)))
        .await?;
    reply.send(Context::Lookup, &results)
}
