//! The analytics routes: centrality, critical nodes, disruption impact and paths on a named
//! projection. Handlers decode, run [`crate::analytics`] on a blocking thread under an
//! evaluation slot, and encode. The wire types mirror the façade's reports field for field
//! (the same JSON as `autokg ... --format json`) and carry the OpenAPI schemas.

use super::reply::Reply;
use super::{query, Context};
use crate::analytics::{self as core, Measure, MeasureOptions};
use crate::http::problem::{Problem, ProblemDetails};
use crate::http::AppState;
use crate::projection::{ProjectionSpec, DEFAULT, NAMED};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

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
// Wire types
// ---------------------------------------------------------------------------------------

/// An entity in an analytics report: full IRI and English label.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NodeRef {
    /// The full IRI.
    #[schema(example = "https://w3id.org/autokg/id/huawei")]
    pub id: String,
    /// The English label.
    #[schema(example = "Huawei")]
    pub label: Option<String>,
}

impl From<core::EntityRef> for NodeRef {
    fn from(e: core::EntityRef) -> Self {
        let core::EntityRef { id, label } = e;
        Self { id, label }
    }
}

/// One node's score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NodeScore {
    /// The full IRI.
    #[schema(example = "https://w3id.org/autokg/id/huawei")]
    pub id: String,
    /// The English label.
    #[schema(example = "Huawei")]
    pub label: Option<String>,
    /// The score: a count (degree raw, core number, component, dominated) or a real.
    #[schema(value_type = f64, example = 0.25)]
    pub score: core::Score,
    /// Dominators only: the immediate dominator's IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominator: Option<String>,
}

/// A measure on a projection, best first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CentralityReport {
    /// The measure's name.
    #[schema(example = "pagerank")]
    pub measure: String,
    /// The projection's name.
    #[schema(example = "supply-chain")]
    pub projection: String,
    /// Whether the projection is directed.
    pub directed: bool,
    /// Nodes in the projection.
    pub node_count: usize,
    /// Edges in the projection.
    pub edge_count: usize,
    /// Degree and betweenness: whether scores are normalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<bool>,
    /// PageRank and eigenvector: iterations until convergence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// PageRank and eigenvector: always true (no convergence is an error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converged: Option<bool>,
    /// Betweenness: whether the scores are estimated from a sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<bool>,
    /// Sampled betweenness: the number of sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Sampled betweenness: the seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Dominators: the root's IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Components: their sizes, largest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component_sizes: Option<Vec<usize>>,
    /// The scored nodes, best first.
    pub nodes: Vec<NodeScore>,
}

impl From<core::CentralityReport> for CentralityReport {
    fn from(r: core::CentralityReport) -> Self {
        let core::CentralityReport {
            measure,
            projection,
            directed,
            node_count,
            edge_count,
            normalized,
            iterations,
            converged,
            sampled,
            samples,
            seed,
            root,
            component_sizes,
            nodes,
        } = r;
        Self {
            measure,
            projection,
            directed,
            node_count,
            edge_count,
            normalized,
            iterations,
            converged,
            sampled,
            samples,
            seed,
            root,
            component_sizes,
            nodes: nodes
                .into_iter()
                .map(|n| {
                    let core::NodeScore {
                        id,
                        label,
                        score,
                        dominator,
                    } = n;
                    NodeScore {
                        id,
                        label,
                        score,
                        dominator,
                    }
                })
                .collect(),
        }
    }
}

/// An articulation point.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CriticalNode {
    /// The full IRI.
    #[schema(example = "https://w3id.org/autokg/id/jetta")]
    pub id: String,
    /// The English label.
    #[schema(example = "Jetta")]
    pub label: Option<String>,
    /// How many entities its removal cuts off.
    pub disconnects: usize,
}

/// A bridge.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CriticalEdge {
    /// One end.
    pub source: NodeRef,
    /// The other end.
    pub target: NodeRef,
    /// The relations behind the edge (IRIs).
    pub relations: Vec<String>,
    /// How many entities its removal cuts off (the smaller side).
    pub disconnects: usize,
}

