//! The command line: clap definitions and one function per subcommand, glue over the library.

use crate::error::{Error, Result};
use crate::rdfio::RdfSource;
use crate::results::{graph_format, write_results, write_table, SolutionsFormat};
use crate::shacl::Shapes;
use crate::store::{Entailment, KgStore};
use crate::vocab::{GRAPH_INFERRED, GRAPH_META};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, GraphNameRef, NamedNode};
use oxigraph::sparql::QueryResults;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

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
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
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
    Serve(ServeArgs),
    /// Run a SPARQL query (common prefixes such as ak:, akid:, rdfs: are predeclared).
    Query(QueryArgs),
    /// Load RDF files into the store, atomically (all files land or none).
    Load(LoadArgs),
    /// Write the store (or one graph) as RDF; `--canonical` gives RDFC-1.0 N-Quads and the
    /// dataset fingerprint.
    Dump(DumpArgs),
    /// Check the data against the SHACL shapes; exit code 1 when there are violations.
    Validate(ValidateArgs),
    /// Triples per graph, entities per class, observations per measure.
    Stats(StatsArgs),
    /// Centrality and other per-node measures on a projection, with networkx's conventions.
    Centrality(crate::analytics_cli::CentralityArgs),
    /// The k shortest relationship paths between two entities, with each hop's provenance.
    Paths(crate::analytics_cli::PathsArgs),
    /// What removing entities cuts off: who loses every path, lost pairs, components.
    Impact(crate::analytics_cli::ImpactArgs),
    /// Single points of failure: articulation points and bridges, with what each cuts off.
    Critical(crate::analytics_cli::CriticalArgs),
    /// Write a deterministic synthetic supply network (N-Quads) for scale tests.
    Generate(crate::analytics_cli::GenerateArgs),
    /// Export a projection, or one entity's neighbourhood, for Gephi, Cytoscape, yEd,
    /// Graphviz or networkx (GraphML, GEXF, DOT, Cytoscape.js JSON, CSV) or as RDF.
    Export(crate::export::cli::ExportArgs),
}

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

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    pub bind: String,
    /// The server's maximum time per query or update, in seconds (requests may lower it
    /// with `timeout=`).
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub timeout: f64,
    /// The most rows (solutions or triples) a result may have; more is an error, never a
    /// silent truncation.
    #[arg(long, value_name = "N")]
    pub max_rows: Option<u64>,
    /// An origin allowed by CORS (repeatable; `*` allows any).
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Vec<String>,
    /// An IRI prefix that SERVICE may call (repeatable); without it, SERVICE is refused.
    #[arg(long, value_name = "IRI-PREFIX")]
    pub allow_service: Vec<String>,
    /// The bearer token that writes need; without it the server is read-only.
    #[arg(
        long,
        env = "AUTOKG_UPDATE_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub update_token: Option<String>,
    /// Request body limit in bytes.
    #[arg(long, default_value_t = crate::server::DEFAULT_MAX_BODY, value_name = "BYTES")]
    pub max_body: usize,
    /// Evaluations that may run at once (default: cores × 2); more wait briefly, then get 503.
    #[arg(long, value_name = "N")]
    pub max_concurrent: Option<usize>,
}

/// Arguments of `load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// RDF files (.ttl, .nt, .nq, .trig, .rdf, .jsonld, optionally .gz).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Named graph receiving the triples of triple formats (default: the default graph).
    #[arg(long, value_name = "IRI")]
    pub graph: Option<String>,
    /// Format of every file, when the file names do not tell it.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Load into a running server (its base URL, e.g. http://127.0.0.1:7878) through the
    /// Graph Store Protocol instead of a local store.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The server's update token (for --server).
    #[arg(
        long,
        env = "AUTOKG_UPDATE_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
}

/// Arguments of `dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// RDF format: nquads (default), trig, turtle, ntriples, rdfxml, jsonld.
    #[arg(long, value_name = "FORMAT", default_value = "nquads")]
    pub format: String,
    /// Only this named graph (`default` for the default graph).
    #[arg(long, value_name = "IRI")]
    pub graph: Option<String>,
    /// Canonical N-Quads (RDFC-1.0); prints the SHA-256 fingerprint on standard error.
    #[arg(long)]
    pub canonical: bool,
    /// With --canonical: print only the fingerprint.
    #[arg(long, requires = "canonical")]
    pub fingerprint_only: bool,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Validate these files (with the ontology) instead of the store's data.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

/// Arguments of `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

/// Text for people or JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Readable text.
    Text,
    /// JSON.
    Json,
}

