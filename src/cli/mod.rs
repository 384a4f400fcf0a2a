//! The command line, the only module that knows clap: the [`Cli`] definition, one file per
//! subcommand (arguments, a call into the library, printing), and [`run`], which opens the
//! store and dispatches. No logic of its own beyond argument handling and printing.

pub mod centrality;
pub mod critical;
pub mod dump;
pub mod export;
pub mod generate;
pub mod impact;
pub mod load;
pub mod output;
pub mod paths;
pub mod query;
pub mod serve;
pub mod stats;
pub mod validate;

pub use output::ReportFormat;

use crate::error::{Error, Result};
use crate::store::{Entailment, KgStore};
use clap::{Parser, Subcommand};
use oxigraph::model::{GraphName, NamedNode};
use std::path::PathBuf;

/// autokg: a knowledge graph of China's automotive geography, with SPARQL and analytics.
#[derive(Debug, Parser)]
#[command(name = "autokg", version, about, propagate_version = true)]
pub struct Cli {
    /// Persistent RocksDB store directory, filled with the curated data on first open.
    /// Without it, commands run on an in-memory store holding the curated data.
    #[arg(long, global = true, value_name = "DIR", env = "AUTOKG_STORE")]
    pub store: Option<PathBuf>,
    /// An RDF file added to the in-memory store for this command only (repeatable).
    #[arg(long, global = true, value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Entailments the in-memory store materialises: `rdfs` (default: subclasses,
    /// subproperties, domains, ranges, symmetric properties) or `none` (queries see only
    /// asserted triples, as in a plain triple store; large `--data` loads run about twice as
    /// fast). A persistent store always keeps RDFS entailments.
    #[arg(long, global = true, value_enum, default_value_t = EntailmentArg::Rdfs)]
    pub entailment: EntailmentArg,
    /// More log lines on standard error: `-v` for progress notes (info), `-vv` for debug,
    /// `-vvv` for trace. By default one-shot commands log only warnings and `serve` logs
    /// requests (info); `RUST_LOG` overrides both.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The default log level: `serve` logs its requests, one-shot commands only warnings;
    /// each `-v` one level more.
    pub fn log_level(&self) -> &'static str {
        let base = u8::from(matches!(self.command, Command::Serve(_))) * 2;
        match base.max(self.verbose.saturating_add(1)) {
            0 | 1 => "warn",
            2 => "info",
            3 => "debug",
            _ => "trace",
        }
    }
}

/// The `--entailment` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EntailmentArg {
    /// RDFS entailments and symmetric properties.
    Rdfs,
    /// No entailments.
    None,
}

