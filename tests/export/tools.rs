//! External tools reading real exports: Graphviz renders the DOT, networkx reads the GraphML
//! and GEXF and finds what the projection holds, and (ignored unless `AUTOKG_SCHEMAS` names
//! the official schemas, as `.ci/run` does) xmllint validates them against GraphML's XSD and
//! GEXF's RELAX NG grammar.

use super::{build, hostile, projection, render, text, SCORES};
use crate::support::{stderr, stdout, store};
use autokg::analytics::{self, Measure, MeasureOptions};
use autokg::export::{ExportGraph, Format, Scope};
use autokg::projection::Projection;
use autokg::store::KgStore;
use oxigraph::model::Term;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------------------
// External tools: xmllint, Graphviz, networkx
// ---------------------------------------------------------------------------------------

/// The official GraphML and GEXF schemas: the directory that `AUTOKG_SCHEMAS` names, holding
/// `graphml/graphml.xsd` and `gexf13/gexf.rng` (`../shared/schemas`, which only CI has;
/// `.ci/run` sets the variable). Panics when it is unset or the files are missing, so a test
/// that needs them never passes without them.
pub(super) fn schemas() -> PathBuf {
    let Some(dir) = std::env::var_os("AUTOKG_SCHEMAS") else {
        panic!(
            "AUTOKG_SCHEMAS is not set: this test needs the official schemas; set it to a \
             directory with graphml/graphml.xsd and gexf13/gexf.rng (CI's ../shared/schemas)"
        );
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("graphml/graphml.xsd").is_file() && dir.join("gexf13/gexf.rng").is_file(),
        "the official schemas are missing: AUTOKG_SCHEMAS={} holds no graphml/graphml.xsd and gexf13/gexf.rng",
        dir.display()
    );
    dir
}

fn run(program: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (install it: .ci/run does): {e}"))
}

/// Validates `file` with xmllint against `schema` (`--schema` for an XSD, `--relaxng`).
pub(super) fn xmllint(schema_flag: &str, schema: &Path, file: &Path) {
    let out = run(
        "xmllint",
        &[
            "--noout".as_ref(),
            schema_flag.as_ref(),
            schema.as_os_str(),
            file.as_os_str(),
        ],
    );
    assert!(
        out.status.success(),
        "xmllint {schema_flag} {} rejects {}:\n{}",
        schema.display(),
        file.display(),
        stderr(&out)
    );
}

/// Renders DOT to SVG; fails on any warning.
pub(super) fn graphviz(dot: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run Graphviz dot (install graphviz): {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot)
        .expect("write DOT");
    let out = child.wait_with_output().expect("dot finishes");
    assert!(out.status.success(), "dot failed: {}", stderr(&out));
    assert!(
        out.stderr.is_empty(),
        "dot warned: {}\n{}",
        stderr(&out),
        text(dot)
    );
    stdout(&out)
}

fn python() -> String {
    if let Ok(p) = std::env::var("AUTOKG_PYTHON") {
        return p;
    }
    let venv = "/var/tmp/autokg-venv/bin/python";
    if Path::new(venv).exists() {
        return venv.to_owned();
    }
    "python3".to_owned()
}

/// What the projection says the files must hold, independently of the exporters: ids and
/// edges from the projection, labels from SPARQL, scores from the analytics façade.
fn expected(store: &KgStore, p: &Projection, measures: &[Measure]) -> Value {
    let mut labels: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
    let rows = crate::support::select(
        store,
        "SELECT ?n ?l WHERE { ?n rdfs:label ?l FILTER(lang(?l) IN (\"en\", \"zh\")) }",
    );
    for row in rows {
        let (Some(n), Some(l)) = (&row[0], &row[1]) else {
            continue;
        };
        let n = n.trim_start_matches('<').trim_end_matches('>').to_owned();
        let parsed: Term = l.parse().expect("an N-Triples literal");
        let Term::Literal(l) = parsed else { continue };
        let slot = labels.entry(n).or_default();
        match l.language() {
            Some("en") => slot.0 = Some(l.value().to_owned()),
            _ => slot.1 = Some(l.value().to_owned()),
        }
    }
    let scores: Vec<Vec<Option<analytics::Score>>> = measures
        .iter()
        .map(|m| {
            analytics::scores(store, p, *m, &MeasureOptions::default())
                .expect("scores")
                .values
        })
        .collect();
    let graph = build(store, p.name(), Scope::Whole, measures);
    let nodes: Vec<Value> = (0..p.node_count())
        .map(|i| {
            let id = p.node_id_string(i as u32);
            let (en, zh) = labels.get(&id).cloned().unwrap_or_default();
            let local = id.rsplit(['/', '#']).next().unwrap_or(&id).to_owned();
            let mut node = json!({
                "id": id,
                "label": en.clone().or(zh.clone()).unwrap_or(local),
                "scores": measures.iter().zip(&scores).filter_map(|(m, s)| {
                    s[i].map(|s| (m.name().to_owned(), serde_json::to_value(s).expect("score")))
                }).collect::<serde_json::Map<_, _>>(),
            });
            if let Some(zh) = zh {
                node["label_zh"] = zh.into();
            }
            // Type and places come from the model (checked on their own above).
            let model = graph.nodes.iter().find(|n| n.id == id).expect("node");
            for (key, value) in [
                ("type", &model.kind),
                ("city", &model.city),
                ("province", &model.province),
            ] {
                if let Some(v) = value {
                    node[key] = v.clone().into();
                }
            }
            node
        })
        .collect();
    let edges: Vec<Value> = p
        .graph()
        .edges()
        .map(|(u, v, _)| json!([p.node_id_string(u), p.node_id_string(v)]))
        .collect();
    json!({
        "directed": p.is_directed(),
        "measures": measures.iter().map(|m| m.name()).collect::<Vec<_>>(),
        "nodes": nodes,
        "edges": edges,
    })
}

