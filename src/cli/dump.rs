//! `autokg dump`: the store or one graph as RDF, or as canonical N-Quads with the dataset
//! fingerprint.

use super::output::output;
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
        let fingerprint = if args.fingerprint_only {
            crate::rdf::canonical::write_canonical(quads, std::io::sink())?
        } else {
            let mut out = output(args.output.as_deref())?;
            let f = crate::rdf::canonical::write_canonical(quads, &mut out)?;
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
    let format = crate::rdf::io::format_from_name(&args.format)?;
    let out = output(args.output.as_deref())?;
    store.dump(format, graph.as_ref().map(GraphName::as_ref), out)?;
    Ok(Outcome::Success)
}
