//! Writes that mean what they say: updates see the query dataset, DELETE without GRAPH
//! removes from every writable graph, protected graphs and entailments are refused whole
//! (403 naming them), DROP ALL spares the protected graphs and a restart reloads nothing,
//! entailments are visible at once, writers are serialised, and blank nodes of different
//! documents stay apart on every write path.

use crate::support::{autokg, spawn_app_on, spawn_app_with, stderr, stdout, TestApp};
use autokg::http::ServeConfig;
use autokg::store::KgStore;
use std::sync::Arc;

const TOKEN: &str = "w";
const CURATED: &str = "https://w3id.org/autokg/graph/curated";
const INFERRED: &str = "https://w3id.org/autokg/graph/inferred";

fn writable() -> TestApp {
    spawn_app_with(ServeConfig {
        update_token: Some(TOKEN.into()),
        ..ServeConfig::default()
    })
}

/// Posts an update; returns the status and body.
fn update(app: &TestApp, text: &str) -> (u16, String) {
    let r = app
        .post("/sparql")
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/sparql-update")
        .body(text.to_owned())
        .send()
        .expect("request");
    (r.status().as_u16(), r.text().expect("body"))
}

fn ask(app: &TestApp, query: &str) -> bool {
    let (status, _, body) = app.query(query, "application/sparql-results+json");
    assert_eq!(status, 200, "{query}: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["boolean"].as_bool().expect("boolean")
}

fn count(app: &TestApp, query: &str) -> u64 {
    let (status, _, body) = app.query(query, "application/sparql-results+json");
    assert_eq!(status, 200, "{query}: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .expect("n")
        .parse()
        .expect("number")
}

#[test]
fn an_update_where_sees_what_a_query_sees() {
    let app = writable();
    // The labels are in the curated graph: a WHERE on the real default graph saw none.
    let (status, body) = update(
        &app,
        "INSERT { ?a <urn:p> ?c } WHERE { BIND(akid:huawei AS ?a) ?a rdfs:label ?c }",
    );
    assert_eq!(status, 204, "{body}");
    let labels = count(
        &app,
        "SELECT (COUNT(*) AS ?n) WHERE { akid:huawei rdfs:label ?c }",
    );
    let copied = count(
        &app,
        "SELECT (COUNT(*) AS ?n) WHERE { akid:huawei <urn:p> ?c }",
    );
    assert!(labels > 0);
    assert_eq!(copied, labels);
    // INSERT without GRAPH writes to the real default graph.
    let r = app.get("/store?default").send().expect("request");
    let default_graph = r.text().expect("body");
    assert!(default_graph.contains("urn:p"), "{default_graph}");
    // USING narrows the dataset: the curated labels are not in <http://e/none>.
    let (status, _) = update(
        &app,
        "INSERT { ?a <urn:q> ?c } USING <http://e/none> WHERE { ?a rdfs:label ?c }",
    );
    assert_eq!(status, 204);
    assert!(!ask(&app, "ASK { ?a <urn:q> ?c }"));
}

#[test]
fn a_delete_of_published_data_is_refused_whole_naming_the_graph() {
    let app = writable();
    for text in [
        "DELETE { akid:huawei ak:partnerOf ?o } WHERE { akid:huawei ak:partnerOf ?o }",
        "INSERT DATA { GRAPH <http://e/g> { <http://e/x> <http://e/p> 1 } } ;
         DELETE DATA { akid:huawei ak:partnerOf akid:seres }",
        "INSERT DATA { GRAPH <https://w3id.org/autokg/graph/curated> { <http://e/x> <http://e/p> 1 } }",
        "DROP GRAPH <https://w3id.org/autokg/graph/curated>",
    ] {
        let (status, body) = update(&app, text);
        assert_eq!(status, 403, "{text}: {body}");
        assert!(body.contains(CURATED), "{body}");
        assert!(body.contains("nothing was applied"), "{body}");
    }
    assert!(ask(&app, "ASK { akid:huawei ak:partnerOf akid:seres }"));
    assert!(!ask(&app, "ASK { <http://e/x> ?p ?o }"), "half applied");
    for (method, graph) in [("PUT", CURATED), ("DELETE", INFERRED)] {
        let r = app
            .client
            .request(
                method.parse().expect("method"),
                format!("{}/store?graph={graph}", app.address),
            )
            .bearer_auth(TOKEN)
            .header("Content-Type", "text/turtle")
            .body("<http://e/x> <http://e/p> 1 .")
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 403, "{method} {graph}");
        assert!(r.text().expect("body").contains(graph));
    }
}

#[test]
fn a_delete_without_graph_removes_the_triple_from_every_writable_graph() {
    let app = writable();
    let t = "<http://e/x> <http://e/p> <http://e/y>";
    let (status, body) = update(
        &app,
        &format!(
            "INSERT DATA {{ {t} . GRAPH <http://e/g1> {{ {t} }} GRAPH <http://e/g2> {{ {t} }} }}"
        ),
    );
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        count(
            &app,
            &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {t} }} }}")
        ),
        2
    );
    let (status, body) = update(&app, &format!("DELETE WHERE {{ {t} }}"));
    assert_eq!(status, 204, "{body}");
    assert!(!ask(&app, &format!("ASK {{ {t} }}")));
    assert!(!ask(&app, &format!("ASK {{ GRAPH ?g {{ {t} }} }}")));
}

