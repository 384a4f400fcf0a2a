//! `/store`: the SPARQL 1.1 Graph Store HTTP Protocol (reads open, writes behind the token).
//! Graphs are named indirectly (`/store?graph=IRI`, `/store?default`) or directly (a URL
//! under `/store/`, whose own IRI is the graph's); `POST /store` creates a new graph.

use super::stream::{error_response, negotiated, plain, stream_blocking};
use super::AppState;
use crate::rdf::io::parse_text_with_base;
use crate::sparql::evaluate::{rdf_format, ChunkWriter, ResponseSink};
use crate::sparql::negotiate::negotiate;
use crate::sparql::representable::check_rdf_xml_triple;
use crate::sparql::{HttpError, GRAPH_TYPES};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, Quad};
use std::sync::atomic::{AtomicU64, Ordering};

/// The methods `/store` and the URLs under it answer (the `Allow` of their 405s).
pub const ALLOW: &str = "GET, HEAD, PUT, POST, DELETE";

/// The path of the Graph Store; URLs under `{PATH}/` name graphs directly.
const PATH: &str = "/store";

/// The graph a request names: `?graph=IRI`, `?default`, or the request's own URL when it is
/// under `/store/` (direct identification, the IRI built on [`super::public_base`]).
/// `None` is `/store` with neither parameter, which only a POST may send (it creates a graph).
fn target(req: &HttpRequest, state: &AppState) -> Result<Option<GraphName>, HttpError> {
    let params: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let graphs: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "graph")
        .map(|(_, v)| v.as_str())
        .collect();
    let default = params.iter().any(|(k, _)| k == "default");
    if req.path() != PATH {
        if !graphs.is_empty() || default {
            return Err(HttpError::bad_request(
                "a URL under /store/ names its graph itself: drop ?graph= and ?default",
            ));
        }
        let iri = format!("{}{}", super::public_base(req, state), req.path());
        return NamedNode::new(&iri)
            .map(|n| Some(GraphName::from(n)))
            .map_err(|e| HttpError::bad_request(format!("the URL {iri} is not an IRI: {e}")));
    }
    match (graphs.as_slice(), default) {
        ([], true) => Ok(Some(GraphName::DefaultGraph)),
        ([iri], false) => NamedNode::new(*iri)
            .map(|n| Some(GraphName::from(n)))
            .map_err(|e| {
                HttpError::bad_request(format!("graph '{iri}' is not an absolute IRI: {e}"))
            }),
        ([], false) => Ok(None),
        _ => Err(HttpError::bad_request(
            "give exactly one of ?graph=IRI and ?default",
        )),
    }
}

/// The 400 of a GET, HEAD, PUT or DELETE on `/store` that names no graph.
fn no_graph_named() -> HttpError {
    HttpError::bad_request(
        "name the graph with ?graph=IRI or ?default, or use its URL under /store/",
    )
}

/// [`target`] for the methods that need a graph named.
fn named_target(req: &HttpRequest, state: &AppState) -> Result<GraphName, HttpError> {
    target(req, state)?.ok_or_else(no_graph_named)
}

/// GET and HEAD: the graph's triples in the negotiated syntax (Turtle by default). A HEAD
/// computes the same answer (actix-web sends its headers, `Content-Length` included, without
/// the body).
pub async fn read(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let negotiated_read = || {
        let graph = named_target(&req, &state)?;
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        let not_acceptable = || HttpError::not_acceptable(GRAPH_TYPES);
        let media = negotiate(accept, GRAPH_TYPES).ok_or_else(not_acceptable)?;
        let format = rdf_format(media).ok_or_else(not_acceptable)?;
        Ok::<_, HttpError>((graph, media, format))
    };
    let (graph, media, format) = match negotiated_read() {
        Ok(t) => t,
        Err(e) => return error_response(&e),
    };
    let store = state.store.clone();
    let ok = negotiated(media);
    stream_blocking(&state.pool, ok, plain, move |mut sink| {
        match store.graph_exists(graph.as_ref()) {
            Ok(true) => {}
            Ok(false) => {
                return sink.head(Err(HttpError::not_found(format!(
                    "no graph {graph} in the store"
                ))))
            }
            Err(e) => return sink.head(Err(HttpError::internal(e.to_string()))),
        }
        let mut out = ChunkWriter::new(sink);
        let mut serializer = crate::vocab::PREFIXES
            .iter()
            .fold(RdfSerializer::from_format(format), |s, (p, iri)| {
                s.with_prefix(*p, *iri)
                    .unwrap_or_else(|_| RdfSerializer::from_format(format))
            })
            .for_writer(&mut out);
        for (i, t) in store.graph_triples(graph.as_ref()).enumerate() {
            let written = t
                .map_err(|e| HttpError::internal(e.to_string()))
                .and_then(|t| {
                    if format == RdfFormat::RdfXml {
                        check_rdf_xml_triple(t.as_ref(), i as u64 + 1)?;
                    }
                    serializer
                        .serialize_triple(t.as_ref())
                        .map_err(|e| HttpError::internal(e.to_string()))
                });
            if let Err(e) = written {
                drop(serializer);
                return out.fail(e);
            }
        }
        match serializer.finish() {
            Ok(_) => out.finish(),
            Err(e) => out.fail(HttpError::internal(e.to_string())),
        }
    })
    .await
}

