//! `autokg critical`: articulation points and bridges (single points of failure).

use super::output::{print_report, short, ReportArgs};
use super::Outcome;
use crate::analytics::{self, CriticalReport};
use crate::error::Result;
use crate::projection::DEFAULT;
use crate::sparql::results::write_table;
use crate::store::KgStore;
use clap::Args;
use std::io::Write;

/// Arguments of `critical`.
#[derive(Debug, Args)]
pub struct CriticalArgs {
    /// The projection, the output format (table or json) and the time limit.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Show only the N most disconnecting articulation points and bridges.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

/// `autokg critical`: articulation points and bridges, the most disconnecting first.
pub fn run(store: &KgStore, args: CriticalArgs) -> Result<Outcome> {
    let (projection, deadline) = args.report.projection_until(store, "critical", DEFAULT)?;
    let mut report = analytics::critical_until(store, &projection, &deadline)?;
    if let Some(n) = args.top {
        report.articulation_points.truncate(n);
        report.bridges.truncate(n);
    }
    print_report(args.report.format, &report, critical_table)
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
