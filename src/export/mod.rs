//! Graph exports for visualization tools: GraphML, GEXF 1.3, Graphviz DOT, Cytoscape.js
//! JSON, CSV node and edge lists, and RDF subgraphs (SPEC §6); for engines past one
//! machine, Parquet node and edge tables ([`parquet`]) and Neo4j bulk-import CSV files
//! ([`neo4j`]); and GeoJSON of places ([`geojson`], not a graph: places with their figures,
//! or a SELECT with a WKT column).
//!
//! The flow is one way: a [`crate::projection::Projection`] and the store give an
//! [`ExportGraph`] ([`model`], with what it reads from the store in `attributes.rs`): nodes
//! with their full IRI, English and Chinese labels, type, city and province, and the chosen
//! centrality scores; edges with relations, weight and source paragraphs. Each format is a writer over any [`std::io::Write`] in its own file
//! ([`graphml`], [`gexf`], [`dot`], [`cytoscape`], [`csv`], [`parquet`]); none builds the file in memory,
//! and the same graph always gives the same bytes (nodes in IRI order, edges by source then
//! target). [`rdf`] writes the RDF behind a graph in the SPARQL endpoint's RDF syntaxes.
//!
//! Exporters know nothing of HTTP or the command line: `crate::http::api::export` serves
//! them at `/api/export` and `/api/entities/{id}/neighbourhood`, `crate::cli::export` runs
//! `autokg export`.

mod attributes;
pub mod csv;
pub mod cytoscape;
pub mod dot;
pub mod geojson;
pub mod gexf;
pub mod graphml;
pub mod model;
pub mod neo4j;
pub mod parquet;
pub mod rdf;

pub use model::{ExportEdge, ExportError, ExportGraph, ExportNode, Scope};

use crate::algorithms::Deadline;
use crate::analytics::Measure;
use crate::error::{Error, Result};
use oxigraph::io::RdfFormat;
use std::io::{self, Write};

/// The size cap of a neighbourhood when none is given: more nodes are refused with the count.
pub const DEFAULT_MAX_NODES: usize = 10_000;

/// The most hops a neighbourhood may span.
pub const MAX_DEPTH: usize = 10;

/// One exported file's syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// GraphML (graphml.graphdrawing.org), valid against the GraphML 1.0 XSD.
    GraphMl,
    /// GEXF 1.3 with `viz:color` and `viz:size`, valid against the RELAX NG grammar.
    Gexf,
    /// Graphviz DOT.
    Dot,
    /// Cytoscape.js elements JSON.
    Cytoscape,
    /// Gephi's node spreadsheet (`Id,Label,...`).
    CsvNodes,
    /// Gephi's edge spreadsheet (`Source,Target,Type,Weight,Label,...`).
    CsvEdges,
    /// The node spreadsheet's columns as an Apache Parquet table, scores typed.
    ParquetNodes,
    /// The edge spreadsheet's columns as an Apache Parquet table.
    ParquetEdges,
    /// The RDF behind the graph, in one of the SPARQL endpoint's RDF syntaxes.
    Rdf(RdfFormat),
    /// GeoJSON (RFC 7946) of places with their figures, or of a SELECT with a WKT column:
    /// not a graph, written by [`geojson`].
    GeoJson,
}

/// The format names, in the order error messages list them, with their formats.
pub const FORMATS: &[(&str, Format)] = &[
    ("graphml", Format::GraphMl),
    ("gexf", Format::Gexf),
    ("dot", Format::Dot),
    ("cytoscape", Format::Cytoscape),
    ("csv-nodes", Format::CsvNodes),
    ("csv-edges", Format::CsvEdges),
    ("parquet-nodes", Format::ParquetNodes),
    ("parquet-edges", Format::ParquetEdges),
    ("geojson", Format::GeoJson),
    ("turtle", Format::Rdf(RdfFormat::Turtle)),
    ("ntriples", Format::Rdf(RdfFormat::NTriples)),
    ("nquads", Format::Rdf(RdfFormat::NQuads)),
    ("trig", Format::Rdf(RdfFormat::TriG)),
    ("rdfxml", Format::Rdf(RdfFormat::RdfXml)),
    (
        "jsonld",
        Format::Rdf(RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        }),
    ),
];

