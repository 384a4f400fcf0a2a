//! Graph exports: hostile labels in every format, byte-identical output, neighbourhoods and
//! their cap, the CLI, the HTTP endpoints and the page, and the external tools (xmllint
//! against the shared schemas, Graphviz, networkx) reading real exports.

use crate::support::{autokg, spawn_app, spawn_app_with, stderr, stdout, store};
use autokg::analytics::{self, Measure, MeasureOptions};
use autokg::export::{self, ExportError, ExportGraph, Format, Scope, FORMATS};
use autokg::projection::{Projection, ProjectionSpec};
use autokg::store::KgStore;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, Term};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const AKID: &str = "https://w3id.org/autokg/id/";

/// Suppliers whose labels try to break every syntax, linked to the curated Seres.
const HOSTILE: &str = r#"
@prefix ak: <https://w3id.org/autokg/ontology#> .
@prefix akid: <https://w3id.org/autokg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
akid:hostile-quote a ak:PartsSupplier ;
    rdfs:label "Say \"cheese\" & <grin>"@en , "引号\"与<尖括号>&"@zh ;
    ak:headquarteredIn akid:chongqing ;
    ak:suppliesTo akid:seres .
akid:hostile-backslash a ak:PartsSupplier ;
    rdfs:label "C:\\Parts\\ \\n is no newline \\"@en , "反斜杠\\"@zh ;
    ak:suppliesTo akid:hostile-quote .
akid:hostile-newline a ak:Automaker ;
    rdfs:label "Line one\nLine two\r\nLine three\ttab"@en , "第一行\n第二行"@zh ;
    ak:partnerOf akid:hostile-backslash .
akid:hostile-markup a ak:TechnologyCompany ;
    rdfs:label "]]> <!-- x --> &amp; </graph> {\"a\": [1]}, 'single' ,comma;"@en , "汽车；逗号，,"@zh ;
    ak:suppliesTo akid:hostile-newline .
akid:hostile-chinese a ak:Automaker ;
    rdfs:label "长安汽车"@zh ;
    ak:suppliesTo akid:hostile-markup .
akid:rel-hostile-quote-suppliesTo-seres a ak:Relationship ;
    ak:subject akid:hostile-quote ; ak:predicate ak:suppliesTo ; ak:object akid:seres ;
    ak:sourceParagraph 7, 3 .
"#;

/// (local name, English label, Chinese label) of the hostile entities.
const HOSTILE_LABELS: &[(&str, Option<&str>, &str)] = &[
    (
        "hostile-quote",
        Some("Say \"cheese\" & <grin>"),
        "引号\"与<尖括号>&",
    ),
    (
        "hostile-backslash",
        Some("C:\\Parts\\ \\n is no newline \\"),
        "反斜杠\\",
    ),
    (
        "hostile-newline",
        Some("Line one\nLine two\r\nLine three\ttab"),
        "第一行\n第二行",
    ),
    (
        "hostile-markup",
        Some("]]> <!-- x --> &amp; </graph> {\"a\": [1]}, 'single' ,comma;"),
        "汽车；逗号，,",
    ),
    ("hostile-chinese", None, "长安汽车"),
];

fn hostile_store() -> KgStore {
    let s = KgStore::open(None).expect("store");
    let quads = autokg::rdf::io::parse_text(
        "hostile.ttl",
        HOSTILE.as_bytes(),
        RdfFormat::Turtle,
        GraphName::DefaultGraph,
    )
    .collect::<Result<Vec<_>, _>>()
    .expect("the fixture parses");
    s.load_quads(&quads).expect("loads");
    s
}

fn hostile() -> &'static KgStore {
    static STORE: OnceLock<KgStore> = OnceLock::new();
    STORE.get_or_init(hostile_store)
}

fn projection(store: &KgStore, name: &str) -> Projection {
    Projection::build(store, &ProjectionSpec::named(name).expect("named")).expect("projection")
}

fn build(store: &KgStore, name: &str, scope: Scope, measures: &[Measure]) -> ExportGraph {
    ExportGraph::build(store, &projection(store, name), &scope, measures).expect("export graph")
}

