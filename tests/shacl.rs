//! SHACL validation: `sh:datatype` needs a valid lexical form, comparisons on values that
//! cannot be compared are violations, researchers' own shapes run with `--shapes`, and autokg
//! agrees with pySHACL (the reference) result by result: the same focus node, path and
//! constraint component, on a corpus that violates every shipped shape and on the curated data.

use crate::support::{autokg, python, stderr, stdout};
use autokg::rdf::io::RdfSource;
use autokg::shacl::Shapes;
use autokg::store::KgStore;
use oxigraph::io::RdfFormat;
use oxigraph::model::GraphName;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One validation result as both validators report it: focus node, path, component IRI.
type Key = (String, Option<String>, String);

fn file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// The store `autokg validate FILE` builds: the ontology, the file, their RDFS entailments.
fn validation_store(data: &Path) -> KgStore {
    let store = KgStore::ontology_only().expect("ontology store");
    let source = RdfSource::new(data, None).expect("known format");
    store
        .load(|| source.quads(GraphName::DefaultGraph), |_| {})
        .unwrap_or_else(|e| panic!("{} loads: {e}", data.display()));
    store
}

fn ours(store: &KgStore, shapes: &Shapes) -> BTreeMap<Key, usize> {
    let mut out = BTreeMap::new();
    for v in shapes.validate(store).expect("validation runs") {
        *out.entry((v.focus, v.path, v.component)).or_insert(0) += 1;
    }
    out
}

/// pySHACL's results on the union of every graph of `store` (no inference of its own).
fn pyshacl(store: &KgStore, shapes: &Path) -> BTreeMap<Key, usize> {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data.nq");
    let mut out = std::fs::File::create(&data).expect("create");
    store.dump(RdfFormat::NQuads, None, &mut out).expect("dump");
    drop(out);
    let python = python();
    let result = Command::new(&python)
        .arg(file("tests/python/crosscheck_shacl.py"))
        .arg(&data)
        .arg(shapes)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run the Python interpreter '{python}' (set AUTOKG_PYTHON): {e}")
        });
    assert_ne!(
        result.status.code(),
        Some(3),
        "pyshacl is not importable by '{python}': {}. Run tests/python/setup.sh.",
        stderr(&result)
    );
    assert!(
        result.status.success(),
        "crosscheck_shacl.py failed: {}",
        stderr(&result)
    );
    let rows: Vec<(String, Option<String>, String)> =
        serde_json::from_slice(&result.stdout).expect("pySHACL JSON");
    let mut counts = BTreeMap::new();
    for row in rows {
        *counts.entry(row).or_insert(0) += 1;
    }
    counts
}

fn assert_same(ours: &BTreeMap<Key, usize>, reference: &BTreeMap<Key, usize>) {
    let only_ours: Vec<_> = ours
        .iter()
        .filter(|(k, n)| reference.get(*k) != Some(*n))
        .collect();
    let only_reference: Vec<_> = reference
        .iter()
        .filter(|(k, n)| ours.get(*k) != Some(*n))
        .collect();
    assert!(
        only_ours.is_empty() && only_reference.is_empty(),
        "autokg and pySHACL disagree.\nautokg only (or other count): {only_ours:#?}\npySHACL only (or other count): {only_reference:#?}"
    );
}

/// The `sh:name` of every node shape in `ontology/shapes.ttl`.
fn shipped_shape_names() -> Vec<String> {
    let store = oxigraph::store::Store::new().expect("store");
    let text = std::fs::read_to_string(file("ontology/shapes.ttl")).expect("shapes");
    store
        .load_from_reader(RdfFormat::Turtle, text.as_bytes())
        .expect("shapes parse");
    let query = "SELECT ?name WHERE { ?s a <http://www.w3.org/ns/shacl#NodeShape> ; <http://www.w3.org/ns/shacl#name> ?name }";
    let oxigraph::sparql::QueryResults::Solutions(rows) = oxigraph::sparql::SparqlEvaluator::new()
        .parse_query(query)
        .expect("query")
        .on_store(&store)
        .execute()
        .expect("runs")
    else {
        panic!("not solutions")
    };
    rows.map(|r| match r.expect("row").get("name") {
        Some(oxigraph::model::Term::Literal(l)) => l.value().to_owned(),
        other => panic!("shape name {other:?}"),
    })
    .collect()
}