fn networkx_check(dir: &Path, expected: &Value, graphml: &Path, gexf: &Path) {
    let expected_file = dir.join("expected.json");
    std::fs::write(&expected_file, expected.to_string()).expect("write expected");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_exports.py");
    let python = python();
    let out = Command::new(&python)
        .arg(&script)
        .arg(&expected_file)
        .arg(graphml)
        .arg(gexf)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run the Python interpreter '{python}' (set AUTOKG_PYTHON): {e}")
        });
    if out.status.code() == Some(3) {
        panic!(
            "networkx is not importable by '{python}': {}. Install tests/python/requirements.txt \
             into that interpreter or point AUTOKG_PYTHON at one that has it.",
            stderr(&out).trim()
        );
    }
    assert!(
        out.status.success(),
        "networkx disagrees with the export: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// The exports the tools read: (file stem, store, projection, measures).
type Case = (
    &'static str,
    &'static KgStore,
    &'static str,
    &'static [Measure],
);

fn cases() -> [Case; 3] {
    [
        ("hostile-supply-chain", hostile(), "supply-chain", SCORES),
        (
            "curated-all",
            store(),
            "all",
            &[Measure::PageRank, Measure::Degree],
        ),
        ("curated-ownership", store(), "ownership", &[]),
    ]
}

/// Writes the GraphML and GEXF files of `graph` into `dir`; returns their paths.
fn write_files(dir: &Path, label: &str, s: &KgStore, graph: &ExportGraph) -> (PathBuf, PathBuf) {
    let graphml = dir.join(format!("{label}.graphml"));
    let gexf = dir.join(format!("{label}.gexf"));
    std::fs::write(&graphml, render(s, graph, Format::GraphMl)).expect("write");
    std::fs::write(&gexf, render(s, graph, Format::Gexf)).expect("write");
    (graphml, gexf)
}

#[test]
fn graphviz_and_networkx_accept_real_exports() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (label, s, name, measures) in cases() {
        let p = projection(s, name);
        let graph = build(s, name, Scope::Whole, measures);
        let (graphml, gexf) = write_files(dir.path(), label, s, &graph);
        let gexf_text = std::fs::read_to_string(&gexf).expect("read");
        assert!(
            !gexf_text.contains("schemaLocation"),
            "no xsi:schemaLocation"
        );
        assert!(gexf_text.contains(&format!(
            "defaultedgetype=\"{}\"",
            if p.is_directed() {
                "directed"
            } else {
                "undirected"
            }
        )));
        graphviz(&render(s, &graph, Format::Dot));
        networkx_check(dir.path(), &expected(s, &p, measures), &graphml, &gexf);
    }
}

#[test]
#[ignore = "needs the official GraphML/GEXF schemas (../shared/schemas, CI only): .ci/run runs it with AUTOKG_SCHEMAS set"]
fn xmllint_accepts_real_exports_against_the_official_schemas() {
    let schemas = schemas();
    let dir = tempfile::tempdir().expect("tempdir");
    for (label, s, name, measures) in cases() {
        let graph = build(s, name, Scope::Whole, measures);
        let (graphml, gexf) = write_files(dir.path(), label, s, &graph);
        xmllint("--schema", &schemas.join("graphml/graphml.xsd"), &graphml);
        xmllint("--relaxng", &schemas.join("gexf13/gexf.rng"), &gexf);
    }
}
