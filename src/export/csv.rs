//! CSV node and edge lists in Gephi's spreadsheet columns, RFC 4180 quoting (the `csv`
//! crate: a field is quoted when it holds a comma, a quote or a line break; quotes double;
//! records end with CRLF).
//!
//! Nodes: `Id,Label,label_zh,type,city,province` and one column per score. Edges:
//! `Source,Target,Type,Weight,Label,relation,sourceParagraph`, `Type` being `Directed` or
//! `Undirected`. Ids are the full IRIs; absent values are empty fields.

use super::model::ExportGraph;
use super::number;
use ::csv::{QuoteStyle, Terminator, WriterBuilder};
use std::io::{self, Write};

fn writer<W: Write>(out: W) -> ::csv::Writer<W> {
    WriterBuilder::new()
        .terminator(Terminator::CRLF)
        .quote_style(QuoteStyle::Necessary)
        .buffer_capacity(1 << 16)
        .from_writer(out)
}

/// Writes the node list.
pub fn write_nodes(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let mut w = writer(out);
    let mut header: Vec<&str> = vec!["Id", "Label", "label_zh", "type", "city", "province"];
    header.extend(graph.measures.iter().map(|m| m.name()));
    w.write_record(&header)?;
    let mut scores: Vec<String> = Vec::with_capacity(graph.measures.len());
    for node in &graph.nodes {
        scores.clear();
        scores.extend(
            node.scores
                .iter()
                .map(|s| s.map(|s| s.to_string()).unwrap_or_default()),
        );
        let fixed = [
            node.id.as_str(),
            node.label(),
            node.label_zh.as_deref().unwrap_or(""),
            node.kind.as_deref().unwrap_or(""),
            node.city.as_deref().unwrap_or(""),
            node.province.as_deref().unwrap_or(""),
        ];
        w.write_record(
            fixed
                .iter()
                .copied()
                .chain(scores.iter().map(String::as_str)),
        )?;
    }
    w.flush()
}

/// Writes the edge list.
pub fn write_edges(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let mut w = writer(out);
    w.write_record([
        "Source",
        "Target",
        "Type",
        "Weight",
        "Label",
        "relation",
        "sourceParagraph",
    ])?;
    let kind = if graph.directed {
        "Directed"
    } else {
        "Undirected"
    };
    for edge in &graph.edges {
        w.write_record([
            graph.nodes[edge.source as usize].id.as_str(),
            graph.nodes[edge.target as usize].id.as_str(),
            kind,
            &number(edge.weight),
            &edge.label(),
            &edge.relation_text(),
            &edge.paragraph_text(),
        ])?;
    }
    w.flush()
}