/// What a command asks `main` to exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the command ran and found problems (validation violations).
    Problems,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    if let Command::Validate(args) = &cli.command {
        if !args.files.is_empty() {
            let store = KgStore::ontology_only()?;
            load_files(&store, &args.files, None, None)?;
            return validate(&store, args.format);
        }
    }
    if let Command::Load(args) = &cli.command {
        if let Some(server) = &args.server {
            return load_remote(server, args);
        }
    }
    if let Command::Generate(args) = &cli.command {
        return crate::analytics_cli::generate(args);
    }
    let store = open_store(&cli)?;
    let command = match cli.command {
        Command::Serve(args) => return serve(store, args),
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
        Command::Query(args) => query(store, args),
        Command::Load(args) => {
            let graph = parse_graph(args.graph.as_deref())?;
            if let GraphName::NamedNode(g) = &graph {
                if g.as_str() == GRAPH_INFERRED || g.as_str() == GRAPH_META {
                    return Err(Error::InvalidInput(format!(
                        "--graph {g}: that graph is written by autokg itself; choose another"
                    )));
                }
            }
            let report = load_files(store, &args.files, Some(graph), args.format.as_deref())?;
            store.flush()?;
            eprintln!(
                "loaded {} quads ({} entailments added{}) in {:.2} s; the store now holds {} quads",
                report.quads_read,
                report.entailments_added,
                if report.full_reinference {
                    ", schema changed: all recomputed"
                } else {
                    ""
                },
                report.seconds,
                store.len()?
            );
            Ok(Outcome::Success)
        }
        Command::Dump(args) => dump(store, args),
        Command::Validate(args) => validate(store, args.format),
        Command::Stats(args) => stats(store, args.format),
        Command::Centrality(args) => crate::analytics_cli::centrality(store, args),
        Command::Paths(args) => crate::analytics_cli::paths(store, args),
        Command::Impact(args) => crate::analytics_cli::impact(store, args),
        Command::Critical(args) => crate::analytics_cli::critical(store, args),
        Command::Generate(args) => crate::analytics_cli::generate(&args),
        Command::Export(args) => crate::export::cli::run(store, args),
    }
}

fn serve(store: KgStore, args: ServeArgs) -> Result<Outcome> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(Error::InvalidInput(format!(
            "--timeout {} must be a positive number of seconds",
            args.timeout
        )));
    }
    for prefix in &args.allow_service {
        NamedNode::new(prefix.as_str()).map_err(|e| {
            Error::InvalidInput(format!(
                "--allow-service '{prefix}' is not an absolute IRI: {e}"
            ))
        })?;
    }
    let mut config = crate::server::ServeConfig {
        bind: args.bind,
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        max_rows: args.max_rows,
        cors: args.cors,
        allow_service: args.allow_service,
        update_token: args.update_token.filter(|t| !t.is_empty()),
        max_body: args.max_body,
        ..Default::default()
    };
    if let Some(n) = args.max_concurrent {
        config.max_concurrent = n;
    }
    let quads = store.len()?;
    let persistent = store.is_persistent();
    let read_only = config.update_token.is_none();
    let store = std::sync::Arc::new(store);
    actix_web::rt::System::new().block_on(async move {
        let app = crate::server::Application::build(config, store).map_err(|source| Error::Io {
            path: "<listener>".into(),
            source,
        })?;
        tracing::info!(
            address = %app.address(),
            quads,
            persistent,
            read_only,
            "autokg listening on http://{}/ (SPARQL at /sparql, graph store at /store)",
            app.address()
        );
        app.run_until_stopped().await.map_err(|source| Error::Io {
            path: "<server>".into(),
            source,
        })
    })?;
    Ok(Outcome::Success)
}

