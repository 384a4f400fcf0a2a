//! `autokg centrality`: a measure on a projection, as a table, JSON or CSV, optionally
//! written back to the analytics graph.

use super::output::{io_error, short, spinner, Format, ProjectionArgs, TimeoutArgs};
use super::Outcome;
use crate::analytics::{self, CentralityReport, Measure, MeasureOptions, Score};
use crate::error::Result;
use crate::projection::DEFAULT;
use crate::sparql::results::write_table;
use crate::store::KgStore;
use clap::Args;
use std::io::Write;

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
    /// The time limit.
    #[command(flatten)]
    pub limit: TimeoutArgs,
}

/// `autokg centrality`.
pub fn run(store: &KgStore, args: CentralityArgs) -> Result<Outcome> {
    let measure: Measure = args.measure.parse()?;
    let spec = args.projection.spec(DEFAULT)?;
    let deadline = args.limit.deadline();
    let started = std::time::Instant::now();
    let bar = spinner(format!("projecting '{}'", spec.name()));
    let projection = crate::projection::Projection::build_until(store, &spec, &deadline)?;
    bar.set_message(format!("computing {}", args.measure));
    let options = MeasureOptions {
        normalized: !args.raw,
        samples: args.samples,
        seed: args.seed,
        root: args.root,
        reverse: args.reverse,
        top: args.top,
    };
    let report = analytics::measure_until(store, &projection, measure, &options, &deadline, None)?;
    bar.finish_and_clear();
    eprintln!(
        "{} on '{}' ({} nodes, {} edges) in {:.2} s",
        report.measure,
        report.projection,
        projection.node_count(),
        projection.graph().edge_count(),
        started.elapsed().as_secs_f64()
    );
    if args.write {
        report_written(store, &report, analytics::write_scores(store, &report)?);
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

fn report_written(store: &KgStore, report: &CentralityReport, n: usize) {
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

fn centrality_csv(report: &CentralityReport, out: &mut impl Write) -> std::io::Result<()> {
    let dominators = report.root.is_some();
    let mut csv = csv::Writer::from_writer(out);
    let mut header = vec!["id", "label", "score"];
    if dominators {
        header.push("dominator");
    }
    csv.write_record(&header)?;
    for n in &report.nodes {
        let mut record = vec![
            n.id.clone(),
            n.label.clone().unwrap_or_default(),
            n.score.to_string(),
        ];
        if dominators {
            record.push(n.dominator.clone().unwrap_or_default());
        }
        csv.write_record(&record)?;
    }
    csv.flush()
}
