//! GraphML writer: typed `<key>` declarations, `edgedefault` set, valid against the
//! GraphML 1.0 XSD (`../shared/schemas/graphml/graphml.xsd`).
//!
//! The XSD types node ids as `NMTOKEN`, which an IRI is not (`/` is not a name character),
//! so nodes are `n0`, `n1`, ... in IRI order and the full IRI is the `iri` attribute; edges
//! are `e0`, `e1`, .... Attribute names (`attr.name`) are the same as in every other
//! format: `label`, `label_zh`, `type`, `city`, `province`, one per score, and for edges
//! `label`, `relation`, `weight`, `sourceParagraph`. Absent values are left out.

use super::model::{xml_score_type, ExportGraph};
use super::{number, xml_text};
use std::io::{self, BufWriter, Write};

/// Node attributes that are text, in order.
const NODE_TEXT: &[&str] = &["iri", "label", "label_zh", "type", "city", "province"];
/// Edge attributes, in order, with their GraphML types.
const EDGE_KEYS: &[(&str, &str)] = &[
    ("label", "string"),
    ("relation", "string"),
    ("weight", "double"),
    ("sourceParagraph", "string"),
];

/// Writes `graph` as GraphML.
pub fn write(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    )?;
    // Key ids d0, d1, ... : graph key first, then node keys, then edge keys.
    w.write_all(
        b"  <key id=\"d0\" for=\"graph\" attr.name=\"projection\" attr.type=\"string\"/>\n",
    )?;
    let mut next = 1;
    for name in NODE_TEXT {
        writeln!(
            w,
            "  <key id=\"d{next}\" for=\"node\" attr.name=\"{name}\" attr.type=\"string\"/>"
        )?;
        next += 1;
    }
    let score_base = next;
    for m in &graph.measures {
        let ty = xml_score_type(*m);
        writeln!(
            w,
            "  <key id=\"d{next}\" for=\"node\" attr.name=\"{}\" attr.type=\"{ty}\"/>",
            m.name()
        )?;
        next += 1;
    }
    let edge_base = next;
    for (name, ty) in EDGE_KEYS {
        writeln!(
            w,
            "  <key id=\"d{next}\" for=\"edge\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        )?;
        next += 1;
    }
    writeln!(
        w,
        "  <graph edgedefault=\"{}\">",
        if graph.directed {
            "directed"
        } else {
            "undirected"
        }
    )?;
    w.write_all(b"    <data key=\"d0\">")?;
    xml_text(&mut w, &graph.name)?;
    w.write_all(b"</data>\n")?;
    for (i, node) in graph.nodes.iter().enumerate() {
        writeln!(w, "    <node id=\"n{i}\">")?;
        let texts = [
            Some(node.id.as_str()),
            Some(node.label()),
            node.label_zh.as_deref(),
            node.kind.as_deref(),
            node.city.as_deref(),
            node.province.as_deref(),
        ];
        for (k, value) in texts.iter().enumerate() {
            if let Some(v) = value {
                data(&mut w, 1 + k, v)?;
            }
        }
        for (k, score) in node.scores.iter().enumerate() {
            if let Some(s) = score {
                data(&mut w, score_base + k, &s.to_string())?;
            }
        }
        w.write_all(b"    </node>\n")?;
    }
    for (i, edge) in graph.edges.iter().enumerate() {
        writeln!(
            w,
            "    <edge id=\"e{i}\" source=\"n{}\" target=\"n{}\">",
            edge.source, edge.target
        )?;
        if !edge.relations.is_empty() {
            data(&mut w, edge_base, &edge.label())?;
            data(&mut w, edge_base + 1, &edge.relation_text())?;
        }
        data(&mut w, edge_base + 2, &number(edge.weight))?;
        if !edge.paragraphs.is_empty() {
            data(&mut w, edge_base + 3, &edge.paragraph_text())?;
        }
        w.write_all(b"    </edge>\n")?;
    }
    w.write_all(b"  </graph>\n</graphml>\n")?;
    w.flush()
}

fn data(w: &mut impl Write, key: usize, value: &str) -> io::Result<()> {
    write!(w, "      <data key=\"d{key}\">")?;
    xml_text(w, value)?;
    w.write_all(b"</data>\n")
}