impl From<EntailmentArg> for Entailment {
    fn from(arg: EntailmentArg) -> Self {
        match arg {
            EntailmentArg::Rdfs => Entailment::Rdfs,
            EntailmentArg::None => Entailment::None,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve SPARQL 1.1 (query, update, graph store), the JSON API and metrics over HTTP.
    Serve(serve::ServeArgs),
    /// Run a SPARQL query (common prefixes such as ak:, akid:, rdfs: are predeclared).
    Query(query::QueryArgs),
    /// Load RDF files into the store, atomically (all files land or none).
    Load(load::LoadArgs),
    /// Write the store (or one graph) as RDF; `--canonical` gives RDFC-1.0 N-Quads and the
    /// dataset fingerprint.
    Dump(dump::DumpArgs),
    /// Check the data against the SHACL shapes; exit code 1 when there are violations.
    Validate(validate::ValidateArgs),
    /// Triples per graph, entities per class, observations per measure.
    Stats(stats::StatsArgs),
    /// Centrality and other per-node measures on a projection, with networkx's conventions.
    Centrality(centrality::CentralityArgs),
    /// The k shortest relationship paths between two entities, with each hop's provenance.
    Paths(paths::PathsArgs),
    /// What removing entities cuts off: who loses every path, lost pairs, components.
    Impact(impact::ImpactArgs),
    /// Single points of failure: articulation points and bridges, with what each cuts off.
    Critical(critical::CriticalArgs),
    /// Write a deterministic synthetic supply network (N-Quads) for scale tests.
    Generate(generate::GenerateArgs),
    /// Export a projection, or one entity's neighbourhood, for Gephi, Cytoscape, yEd,
    /// Graphviz or networkx (GraphML, GEXF, DOT, Cytoscape.js JSON, CSV), for Spark,
    /// DuckDB or Neo4j (Parquet, neo4j-admin import CSV) or as RDF.
    Export(export::ExportArgs),
}

/// What a command asks `main` to exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the command ran and found problems (validation violations).
    Problems,
}

/// Parses the process's arguments, runs them, and maps the outcome to the exit code: 0, 1
/// for problems found (`validate`), else [`Error::exit_code`]; a closed standard output
/// (`autokg dump | head`) is a success. The command runs on a thread with
/// [`crate::nesting::STACK_SIZE`], like the server's evaluations, so that everything within
/// the nesting limits parses and evaluates.
pub fn main() -> std::process::ExitCode {
    use std::process::ExitCode;
    let cli = Cli::parse();
    crate::telemetry::init(cli.log_level());
    match crate::nesting::with_large_stack(move || run(cli)) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    if let Command::Validate(args) = &cli.command {
        if !args.files.is_empty() {
            let store = KgStore::ontology_only()?;
            load::load_files(&store, &args.files, None, None)?;
            return validate::run(&store, args);
        }
    }
    if let Command::Load(args) = &cli.command {
        if let Some(server) = &args.server {
            return load::run_remote(server, args);
        }
    }
    if let Command::Generate(args) = &cli.command {
        return generate::run(args);
    }
    let store = open_store(&cli)?;
    let command = match cli.command {
        Command::Serve(args) => return serve::run(store, args),
        command => command,
    };
    let outcome = run_once(&store, command);
    if !store.is_persistent() {
        // The process ends here: freeing millions of terms one by one would only delay it.
        std::mem::forget(store);
    }
    outcome
}

/// Runs a command that ends when its work is done (every command but `serve`).
fn run_once(store: &KgStore, command: Command) -> Result<Outcome> {
    match command {
        Command::Serve(_) => Err(Error::InvalidInput(
            "serve runs until stopped; start it with `autokg serve`".into(),
        )),
        Command::Query(args) => query::run(store, args),
        Command::Load(args) => load::run(store, args),
        Command::Dump(args) => dump::run(store, args),
        Command::Validate(args) => validate::run(store, &args),
        Command::Stats(args) => stats::run(store, args.format),
        Command::Centrality(args) => centrality::run(store, args),
        Command::Paths(args) => paths::run(store, args),
        Command::Impact(args) => impact::run(store, args),
        Command::Critical(args) => critical::run(store, args),
        Command::Generate(args) => generate::run(&args),
        Command::Export(args) => export::run(store, args),
    }
}

/// Opens the store named by `--store` (or an in-memory one) and adds the `--data` files.
pub fn open_store(cli: &Cli) -> Result<KgStore> {
    if cli.store.is_some() && !cli.data.is_empty() {
        return Err(Error::InvalidInput(
            "--data adds files for one command to the in-memory store; with --store, use `autokg load` instead".into(),
        ));
    }
    if cli.store.is_some() && cli.entailment != EntailmentArg::Rdfs {
        return Err(Error::InvalidInput(
            "--entailment none is for the in-memory store; a persistent store (--store) always keeps RDFS entailments".into(),
        ));
    }
    let store = KgStore::open_with(cli.store.as_deref(), cli.entailment.into())?;
    if !cli.data.is_empty() {
        load::load_files(&store, &cli.data, None, None)?;
    }
    Ok(store)
}

/// A `--graph` argument: `default` (or none) for the default graph, else an absolute IRI.
fn parse_graph(graph: Option<&str>) -> Result<GraphName> {
    match graph {
        None | Some("default") => Ok(GraphName::DefaultGraph),
        Some(iri) => NamedNode::new(iri).map(GraphName::from).map_err(|e| {
            Error::InvalidInput(format!("--graph '{iri}' is not an absolute IRI: {e}"))
        }),
    }
}
