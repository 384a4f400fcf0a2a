//! Canonical N-Quads (RDFC-1.0, by sophia's c14n) and the SHA-256 fingerprint of a dataset.

use crate::error::{Error, Result};
use crate::vocab::hex;
use oxigraph::model::{GraphName, Quad, Term};
use sha2::{Digest, Sha256};
use sophia_api::quad::Spog;
use sophia_api::term::{BnodeId, IriRef, LanguageTag, SimpleTerm};
use sophia_api::MownStr;
use std::collections::BTreeSet;
use std::io::Write;

fn owned(s: &str) -> MownStr<'static> {
    MownStr::from(s.to_owned())
}

fn term(t: &Term) -> SimpleTerm<'static> {
    match t {
        Term::NamedNode(n) => SimpleTerm::Iri(IriRef::new_unchecked(owned(n.as_str()))),
        Term::BlankNode(b) => SimpleTerm::BlankNode(BnodeId::new_unchecked(owned(b.as_str()))),
        Term::Literal(l) => match l.language() {
            Some(lang) => SimpleTerm::LiteralLanguage(
                owned(l.value()),
                LanguageTag::new_unchecked(owned(lang)),
                None,
            ),
            None => SimpleTerm::LiteralDatatype(
                owned(l.value()),
                IriRef::new_unchecked(owned(l.datatype().as_str())),
            ),
        },
    }
}

fn to_sophia(q: &Quad) -> Spog<SimpleTerm<'static>> {
    let graph = match &q.graph_name {
        GraphName::DefaultGraph => None,
        GraphName::NamedNode(n) => Some(term(&Term::from(n.clone()))),
        GraphName::BlankNode(b) => Some(term(&Term::from(b.clone()))),
    };
    (
        [
            term(&Term::from(q.subject.clone())),
            term(&Term::from(q.predicate.clone())),
            term(&q.object),
        ],
        graph,
    )
}

/// A writer that hashes what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the canonical N-Quads of `quads` to `out` and returns the SHA-256 (hex) of exactly
/// those bytes: the dataset's fingerprint.
pub fn write_canonical(
    quads: impl Iterator<Item = Result<Quad>>,
    out: impl Write,
) -> Result<String> {
    let mut dataset = BTreeSet::new();
    for q in quads {
        dataset.insert(to_sophia(&q?));
    }
    let mut writer = HashingWriter {
        inner: out,
        hasher: Sha256::new(),
    };
    sophia_c14n::rdfc10::normalize(&dataset, &mut writer)
        .map_err(|e| Error::Evaluation(format!("canonicalization failed: {e}")))?;
    writer.flush().map_err(|source| Error::Io {
        path: "<output>".into(),
        source,
    })?;
    Ok(hex(&writer.hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, NamedNode};

    fn quad(b: &str, label: &str) -> Quad {
        Quad::new(
            BlankNode::new_unchecked(b),
            NamedNode::new_unchecked("http://e/p"),
            Literal::new_language_tagged_literal_unchecked(label, "zh"),
            GraphName::DefaultGraph,
        )
    }

    #[test]
    fn blank_node_names_do_not_change_the_fingerprint() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let fa = write_canonical([Ok(quad("x1", "赛力斯"))].into_iter(), &mut a).unwrap();
        let fb = write_canonical([Ok(quad("other", "赛力斯"))].into_iter(), &mut b).unwrap();
        assert_eq!(fa, fb);
        assert_eq!(a, b);
        assert!(String::from_utf8(a).unwrap().starts_with("_:c14n0 "));
    }
}
