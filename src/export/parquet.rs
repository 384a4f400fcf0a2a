//! Apache Parquet node and edge tables for columnar and distributed engines (Spark
//! GraphFrames, DuckDB, Polars, pyarrow), written with the `parquet` crate's Arrow writer.
//!
//! The columns are the CSV export's ([`super::csv`]), typed: text columns are UTF-8
//! strings (`Id`, `Label`, `Source`, `Target`, `Type` never null; the others null where the
//! CSV has an empty field), `Weight` is a 64-bit float, and each score column is an `Int64`
//! for counts ([`super::model::is_integer_measure`]: k-core, components) or a `Float64`,
//! null for a node without the score. Nodes are in IRI order and edges by source then
//! target, as in every other format.
//!
//! Memory: rows are turned into Arrow record batches of [`BATCH_ROWS`] rows and encoded
//! into row groups of at most [`ROW_GROUP_ROWS`] rows, Snappy-compressed; each finished row
//! group's bytes go to the output at once. So beyond the export graph itself, the writer
//! holds one batch and one row group (a few MiB), whatever the graph's size. The output
//! needs only [`Write`]: the file is written front to back, footer last, so it streams
//! over HTTP too.

use super::model::{is_integer_measure, ExportGraph};
use crate::analytics::Score;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::{self, Write};
use std::sync::Arc;

/// Rows per Arrow record batch handed to the Parquet writer.
pub const BATCH_ROWS: usize = 8_192;

/// The most rows per Parquet row group.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// The node table's schema for `graph`: `Id, Label, label_zh, type, city, province` and one
/// column per score, named after the measure.
pub fn node_schema(graph: &ExportGraph) -> SchemaRef {
    let mut fields = vec![
        Field::new("Id", DataType::Utf8, false),
        Field::new("Label", DataType::Utf8, false),
        Field::new("label_zh", DataType::Utf8, true),
        Field::new("type", DataType::Utf8, true),
        Field::new("city", DataType::Utf8, true),
        Field::new("province", DataType::Utf8, true),
    ];
    fields.extend(graph.measures.iter().map(|&m| {
        let kind = if is_integer_measure(m) {
            DataType::Int64
        } else {
            DataType::Float64
        };
        Field::new(m.name(), kind, true)
    }));
    Arc::new(Schema::new(fields))
}

/// The edge table's schema: `Source, Target, Type, Weight, Label, relation,
/// sourceParagraph` (`Type` is `Directed` or `Undirected`; `relation` holds the relation
/// IRIs and `sourceParagraph` the paragraph numbers, space-separated as in the CSV).
pub fn edge_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("Source", DataType::Utf8, false),
        Field::new("Target", DataType::Utf8, false),
        Field::new("Type", DataType::Utf8, false),
        Field::new("Weight", DataType::Float64, false),
        Field::new("Label", DataType::Utf8, true),
        Field::new("relation", DataType::Utf8, true),
        Field::new("sourceParagraph", DataType::Utf8, true),
    ]))
}

fn to_io(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::other(e)
}

/// A writer the Parquet writer owns (it wants `Send`), whose bytes are handed on to the
/// real output after every batch: at most one row group's bytes wait here.
#[derive(Default)]
struct Staging(Vec<u8>);