fn render(store: &KgStore, graph: &ExportGraph, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        Format::Rdf(f) => export::rdf::write(store, graph, f, &mut out).expect("writes"),
        f => export::write_graph(graph, f, &mut out).expect("writes"),
    }
    out
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8")
}

fn iri(local: &str) -> String {
    format!("{AKID}{local}")
}

const SCORES: &[Measure] = &[Measure::PageRank, Measure::Betweenness, Measure::CoreNumber];

fn hostile_graph() -> &'static ExportGraph {
    static GRAPH: OnceLock<ExportGraph> = OnceLock::new();
    GRAPH.get_or_init(|| build(hostile(), "supply-chain", Scope::Whole, SCORES))
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

#[test]
fn the_model_carries_labels_types_places_scores_and_paragraphs() {
    let g = hostile_graph();
    let p = projection(hostile(), "supply-chain");
    assert_eq!(g.nodes.len(), p.node_count());
    assert_eq!(g.edges.len(), p.graph().edge_count());
    assert!(g.directed);
    let node = |local: &str| {
        g.nodes
            .iter()
            .find(|n| n.id == iri(local))
            .unwrap_or_else(|| panic!("{local} exported"))
    };
    for (local, en, zh) in HOSTILE_LABELS {
        let n = node(local);
        assert_eq!(n.label_en.as_deref(), *en, "{local}");
        assert_eq!(n.label_zh.as_deref(), Some(*zh), "{local}");
    }
    assert_eq!(node("hostile-chinese").label(), "长安汽车");
    let quote = node("hostile-quote");
    assert_eq!(quote.kind.as_deref(), Some("PartsSupplier"));
    assert_eq!(quote.city.as_deref(), Some("Chongqing"));
    assert_eq!(quote.province.as_deref(), Some("Chongqing"));
    assert_eq!(node("jetta").kind.as_deref(), Some("JointVenture"));
    assert_eq!(node("volkswagen-anhui").province.as_deref(), Some("Anhui"));
    // Scores are the analytics façade's, on the whole projection.
    let pr = analytics::scores(hostile(), &p, Measure::PageRank, &MeasureOptions::default())
        .expect("pagerank");
    for n in &g.nodes {
        let i = p.index_of(&n.id).expect("in projection");
        assert_eq!(n.scores[0], pr.values[i as usize], "{}", n.id);
    }
    // The edge into Seres names its relation and both paragraphs of its statement node.
    let (q, s) = (
        g.nodes.iter().position(|n| n.id == iri("hostile-quote")),
        g.nodes.iter().position(|n| n.id == iri("seres")),
    );
    let edge = g
        .edges
        .iter()
        .find(|e| Some(e.source as usize) == q && Some(e.target as usize) == s)
        .expect("hostile-quote → seres");
    assert_eq!(
        edge.relations,
        vec!["https://w3id.org/autokg/ontology#suppliesTo"]
    );
    assert_eq!(edge.paragraphs, vec![3, 7]);
}

