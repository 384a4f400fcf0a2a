//! `autokg paths`: the k shortest relationship paths between two entities, with each hop's
//! relations and provenance.

use super::output::{print_report, short, ReportArgs};
use super::Outcome;
use crate::analytics::{self, PathsReport};
use crate::error::{Error, Result};
use crate::sparql::results::write_table;
use crate::store::KgStore;
use clap::Args;
use std::io::Write;

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
    /// The projection, the output format (table or json) and the time limit.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `autokg paths`.
pub fn run(store: &KgStore, args: PathsArgs) -> Result<Outcome> {
    if args.k == 0 {
        return Err(Error::InvalidInput("--k must be at least 1".into()));
    }
    let (projection, deadline) = args.report.projection_until(store, "paths", "all")?;
    let report =
        analytics::paths_until(store, &args.from, &args.to, args.k, &projection, &deadline)?;
    print_report(args.report.format, &report, paths_table)
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
