//! `autokg stats`: triples per graph, entities per class, observations per measure.

use super::output::ReportFormat;
use super::Outcome;
use crate::error::{Error, Result};
use crate::sparql::results::write_table;
use crate::store::{KgStore, Stats};
use clap::Args;
use std::io::Write;

/// Arguments of `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

/// `autokg stats`.
pub fn run(store: &KgStore, format: ReportFormat) -> Result<Outcome> {
    let Stats {
        graphs,
        by_class,
        by_measure,
    } = store.stats()?;
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
