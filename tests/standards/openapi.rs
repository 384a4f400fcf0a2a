//! The OpenAPI document against its handlers: for every operation, a request with only the
//! required parameters (their examples, else their first enum value) is not a 400, and
//! leaving out any one required parameter is a 400. schemathesis only sends what the
//! document allows, so it cannot see a parameter marked optional that the handler needs.

use crate::support::spawn_app;
use serde_json::Value;

/// An example value for a parameter, from its `example`, its schema's `example(s)` or enum.
fn example(param: &Value) -> Option<String> {
    let schema = &param["schema"];
    let candidates = [
        &param["example"],
        &schema["example"],
        &schema["examples"][0],
        &schema["enum"][0],
        &schema["default"],
    ];
    candidates
        .into_iter()
        .find(|v| !v.is_null())
        .map(|v| match v {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        })
}

#[test]
fn every_parameters_required_flag_matches_its_handler() {
    let app = spawn_app();
    let doc: Value = serde_json::from_slice(
        &app.get("/api/openapi.json")
            .send()
            .expect("document")
            .bytes()
            .expect("body"),
    )
    .expect("JSON");
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(op) = item.get("get") else { continue };
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let mut url_path = path.clone();
        let mut required_query = Vec::new();
        for p in &params {
            let name = p["name"].as_str().expect("name");
            let required = p["required"].as_bool().unwrap_or(false);
            match p["in"].as_str() {
                Some("path") => {
                    let value =
                        example(p).unwrap_or_else(|| panic!("{path}: no example for {name}"));
                    url_path = url_path.replace(&format!("{{{name}}}"), &value);
                }
                Some("query") if required => {
                    let value =
                        example(p).unwrap_or_else(|| panic!("{path}: no example for {name}"));
                    required_query.push((name.to_owned(), value));
                }
                _ => {}
            }
        }
        let send = |query: &[(String, String)]| {
            let r = app.get(&url_path).query(query).send().expect("request");
            let status = r.status().as_u16();
            (status, r.text().unwrap_or_default())
        };
        let (status, body) = send(&required_query);
        assert_ne!(
            status, 400,
            "{path}: the required parameters {required_query:?} alone are refused: the document marks a needed parameter optional? {body}"
        );
        for i in 0..required_query.len() {
            let mut fewer = required_query.clone();
            let (name, _) = fewer.remove(i);
            let (status, body) = send(&fewer);
            assert_eq!(
                status, 400,
                "{path}: without the required '{name}' the handler answers {status}: {body}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} operations");
}
