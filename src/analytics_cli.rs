//! The analytics subcommands (`centrality`, `critical`, `paths`, `impact`, `generate`): clap
//! arguments and one function each, glue between the command line and [`crate::analytics`].

use crate::analytics::{
    self, CentralityReport, CriticalReport, ImpactReport, Measure, MeasureOptions, PathsReport,
    Score,
};
use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::projection::{ProjectionSpec, DEFAULT};
use crate::results::{compact, write_table};
use crate::store::KgStore;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::model::{NamedNode, Term};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table (compact IRIs).
    Table,
    /// The JSON document of the HTTP API.
    Json,
    /// CSV with full IRIs.
    Csv,
}

/// Which projection to run on.
#[derive(Debug, Clone, Args)]
pub struct ProjectionArgs {
    /// A named projection: supply-chain, ownership, geography, all.
    #[arg(long, value_name = "NAME")]
    pub projection: Option<String>,
    /// Your own projection: a SPARQL SELECT of ?source ?target [?relation ?weight], with a
    /// `# directed: true|false` comment line at the top.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "projection"
    )]
    pub file: Option<PathBuf>,
}

impl ProjectionArgs {
    fn spec(&self, default: &str) -> Result<ProjectionSpec> {
        match (&self.file, &self.projection) {
            (Some(path), _) => ProjectionSpec::from_file(path),
            (None, Some(name)) => ProjectionSpec::named(name),
            (None, None) => ProjectionSpec::named(default),
        }
    }
}

/// Arguments of `centrality`.
#[derive(Debug, Args)]
pub struct CentralityArgs {
    /// degree, in-degree, out-degree, pagerank, betweenness, closeness, harmonic,
    /// eigenvector, kcore, components, dominators (networkx's conventions).
    #[arg(short = 'm', long, value_name = "MEASURE")]
    pub measure: String,
    /// The projection (default: supply-chain).
    #[command(flatten)]
    pub projection: ProjectionArgs,
    /// Show only the N highest scores.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Also store the scores in the graph <https://w3id.org/autokg/graph/analytics>
    /// (replacing earlier scores of the same measure and projection).
    #[arg(long)]
    pub write: bool,
    /// Betweenness: estimate from K sampled source nodes instead of all (large graphs).
    #[arg(short = 'k', long = "samples", value_name = "K")]
    pub samples: Option<usize>,
    /// Betweenness: seed of the sample.
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    pub seed: u64,
    /// Degree and betweenness: raw counts instead of networkx's normalised values.
    #[arg(long)]
    pub raw: bool,
    /// Dominators: the root entity (akid local name or IRI).
    #[arg(long, value_name = "ENTITY")]
    pub root: Option<String>,
    /// Dominators: walk edges backwards (on supply-chain: from a carmaker to its suppliers).
    #[arg(long)]
    pub reverse: bool,
}

