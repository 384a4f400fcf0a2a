//! HTTP adapters of the exporters: `GET /api/export` and
//! `GET /api/entities/{id}/neighbourhood`. Handlers decode parameters, build the export graph on
//! a blocking thread under an evaluation permit and the time limit (the server's `--timeout`,
//! lowered by `timeout=`; scores from the shared score cache), and stream the file with its
//! media type and a `Content-Disposition` file name. Errors are `application/problem+json`
//! (RFC 9457); a time limit reached before the first chunk is a 503 naming a cheaper export,
//! one reached while streaming breaks the transfer.
//!
//! `GET /api/export?format=graphml&projection=supply-chain&scores=pagerank,betweenness`
//! exports a whole named projection (defaults: graphml, supply-chain, pagerank).
//! `GET /api/entities/{id}/neighbourhood?depth=1&format=cytoscape&projection=all&maxNodes=N`
//! exports the nodes within `depth` hops of the entity (an akid local name such as `seres`,
//! `akid:seres`, or a full IRI, percent-encoded), refusing more than `maxNodes` (at most
//! [`NEIGHBOURHOOD_LIMIT`]) with the count.

use crate::analytics::Measure;
use crate::error::Error;
use crate::export::model::{local_name, ExportError, ExportGraph, Scope};
use crate::export::{rdf, write_graph_until, Format, DEFAULT_SCORES, MAX_DEPTH};
use crate::http::limits::{parse_timeout, time_limit, InFlight, Watch};
use crate::http::problem::{Problem, ProblemDetails};
use crate::http::state::{Cheaper, Run};
use crate::http::stream::stream_blocking;
use crate::http::AppState;
use crate::projection::{ProjectionSpec, DEFAULT};
use crate::sparql::evaluate::ChunkWriter;
use crate::sparql::HttpError;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use std::time::Duration;

/// The most nodes a neighbourhood served over HTTP may have.
pub const NEIGHBOURHOOD_LIMIT: usize = 5_000;
/// Query parameters, each at most once and only the known ones.
fn parameters(query: &str, known: &[&str]) -> Result<Vec<(String, String)>, Problem> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if !known.contains(&k.as_ref()) {
            return Err(Problem::bad_request(format!(
                "unknown parameter '{k}'; known: {}",
                known.join(", ")
            )));
        }
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(Problem::bad_request(format!(
                "parameter '{k}' is given more than once"
            )));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

fn get<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn number_parameter(params: &[(String, String)], key: &str) -> Result<Option<usize>, Problem> {
    get(params, key)
        .map(|v| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| Problem::bad_request(format!("{key}={v} is not a whole number ≥ 0")))
        })
        .transpose()
}

/// What one request asks for, decoded.
struct Job {
    spec: ProjectionSpec,
    scope: Scope,
    format: Format,
    measures: Vec<Measure>,
    file_name: String,
    /// The request's own time limit (`timeout=`), if any.
    timeout: Option<Duration>,
}

impl Job {
    /// What a 503 at the time limit suggests instead of this export.
    fn cheaper(&self) -> Cheaper {
        let searching: Vec<&str> = self
            .measures
            .iter()
            .filter(|m| {
                matches!(
                    m,
                    Measure::Betweenness | Measure::Closeness | Measure::Harmonic
                )
            })
            .map(|m| m.name())
            .collect();
        let scores = if searching.is_empty() {
            "fewer scores (scores=none)".to_owned()
        } else {
            format!(
                "fewer scores ({} search from every node of the projection; scores=pagerank or scores=none are one pass)",
                searching.join(", ")
            )
        };
        match &self.scope {
            Scope::Whole => Cheaper {
                what: format!("the export of the whole '{}' projection", self.spec.name()),
                instead: format!(
                    "export one entity's neighbourhood instead (/api/entities/{{id}}/neighbourhood?depth=1&projection={}), a smaller projection, or {scores}",
                    self.spec.name()
                ),
            },
            Scope::Neighbourhood { entity, depth, .. } => Cheaper {
                what: format!(
                    "the export of the depth-{depth} neighbourhood of {entity} in '{}'",
                    self.spec.name()
                ),
                instead: format!(
                    "ask for {scores} (scores are computed on the whole projection), a smaller depth, or a smaller projection"
                ),
            },
        }
    }
}

