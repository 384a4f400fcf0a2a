//! CSV files for Neo4j's offline bulk importer (`neo4j-admin database import full`): one
//! node file per label and one relationship file per relationship type, written into a
//! directory, with the importer's header conventions.
//!
//! Node files `nodes-<Label>.csv`: `iri:ID(autokg)` (the full IRI, kept as the `iri`
//! property, in the id space [`ID_SPACE`]), `:LABEL` (the node's type, then [`ENTITY`], split
//! by [`ARRAY_DELIMITER`]), `name`, `name_zh`, `type`, `city`, `province` (strings), and one
//! column per score, `<measure>:long` for counts and `<measure>:double` for reals. A node
//! without a type is labelled `Resource`.
//!
//! Relationship files `relationships-<TYPE>.csv`: `:START_ID(autokg)`, `:END_ID(autokg)`,
//! `:TYPE` (the relation's local name, such as `suppliesTo`; `LINKED` for an edge of a
//! projection that names no relation), `relation` (the full IRI), `weight:double` and
//! `sourceParagraph:long[]`. An edge behind several relations gives one relationship per
//! relation; an undirected projection's edge is written once, from the lower to the higher
//! IRI (Neo4j's relationships always have a direction; GDS can project them undirected).
//!
//! Quoting is RFC 4180 (the `csv` crate: a field is quoted when it holds the delimiter, a
//! quote or a line break; quotes are doubled; records end with `\n`), so the importer needs
//! `--multiline-fields=true` for labels with line breaks. Text is never put in an array
//! column: an array element cannot escape the array delimiter, so a label holding `;` stays
//! one string property; `:LABEL` values have the delimiter replaced by `_`. Empty fields
//! are absent properties. File names are [`super::file_slug`]s of the label or type; two
//! that map to the same name share a file (each row carries its own exact label or type).

use super::model::{is_integer_measure, local_name, ExportGraph};
use super::{checked_error, file_slug, Checked};
use crate::algorithms::Deadline;
use crate::error::{Error, Result};
use ::csv::{QuoteStyle, Terminator, WriterBuilder};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The id space of every `:ID`, `:START_ID` and `:END_ID` column.
pub const ID_SPACE: &str = "autokg";

/// The array delimiter the importer is told (`--array-delimiter`); it is also its default.
pub const ARRAY_DELIMITER: char = ';';

/// The label every node carries besides its type, so that GDS can project all nodes at
/// once.
pub const ENTITY: &str = "Entity";

/// The label of a node without a type.
pub const UNTYPED: &str = "Resource";

/// The relationship type of an edge whose projection names no relation.
pub const LINKED: &str = "LINKED";

/// The files written into the directory, node files first, each in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    /// `nodes-<Label>.csv` files.
    pub nodes: Vec<PathBuf>,
    /// `relationships-<TYPE>.csv` files.
    pub relationships: Vec<PathBuf>,
}

impl Files {
    /// The `neo4j-admin database import full` command that loads these files into
    /// `database` (shell-quoted with single quotes).
    pub fn import_command(&self, database: &str) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut out = format!(
            "neo4j-admin database import full {} --overwrite-destination --multiline-fields=true --array-delimiter={}",
            quote(database),
            quote(&ARRAY_DELIMITER.to_string())
        );
        for (flag, files) in [
            ("nodes", &self.nodes),
            ("relationships", &self.relationships),
        ] {
            for f in files {
                out.push_str(&format!(" --{flag}={}", quote(&f.display().to_string())));
            }
        }
        out
    }
}

/// The `:LABEL` value of a node type: the delimiter becomes `_`.
pub fn label_value(kind: Option<&str>) -> String {
    let label = kind.unwrap_or(UNTYPED).replace(ARRAY_DELIMITER, "_");
    format!("{label}{ARRAY_DELIMITER}{ENTITY}")
}

/// The relationship type of a relation IRI: its local name.
pub fn relationship_type(relation: &str) -> &str {
    local_name(relation)
}

fn writer<W: Write>(out: W) -> ::csv::Writer<W> {
    WriterBuilder::new()
        .terminator(Terminator::Any(b'\n'))
        .quote_style(QuoteStyle::Necessary)
        .buffer_capacity(1 << 16)
        .from_writer(out)
}

/// The node file header for `graph`.
pub fn node_header(graph: &ExportGraph) -> Vec<String> {
    let mut header: Vec<String> = [
        format!("iri:ID({ID_SPACE})"),
        ":LABEL".into(),
        "name".into(),
        "name_zh".into(),
        "type".into(),
        "city".into(),
        "province".into(),
    ]
    .into();
    header.extend(graph.measures.iter().map(|&m| {
        format!(
            "{}:{}",
            m.name(),
            if is_integer_measure(m) {
                "long"
            } else {
                "double"
            }
        )
    }));
    header
}

