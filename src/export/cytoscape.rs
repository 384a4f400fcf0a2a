//! Cytoscape.js JSON writer: `{ "data": {...}, "elements": { "nodes": [...], "edges": [...] } }`,
//! one element per line, each `{ "data": { "id", ... } }` (edges with `source` and `target`).
//!
//! Node data: `id` (the full IRI), `label`, `label_zh`, `type`, `city`, `province`,
//! `color` (`#rrggbb` by type), `size` and the scores by measure name. Edge data: `id`
//! (`e0`, ...), `source`, `target`, `label`, `relation`, `weight`, `sourceParagraph`.
//! Absent values are left out. Cytoscape desktop opens the file as `.cyjs`.

use super::model::{ExportEdge, ExportGraph, ExportNode};
use super::{hex_colour, node_sizes, type_colour};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::io::{self, BufWriter, Write};

struct NodeData<'a> {
    graph: &'a ExportGraph,
    node: &'a ExportNode,
    size: f64,
}

impl Serialize for NodeData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.node;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &n.id)?;
        map.serialize_entry("label", n.label())?;
        for (key, value) in [
            ("label_zh", &n.label_zh),
            ("type", &n.kind),
            ("city", &n.city),
            ("province", &n.province),
        ] {
            if let Some(v) = value {
                map.serialize_entry(key, v)?;
            }
        }
        map.serialize_entry("color", &hex_colour(type_colour(n.kind.as_deref())))?;
        map.serialize_entry("size", &self.size)?;
        for (m, score) in self.graph.measures.iter().zip(&n.scores) {
            if let Some(score) = score {
                map.serialize_entry(m.name(), score)?;
            }
        }
        map.end()
    }
}

struct EdgeData<'a> {
    graph: &'a ExportGraph,
    edge: &'a ExportEdge,
    index: usize,
}

impl Serialize for EdgeData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.edge;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &format!("e{}", self.index))?;
        map.serialize_entry("source", &self.graph.nodes[e.source as usize].id)?;
        map.serialize_entry("target", &self.graph.nodes[e.target as usize].id)?;
        if !e.relations.is_empty() {
            map.serialize_entry("label", &e.label())?;
            map.serialize_entry("relation", &e.relation_text())?;
        }
        map.serialize_entry("weight", &e.weight)?;
        if !e.paragraphs.is_empty() {
            map.serialize_entry("sourceParagraph", &e.paragraph_text())?;
        }
        map.end()
    }
}

/// `{"data": ...}` around an element's data.
struct Element<T>(T);

impl<T: Serialize> Serialize for Element<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("data", &self.0)?;
        map.end()
    }
}

/// Writes `graph` as Cytoscape.js elements JSON.
pub fn write(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    w.write_all(b"{\"data\":")?;
    serde_json::to_writer(
        &mut w,
        &serde_json::json!({ "name": graph.name, "directed": graph.directed }),
    )?;
    w.write_all(b",\n\"elements\":{\"nodes\":[")?;
    let sizes = node_sizes(graph);
    for (i, (node, &size)) in graph.nodes.iter().zip(&sizes).enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, &Element(NodeData { graph, node, size }))?;
    }
    w.write_all(b"\n],\"edges\":[")?;
    for (index, edge) in graph.edges.iter().enumerate() {
        w.write_all(if index == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, &Element(EdgeData { graph, edge, index }))?;
    }
    w.write_all(b"\n]}}\n")?;
    w.flush()
}