impl Format {
    /// The format called `name` (case-insensitive; `gv` and `cyjs` are aliases). An unknown
    /// name is an [`Error::UnknownFormat`] listing the known ones.
    pub fn from_name(name: &str) -> Result<Self> {
        let key = name.trim().to_ascii_lowercase();
        let key = match key.as_str() {
            "gv" | "graphviz" => "dot",
            "cyjs" | "cytoscape.js" | "cytoscapejs" => "cytoscape",
            "ttl" => "turtle",
            "nt" => "ntriples",
            "nq" => "nquads",
            "rdf" | "xml" => "rdfxml",
            "json-ld" => "jsonld",
            "geo+json" => "geojson",
            other => other,
        };
        FORMATS
            .iter()
            .find(|(n, _)| *n == key)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                Error::UnknownFormat(format!(
                    "unknown export format '{name}'; known: {}",
                    Self::names().join(", ")
                ))
            })
    }

    /// Every format name.
    pub fn names() -> Vec<&'static str> {
        FORMATS.iter().map(|(n, _)| *n).collect()
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        FORMATS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("rdf", |(n, _)| *n)
    }

    /// The media type of a file in this format.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::GraphMl => "application/graphml+xml; charset=utf-8",
            Format::Gexf => "application/gexf+xml; charset=utf-8",
            Format::Dot => "text/vnd.graphviz; charset=utf-8",
            Format::Cytoscape => "application/json",
            Format::CsvNodes | Format::CsvEdges => "text/csv; charset=utf-8; header=present",
            Format::ParquetNodes | Format::ParquetEdges => "application/vnd.apache.parquet",
            Format::GeoJson => "application/geo+json",
            Format::Rdf(f) => match f {
                RdfFormat::Turtle => "text/turtle; charset=utf-8",
                RdfFormat::NTriples => "application/n-triples",
                RdfFormat::NQuads => "application/n-quads",
                RdfFormat::TriG => "application/trig; charset=utf-8",
                RdfFormat::RdfXml => "application/rdf+xml",
                _ => "application/ld+json",
            },
        }
    }

    /// The file name ending, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::GraphMl => ".graphml",
            Format::Gexf => ".gexf",
            Format::Dot => ".dot",
            Format::Cytoscape => ".cyjs",
            Format::CsvNodes => "-nodes.csv",
            Format::CsvEdges => "-edges.csv",
            Format::ParquetNodes => "-nodes.parquet",
            Format::ParquetEdges => "-edges.parquet",
            Format::GeoJson => ".geojson",
            Format::Rdf(f) => match f {
                RdfFormat::Turtle => ".ttl",
                RdfFormat::NTriples => ".nt",
                RdfFormat::NQuads => ".nq",
                RdfFormat::TriG => ".trig",
                RdfFormat::RdfXml => ".rdf",
                _ => ".jsonld",
            },
        }
    }

    /// Whether the format writes the RDF behind the graph rather than the graph itself.
    pub fn is_rdf(self) -> bool {
        matches!(self, Format::Rdf(_))
    }
}

/// Writes a graph in one of the graph formats (not [`Format::Rdf`], which needs the store:
/// see [`rdf`]).
pub fn write_graph(graph: &ExportGraph, format: Format, out: impl Write) -> io::Result<()> {
    match format {
        Format::GraphMl => graphml::write(graph, out),
        Format::Gexf => gexf::write(graph, out),
        Format::Dot => dot::write(graph, out),
        Format::Cytoscape => cytoscape::write(graph, out),
        Format::CsvNodes => csv::write_nodes(graph, out),
        Format::CsvEdges => csv::write_edges(graph, out),
        Format::ParquetNodes => parquet::write_nodes(graph, out),
        Format::ParquetEdges => parquet::write_edges(graph, out),
        Format::Rdf(_) | Format::GeoJson => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "RDF and GeoJSON are written from the store, not from the export graph",
        )),
    }
}

/// [`write_graph`] under a deadline: every write that reaches `out` (the writers buffer
/// 64 KiB at a time) first looks at the deadline, so a writer stops within one buffer of it.
///
/// Errors: [`Error::Timeout`] with the deadline's limit once it expires; write errors as
/// [`Error::Io`] naming `<output>`.
pub fn write_graph_until(
    graph: &ExportGraph,
    format: Format,
    out: impl Write,
    deadline: &Deadline,
) -> Result<()> {
    write_graph(graph, format, Checked::new(out, deadline)).map_err(|e| checked_error(e, deadline))
}

/// A writer that refuses to write once its deadline has expired (an
/// [`io::ErrorKind::TimedOut`] error), so that a writer's loop ends at its next write.
#[derive(Debug)]
pub struct Checked<'d, W> {
    inner: W,
    deadline: &'d Deadline,
}

impl<'d, W: Write> Checked<'d, W> {
    /// Wraps `inner`.
    pub fn new(inner: W, deadline: &'d Deadline) -> Self {
        Self { inner, deadline }
    }
}

impl<W: Write> Write for Checked<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.deadline.is_expired() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the export ran over its time limit",
            ));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A write error of a writer under `deadline`: the timeout once the deadline has expired,
