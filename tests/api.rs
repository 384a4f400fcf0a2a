//! The JSON API over real HTTP: lookups with the article's answers, paging, caching, errors,
//! JSON-LD, the analytics routes and the OpenAPI document's examples.

use crate::support::{spawn_app, spawn_app_with, TestApp};
use autokg::http::ServeConfig;
use autokg::vocab::{AK, AKID};
use serde_json::Value;
use std::collections::HashSet;

/// A GET's status, content type, headers and body parsed as JSON.
struct Answer {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

fn get(app: &TestApp, path: &str) -> Answer {
    get_with(app, path, &[])
}

fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = app.get(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else if content_type.contains("json") {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    } else {
        // Exports in other formats (GraphML, DOT, CSV, ...) are kept as text.
        Value::String(text)
    };
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

fn ok(app: &TestApp, path: &str) -> Value {
    let a = get(app, path);
    assert_eq!(a.status, 200, "{path}: {}", a.body);
    assert_eq!(a.content_type, "application/json", "{path}");
    a.body
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn problem(app: &TestApp, path: &str, status: u16) -> Value {
    let a = get(app, path);
    assert_eq!(a.status, status, "{path}: {}", a.body);
    assert_eq!(a.content_type, "application/problem+json", "{path}");
    assert_eq!(a.body["status"], status, "{path}");
    assert_eq!(a.body["type"], "about:blank");
    assert!(
        !a.body["detail"].as_str().unwrap_or_default().is_empty(),
        "{path}: no detail"
    );
    a.body
}

// ---------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------

#[test]
fn seres_relations_include_the_huawei_partnership_from_paragraph_2() {
    let app = spawn_app();
    let doc = ok(&app, "/api/firms/seres/relations");
    let partnership = doc["incoming"]
        .as_array()
        .expect("incoming")
        .iter()
        .find(|r| r["relation"] == "ak:partnerOf" && r["subject"]["id"] == "huawei")
        .unwrap_or_else(|| panic!("no Huawei partnership: {doc}"));
    assert_eq!(partnership["paragraphs"], serde_json::json!([2]));
    assert_eq!(partnership["assertion"], "ak:Stated");
    assert_eq!(partnership["statement"], "rel-huawei-partnerOf-seres");
    assert_eq!(partnership["source"], "source-china-auto-geography-2025");
    assert_eq!(partnership["subject"]["label"]["zh"], "华为");
    assert_eq!(partnership["symmetric"], true);

    // A symmetric relation counts as outgoing too; a directed one does not.
    let out = ok(
        &app,
        "/api/firms/seres/relations?direction=out&type=partnerOf",
    );
    assert_eq!(out["incoming"][0]["subject"]["id"], "huawei", "{out}");
    let supplied = ok(
        &app,
        "/api/firms/seres/relations?direction=out&type=suppliesTo",
    );
    assert_eq!(supplied["incoming"], serde_json::json!([]), "{supplied}");

    // The entity lists the same statement, with its labels and figures.
    let seres = ok(&app, "/api/entities/seres");
    assert_eq!(seres["label"]["zh"], "赛力斯");
    assert_eq!(seres["types"], serde_json::json!(["ak:Automaker"]));
    assert!(seres["incoming"]
        .as_array()
        .expect("incoming")
        .iter()
        .any(|r| r["statement"] == "rel-huawei-partnerOf-seres"));
    assert_eq!(
        seres["properties"]["ak:sourceParagraph"],
        serde_json::json!([2])
    );
}

#[test]
fn the_hefei_government_invested_in_nio_volkswagen_anhui_and_byd() {
    let app = spawn_app();
    let doc = ok(
        &app,
        "/api/firms/hefei-government/relations?type=investedIn&direction=out",
    );
    let mut invested: Vec<String> = doc["outgoing"]
        .as_array()
        .expect("outgoing")
        .iter()
        .map(|r| r["object"]["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    invested.sort();
    assert_eq!(invested, ["byd", "nio", "volkswagen-anhui"]);
    assert_eq!(doc["incoming"], serde_json::json!([]));
    assert_eq!(doc["relationType"], "ak:investedIn");
    for r in doc["outgoing"].as_array().expect("outgoing") {
        assert_eq!(r["paragraphs"], serde_json::json!([6]), "{r}");
    }
    // The same firms are the ones located around Hefei.
    for filter in ["city=hefei", "province=anhui", "region=yangtze-river-delta"] {
        let page = ok(&app, &format!("/api/firms?{filter}"));
        assert_eq!(
            ids(&page["items"]),
            ["byd", "nio", "volkswagen-anhui"],
            "{filter}"
        );
    }
    let jv = ok(&app, "/api/firms?type=JointVenture");
    assert_eq!(ids(&jv["items"]), ["jetta"]);
    let all = ok(&app, "/api/firms?type=ak:Company");
    assert_eq!(all["total"], ok(&app, "/api/firms")["total"]);
}

#[test]
fn search_finds_what_a_person_means_in_english_and_chinese() {
    let app = spawn_app();
    let first = |q: &str| -> (String, String) {
        let doc = ok(&app, &format!("/api/search?q={}", urlencode(q)));
        (
            doc["items"][0]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            doc["items"][0]["match"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    assert_eq!(first("捷达"), ("jetta".into(), "exact".into()));
    assert_eq!(first("aito"), ("aito".into(), "exact".into()));
    assert_eq!(first("问界"), ("aito".into(), "exact".into()));
    assert_eq!(first("Seres"), ("seres".into(), "exact".into()));
    assert_eq!(first("SERES GROUP"), ("seres".into(), "exact".into()));
    assert_eq!(first("赛力"), ("seres".into(), "prefix".into()));
    assert_eq!(
        first("agen Anh"),
        ("volkswagen-anhui".into(), "substring".into())
    );
    // Exact before prefix: the brand before the milestone named after it.
    let doc = ok(&app, "/api/search?q=aito&limit=2");
    assert_eq!(ids(&doc["items"]), ["aito", "aito-millionth-vehicle"]);
    // Statement nodes and observations are not search hits.
    let doc = ok(&app, "/api/search?q=partner%20of");
    assert!(
        ids(&doc["items"]).iter().all(|i| !i.starts_with("rel-")),
        "{doc}"
    );
    problem(&app, "/api/search", 400);
}

#[test]
fn search_ignores_case_width_normalisation_form_and_whitespace() {
    let app = crate::support::spawn_app_with(autokg::http::ServeConfig {
        update_token: Some("t".into()),
        ..Default::default()
    });
    // Labels as users load them: composed ë, decomposed é (e + U+0301), a spaced model name.
    let data = "<https://w3id.org/autokg/id/brand-c> <http://www.w3.org/2000/01/rdf-schema#label> \"Citro\u{eb}n\"@fr .\n\
                <https://w3id.org/autokg/id/model-m9> <http://www.w3.org/2000/01/rdf-schema#label> \"问界 M9\"@zh .\n\
                <https://w3id.org/autokg/id/brand-e> <http://www.w3.org/2000/01/rdf-schema#label> \"Exe\u{301}ed\"@en .\n";
    let r = app
        .post("/store?graph=http%3A%2F%2Fe%2Fnames")
        .bearer_auth("t")
        .header("Content-Type", "application/n-triples")
        .body(data)
        .send()
        .expect("put");
    assert!(r.status().is_success(), "{:?}", r.text());
    let first = |q: &str| -> (String, String, String) {
        let doc = ok(&app, &format!("/api/search?q={}", urlencode(q)));
        let hit = &doc["items"][0];
        let text = |k: &str| hit[k].as_str().unwrap_or_default().to_owned();
        (text("id"), text("match"), text("matched"))
    };
    // Decomposed query, composed label; and the other way round; upper case too.
    assert_eq!(
        first("Citroe\u{308}n"),
        ("brand-c".into(), "exact".into(), "Citro\u{eb}n".into())
    );
    assert_eq!(first("CITRO\u{cb}N").0, "brand-c");
    assert_eq!(
        first("EXÉED"),
        ("brand-e".into(), "exact".into(), "Exe\u{301}ed".into())
    );
    // Full-width letters and digits, with or without the space.
    assert_eq!(
        first("问界Ｍ９"),
        ("model-m9".into(), "exact".into(), "问界 M9".into())
    );
    assert_eq!(first("问界m9").0, "model-m9");
    assert_eq!(first("问界　Ｍ").1, "prefix");
    // Mixed script substring; and what does not match stays unmatched.
    assert_eq!(first("界 m").0, "model-m9");
    let doc = ok(&app, &format!("/api/search?q={}", urlencode("Citroen")));
    assert!(
        ids(&doc["items"]).iter().all(|i| *i != "brand-c"),
        "e without its diaeresis is another letter: {doc}"
    );
}

#[test]
fn observations_keep_their_own_periods() {
    let app = spawn_app();
    let doc = ok(
        &app,
        "/api/observations?subject=chongqing&measure=VehicleOutput&from=2025-01-01&to=2025-12-31",
    );
    assert_eq!(doc["total"], 1, "{doc}");
    let o = &doc["items"][0];
    assert_eq!(o["value"], 2788000);
    assert_eq!(o["yoyGrowth"], 0.097);
    assert_eq!(o["periodStart"], "2025-01-01");
    assert_eq!(o["periodEnd"], "2025-12-31");
    assert_eq!(o["approximation"], "ak:About");
    assert_eq!(o["paragraphs"], serde_json::json!([2]));
    // A window that holds no whole period finds nothing; the figures are not merged.
    let none = ok(
        &app,
        "/api/observations?subject=chongqing&from=2025-02-01&to=2025-12-31",
    );
    assert_eq!(none["total"], 0);
    let bad = problem(&app, "/api/observations?from=2025-13-01", 400);
    assert!(bad["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("2025-13-01"));
    let bad = problem(&app, "/api/observations?measure=Happiness", 400);
    assert!(bad["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("ak:VehicleOutput"));
}

#[test]
fn paging_neither_repeats_nor_skips() {
    let app = spawn_app();
    let everything = ok(&app, "/api/firms?limit=500");
    let expected = ids(&everything["items"]);
    assert!(expected.len() >= 8, "{expected:?}");
    assert!(everything.get("nextCursor").is_none());
    let mut walked = Vec::new();
    let mut path = "/api/firms?limit=3".to_owned();
    for _ in 0..100 {
        let page = ok(&app, &path);
        assert_eq!(page["total"], expected.len());
        assert!(page["items"].as_array().expect("items").len() <= 3);
        walked.extend(ids(&page["items"]));
        match page["nextCursor"].as_str() {
            Some(c) => path = format!("/api/firms?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(walked, expected);
    assert_eq!(walked.iter().collect::<HashSet<_>>().len(), walked.len());
    let mut sorted = walked.clone();
    sorted.sort();
    assert_eq!(walked, sorted, "sorted by id (IRI)");
    problem(&app, "/api/firms?cursor=c1zz", 400);
    problem(&app, "/api/firms?limit=0", 400);
    problem(&app, "/api/firms?limit=many", 400);
}

#[test]
fn a_matching_etag_gives_304_until_the_store_changes() {
    let app = spawn_app_with(ServeConfig {
        update_token: Some("s3cret".into()),
        ..ServeConfig::default()
    });
    let first = get(&app, "/api/entities/byd");
    assert_eq!(first.status, 200);
    let etag = first
        .headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_owned();
    assert!(first.headers.get("cache-control").is_some());
    let again = get_with(&app, "/api/entities/byd", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert_eq!(
        again.headers.get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    // JSON-LD is another representation, with another ETag.
    let ld = get_with(
        &app,
        "/api/entities/byd",
        &[("Accept", "application/ld+json"), ("If-None-Match", &etag)],
    );
    assert_eq!(ld.status, 200);
    // A write changes the generation: the old ETag no longer matches.
    let update = app
        .post("/sparql")
        .header("Authorization", "Bearer s3cret")
        .form(&[(
            "update",
            "INSERT DATA { GRAPH <urn:test> { <https://w3id.org/autokg/id/byd> \
             <http://www.w3.org/2000/01/rdf-schema#label> \"BYD Auto\"@en } }",
        )])
        .send()
        .expect("update");
    assert!(update.status().is_success(), "{:?}", update.text());
    let after = get_with(&app, "/api/entities/byd", &[("If-None-Match", &etag)]);
    assert_eq!(after.status, 200);
    assert_ne!(
        after.headers.get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    let found = ok(&app, "/api/search?q=byd%20auto");
    assert_eq!(found["items"][0]["id"], "byd");
}

/// RFC 9110 §13.2.1: `If-None-Match` is evaluated only when the answer would otherwise be a
/// 2xx, so a request in error is answered its problem whatever ETag it sends (`*`, the
/// current one); a good one is still a 304, the first time as on a repeat.
#[test]
fn a_matching_etag_never_hides_an_error() {
    let app = spawn_app();
    let etag = get(&app, "/api/entities/seres")
        .headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_owned();
    let errors = [
        ("/api/entities/nosuch", 404),
        ("/api/firms?limit=0", 400),
        ("/api/firms?type=Bakery", 400),
        ("/api/firms/nosuch/relations", 404),
        ("/api/firms/seres/relations?direction=up", 400),
        ("/api/observations?from=bad", 400),
        ("/api/search?q=", 400),
        ("/api/paths?from=nosuch&to=seres", 404),
        ("/api/analytics/impact?node=nosuch", 404),
        ("/api/analytics/centrality?measure=fame", 400),
        ("/api/analytics/critical?projection=nope", 400),
    ];
    for condition in ["*", etag.as_str(), &format!("W/{etag}")] {
        for (path, status) in errors {
            let a = get_with(&app, path, &[("If-None-Match", condition)]);
            assert_eq!(a.status, status, "{path} with {condition}: {}", a.body);
            assert_eq!(a.content_type, "application/problem+json", "{path}");
            assert_eq!(a.body["status"], status, "{path}");
            assert!(a.headers.get("etag").is_none(), "{path}");
        }
    }
    // Good requests, never asked before and then again: 304 with the ETag, no body.
    for path in [
        "/api/firms?limit=3",
        "/api/firms/seres/relations",
        "/api/analytics/impact?node=jetta",
        "/api/paths?from=huawei&to=seres",
    ] {
        for condition in ["*", etag.as_str(), etag.as_str()] {
            let a = get_with(&app, path, &[("If-None-Match", condition)]);
            assert_eq!(a.status, 304, "{path} with {condition}: {}", a.body);
            assert_eq!(
                a.headers.get("etag").and_then(|v| v.to_str().ok()),
                Some(etag.as_str())
            );
            assert_eq!(a.body, Value::Null);
        }
    }
}

/// Every `/api` error has the one problem shape: a path no route serves is a 404 problem
/// naming it, whatever the method; a known path with another method stays a 405 with `Allow`.
#[test]
fn unknown_api_paths_are_404_problems_naming_the_path() {
    let app = spawn_app();
    for path in [
        "/api/nosuch",
        "/api/entities/",
        "/api/entities/seres/nosuch",
        "/api/firms/seres",
        "/api/",
    ] {
        let p = problem(&app, path, 404);
        assert_eq!(p["title"], "Not Found");
        let detail = p["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(path), "{path}: {detail}");
    }
    let post = app.post("/api/nosuch").body("{}").send().expect("post");
    assert_eq!(post.status().as_u16(), 404);
    assert_eq!(
        post.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let delete = app
        .client
        .delete(format!("{}/api/entities/seres", app.address))
        .send()
        .expect("delete");
    assert_eq!(delete.status().as_u16(), 405);
    assert_eq!(
        delete.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, HEAD")
    );
    // Routes outside /api are not caught by it.
    assert_eq!(
        app.get("/apinot").send().expect("get").status().as_u16(),
        404
    );
    assert_eq!(
        app.get("/healthz").send().expect("get").status().as_u16(),
        200
    );
}

#[test]
fn unknown_ids_are_404_problems_with_suggestions() {
    let app = spawn_app();
    let p = problem(&app, "/api/entities/sers", 404);
    assert_eq!(p["title"], "Not Found");
    assert_eq!(p["suggestions"][0]["id"], "seres", "{p}");
    assert_eq!(p["suggestions"][0]["href"], "/api/entities/seres");
    assert!(p["detail"].as_str().unwrap_or_default().contains("'sers'"));
    let p = problem(&app, "/api/firms/volkswagen-anhu/relations", 404);
    assert_eq!(p["suggestions"][0]["id"], "volkswagen-anhui", "{p}");
    // An unknown entity is 404 wherever it is named, in a filter too (one error mapping).
    let p = problem(&app, "/api/firms?city=hefie", 404);
    assert_eq!(p["suggestions"][0]["id"], "hefei", "{p}");
    let p = problem(&app, "/api/firms?type=Bakery", 400);
    assert!(p["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("ak:Automaker"));
    // Other methods are refused with Allow.
    let put = app
        .client
        .put(format!("{}/api/firms", app.address))
        .send()
        .expect("put");
    assert_eq!(put.status().as_u16(), 405);
    assert_eq!(
        put.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, HEAD")
    );
}

/// Suggestions and search do bounded work, whatever the data and the request hold: a
/// 20,000-character label in the data and a 20,000-character unknown id cost a length test,
/// not an edit distance of 20,000 × 20,000 (0.47 s a request before the bound).
#[test]
fn suggestions_and_search_stay_cheap_on_huge_labels_and_ids() {
    let app = spawn_app_with(ServeConfig {
        update_token: Some("t".into()),
        ..ServeConfig::default()
    });
    let label = "x".repeat(20_000);
    let r = app
        .post("/sparql")
        .bearer_auth("t")
        .header("Content-Type", "application/sparql-update")
        .body(format!(
            "INSERT DATA {{ <{AKID}longname> a <{AK}Automaker> ; \
             <http://www.w3.org/2000/01/rdf-schema#label> \"{label}\"@en }}"
        ))
        .send()
        .expect("update");
    assert_eq!(r.status().as_u16(), 204);
    let id = format!("{}y", "x".repeat(19_999));
    let start = std::time::Instant::now();
    for _ in 0..20 {
        let p = problem(&app, &format!("/api/entities/{id}"), 404);
        assert_eq!(p["suggestions"].as_array().map_or(0, Vec::len), 0, "{p}");
    }
    let spent = start.elapsed();
    assert!(
        spent < std::time::Duration::from_secs(3),
        "20 lookups took {spent:?}"
    );
    // A short near miss still gets its suggestion next to the huge label.
    let p = problem(&app, "/api/entities/sers", 404);
    assert_eq!(p["suggestions"][0]["id"], "seres", "{p}");
    // Search text is at most 200 characters: 200 is searched, 201 is a 400 naming q.
    let at_limit = get(&app, &format!("/api/search?q={}", "x".repeat(200)));
    assert_eq!(at_limit.status, 200);
    let p = problem(&app, &format!("/api/search?q={}", "x".repeat(201)), 400);
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("q has 201 characters"),
        "{p}"
    );
}

#[test]
/// The JSON-LD is the JSON with a context, except where JSON cannot carry the exact RDF
/// (src/http/api/jsonld.rs): decimals are strings (a JSON-LD processor would make a JSON
/// number with a fraction an `xsd:double`) and `properties` are value objects with each
/// literal's datatype and language. Whether it reads back as the store's triples is
/// `tests/standards/jsonld.rs`.
fn json_ld_is_the_json_with_a_context_and_exact_literals() {
    let app = spawn_app();
    let json = ok(&app, "/api/entities/aito");
    let ld = get_with(
        &app,
        "/api/entities/aito",
        &[("Accept", "application/ld+json")],
    );
    assert_eq!(ld.status, 200);
    assert_eq!(ld.content_type, "application/ld+json");
    let context = &ld.body["@context"];
    assert_eq!(context["ak"], AK);
    assert_eq!(context["@base"], AKID);
    assert_eq!(context["label"]["@id"], "rdfs:label");
    assert_eq!(context["source"]["@id"], "prov:wasDerivedFrom");
    let mut without = ld.body.clone();
    let mut json = json;
    let mut props = Vec::new();
    for doc in [&mut without, &mut json] {
        let o = doc.as_object_mut().expect("an object");
        o.remove("@context");
        props.push(o.remove("properties").expect("properties"));
        for obs in o["observations"].as_array_mut().expect("observations") {
            for key in ["value", "yoyGrowth"] {
                if let Some(v) = obs.get_mut(key) {
                    *v = Value::String(v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                }
            }
        }
    }
    assert_eq!(without, json);
    assert!(
        ld.body["observations"][0]["value"].is_string(),
        "{}",
        ld.body
    );
    // The same properties, each value an exact value or node object.
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&props[0]), keys(&props[1]));
    assert_eq!(
        props[0]["ak:sourceParagraph"][0],
        serde_json::json!({"@value": "2", "@type": "http://www.w3.org/2001/XMLSchema#integer"})
    );
    assert_eq!(
        props[0]["ak:producesIn"][0]["@id"],
        format!("{AKID}chongqing")
    );
    // A client preferring JSON gets JSON.
    let a = get_with(
        &app,
        "/api/firms",
        &[("Accept", "application/ld+json;q=0.5, application/json")],
    );
    assert_eq!(a.content_type, "application/json");
}

// ---------------------------------------------------------------------------------------
// Analytics
// ---------------------------------------------------------------------------------------

#[test]
fn the_path_from_huawei_to_seres_is_one_partner_of_hop_from_paragraph_2() {
    let app = spawn_app();
    let doc = ok(&app, "/api/paths?from=huawei&to=seres&k=3");
    assert_eq!(doc["projection"], "all");
    let first = &doc["paths"][0];
    assert_eq!(first["length"], 1, "{doc}");
    let relation = &first["hops"][0]["relations"][0];
    assert_eq!(relation["relation"], format!("{AK}partnerOf"));
    assert_eq!(relation["paragraphs"], serde_json::json!([2]));
    assert_eq!(relation["assertion"], format!("{AK}Stated"));
    assert_eq!(doc["from"]["id"], format!("{AKID}huawei"));
    let p = problem(&app, "/api/paths?from=huawei&to=sers", 404);
    assert_eq!(p["suggestions"][0]["id"], "seres", "{p}");
    problem(&app, "/api/paths?from=huawei&to=seres&k=0", 400);
    problem(&app, "/api/paths?from=huawei", 400);
}

#[test]
fn centrality_critical_and_impact_answer_and_refuse_unknown_names() {
    let app = spawn_app();
    let doc = ok(
        &app,
        "/api/analytics/centrality?measure=degree&projection=ownership&top=3",
    );
    assert_eq!(doc["measure"], "degree");
    assert_eq!(doc["projection"], "ownership");
    assert_eq!(doc["nodes"].as_array().expect("nodes").len(), 3);
    assert!(doc["nodes"][0]["score"].is_number());
    let pagerank = ok(&app, "/api/analytics/centrality?measure=pagerank");
    assert_eq!(pagerank["projection"], "supply-chain");
    assert_eq!(pagerank["converged"], true);

    let critical = ok(&app, "/api/analytics/critical?projection=ownership");
    assert!(ids(&critical["articulationPoints"]).contains(&format!("{AKID}jetta")));

    let impact = ok(
        &app,
        "/api/analytics/impact?node=jetta&projection=ownership",
    );
    assert_eq!(ids(&impact["disconnected"]), [format!("{AKID}faw")]);
    assert_eq!(impact["pairsLost"], 0);

    let p = problem(&app, "/api/analytics/centrality?measure=popularity", 400);
    assert!(p["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("'popularity'"));
    let p = problem(
        &app,
        "/api/analytics/centrality?measure=degree&projection=nope",
        400,
    );
    assert!(p["detail"].as_str().unwrap_or_default().contains("'nope'"));
    problem(&app, "/api/analytics/critical?projection=nope", 400);
    problem(&app, "/api/analytics/impact", 400);
    let p = problem(&app, "/api/analytics/impact?node=jeta", 404);
    assert_eq!(p["suggestions"][0]["id"], "jetta", "{p}");
}

// ---------------------------------------------------------------------------------------
// The OpenAPI document
// ---------------------------------------------------------------------------------------

#[test]
fn the_openapi_document_covers_every_route_and_its_examples_answer() {
    let app = spawn_app();
    let doc = ok(&app, "/api/openapi.json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    for route in [
        "/api/entities/{id}",
        "/api/firms",
        "/api/firms/{id}/relations",
        "/api/observations",
        "/api/search",
        "/api/analytics/centrality",
        "/api/analytics/critical",
        "/api/analytics/impact",
        "/api/paths",
        "/api/export",
        "/api/entities/{id}/neighbourhood",
        "/api/openapi.json",
    ] {
        assert!(paths.contains_key(route), "{route} is not documented");
    }
    // Calling each route with its documented examples (drawn from the curated data) works.
    for (route, item) in paths {
        let mut path = route.clone();
        let mut query = Vec::new();
        for p in item["get"]["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or_default();
            let example = if p["example"].is_null() {
                p["schema"]["examples"][0].clone()
            } else {
                p["example"].clone()
            };
            let values: Vec<String> = match example {
                Value::Null => continue,
                Value::String(s) => vec![s],
                Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect(),
                v => vec![v.to_string()],
            };
            if p["in"] == "path" {
                path = path.replace(&format!("{{{name}}}"), &values[0]);
            } else {
                query.extend(
                    values
                        .into_iter()
                        .map(|v| format!("{name}={}", urlencode(&v))),
                );
            }
        }
        let url = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        };
        let a = get(&app, &url);
        assert_eq!(a.status, 200, "{url}: {}", a.body);
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