#[test]
fn a_neighbourhood_is_the_ego_graph_and_over_its_cap_is_refused_with_the_count() {
    let p = projection(store(), "all");
    let scope = |depth, max_nodes| Scope::Neighbourhood {
        entity: "seres".into(),
        depth,
        max_nodes,
    };
    let g = ExportGraph::build(store(), &p, &scope(1, 1000), &[]).expect("depth 1");
    let seres = p.index_of(&iri("seres")).expect("seres");
    let mut want: Vec<String> = p
        .graph()
        .successors(seres)
        .iter()
        .chain(p.graph().predecessors(seres))
        .map(|&i| p.node_id_string(i))
        .chain([iri("seres")])
        .collect();
    want.sort();
    want.dedup();
    let got: Vec<String> = g.nodes.iter().map(|n| n.id.clone()).collect();
    assert_eq!(got, want);
    assert!(got.contains(&iri("huawei")) && got.contains(&iri("aito")));
    // Induced: every edge among the nodes, not only those touching Seres.
    assert!(g.edges.len() >= got.len() - 1);
    let depth0 = ExportGraph::build(store(), &p, &scope(0, 1000), &[]).expect("depth 0");
    assert_eq!(depth0.nodes.len(), 1);
    assert!(depth0.edges.is_empty());

    let wide = ExportGraph::build(store(), &p, &scope(3, 1000), &[]).expect("depth 3");
    match ExportGraph::build(store(), &p, &scope(3, 5), &[]) {
        Err(ExportError::TooLarge { count, limit, .. }) => {
            assert_eq!(count, wide.nodes.len());
            assert_eq!(limit, 5);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let unknown = Scope::Neighbourhood {
        entity: "no-such-firm".into(),
        depth: 1,
        max_nodes: 10,
    };
    match ExportGraph::build(store(), &p, &unknown, &[]) {
        Err(ExportError::Kg(autokg::error::Error::NotFound(m))) => {
            assert!(m.contains("no-such-firm"), "{m}")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Hostile labels, format by format
// ---------------------------------------------------------------------------------------

#[test]
fn hostile_labels_survive_graphml_and_gexf_escaped() {
    for format in [Format::GraphMl, Format::Gexf] {
        let out = render(hostile(), hostile_graph(), format);
        let t = text(&out);
        assert!(!t.contains("<grin>"), "{format:?}: raw < in the file");
        assert!(
            !t.contains("</graph> {"),
            "{format:?}: raw markup in the file"
        );
        assert!(t.contains("长安汽车") && t.contains("第一行"), "{format:?}");
        assert!(t.contains("&amp;amp;"), "{format:?}: & escaped once more");
        if format == Format::Gexf {
            // Attribute values keep their line breaks as character references.
            assert!(t.contains("Line one&#10;Line two&#13;&#10;Line three&#9;tab"));
            assert!(t.contains("Say &quot;cheese&quot; &amp; &lt;grin&gt;"));
        } else {
            assert!(t.contains("Say \"cheese\" &amp; &lt;grin&gt;"));
            assert!(t.contains("Line one\nLine two&#13;\nLine three\ttab"));
        }
    }
    // Their exact round trip through a real XML reader is checked with networkx below.
}

#[test]
fn hostile_labels_survive_dot_quoted_and_escaped() {
    let out = render(hostile(), hostile_graph(), Format::Dot);
    let t = text(&out);
    assert!(t.contains(&format!("\"{}\" [label=", iri("hostile-quote"))));
    assert!(t.contains(r#"label="Say \"cheese\" & <grin>\n引号\"与<尖括号>&""#));
    assert!(t.contains(r#"label="C:\\Parts\\ \\n is no newline \\\n反斜杠\\""#));
    assert!(t.contains("label=\"Line one\\nLine two\\nLine three\ttab\\n第一行\\n第二行\""));
    assert!(t.contains(r#"label="长安汽车""#));
    // Every statement line quotes its IDs.
    for line in t.lines().filter(|l| l.contains("->")) {
        assert!(line.trim_start().starts_with('"'), "{line}");
    }
    let svg = graphviz(&out);
    assert!(
        svg.contains("Say &quot;cheese&quot; &amp; &lt;grin&gt;"),
        "drawn label"
    );
    assert!(svg.contains("引号&quot;与&lt;尖括号&gt;&amp;"));
    assert!(svg.contains("C:\\Parts\\ \\n is no newline \\"));
}

#[test]
fn hostile_labels_survive_cytoscape_json() {
    let out = render(hostile(), hostile_graph(), Format::Cytoscape);
    let doc: Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(doc["data"]["directed"], true);
    let nodes = doc["elements"]["nodes"].as_array().expect("nodes");
    let edges = doc["elements"]["edges"].as_array().expect("edges");
    assert_eq!(nodes.len(), hostile_graph().nodes.len());
    assert_eq!(edges.len(), hostile_graph().edges.len());
    let by_id: HashMap<&str, &Value> = nodes
        .iter()
        .map(|n| (n["data"]["id"].as_str().expect("id"), &n["data"]))
        .collect();
    for (local, en, zh) in HOSTILE_LABELS {
        let d = by_id[iri(local).as_str()];
        assert_eq!(d["label"].as_str(), Some(en.unwrap_or(zh)), "{local}");
        assert_eq!(d["label_zh"].as_str(), Some(*zh), "{local}");
        assert!(d["pagerank"].is_f64() && d["kcore"].is_u64(), "{d}");
        assert!(d["color"].as_str().is_some_and(|c| c.len() == 7));
    }
    for e in edges {
        let d = &e["data"];
        assert!(by_id.contains_key(d["source"].as_str().expect("source")));
        assert!(by_id.contains_key(d["target"].as_str().expect("target")));
        assert!(d["id"].is_string());
    }
}

#[test]
fn hostile_labels_survive_csv_with_rfc4180_quoting() {
    let nodes = render(hostile(), hostile_graph(), Format::CsvNodes);
    let t = text(&nodes);
    assert!(t.starts_with("Id,Label,label_zh,type,city,province,pagerank,betweenness,kcore\r\n"));
    assert!(t.contains("\"Say \"\"cheese\"\" & <grin>\""));
    let mut reader = csv::Reader::from_reader(nodes.as_slice());
    let mut seen = 0;
    for record in reader.records() {
        let r = record.expect("RFC 4180 record");
        assert_eq!(r.len(), 9);
        if let Some((_, en, zh)) = HOSTILE_LABELS.iter().find(|(l, ..)| iri(l) == r[0]) {
            assert_eq!(&r[1], en.unwrap_or(zh));
            assert_eq!(&r[2], *zh);
            seen += 1;
        }
    }
    assert_eq!(seen, HOSTILE_LABELS.len());

    let edges = render(hostile(), hostile_graph(), Format::CsvEdges);
    let mut reader = csv::Reader::from_reader(edges.as_slice());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        [
            "Source",
            "Target",
            "Type",
            "Weight",
            "Label",
            "relation",
            "sourceParagraph"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), hostile_graph().edges.len());
    assert!(rows.iter().all(|r| &r[2] == "Directed" && &r[3] == "1"));
    assert!(rows
        .iter()
        .any(|r| r[0] == iri("hostile-quote") && r[1] == iri("seres") && &r[6] == "3 7"));
}

#[test]
fn hostile_labels_survive_every_rdf_syntax() {
    let around = build(
        hostile(),
        "all",
        Scope::Neighbourhood {
            entity: "hostile-newline".into(),
            depth: 2,
            max_nodes: 100,
        },
        &[],
    );
    for (name, format) in FORMATS {
        let Format::Rdf(rdf) = format else { continue };
        let out = render(hostile(), &around, *format);
        let quads: Vec<_> = RdfParser::from_format(*rdf)
            .for_slice(&out)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", String::from_utf8_lossy(&out)));
        let literals: Vec<String> = quads
            .iter()
            .filter_map(|q| match &q.object {
                Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
            .collect();
        for (local, en, zh) in &HOSTILE_LABELS[1..4] {
            for label in en.iter().chain([zh]) {
                assert!(
                    literals.iter().any(|l| l == label),
                    "{name}: {local}'s label {label:?} lost"
                );
            }
        }
        // The direct edges among the nodes are there, and nothing leaves the neighbourhood.
        assert!(quads.iter().any(|q| q.subject.to_string()
            == format!("<{}>", iri("hostile-newline"))
            && q.predicate.as_str().ends_with("#partnerOf")));
        let ids: Vec<String> = around.nodes.iter().map(|n| format!("<{}>", n.id)).collect();
        for q in &quads {
            if let Term::NamedNode(o) = &q.object {
                if o.as_str().starts_with(AKID) && !o.as_str().contains("source-") {
                    assert!(
                        ids.contains(&o.to_string()),
                        "{name}: {q} leaves the subgraph"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------

#[test]
fn the_same_data_gives_byte_identical_files_in_every_format() {
    // Two stores loaded separately, so no order can leak from hashing or load order.
    let other = hostile_store();
    let a = hostile_graph();
    let b = build(&other, "supply-chain", Scope::Whole, SCORES);
    for (name, format) in FORMATS {
        let first = render(hostile(), a, *format);
        let again = render(hostile(), a, *format);
        let elsewhere = render(&other, &b, *format);
        assert!(!first.is_empty(), "{name}");
        assert_eq!(first, again, "{name}: two writes differ");
        assert_eq!(first, elsewhere, "{name}: two stores differ");
    }
}

// ---------------------------------------------------------------------------------------
// External tools: xmllint, Graphviz, networkx
// ---------------------------------------------------------------------------------------

/// `../shared/schemas` beside the repository (CI clones put `shared/` there).
fn schemas() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas");
    assert!(
        dir.join("graphml/graphml.xsd").is_file() && dir.join("gexf13/gexf.rng").is_file(),
        "the shared schemas are missing: expected {} (with graphml/graphml.xsd and gexf13/gexf.rng) beside the repository",
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

fn xmllint(schema_flag: &str, schema: &Path, file: &Path) {
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
fn graphviz(dot: &[u8]) -> String {
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

#[test]
fn xmllint_graphviz_and_networkx_accept_real_exports() {
    let schemas = schemas();
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &KgStore, &str, &[Measure]); 3] = [
        ("hostile-supply-chain", hostile(), "supply-chain", SCORES),
        (
            "curated-all",
            store(),
            "all",
            &[Measure::PageRank, Measure::Degree],
        ),
        ("curated-ownership", store(), "ownership", &[]),
    ];
    for (label, s, name, measures) in cases {
        let p = projection(s, name);
        let graph = build(s, name, Scope::Whole, measures);
        let graphml = dir.path().join(format!("{label}.graphml"));
        let gexf = dir.path().join(format!("{label}.gexf"));
        std::fs::write(&graphml, render(s, &graph, Format::GraphMl)).expect("write");
        std::fs::write(&gexf, render(s, &graph, Format::Gexf)).expect("write");
        xmllint("--schema", &schemas.join("graphml/graphml.xsd"), &graphml);
        xmllint("--relaxng", &schemas.join("gexf13/gexf.rng"), &gexf);
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

// ---------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------

#[test]
fn the_cli_exports_files_and_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gexf = dir.path().join("sc.gexf");
    let out = autokg(&[
        "export",
        "--format",
        "gexf",
        "--scores",
        "pagerank,betweenness",
        "-o",
        gexf.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exported 6 nodes"),
        "{}",
        stderr(&out)
    );
    let library = render(
        store(),
        &build(
            store(),
            "supply-chain",
            Scope::Whole,
            &[Measure::PageRank, Measure::Betweenness],
        ),
        Format::Gexf,
    );
    assert_eq!(std::fs::read(&gexf).expect("file"), library);

    let csv_dir = dir.path().join("csv");
    let out = autokg(&[
        "export",
        "--format",
        "csv",
        "--around",
        "seres",
        "--depth",
        "2",
        "-o",
        csv_dir.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let nodes = std::fs::read_to_string(csv_dir.join("nodes.csv")).expect("nodes.csv");
    let edges = std::fs::read_to_string(csv_dir.join("edges.csv")).expect("edges.csv");
    assert!(nodes.starts_with("Id,Label,") && nodes.contains("赛力斯"));
    assert!(edges.starts_with("Source,Target,Type,Weight,Label,"));
    assert!(
        edges.contains("Undirected"),
        "--around defaults to the 'all' projection"
    );

    let out = autokg(&["export", "--format", "dot", "--around", "huawei"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("graph \"all\" {"));
    graphviz(&out.stdout);

    let out = autokg(&["export", "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'svg'") && stderr(&out).contains("graphml, gexf, dot, cytoscape"),
        "{}",
        stderr(&out)
    );
    let out = autokg(&["export", "--format", "gexf", "--around", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown entity 'nobody'"),
        "{}",
        stderr(&out)
    );
    let out = autokg(&[
        "export",
        "--format",
        "gexf",
        "--around",
        "seres",
        "--depth",
        "3",
        "--max-nodes",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nodes, more than the limit of 5"),
        "{}",
        stderr(&out)
    );
    let out = autokg(&["export", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-o DIR"), "{}", stderr(&out));
    // RDF carries no scores, but a misspelt measure is still an error, not ignored.
    let out = autokg(&["export", "--format", "turtle", "--scores", "fame"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("fame"), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------

fn header(r: &reqwest::blocking::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn problem(r: reqwest::blocking::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status);
    assert_eq!(header(&r, "content-type"), "application/problem+json");
    let doc: Value = serde_json::from_slice(&r.bytes().expect("body")).expect("problem JSON");
    for key in ["type", "title", "status", "detail"] {
        assert!(!doc[key].is_null(), "problem without {key}: {doc}");
    }
    assert_eq!(doc["status"], status);
    doc
}

#[test]
fn http_exports_stream_with_media_type_and_file_name() {
    let app = spawn_app();
    let r = app
        .get("/api/export?format=gexf&projection=supply-chain&scores=pagerank,betweenness")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        header(&r, "content-type"),
        "application/gexf+xml; charset=utf-8"
    );
    assert_eq!(
        header(&r, "content-disposition"),
        "attachment; filename=\"autokg-supply-chain.gexf\""
    );
    let body = r.bytes().expect("body");
    let library = render(
        store(),
        &build(
            store(),
            "supply-chain",
            Scope::Whole,
            &[Measure::PageRank, Measure::Betweenness],
        ),
        Format::Gexf,
    );
    assert_eq!(body.as_ref(), library.as_slice());

    for (format, media, ending) in [
        ("graphml", "application/graphml+xml", ".graphml"),
        ("dot", "text/vnd.graphviz", ".dot"),
        ("cytoscape", "application/json", ".cyjs"),
        ("csv-nodes", "text/csv", "-nodes.csv"),
        ("csv-edges", "text/csv", "-edges.csv"),
        ("turtle", "text/turtle", ".ttl"),
        ("jsonld", "application/ld+json", ".jsonld"),
    ] {
        let r = app
            .get(&format!("/api/export?format={format}&projection=ownership"))
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{format}");
        assert!(header(&r, "content-type").starts_with(media), "{format}");
        assert!(
            header(&r, "content-disposition")
                .ends_with(&format!("filename=\"autokg-ownership{ending}\"")),
            "{format}: {}",
            header(&r, "content-disposition")
        );
        assert!(!r.bytes().expect("body").is_empty());
    }

    let doc = problem(
        app.get("/api/export?format=svg").send().expect("request"),
        400,
    );
    let detail = doc["detail"].as_str().expect("detail");
    assert!(detail.contains("'svg'") && detail.contains("graphml") && detail.contains("csv-edges"));
    assert_eq!(
        doc["knownFormats"].as_array().map(Vec::len),
        Some(FORMATS.len())
    );
    problem(
        app.get("/api/export?projection=nope")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/export?format=gexf&scores=fame")
            .send()
            .expect("request"),
        400,
    );
    // RDF carries no scores, but a bad value is still refused rather than ignored.
    problem(
        app.get("/api/export?format=turtle&scores=fame")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/export?fromat=gexf").send().expect("request"),
        400,
    );
}

#[test]
fn http_neighbourhoods_resolve_entities_and_refuse_what_is_too_large() {
    let app = spawn_app();
    let r = app
        .get("/api/entities/seres/neighbourhood?depth=1")
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, "content-type"), "application/json");
    assert_eq!(
        header(&r, "content-disposition"),
        "attachment; filename=\"autokg-seres-depth1-all.cyjs\""
    );
    let doc: Value = serde_json::from_slice(&r.bytes().expect("body")).expect("cytoscape JSON");
    let ids: Vec<&str> = doc["elements"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["data"]["id"].as_str())
        .collect();
    assert!(ids.contains(&iri("huawei").as_str()) && ids.contains(&iri("aito").as_str()));
    let library = build(
        store(),
        "all",
        Scope::Neighbourhood {
            entity: "seres".into(),
            depth: 1,
            max_nodes: 100,
        },
        &[Measure::PageRank],
    );
    assert_eq!(ids.len(), library.nodes.len());

    // A full IRI, percent-encoded, and a prefixed name name the same entity.
    for id in ["https%3A%2F%2Fw3id.org%2Fautokg%2Fid%2Fseres", "akid:seres"] {
        let r = app
            .get(&format!(
                "/api/entities/{id}/neighbourhood?format=csv-nodes"
            ))
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{id}");
        assert_eq!(
            r.text().expect("body").lines().count(),
            ids.len() + 1,
            "{id}"
        );
    }
    let r = app
        .get("/api/entities/seres/neighbourhood?format=turtle&depth=1")
        .send()
        .expect("request");
    assert_eq!(header(&r, "content-type"), "text/turtle; charset=utf-8");
    let turtle = r.text().expect("body");
    assert!(turtle.contains("akid:seres") && turtle.contains("赛力斯"));

    let doc = problem(
        app.get("/api/entities/nobody/neighbourhood")
            .send()
            .expect("request"),
        404,
    );
    assert!(doc["detail"].as_str().is_some_and(|d| d.contains("nobody")));
    let doc = problem(
        app.get("/api/entities/seres/neighbourhood?depth=3&maxNodes=5")
            .send()
            .expect("request"),
        400,
    );
    let wide = build(
        store(),
        "all",
        Scope::Neighbourhood {
            entity: "seres".into(),
            depth: 3,
            max_nodes: 1000,
        },
        &[],
    );
    assert_eq!(doc["count"], wide.nodes.len());
    assert_eq!(doc["limit"], 5);
    assert!(doc["detail"]
        .as_str()
        .is_some_and(|d| d.contains(&wide.nodes.len().to_string())));
    problem(
        app.get("/api/entities/seres/neighbourhood?depth=99")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/entities/seres/neighbourhood?maxNodes=999999")
            .send()
            .expect("request"),
        400,
    );
    problem(
        app.get("/api/entities/seres/neighbourhood?format=svg")
            .send()
            .expect("request"),
        400,
    );
}

#[test]
fn http_exports_hostile_and_synthetic_data_loaded_through_the_graph_store() {
    let token = "export-test-token";
    let app = spawn_app_with(autokg::http::ServeConfig {
        update_token: Some(token.into()),
        ..Default::default()
    });
    let r = app
        .post("/store?default")
        .bearer_auth(token)
        .header("Content-Type", "text/turtle")
        .body(HOSTILE)
        .send()
        .expect("request");
    assert!(r.status().is_success(), "{}", r.status());
    let mut nt = Vec::new();
    autokg::generate::generate(
        autokg::generate::Options {
            firms: 60,
            seed: 5,
            triples: true,
        },
        &mut nt,
        |_| {},
    )
    .expect("generates");
    let r = app
        .post("/store?default")
        .bearer_auth(token)
        .header("Content-Type", "application/n-triples")
        .body(nt)
        .send()
        .expect("request");
    assert!(r.status().is_success(), "{}", r.status());

    let r = app
        .get(
            "/api/entities/hostile-quote/neighbourhood?format=gexf&projection=supply-chain&depth=2",
        )
        .send()
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().expect("body");
    assert!(body.contains("label=\"Say &quot;cheese&quot; &amp; &lt;grin&gt;\""));
    assert!(body.contains("引号&quot;与&lt;尖括号&gt;&amp;"));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hostile.gexf");
    std::fs::write(&file, &body).expect("write");
    xmllint("--relaxng", &schemas().join("gexf13/gexf.rng"), &file);

    // A synthetic firm's local name holds a slash: raw or percent-encoded, it resolves.
    let firm = autokg::generate::firm_local_name(0, 60, 5);
    for id in [firm.clone(), firm.replace('/', "%2F")] {
        let r = app
            .get(&format!(
                "/api/entities/{id}/neighbourhood?projection=supply-chain&format=csv-nodes"
            ))
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{id}");
        assert!(r.text().expect("body").contains(&iri(&firm)), "{id}");
    }
}

#[test]
fn the_page_for_people_embeds_the_examples_and_fetches_nothing_external() {
    let app = spawn_app();
    let r = app.get("/").send().expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    assert!(header(&r, "content-security-policy").contains("connect-src 'self'"));
    let html = r.text().expect("body");
    for (name, query) in autokg::http::page::EXAMPLES {
        let title = query
            .lines()
            .next()
            .expect("title")
            .trim_start_matches("# ");
        let encoded = serde_json::to_string(title)
            .expect("json")
            .replace('<', "\\u003c");
        assert!(html.contains(&encoded), "{name} missing from the page");
    }
    assert!(html.contains("/sparql") && html.contains("/neighbourhood?depth="));
    for external in ["src=\"http", "src='http", "href=\"http", "@import", "cdn"] {
        assert!(
            !html.contains(external),
            "the page refers outside: {external}"
        );
    }
}
