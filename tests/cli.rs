//! The command line, run as a user runs it: the real binary, real files, real stores.

use crate::support::{autokg, stderr, stdout};
use std::io::Write;

fn count_quads(store_dir: &str) -> u64 {
    let out = autokg(&["--store", store_dir, "stats", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats JSON");
    doc["quads"].as_u64().expect("quads count")
}

#[test]
fn query_prints_a_table_or_standard_formats() {
    let q = "SELECT ?zh WHERE { akid:seres rdfs:label ?zh FILTER(lang(?zh) = 'zh') }";
    let table = autokg(&["query", q, "--format", "table"]);
    assert!(table.status.success(), "{}", stderr(&table));
    assert!(stdout(&table).contains("赛力斯@zh"));
    assert!(stdout(&table).contains("(1 row)"));
    let json = autokg(&["query", q, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("SPARQL JSON");
    assert_eq!(doc["results"]["bindings"][0]["zh"]["value"], "赛力斯");
    let csv = autokg(&["query", q, "--format", "csv"]);
    assert_eq!(stdout(&csv).replace('\r', ""), "zh\n赛力斯\n");
    let graph = autokg(&[
        "query",
        "CONSTRUCT { akid:seres ?p ?o } WHERE { akid:seres ?p ?o }",
        "--format",
        "ntriples",
    ]);
    assert!(stdout(&graph).contains("<https://w3id.org/autokg/id/seres>"));
}

#[test]
fn bad_sparql_is_a_clear_error_with_exit_code_2() {
    let out = autokg(&["query", "SELECT ?x WHERE { ?x ?y }"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("SPARQL syntax error"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn serve_refuses_worker_and_concurrency_counts_out_of_range_with_exit_code_2() {
    // A count past the range used to panic (exit 101): tokio's semaphore for
    // --max-concurrent, actix-server past 512 workers; 0 was silently raised to 1. Each is
    // refused before anything binds, naming the option.
    for (option, value) in [
        ("--max-concurrent", "18446744073709551615"),
        ("--max-concurrent", "0"),
        ("--max-concurrent", "65537"),
        ("--workers", "0"),
        ("--workers", "513"),
        ("--workers", "-1"),
        ("--workers", "4\u{7}"),
    ] {
        // `--option=value`, so that "-1" is taken as the value, not as a flag.
        let out = autokg(&[
            "serve",
            "--bind",
            "127.0.0.1:0",
            &format!("{option}={value}"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{option} {value:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(option) && !stderr(&out).contains("panicked"),
            "{option} {value:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn serve_refuses_a_time_limit_no_duration_holds_or_that_rounds_to_zero() {
    // 1e20 s used to panic in Duration::from_secs_f64 (exit 101); 1e-10 became a zero limit.
    for value in ["1e20", "1e-10", "0", "-5", "NaN", "inf"] {
        let out = autokg(&[
            "serve",
            "--bind",
            "127.0.0.1:0",
            &format!("--timeout={value}"),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "--timeout {value}: {err}");
        assert!(
            err.contains("--timeout") && !err.contains("panicked"),
            "--timeout {value}: {err}"
        );
    }
}

#[test]
fn curated_data_conforms_to_the_shapes() {
    let out = autokg(&["validate"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("conforms"));
}

#[test]
fn validate_names_an_observation_without_period_and_relations_without_source_or_paragraph() {
    use autokg::store::KgStore;
    use oxigraph::io::RdfFormat;
    use oxigraph::model::{GraphNameRef, NamedNodeRef};
    // Arrange: a copy of the curated data with three defects (the curated graph itself is
    // read-only, so the triples are left out of the copy).
    let store = KgStore::open(None).expect("store");
    let mut dumped = Vec::new();
    let curated = NamedNodeRef::new_unchecked(autokg::vocab::GRAPH_CURATED);
    store
        .dump(
            RdfFormat::NTriples,
            Some(GraphNameRef::NamedNode(curated)),
            &mut dumped,
        )
        .expect("dump");
    let id = "https://w3id.org/autokg/id/";
    let ak = "https://w3id.org/autokg/ontology#";
    let defects = [
        format!("<{id}obs-chongqing-vehicle-output-2025> <{ak}periodStart> "),
        format!("<{id}rel-huawei-partnerOf-seres> <http://www.w3.org/ns/prov#wasDerivedFrom> "),
        format!("<{id}rel-anhui-locatedIn-china> <{ak}sourceParagraph> "),
    ];
    let text = String::from_utf8(dumped).expect("utf-8");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !defects.iter().any(|d| l.starts_with(d.as_str())))
        .collect();
    assert!(
        kept.len() < text.lines().count(),
        "the defects were in the data"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("broken.nt");
    std::fs::write(&copy, kept.join("\n")).expect("write");
    // Act
    let out = autokg(&["validate", copy.to_str().expect("utf-8 path")]);
    // Assert
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = stdout(&out);
    assert!(
        report.contains("obs-chongqing-vehicle-output-2025") && report.contains("periodStart"),
        "{report}"
    );
    assert!(
        report.contains("rel-huawei-partnerOf-seres") && report.contains("wasDerivedFrom"),
        "{report}"
    );
    assert!(
        report.contains("rel-anhui-locatedIn-china") && report.contains("sourceParagraph"),
        "{report}"
    );
}

#[test]
fn a_generated_network_conforms_to_the_shapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = dir.path().join("net.nq");
    let net = net.to_str().expect("utf-8 path");
    let out = autokg(&["generate", "--firms", "300", "--seed", "7", "-o", net]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = autokg(&["validate", net]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("conforms"), "{}", stdout(&out));
}

#[test]
fn a_syntax_error_on_line_3_names_the_line_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store_dir = dir.path().join("store");
    let store = store_dir.to_str().expect("utf-8");
    let before = count_quads(store);
    let good = dir.path().join("good.ttl");
    std::fs::write(&good, "<http://e/a> <http://e/p> <http://e/b> .\n").expect("write");
    let bad = dir.path().join("bad.ttl");
    std::fs::write(
        &bad,
        "@prefix e: <http://e/> .\ne:x e:p e:y .\ne:x e:p \"unterminated .\n",
    )
    .expect("write");
    // Two files in one load: the good one must not land either.
    let out = autokg(&[
        "--store",
        store,
        "load",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.ttl"), "{}", stderr(&out));
    assert_eq!(count_quads(store), before);
}

#[test]
fn a_million_ntriples_load_into_a_store_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("million.nt.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::io::BufWriter::new(std::fs::File::create(&file).expect("create")),
        flate2::Compression::fast(),
    );
    for i in 0..1_000_000u32 {
        writeln!(
            gz,
            "<https://example.org/firm/{}> <https://w3id.org/autokg/ontology#suppliesTo> <https://example.org/firm/{}> .",
            i,
            i / 3
        )
        .expect("write");
    }
    gz.finish().expect("gzip").flush().expect("flush");
    let store_dir = dir.path().join("store");
    let store = store_dir.to_str().expect("utf-8");
    let before = count_quads(store);
    let out = autokg(&[
        "--store",
        store,
        "load",
        file.to_str().unwrap(),
        "--graph",
        "https://example.org/g",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Reopen (a new process) and count: the million triples plus their entailments.
    let after = count_quads(store);
    assert!(after >= before + 1_000_000, "{before} -> {after}");
    let out = autokg(&[
        "--store",
        store,
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/g> { ?s ?p ?o } }",
        "--format",
        "csv",
    ]);
    assert_eq!(stdout(&out).replace('\r', ""), "n\n1000000\n");
}

#[test]
fn the_fingerprint_is_the_same_across_runs_and_store_kinds() {
    let run = |args: &[&str]| {
        let out = autokg(args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.starts_with("sha256:") && text.trim().len() == 71,
            "{text}"
        );
        text
    };
    let first = run(&["dump", "--canonical", "--fingerprint-only"]);
    let second = run(&["dump", "--canonical", "--fingerprint-only"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let persistent = run(&[
        "--store",
        store.to_str().unwrap(),
        "dump",
        "--canonical",
        "--fingerprint-only",
    ]);
    assert_eq!(first, second);
    assert_eq!(first, persistent);
}

#[test]
fn data_files_join_the_store_for_one_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("mine.ttl");
    std::fs::write(
        &file,
        "@prefix ak: <https://w3id.org/autokg/ontology#> .\n<http://e/acme> a ak:PartsSupplier ; ak:suppliesTo <https://w3id.org/autokg/id/seres> .\n",
    )
    .expect("write");
    let out = autokg(&[
        "--data",
        file.to_str().unwrap(),
        "query",
        "ASK { <http://e/acme> a ak:Company ; ak:suppliesTo akid:seres }",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("true"), "{}", stdout(&out));
}

#[test]
fn stats_counts_graphs_classes_and_measures() {
    let out = autokg(&["stats", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let graphs = doc["graphs"].as_array().expect("graphs");
    for g in ["ontology", "curated", "inferred"] {
        let iri = format!("https://w3id.org/autokg/graph/{g}");
        let n = graphs
            .iter()
            .find(|x| x["graph"] == iri.as_str())
            .map(|x| x["triples"].as_u64().unwrap_or(0));
        assert!(n.unwrap_or(0) > 0, "graph {g} empty or missing");
    }
    let measures = doc["observationsPerMeasure"].as_array().expect("measures");
    let vehicle = measures
        .iter()
        .find(|m| m["measure"] == "ak:VehicleOutput")
        .expect("VehicleOutput");
    // Chongqing, Chengdu and Shanghai report vehicle output.
    assert_eq!(vehicle["count"], 3);
}

#[test]
fn a_gzip_file_past_the_decompression_limit_is_refused_and_nothing_lands() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let store_dir = dir.path().join("store");
    let store = store_dir.to_str().expect("utf-8");
    let before = count_quads(store);
    let path = dir.path().join("big.nt.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).expect("create"),
        flate2::Compression::fast(),
    );
    for i in 0..40_000 {
        writeln!(gz, "<http://e/s{i}> <http://e/p> \"{i}\" .").expect("write");
    }
    gz.finish().expect("gzip");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_autokg"))
        .args(["--store", store, "load", path.to_str().expect("utf-8")])
        .env("AUTOKG_MAX_GUNZIP", "100000")
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("AUTOKG_MAX_GUNZIP"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("big.nt.gz"), "{}", stderr(&out));
    assert_eq!(count_quads(store), before, "a refused load landed in part");
    // The same file under the default limit loads.
    let out = autokg(&["--store", store, "load", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(count_quads(store), before + 40_000);
}

/// Bytes a piped reader should never see: control characters other than tab and line feed
/// (progress bars redraw with `\r` and escape sequences; colours are escape sequences).
fn control_characters(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|&b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f)
        .collect()
}

#[test]
fn piped_long_commands_print_no_control_characters_and_end_with_counts_and_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).to_str().expect("UTF-8").to_owned();
    let (network, store, graphml, dump) = (
        path("net.nq"),
        path("store"),
        path("net.graphml"),
        path("dump.nq"),
    );
    // Without RUST_LOG, as a user runs them; stdout and stderr are pipes.
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_autokg"))
            .args(args)
            .env_remove("RUST_LOG")
            .output()
            .expect("runs");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert_eq!(
                control_characters(bytes),
                Vec::<u8>::new(),
                "{args:?} {name}: {}",
                String::from_utf8_lossy(bytes)
            );
        }
        let err = stderr(&out);
        assert!(
            !err.contains(" INFO "),
            "{args:?}: info lines by default: {err}"
        );
        (stdout(&out), err)
    };
    let last_line = |err: &str, starts: &str| {
        let line = err.lines().last().unwrap_or_default().to_owned();
        assert!(line.starts_with(starts), "{line}");
        let seconds = line
            .rsplit_once(" in ")
            .and_then(|(_, t)| t.strip_suffix(" s").or_else(|| t.split(" s").next()))
            .and_then(|t| t.parse::<f64>().ok());
        assert!(seconds.is_some(), "no time in: {line}");
        line
    };
    let (_, err) = run(&["generate", "--firms", "2000", "--seed", "4", "-o", &network]);
    assert!(last_line(&err, "generated 2000 firms").contains("quads"));
    let (_, err) = run(&["--store", &store, "load", &network]);
    let line = err.lines().last().unwrap_or_default();
    assert!(
        line.starts_with("loaded ") && line.contains(" s;"),
        "{line}"
    );
    let (_, err) = run(&[
        "--store", &store, "export", "--format", "graphml", "-o", &graphml,
    ]);
    assert!(
        err.lines()
            .last()
            .unwrap_or_default()
            .starts_with("exported "),
        "{err}"
    );
    let (out, err) = run(&[
        "--store",
        &store,
        "centrality",
        "-m",
        "pagerank",
        "--top",
        "3",
    ]);
    assert_eq!(
        out.lines().filter(|l| l.contains("akid:")).count(),
        3,
        "{out}"
    );
    let line = last_line(&err, "pagerank on 'supply-chain' (");
    assert!(line.contains(" nodes, "), "{line}");
    let (_, err) = run(&["--store", &store, "dump", "--format", "nquads", "-o", &dump]);
    let line = last_line(&err, "dumped ");
    let size = std::fs::metadata(&dump).expect("dumped").len();
    assert!(
        size > 1_000_000 && line.contains("of N-Quads"),
        "{line} ({size} bytes)"
    );
    // A query's answer ends with a newline and nothing else is said.
    let (out, err) = run(&["--store", &store, "query", "ASK { ?s ?p ?o }"]);
    assert_eq!((out.as_str(), err.as_str()), ("true\n", ""));
    // -v asks for progress notes: log lines, uncoloured on a pipe.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_autokg"))
        .args(["-v", "centrality", "-m", "degree"])
        .env_remove("RUST_LOG")
        .output()
        .expect("runs");
    assert!(stderr(&out).contains(" INFO "), "{}", stderr(&out));
    assert_eq!(control_characters(&out.stderr), Vec::<u8>::new());
}