#[test]
fn autokg_and_pyshacl_agree_result_by_result_on_a_corpus_violating_every_shape() {
    let store = validation_store(&file("tests/shacl/corpus.ttl"));
    let shapes = Shapes::embedded().expect("shapes");
    let violations = shapes.validate(&store).expect("validation runs");
    let names = shipped_shape_names();
    assert!(names.len() >= 16, "only {} shapes found", names.len());
    let unviolated: Vec<_> = names
        .iter()
        .filter(|n| {
            !violations
                .iter()
                .any(|v| v.shape == **n || v.shape.starts_with(&format!("{n} / ")))
        })
        .collect();
    assert!(
        unviolated.is_empty(),
        "the corpus violates no constraint of {unviolated:?}"
    );
    let reference = pyshacl(&store, &file("ontology/shapes.ttl"));
    assert!(
        reference.len() > 60,
        "pySHACL found only {}",
        reference.len()
    );
    assert_same(&ours(&store, &shapes), &reference);
}

#[test]
fn autokg_and_pyshacl_both_find_the_curated_data_conforming() {
    let store = crate::support::store();
    let shapes = Shapes::embedded().expect("shapes");
    let ours = ours(store, &shapes);
    assert!(ours.is_empty(), "autokg: {ours:#?}");
    let reference = pyshacl(store, &file("ontology/shapes.ttl"));
    assert!(reference.is_empty(), "pySHACL: {reference:#?}");
}

#[test]
fn autokg_and_pyshacl_agree_on_a_researchers_own_shapes() {
    let store = validation_store(&file("tests/shacl/user-data.ttl"));
    let path = file("tests/shacl/user-shapes.ttl");
    let shapes = Shapes::from_file(&path).expect("user shapes parse");
    let ours = ours(&store, &shapes);
    // ex:bad breaks pattern, maxLength, languageIn (de and untagged), uniqueLang (en),
    // hasValue, datatype ("lots" is no integer, "7" a string), minExclusive (-3, and the two
    // values that cannot be compared) and maxExclusive (2000000, and the same two), maxInclusive and datatype of the dates, nodeKind;
    // ex:line-2 and ex:line-3 break sh:in and sh:minCount. ex:good breaks nothing.
    assert!(
        ours.keys().all(|(focus, ..)| !focus.contains("/good")),
        "{ours:#?}"
    );
    for component in [
        "Pattern",
        "MaxLength",
        "LanguageIn",
        "UniqueLang",
        "HasValue",
        "Datatype",
        "MinExclusive",
        "MaxExclusive",
        "MaxInclusive",
        "NodeKind",
        "In",
        "MinCount",
    ] {
        let iri = format!("http://www.w3.org/ns/shacl#{component}ConstraintComponent");
        assert!(
            ours.keys().any(|(_, _, c)| *c == iri),
            "no {component} result: {ours:#?}"
        );
    }
    assert_same(&ours, &pyshacl(&store, &path));
}