#[test]
fn entailments_follow_each_write_at_once_and_cannot_be_deleted_alone() {
    let app = writable();
    let (status, body) = update(
        &app,
        "INSERT DATA { GRAPH <http://e/g> { <http://e/x> a ak:Automaker } }",
    );
    assert_eq!(status, 204, "{body}");
    assert!(ask(&app, "ASK { <http://e/x> a ak:Company }"));
    let (status, body) = update(&app, "DELETE DATA { <http://e/x> a ak:Company }");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("holds only as an entailment"), "{body}");
    assert!(
        body.contains("<http://e/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/autokg/ontology#Automaker>"),
        "the message names the asserted triple: {body}"
    );
    assert!(ask(&app, "ASK { <http://e/x> a ak:Company }"));
    let (status, _) = update(&app, "DELETE DATA { <http://e/x> a ak:Automaker }");
    assert_eq!(status, 204);
    assert!(!ask(&app, "ASK { <http://e/x> a ak:Company }"));
}

#[test]
fn drop_all_spares_the_protected_graphs_and_a_reopened_store_holds_what_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |store: &KgStore, text: &str| {
        store
            .update(store.prepare_update(text).expect("parses"))
            .expect("applies");
    };
    let curated_count;
    {
        let store = KgStore::open(Some(dir.path())).expect("opens");
        curated_count = store.graph_counts().expect("counts");
        run(
            &store,
            "INSERT DATA { <http://e/a> <http://e/p> 1 . GRAPH <http://e/g> { <http://e/b> a ak:Automaker } }",
        );
        run(&store, "DROP ALL");
        assert_eq!(store.graph_counts().expect("counts"), curated_count);
        run(
            &store,
            "INSERT DATA { GRAPH <http://e/h> { <http://e/c> <http://e/p> 2 } }",
        );
    }
    let store = KgStore::open(Some(dir.path())).expect("reopens");
    let after = store.graph_counts().expect("counts");
    let h = after
        .iter()
        .find(|c| c.graph == "http://e/h")
        .expect("the graph written after DROP ALL");
    assert_eq!(h.triples, 1);
    let rest: Vec<_> = after.iter().filter(|c| c.graph != "http://e/h").collect();
    assert_eq!(rest, curated_count.iter().collect::<Vec<_>>());
}