/// The relationship file header.
pub fn relationship_header() -> [String; 6] {
    [
        format!(":START_ID({ID_SPACE})"),
        format!(":END_ID({ID_SPACE})"),
        ":TYPE".into(),
        "relation".into(),
        "weight:double".into(),
        "sourceParagraph:long[]".into(),
    ]
}

fn write_nodes(graph: &ExportGraph, rows: &[usize], out: impl Write) -> io::Result<()> {
    let mut w = writer(out);
    w.write_record(node_header(graph))?;
    let mut record: Vec<String> = Vec::new();
    for &i in rows {
        let node = &graph.nodes[i];
        record.clear();
        record.extend([
            node.id.clone(),
            label_value(node.kind.as_deref()),
            node.label().to_owned(),
            node.label_zh.clone().unwrap_or_default(),
            node.kind.clone().unwrap_or_default(),
            node.city.clone().unwrap_or_default(),
            node.province.clone().unwrap_or_default(),
        ]);
        record.extend(
            node.scores
                .iter()
                .map(|s| s.map(|s| s.to_string()).unwrap_or_default()),
        );
        w.write_record(&record)?;
    }
    w.flush()
}

fn write_relationships(
    graph: &ExportGraph,
    rows: &[(usize, Option<&str>)],
    out: impl Write,
) -> io::Result<()> {
    let mut w = writer(out);
    w.write_record(relationship_header())?;
    for &(k, relation) in rows {
        let edge = &graph.edges[k];
        let paragraphs = edge
            .paragraphs
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(&ARRAY_DELIMITER.to_string());
        w.write_record([
            graph.nodes[edge.source as usize].id.as_str(),
            graph.nodes[edge.target as usize].id.as_str(),
            relation.map_or(LINKED, relationship_type),
            relation.unwrap_or(""),
            &super::number(edge.weight),
            &paragraphs,
        ])?;
    }
    w.flush()
}

/// Writes the node and relationship files of `graph` into `dir` (created if missing;
/// files of the same names are replaced), stopping at the deadline.
///
/// Errors: [`Error::Io`] naming the file that could not be written; [`Error::Timeout`]
/// once the deadline expires (the files written so far stay, the last one incomplete).
pub fn write_dir(graph: &ExportGraph, dir: &Path, deadline: &Deadline) -> Result<Files> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut by_label: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let kind = node.kind.as_deref().unwrap_or(UNTYPED);
        by_label
            .entry(format!("nodes-{}.csv", file_slug(kind)))
            .or_default()
            .push(i);
    }
    let mut by_type: BTreeMap<String, Vec<(usize, Option<&str>)>> = BTreeMap::new();
    for (k, edge) in graph.edges.iter().enumerate() {
        let relations: Vec<Option<&str>> = if edge.relations.is_empty() {
            vec![None]
        } else {
            edge.relations.iter().map(|r| Some(r.as_str())).collect()
        };
        for relation in relations {
            let kind = relation.map_or(LINKED, relationship_type);
            by_type
                .entry(format!("relationships-{}.csv", file_slug(kind)))
                .or_default()
                .push((k, relation));
        }
    }
    let mut files = Files::default();
    let create = |name: &str| -> Result<(PathBuf, io::BufWriter<std::fs::File>)> {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok((path, io::BufWriter::new(file)))
    };
    let named = |path: &Path, e: io::Error| match checked_error(e, deadline) {
        Error::Io { source, .. } => Error::Io {
            path: path.to_owned(),
            source,
        },
        e => e,
    };
    for (name, rows) in &by_label {
        let (path, out) = create(name)?;
        write_nodes(graph, rows, Checked::new(out, deadline)).map_err(|e| named(&path, e))?;
        files.nodes.push(path);
    }
    for (name, rows) in &by_type {
        let (path, out) = create(name)?;
        write_relationships(graph, rows, Checked::new(out, deadline))
            .map_err(|e| named(&path, e))?;
        files.relationships.push(path);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_hold_the_array_delimiter_and_commands_quote_paths() {
        assert_eq!(label_value(Some("A;B")), "A_B;Entity");
        assert_eq!(label_value(None), "Resource;Entity");
        let files = Files {
            nodes: vec![PathBuf::from("/t/it's/nodes-City.csv")],
            relationships: vec![PathBuf::from("/t/r.csv")],
        };
        let c = files.import_command("neo4j");
        assert!(c.contains(r"--nodes='/t/it'\''s/nodes-City.csv'"), "{c}");
        assert!(c.contains("--relationships='/t/r.csv'") && c.contains("--array-delimiter=';'"));
    }
}