/// PUT: replace the graph (201 when it is new, 204 when it existed).
pub async fn put(req: HttpRequest, body: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    write(req, body, state, true)
        .await
        .unwrap_or_else(|e| error_response(&e))
}

/// POST: add to the graph (201 when it is new, 204 when it existed); on `/store` itself
/// with no graph named, create a new graph under `/store/` (201 with its IRI in `Location`).
pub async fn post(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    write(req, body, state, false)
        .await
        .unwrap_or_else(|e| error_response(&e))
}

/// The media types a write may send, for the 415's message.
const WRITE_TYPES: &str = "an RDF syntax: text/turtle, application/n-triples, application/n-quads, application/trig, application/rdf+xml, application/ld+json, or multipart/form-data of them";

/// The media type of a `Content-Type` value (lowercase, no parameters); 415 when it names a
/// charset other than UTF-8.
fn media_type(content_type: &str) -> Result<String, HttpError> {
    let mut pieces = content_type.split(';');
    let media = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
    for param in pieces {
        if let Some((k, v)) = param.split_once('=') {
            let v = v.trim().trim_matches('"');
            if k.trim().eq_ignore_ascii_case("charset") && !v.eq_ignore_ascii_case("utf-8") {
                return Err(HttpError::unsupported_media_type(
                    content_type,
                    "UTF-8 text (charset=utf-8 or no charset)",
                ));
            }
        }
    }
    Ok(media)
}

/// The RDF syntax of a body or part from its media type (or, for a part without one, its
/// file name's extension).
fn body_format(media: &str, file_name: Option<&str>) -> Option<RdfFormat> {
    if media.is_empty() || media == "application/octet-stream" {
        let ext = file_name?.rsplit_once('.')?.1.to_ascii_lowercase();
        return RdfFormat::from_extension(&ext);
    }
    rdf_format(media)
}

/// One RDF document of a write: its label in errors, syntax and bytes.
struct Document {
    label: String,
    format: RdfFormat,
    bytes: bytes::Bytes,
}

/// Splits a `multipart/form-data` body into its RDF parts (RFC 7578, parsed by `multer`).
async fn parts(content_type: &str, body: bytes::Bytes) -> Result<Vec<Document>, HttpError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| HttpError::bad_request(format!("multipart/form-data: {e}")))?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut documents = Vec::new();
    let bad = |e: multer::Error| HttpError::bad_request(format!("multipart/form-data: {e}"));
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let n = documents.len() + 1;
        let file_name = field.file_name().map(str::to_owned);
        let label = format!(
            "part {n}{}",
            file_name
                .as_deref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        );
        let media = match field.content_type() {
            Some(m) => media_type(m.as_ref())?,
            None => String::new(),
        };
        let format = body_format(&media, file_name.as_deref()).ok_or_else(|| {
            HttpError::unsupported_media_type(
                &format!(
                    "{label}: {}",
                    if media.is_empty() { "(none)" } else { &media }
                ),
                WRITE_TYPES,
            )
        })?;
        let bytes = field.bytes().await.map_err(bad)?;
        documents.push(Document {
            label,
            format,
            bytes,
        });
    }
    if documents.is_empty() {
        return Err(HttpError::bad_request(
            "multipart/form-data: the body has no parts",
        ));
    }
    Ok(documents)
}