/// Parses the files locally (so errors name file, line and column), then sends them as one
/// N-Triples body, so the server applies them in one transaction.
fn load_remote(server: &str, args: &LoadArgs) -> Result<Outcome> {
    let graph = parse_graph(args.graph.as_deref())?;
    let mut body = Vec::new();
    {
        let mut serializer =
            oxigraph::io::RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut body);
        for file in &args.files {
            let source = RdfSource::new(file, args.format.as_deref())?;
            for q in source.quads(GraphName::DefaultGraph)? {
                let q = q?;
                if !q.graph_name.is_default_graph() {
                    return Err(Error::InvalidInput(format!(
                        "{}: holds named graphs; loading through --server sends one graph at a time",
                        file.display()
                    )));
                }
                serializer
                    .serialize_triple(oxigraph::model::TripleRef::from(q.as_ref()))
                    .map_err(|source| Error::Io {
                        path: file.clone(),
                        source,
                    })?;
            }
        }
        serializer.finish().map_err(|source| Error::Io {
            path: "<body>".into(),
            source,
        })?;
    }
    let target = match &graph {
        GraphName::NamedNode(g) => format!(
            "graph={}",
            form_urlencoded::byte_serialize(g.as_str().as_bytes()).collect::<String>()
        ),
        _ => "default".to_owned(),
    };
    let url = format!("{}/store?{target}", server.trim_end_matches('/'));
    let mut request = reqwest::blocking::Client::new()
        .post(&url)
        .header("Content-Type", "application/n-triples")
        .body(body);
    if let Some(token) = &args.token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .map_err(|e| Error::InvalidInput(format!("{url}: {e}")))?;
    let status = response.status();
    if status.is_success() {
        eprintln!("loaded into {url} ({status})");
        Ok(Outcome::Success)
    } else {
        let text = response.text().unwrap_or_default();
        Err(Error::InvalidInput(format!(
            "{url} answered {status}: {}",
            text.trim()
        )))
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
        load_files(&store, &cli.data, None, None)?;
    }
    Ok(store)
}

fn parse_graph(graph: Option<&str>) -> Result<GraphName> {
    match graph {
        None | Some("default") => Ok(GraphName::DefaultGraph),
        Some(iri) => NamedNode::new(iri).map(GraphName::from).map_err(|e| {
            Error::InvalidInput(format!("--graph '{iri}' is not an absolute IRI: {e}"))
        }),
    }
}