#[test]
fn ill_typed_values_violate_datatype_and_comparisons_through_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("ill-typed.ttl");
    // The four values of issue 15, each on an observation that is otherwise complete.
    let observation = |id: &str, value: &str, start: &str, growth: &str| {
        format!(
            "akid:{id} a ak:Observation ; ak:subject akid:chongqing ; ak:measure ak:VehicleOutput ;
               ak:value {value} ; ak:approximation ak:About ; ak:accountingBasis ak:UnknownBasis ;
               ak:periodStart {start} ; ak:periodEnd \"2022-12-31\"^^xsd:date ; ak:yoyGrowth {growth} ;
               prov:wasDerivedFrom akid:t-src .\n"
        )
    };
    let ok_date = "\"2022-01-01\"^^xsd:date";
    let text = [
        "@prefix ak: <https://w3id.org/autokg/ontology#> . @prefix akid: <https://w3id.org/autokg/id/> .
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
         @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
         akid:chongqing a ak:City ; rdfs:label \"Chongqing\"@en , \"重庆\"@zh .
         akid:t-src a ak:SourceDocument ; rdfs:label \"s\"@en , \"s\"@zh ; <http://purl.org/dc/terms/title> \"s\" .\n".to_owned(),
        observation("t-words", "\"about two million\"^^xsd:decimal", ok_date, "\"0.1\"^^xsd:decimal"),
        observation("t-na", "\"5\"^^xsd:decimal", ok_date, "\"n/a\"^^xsd:decimal"),
        observation("t-feb30", "\"5\"^^xsd:decimal", "\"2022-02-30\"^^xsd:date", "\"0.1\"^^xsd:decimal"),
        observation("t-exponent", "\"1e3\"^^xsd:decimal", ok_date, "\"0.1\"^^xsd:decimal"),
    ]
    .concat();
    std::fs::write(&data, text).expect("write");
    let out = autokg(&[
        "validate",
        data.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(doc["conforms"], false);
    let mut found: Vec<(String, String, String)> = doc["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| {
            let focus = v["focus"].as_str().expect("focus");
            let local = focus
                .trim_end_matches('>')
                .rsplit('/')
                .next()
                .expect("local");
            let path = v["path"].as_str().unwrap_or("");
            let path = path.trim_end_matches('>').rsplit('#').next().expect("path");
            (
                local.to_owned(),
                path.to_owned(),
                v["constraint"].as_str().expect("constraint").to_owned(),
            )
        })
        .collect();
    found.sort();
    let mut expected: Vec<(String, String, String)> = [
        ("t-exponent", "value", "datatype"),
        ("t-feb30", "periodStart", "datatype"),
        ("t-na", "yoyGrowth", "datatype"),
        ("t-na", "yoyGrowth", "minInclusive"),
        ("t-words", "value", "datatype"),
    ]
    .iter()
    .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
    .collect();
    expected.sort();
    assert_eq!(found, expected, "{}", stdout(&out));
}

#[test]
fn validate_shapes_runs_the_users_file_and_refuses_what_it_cannot_check() {
    let data = file("tests/shacl/user-data.ttl");
    let shapes = file("tests/shacl/user-shapes.ttl");
    let out = autokg(&[
        "validate",
        data.to_str().expect("utf-8"),
        "--shapes",
        shapes.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("http://example.org/bad"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("http://example.org/good>"),
        "{}",
        stdout(&out)
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let unsupported = dir.path().join("or.ttl");
    std::fs::write(
        &unsupported,
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
         ex:S sh:targetClass ex:Plant ; sh:property [ sh:path ex:code ; sh:or ( [ sh:minCount 1 ] ) ] .",
    )
    .expect("write");
    let out = autokg(&[
        "validate",
        data.to_str().expect("utf-8"),
        "--shapes",
        unsupported.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stderr(&out).contains("sh:or"), "{}", stderr(&out));

    // Oxigraph stores the subtypes of xsd:integer as xsd:integer: a check on them could only
    // fail, so the validator refuses it and says what to write instead.
    let subtype = dir.path().join("subtype.ttl");
    std::fs::write(
        &subtype,
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
         ex:S sh:targetClass ex:Plant ; sh:property [ sh:path ex:capacity ; sh:datatype xsd:nonNegativeInteger ] .",
    )
    .expect("write");
    let out = autokg(&[
        "validate",
        data.to_str().expect("utf-8"),
        "--shapes",
        subtype.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stderr(&out).contains("xsd:integer"), "{}", stderr(&out));

    let missing = autokg(&["validate", "--shapes", "/nonexistent/shapes.ttl"]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(
        stderr(&missing).contains("/nonexistent/shapes.ttl"),
        "{}",
        stderr(&missing)
    );
}
