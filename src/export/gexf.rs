//! GEXF 1.3 writer (namespace `http://gexf.net/1.3`, viz `http://gexf.net/1.3/viz`): the
//! edge type written explicitly (`defaultedgetype`, whose default is undirected), declared
//! node and edge attributes, `viz:color` by node type and `viz:size` by the first chosen
//! score (by degree when none is chosen). Valid against the RELAX NG grammar
//! (`../shared/schemas/gexf13/gexf.rng`); no `xsi:schemaLocation`, which it does not allow.
//!
//! Node ids are the full IRIs and `label` the English label; the attributes are
//! `label_zh`, `type`, `city`, `province` and the scores. Edges carry `weight`, their
//! relations' local names as `label`, and the attributes `relation` and `sourceParagraph`.

use super::model::{xml_score_type, ExportGraph};
use super::{node_sizes, number, type_colour, xml_attr, xml_text};
use std::io::{self, BufWriter, Write};

const NODE_TEXT: &[&str] = &["label_zh", "type", "city", "province"];
const EDGE_TEXT: &[&str] = &["relation", "sourceParagraph"];

/// Writes `graph` as GEXF 1.3.
pub fn write(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" version=\"1.3\">\n\
  <meta>\n    <creator>autokg ",
    )?;
    xml_text(&mut w, env!("CARGO_PKG_VERSION"))?;
    w.write_all(b"</creator>\n    <description>")?;
    xml_text(
        &mut w,
        &format!(
            "projection {} ({}, {} nodes, {} edges)",
            graph.name,
            if graph.directed {
                "directed"
            } else {
                "undirected"
            },
            graph.nodes.len(),
            graph.edges.len()
        ),
    )?;
    w.write_all(b"</description>\n  </meta>\n")?;
    writeln!(
        w,
        "  <graph defaultedgetype=\"{}\" mode=\"static\">",
        if graph.directed {
            "directed"
        } else {
            "undirected"
        }
    )?;
    w.write_all(b"    <attributes class=\"node\" mode=\"static\">\n")?;
    for name in NODE_TEXT {
        writeln!(
            w,
            "      <attribute id=\"{name}\" title=\"{name}\" type=\"string\"/>"
        )?;
    }
    for m in &graph.measures {
        let ty = xml_score_type(*m);
        writeln!(
            w,
            "      <attribute id=\"{0}\" title=\"{0}\" type=\"{ty}\"/>",
            m.name()
        )?;
    }
    w.write_all(b"    </attributes>\n    <attributes class=\"edge\" mode=\"static\">\n")?;
    for name in EDGE_TEXT {
        writeln!(
            w,
            "      <attribute id=\"{name}\" title=\"{name}\" type=\"string\"/>"
        )?;
    }
    w.write_all(b"    </attributes>\n")?;
    let sizes = node_sizes(graph);
    writeln!(w, "    <nodes count=\"{}\">", graph.nodes.len())?;
    for (node, size) in graph.nodes.iter().zip(&sizes) {
        w.write_all(b"      <node id=\"")?;
        xml_attr(&mut w, &node.id)?;
        w.write_all(b"\" label=\"")?;
        xml_attr(&mut w, node.label())?;
        w.write_all(b"\">\n        <attvalues>\n")?;
        let texts = [
            node.label_zh.as_deref(),
            node.kind.as_deref(),
            node.city.as_deref(),
            node.province.as_deref(),
        ];
        for (name, value) in NODE_TEXT.iter().zip(texts) {
            if let Some(v) = value {
                attvalue(&mut w, name, v)?;
            }
        }
        for (m, score) in graph.measures.iter().zip(&node.scores) {
            if let Some(s) = score {
                attvalue(&mut w, m.name(), &s.to_string())?;
            }
        }
        let (r, g, b) = type_colour(node.kind.as_deref());
        writeln!(
            w,
            "        </attvalues>\n        <viz:color r=\"{r}\" g=\"{g}\" b=\"{b}\"/>\n        <viz:size value=\"{}\"/>\n      </node>",
            number(*size)
        )?;
    }
    writeln!(
        w,
        "    </nodes>\n    <edges count=\"{}\">",
        graph.edges.len()
    )?;
    for (i, edge) in graph.edges.iter().enumerate() {
        write!(w, "      <edge id=\"{i}\" source=\"")?;
        xml_attr(&mut w, &graph.nodes[edge.source as usize].id)?;
        w.write_all(b"\" target=\"")?;
        xml_attr(&mut w, &graph.nodes[edge.target as usize].id)?;
        write!(w, "\" weight=\"{}\"", number(edge.weight))?;
        if !edge.relations.is_empty() {
            w.write_all(b" label=\"")?;
            xml_attr(&mut w, &edge.label())?;
            w.write_all(b"\"")?;
        }
        if edge.relations.is_empty() && edge.paragraphs.is_empty() {
            w.write_all(b"/>\n")?;
            continue;
        }
        w.write_all(b">\n        <attvalues>\n")?;
        if !edge.relations.is_empty() {
            attvalue(&mut w, EDGE_TEXT[0], &edge.relation_text())?;
        }
        if !edge.paragraphs.is_empty() {
            attvalue(&mut w, EDGE_TEXT[1], &edge.paragraph_text())?;
        }
        w.write_all(b"        </attvalues>\n      </edge>\n")?;
    }
    w.write_all(b"    </edges>\n  </graph>\n</gexf>\n")?;
    w.flush()
}

fn attvalue(w: &mut impl Write, key: &str, value: &str) -> io::Result<()> {
    w.write_all(b"          <attvalue for=\"")?;
    xml_attr(w, key)?;
    w.write_all(b"\" value=\"")?;
    xml_attr(w, value)?;
    w.write_all(b"\"/>\n")
}
