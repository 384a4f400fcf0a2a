//! `autokg impact`: what removing entities together cuts off.

use super::output::{print_report, short, ReportArgs};
use super::Outcome;
use crate::analytics::{self, ImpactReport};
use crate::error::Result;
use crate::projection::DEFAULT;
use crate::sparql::results::write_table;
use crate::store::KgStore;
use clap::Args;
use std::io::Write;

/// Arguments of `impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// Entities to remove together: akid local names or IRIs.
    #[arg(required = true, value_name = "NODE")]
    pub nodes: Vec<String>,
    /// The projection, the output format (table or json) and the time limit.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `autokg impact`.
pub fn run(store: &KgStore, args: ImpactArgs) -> Result<Outcome> {
    let (projection, deadline) = args.report.projection_until(store, "impact", DEFAULT)?;
    let report = analytics::impact_until(store, &args.nodes, &projection, &deadline)?;
    print_report(args.report.format, &report, impact_table)
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
