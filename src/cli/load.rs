//! `autokg load`: RDF files into the store, atomically, or into a running server through
//! its Graph Store.

use super::output::progress_bar;
use super::Outcome;
use crate::error::{Error, Result};
use crate::rdf::io::RdfSource;
use crate::store::{KgStore, LoadReport};
use crate::vocab::{GRAPH_INFERRED, GRAPH_META};
use clap::Args;
use oxigraph::model::GraphName;
use std::path::PathBuf;

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

/// `autokg load` into the local store (`--store`, or the in-memory one).
pub fn run(store: &KgStore, args: LoadArgs) -> Result<Outcome> {
    let graph = super::parse_graph(args.graph.as_deref())?;
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

/// `autokg load --server URL`: the files are parsed here (errors name file, line and
/// column) and sent to the server's Graph Store as one body, so they land in one
/// transaction.
pub fn run_remote(server: &str, args: &LoadArgs) -> Result<Outcome> {
    let graph = super::parse_graph(args.graph.as_deref())?;
    let body = crate::remote::ntriples_body(&args.files, args.format.as_deref())?;
    let answer = crate::remote::post_graph(server, &graph, body, args.token.as_deref())?;
    eprintln!("{answer}");
    Ok(Outcome::Success)
}

/// Loads files atomically into `graph` (or each file's own graphs for quad formats).
pub fn load_files(
    store: &KgStore,
    files: &[PathBuf],
    graph: Option<GraphName>,
    format: Option<&str>,
) -> Result<LoadReport> {
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