/// Single points of failure of a projection's undirected view.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriticalReport {
    /// The projection's name.
    #[schema(example = "ownership")]
    pub projection: String,
    /// Whether the projection is directed.
    pub directed: bool,
    /// Articulation points, the most disconnecting first.
    pub articulation_points: Vec<CriticalNode>,
    /// Bridges, the most disconnecting first.
    pub bridges: Vec<CriticalEdge>,
}

impl From<core::CriticalReport> for CriticalReport {
    fn from(r: core::CriticalReport) -> Self {
        let core::CriticalReport {
            projection,
            directed,
            articulation_points,
            bridges,
        } = r;
        Self {
            projection,
            directed,
            articulation_points: articulation_points
                .into_iter()
                .map(|c| {
                    let core::CriticalNode {
                        id,
                        label,
                        disconnects,
                    } = c;
                    CriticalNode {
                        id,
                        label,
                        disconnects,
                    }
                })
                .collect(),
            bridges: bridges
                .into_iter()
                .map(|b| {
                    let core::CriticalEdge {
                        source,
                        target,
                        relations,
                        disconnects,
                    } = b;
                    CriticalEdge {
                        source: source.into(),
                        target: target.into(),
                        relations,
                        disconnects,
                    }
                })
                .collect(),
        }
    }
}

/// What removing entities cuts off.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    /// The projection's name.
    #[schema(example = "ownership")]
    pub projection: String,
    /// Whether the projection is directed.
    pub directed: bool,
    /// Nodes in the projection.
    pub node_count: usize,
    /// The removed entities.
    pub removed: Vec<NodeRef>,
    /// Entities that lose every path to the rest of their component.
    pub disconnected: Vec<NodeRef>,
    /// Ordered pairs of remaining entities that lose reachability.
    pub pairs_lost: u64,
    /// Largest connected component before the removal.
    pub largest_component_before: usize,
    /// Largest connected component after.
    pub largest_component_after: usize,
    /// Connected components before.
    pub components_before: usize,
    /// Connected components after.
    pub components_after: usize,
}

impl From<core::ImpactReport> for ImpactReport {
    fn from(r: core::ImpactReport) -> Self {
        let core::ImpactReport {
            projection,
            directed,
            node_count,
            removed,
            disconnected,
            pairs_lost,
            largest_component_before,
            largest_component_after,
            components_before,
            components_after,
        } = r;
        Self {
            projection,
            directed,
            node_count,
            removed: removed.into_iter().map(NodeRef::from).collect(),
            disconnected: disconnected.into_iter().map(NodeRef::from).collect(),
            pairs_lost,
            largest_component_before,
            largest_component_after,
            components_before,
            components_after,
        }
    }
}

/// Which way a hop's triple reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HopDirection {
    /// `from relation to`.
    Forward,
    /// `to relation from`.
    Backward,
}

/// A relation behind a hop, with provenance.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HopRelation {
    /// The relation property's IRI.
    #[schema(example = "https://w3id.org/autokg/ontology#partnerOf")]
    pub relation: String,
    /// Which way the triple reads.
    pub direction: HopDirection,
    /// The statement node's IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://w3id.org/autokg/id/rel-huawei-partnerOf-seres")]
    pub statement: Option<String>,
    /// `ak:Stated` or `ak:Inferred` (IRI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    /// The source document's IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The source's paragraphs.
    #[schema(example = json!([2]))]
    pub paragraphs: Vec<i64>,
}

/// One hop of a path.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Hop {
    /// The IRI the hop leaves.
    pub from: String,
    /// The IRI it reaches.
    pub to: String,
    /// The relations linking the two, stated ones first.
    pub relations: Vec<HopRelation>,
}

/// One path.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PathReport {
    /// Number of hops.
    #[schema(example = 1)]
    pub length: usize,
    /// The nodes, both ends included.
    pub nodes: Vec<NodeRef>,
    /// The hops, in order.
    pub hops: Vec<Hop>,
}

/// Up to `k` shortest relationship paths between two entities.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PathsReport {
    /// The projection's name.
    #[schema(example = "all")]
    pub projection: String,
    /// Whether the projection is directed.
    pub directed: bool,
    /// The start.
    pub from: NodeRef,
    /// The end.
    pub to: NodeRef,
    /// Shortest first; empty when none exists.
    pub paths: Vec<PathReport>,
}