/// Arguments of `paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    /// Start entity: an akid local name (seres) or a full IRI.
    #[arg(value_name = "FROM")]
    pub from: String,
    /// End entity.
    #[arg(value_name = "TO")]
    pub to: String,
    /// How many shortest simple paths.
    #[arg(short = 'k', long = "k", value_name = "N", default_value_t = 1)]
    pub k: usize,
    /// The projection to walk (default: all, every relation either way).
    #[command(flatten)]
    pub projection: ProjectionArgs,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Arguments of `impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// Entities to remove together: akid local names or IRIs.
    #[arg(required = true, value_name = "NODE")]
    pub nodes: Vec<String>,
    /// The projection (default: supply-chain).
    #[command(flatten)]
    pub projection: ProjectionArgs,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Arguments of `critical`.
#[derive(Debug, Args)]
pub struct CriticalArgs {
    /// The projection (default: supply-chain); its undirected view is analysed.
    #[command(flatten)]
    pub projection: ProjectionArgs,
    /// Show only the N most disconnecting articulation points and bridges.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of firms (carmakers, joint ventures and suppliers).
    #[arg(long, value_name = "N")]
    pub firms: usize,
    /// Seed: the same seed and size give the same file.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Write to FILE instead of standard output; a name ending in .nt gives N-Triples
    /// (no graph name) instead of N-Quads.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Prints a report on standard output: the JSON document of the HTTP API, or `table`.
fn print_report<T: serde::Serialize>(
    format: Format,
    report: &T,
    table: impl FnOnce(&T, &mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> Result<Outcome> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, report).map_err(|e| io_error(e.into()))?;
            writeln!(out).map_err(io_error)?;
        }
        Format::Table | Format::Csv => table(report, &mut out).map_err(io_error)?,
    }
    out.flush().map_err(io_error)?;
    Ok(Outcome::Success)
}

fn table_or_json(command: &str) -> Error {
    Error::InvalidInput(format!(
        "--format csv is for centrality; {command} prints a table or json"
    ))
}

fn io_error(source: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source,
    }
}

/// `autokg centrality`.
pub fn centrality(store: &KgStore, args: CentralityArgs) -> Result<Outcome> {
    let measure: Measure = args.measure.parse()?;
    let spec = args.projection.spec(DEFAULT)?;
    let projection = crate::projection::Projection::build(store, &spec)?;
    let options = MeasureOptions {
        normalized: !args.raw,
        samples: args.samples,
        seed: args.seed,
        root: args.root,
        reverse: args.reverse,
        top: args.top,
    };
    let report = analytics::measure(store, &projection, measure, &options)?;
    if args.write {
        write_scores(store, &report)?;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(|e| io_error(e.into()))?;
            writeln!(out).map_err(io_error)?;
        }
        Format::Csv => centrality_csv(&report, &mut out).map_err(io_error)?,
        Format::Table => centrality_table(&report, &mut out).map_err(io_error)?,
    }
    out.flush().map_err(io_error)?;
    Ok(Outcome::Success)
}

fn write_scores(store: &KgStore, report: &CentralityReport) -> Result<()> {
    let update = KgStore::evaluator()
        .parse_update(&analytics::clear_scores_update(report))
        .map_err(|e| Error::SparqlSyntax(e.to_string()))?;
    store.update(update)?;
    let quads = analytics::score_quads(report, std::time::SystemTime::now());
    let n = report.nodes.len();
    store.load_quads(&quads)?;
    store.flush()?;
    eprintln!(
        "wrote {n} {} scores of '{}' to <{}>{}",
        report.measure,
        report.projection,
        crate::vocab::GRAPH_ANALYTICS,
        if store.is_persistent() {
            ""
        } else {
            " (in memory: they end with this command; use --store DIR to keep them)"
        }
    );
    Ok(())
}

fn short(iri: &str) -> String {
    match NamedNode::new(iri) {
        Ok(n) => compact(&Term::NamedNode(n)),
        Err(_) => iri.to_owned(),
    }
}

fn score_text(score: Score) -> String {
    match score {
        Score::Integer(i) => i.to_string(),
        Score::Real(0.0) => "0".to_owned(),
        Score::Real(x) if x.abs() >= 1e-4 && x.abs() < 1e6 => format!("{x:.6}"),
        Score::Real(x) => format!("{x:.6e}"),
    }
}

fn centrality_table(report: &CentralityReport, out: &mut impl Write) -> std::io::Result<()> {
    let mut about = vec![format!(
        "{} on '{}' ({}, {} nodes, {} edges)",
        report.measure,
        report.projection,
        if report.directed {
            "directed"
        } else {
            "undirected"
        },
        report.node_count,
        report.edge_count
    )];
    if report.normalized == Some(false) {
        about.push("raw".into());
    }
    if let Some(i) = report.iterations {
        about.push(format!("converged in {i} iterations"));
    }
    match (report.sampled, report.samples) {
        (Some(true), Some(k)) => about.push(format!(
            "SAMPLED: estimated from {k} of {} sources (seed {}), not exact",
            report.node_count,
            report.seed.unwrap_or(0)
        )),
        (Some(false), _) => about.push("exact".into()),
        _ => {}
    }
    if let Some(root) = &report.root {
        about.push(format!("from root {}", short(root)));
    }
    writeln!(out, "{}", about.join("; "))?;
    let dominators = report.root.is_some();
    let mut header = vec![
        "#".to_owned(),
        "entity".into(),
        "label".into(),
        "score".into(),
    ];
    if dominators {
        header[3] = "dominates".into();
        header.push("immediate dominator".into());
    }
    if report.measure == "components" {
        header[3] = "component".into();
    }
    let rows: Vec<Vec<String>> = report
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut row = vec![
                (i + 1).to_string(),
                short(&n.id),
                n.label.clone().unwrap_or_default(),
                score_text(n.score),
            ];
            if dominators {
                row.push(n.dominator.as_deref().map(short).unwrap_or_default());
            }
            row
        })
        .collect();
    write_table(&header, &rows, out)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn centrality_csv(report: &CentralityReport, out: &mut impl Write) -> std::io::Result<()> {
    let dominators = report.root.is_some();
    writeln!(
        out,
        "id,label,score{}",
        if dominators { ",dominator" } else { "" }
    )?;
    for n in &report.nodes {
        write!(
            out,
            "{},{},{}",
            csv_field(&n.id),
            csv_field(n.label.as_deref().unwrap_or("")),
            n.score
        )?;
        if dominators {
            write!(out, ",{}", csv_field(n.dominator.as_deref().unwrap_or("")))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `autokg paths`.
pub fn paths(store: &KgStore, args: PathsArgs) -> Result<Outcome> {
    if args.format == Format::Csv {
        return Err(table_or_json("paths"));
    }
    if args.k == 0 {
        return Err(Error::InvalidInput("--k must be at least 1".into()));
    }
    let spec = args.projection.spec("all")?;
    let projection = crate::projection::Projection::build(store, &spec)?;
    let report = analytics::paths(store, &args.from, &args.to, args.k, &projection)?;
    print_report(args.format, &report, paths_table)
}

fn paths_table(report: &PathsReport, out: &mut impl Write) -> std::io::Result<()> {
    let name = |e: &analytics::EntityRef| e.label.clone().unwrap_or_else(|| short(&e.id));
    if report.paths.is_empty() {
        return writeln!(
            out,
            "no path from {} to {} in '{}'",
            name(&report.from),
            name(&report.to),
            report.projection
        );
    }
    writeln!(
        out,
        "{} path(s) from {} to {} in '{}'",
        report.paths.len(),
        name(&report.from),
        name(&report.to),
        report.projection
    )?;
    let header: Vec<String> = [
        "path",
        "hop",
        "from",
        "relation",
        "to",
        "assertion",
        "paragraphs",
        "statement",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::new();
    for (p, path) in report.paths.iter().enumerate() {
        for (h, hop) in path.hops.iter().enumerate() {
            for r in &hop.relations {
                let (from, to) = match r.direction {
                    analytics::HopDirection::Forward => (&hop.from, &hop.to),
                    analytics::HopDirection::Backward => (&hop.to, &hop.from),
                };
                rows.push(vec![
                    (p + 1).to_string(),
                    (h + 1).to_string(),
                    short(from),
                    short(&r.relation),
                    short(to),
                    r.assertion.as_deref().map(short).unwrap_or_default(),
                    r.paragraphs
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    r.statement.as_deref().map(short).unwrap_or_default(),
                ]);
            }
        }
    }
    write_table(&header, &rows, out)
}

/// `autokg impact`.
pub fn impact(store: &KgStore, args: ImpactArgs) -> Result<Outcome> {
    if args.format == Format::Csv {
        return Err(table_or_json("impact"));
    }
    let spec = args.projection.spec(DEFAULT)?;
    let projection = crate::projection::Projection::build(store, &spec)?;
    let report = analytics::impact(store, &args.nodes, &projection)?;
    print_report(args.format, &report, impact_table)
}

fn impact_table(report: &ImpactReport, out: &mut impl Write) -> std::io::Result<()> {
    let removed: Vec<String> = report.removed.iter().map(|e| short(&e.id)).collect();
    writeln!(
        out,
        "removing {} from '{}' ({}):",
        removed.join(", "),
        report.projection,
        if report.directed {
            "directed"
        } else {
            "undirected"
        }
    )?;
    writeln!(
        out,
        "  largest component {} → {}; components {} → {}; {} ordered pairs lose reachability",
        report.largest_component_before,
        report.largest_component_after,
        report.components_before,
        report.components_after,
        report.pairs_lost
    )?;
    writeln!(
        out,
        "  {} entities lose every path to the rest:",
        report.disconnected.len()
    )?;
    let rows: Vec<Vec<String>> = report
        .disconnected
        .iter()
        .map(|e| vec![short(&e.id), e.label.clone().unwrap_or_default()])
        .collect();
    write_table(&["entity".to_owned(), "label".to_owned()], &rows, out)
}

/// `autokg critical`: articulation points and bridges, the most disconnecting first.
pub fn critical(store: &KgStore, args: CriticalArgs) -> Result<Outcome> {
    if args.format == Format::Csv {
        return Err(table_or_json("critical"));
    }
    let spec = args.projection.spec(DEFAULT)?;
    let projection = crate::projection::Projection::build(store, &spec)?;
    let mut report = analytics::critical(store, &projection)?;
    if let Some(n) = args.top {
        report.articulation_points.truncate(n);
        report.bridges.truncate(n);
    }
    print_report(args.format, &report, critical_table)
}

fn critical_table(report: &CriticalReport, out: &mut impl Write) -> std::io::Result<()> {
    let label = |l: &Option<String>| l.clone().unwrap_or_default();
    writeln!(
        out,
        "single points of failure of '{}' (undirected view): {} articulation points, {} bridges",
        report.projection,
        report.articulation_points.len(),
        report.bridges.len()
    )?;
    let rows: Vec<Vec<String>> = report
        .articulation_points
        .iter()
        .map(|n| vec![short(&n.id), label(&n.label), n.disconnects.to_string()])
        .collect();
    write_table(
        &["articulation point", "label", "cuts off"].map(str::to_owned),
        &rows,
        out,
    )?;
    let rows: Vec<Vec<String>> = report
        .bridges
        .iter()
        .map(|b| {
            let relations: Vec<String> = b.relations.iter().map(|r| short(r)).collect();
            vec![
                short(&b.source.id),
                short(&b.target.id),
                relations.join(" "),
                b.disconnects.to_string(),
            ]
        })
        .collect();
    write_table(
        &["bridge from", "to", "relations", "cuts off"].map(str::to_owned),
        &rows,
        out,
    )
}

/// `autokg generate`: needs no store.
pub fn generate(args: &GenerateArgs) -> Result<Outcome> {
    let triples = args
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .is_some_and(|e| e == "nt");
    let options = crate::generate::Options {
        firms: args.firms,
        seed: args.seed,
        triples,
    };
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(args.firms as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "generating {bar:30} {human_pos}/{human_len} firms ({per_sec}) {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = bar.clone();
    let on_progress = move |n: u64| progress.set_position(n);
    let report = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            crate::generate::generate(options, std::io::BufWriter::new(file), on_progress).map_err(
                |e| match e {
                    Error::Io { source, .. } => Error::Io {
                        path: path.clone(),
                        source,
                    },
                    e => e,
                },
            )?
        }
        None => crate::generate::generate(
            options,
            std::io::BufWriter::new(std::io::stdout().lock()),
            on_progress,
        )?,
    };
    bar.finish_and_clear();
    let into = if triples {
        "N-Triples".to_owned()
    } else {
        format!("quads in <{}>", crate::vocab::GRAPH_SYNTHETIC)
    };
    eprintln!(
        "generated {} firms ({} carmakers, {} joint ventures, {} suppliers), {} brands, {} supply links, {} relations: {} {into}",
        report.firms,
        report.automakers,
        report.joint_ventures,
        report.suppliers,
        report.brands,
        report.supply_links,
        report.relations,
        report.quads,
    );
    Ok(Outcome::Success)
}
