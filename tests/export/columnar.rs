//! Exports for engines past one machine: Parquet tables read back by pyarrow and duckdb, and
//! Neo4j bulk-import files checked against the importer's header grammar and read back by
//! Python's csv module (`tests/python/check_columnar.py`), all compared with the CSV export
//! of the same graph; on the hostile fixture, generated networks, a graph of labels built
//! to break CSV, over HTTP and from the command line.

use super::http::hostile_and_synthetic_app;
use super::{build, hostile, render, SCORES};
use crate::support::{autokg, generated_store, python, stderr, stdout, store};
use autokg::analytics::{Measure, Score};
use autokg::export::model::is_integer_measure;
use autokg::export::{neo4j, ExportEdge, ExportGraph, ExportNode, Format, Scope};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// The graph as the writers get it, for the checker.
fn expected(graph: &ExportGraph) -> Value {
    let score = |s: &Option<Score>| match s {
        None => Value::Null,
        Some(Score::Integer(i)) => json!(i),
        Some(Score::Real(x)) => json!(x),
    };
    json!({
        "directed": graph.directed,
        "measures": graph.measures.iter().map(|&m| json!({
            "name": m.name(), "integer": is_integer_measure(m)
        })).collect::<Vec<_>>(),
        "nodes": graph.nodes.iter().map(|n| json!({
            "id": n.id, "label": n.label(), "label_zh": n.label_zh, "type": n.kind,
            "city": n.city, "province": n.province,
            "scores": n.scores.iter().map(score).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "edges": graph.edges.iter().map(|e| json!({
            "source": graph.nodes[e.source as usize].id,
            "target": graph.nodes[e.target as usize].id,
            "relations": e.relations, "weight": e.weight, "paragraphs": e.paragraphs,
        })).collect::<Vec<_>>(),
        "neo4j": true,
    })
}

/// Runs the checker on `dir`; fails when it finds a difference or cannot import its readers.
fn check(dir: &Path) -> Value {
    run_checker("check_columnar.py", dir)
}

/// Runs `tests/python/<script> dir`; returns the JSON summary on its last line of output.
fn run_checker(script: &str, dir: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let python = python();
    let out = Command::new(&python)
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run the Python interpreter '{python}' (set AUTOKG_PYTHON): {e}")
        });
    if out.status.code() == Some(3) {
        panic!(
            "{} cannot run with '{python}': {}. Run tests/python/setup.sh or point \
             AUTOKG_PYTHON at an interpreter that has tests/python/requirements.txt.",
            script.display(),
            stderr(&out).trim()
        );
    }
    assert!(
        out.status.success(),
        "the outside readers disagree with the export: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("no JSON summary ({e}): {text}"))
}

/// Writes the CSV, Parquet and Neo4j exports of `graph` and the expectation into `dir`.
fn write_all(dir: &Path, graph: &ExportGraph) {
    for (name, format) in [
        ("nodes.csv", Format::CsvNodes),
        ("edges.csv", Format::CsvEdges),
        ("nodes.parquet", Format::ParquetNodes),
        ("edges.parquet", Format::ParquetEdges),
    ] {
        let mut out = Vec::new();
        autokg::export::write_graph(graph, format, &mut out).expect("writes");
        std::fs::write(dir.join(name), out).expect("write");
    }
    let files = neo4j::write_dir(
        graph,
        &dir.join("neo4j"),
        &autokg::algorithms::Deadline::none(),
    )
    .expect("neo4j files");
    assert!(!files.nodes.is_empty());
    std::fs::write(dir.join("expected.json"), expected(graph).to_string()).expect("write");
}

#[test]
fn pyarrow_duckdb_and_the_neo4j_grammar_read_back_real_exports() {
    let generated = generated_store(3_000, 11);
    let cases: [(&str, ExportGraph); 4] = [
        (
            "hostile",
            build(hostile(), "supply-chain", Scope::Whole, SCORES),
        ),
        (
            "curated-all",
            build(
                store(),
                "all",
                Scope::Whole,
                &[Measure::PageRank, Measure::Degree, Measure::Components],
            ),
        ),
        (
            "curated-ownership-no-scores",
            build(store(), "ownership", Scope::Whole, &[]),
        ),
        (
            "generated-3000",
            build(
                &generated,
                "supply-chain",
                Scope::Whole,
                &[Measure::PageRank, Measure::CoreNumber],
            ),
        ),
    ];
    for (label, graph) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        write_all(dir.path(), &graph);
        let summary = check(dir.path());
        assert_eq!(summary["nodes"], graph.nodes.len(), "{label}: {summary}");
        assert_eq!(summary["edges"], graph.edges.len(), "{label}: {summary}");
        let relations: usize = graph.edges.iter().map(|e| e.relations.len().max(1)).sum();
        assert_eq!(summary["relationships"], relations, "{label}: {summary}");
    }
}

/// A node whose every text field tries to break CSV, Neo4j's arrays or Parquet's strings.
fn hostile_node(
    id: &str,
    text: &str,
    kind: Option<&str>,
    scores: Vec<Option<Score>>,
) -> ExportNode {
    ExportNode {
        id: id.into(),
        label_en: Some(text.into()),
        label_zh: Some(format!("{text}；中文")),
        kind: kind.map(Into::into),
        city: Some(format!("\"{text}\"")),
        province: None,
        scores,
    }
}

#[test]
fn labels_built_to_break_csv_round_trip_through_parquet_and_neo4j_files() {
    let huge = "长;\"x\",\n".repeat(150_000); // about 1.2 MB in one label
    let nodes = vec![
        hostile_node(
            "urn:h:a",
            "quote \" comma , semicolon ; newline \n crlf \r\n tab \t",
            Some("Odd;Kind"),
            vec![Some(Score::Real(0.25)), Some(Score::Integer(3))],
        ),
        hostile_node(
            "urn:h:b",
            "control \u{1}\u{7}\u{1b}[31m del \u{7f} nul-free; \u{2028} line separator",
            Some("a/b \"quoted\""),
            vec![None, Some(Score::Integer(0))],
        ),
        hostile_node(
            "urn:h:c",
            &huge,
            None,
            vec![Some(Score::Real(1e-300)), None],
        ),
        hostile_node(
            "urn:h:d,with;odd\"id",
            "",
            Some("Automaker"),
            vec![Some(Score::Real(-0.0)), Some(Score::Integer((1 << 53) + 1))],
        ),
    ];
    let edge = |source, target, relations: &[&str], paragraphs: Vec<i64>| ExportEdge {
        source,
        target,
        relations: relations.iter().map(|r| (*r).to_owned()).collect(),
        weight: 0.1 + f64::from(source),
        paragraphs,
    };
    let graph = ExportGraph {
        name: "hostile".into(),
        directed: true,
        measures: vec![Measure::PageRank, Measure::CoreNumber],
        nodes,
        edges: vec![
            edge(0, 1, &["urn:rel#odd;type,\"q\""], vec![1, 2]),
            edge(1, 2, &["urn:rel#a", "urn:rel#b"], vec![]),
            edge(2, 3, &[], vec![-4]),
            edge(3, 0, &["urn:rel#a"], vec![7]),
        ],
    };
    let dir = tempfile::tempdir().expect("tempdir");
    write_all(dir.path(), &graph);
    let summary = check(dir.path());
    assert_eq!(summary["relationships"], 5, "{summary}");
    assert_eq!(summary["node_files"], 4, "{summary}");
    // The label with the delimiter keeps it as text; `:LABEL` swaps it for `_`.
    let odd = std::fs::read_to_string(dir.path().join("neo4j/nodes-Odd_Kind.csv")).expect("file");
    assert!(odd.contains("Odd_Kind;Entity") && odd.contains("semicolon ; newline"));
}

#[test]
fn spark_reads_the_parquet_tables_in_local_mode() {
    let generated = generated_store(2_000, 3);
    let graph = build(
        &generated,
        "all",
        Scope::Whole,
        &[Measure::PageRank, Measure::CoreNumber, Measure::Components],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write_all(dir.path(), &graph);
    let summary = run_checker("check_spark.py", dir.path());
    assert_eq!(summary["nodes"], graph.nodes.len(), "{summary}");
    assert_eq!(summary["edges"], graph.edges.len(), "{summary}");
}

#[test]
fn http_serves_parquet_tables_of_hostile_and_synthetic_data() {
    let app = hostile_and_synthetic_app();
    let dir = tempfile::tempdir().expect("tempdir");
    for (format, file, media) in [
        ("csv-nodes", "nodes.csv", "text/csv"),
        ("csv-edges", "edges.csv", "text/csv"),
        (
            "parquet-nodes",
            "nodes.parquet",
            "application/vnd.apache.parquet",
        ),
        (
            "parquet-edges",
            "edges.parquet",
            "application/vnd.apache.parquet",
        ),
    ] {
        let r = app
            .get(&format!(
                "/api/export?format={format}&projection=supply-chain&scores=pagerank,kcore"
            ))
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{format}");
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        assert!(header("content-type").starts_with(media), "{format}");
        let ending = Format::from_name(format).expect("known").extension();
        assert!(
            header("content-disposition")
                .ends_with(&format!("filename=\"autokg-supply-chain{ending}\"")),
            "{format}"
        );
        std::fs::write(dir.path().join(file), r.bytes().expect("body")).expect("write");
    }
    // The OpenAPI document says the Parquet answer is bytes, not JSON.
    let doc: Value = serde_json::from_slice(
        &app.get("/api/openapi.json")
            .send()
            .expect("request")
            .bytes()
            .expect("body"),
    )
    .expect("OpenAPI JSON");
    let schema = &doc["paths"]["/api/export"]["get"]["responses"]["200"]["content"]
        ["application/vnd.apache.parquet"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap_or_default()],
        None => schema,
    };
    assert_eq!(
        (&schema["type"], &schema["format"]),
        (&json!("string"), &json!("binary")),
        "{schema}"
    );
    let measures = [Measure::PageRank, Measure::CoreNumber];
    let mut expectation = expected(&ExportGraph {
        name: "supply-chain".into(),
        directed: true,
        measures: measures.to_vec(),
        nodes: Vec::new(),
        edges: Vec::new(),
    });
    expectation["nodes"] = Value::Null;
    expectation["edges"] = Value::Null;
    expectation["neo4j"] = false.into();
    std::fs::write(dir.path().join("expected.json"), expectation.to_string()).expect("write");
    let summary = check(dir.path());
    // The hostile suppliers and the 60 generated firms are all there.
    assert!(summary["nodes"].as_u64().unwrap_or(0) > 60, "{summary}");
}

#[test]
fn the_cli_writes_parquet_and_neo4j_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = autokg(&["export", "--format", "neo4j"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("-o DIR"), "{}", stderr(&out));

    let parquet = dir.path().join("pq");
    let out = autokg(&[
        "export",
        "--format",
        "parquet",
        "--scores",
        "pagerank,kcore",
        "-o",
        parquet.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let graph = build(
        store(),
        "supply-chain",
        Scope::Whole,
        &[Measure::PageRank, Measure::CoreNumber],
    );
    for (name, format) in [
        ("nodes.parquet", Format::ParquetNodes),
        ("edges.parquet", Format::ParquetEdges),
    ] {
        assert_eq!(
            std::fs::read(parquet.join(name)).expect("file"),
            render(store(), &graph, format),
            "{name}"
        );
    }

    let neo = dir.path().join("neo");
    let out = autokg(&[
        "export",
        "--format",
        "neo4j",
        "--projection",
        "all",
        "-o",
        neo.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let graph = build(store(), "all", Scope::Whole, &[Measure::PageRank]);
    let other = tempfile::tempdir().expect("tempdir");
    let files = neo4j::write_dir(&graph, other.path(), &autokg::algorithms::Deadline::none())
        .expect("writes");
    let count = files.nodes.len() + files.relationships.len();
    assert!(
        stderr(&out).contains(&format!("as neo4j to {count} files"))
            && stderr(&out).contains("neo4j-admin database import full"),
        "{}",
        stderr(&out)
    );
    for f in files.nodes.iter().chain(&files.relationships) {
        let name = f.file_name().expect("name");
        assert_eq!(
            std::fs::read(neo.join(name)).expect("the CLI wrote it"),
            std::fs::read(f).expect("file"),
            "{}",
            name.to_string_lossy()
        );
    }
}
