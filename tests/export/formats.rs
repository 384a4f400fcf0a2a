//! Export formats: the model (labels, types, places, scores, paragraphs), neighbourhoods and
//! their cap, hostile labels surviving every format, and byte-identical output.

use super::tools::graphviz;
use super::{build, hostile, hostile_graph, hostile_store, iri, projection, render, text};
use super::{AKID, HOSTILE_LABELS, SCORES};
use crate::support::store;
use autokg::analytics::{self, Measure, MeasureOptions};
use autokg::export::{ExportError, ExportGraph, Format, Scope, FORMATS};
use oxigraph::io::RdfParser;
use oxigraph::model::Term;
use serde_json::Value;
use std::collections::HashMap;

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