#[test]
fn a_graph_post_racing_its_delete_leaves_no_orphan_entailments() {
    let firms: String = (0..20_000)
        .map(|i| format!("<http://e/firm{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/autokg/ontology#Automaker> .\n"))
        .collect();
    for _ in 0..3 {
        let store = Arc::new(KgStore::open(None).expect("store"));
        let app = spawn_app_on(
            ServeConfig {
                update_token: Some(TOKEN.into()),
                ..ServeConfig::default()
            },
            store,
        );
        let url = format!("{}/store?graph=http://e/firms", app.address);
        std::thread::scope(|s| {
            let post = s.spawn(|| {
                let r = app
                    .client
                    .post(&url)
                    .bearer_auth(TOKEN)
                    .header("Content-Type", "application/n-triples")
                    .body(firms.clone())
                    .send()
                    .expect("post");
                (r.status(), r.text().expect("body"))
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            let delete = app
                .client
                .delete(&url)
                .bearer_auth(TOKEN)
                .send()
                .expect("delete")
                .status();
            let (post, body) = post.join().expect("joins");
            assert!(post.is_success(), "{post}: {body}");
            assert!(delete.is_success() || delete.as_u16() == 404);
        });
        let asserted = count(
            &app,
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://e/firms> { ?f a ak:Automaker } }",
        );
        let inferred = count(
            &app,
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/autokg/graph/inferred> { ?f a ak:Company } FILTER(STRSTARTS(STR(?f), 'http://e/firm')) }",
        );
        assert!(asserted == 0 || asserted == 20_000, "{asserted}");
        assert_eq!(inferred, asserted, "entailments agree with the data");
    }
}

const DOC_A: &str = "_:x <http://example.org/name> \"a\" .\n";
const DOC_B: &str = "_:x <http://example.org/name> \"b\" .\n";
const NODES: &str =
    "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <http://example.org/name> ?name }";

fn two_files() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.nt");
    let b = dir.path().join("b.nt");
    std::fs::write(&a, DOC_A).expect("write");
    std::fs::write(&b, DOC_B).expect("write");
    let path = |p: std::path::PathBuf| p.to_str().expect("utf-8").to_owned();
    (dir, path(a), path(b))
}

fn nodes_in_cli_answer(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", stderr(out));
    stdout(out)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[test]
fn blank_nodes_of_two_documents_stay_two_nodes_on_every_write_path() {
    let (dir, a, b) = two_files();
    // --data a --data b
    let out = autokg(&[
        "query", "--format", "csv", "--data", &a, "--data", &b, NODES,
    ]);
    assert_eq!(nodes_in_cli_answer(&out), "2", "--data");
    // Two load runs into one store.
    let store_dir = dir.path().join("store");
    let store_arg = store_dir.to_str().expect("utf-8");
    for file in [&a, &b] {
        let out = autokg(&["load", "--store", store_arg, file]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = autokg(&["query", "--format", "csv", "--store", store_arg, NODES]);
    assert_eq!(nodes_in_cli_answer(&out), "2", "two load runs");
    // Two Graph Store POSTs, then two `load --server` runs.
    let app = writable();
    for doc in [DOC_A, DOC_B] {
        let r = app
            .post("/store?default")
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/n-triples")
            .body(doc)
            .send()
            .expect("post");
        assert!(r.status().is_success());
    }
    assert_eq!(count(&app, NODES), 2, "two POSTs");
    for file in [&a, &b] {
        let out = autokg(&[
            "load",
            "--server",
            &app.address,
            "--token",
            TOKEN,
            "--graph",
            "http://e/s",
            file,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let in_graph = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH <http://e/s> { ?s <http://example.org/name> ?name } }";
    assert_eq!(count(&app, in_graph), 2, "two load --server runs");
    // One document may share a label: one node.
    let r = app
        .post("/store?graph=http://e/one")
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/n-triples")
        .body(format!("{DOC_A}{DOC_B}"))
        .send()
        .expect("post");
    assert!(r.status().is_success());
    let one = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH <http://e/one> { ?s <http://example.org/name> ?name } }";
    assert_eq!(count(&app, one), 1);
}
