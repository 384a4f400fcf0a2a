//! `autokg dump`: the store or one graph as RDF, or as canonical N-Quads with the dataset
//! fingerprint.

use super::output::{bytes, output, spinner, Counted};
use super::Outcome;
use crate::error::{Error, Result};
use crate::store::KgStore;
use clap::Args;
use oxigraph::model::GraphName;
use std::io::Write;
use std::path::PathBuf;

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

/// `autokg dump`.
pub fn run(store: &KgStore, args: DumpArgs) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let graph = args
        .graph
        .as_deref()
        .map(|g| super::parse_graph(Some(g)))
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
        let bar = spinner("writing canonical N-Quads");
        let fingerprint = if args.fingerprint_only {
            crate::rdf::canonical::write_canonical(quads, std::io::sink())?
        } else {
            let mut out = Counted::new(output(args.output.as_deref())?, bar.clone());
            let f = crate::rdf::canonical::write_canonical(quads, &mut out)?;
            out.flush().map_err(|source| Error::Io {
                path: "<output>".into(),
                source,
            })?;
            f
        };
        bar.finish_and_clear();
        if args.fingerprint_only {
            println!("sha256:{fingerprint}");
        } else {
            eprintln!(
                "dumped {} of canonical N-Quads in {:.2} s; fingerprint: sha256:{fingerprint}",
                bytes(bar.position()),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(Outcome::Success);
    }
    let format = crate::rdf::io::format_from_name(&args.format)?;
    let bar = spinner(format!("writing {}", format.name()));
    let out = Counted::new(output(args.output.as_deref())?, bar.clone());
    store.dump(format, graph.as_ref().map(GraphName::as_ref), out)?;
    bar.finish_and_clear();
    eprintln!(
        "dumped {} of {} in {:.2} s",
        bytes(bar.position()),
        format.name(),
        started.elapsed().as_secs_f64()
    );
    Ok(Outcome::Success)
}
