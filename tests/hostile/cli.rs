//! The command line under the same shapes: `autokg query` exits 2 with a message naming the
//! limit instead of aborting, and runs everything at the limit; deep `--data` files load or
//! are refused the same way.

use super::generate::{at_limit, build, Shape};
use crate::support::{autokg, stderr, stdout};
use std::io::Write;

fn query_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".rq")
        .tempfile()
        .expect("temp file");
    file.write_all(text.as_bytes()).expect("write");
    file
}

#[test]
fn autokg_query_refuses_each_reported_shape_with_exit_code_2() {
    // As an argument, the report's first query.
    let out = autokg(&["query", &build(Shape::FilterParens, 1_000, "").text]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let limit = autokg::nesting::SPARQL.brackets;
    assert!(
        stderr(&out).contains("nesting limit")
            && stderr(&out).contains(&format!("at most {limit}")),
        "{}",
        stderr(&out)
    );
    for (shape, n) in [
        (Shape::NestedGroups, 1_500),
        (Shape::UnionChain, 2_000),
        (Shape::Arithmetic, 5_000),
        (Shape::SubSelects, 800),
    ] {
        let file = query_file(&build(shape, n, "").text);
        let out = autokg(&["query", "-f", file.path().to_str().expect("UTF-8 path")]);
        assert_eq!(out.status.code(), Some(2), "{shape:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("nesting limit"), "{}", stderr(&out));
    }
}

#[test]
fn autokg_query_runs_each_shape_at_its_limit_and_refuses_one_past() {
    for shape in [
        Shape::FilterParens,
        Shape::NestedGroups,
        Shape::UnionChain,
        Shape::Arithmetic,
        Shape::SubSelects,
        Shape::OrChain,
        Shape::JoinChain,
    ] {
        let n = at_limit(shape);
        let at = query_file(&build(shape, n, "").text);
        let out = autokg(&[
            "query",
            "-f",
            at.path().to_str().expect("UTF-8"),
            "--format",
            "csv",
        ]);
        assert!(out.status.success(), "{shape:?} at {n}: {}", stderr(&out));
        assert!(!stdout(&out).is_empty());
        let past = query_file(&build(shape, n + 1, "").text);
        let out = autokg(&["query", "-f", past.path().to_str().expect("UTF-8")]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{shape:?} past: {}",
            stderr(&out)
        );
        let named = if matches!(shape, Shape::JoinChain) {
            "planning limit"
        } else {
            "line 1, column"
        };
        assert!(stderr(&out).contains(named), "{}", stderr(&out));
    }
}

#[test]
fn deep_data_files_load_or_are_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let turtle = dir.path().join("deep.ttl");
    std::fs::write(&turtle, super::deep_turtle(100_000)).expect("write");
    let out = autokg(&[
        "--data",
        turtle.to_str().expect("UTF-8"),
        "query",
        "SELECT (COUNT(*) AS ?n) { ?s <http://e/p> ?o }",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("100001"), "{}", stdout(&out));
    let json = dir.path().join("deep.jsonld");
    std::fs::write(&json, super::deep_json_ld(10_000)).expect("write");
    let out = autokg(&["--data", json.to_str().expect("UTF-8"), "query", "ASK {}"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("deep.jsonld") && stderr(&out).contains("nesting limit"),
        "{}",
        stderr(&out)
    );
}
