//! `autokg export`: clap arguments and the command, glue between the command line and the
//! exporters. Progress (phases, then bytes written) shows on a terminal only.

use super::output::{ProjectionArgs, TimeoutArgs};
use crate::algorithms::Deadline;
use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::export::model::{ExportGraph, Scope};
use crate::export::{rdf, write_graph_until, Format, DEFAULT_MAX_NODES, MAX_DEPTH};
use crate::projection::{Projection, DEFAULT};
use crate::store::KgStore;
use clap::Args;
use indicatif::ProgressBar;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// graphml, gexf, dot, cytoscape, csv (writes nodes.csv and edges.csv into the -o
    /// directory), csv-nodes, csv-edges; parquet (nodes.parquet and edges.parquet into the
    /// -o directory), parquet-nodes, parquet-edges; neo4j (CSV files for `neo4j-admin
    /// database import full` into the -o directory: one per node label and one per
    /// relationship type); or the RDF behind the graph: turtle, ntriples, nquads, trig,
    /// rdfxml, jsonld; or geojson (RFC 7946): every place with a WKT point and its figures,
    /// or the rows of --select.
    #[arg(long, value_name = "FORMAT")]
    pub format: String,
    /// The projection (default: supply-chain; with --around, all).
    #[command(flatten)]
    pub projection: ProjectionArgs,
    /// Export only this entity's neighbourhood (akid local name or IRI): the nodes within
    /// --depth hops, edges followed either way, and every edge among them.
    #[arg(long, value_name = "ENTITY")]
    pub around: Option<String>,
    /// Hops from --around.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "around")]
    pub depth: usize,
    /// Scores every node carries, computed on the whole projection: a comma-separated list
    /// of measures (pagerank, betweenness, degree, in-degree, out-degree, closeness,
    /// harmonic, eigenvector, kcore, components), or `none`. The first one sizes GEXF nodes.
    #[arg(long, value_name = "LIST", default_value = crate::export::DEFAULT_SCORES)]
    pub scores: String,
    /// Refuse a neighbourhood with more nodes than this (the message gives the count).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
    /// With --format geojson: a file holding a SPARQL SELECT with a column of
    /// geo:wktLiteral values; each row becomes a feature, the other columns its properties.
    #[arg(long, value_name = "FILE")]
    pub select: Option<PathBuf>,
    /// Write to this file (for csv, parquet and neo4j: this directory) instead of standard
    /// output.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// The time limit (a file cut short by it is incomplete: the command exits 2).
    #[command(flatten)]
    pub limit: TimeoutArgs,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// What a `--format` name that writes a directory writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directory {
    /// Two files: (name, format) each.
    Pair([(&'static str, Format); 2]),
    /// Neo4j's bulk-import files.
    Neo4j,
}

/// The names that write several files into the `-o` directory, and what they write.
fn directory_format(name: &str) -> Option<(&'static str, Directory)> {
    match name.trim().to_ascii_lowercase().as_str() {
        "csv" => Some((
            "csv",
            Directory::Pair([
                ("nodes.csv", Format::CsvNodes),
                ("edges.csv", Format::CsvEdges),
            ]),
        )),
        "parquet" => Some((
            "parquet",
            Directory::Pair([
                ("nodes.parquet", Format::ParquetNodes),
                ("edges.parquet", Format::ParquetEdges),
            ]),
        )),
        "neo4j" | "neo4j-admin" => Some(("neo4j", Directory::Neo4j)),
        _ => None,
    }
}

/// `autokg export`.
pub fn run(store: &KgStore, args: ExportArgs) -> Result<Outcome> {
    let directory = directory_format(&args.format);
    let format = match directory {
        Some((_, Directory::Pair([(_, first), _]))) => first,
        Some((_, Directory::Neo4j)) => Format::CsvNodes,
        None => Format::from_name(&args.format).map_err(|e| {
            Error::UnknownFormat(format!(
                "{e} (or csv, parquet or neo4j for several files into a directory)"
            ))
        })?,
    };
    if let (Some((name, _)), None) = (directory, &args.output) {
        return Err(Error::InvalidInput(format!(
            "--format {name} writes several files: give the directory with -o DIR{}",
            match name {
                "neo4j" => "",
                "csv" => " (or use csv-nodes / csv-edges for standard output)",
                _ => " (or use parquet-nodes / parquet-edges for standard output)",
            }
        )));
    }
    if args.depth > MAX_DEPTH {
        return Err(Error::InvalidInput(format!(
            "--depth {} is more than {MAX_DEPTH}; a neighbourhood that wide is the whole projection: export it without --around",
            args.depth
        )));
    }
    if format == Format::GeoJson {
        return geojson(store, &args);
    }
    if args.select.is_some() {
        return Err(Error::InvalidInput(
            "--select is for --format geojson; graph exports take a projection (--projection or -f)".into(),
        ));
    }
    let measures = crate::export::measures_for(format, &args.scores)?;
    let spec = args.projection.spec(if args.around.is_some() {
        "all"
    } else {
        DEFAULT
    })?;
    let scope = match &args.around {
        Some(entity) => Scope::Neighbourhood {
            entity: entity.clone(),
            depth: args.depth,
            max_nodes: args.max_nodes,
        },
        None => Scope::Whole,
    };

    let bar = super::output::spinner(format!("projecting '{}'", spec.name()));
    let started = Instant::now();
    let deadline = args.limit.deadline();
    let projection = Projection::build_until(store, &spec, &deadline)?;
    let projected = started.elapsed();
    bar.set_message("reading labels, types, places and scores");
    let graph = ExportGraph::build_until(store, &projection, &scope, &measures, &deadline, None)?;
    let built = started.elapsed() - projected;
    let format_name = directory.map_or(format.name(), |(name, _)| name);
    bar.set_message(format!("writing {format_name}"));
    let writing = Instant::now();
    let mut import_command = None;
    let written: Vec<PathBuf> = match (&args.output, directory) {
        (Some(dir), Some((_, Directory::Pair(pair)))) => {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
            let mut files = Vec::new();
            for (name, f) in pair {
                let path = dir.join(name);
                write_to(store, &graph, f, Some(&path), &bar, &deadline)?;
                files.push(path);
            }
            files
        }
        (Some(dir), Some((_, Directory::Neo4j))) => {
            let files = crate::export::neo4j::write_dir(&graph, dir, &deadline)?;
            import_command = Some(files.import_command("neo4j"));
            files.nodes.into_iter().chain(files.relationships).collect()
        }
        (output, _) => {
            write_to(store, &graph, format, output.as_deref(), &bar, &deadline)?;
            output.iter().cloned().collect()
        }
    };
    let write_seconds = writing.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let into = if written.is_empty() {
        "standard output".to_owned()
    } else if written.len() > 2 {
        format!(
            "{} files in {}",
            written.len(),
            args.output.as_deref().unwrap_or(Path::new(".")).display()
        )
    } else {
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    eprintln!(
        "exported {} nodes and {} edges of '{}' as {} to {into} (projection {:.3} s, attributes and scores {:.3} s, writing {:.3} s)",
        graph.nodes.len(),
        graph.edges.len(),
        graph.name,
        format_name,
        projected.as_secs_f64(),
        built.as_secs_f64(),
        write_seconds,
    );
    if let Some(command) = import_command {
        eprintln!("load them with: {command}");
    }
    Ok(Outcome::Success)
}

/// `export --format geojson`: places with their figures, or the rows of `--select`.
fn geojson(store: &KgStore, args: &ExportArgs) -> Result<Outcome> {
    if args.around.is_some()
        || args.projection.file.is_some()
        || args.projection.projection.is_some()
    {
        return Err(Error::InvalidInput(
            "--format geojson exports places (or the rows of --select FILE), not a projection: drop --around, --projection and -f".into(),
        ));
    }
    let deadline = args.limit.deadline();
    let features = match &args.select {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(io_error(path))?;
            crate::nesting::check_sparql(&text).map_err(|e| Error::InvalidInput(e.to_string()))?;
            crate::export::geojson::select_until(store, &text, &deadline, None)?
        }
        None => crate::export::geojson::places_until(store, &deadline)?,
    };
    let stdout_path = PathBuf::from("<stdout>");
    let label = args.output.as_deref().unwrap_or(&stdout_path);
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(io_error(p))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    crate::export::geojson::write_until(&features, out, &deadline).map_err(|e| match e {
        Error::Io { source, .. } => io_error(label)(source),
        e => e,
    })?;
    eprintln!(
        "exported {} features as geojson to {}",
        features.len(),
        if args.output.is_some() {
            label.display().to_string()
        } else {
            "standard output".to_owned()
        }
    );
    Ok(Outcome::Success)
}

fn write_to(
    store: &KgStore,
    graph: &ExportGraph,
    format: Format,
    path: Option<&Path>,
    bar: &ProgressBar,
    deadline: &Deadline,
) -> Result<()> {
    let stdout_path = PathBuf::from("<stdout>");
    let label = path.unwrap_or(&stdout_path);
    let out: Box<dyn Write> = match path {
        Some(p) => Box::new(std::fs::File::create(p).map_err(io_error(p))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = bar.wrap_write(out);
    let named = |e: Error| match e {
        Error::Io { source, .. } => io_error(label)(source),
        e => e,
    };
    match format {
        Format::Rdf(f) => rdf::write_until(store, graph, f, &mut out, deadline).map_err(named)?,
        f => write_graph_until(graph, f, &mut out, deadline).map_err(named)?,
    }
    out.flush().map_err(io_error(label))
}
