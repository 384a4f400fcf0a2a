//! `autokg query`: one SPARQL query (argument, file or standard input) on the store, as a
//! table on a terminal or in a standard format.

use super::Outcome;
use crate::error::{Error, Result};
use crate::sparql::results::{graph_format, write_results, SolutionsFormat};
use crate::store::KgStore;
use clap::Args;
use oxigraph::io::RdfFormat;
use oxigraph::sparql::QueryResults;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

/// Arguments of `query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query text (or use -f, or pipe it on standard input).
    pub query: Option<String>,
    /// Read the query from a file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "query"
    )]
    pub file: Option<PathBuf>,
    /// Output format: table, json, xml, csv, tsv for SELECT/ASK; turtle, ntriples, nquads,
    /// trig, rdfxml, jsonld for CONSTRUCT/DESCRIBE. Default: a table on a terminal, TSV
    /// (solutions) or Turtle (graphs) when piped.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

fn read_query(args: &QueryArgs) -> Result<String> {
    if let Some(q) = &args.query {
        return Ok(q.clone());
    }
    if let Some(path) = &args.file {
        return std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        });
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|source| Error::Io {
            path: "<stdin>".into(),
            source,
        })?;
    if text.trim().is_empty() {
        return Err(Error::InvalidInput(
            "no query: give it as an argument, with -f FILE, or on standard input".into(),
        ));
    }
    Ok(text)
}

/// `autokg query`.
pub fn run(store: &KgStore, args: QueryArgs) -> Result<Outcome> {
    let text = read_query(&args)?;
    let terminal = std::io::stdout().is_terminal();
    let (solutions, graph) = match args.format.as_deref() {
        None if terminal => (SolutionsFormat::Table, RdfFormat::Turtle),
        None => (SolutionsFormat::Tsv, RdfFormat::Turtle),
        Some(name) => match graph_format(name) {
            Some(g) => (SolutionsFormat::Tsv, g),
            None => (
                name.parse::<SolutionsFormat>().map_err(|_| {
                    Error::InvalidInput(format!(
                        "unknown --format '{name}'; known: table, json, xml, csv, tsv, turtle, ntriples, nquads, trig, rdfxml, jsonld"
                    ))
                })?,
                RdfFormat::Turtle,
            ),
        },
    };
    // The limits every query from outside meets: nesting, syntax, join width.
    crate::sparql::evaluate::parse_query(&text).map_err(|e| Error::InvalidInput(e.message))?;
    let results = if crate::analytics::mentions_functions(&text) {
        let scores = crate::analytics::ScoreCache::new().get(store)?;
        let evaluator = crate::analytics::with_functions(
            KgStore::evaluator(),
            scores,
            crate::algorithms::deadline::Deadline::none(),
        );
        store.execute(store.prepare_query_with(evaluator, &text)?)?
    } else {
        store.query(&text)?
    };
    if let (QueryResults::Graph(_), Some(name)) = (&results, args.format.as_deref()) {
        if graph_format(name).is_none() {
            return Err(Error::InvalidInput(format!(
                "--format {name} is for solutions; this query returns a graph: use turtle, ntriples, nquads, trig, rdfxml or jsonld"
            )));
        }
    }
    let stdout = std::io::stdout().lock();
    // Oxigraph's serializers end an ASK answer without a newline; a shell prompt should not
    // follow `true` on the same line.
    let boolean = matches!(results, QueryResults::Boolean(_)) && solutions.standard().is_some();
    let mut out = std::io::BufWriter::new(stdout);
    write_results(results, solutions, graph, &mut out)?;
    if boolean {
        writeln!(out).map_err(|source| Error::Io {
            path: "<standard output>".into(),
            source,
        })?;
    }
    out.flush().map_err(|source| Error::Io {
        path: "<standard output>".into(),
        source,
    })?;
    Ok(Outcome::Success)
}
