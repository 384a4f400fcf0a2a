//! A client of a running autokg's Graph Store (SPARQL 1.1 Graph Store Protocol, `POST
//! /store`), used by `autokg load --server`: files are parsed here, so their errors name
//! file, line and column, and sent as one N-Triples body, so the server applies them in one
//! transaction.

use crate::error::{Error, Result};
use crate::rdf::io::RdfSource;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, TripleRef};
use std::path::PathBuf;

/// The triples of `files` as one N-Triples body. A file holding named graphs is refused
/// ([`Error::InvalidInput`]): a Graph Store request addresses one graph.
pub fn ntriples_body(files: &[PathBuf], format: Option<&str>) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut serializer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut body);
    for file in files {
        let source = RdfSource::new(file, format)?;
        for q in source.quads(GraphName::DefaultGraph)? {
            let q = q?;
            if !q.graph_name.is_default_graph() {
                return Err(Error::InvalidInput(format!(
                    "{}: holds named graphs; loading through --server sends one graph at a time",
                    file.display()
                )));
            }
            serializer
                .serialize_triple(TripleRef::from(q.as_ref()))
                .map_err(|source| Error::Io {
                    path: file.clone(),
                    source,
                })?;
        }
    }
    serializer.finish().map_err(|source| Error::Io {
        path: "<body>".into(),
        source,
    })?;
    Ok(body)
}

/// POSTs an N-Triples `body` to `{server}/store` into `graph` with the bearer `token`.
/// Returns a line saying where it went and the status; a refusal or an unreachable server is
/// an [`Error::InvalidInput`] with the URL and the server's answer.
pub fn post_graph(
    server: &str,
    graph: &GraphName,
    body: Vec<u8>,
    token: Option<&str>,
) -> Result<String> {
    let target = match graph {
        GraphName::NamedNode(g) => format!(
            "graph={}",
            form_urlencoded::byte_serialize(g.as_str().as_bytes()).collect::<String>()
        ),
        _ => "default".to_owned(),
    };
    let url = format!("{}/store?{target}", server.trim_end_matches('/'));
    let mut request = reqwest::blocking::Client::new()
        .post(&url)
        .header("Content-Type", "application/n-triples")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .map_err(|e| Error::InvalidInput(format!("{url}: {e}")))?;
    let status = response.status();
    if status.is_success() {
        Ok(format!("loaded into {url} ({status})"))
    } else {
        let text = response.text().unwrap_or_default();
        Err(Error::InvalidInput(format!(
            "{url} answered {status}: {}",
            text.trim()
        )))
    }
}
