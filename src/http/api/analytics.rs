//! The analytics routes: centrality, critical nodes, disruption impact and paths on a named
//! projection. Handlers decode, run [`crate::analytics`] on a blocking thread under an
//! evaluation slot and the time limit (the server's `--timeout`, lowered by `timeout=`; see
//! [`crate::http::limits`]), and send the façade's reports as they are (the same JSON as
//! `autokg ... --format json`); the reports carry their own OpenAPI schemas. Centrality
//! scores come from the shared score cache.

use super::reply::Reply;
use super::{query, Context};
use crate::analytics::{
    self as core, CentralityReport, CriticalReport, ImpactReport, Measure, MeasureOptions,
    PathsReport,
};
use crate::http::limits::requested_timeout;
use crate::http::problem::{Problem, ProblemDetails};
use crate::http::state::{Cheaper, Run};
use crate::http::AppState;
use crate::projection::{ProjectionSpec, DEFAULT, NAMED};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::IntoParams;

/// The most paths `/api/paths` computes.
pub const MAX_K: usize = 20;
/// The most entities `/api/analytics/impact` removes at once.
pub const MAX_REMOVED: usize = 100;

fn enum_schema(
    values: Vec<&'static str>,
    example: &'static str,
    description: &str,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .examples([example])
        .into()
}

fn measure_schema() -> RefOr<Schema> {
    enum_schema(
        Measure::ALL.iter().map(|m| m.name()).collect(),
        "pagerank",
        "The measure, with networkx's conventions.",
    )
}

/// The schema of a `projection` parameter: the named projections.
pub fn projection_schema() -> RefOr<Schema> {
    enum_schema(
        NAMED.iter().map(|(n, _)| *n).collect(),
        DEFAULT,
        "A named projection of `queries/projections/` (default: `supply-chain`; `all` for paths).",
    )
}

// ---------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------

/// Parameters of `GET /api/analytics/centrality`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentralityQuery {
    /// The measure (networkx's conventions).
    #[param(required = true, schema_with = measure_schema)]
    pub measure: String,
    /// A named projection (default `supply-chain`).
    #[param(schema_with = projection_schema)]
    pub projection: Option<String>,
    /// Keep only the best N nodes.
    #[param(minimum = 1, example = 5)]
    pub top: Option<u32>,
    /// Degree and betweenness: normalise as networkx does (default true).
    pub normalized: Option<bool>,
    /// Betweenness: estimate from this many sampled sources.
    #[param(minimum = 2)]
    pub samples: Option<u32>,
    /// Betweenness: the sample's seed (default 0).
    pub seed: Option<u64>,
    /// Dominators: the root entity (id or IRI).
    pub root: Option<String>,
    /// Dominators: walk edges backwards.
    pub reverse: Option<bool>,
    /// Lowers the server's time limit for this request, in seconds (as `timeout` on
    /// `/sparql`); at the limit the answer is 503 naming a cheaper request.
    #[param(exclusive_minimum = 0, example = 5)]
    pub timeout: Option<f64>,
}

/// Parameters of `GET /api/analytics/critical`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CriticalQuery {
    /// A named projection (default `supply-chain`).
    #[param(schema_with = projection_schema)]
    pub projection: Option<String>,
    /// Lowers the server's time limit for this request, in seconds (as `timeout` on
    /// `/sparql`); at the limit the answer is 503 naming a cheaper request.
    #[param(exclusive_minimum = 0, example = 5)]
    pub timeout: Option<f64>,
}

/// Parameters of `GET /api/analytics/impact` besides `node`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// A named projection (default `supply-chain`).
    #[param(schema_with = projection_schema)]
    pub projection: Option<String>,
    /// Lowers the server's time limit for this request, in seconds (as `timeout` on
    /// `/sparql`); at the limit the answer is 503 naming a cheaper request.
    #[param(exclusive_minimum = 0, example = 5)]
    pub timeout: Option<f64>,
}

/// Parameters of `GET /api/paths`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PathsQuery {
    /// The start entity (id or IRI).
    #[param(example = "huawei")]
    pub from: String,
    /// The end entity (id or IRI).
    #[param(example = "seres")]
    pub to: String,
    /// How many shortest simple paths (default 1).
    #[param(minimum = 1, maximum = 20, example = 3)]
    pub k: Option<u32>,
    /// A named projection (default `all`, every relation either way).
    #[param(schema_with = projection_schema)]
    pub projection: Option<String>,
    /// Lowers the server's time limit for this request, in seconds (as `timeout` on
    /// `/sparql`); at the limit the answer is 503 naming a cheaper request.
    #[param(exclusive_minimum = 0, example = 5)]
    pub timeout: Option<f64>,
}

