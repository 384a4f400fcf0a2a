//! HTTP adapters of the exporters: `GET /api/export`, `GET /api/entities/{id}/neighbourhood`
//! and the page for people at `GET /`. Handlers decode parameters, build the export graph on
//! a blocking thread under an evaluation permit, and stream the file with its media type and
//! a `Content-Disposition` file name. Errors are `application/problem+json` (RFC 9457).
//!
//! `GET /api/export?format=graphml&projection=supply-chain&scores=pagerank,betweenness`
//! exports a whole named projection (defaults: graphml, supply-chain, pagerank).
//! `GET /api/entities/{id}/neighbourhood?depth=1&format=cytoscape&projection=all&maxNodes=N`
//! exports the nodes within `depth` hops of the entity (an akid local name such as `seres`,
//! `akid:seres`, or a full IRI, percent-encoded), refusing more than `maxNodes` (at most
//! [`NEIGHBOURHOOD_LIMIT`]) with the count.

use super::model::{local_name, ExportError, ExportGraph, Scope};
use super::{rdf, write_graph, Format, DEFAULT_SCORES, MAX_DEPTH};
use crate::analytics::Measure;
use crate::error::Error;
use crate::projection::{ProjectionCache, ProjectionSpec, DEFAULT};
use crate::server::AppState;
use crate::sparql::HttpError;
use crate::store::KgStore;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use std::io::Write;

/// The most nodes a neighbourhood served over HTTP may have.
pub const NEIGHBOURHOOD_LIMIT: usize = 5_000;
/// Where problem type IRIs live.
const PROBLEM_BASE: &str = "https://w3id.org/autokg/problem/";

/// Registers `/`, `/api/export` and `/api/entities/{id}/neighbourhood`. Built projections
/// come from the store's cache shared with the JSON API ([`crate::api::shared_for`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(super::page::index))
        .service(crate::api::resource("/api/export", export))
        .service(crate::api::resource(
            "/api/entities/{id:.+}/neighbourhood",
            neighbourhood,
        ));
}

/// An RFC 9457 problem: `type`, `title`, `status`, `detail` and extension members.
#[derive(Debug, Clone)]
pub struct Problem {
    status: u16,
    slug: &'static str,
    title: &'static str,
    detail: String,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    fn new(status: u16, slug: &'static str, title: &'static str, detail: String) -> Self {
        Self {
            status,
            slug,
            title,
            detail,
            extra: serde_json::Map::new(),
        }
    }

    fn with(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// 400 for a bad parameter.
    fn bad_parameter(detail: String) -> Self {
        Self::new(400, "bad-parameter", "Bad parameter", detail)
    }

    /// 400 for an unknown format, listing the known ones.
    fn unknown_format(name: &str) -> Self {
        let known = Format::names();
        Self::new(
            400,
            "unknown-format",
            "Unknown export format",
            format!("unknown format '{name}'; known: {}", known.join(", ")),
        )
        .with("knownFormats", serde_json::json!(known))
    }

    /// The response.
    pub fn response(&self) -> HttpResponse {
        let mut body = serde_json::Map::new();
        body.insert("type".into(), format!("{PROBLEM_BASE}{}", self.slug).into());
        body.insert("title".into(), self.title.into());
        body.insert("status".into(), self.status.into());
        body.insert("detail".into(), self.detail.clone().into());
        body.extend(self.extra.clone());
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if self.status == 503 {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        response.body(serde_json::Value::Object(body).to_string())
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        match &e {
            Error::NotFound(_) => Self::new(404, "not-found", "Not found", e.to_string()),
            Error::UnknownFormat(_) => {
                Self::new(400, "unknown-format", "Unknown format", e.to_string())
            }
            Error::Timeout(_) => Self::new(503, "timeout", "Time limit exceeded", e.to_string()),
            e if e.is_user_error() => Self::new(400, "bad-request", "Bad request", e.to_string()),
            e => Self::new(500, "internal", "Internal error", e.to_string()),
        }
    }
}

impl From<ExportError> for Problem {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::TooLarge { count, limit, .. } => Self::new(
                400,
                "neighbourhood-too-large",
                "Neighbourhood too large",
                e.to_string(),
            )
            .with("count", count.into())
            .with("limit", limit.into()),
            ExportError::Kg(e) => e.into(),
        }
    }
}

impl From<HttpError> for Problem {
    fn from(e: HttpError) -> Self {
        let (slug, title) = match e.status {
            503 => ("unavailable", "Service unavailable"),
            s if s >= 500 => ("internal", "Internal error"),
            _ => ("bad-request", "Bad request"),
        };
        Self::new(e.status, slug, title, e.message)
    }
}