/// A fresh graph IRI under `/store/` for a POST that creates a graph.
fn new_graph_iri(base: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{base}{PATH}/graph-{nanos:x}-{:x}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

async fn write(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    replace: bool,
) -> Result<HttpResponse, HttpError> {
    // The token first: an anonymous write is refused before a byte of its body is read.
    state.authorize_write(req.headers().get(header::AUTHORIZATION))?;
    let (graph, created) = match target(&req, &state)? {
        Some(g) => (g, None),
        None if !replace => {
            let iri = new_graph_iri(&super::public_base(&req, &state));
            let node = NamedNode::new(&iri).map_err(|e| HttpError::internal(e.to_string()))?;
            (GraphName::from(node), Some(iri))
        }
        None => return Err(no_graph_named()),
    };
    if crate::store::protected_graph(graph.as_ref()).is_some() {
        // Refused (403 naming the graph) before a byte of the body is read.
        return Err(crate::store::KgStore::refuse_write(graph.as_ref()).into());
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let media = media_type(&content_type)?;
    let multipart = media == "multipart/form-data";
    let single = if multipart {
        None
    } else {
        Some(body_format(&media, None).ok_or_else(|| {
            HttpError::unsupported_media_type(
                if media.is_empty() { "(none)" } else { &media },
                WRITE_TYPES,
            )
        })?)
    };
    let body = super::body::read(&req, payload, state.config.max_body).await?;
    let documents = match single {
        Some(format) => vec![Document {
            label: "request body".into(),
            format,
            bytes: body,
        }],
        None => parts(&content_type, body).await?,
    };
    let store = state.store.clone();
    // Relative IRIs in the body resolve against the graph's IRI (else the store's URL).
    let base = match &graph {
        GraphName::NamedNode(n) => n.as_str().to_owned(),
        _ => format!("{}{PATH}", super::public_base(&req, &state)),
    };
    // The server's time limit, from here: the write (waiting for the writer, the changes,
    // the entailment upkeep) stops at it with nothing applied.
    let deadline = crate::algorithms::Deadline::after(state.time_limit(None));
    // The body is parsed on the large-stack pool (JSON-LD nesting is checked first).
    let result = state
        .pool
        .run(move || {
            let mut quads = Vec::new();
            for d in &documents {
                for q in
                    parse_text_with_base(&d.label, &d.bytes, d.format, graph.clone(), Some(&base))
                {
                    quads.push(one_graph(q?, &graph, &d.label)?);
                }
            }
            store.write_graph_until(graph.as_ref(), quads, replace, &deadline)
        })
        .await?;
    let existed = result?;
    Ok(match created {
        Some(iri) => HttpResponse::Created()
            .insert_header((header::LOCATION, iri))
            .finish(),
        None if existed => HttpResponse::NoContent().finish(),
        None => HttpResponse::Created().finish(),
    })
}

/// A quad of a Graph Store body must land in the target graph: a dataset syntax (N-Quads,
/// TriG, JSON-LD) naming another graph is refused, naming it.
fn one_graph(q: Quad, graph: &GraphName, label: &str) -> crate::error::Result<Quad> {
    if &q.graph_name == graph {
        Ok(q)
    } else {
        Err(crate::error::Error::InvalidInput(format!(
            "{label}: a triple in graph {} — a Graph Store body carries the triples of one graph; send the named graphs separately",
            q.graph_name
        )))
    }
}

/// DELETE: remove the graph (204), or 404 when there is none.
pub async fn delete(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    remove(req, state)
        .await
        .unwrap_or_else(|e| error_response(&e))
}

async fn remove(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, HttpError> {
    state.authorize_write(req.headers().get(header::AUTHORIZATION))?;
    let graph = named_target(&req, &state)?;
    let store = state.store.clone();
    let deadline = crate::algorithms::Deadline::after(state.time_limit(None));
    let result = web::block(move || {
        if !store.graph_exists(graph.as_ref())? {
            return Ok(false);
        }
        store.delete_graph_until(graph.as_ref(), &deadline)
    })
    .await
    .map_err(|e| HttpError::internal(e.to_string()))?;
    if result? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(HttpError::not_found("no such graph"))
    }
}