fn common(
    params: &[(String, String)],
    default_format: &str,
    default_projection: &str,
) -> Result<(Format, ProjectionSpec, Vec<Measure>), Problem> {
    let name = get(params, "format").unwrap_or(default_format);
    let format =
        Format::from_name(name).map_err(|_| Problem::unknown_format(name, &Format::names()))?;
    if format == Format::GeoJson {
        return Err(Problem::bad_request(
            "format=geojson is a map of places, not of a neighbourhood: use /api/export?format=geojson",
        ));
    }
    let spec = ProjectionSpec::named(get(params, "projection").unwrap_or(default_projection))
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let measures =
        crate::export::measures_for(format, get(params, "scores").unwrap_or(DEFAULT_SCORES))
            .map_err(|e| Problem::bad_request(e.to_string()))?;
    Ok((format, spec, measures))
}

/// A binary file (a Parquet table), as the OpenAPI document describes it: a string of
/// bytes (`format: binary`).
#[derive(Debug, utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(pub Vec<u8>);

/// Parameters of `GET /api/export`, for the OpenAPI document (the handler reads the query
/// string itself, refusing unknown and repeated parameters).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The file format (default `graphml`).
    #[param(schema_with = format_schema)]
    pub format: Option<String>,
    /// A named projection (default `supply-chain`).
    #[param(schema_with = crate::http::api::analytics::projection_schema)]
    pub projection: Option<String>,
    /// Measures added to every node as attributes, comma-separated (default `pagerank`;
    /// graph formats only), for example `pagerank,betweenness`.
    #[param(schema_with = scores_schema)]
    pub scores: Option<String>,
    /// Lowers the server's time limit for this request, in seconds (as `timeout` on
    /// `/sparql`); at the limit the answer is 503 naming a cheaper export, or, once the file
    /// is streaming, a broken transfer.
    #[param(exclusive_minimum = 0, example = 5)]
    pub timeout: Option<f64>,
    /// With `format=geojson` only: a SPARQL SELECT with a column of `geo:wktLiteral`
    /// values; each row becomes a feature (run under `/sparql`'s time limit and row cap).
    /// Without it, GeoJSON holds every place with its figures.
    pub query: Option<String>,
}

/// Parameters of `GET /api/entities/{id}/neighbourhood` besides `id`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NeighbourhoodQuery {
    /// The file format (default `cytoscape`).
    #[param(schema_with = format_schema)]
    pub format: Option<String>,
    /// A named projection (default `all`).
    #[param(schema_with = crate::http::api::analytics::projection_schema)]
    pub projection: Option<String>,
    /// Measures added to every node, comma-separated (default `pagerank`).
    #[param(schema_with = scores_schema)]
    pub scores: Option<String>,
    /// How many hops from the entity (default 1, at most 10).
    #[param(minimum = 0, maximum = 10)]
    pub depth: Option<usize>,
    /// The most nodes the answer may have (default and at most 5,000); a larger
    /// neighbourhood is refused with 400, never truncated.
    #[param(minimum = 0, maximum = 5000, rename = "maxNodes")]
    pub max_nodes: Option<usize>,
    /// Lowers the server's time limit for this request, in seconds (as `timeout` on
    /// `/sparql`); at the limit the answer is 503 naming a cheaper export, or, once the file
    /// is streaming, a broken transfer.
    #[param(exclusive_minimum = 0, example = 5)]
    pub timeout: Option<f64>,
}

fn scores_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let names: Vec<&str> = Measure::ALL
        .iter()
        .filter(|m| **m != Measure::Dominators)
        .map(|m| m.name())
        .chain(["none"])
        .collect();
    let one = format!("({})", names.join("|"));
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(
            "Measures added to every node as attributes, comma-separated (default `pagerank`; empty or `none` for no scores); graph formats only.",
        ))
        .pattern(Some(format!("^({one}(,{one})*)?$")))
        .examples(["pagerank,betweenness"])
        .into()
}

fn format_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(
            "graphml, gexf, dot, cytoscape, csv-nodes and csv-edges for graph tools; parquet-nodes and parquet-edges (Apache Parquet, typed scores) for columnar and distributed engines; turtle, ntriples, nquads, trig, rdfxml and jsonld for the RDF behind the graph; geojson (RFC 7946, /api/export only) for places with their figures.",
        ))
        .enum_values(Some(Format::names()))
        .into()
}