/// else an I/O error naming `<output>`.
pub(crate) fn checked_error(e: io::Error, deadline: &Deadline) -> Error {
    if deadline.is_expired() {
        deadline.cancelled().into()
    } else {
        Error::Io {
            path: "<output>".into(),
            source: e,
        }
    }
}

/// Parses a list of measures such as `pagerank,betweenness`; `none` or an empty list means
/// no scores. Duplicates are dropped; `dominators` is refused (it needs a root).
pub fn parse_measures(list: &str) -> Result<Vec<Measure>> {
    let mut out: Vec<Measure> = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part.eq_ignore_ascii_case("none") {
            continue;
        }
        let m: Measure = part.parse()?;
        if m == Measure::Dominators {
            return Err(Error::InvalidInput(
                "dominators need a root entity and cannot be exported as a score; use `autokg centrality -m dominators --root ...`".into(),
            ));
        }
        if !out.contains(&m) {
            out.push(m);
        }
    }
    Ok(out)
}

/// The measures to export as node attributes in `format`: `list` is always checked (a bad
/// name is an error even where it would not be used), and RDF formats carry none.
pub fn measures_for(format: Format, list: &str) -> Result<Vec<Measure>> {
    let measures = parse_measures(list)?;
    Ok(if format.is_rdf() || format == Format::GeoJson {
        Vec::new()
    } else {
        measures
    })
}

/// The scores exported when none are asked for.
pub const DEFAULT_SCORES: &str = "pagerank";

/// The fill colour of a node type (its IRI's local name), as `(r, g, b)`: a fixed palette
/// for the ontology's classes, a stable hash into a second palette for others, grey for
/// untyped nodes.
pub fn type_colour(kind: Option<&str>) -> (u8, u8, u8) {
    const KNOWN: &[(&str, (u8, u8, u8))] = &[
        ("Automaker", (230, 25, 75)),
        ("JointVenture", (245, 130, 49)),
        ("TechnologyCompany", (67, 99, 216)),
        ("PartsSupplier", (60, 180, 75)),
        ("Company", (145, 30, 180)),
        ("Organization", (145, 30, 180)),
        ("Brand", (240, 50, 230)),
        ("BrandGroup", (220, 190, 255)),
        ("GovernmentBody", (70, 153, 144)),
        ("City", (154, 99, 36)),
        ("Province", (128, 0, 0)),
        ("EconomicRegion", (128, 128, 0)),
        ("Country", (0, 0, 117)),
        ("WorldRegion", (66, 212, 244)),
        ("Event", (255, 225, 25)),
        ("Milestone", (255, 225, 25)),
        ("DevelopmentModel", (170, 255, 195)),
    ];
    const OTHERS: &[(u8, u8, u8)] = &[
        (0, 128, 128),
        (255, 216, 177),
        (191, 239, 69),
        (250, 190, 212),
        (128, 128, 128),
        (70, 240, 240),
    ];
    match kind {
        None => (169, 169, 169),
        Some(k) => KNOWN.iter().find(|(n, _)| *n == k).map_or_else(
            || {
                // FNV-1a: stable across runs and platforms, unlike the std hasher.
                let h = k.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                });
                OTHERS[(h % OTHERS.len() as u64) as usize]
            },
            |(_, c)| *c,
        ),
    }
}

/// `#rrggbb` for a colour.
pub fn hex_colour((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The drawn size of every node: the first chosen score scaled to 4..40 (min-max over the
/// exported nodes; a node without the score gets 4), or the node's degree in the exported
/// graph when no score was chosen.
pub fn node_sizes(graph: &ExportGraph) -> Vec<f64> {
    const MIN: f64 = 4.0;
    const MAX: f64 = 40.0;
    let values: Vec<Option<f64>> = if graph.measures.is_empty() {
        let mut degree = vec![0.0_f64; graph.nodes.len()];
        for e in &graph.edges {
            degree[e.source as usize] += 1.0;
            degree[e.target as usize] += 1.0;
        }
        degree.into_iter().map(Some).collect()
    } else {
        graph
            .nodes
            .iter()
            .map(|n| n.scores.first().copied().flatten().map(|s| s.as_f64()))
            .collect()
    };
    let (lo, hi) = values
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    values
        .into_iter()
        .map(|v| match v {
            Some(v) if hi > lo => MIN + (MAX - MIN) * (v - lo) / (hi - lo),
            Some(_) => (MIN + MAX) / 2.0,
            None => MIN,
        })
        .map(|s| (s * 100.0).round() / 100.0)
        .collect()
}

/// Replaces characters XML 1.0 cannot carry at all (C0 controls other than tab, line feed
/// and carriage return, and the non-characters U+FFFE/U+FFFF) by U+FFFD.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Writes `s` escaped for an XML attribute value in double quotes. Line breaks and tabs
/// become character references, so that attribute-value normalisation keeps them (a bare
/// newline would be read back as a space), which is why this is not quick-xml's `escape`.
pub(crate) fn xml_attr(out: &mut impl Write, s: &str) -> io::Result<()> {
    xml_escape(out, s, true)
}

/// Writes `s` escaped for XML character data.
pub(crate) fn xml_text(out: &mut impl Write, s: &str) -> io::Result<()> {
    xml_escape(out, s, false)
}

fn xml_escape(out: &mut impl Write, s: &str, attribute: bool) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let replacement: Option<&str> = match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '"' if attribute => Some("&quot;"),
            '\n' if attribute => Some("&#10;"),
            '\r' => Some("&#13;"),
            '\t' if attribute => Some("&#9;"),
            c if xml_char(c) != c => Some("\u{FFFD}"),
            _ => None,
        };
        if let Some(r) = replacement {
            out.write_all(&s.as_bytes()[start..i])?;
            out.write_all(r.as_bytes())?;
            start = i + c.len_utf8();
        }
    }
    out.write_all(&s.as_bytes()[start..])
}

