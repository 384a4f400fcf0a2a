//! Standards conformance, asserted over HTTP on a real server: the SPARQL 1.1 Protocol
//! ([`protocol`]: base IRI, `format` parameters, HTTP semantics of RFC 9110), the Graph Store
//! Protocol ([`graph_store`]), what the serializers must never send ([`output`]), the
//! OpenAPI document against its handlers ([`openapi`]), and the `/api` JSON-LD read back by
//! two JSON-LD processors ([`jsonld`]). The W3C suites themselves run from
//! `.ci/run` (`tests/python/w3c_protocol.py`).

mod graph_store;
mod jsonld;
mod openapi;
mod output;
mod protocol;

use crate::support::{spawn_app_with, TestApp};
use autokg::http::ServeConfig;

/// The update token of these tests' servers.
const TOKEN: &str = "standards-token";

/// A server that takes writes with [`TOKEN`].
fn writable() -> TestApp {
    spawn_app_with(ServeConfig {
        update_token: Some(TOKEN.into()),
        ..ServeConfig::default()
    })
}

/// Sends a SPARQL update with the token; returns the status.
fn update(app: &TestApp, text: &str) -> u16 {
    app.post("/sparql")
        .header("Content-Type", "application/sparql-update")
        .header("Authorization", format!("Bearer {TOKEN}"))
        .body(text.to_owned())
        .send()
        .expect("update")
        .status()
        .as_u16()
}

/// A response's header as text ("" when absent).
fn header(r: &reqwest::blocking::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}