impl Write for Staging {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `batches` as one Parquet file with `schema` into `out`, moving the encoded bytes
/// to `out` after each batch.
fn write_table(
    schema: SchemaRef,
    batches: impl Iterator<Item = io::Result<RecordBatch>>,
    mut out: impl Write,
) -> io::Result<()> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("autokg {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer =
        ArrowWriter::try_new(Staging::default(), schema, Some(properties)).map_err(to_io)?;
    for batch in batches {
        writer.write(&batch?).map_err(to_io)?;
        let staged = &mut writer.inner_mut().0;
        out.write_all(staged)?;
        staged.clear();
    }
    writer.finish().map_err(to_io)?;
    out.write_all(&writer.inner_mut().0)?;
    out.flush()
}

fn batch(schema: &SchemaRef, columns: Vec<ArrayRef>) -> io::Result<RecordBatch> {
    RecordBatch::try_new(schema.clone(), columns).map_err(to_io)
}

/// Writes the node table.
///
/// Errors: the output's write errors; an Arrow or Parquet encoding error (none is expected
/// for these schemas) as [`io::ErrorKind::Other`].
pub fn write_nodes(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let schema = node_schema(graph);
    let batches = graph.nodes.chunks(BATCH_ROWS).map(|nodes| {
        let text = |f: fn(&super::ExportNode) -> Option<&str>| -> ArrayRef {
            Arc::new(nodes.iter().map(f).collect::<StringArray>())
        };
        let mut columns: Vec<ArrayRef> = vec![
            text(|n| Some(n.id.as_str())),
            text(|n| Some(n.label())),
            text(|n| n.label_zh.as_deref()),
            text(|n| n.kind.as_deref()),
            text(|n| n.city.as_deref()),
            text(|n| n.province.as_deref()),
        ];
        for (k, &m) in graph.measures.iter().enumerate() {
            let values = nodes.iter().map(|n| n.scores.get(k).copied().flatten());
            columns.push(if is_integer_measure(m) {
                Arc::new(values.map(|s| s.map(integer)).collect::<Int64Array>())
            } else {
                Arc::new(
                    values
                        .map(|s| s.map(|s| s.as_f64()))
                        .collect::<Float64Array>(),
                )
            });
        }
        batch(&schema, columns)
    });
    write_table(schema.clone(), batches, out)
}

/// Writes the edge table.
///
/// Errors: as [`write_nodes`].
pub fn write_edges(graph: &ExportGraph, out: impl Write) -> io::Result<()> {
    let schema = edge_schema();
    let kind = if graph.directed {
        "Directed"
    } else {
        "Undirected"
    };
    let id = |i: u32| graph.nodes[i as usize].id.as_str();
    let batches = graph.edges.chunks(BATCH_ROWS).map(|edges| {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                edges
                    .iter()
                    .map(|e| Some(id(e.source)))
                    .collect::<StringArray>(),
            ),
            Arc::new(
                edges
                    .iter()
                    .map(|e| Some(id(e.target)))
                    .collect::<StringArray>(),
            ),
            Arc::new(StringArray::from(vec![kind; edges.len()])),
            Arc::new(
                edges
                    .iter()
                    .map(|e| Some(e.weight))
                    .collect::<Float64Array>(),
            ),
            Arc::new(
                edges
                    .iter()
                    .map(|e| non_empty(e.label()))
                    .collect::<StringArray>(),
            ),
            Arc::new(
                edges
                    .iter()
                    .map(|e| non_empty(e.relation_text()))
                    .collect::<StringArray>(),
            ),
            Arc::new(
                edges
                    .iter()
                    .map(|e| non_empty(e.paragraph_text()))
                    .collect::<StringArray>(),
            ),
        ];
        batch(&schema, columns)
    });
    write_table(schema.clone(), batches, out)
}

/// A count as an `Int64` without a detour through `f64` (exact up to `i64::MAX`, which
/// saturates).
fn integer(s: Score) -> i64 {
    match s {
        Score::Integer(i) => i64::try_from(i).unwrap_or(i64::MAX),
        Score::Real(x) => x as i64,
    }
}

/// `None` for an empty text, as the CSV's empty field.
fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::Measure;
    use crate::export::{ExportEdge, ExportNode};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    fn node(i: usize) -> ExportNode {
        ExportNode {
            id: format!("urn:n{i:07}"),
            label_en: (!i.is_multiple_of(3)).then(|| format!("n{i}")),
            label_zh: None,
            kind: Some("City".into()),
            city: None,
            province: None,
            scores: vec![
                Some(Score::Real(i as f64 / 10.0)),
                i.is_multiple_of(2).then_some(Score::Integer(i as u64)),
            ],
        }
    }

    #[test]
    fn large_tables_are_split_into_bounded_row_groups() {
        let n = ROW_GROUP_ROWS * 2 + 5;
        let graph = ExportGraph {
            name: "g".into(),
            directed: true,
            measures: vec![Measure::PageRank, Measure::CoreNumber],
            nodes: (0..n).map(node).collect(),
            edges: (0..n as u32 - 1)
                .map(|i| ExportEdge {
                    source: i,
                    target: i + 1,
                    relations: vec![],
                    weight: 1.5,
                    paragraphs: vec![],
                })
                .collect(),
        };
        for nodes in [true, false] {
            let mut out = Vec::new();
            if nodes {
                write_nodes(&graph, &mut out).expect("writes");
            } else {
                write_edges(&graph, &mut out).expect("writes");
            }
            let reader = SerializedFileReader::new(bytes::Bytes::from(out)).expect("a file");
            let meta = reader.metadata();
            let rows = if nodes { n } else { n - 1 };
            assert_eq!(meta.file_metadata().num_rows() as usize, rows);
            assert_eq!(meta.num_row_groups(), 3, "{} rows", rows);
            assert!(meta
                .row_groups()
                .iter()
                .all(|g| g.num_rows() as usize <= ROW_GROUP_ROWS));
        }
    }
}
