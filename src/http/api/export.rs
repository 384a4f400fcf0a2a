//! HTTP adapters of the exporters: `GET /api/export` and
//! `GET /api/entities/{id}/neighbourhood`. Handlers decode parameters, build the export graph on
//! a blocking thread under an evaluation permit, and stream the file with its media type and
//! a `Content-Disposition` file name. Errors are `application/problem+json` (RFC 9457).
//!
//! `GET /api/export?format=graphml&projection=supply-chain&scores=pagerank,betweenness`
//! exports a whole named projection (defaults: graphml, supply-chain, pagerank).
//! `GET /api/entities/{id}/neighbourhood?depth=1&format=cytoscape&projection=all&maxNodes=N`
//! exports the nodes within `depth` hops of the entity (an akid local name such as `seres`,
//! `akid:seres`, or a full IRI, percent-encoded), refusing more than `maxNodes` (at most
//! [`NEIGHBOURHOOD_LIMIT`]) with the count.

use crate::analytics::Measure;
use crate::error::Error;
use crate::export::model::{local_name, ExportGraph, Scope};
use crate::export::{rdf, write_graph, Format, DEFAULT_SCORES, MAX_DEPTH};
use crate::http::problem::{Problem, ProblemDetails};
use crate::http::stream::stream_blocking;
use crate::http::AppState;
use crate::projection::{ProjectionCache, ProjectionSpec, DEFAULT};
use crate::sparql::evaluate::ChunkWriter;
use crate::sparql::HttpError;
use crate::store::KgStore;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

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
}

fn common(
    params: &[(String, String)],
    default_format: &str,
    default_projection: &str,
) -> Result<(Format, ProjectionSpec, Vec<Measure>), Problem> {
    let name = get(params, "format").unwrap_or(default_format);
    let format =
        Format::from_name(name).map_err(|_| Problem::unknown_format(name, &Format::names()))?;
    let spec = ProjectionSpec::named(get(params, "projection").unwrap_or(default_projection))
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let measures =
        crate::export::measures_for(format, get(params, "scores").unwrap_or(DEFAULT_SCORES))
            .map_err(|e| Problem::bad_request(e.to_string()))?;
    Ok((format, spec, measures))
}

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
            "graphml, gexf, dot, cytoscape, csv-nodes and csv-edges for graph tools; turtle, ntriples, nquads, trig, rdfxml and jsonld for the RDF behind the graph.",
        ))
        .enum_values(Some(Format::names()))
        .into()
}

/// A projection as a file for Gephi, Cytoscape, yEd, Graphviz or networkx, or as RDF.
#[utoipa::path(
    get,
    path = "/api/export",
    tag = "export",
    params(ExportQuery),
    responses(
        (status = 200, description = "The file, with a Content-Disposition file name.", content(
            (String = "application/graphml+xml"), (String = "application/gexf+xml"),
            (String = "text/vnd.graphviz"), (Object = "application/json"), (String = "text/csv"),
            (String = "text/turtle"), (String = "application/n-triples"),
            (String = "application/n-quads"), (String = "application/trig"),
            (String = "application/rdf+xml"), (serde_json::Value = "application/ld+json"))),
        (status = 400, description = "An unknown, repeated or bad parameter.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the time limit passed; retry.", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn export(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let decoded = parameters(req.query_string(), &["format", "projection", "scores"])
        .and_then(|p| common(&p, "graphml", DEFAULT));
    let (format, spec, measures) = decoded?;
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
            (String = "text/csv"), (String = "text/turtle"), (String = "application/n-triples"),
            (String = "application/n-quads"), (String = "application/trig"),
            (String = "application/rdf+xml"), (serde_json::Value = "application/ld+json"))),
        (status = 400, description = "A bad parameter, or a neighbourhood larger than maxNodes.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such entity in the projection.", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the time limit passed; retry.", body = ProblemDetails, content_type = "application/problem+json"),
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
        &["format", "projection", "scores", "depth", "maxNodes"],
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
        Ok((format, spec, measures, depth, max_nodes))
    });
    let (format, spec, measures, depth, max_nodes) = decoded?;
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
    };
    respond(state, job).await
}

/// What is written once the graph is built.
enum Prepared {
    Graph(ExportGraph, Format),
    Rdf(ExportGraph, oxigraph::io::RdfFormat),
}

fn prepare(store: &KgStore, cache: &ProjectionCache, job: &Job) -> Result<Prepared, Problem> {
    let projection = cache.get(store, &job.spec)?;
    let graph = ExportGraph::build(store, &projection, &job.scope, &job.measures)?;
    Ok(match job.format {
        Format::Rdf(f) => Prepared::Rdf(graph, f),
        f => Prepared::Graph(graph, f),
    })
}

/// Builds the graph on a blocking thread under an evaluation permit and answers its
/// problem if that fails; else streams the file through the one streaming body, holding the
/// permit until the last byte is written.
async fn respond(state: web::Data<AppState>, job: Job) -> Result<HttpResponse, Problem> {
    let permit = state.permit().await?;
    let (store, projections) = (state.store.clone(), state.projections.clone());
    let media_type = job.format.media_type();
    let disposition = format!("attachment; filename=\"{}\"", job.file_name);
    let (store, prepared) = web::block(move || {
        let prepared = prepare(&store, &projections, &job);
        (store, prepared)
    })
    .await?;
    let prepared = prepared?;
    let mut ok = HttpResponse::Ok();
    ok.content_type(media_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition));
    let render = |e: HttpError| Problem::from(e).error_response();
    Ok(stream_blocking(&state.pool, ok, render, move |sink| {
        let mut out = ChunkWriter::new(sink);
        let written = match prepared {
            Prepared::Graph(graph, format) => {
                write_graph(&graph, format, &mut out).map_err(|source| Error::Io {
                    path: "<response>".into(),
                    source,
                })
            }
            Prepared::Rdf(graph, format) => rdf::write(&store, &graph, format, &mut out),
        };
        match written {
            Ok(()) => out.finish(),
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
            // Once streaming, the body ends early and the client sees a broken transfer.
            Err(e) => {
                tracing::warn!(error = %e, "export stream failed");
                out.fail(e.into());
            }
        }
        drop(permit);
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