fn progress_bar(label: &str) -> ProgressBar {
    // indicatif draws on standard error only when it is a terminal.
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {human_pos} quads ({per_sec}) {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(label.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Loads files atomically into `graph` (or each file's own graphs for quad formats).
pub fn load_files(
    store: &KgStore,
    files: &[PathBuf],
    graph: Option<GraphName>,
    format: Option<&str>,
) -> Result<crate::store::LoadReport> {
    let graph = graph.unwrap_or_default();
    let sources = files
        .iter()
        .map(|f| RdfSource::new(f, format))
        .collect::<Result<Vec<_>>>()?;
    let open = || -> Result<_> {
        let mut iters = Vec::new();
        for source in &sources {
            iters.push(source.quads(graph.clone())?);
        }
        Ok(iters.into_iter().flatten())
    };
    let bar = progress_bar("loading");
    let progress = bar.clone();
    let report = store.load(open, move |n| progress.set_position(n));
    bar.finish_and_clear();
    report
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

fn query(store: &KgStore, args: QueryArgs) -> Result<Outcome> {
    let text = read_query(&args)?;
    let terminal = std::io::stdout().is_terminal();
    let (solutions, graph) = match args.format.as_deref() {
        None if terminal => (SolutionsFormat::Table, RdfFormat::Turtle),
        None => (SolutionsFormat::Tsv, RdfFormat::Turtle),
        Some(name) => match graph_format(name) {
            Some(g) => (SolutionsFormat::Tsv, g),
            None => (
                <SolutionsFormat as clap::ValueEnum>::from_str(name, true).map_err(|_| {
                    Error::InvalidInput(format!(
                        "unknown --format '{name}'; known: table, json, xml, csv, tsv, turtle, ntriples, nquads, trig, rdfxml, jsonld"
                    ))
                })?,
                RdfFormat::Turtle,
            ),
        },
    };
    let results = if crate::analytics::mentions_functions(&text) {
        let scores = crate::analytics::ScoreCache::new().get(store)?;
        let evaluator = crate::analytics::with_functions(KgStore::evaluator(), scores);
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
    write_results(results, solutions, graph, std::io::BufWriter::new(stdout))?;
    Ok(Outcome::Success)
}

fn output(path: Option<&Path>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p).map_err(
            |source| Error::Io {
                path: p.to_owned(),
                source,
            },
        )?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

fn dump(store: &KgStore, args: DumpArgs) -> Result<Outcome> {
    let graph = args
        .graph
        .as_deref()
        .map(|g| parse_graph(Some(g)))
        .transpose()?;
    if let Some(g) = &graph {
        if !store.graph_exists(g.as_ref())? {
            return Err(Error::NotFound(format!("no graph {g} in the store")));
        }
    }
    if args.canonical {
        let quads: Box<dyn Iterator<Item = Result<oxigraph::model::Quad>>> = match &graph {
            Some(g) => {
                let g2 = g.clone();
                Box::new(
                    store
                        .graph_triples(g.as_ref())
                        .map(move |t| t.map(|t| t.in_graph(g2.clone()))),
                )
            }
            None => Box::new(store.quads()),
        };
        let fingerprint = if args.fingerprint_only {
            crate::canonical::write_canonical(quads, std::io::sink())?
        } else {
            let mut out = output(args.output.as_deref())?;
            let f = crate::canonical::write_canonical(quads, &mut out)?;
            out.flush().map_err(|source| Error::Io {
                path: "<output>".into(),
                source,
            })?;
            f
        };
        if args.fingerprint_only {
            println!("sha256:{fingerprint}");
        } else {
            eprintln!("fingerprint: sha256:{fingerprint}");
        }
        return Ok(Outcome::Success);
    }
    let format = crate::rdfio::format_from_name(&args.format)?;
    let out = output(args.output.as_deref())?;
    store.dump(format, graph.as_ref().map(GraphName::as_ref), out)?;
    Ok(Outcome::Success)
}

fn validate(store: &KgStore, format: ReportFormat) -> Result<Outcome> {
    let violations = Shapes::embedded()?.validate(store)?;
    match format {
        ReportFormat::Json => {
            let report = serde_json::json!({
                "conforms": violations.is_empty(),
                "violations": violations,
            });
            println!("{report:#}");
        }
        ReportFormat::Text if violations.is_empty() => {
            println!("conforms: no violations of the SHACL shapes");
        }
        ReportFormat::Text => {
            println!("{} violation(s) of the SHACL shapes:", violations.len());
            for v in &violations {
                println!("- {v}");
            }
        }
    }
    Ok(if violations.is_empty() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

fn stats(store: &KgStore, format: ReportFormat) -> Result<Outcome> {
    let graphs = store.graph_counts()?;
    let by_class = count_rows(
        store,
        "SELECT ?key (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a ?key } \
         FILTER(STRSTARTS(STR(?key), STR(ak:))) FILTER(?g != <https://w3id.org/autokg/graph/ontology>) } \
         GROUP BY ?key ORDER BY DESC(?n) ?key",
    )?;
    let by_measure = count_rows(
        store,
        "SELECT ?key (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ak:Observation ; ak:measure ?key } \
         GROUP BY ?key ORDER BY DESC(?n) ?key",
    )?;
    let mut out = std::io::stdout().lock();
    let io = |source| Error::Io {
        path: "<stdout>".into(),
        source,
    };
    match format {
        ReportFormat::Json => {
            let doc = serde_json::json!({
                "quads": store.len()?,
                "graphs": graphs,
                "entitiesPerClass": by_class.iter().map(|(k, n)| serde_json::json!({"class": k, "count": n})).collect::<Vec<_>>(),
                "observationsPerMeasure": by_measure.iter().map(|(k, n)| serde_json::json!({"measure": k, "count": n})).collect::<Vec<_>>(),
            });
            writeln!(out, "{doc:#}").map_err(io)?;
        }
        ReportFormat::Text => {
            let table = |title: &str, rows: Vec<Vec<String>>, out: &mut dyn Write| {
                writeln!(out, "\n{title}")?;
                write_table(&["name".into(), "count".into()], &rows, &mut &mut *out)
            };
            table(
                "Triples per graph",
                graphs
                    .iter()
                    .map(|g| vec![g.graph.clone(), g.triples.to_string()])
                    .collect(),
                &mut out,
            )
            .map_err(io)?;
            table(
                "Entities per class (asserted and inferred)",
                by_class
                    .iter()
                    .map(|(k, n)| vec![k.clone(), n.to_string()])
                    .collect(),
                &mut out,
            )
            .map_err(io)?;
            table(
                "Observations per measure",
                by_measure
                    .iter()
                    .map(|(k, n)| vec![k.clone(), n.to_string()])
                    .collect(),
                &mut out,
            )
            .map_err(io)?;
        }
    }
    Ok(Outcome::Success)
}

fn count_rows(store: &KgStore, sparql: &str) -> Result<Vec<(String, u64)>> {
    let QueryResults::Solutions(solutions) = store.query(sparql)? else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for s in solutions {
        let s = s.map_err(|e| Error::Evaluation(e.to_string()))?;
        let key = s
            .get("key")
            .map(crate::results::compact)
            .unwrap_or_default();
        let n = match s.get("n") {
            Some(oxigraph::model::Term::Literal(l)) => l.value().parse().unwrap_or(0),
            _ => 0,
        };
        rows.push((key, n));
    }
    Ok(rows)
}

/// Whether the graph name is the default graph.
pub fn is_default(graph: GraphNameRef<'_>) -> bool {
    graph.is_default_graph()
}
