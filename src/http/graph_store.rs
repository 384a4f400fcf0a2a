//! `/store`: the SPARQL 1.1 Graph Store HTTP Protocol (reads open, writes behind the token).

use super::stream::{error_response, negotiated, plain, stream_blocking};
use super::AppState;
use crate::rdf::io::parse_text;
use crate::sparql::evaluate::{rdf_format, ChunkWriter, ResponseSink};
use crate::sparql::negotiate::negotiate;
use crate::sparql::{HttpError, GRAPH_TYPES};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use oxigraph::io::RdfSerializer;
use oxigraph::model::{GraphName, NamedNode};

/// The graph a request names: `?graph=IRI` or `?default`.
fn target(req: &HttpRequest) -> Result<GraphName, HttpError> {
    let params: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let graphs: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "graph")
        .map(|(_, v)| v.as_str())
        .collect();
    let default = params.iter().any(|(k, _)| k == "default");
    match (graphs.as_slice(), default) {
        ([], true) => Ok(GraphName::DefaultGraph),
        ([iri], false) => NamedNode::new(*iri).map(GraphName::from).map_err(|e| {
            HttpError::bad_request(format!("graph '{iri}' is not an absolute IRI: {e}"))
        }),
        ([], false) => Err(HttpError::bad_request(
            "name the graph with ?graph=IRI or ?default",
        )),
        _ => Err(HttpError::bad_request(
            "give exactly one of ?graph=IRI and ?default",
        )),
    }
}

/// GET and HEAD: the graph's triples in the negotiated syntax (Turtle by default).
pub async fn read(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let negotiated_read = || {
        let graph = target(&req)?;
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
    let head_only = req.method() == actix_web::http::Method::HEAD;
    stream_blocking(&state.pool, negotiated(media), plain, move |mut sink| {
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
        if head_only {
            return out.finish();
        }
        let mut serializer = crate::vocab::PREFIXES
            .iter()
            .fold(RdfSerializer::from_format(format), |s, (p, iri)| {
                s.with_prefix(*p, *iri)
                    .unwrap_or_else(|_| RdfSerializer::from_format(format))
            })
            .for_writer(&mut out);
        for t in store.graph_triples(graph.as_ref()) {
            let written = t.map_err(|e| e.to_string()).and_then(|t| {
                serializer
                    .serialize_triple(t.as_ref())
                    .map_err(|e| e.to_string())
            });
            if let Err(e) = written {
                drop(serializer);
                return out.fail(HttpError::internal(e));
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

/// POST: add to the graph (201 when it is new, 204 when it existed).
pub async fn post(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    write(req, body, state, false)
        .await
        .unwrap_or_else(|e| error_response(&e))
}

async fn write(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    replace: bool,
) -> Result<HttpResponse, HttpError> {
    // The token first: an anonymous write is refused before a byte of its body is read.
    state.authorize_write(req.headers().get(header::AUTHORIZATION))?;
    let graph = target(&req)?;
    if crate::store::protected_graph(graph.as_ref()).is_some() {
        // Refused (403 naming the graph) before a byte of the body is read.
        return Err(crate::store::KgStore::refuse_write(graph.as_ref()).into());
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let Some(format) = rdf_format(&content_type).filter(|f| !f.supports_datasets()) else {
        return Err(HttpError::unsupported_media_type(
            if content_type.is_empty() { "(none)" } else { &content_type },
            "an RDF graph syntax: text/turtle, application/n-triples, application/rdf+xml or application/ld+json",
        ));
    };
    let body = super::body::read(&req, payload, state.config.max_body).await?;
    let store = state.store.clone();
    // The body is parsed on the large-stack pool (JSON-LD nesting is checked first).
    let result = state
        .pool
        .run(move || {
            let quads = parse_text("request body", &body, format, graph.clone())
                .collect::<crate::error::Result<Vec<_>>>()?;
            store.write_graph(graph.as_ref(), quads, replace)
        })
        .await?;
    Ok(if result? {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::Created().finish()
    })
}

/// DELETE: remove the graph (204), or 404 when there is none.
pub async fn delete(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    remove(req, state)
        .await
        .unwrap_or_else(|e| error_response(&e))
}

async fn remove(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, HttpError> {
    state.authorize_write(req.headers().get(header::AUTHORIZATION))?;
    let graph = target(&req)?;
    let store = state.store.clone();
    let result = web::block(move || {
        if !store.graph_exists(graph.as_ref())? {
            return Ok(false);
        }
        store.delete_graph(graph.as_ref())
    })
    .await
    .map_err(|e| HttpError::internal(e.to_string()))?;
    if result? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(HttpError::not_found("no such graph"))
    }
}