/// Query parameters, each at most once and only the known ones.
fn parameters(query: &str, known: &[&str]) -> Result<Vec<(String, String)>, Problem> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if !known.contains(&k.as_ref()) {
            return Err(Problem::bad_parameter(format!(
                "unknown parameter '{k}'; known: {}",
                known.join(", ")
            )));
        }
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(Problem::bad_parameter(format!(
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
                .map_err(|_| Problem::bad_parameter(format!("{key}={v} is not a whole number ≥ 0")))
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
    let format = Format::from_name(name).map_err(|_| Problem::unknown_format(name))?;
    let spec = ProjectionSpec::named(get(params, "projection").unwrap_or(default_projection))
        .map_err(|e| Problem::bad_parameter(e.to_string()))?;
    let measures = super::measures_for(format, get(params, "scores").unwrap_or(DEFAULT_SCORES))
        .map_err(|e| Problem::bad_parameter(e.to_string()))?;
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
    #[param(schema_with = crate::api::analytics::projection_schema)]
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
    #[param(schema_with = crate::api::analytics::projection_schema)]
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
        (status = 400, description = "An unknown, repeated or bad parameter.", body = crate::api::reply::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the time limit passed; retry.", body = crate::api::reply::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let decoded = parameters(req.query_string(), &["format", "projection", "scores"])
        .and_then(|p| common(&p, "graphml", DEFAULT));
    let (format, spec, measures) = match decoded {
        Ok(d) => d,
        Err(p) => return p.response(),
    };
    let file_name = format!(
        "autokg-{}{}",
        super::file_slug(spec.name()),
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
        (status = 400, description = "A bad parameter, or a neighbourhood larger than maxNodes.", body = crate::api::reply::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entity in the projection.", body = crate::api::reply::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every evaluation slot is busy, or the time limit passed; retry.", body = crate::api::reply::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn neighbourhood(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let id = id.into_inner();
    let decoded = parameters(
        req.query_string(),
        &["format", "projection", "scores", "depth", "maxNodes"],
    )
    .and_then(|p| {
        let (format, spec, measures) = common(&p, "cytoscape", "all")?;
        let depth = number_parameter(&p, "depth")?.unwrap_or(1);
        if depth > MAX_DEPTH {
            return Err(Problem::bad_parameter(format!(
                "depth={depth} is more than {MAX_DEPTH}; export the whole projection with /api/export instead"
            )));
        }
        let max_nodes = number_parameter(&p, "maxNodes")?.unwrap_or(NEIGHBOURHOOD_LIMIT);
        if max_nodes > NEIGHBOURHOOD_LIMIT {
            return Err(Problem::bad_parameter(format!(
                "maxNodes={max_nodes} is more than this server's limit of {NEIGHBOURHOOD_LIMIT}"
            )));
        }
        Ok((format, spec, measures, depth, max_nodes))
    });
    let (format, spec, measures, depth, max_nodes) = match decoded {
        Ok(d) => d,
        Err(p) => return p.response(),
    };
    let entity = match crate::analytics::entity_iri(&id) {
        Ok(iri) => local_name(iri.as_str()).to_owned(),
        Err(e) => return Problem::from(e).response(),
    };
    let file_name = format!(
        "autokg-{}-depth{depth}-{}{}",
        super::file_slug(&entity),
        super::file_slug(spec.name()),
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

/// Builds the graph on a blocking thread under an evaluation permit; answers the problem if
/// that fails, else streams the file.
async fn respond(state: web::Data<AppState>, job: Job) -> HttpResponse {
    let permit = match state.permit().await {
        Ok(p) => p,
        Err(e) => return Problem::from(e).response(),
    };
    let store = state.store.clone();
    let shared = crate::api::shared_for(&store);
    let media_type = job.format.media_type();
    let disposition = format!("attachment; filename=\"{}\"", job.file_name);
    let (head_tx, head_rx) = tokio::sync::oneshot::channel::<Result<(), Problem>>();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let task = tokio::task::spawn_blocking(move || {
        let prepared = prepare(&store, shared.projections(), &job);
        let prepared = match prepared {
            Ok(p) => p,
            Err(problem) => {
                let _ = head_tx.send(Err(problem));
                return;
            }
        };
        if head_tx.send(Ok(())).is_err() {
            return;
        }
        let mut out = BodyWriter::new(tx);
        let written = match prepared {
            Prepared::Graph(graph, format) => write_graph(&graph, format, &mut out)
                .and_then(|()| out.flush())
                .map_err(|source| Error::Io {
                    path: "<response>".into(),
                    source,
                }),
            Prepared::Rdf(graph, format) => rdf::write(&store, &graph, format, &mut out),
        };
        match written {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
            // The status line is out: the body ends early and the client sees a broken stream.
            Err(e) => tracing::warn!(error = %e, "export stream failed"),
            Ok(()) => {}
        }
        drop(permit);
    });
    drop(task);
    match head_rx.await {
        Ok(Ok(())) => {
            let body = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|chunk| (chunk, rx))
            });
            HttpResponse::Ok()
                .content_type(media_type)
                .insert_header((header::CONTENT_DISPOSITION, disposition))
                .streaming(body)
        }
        Ok(Err(problem)) => problem.response(),
        Err(_) => Problem::new(
            500,
            "internal",
            "Internal error",
            "the export ended without an answer".into(),
        )
        .response(),
    }
}

/// Size of the chunks sent to the client.
const CHUNK: usize = 64 * 1024;

/// An `io::Write` sending fixed-size chunks of the body from the blocking thread; a closed
/// connection is a `BrokenPipe` error, which stops the writer.
struct BodyWriter {
    tx: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

impl BodyWriter {
    fn new(tx: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>) -> Self {
        Self {
            tx,
            buffer: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = bytes::Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the client closed the connection",
            )
        })
    }
}

impl Write for BodyWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_known_and_single() {
        assert!(parameters("format=gexf&scores=pagerank", &["format", "scores"]).is_ok());
        let e = parameters("fromat=gexf", &["format"]).expect_err("unknown");
        assert!(e.detail.contains("'fromat'"));
        let e = parameters("format=a&format=b", &["format"]).expect_err("twice");
        assert!(e.detail.contains("more than once"));
    }

    #[test]
    fn unknown_formats_list_the_known_ones() {
        let p = Problem::unknown_format("svg");
        assert_eq!(p.status, 400);
        assert!(p.detail.contains("graphml") && p.detail.contains("jsonld"));
    }
}
