//! One error mapping on every route family: the same `Error` variant gets the same status on
//! `/sparql` and `/store` (plain text, as SPARQL clients expect) and on `/api` and the
//! export routes (RFC 9457 problems). Each row triggers a variant through a real request to
//! a real server and checks status and body kind.

use crate::support::{spawn_app_with, TestApp};
use autokg::http::ServeConfig;
use std::time::Duration;

const TOKEN: &str = "errors-table";

/// `(variant, method, path, body, expected status)`; a body is sent with the token.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
    u16,
);

const ROWS: &[Row] = &[
    // NotFound: 404 everywhere.
    ("NotFound", "GET", "/store?graph=http%3A%2F%2Fe%2Fnone", None, 404),
    ("NotFound", "GET", "/api/entities/no-such-firm", None, 404),
    ("NotFound", "GET", "/api/firms?city=no-such-city", None, 404),
    ("NotFound", "GET", "/api/paths?from=huawei&to=no-such-firm", None, 404),
    ("NotFound", "GET", "/api/analytics/impact?node=no-such-firm", None, 404),
    ("NotFound", "GET", "/api/entities/no-such-firm/neighbourhood", None, 404),
    // SparqlSyntax: 400.
    ("SparqlSyntax", "GET", "/sparql?query=SELEC%20*", None, 400),
    ("SparqlSyntax", "POST", "/sparql", Some(("application/sparql-update", "INSERT DAT { }")), 400),
    // Syntax (RDF): 400.
    ("Syntax", "PUT", "/store?graph=http%3A%2F%2Fe%2Fg", Some(("text/turtle", "<a> <b> .")), 400),
    // InvalidInput: 400.
    ("InvalidInput", "GET", "/api/analytics/centrality?measure=degree&projection=nope", None, 400),
    ("InvalidInput", "GET", "/api/export?projection=nope", None, 400),
    ("InvalidInput", "GET", "/api/analytics/centrality?measure=popularity", None, 400),
    // UnknownFormat: 400.
    ("UnknownFormat", "GET", "/api/export?format=svg", None, 400),
    // Timeout: 503 with Retry-After.
    (
        "Timeout",
        "GET",
        "/sparql?timeout=0.5&query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fa%20%3Fb%20%3Fc%20.%20%3Fd%20%3Fe%20%3Ff%20.%20%3Fg%20%3Fh%20%3Fi%20%7D",
        None,
        503,
    ),
];

fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> reqwest::blocking::Response {
    let url = format!("{}{path}", app.address);
    let mut request = match method {
        "GET" => app.client.get(&url),
        "POST" => app.client.post(&url),
        "PUT" => app.client.put(&url),
        other => panic!("no such method in the table: {other}"),
    };
    if let Some((content_type, text)) = body {
        request = request
            .bearer_auth(TOKEN)
            .header("Content-Type", content_type)
            .body(text.to_owned());
    }
    request.send().expect("the server answers")
}

#[test]
fn each_error_variant_gets_one_status_on_every_route_family() {
    let app = spawn_app_with(ServeConfig {
        update_token: Some(TOKEN.into()),
        timeout: Duration::from_secs(30),
        ..ServeConfig::default()
    });
    let mut seen: std::collections::BTreeMap<&str, u16> = std::collections::BTreeMap::new();
    for &(variant, method, path, body, status) in ROWS {
        let r = send(&app, method, path, body);
        let line_status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let retry_after = r.headers().contains_key("retry-after");
        let text = r.text().expect("body");
        assert_eq!(line_status, status, "{variant}: {method} {path}: {text}");
        // One status per variant, whatever the route.
        assert_eq!(*seen.entry(variant).or_insert(status), status, "{variant}");
        if path.starts_with("/api/") {
            let problem: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{path}: not a problem document ({e}): {text}"));
            assert_eq!(content_type, "application/problem+json", "{path}");
            assert_eq!(problem["status"], status, "{path}");
            assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        } else {
            assert!(
                content_type.starts_with("text/plain"),
                "{path}: {content_type}"
            );
            assert!(!text.trim().is_empty(), "{path}: no message");
        }
        assert_eq!(retry_after, status == 503, "{path}: Retry-After");
    }
}