/// A number as the XML and DOT writers print it: Rust's shortest round-trip decimal, which
/// XSD `double` and Graphviz both read (never `NaN` or `inf`: scores are finite).
pub(crate) fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "0".to_owned()
    }
}

/// A file name safe in `Content-Disposition` and on any file system: ASCII letters, digits,
/// `.`, `-` and `_`; everything else becomes `_`.
pub fn file_slug(s: &str) -> String {
    let slug: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let slug = slug.trim_matches(|c| c == '_' || c == '.').to_owned();
    if slug.is_empty() {
        "graph".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str, attribute: bool) -> String {
        let mut out = Vec::new();
        xml_escape(&mut out, s, attribute).expect("writes to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn xml_escaping_keeps_line_breaks_and_drops_what_xml_cannot_carry() {
        assert_eq!(
            escaped("a\"<b>&\n\tc\u{1}中", true),
            "a&quot;&lt;b&gt;&amp;&#10;&#9;c\u{FFFD}中"
        );
        assert_eq!(escaped("a\"<b>\n", false), "a\"&lt;b&gt;\n");
    }

    #[test]
    fn formats_are_named_and_unknown_ones_listed() {
        for (name, f) in FORMATS {
            assert_eq!(Format::from_name(name).ok(), Some(*f));
            assert_eq!(f.name(), *name);
        }
        assert_eq!(Format::from_name("GV").ok(), Some(Format::Dot));
        let e = Format::from_name("svg").expect_err("unknown");
        assert!(e.to_string().contains("'svg'") && e.to_string().contains("gexf, dot"));
    }

    #[test]
    fn measure_lists() {
        assert_eq!(
            parse_measures("pagerank, betweenness,pagerank").ok(),
            Some(vec![Measure::PageRank, Measure::Betweenness])
        );
        assert_eq!(parse_measures("none").ok(), Some(vec![]));
        assert_eq!(parse_measures("").ok(), Some(vec![]));
        assert!(parse_measures("dominators").is_err());
        assert!(parse_measures("fame").is_err());
    }

    #[test]
    fn a_checked_writer_stops_once_the_deadline_expires() {
        let deadline = Deadline::manual(std::time::Duration::from_secs(2));
        let mut out = Vec::new();
        let mut w = Checked::new(&mut out, &deadline);
        w.write_all(b"before")
            .expect("writes while the deadline lasts");
        deadline.cancel();
        let e = w
            .write_all(b"after")
            .expect_err("refused after the deadline");
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(out, b"before");
        let graph = ExportGraph {
            name: "g".into(),
            directed: true,
            measures: Vec::new(),
            nodes: Vec::new(),
            edges: Vec::new(),
        };
        let e =
            write_graph_until(&graph, Format::GraphMl, Vec::new(), &deadline).expect_err("expired");
        assert!(matches!(e, Error::Timeout(d) if d == std::time::Duration::from_secs(2)));
        let mut fine = Vec::new();
        write_graph_until(&graph, Format::GraphMl, &mut fine, &Deadline::none()).expect("writes");
        let mut plain = Vec::new();
        write_graph(&graph, Format::GraphMl, &mut plain).expect("writes");
        assert_eq!(fine, plain);
    }

    #[test]
    fn colours_are_stable() {
        assert_eq!(type_colour(Some("Automaker")), (230, 25, 75));
        assert_eq!(type_colour(Some("Gadget")), type_colour(Some("Gadget")));
        assert_eq!(hex_colour((1, 2, 255)), "#0102ff");
        assert_eq!(file_slug("a b/c.ttl"), "a_b_c.ttl");
        assert_eq!(file_slug("///"), "graph");
    }
}