fn spec(name: Option<&str>, default: &str) -> Result<ProjectionSpec, Problem> {
    Ok(ProjectionSpec::named(name.unwrap_or(default))?)
}

// ---------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------

/// Scores every node of a projection with a measure, best first.
#[utoipa::path(
    get,
    path = "/api/analytics/centrality",
    tag = "analytics",
    params(CentralityQuery),
    responses(
        (status = 200, description = "The scores.", content((CentralityReport = "application/json"), (CentralityReport = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "An unknown measure or projection, options that do not fit the measure, or no convergence.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "An unknown root entity (with suggestions), or one outside the projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the computation ran over its time limit and was stopped (the detail names a cheaper request); retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn centrality(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let q: CentralityQuery = query(&req)?;
    let measure: Measure = q.measure.parse()?;
    let spec = spec(q.projection.as_deref(), DEFAULT)?;
    let limit = state.time_limit(requested_timeout(q.timeout)?);
    let options = MeasureOptions {
        normalized: q.normalized.unwrap_or(true),
        samples: q.samples.map(|s| s as usize),
        seed: q.seed.unwrap_or(0),
        root: q.root.clone(),
        reverse: q.reverse.unwrap_or(false),
        top: q.top.map(|t| t as usize),
    };
    let names = q.root.into_iter().collect();
    let cheaper = centrality_cheaper(measure, &options, spec.name());
    on_projection(
        &state,
        &req,
        spec,
        names,
        (limit, cheaper),
        move |run, p| {
            core::measure_until(
                &run.store,
                p,
                measure,
                &options,
                &run.deadline,
                Some(&run.measures),
            )
        },
    )
    .await
}

/// What a centrality request that ran out of time should ask for instead.
fn centrality_cheaper(measure: Measure, options: &MeasureOptions, projection: &str) -> Cheaper {
    let smaller = smaller_projection(projection);
    let (what, instead) = match (measure, options.samples) {
        (Measure::Betweenness, None) => (
            "exact betweenness".to_owned(),
            format!("ask for sampled betweenness instead: samples=K estimates it from K source nodes (for example samples=100; the report says it is sampled), or use {smaller}"),
        ),
        (Measure::Betweenness, Some(k)) => (
            format!("betweenness sampled from {k} sources"),
            format!("sample fewer sources (for example samples={}), or use {smaller}", (k / 4).max(2)),
        ),
        (Measure::Closeness | Measure::Harmonic, _) => (
            measure.name().to_owned(),
            format!("{measure} searches from every node: use {smaller}, or a one-pass measure (degree, pagerank, kcore)"),
        ),
        _ => (measure.name().to_owned(), format!("use {smaller}")),
    };
    Cheaper {
        what: format!("{what} on '{projection}'"),
        instead,
    }
}

/// "a smaller projection", with examples when the request used `all`.
fn smaller_projection(projection: &str) -> String {
    let others: Vec<&str> = NAMED
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != projection && *n != "all")
        .collect();
    format!(
        "a smaller projection than '{projection}' (projection={})",
        others.join(" or projection=")
    )
}

/// Answers a report computed on a projection: 304 when the client's ETag is current, else
/// `work` on a blocking thread under an evaluation permit and the time limit of `limit`
/// (`names` are the entities the request names, for suggestions on a 404; `cheaper` what a
/// 503 at the limit suggests), sent as JSON or JSON-LD.
async fn on_projection<R>(
    state: &AppState,
    req: &HttpRequest,
    spec: ProjectionSpec,
    names: Vec<String>,
    (limit, cheaper): (std::time::Duration, Cheaper),
    work: impl FnOnce(&Run, &crate::projection::Projection) -> crate::error::Result<R> + Send + 'static,
) -> Result<HttpResponse, Problem>
where
    R: Serialize + Send + 'static,
{
    let reply = Reply::new(req, state);
    if let Some(r) = reply.not_modified() {
        return Ok(r);
    }
    let report = state
        .analyse(names, limit, cheaper, move |run| {
            let p = run.projection(&spec)?;
            work(run, &p)
        })
        .await?;
    reply.send(Context::Analytics, &super::jsonld::AsIs(&report))
}

/// Articulation points and bridges of a projection's undirected view.
#[utoipa::path(
    get,
    path = "/api/analytics/critical",
    tag = "analytics",
    params(CriticalQuery),
    responses(
        (status = 200, description = "Single points of failure.", content((CriticalReport = "application/json"), (CriticalReport = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "An unknown projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the computation ran over its time limit and was stopped (the detail names a cheaper request); retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn critical(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let q: CriticalQuery = query(&req)?;
    let spec = spec(q.projection.as_deref(), DEFAULT)?;
    let limit = state.time_limit(requested_timeout(q.timeout)?);
    let cheaper = Cheaper {
        what: format!("the search for critical nodes of '{}'", spec.name()),
        instead: format!("use {}", smaller_projection(spec.name())),
    };
    on_projection(
        &state,
        &req,
        spec,
        Vec::new(),
        (limit, cheaper),
        |run, p| core::critical_until(&run.store, p, &run.deadline),
    )
    .await
}

/// What removing one or more entities together cuts off.
#[utoipa::path(
    get,
    path = "/api/analytics/impact",
    tag = "analytics",
    params(
        ("node" = Vec<String>, Query, description = "Entities to remove together (ids or IRIs); repeat the parameter or separate with commas.", style = Form, explode, example = json!(["jetta"])),
        ImpactQuery,
    ),
    responses(
        (status = 200, description = "The impact.", content((ImpactReport = "application/json"), (ImpactReport = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "No node, too many, or an unknown projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "An unknown entity (with suggestions), or one outside the projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the computation ran over its time limit and was stopped (the detail names a cheaper request); retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn impact(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let q: ImpactQuery = query(&req)?;
    let nodes: Vec<String> = form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k == "node")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    if nodes.is_empty() {
        return Err(Problem::bad_request(
            "name at least one entity to remove: node=jetta (repeat node= for several)",
        ));
    }
    if nodes.len() > MAX_REMOVED {
        return Err(Problem::bad_request(format!(
            "{} nodes named; remove at most {MAX_REMOVED} at once",
            nodes.len()
        )));
    }
    let spec = spec(q.projection.as_deref(), DEFAULT)?;
    let limit = state.time_limit(requested_timeout(q.timeout)?);
    let cheaper = Cheaper {
        what: format!(
            "the impact of removing {} entities from '{}'",
            nodes.len(),
            spec.name()
        ),
        instead: format!(
            "remove fewer entities at once, or use {}",
            smaller_projection(spec.name())
        ),
    };
    let names = nodes.clone();
    on_projection(
        &state,
        &req,
        spec,
        names,
        (limit, cheaper),
        move |run, p| core::impact_until(&run.store, &nodes, p, &run.deadline),
    )
    .await
}

/// The `k` shortest relationship paths between two entities, with the relation and
/// provenance of every hop.
#[utoipa::path(
    get,
    path = "/api/paths",
    tag = "analytics",
    params(PathsQuery),
    responses(
        (status = 200, description = "The paths.", content((PathsReport = "application/json"), (PathsReport = "application/ld+json")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified."),
        (status = 400, description = "A missing entity, a bad k or an unknown projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "An unknown entity (with suggestions), or one outside the projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the computation ran over its time limit and was stopped (the detail names a cheaper request); retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn paths(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let q: PathsQuery = query(&req)?;
    let k = q.k.unwrap_or(1) as usize;
    if !(1..=MAX_K).contains(&k) {
        return Err(Problem::bad_request(format!(
            "k={k} is out of range; ask for 1 to {MAX_K} paths"
        )));
    }
    let spec = spec(q.projection.as_deref(), "all")?;
    let limit = state.time_limit(requested_timeout(q.timeout)?);
    let cheaper = Cheaper {
        what: format!("the search for {k} shortest paths in '{}'", spec.name()),
        instead: format!(
            "ask for fewer paths (k=1 is one search), or use {}",
            smaller_projection(spec.name())
        ),
    };
    let names = vec![q.from.clone(), q.to.clone()];
    on_projection(
        &state,
        &req,
        spec,
        names,
        (limit, cheaper),
        move |run, p| core::paths_until(&run.store, &q.from, &q.to, k, p, &run.deadline),
    )
    .await
}
