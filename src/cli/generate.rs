//! `autokg generate`: a deterministic synthetic supply network as N-Quads or N-Triples.

use super::Outcome;
use crate::error::{Error, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

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

/// `autokg generate`: needs no store.
pub fn run(args: &GenerateArgs) -> Result<Outcome> {
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
    let started = std::time::Instant::now();
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
        "generated {} firms ({} carmakers, {} joint ventures, {} suppliers), {} brands, {} supply links, {} relations: {} {into} in {:.2} s",
        report.firms,
        report.automakers,
        report.joint_ventures,
        report.suppliers,
        report.brands,
        report.supply_links,
        report.relations,
        report.quads,
        started.elapsed().as_secs_f64(),
    );
    Ok(Outcome::Success)
}
