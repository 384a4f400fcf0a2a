//! Writing SPARQL results: the standard formats (JSON, XML, CSV, TSV) and RDF graph syntaxes
//! through Oxigraph's serializers, plus an aligned text table for people at a terminal.

use crate::error::{Error, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::Term;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QueryResults;
use std::io::Write;
use unicode_width::UnicodeWidthStr;

/// How solutions (SELECT) and booleans (ASK) are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SolutionsFormat {
    /// An aligned text table (compact IRIs, readable on a terminal).
    Table,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
}

impl std::str::FromStr for SolutionsFormat {
    type Err = Error;

    /// `table`, `json`, `xml`, `csv` or `tsv`, in any case; anything else is an
    /// [`Error::InvalidInput`] listing the names.
    fn from_str(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "table" => Self::Table,
            "json" => Self::Json,
            "xml" => Self::Xml,
            "csv" => Self::Csv,
            "tsv" => Self::Tsv,
            _ => {
                return Err(Error::InvalidInput(format!(
                    "unknown solutions format '{name}'; known: table, json, xml, csv, tsv"
                )))
            }
        })
    }
}

impl SolutionsFormat {
    /// The standard format, or `None` for the table.
    pub fn standard(self) -> Option<QueryResultsFormat> {
        match self {
            Self::Table => None,
            Self::Json => Some(QueryResultsFormat::Json),
            Self::Xml => Some(QueryResultsFormat::Xml),
            Self::Csv => Some(QueryResultsFormat::Csv),
            Self::Tsv => Some(QueryResultsFormat::Tsv),
        }
    }
}

fn io_error(source: std::io::Error) -> Error {
    Error::Io {
        path: "<output>".into(),
        source,
    }
}

/// Writes query results: solutions and booleans in `solutions`, graphs in `graph`.
/// Returns the number of solutions or triples written.
pub fn write_results(
    results: QueryResults<'_>,
    solutions: SolutionsFormat,
    graph: RdfFormat,
    mut out: impl Write,
) -> Result<u64> {
    let evaluation = |e: oxigraph::sparql::QueryEvaluationError| Error::Evaluation(e.to_string());
    match results {
        QueryResults::Graph(triples) => {
            let mut serializer = crate::vocab::PREFIXES
                .iter()
                .fold(RdfSerializer::from_format(graph), |s, (p, iri)| {
                    s.with_prefix(*p, *iri)
                        .unwrap_or_else(|_| RdfSerializer::from_format(graph))
                })
                .for_writer(out);
            let mut n = 0;
            for t in triples {
                serializer
                    .serialize_triple(t.map_err(evaluation)?.as_ref())
                    .map_err(io_error)?;
                n += 1;
            }
            serializer.finish().map_err(io_error)?;
            Ok(n)
        }
        QueryResults::Boolean(b) => match solutions.standard() {
            Some(f) => {
                QueryResultsSerializer::from_format(f)
                    .serialize_boolean_to_writer(out, b)
                    .map_err(io_error)?;
                Ok(1)
            }
            None => {
                writeln!(out, "{b}").map_err(io_error)?;
                Ok(1)
            }
        },
        QueryResults::Solutions(iter) => {
            let variables = iter.variables().to_vec();
            match solutions.standard() {
                Some(QueryResultsFormat::Csv) => {
                    let mut writer = CsvSolutionsWriter::start(out, variables).map_err(io_error)?;
                    let n = each_solution(iter, |s| writer.serialize(s))?;
                    writer.finish().map_err(io_error)?;
                    Ok(n)
                }
                Some(f) => {
                    let mut writer = QueryResultsSerializer::from_format(f)
                        .serialize_solutions_to_writer(out, variables)
                        .map_err(io_error)?;
                    let n = each_solution(iter, |s| writer.serialize(s))?;
                    writer.finish().map_err(io_error)?;
                    Ok(n)
                }
                None => {
                    let header: Vec<String> =
                        variables.iter().map(|v| v.as_str().to_owned()).collect();
                    let mut rows = Vec::new();
                    for s in iter {
                        let s = s.map_err(evaluation)?;
                        rows.push(
                            variables
                                .iter()
                                .map(|v| s.get(v).map(compact).unwrap_or_default())
                                .collect::<Vec<_>>(),
                        );
                    }
                    write_table(&header, &rows, &mut out).map_err(io_error)?;
                    Ok(rows.len() as u64)
                }
            }
        }
    }
}