impl From<core::PathsReport> for PathsReport {
    fn from(r: core::PathsReport) -> Self {
        let core::PathsReport {
            projection,
            directed,
            from,
            to,
            paths,
        } = r;
        let relation = |r: core::HopRelation| {
            let core::HopRelation {
                relation,
                direction,
                statement,
                assertion,
                source,
                paragraphs,
            } = r;
            HopRelation {
                relation,
                direction: match direction {
                    core::HopDirection::Forward => HopDirection::Forward,
                    core::HopDirection::Backward => HopDirection::Backward,
                },
                statement,
                assertion,
                source,
                paragraphs,
            }
        };
        Self {
            projection,
            directed,
            from: from.into(),
            to: to.into(),
            paths: paths
                .into_iter()
                .map(|p| {
                    let core::PathReport {
                        length,
                        nodes,
                        hops,
                    } = p;
                    PathReport {
                        length,
                        nodes: nodes.into_iter().map(NodeRef::from).collect(),
                        hops: hops
                            .into_iter()
                            .map(|h| {
                                let core::Hop {
                                    from,
                                    to,
                                    relations,
                                } = h;
                                Hop {
                                    from,
                                    to,
                                    relations: relations.into_iter().map(relation).collect(),
                                }
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
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
}

/// Parameters of `GET /api/analytics/critical`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CriticalQuery {
    /// A named projection (default `supply-chain`).
    #[param(schema_with = projection_schema)]
    pub projection: Option<String>,
}

/// Parameters of `GET /api/analytics/impact` besides `node`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// A named projection (default `supply-chain`).
    #[param(schema_with = projection_schema)]
    pub projection: Option<String>,
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
        (status = 503, description = "Every evaluation slot is busy; retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn centrality(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let q: CentralityQuery = query(&req)?;
    let measure: Measure = q.measure.parse()?;
    let spec = spec(q.projection.as_deref(), DEFAULT)?;
    let options = MeasureOptions {
        normalized: q.normalized.unwrap_or(true),
        samples: q.samples.map(|s| s as usize),
        seed: q.seed.unwrap_or(0),
        root: q.root.clone(),
        reverse: q.reverse.unwrap_or(false),
        top: q.top.map(|t| t as usize),
    };
    let names = q.root.into_iter().collect();
    on_projection::<_, CentralityReport>(&state, &req, spec, names, move |store, p| {
        core::measure(store, p, measure, &options)
    })
    .await
}

/// Answers a report computed on a projection: 304 when the client's ETag is current, else
/// `work` on a blocking thread under an evaluation permit (`names` are the entities the
/// request names, for suggestions on a 404), sent as JSON or JSON-LD in its wire form `W`.
async fn on_projection<R, W>(
    state: &AppState,
    req: &HttpRequest,
    spec: ProjectionSpec,
    names: Vec<String>,
    work: impl FnOnce(&crate::store::KgStore, &crate::projection::Projection) -> crate::error::Result<R>
        + Send
        + 'static,
) -> Result<HttpResponse, Problem>
where
    R: Send + 'static,
    W: From<R> + Serialize,
{
    let reply = Reply::new(req, state);
    if let Some(r) = reply.not_modified() {
        return Ok(r);
    }
    let report = state
        .analyse(names, move |store, projections| {
            let p = projections.get(store, &spec)?;
            work(store, &p)
        })
        .await?;
    reply.send(Context::Analytics, &W::from(report))
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
        (status = 503, description = "Every evaluation slot is busy; retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn critical(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let q: CriticalQuery = query(&req)?;
    let spec = spec(q.projection.as_deref(), DEFAULT)?;
    on_projection::<_, CriticalReport>(&state, &req, spec, Vec::new(), core::critical).await
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
        (status = 503, description = "Every evaluation slot is busy; retry.", body = ProblemDetails, content_type = "application/problem+json"),
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
    let names = nodes.clone();
    on_projection::<_, ImpactReport>(&state, &req, spec, names, move |store, p| {
        core::impact(store, &nodes, p)
    })
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
        (status = 503, description = "Every evaluation slot is busy; retry.", body = ProblemDetails, content_type = "application/problem+json"),
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
    let names = vec![q.from.clone(), q.to.clone()];
    on_projection::<_, PathsReport>(&state, &req, spec, names, move |store, p| {
        core::paths(store, &q.from, &q.to, k, p)
    })
    .await
}
