//! Supply-chain analytics: known answers on the curated data, bad inputs, the SPARQL
//! functions, written scores, the generator, and a cross-check of every measure against
//! networkx on the curated projections and on a generated 2,000-firm network.

use crate::support::{autokg, stderr, stdout, store};
use autokg::algorithms::{
    betweenness, closeness, components, cuts, degree, dominators, eigenvector, harmonic, kcore,
    pagerank, Csr,
};
use autokg::analytics::{self, Measure, MeasureOptions, ScoreCache};
use autokg::projection::{Projection, ProjectionCache, ProjectionSpec};
use autokg::store::KgStore;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const AKID: &str = "https://w3id.org/autokg/id/";
const AK: &str = "https://w3id.org/autokg/ontology#";

fn projection(name: &str) -> Projection {
    let spec = ProjectionSpec::named(name).expect("named projection");
    Projection::build(store(), &spec).expect("projection builds")
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}{}", stdout(out), stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|e| {
            e["id"]
                .as_str()
                .expect("id")
                .trim_start_matches(AKID)
                .to_owned()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Known answers on the curated data
// ---------------------------------------------------------------------------------------

#[test]
fn huawei_to_seres_is_one_partner_of_hop_from_paragraph_2() {
    let report =
        analytics::paths(store(), "huawei", "seres", 3, &projection("all")).expect("paths");
    let first = &report.paths[0];
    assert_eq!(first.length, 1);
    let hop = &first.hops[0];
    assert_eq!(hop.from, format!("{AKID}huawei"));
    assert_eq!(hop.relations[0].relation, format!("{AK}partnerOf"));
    assert_eq!(hop.relations[0].paragraphs, vec![2]);
    assert_eq!(
        hop.relations[0].assertion.as_deref(),
        Some(&*format!("{AK}Stated"))
    );
    assert_eq!(
        hop.relations[0].statement.as_deref(),
        Some(&*format!("{AKID}rel-huawei-partnerOf-seres"))
    );
    // The inferred supply relation is listed too, after the stated one.
    assert!(hop
        .relations
        .iter()
        .any(|r| r.relation == format!("{AK}suppliesTo")));
    // Longer paths follow, each longer than the first.
    assert!(report.paths.iter().skip(1).all(|p| p.length > 1));

    let out = autokg(&["paths", "huawei", "seres", "--format", "json"]);
    let doc = json_of(&out);
    assert_eq!(doc["paths"][0]["length"], 1);
    assert_eq!(
        doc["paths"][0]["hops"][0]["relations"][0]["relation"],
        format!("{AK}partnerOf")
    );
    assert_eq!(
        doc["paths"][0]["hops"][0]["relations"][0]["paragraphs"],
        json!([2])
    );
    let table = autokg(&["paths", "seres", "huawei"]);
    assert!(table.status.success(), "{}", stderr(&table));
    assert!(
        stdout(&table).contains("ak:partnerOf"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn removing_the_jetta_joint_venture_cuts_off_faw() {
    // In the ownership projection FAW's only tie is its share of the Jetta joint venture;
    // Volkswagen keeps its subsidiary in Anhui and the Hefei government's investment.
    let report =
        analytics::impact(store(), &["jetta".into()], &projection("ownership")).expect("impact");
    assert_eq!(
        ids(&serde_json::to_value(&report.disconnected).expect("json")),
        vec!["faw"]
    );
    assert!(report.largest_component_after < report.largest_component_before);
    assert_eq!(report.components_after, report.components_before + 1);
    // Ownership edges run from parents to the joint venture and no further, so no chain of
    // ownership passes through Jetta: no ordered pair loses reachability.
    assert_eq!(report.pairs_lost, 0);
    let critical = analytics::critical(store(), &projection("ownership")).expect("critical");
    let jetta = critical
        .articulation_points
        .iter()
        .find(|c| c.id == format!("{AKID}jetta"))
        .expect("Jetta is a single point of failure");
    assert_eq!(jetta.disconnects, 1);
    assert!(critical.bridges.iter().any(|b| {
        let ends = [b.source.id.as_str(), b.target.id.as_str()];
        ends.contains(&&*format!("{AKID}faw")) && ends.contains(&&*format!("{AKID}jetta"))
    }));

    let out = autokg(&[
        "impact",
        "jetta",
        "--projection",
        "ownership",
        "--format",
        "json",
    ]);
    assert_eq!(ids(&json_of(&out)["disconnected"]), vec!["faw"]);

    // The CLI prints the same single points of failure as the library and /api report.
    let out = autokg(&["critical", "--projection", "ownership", "--format", "json"]);
    let doc = json_of(&out);
    assert_eq!(
        doc,
        serde_json::to_value(&critical).expect("json"),
        "`autokg critical` and analytics::critical differ"
    );
    let out = autokg(&["critical", "--projection", "ownership", "--top", "1"]);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{table}");
    assert!(
        table.contains("(1 row)"),
        "--top 1 keeps one row of each: {table}"
    );
    let out = autokg(&["critical", "--projection", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn hefei_government_investments() {
    // Three investments (BYD, NIO, Volkswagen Anhui): the most of any holder.
    let out = autokg(&[
        "centrality",
        "--measure",
        "out-degree",
        "--raw",
        "--projection",
        "ownership",
        "--top",
        "1",
        "--format",
        "json",
    ]);
    let doc = json_of(&out);
    assert_eq!(doc["nodes"][0]["id"], format!("{AKID}hefei-government"));
    assert_eq!(doc["nodes"][0]["score"], 3);
    assert_eq!(doc["nodes"][0]["label"], "Hefei Municipal Government");
    assert_eq!(doc["directed"], true);
    assert_eq!(doc["normalized"], false);
    // Without the government, BYD and NIO lose their only owner; Volkswagen Anhui keeps
    // its parent.
    let report = analytics::impact(
        store(),
        &["hefei-government".into()],
        &projection("ownership"),
    )
    .expect("impact");
    let mut lost = ids(&serde_json::to_value(&report.disconnected).expect("json"));
    lost.sort();
    assert_eq!(lost, vec!["byd", "nio"]);
}

#[test]
fn supply_chain_ranks_and_reports() {
    let p = projection("supply-chain");
    assert!(p.is_directed());
    let report = analytics::measure(store(), &p, Measure::PageRank, &MeasureOptions::default())
        .expect("pagerank");
    assert_eq!(report.converged, Some(true));
    assert!(report.iterations.unwrap_or(0) > 0);
    let total: f64 = report.nodes.iter().map(|n| n.score.as_f64()).sum();
    assert!((total - 1.0).abs() < 1e-9, "PageRank sums to {total}");
    assert!(report.nodes.iter().any(|n| n.id == format!("{AKID}seres")));
    // Dominators from Volkswagen Anhui backwards: its supply comes only through Volkswagen.
    let options = MeasureOptions {
        root: Some("volkswagen-anhui".into()),
        reverse: true,
        ..MeasureOptions::default()
    };
    let d = analytics::measure(store(), &p, Measure::Dominators, &options).expect("dominators");
    let vw = d
        .nodes
        .iter()
        .find(|n| n.id == format!("{AKID}volkswagen"))
        .expect("Volkswagen reaches Volkswagen Anhui");
    assert_eq!(
        vw.dominator.as_deref(),
        Some(&*format!("{AKID}volkswagen-anhui"))
    );
    let doc = json_of(&autokg(&[
        "centrality",
        "-m",
        "pagerank",
        "--format",
        "json",
    ]));
    assert_eq!(doc["measure"], "pagerank");
    assert_eq!(doc["projection"], "supply-chain");
    assert_eq!(doc["converged"], true);
    let csv = autokg(&["centrality", "-m", "kcore", "--format", "csv"]);
    assert!(
        stdout(&csv).starts_with("id,label,score\n"),
        "{}",
        stdout(&csv)
    );
}

#[test]
fn sampled_betweenness_says_it_is_sampled() {
    let doc = json_of(&autokg(&[
        "centrality",
        "-m",
        "betweenness",
        "--projection",
        "all",
        "-k",
        "5",
        "--seed",
        "3",
        "--format",
        "json",
    ]));
    assert_eq!(doc["sampled"], true);
    assert_eq!(doc["samples"], 5);
    assert_eq!(doc["seed"], 3);
    let table = autokg(&[
        "centrality",
        "-m",
        "betweenness",
        "--projection",
        "all",
        "-k",
        "5",
    ]);
    assert!(stdout(&table).contains("SAMPLED"), "{}", stdout(&table));
    let exact = json_of(&autokg(&[
        "centrality",
        "-m",
        "betweenness",
        "--format",
        "json",
    ]));
    assert_eq!(exact["sampled"], false);
    assert!(exact.get("samples").is_none());
}

// ---------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_measure_entity_and_projection_are_named() {
    let out = autokg(&["centrality", "--measure", "popularity"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown measure 'popularity'"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("betweenness"));

    let out = autokg(&["paths", "huawei", "nobody-at-all"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'nobody-at-all'"), "{}", stderr(&out));

    let out = autokg(&["impact", "byd"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not in the 'supply-chain' projection"),
        "{}",
        stderr(&out)
    );

    let out = autokg(&["centrality", "-m", "degree", "--projection", "roads"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown projection 'roads'"),
        "{}",
        stderr(&out)
    );

    // Eigenvector centrality does not converge on the acyclic ownership graph: an error
    // that says so, not numbers.
    let out = autokg(&[
        "centrality",
        "-m",
        "eigenvector",
        "--projection",
        "ownership",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did not converge within 100 iterations"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());

    let out = autokg(&["centrality", "-m", "dominators"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("root"), "{}", stderr(&out));
}

#[test]
fn a_projection_must_be_a_select_of_source_and_target() {
    let check = |name: &str, query: &str, expected: &str| {
        let spec = ProjectionSpec::custom(name, query).expect("header parses");
        let e = Projection::build(store(), &spec).expect_err("bad projection");
        assert!(matches!(e, autokg::error::Error::InvalidInput(_)), "{e:?}");
        assert!(e.to_string().contains(expected), "{e}");
        assert!(e.to_string().contains(name), "{e}");
    };
    check("ask", "ASK { ?s ?p ?o }", "is an ASK query");
    check(
        "graph",
        "CONSTRUCT WHERE { ?s ak:partnerOf ?o }",
        "CONSTRUCT",
    );
    check(
        "vars",
        "SELECT ?s ?o WHERE { ?s ak:partnerOf ?o }",
        "it returns ?s, ?o",
    );
    check(
        "literal",
        "SELECT ?source ?target WHERE { ?source rdfs:label ?target }",
        "not literals",
    );
    check(
        "weight",
        "SELECT ?source ?target ?weight WHERE { ?source ak:partnerOf ?target BIND(\"heavy\" AS ?weight) }",
        "?weight must be a number",
    );
    // Through the CLI: exit code 2 and the message.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.rq");
    std::fs::write(&file, "CONSTRUCT WHERE { ?s ak:partnerOf ?o }").expect("write");
    let out = autokg(&[
        "centrality",
        "-m",
        "degree",
        "-f",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("must be a SELECT"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn custom_projection_with_weights_and_direction_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("partners.rq");
    std::fs::write(
        &file,
        "# partners, weighted\n# directed: false\nSELECT ?source ?target (2 AS ?weight) WHERE { ?source ak:partnerOf ?target }",
    )
    .expect("write");
    let doc = json_of(&autokg(&[
        "centrality",
        "-m",
        "pagerank",
        "-f",
        file.to_str().expect("utf-8"),
        "--format",
        "json",
    ]));
    assert_eq!(doc["projection"], "partners");
    assert_eq!(doc["directed"], false);
    // Huawei–Seres (paragraph 2); FAW–Volkswagen and Chengdu's government with each of them
    // (paragraph 3).
    assert_eq!(doc["edgeCount"], 4);
}

// ---------------------------------------------------------------------------------------
// SPARQL functions, written scores, caches
// ---------------------------------------------------------------------------------------

#[test]
fn sparql_functions_score_supply_chain_nodes_and_leave_others_unbound() {
    let cache = ScoreCache::new();
    let snapshot = cache.get(store()).expect("scores");
    assert!(std::sync::Arc::ptr_eq(
        &snapshot,
        &cache.get(store()).expect("cached")
    ));
    let evaluator = analytics::with_functions(
        KgStore::evaluator(),
        snapshot,
        autokg::algorithms::deadline::Deadline::none(),
    );
    let mut prepared = evaluator
        .parse_query(
            "SELECT ?x (akf:pagerank(?x) AS ?pr) (akf:degree(?x) AS ?d) (akf:coreNumber(?x) AS ?k)
                    (akf:betweenness(?x) AS ?b) (akf:closeness(?x) AS ?c)
             WHERE { VALUES ?x { akid:huawei akid:byd } } ORDER BY ?x",
        )
        .expect("parses");
    prepared.dataset_mut().set_default_graph_as_union();
    let oxigraph::sparql::QueryResults::Solutions(rows) = store().execute(prepared).expect("runs")
    else {
        panic!("solutions expected");
    };
    let rows: Vec<_> = rows.map(|r| r.expect("row")).collect();
    // BYD has no supply-chain relation: unbound.
    assert!(rows[0].get("pr").is_none() && rows[0].get("d").is_none());
    let huawei = &rows[1];
    for var in ["pr", "d", "k", "b", "c"] {
        assert!(
            huawei.get(var).is_some(),
            "akf function for ?{var} is unbound on Huawei"
        );
    }
    // Huawei → Seres (supply and partnership merge into one edge) and Seres → Huawei
    // (partnership): in-degree 1 + out-degree 1.
    let value = |var: &str| match huawei.get(var) {
        Some(oxigraph::model::Term::Literal(l)) => {
            (l.value().to_owned(), l.datatype().as_str().to_owned())
        }
        other => panic!("?{var} is {other:?}"),
    };
    assert_eq!(
        value("d"),
        (
            "2".to_owned(),
            "http://www.w3.org/2001/XMLSchema#integer".to_owned()
        )
    );
    assert_eq!(value("pr").1, "http://www.w3.org/2001/XMLSchema#double");
    assert!(analytics::mentions_functions(
        "SELECT (akf:degree(?x) AS ?d) {}"
    ));
}

#[test]
fn write_stores_scores_in_the_analytics_graph_and_replaces_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store_dir = dir.path().join("store");
    let s = store_dir.to_str().expect("utf-8");
    for _ in 0..2 {
        let out = autokg(&[
            "--store",
            s,
            "centrality",
            "-m",
            "pagerank",
            "--write",
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("wrote"), "{}", stderr(&out));
    }
    let n = json_of(&autokg(&[
        "centrality",
        "-m",
        "pagerank",
        "--format",
        "json",
    ]))["nodeCount"]
        .as_u64()
        .expect("count");
    let q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/autokg/graph/analytics> { \
             ?s a ak:CentralityScore ; ak:centralityMeasure akf:pagerank ; ak:projection \"supply-chain\" ; \
             ak:scoreOf ?e ; ak:score ?v ; prov:generatedAtTime ?t } }";
    let out = autokg(&["--store", s, "query", q, "--format", "csv"]);
    assert_eq!(
        stdout(&out).replace('\r', ""),
        format!("n\n{n}\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn projection_cache_invalidates_on_writes() {
    let fresh = KgStore::open(None).expect("store");
    let cache = ProjectionCache::new();
    let spec = ProjectionSpec::named("supply-chain").expect("named");
    let a = cache.get(&fresh, &spec).expect("built");
    let b = cache.get(&fresh, &spec).expect("cached");
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    let quads = || {
        Ok(autokg::rdf::io::parse_text(
            "extra",
            b"<https://w3id.org/autokg/id/catl> <https://w3id.org/autokg/ontology#suppliesTo> <https://w3id.org/autokg/id/nio> .",
            oxigraph::io::RdfFormat::NTriples,
            oxigraph::model::GraphName::DefaultGraph,
        ))
    };
    fresh.load(quads, |_| {}).expect("loads");
    let c = cache.get(&fresh, &spec).expect("rebuilt");
    assert!(!std::sync::Arc::ptr_eq(&a, &c));
    assert_eq!(c.node_count(), a.node_count() + 2);
}

// ---------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------

#[test]
fn generate_is_deterministic_and_loads_with_data() {
    let a = autokg(&["generate", "--firms", "150", "--seed", "3"]);
    let b = autokg(&["generate", "--firms", "150", "--seed", "3"]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    assert!(stderr(&a).contains("150 firms"), "{}", stderr(&a));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("net.nq");
    let out = autokg(&[
        "generate",
        "--firms",
        "150",
        "--seed",
        "3",
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).expect("file"), a.stdout);
    let doc = json_of(&autokg(&[
        "--data",
        file.to_str().expect("utf-8"),
        "centrality",
        "-m",
        "pagerank",
        "--top",
        "3",
        "--format",
        "json",
    ]));
    assert!(doc["nodeCount"].as_u64().expect("count") > 150, "{doc}");
    let top = doc["nodes"][0]["id"].as_str().expect("id");
    assert!(top.starts_with(&format!("{AKID}synthetic/")), "{top}");
    assert!(doc["nodes"][0]["label"].is_string());
}

// ---------------------------------------------------------------------------------------
// Cross-check against networkx
// ---------------------------------------------------------------------------------------

fn python() -> String {
    if let Ok(p) = std::env::var("AUTOKG_PYTHON") {
        return p;
    }
    let venv = "/var/tmp/autokg-venv/bin/python";
    if std::path::Path::new(venv).exists() {
        return venv.to_owned();
    }
    "python3".to_owned()
}

fn networkx(input: &Value) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/python/crosscheck_analytics.py"
    );
    let python = python();
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run the Python interpreter '{python}' (set AUTOKG_PYTHON): {e}")
        });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write edge list");
    let out = child.wait_with_output().expect("python finishes");
    if out.status.code() == Some(3) {
        panic!(
            "networkx is not importable by '{python}': {}. Install tests/python/requirements.txt \
             into that interpreter or point AUTOKG_PYTHON at one that has it.",
            stderr(&out).trim()
        );
    }
    assert!(
        out.status.success(),
        "crosscheck_analytics.py failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("networkx JSON")
}

fn floats(v: &Value, what: &str) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("networkx gave no list for {what}: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn assert_close(label: &str, what: &str, ours: &[f64], theirs: &Value, rel: f64) {
    let theirs = floats(theirs, what);
    assert_eq!(ours.len(), theirs.len(), "{label} {what}: lengths differ");
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let tolerance = rel * a.abs().max(b.abs()) + 1e-14;
        assert!(
            (a - b).abs() <= tolerance,
            "{label} {what}: node {i}: autokg {a} vs networkx {b} (relative tolerance {rel})"
        );
    }
}

fn crosscheck(label: &str, g: &Csr, sample: Option<usize>) {
    let n = g.node_count();
    let edges: Vec<Value> = g.edges().map(|(u, v, w)| json!([u, v, w])).collect();
    let sources = sample.map(|k| betweenness::sample_sources(n, k, 11));
    // Dominator roots: the node with the most out-edges, forwards and backwards.
    let hub = (0..n as u32)
        .max_by_key(|&v| (g.successors(v).len(), std::cmp::Reverse(v)))
        .unwrap_or(0);
    let sink = (0..n as u32)
        .max_by_key(|&v| (g.predecessors(v).len(), std::cmp::Reverse(v)))
        .unwrap_or(0);
    let roots = if g.is_directed() && n > 0 {
        json!([[hub, false], [sink, true]])
    } else {
        json!([])
    };
    let nx = networkx(&json!({
        "directed": g.is_directed(),
        "nodes": n,
        "edges": edges,
        "sources": sources,
        "dominator_roots": roots,
    }));
    let exact = 1e-9;
    assert_close(
        label,
        "degree",
        &degree::degree_centrality(g, degree::Direction::Total),
        &nx["degree"],
        1e-12,
    );
    if g.is_directed() {
        assert_close(
            label,
            "in-degree",
            &degree::degree_centrality(g, degree::Direction::In),
            &nx["in_degree"],
            1e-12,
        );
        assert_close(
            label,
            "out-degree",
            &degree::degree_centrality(g, degree::Direction::Out),
            &nx["out_degree"],
            1e-12,
        );
    }
    assert_close(
        label,
        "betweenness",
        &betweenness::betweenness(g, true, None),
        &nx["betweenness"],
        exact,
    );
    assert_close(
        label,
        "raw betweenness",
        &betweenness::betweenness(g, false, None),
        &nx["betweenness_raw"],
        exact,
    );
    if let Some(sources) = &sources {
        assert_close(
            label,
            "sampled betweenness",
            &betweenness::betweenness(g, true, Some(sources)),
            &nx["betweenness_sampled"],
            exact,
        );
        assert_close(
            label,
            "sampled raw betweenness",
            &betweenness::betweenness(g, false, Some(sources)),
            &nx["betweenness_sampled_raw"],
            exact,
        );
    }
    assert_close(
        label,
        "closeness",
        &closeness::closeness(g, true),
        &nx["closeness"],
        exact,
    );
    assert_close(
        label,
        "harmonic",
        &harmonic::harmonic(g),
        &nx["harmonic"],
        exact,
    );
    let mut summary = format!("{label}: {n} nodes, {} edges", g.edge_count());
    match pagerank::pagerank(g, pagerank::Options::default()) {
        Ok(r) => {
            assert_close(label, "pagerank", &r.scores, &nx["pagerank"], 1e-6);
            summary += &format!("; pagerank converged in {}", r.iterations);
        }
        Err(e) => {
            assert!(
                nx["pagerank"]["error"].is_string(),
                "{label}: autokg says {e}, networkx converged"
            );
            summary += "; pagerank converges in neither";
        }
    }
    match eigenvector::eigenvector(g, eigenvector::Options::default()) {
        Ok(r) => {
            assert_close(label, "eigenvector", &r.scores, &nx["eigenvector"], exact);
            summary += &format!("; eigenvector converged in {}", r.iterations);
        }
        Err(e) => {
            assert!(
                nx["eigenvector"]["error"].is_string(),
                "{label}: autokg says {e}, networkx converged: {}",
                nx["eigenvector"]
            );
            summary += "; eigenvector converges in neither";
        }
    }
    if g.self_loops().is_empty() {
        let core: Vec<u64> = kcore::core_number(g)
            .into_iter()
            .map(|k| k as u64)
            .collect();
        let nx_core: Vec<u64> = nx["core_number"]
            .as_array()
            .expect("cores")
            .iter()
            .map(|k| k.as_u64().unwrap_or(u64::MAX))
            .collect();
        assert_eq!(core, nx_core, "{label}: core numbers differ");
    } else {
        // autokg refuses k-core on self-loops (analytics layer); networkx raises.
        assert!(
            nx["core_number"]["error"].is_string(),
            "{label}: networkx gave core numbers despite self-loops: {}",
            nx["core_number"]
        );
    }
    let (labels, sizes) = components::connected_components(g);
    let mut ours: Vec<Vec<u64>> = vec![Vec::new(); sizes.len()];
    for (v, &c) in labels.iter().enumerate() {
        ours[c].push(v as u64);
    }
    ours.sort();
    assert_eq!(json!(ours), nx["components"], "{label}: components differ");
    assert_eq!(
        json!(cuts::articulation_points(g)),
        nx["articulation_points"],
        "{label}: articulation points differ"
    );
    let bridges: Vec<[u32; 2]> = cuts::bridges(g).into_iter().map(|(a, b)| [a, b]).collect();
    assert_eq!(json!(bridges), nx["bridges"], "{label}: bridges differ");
    for d in nx["dominators"].as_array().expect("dominators") {
        let root = d["root"].as_u64().expect("root") as u32;
        let reverse = d["reverse"].as_bool().expect("reverse");
        let ours = dominators::immediate_dominators(g, root, reverse);
        let expected: std::collections::BTreeMap<String, u64> =
            serde_json::from_value(d["idom"].clone()).expect("idom map");
        let got: std::collections::BTreeMap<String, u64> = ours
            .idom
            .iter()
            .enumerate()
            .filter_map(|(v, d)| d.map(|d| (v.to_string(), u64::from(d))))
            .collect();
        assert_eq!(
            got, expected,
            "{label}: dominators from {root} (reverse {reverse}) differ"
        );
    }
    eprintln!(
        "networkx {} agrees on {summary}",
        nx["networkx"].as_str().unwrap_or("?")
    );
}

#[test]
fn networkx_agrees_on_the_curated_projections() {
    for name in ["supply-chain", "ownership", "geography", "all"] {
        crosscheck(
            &format!("curated {name}"),
            projection(name).graph(),
            Some(4),
        );
    }
}

/// Self-loops as networkx treats them: a node whose only edge is a loop stays in the
/// projection, degree counts a loop twice, PageRank and eigenvector follow it, paths ignore
/// it, and k-core is refused (by networkx and, with the nodes named, by autokg).
#[test]
fn networkx_agrees_on_projections_with_self_loops() {
    for directed in [true, false] {
        let sparql = format!(
            "# directed: {directed}\n\
             SELECT ?source ?target WHERE {{\n\
               {{ ?source ak:suppliesTo ?target }}\n\
               UNION {{ VALUES (?source ?target) {{ (akid:byd akid:byd) (akid:loop-only akid:loop-only) (akid:seres akid:aito) (akid:aito akid:aito) }} }}\n\
             }}"
        );
        let spec = ProjectionSpec::custom("loops", sparql).expect("spec");
        let p = Projection::build(store(), &spec).expect("projection");
        let g = p.graph();
        let only = p
            .index_of(&format!("{AKID}loop-only"))
            .expect("a node whose only edge is a self-loop stays");
        assert!(g.has_self_loop(only));
        let loops = g.self_loops();
        assert_eq!(loops.len(), 3, "{loops:?}");
        // Degree counts the loop twice (in + out when directed).
        assert_eq!(
            degree::degree(g, degree::Direction::Total)[only as usize],
            2
        );
        crosscheck(&format!("self-loops, directed {directed}"), g, Some(3));
        // k-core is refused with the nodes named.
        let err = analytics::measure(store(), &p, Measure::CoreNumber, &MeasureOptions::default())
            .expect_err("k-core refuses self-loops");
        let msg = err.to_string();
        assert!(
            msg.contains("self-loops") && msg.contains("loop-only") && msg.contains("byd"),
            "{msg}"
        );
    }
}

/// k-core on a projection with a self-loop: exit 2 from the CLI and 400 from the API, both
/// naming the node; other measures still answer.
#[test]
fn k_core_refuses_self_loops_over_the_cli_and_http() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("loop.nt");
    std::fs::write(
        &file,
        format!("<{AKID}byd> <{AK}suppliesTo> <{AKID}byd> .\n"),
    )
    .expect("write");
    let data = file.to_str().expect("utf-8 path");
    let out = autokg(&["centrality", "-m", "core_number", "--data", data]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("self-loops") && stderr(&out).contains("byd"),
        "{}",
        stderr(&out)
    );
    let out = autokg(&[
        "centrality",
        "-m",
        "degree",
        "--raw",
        "--format",
        "json",
        "--data",
        data,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    let app = crate::support::spawn_app_with(autokg::http::ServeConfig {
        update_token: Some("t".into()),
        ..Default::default()
    });
    let r = app
        .post("/sparql")
        .bearer_auth("t")
        .header("Content-Type", "application/sparql-update")
        .body(format!(
            "INSERT DATA {{ <{AKID}byd> <{AK}suppliesTo> <{AKID}byd> }}"
        ))
        .send()
        .expect("update");
    assert_eq!(r.status().as_u16(), 204);
    let r = app
        .get("/api/analytics/centrality?measure=core_number")
        .send()
        .expect("get");
    assert_eq!(r.status().as_u16(), 400);
    let body = r.text().expect("body");
    assert!(
        body.contains("self-loops") && body.contains("byd"),
        "{body}"
    );
}

/// The generated 2,000-firm network, loaded once.
fn generated() -> &'static KgStore {
    static STORE: OnceLock<KgStore> = OnceLock::new();
    STORE.get_or_init(|| {
        crate::support::generated_store_with(2000, 7, autokg::store::Entailment::Rdfs)
    })
}

#[test]
fn networkx_agrees_on_a_generated_2000_firm_network() {
    for name in ["supply-chain", "all"] {
        let spec = ProjectionSpec::named(name).expect("named");
        let p = Projection::build(generated(), &spec).expect("projection");
        assert!(p.node_count() >= 2000, "{name}: {} nodes", p.node_count());
        crosscheck(&format!("generated {name}"), p.graph(), Some(200));
    }
}

/// Kernel timings for `benches/analytics_bench.py`, which runs this ignored test with
/// `AUTOKG_BENCH_DATA` (an N-Triples file) set: loads it, builds the supply-chain projection
/// and its undirected view, and prints one line `BENCH {json}` with the best in-process time
/// of each kernel over `AUTOKG_BENCH_REPEAT` runs (default 3), as the Python libraries are
/// timed. Exact undirected betweenness runs once: it takes minutes at 100k nodes.
#[test]
#[ignore]
fn bench_kernels() {
    let Ok(path) = std::env::var("AUTOKG_BENCH_DATA") else {
        eprintln!("set AUTOKG_BENCH_DATA to an N-Triples file");
        return;
    };
    let repeat: usize = std::env::var("AUTOKG_BENCH_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let s = KgStore::open(None).expect("store");
    let text = std::fs::read(&path).expect("the benchmark file");
    let quads = || {
        Ok(autokg::rdf::io::parse_text(
            &path,
            &text,
            oxigraph::io::RdfFormat::NTriples,
            oxigraph::model::GraphName::DefaultGraph,
        ))
    };
    s.load(quads, |_| {}).expect("loads");
    let directed = ProjectionSpec::named("supply-chain").expect("named");
    let undirected = ProjectionSpec::custom(
        "supply-chain-undirected",
        directed
            .sparql()
            .replace("# directed: true", "# directed: false"),
    )
    .expect("spec");
    let d = Projection::build(&s, &directed).expect("projection");
    let u = Projection::build(&s, &undirected).expect("projection");
    assert!(!u.is_directed());
    let best = |runs: usize, f: &dyn Fn()| {
        (0..runs)
            .map(|_| {
                let t = std::time::Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let timings = json!({
        "nodes": d.node_count(),
        "edges": d.graph().edge_count(),
        "betweenness_directed": best(repeat, &|| {
            betweenness::betweenness(d.graph(), true, None);
        }),
        "betweenness_undirected": best(1, &|| {
            betweenness::betweenness(u.graph(), true, None);
        }),
        "pagerank": best(repeat, &|| {
            pagerank::pagerank(d.graph(), pagerank::Options::default()).expect("converges");
        }),
        "kcore": best(repeat, &|| {
            kcore::core_number(u.graph());
        }),
    });
    println!("BENCH {timings}");
}

/// The named projections spell out the relations they follow (both directions of a
/// symmetric one included), so they are the same graph with or without entailments: the
/// README's promise for `--entailment none`.
#[test]
fn named_projections_do_not_depend_on_entailments() {
    let stores = [
        crate::support::generated_store_with(500, 3, autokg::store::Entailment::Rdfs),
        crate::support::generated_store_with(500, 3, autokg::store::Entailment::None),
    ];
    let edges = |s: &KgStore, name: &str| {
        let spec = ProjectionSpec::named(name).expect("named");
        let p = Projection::build(s, &spec).expect("builds");
        // Each edge with its weight and the set of relations behind it.
        let edges: std::collections::BTreeSet<(String, String, String, Vec<String>)> = p
            .graph()
            .edges()
            .map(|(a, b, w)| {
                let mut rels: Vec<String> = p
                    .relations_between(a, b)
                    .into_iter()
                    .map(|(r, _)| r.to_string())
                    .collect();
                rels.sort();
                rels.dedup();
                (
                    p.node_id_string(a),
                    p.node_id_string(b),
                    w.to_string(),
                    rels,
                )
            })
            .collect();
        edges
    };
    for name in ["supply-chain", "ownership", "geography", "all"] {
        let with = edges(&stores[0], name);
        let without = edges(&stores[1], name);
        assert!(!with.is_empty(), "{name} is empty");
        let only_with: Vec<_> = with.difference(&without).take(5).collect();
        let only_without: Vec<_> = without.difference(&with).take(5).collect();
        assert!(
            only_with.is_empty() && only_without.is_empty(),
            "{name} changes without entailments: only with {only_with:?}, only without {only_without:?}"
        );
    }
}