/// A projection as a file for Gephi, Cytoscape, yEd, Graphviz or networkx, as a Parquet
/// table for Spark, DuckDB or Polars, or as RDF.
#[utoipa::path(
    get,
    path = "/api/export",
    tag = "export",
    params(ExportQuery),
    responses(
        (status = 200, description = "The file, with a Content-Disposition file name.", content(
            (String = "application/graphml+xml"), (String = "application/gexf+xml"),
            (String = "text/vnd.graphviz"), (Object = "application/json"), (String = "text/csv"),
            (BinaryFile = "application/vnd.apache.parquet"),
            (String = "text/turtle"), (String = "application/n-triples"),
            (String = "application/n-quads"), (String = "application/trig"),
            (String = "application/rdf+xml"), (serde_json::Value = "application/ld+json"),
            (serde_json::Value = "application/geo+json"))),
        (status = 400, description = "An unknown, repeated or bad parameter.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the export ran over its time limit and was stopped (the detail names a cheaper export); retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn export(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let params = parameters(
        req.query_string(),
        &["format", "projection", "scores", "timeout", "query"],
    )?;
    let geo =
        get(&params, "format").is_some_and(|f| Format::from_name(f).ok() == Some(Format::GeoJson));
    if geo {
        if let Some(extra) = ["projection", "scores"]
            .iter()
            .find(|k| get(&params, k).is_some())
        {
            return Err(Problem::bad_request(format!(
                "format=geojson exports places (or the rows of query=), not a projection: drop '{extra}'"
            )));
        }
        let timeout = parse_timeout(get(&params, "timeout"))?;
        let query = get(&params, "query").map(str::to_owned);
        return super::geojson::respond(state, query, timeout).await;
    }
    if get(&params, "query").is_some() {
        return Err(Problem::bad_request(
            "query= is for format=geojson (a SELECT with a WKT column); graph exports take projection=",
        ));
    }
    let decoded = Ok::<_, Problem>(params).and_then(|p| {
        Ok((
            common(&p, "graphml", DEFAULT)?,
            parse_timeout(get(&p, "timeout"))?,
        ))
    });
    let ((format, spec, measures), timeout) = decoded?;
    let file_name = format!(
        "autokg-{}{}",
        crate::export::file_slug(spec.name()),
        format.extension()
    );
    let job = Job {
        spec,
        scope: Scope::Whole,
        format,
        measures,
        file_name,
        timeout,
    };
    respond(state, job).await
}

