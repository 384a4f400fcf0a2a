//! The RDF behind an export graph (the subgraph a SPARQL CONSTRUCT would give), in every
//! RDF syntax of the SPARQL endpoint, through Oxigraph's `RdfSerializer`.
//!
//! For the graph's nodes (IRIs; blank nodes have no stable name to look up) it writes every
//! triple from one node to another (the direct edges, whatever their property), each node's
//! `rdf:type`s and `rdfs:label`s, and the statement nodes (`ak:subject` and `ak:object` both
//! among the nodes) with all their triples: provenance included.
//!
//! The nodes are taken in IRI order, [`CHUNK`] at a time; each chunk's triples (those of its
//! nodes and of the statement nodes whose subject is one of them) are sorted by their
//! N-Triples form and written before the next chunk is read. Memory stays bounded by a chunk
//! whatever the graph's size, and the same data gives the same bytes.

use super::model::ExportGraph;
use super::{checked_error, Checked};
use crate::algorithms::Deadline;
use crate::error::{Error, Result};
use crate::store::KgStore;
use crate::vocab::{AK, PREFIXES};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::QueryResults;
use std::collections::HashSet;
use std::io::{self, BufWriter, Write};

/// Nodes per chunk (one `VALUES` block per query).
pub const CHUNK: usize = 2000;

/// Writes the RDF behind `graph` in `format` (quad formats put it in the default graph),
/// with the predeclared prefixes where the syntax has prefixes.
///
/// Errors: store and query errors as [`Error`]; write errors as [`Error::Io`] naming
/// `<output>`.
pub fn write(
    store: &KgStore,
    graph: &ExportGraph,
    format: RdfFormat,
    out: impl Write,
) -> Result<()> {
    write_until(store, graph, format, out, &Deadline::none())
}

/// [`write`] under a deadline: checked before each chunk, during its queries, and on every
/// write that reaches `out`.
///
/// Errors: as [`write`], and [`Error::Timeout`] with the deadline's limit once it expires.
pub fn write_until(
    store: &KgStore,
    graph: &ExportGraph,
    format: RdfFormat,
    out: impl Write,
    deadline: &Deadline,
) -> Result<()> {
    let io = |source: io::Error| checked_error(source, deadline);
    let out = Checked::new(out, deadline);
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in PREFIXES {
        serializer = serializer
            .with_prefix(*prefix, *iri)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
    }
    let mut writer = serializer.for_writer(BufWriter::with_capacity(1 << 16, out));
    let nodes: HashSet<&str> = graph
        .nodes
        .iter()
        .map(|n| n.id.as_str())
        .filter(|id| !id.starts_with("_:"))
        .collect();
    let mut iris: Vec<&str> = nodes.iter().copied().collect();
    iris.sort_unstable();
    for chunk in iris.chunks(CHUNK) {
        deadline.check()?;
        for t in chunk_triples(store, &nodes, chunk, deadline)? {
            writer.serialize_triple(&t).map_err(io)?;
        }
    }
    writer.finish().map_err(io)?.flush().map_err(io)
}

/// The triples of one chunk of nodes, sorted and without duplicates.
fn chunk_triples(
    store: &KgStore,
    nodes: &HashSet<&str>,
    chunk: &[&str],
    deadline: &Deadline,
) -> Result<Vec<Triple>> {
    let in_set = |t: &Term| matches!(t, Term::NamedNode(n) if nodes.contains(n.as_str()));
    let values: String = chunk.iter().map(|iri| format!("<{iri}> ")).collect();
    let mut out: HashSet<Triple> = HashSet::new();
    select(
        store,
        &format!("SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values}}} ?s ?p ?o }}"),
        deadline,
        |s| {
            let (Some(Term::NamedNode(subject)), Some(Term::NamedNode(p)), Some(o)) =
                (s.get("s"), s.get("p"), s.get("o"))
            else {
                return;
            };
            if p.as_ref() == rdf::TYPE || p.as_ref() == rdfs::LABEL || in_set(o) {
                out.insert(Triple::new(subject.clone(), p.clone(), o.clone()));
            }
        },
    )?;
    select(
        store,
        &format!(
            "SELECT ?st ?o ?p ?x WHERE {{ VALUES ?s {{ {values}}} \
             ?st <{AK}subject> ?s ; <{AK}object> ?o . ?st ?p ?x }}"
        ),
        deadline,
        |s| {
            let (Some(st), Some(o), Some(Term::NamedNode(p)), Some(x)) =
                (s.get("st"), s.get("o"), s.get("p"), s.get("x"))
            else {
                return;
            };
            let subject = match st {
                Term::NamedNode(n) => NamedOrBlankNode::from(n.clone()),
                Term::BlankNode(b) => NamedOrBlankNode::from(b.clone()),
                _ => return,
            };
            if in_set(o) {
                out.insert(Triple::new(subject, p.clone(), x.clone()));
            }
        },
    )?;
    let mut sorted: Vec<Triple> = out.into_iter().collect();
    sorted.sort_by_cached_key(Triple::to_string);
    Ok(sorted)
}

fn select(
    store: &KgStore,
    query: &str,
    deadline: &Deadline,
    mut row: impl FnMut(&oxigraph::sparql::QuerySolution),
) -> Result<()> {
    crate::sparql::cancel::query_until(store, query, deadline, |results| {
        let QueryResults::Solutions(solutions) = results else {
            return Ok(());
        };
        for s in solutions {
            row(&s.map_err(|e| Error::Evaluation(e.to_string()))?);
        }
        Ok(())
    })
}