/// Hands each solution of `iter` to `write` and counts them; the first evaluation or write
/// error ends it.
fn each_solution(
    iter: oxigraph::sparql::QuerySolutionIter<'_>,
    mut write: impl FnMut(&oxigraph::sparql::QuerySolution) -> std::io::Result<()>,
) -> Result<u64> {
    let mut n = 0;
    for s in iter {
        write(&s.map_err(|e| Error::Evaluation(e.to_string()))?).map_err(io_error)?;
        n += 1;
    }
    Ok(n)
}

/// SPARQL 1.1 Query Results CSV, written with the `csv` crate so that every field that holds
/// a comma, a double quote or a line break is quoted (RFC 4180). Oxigraph's CSV writer leaves
/// IRIs unquoted, and an IRI with a comma would shift the columns. Rows end with CRLF; an
/// IRI is written as is, a literal as its lexical form, a blank node as `_:id`, an unbound
/// variable as an empty field.
pub struct CsvSolutionsWriter<W: Write> {
    writer: csv::Writer<W>,
    variables: Vec<oxigraph::sparql::Variable>,
}

impl<W: Write> CsvSolutionsWriter<W> {
    /// Writes the header row (the variable names) to `out`.
    pub fn start(out: W, variables: Vec<oxigraph::sparql::Variable>) -> std::io::Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer
            .write_record(variables.iter().map(|v| v.as_str()))
            .map_err(csv_io)?;
        Ok(Self { writer, variables })
    }

    /// Writes one solution.
    pub fn serialize(&mut self, solution: &oxigraph::sparql::QuerySolution) -> std::io::Result<()> {
        let row = self.variables.iter().map(|v| match solution.get(v) {
            Some(Term::NamedNode(n)) => n.as_str().to_owned(),
            Some(Term::Literal(l)) => l.value().to_owned(),
            Some(Term::BlankNode(b)) => format!("_:{}", b.as_str()),
            None => String::new(),
        });
        self.writer.write_record(row).map_err(csv_io)
    }

    /// Flushes the last rows and gives the output back.
    pub fn finish(self) -> std::io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

fn csv_io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A term as a person reads it: prefixed IRIs, plain strings with their language tag.
pub fn compact(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => {
            for (p, iri) in crate::vocab::PREFIXES {
                if let Some(local) = n.as_str().strip_prefix(iri) {
                    return format!("{p}:{local}");
                }
            }
            format!("<{}>", n.as_str())
        }
        Term::BlankNode(b) => b.to_string(),
        Term::Literal(l) => match l.language() {
            Some(lang) => format!("{}@{lang}", l.value()),
            None => l.value().replace('\n', " "),
        },
    }
}

/// Writes an aligned table, measuring width in terminal columns (Chinese takes two).
pub fn write_table(
    header: &[String],
    rows: &[Vec<String>],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: &[String], out: &mut dyn Write| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                text.push_str(" │ ");
            }
            text.push_str(cell);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(w - cell.width()));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(header, out)?;
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("─┼─"))?;
    for row in rows {
        line(row, out)?;
    }
    writeln!(
        out,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}

/// Graph-format names accepted by `--format` for CONSTRUCT and DESCRIBE results.
pub fn graph_format(name: &str) -> Option<RdfFormat> {
    match name {
        "turtle" | "ttl" => Some(RdfFormat::Turtle),
        "ntriples" | "nt" => Some(RdfFormat::NTriples),
        "nquads" | "nq" => Some(RdfFormat::NQuads),
        "trig" => Some(RdfFormat::TriG),
        "rdfxml" => Some(RdfFormat::RdfXml),
        "jsonld" => Some(RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        }),
        _ => None,
    }
}