/// The neighbourhood of one entity, as a file (Cytoscape.js JSON by default).
#[utoipa::path(
    get,
    path = "/api/entities/{id}/neighbourhood",
    tag = "export",
    params(("id" = String, Path, description = "An akid local name such as `seres`, or a full IRI.", example = "seres"), NeighbourhoodQuery),
    responses(
        (status = 200, description = "The file, with a Content-Disposition file name.", content(
            (Object = "application/json"), (String = "application/graphml+xml"),
            (String = "application/gexf+xml"), (String = "text/vnd.graphviz"),
            (String = "text/csv"), (BinaryFile = "application/vnd.apache.parquet"),
            (String = "text/turtle"), (String = "application/n-triples"),
            (String = "application/n-quads"), (String = "application/trig"),
            (String = "application/rdf+xml"), (serde_json::Value = "application/ld+json"))),
        (status = 400, description = "A bad parameter, or a neighbourhood larger than maxNodes.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such entity in the projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the export ran over its time limit and was stopped (the detail names a cheaper export); retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn neighbourhood(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let id = id.into_inner();
    let decoded = parameters(
        req.query_string(),
        &[
            "format",
            "projection",
            "scores",
            "depth",
            "maxNodes",
            "timeout",
        ],
    )
    .and_then(|p| {
        let (format, spec, measures) = common(&p, "cytoscape", "all")?;
        let depth = number_parameter(&p, "depth")?.unwrap_or(1);
        if depth > MAX_DEPTH {
            return Err(Problem::bad_request(format!(
                "depth={depth} is more than {MAX_DEPTH}; export the whole projection with /api/export instead"
            )));
        }
        let max_nodes = number_parameter(&p, "maxNodes")?.unwrap_or(NEIGHBOURHOOD_LIMIT);
        if max_nodes > NEIGHBOURHOOD_LIMIT {
            return Err(Problem::bad_request(format!(
                "maxNodes={max_nodes} is more than this server's limit of {NEIGHBOURHOOD_LIMIT}"
            )));
        }
        let timeout = parse_timeout(get(&p, "timeout"))?;
        Ok((format, spec, measures, depth, max_nodes, timeout))
    });
    let (format, spec, measures, depth, max_nodes, timeout) = decoded?;
    let entity = local_name(crate::analytics::entity_iri(&id)?.as_str()).to_owned();
    let file_name = format!(
        "autokg-{}-depth{depth}-{}{}",
        crate::export::file_slug(&entity),
        crate::export::file_slug(spec.name()),
        format.extension()
    );
    let job = Job {
        spec,
        scope: Scope::Neighbourhood {
            entity: id,
            depth,
            max_nodes,
        },
        format,
        measures,
        file_name,
        timeout,
    };
    respond(state, job).await
}

/// What is written once the graph is built.
enum Prepared {
    Graph(ExportGraph, Format),
    Rdf(ExportGraph, oxigraph::io::RdfFormat),
}

fn prepare(run: &Run, job: &Job) -> Result<Prepared, ExportError> {
    let projection = run.projection(&job.spec)?;
    let graph = ExportGraph::build_until(
        &run.store,
        &projection,
        &job.scope,
        &job.measures,
        &run.deadline,
        Some(&run.measures),
    )?;
    Ok(match job.format {
        Format::Rdf(f) => Prepared::Rdf(graph, f),
        f => Prepared::Graph(graph, f),
    })
}

/// Builds the graph on a blocking thread under an evaluation permit and the time limit, and
/// answers its problem if that fails (a 503 naming a cheaper export at the limit); else
/// streams the file through the one streaming body. The permit and the in-flight mark live
/// in the blocking closures, so they are released when the work ends; the deadline's watch
/// lives in the handler while the graph is built (a dropped handler stops the build) and in
/// the stream while it is written (a client that leaves stops the writer at its next chunk).
async fn respond(state: web::Data<AppState>, job: Job) -> Result<HttpResponse, Problem> {
    let limit = state.time_limit(job.timeout);
    let cheaper = job.cheaper();
    let permit = state.permit().await?;
    let watch = Watch::start(limit);
    let run = state.run(watch.deadline());
    let in_flight = InFlight::new(state.metrics.clone());
    // The same `Content-Type` as /sparql gives the same syntax (N-Triples and N-Quads get
    // `charset=utf-8` too).
    let media_type = crate::sparql::negotiate::content_type_value(job.format.media_type());
    let disposition = format!("attachment; filename=\"{}\"", job.file_name);
    let (run, prepared, permit, in_flight) = web::block(move || {
        let prepared = prepare(&run, &job);
        (run, prepared, permit, in_flight)
    })
    .await?;
    let prepared = match prepared {
        Ok(p) => p,
        Err(ExportError::Kg(Error::Timeout(_))) => return Err(state.timed_out(limit, &cheaper)),
        Err(e) => return Err(e.into()),
    };
    let mut ok = HttpResponse::Ok();
    ok.content_type(media_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition));
    let render = |e: HttpError| Problem::from(e).error_response();
    let metrics = state.metrics.clone();
    Ok(stream_blocking(&state.pool, ok, render, move |sink| {
        let mut out = ChunkWriter::new(sink);
        let deadline = watch.deadline();
        let written = match prepared {
            Prepared::Graph(graph, format) => write_graph_until(&graph, format, &mut out, deadline),
            Prepared::Rdf(graph, format) => {
                rdf::write_until(&run.store, &graph, format, &mut out, deadline)
            }
        };
        drop(in_flight);
        drop(permit);
        match written {
            Ok(()) => out.finish(),
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
            // Before the first chunk: a 503 problem; once streaming, a broken transfer.
            Err(Error::Timeout(_)) => {
                metrics.timeouts.inc();
                let problem = time_limit(limit, &cheaper.what, &cheaper.instead);
                out.fail(HttpError {
                    status: 503,
                    message: problem.detail().to_owned(),
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "export stream failed");
                out.fail(e.into());
            }
        }
        drop(watch);
    })
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_known_and_single() {
        assert!(parameters("format=gexf&scores=pagerank", &["format", "scores"]).is_ok());
        let e = parameters("fromat=gexf", &["format"]).expect_err("unknown");
        assert!(e.detail().contains("'fromat'"));
        let e = parameters("format=a&format=b", &["format"]).expect_err("twice");
        assert!(e.detail().contains("more than once"));
    }

    #[test]
    fn unknown_formats_list_the_known_ones() {
        let p = Problem::unknown_format("svg", &Format::names());
        assert_eq!(p.status(), 400);
        assert!(p.detail().contains("graphml") && p.detail().contains("jsonld"));
    }
}
