//! RDF below the store: file formats and their parse errors ([`io`]), RDFS entailment from a
//! closed schema ([`inference`]) and RDFC-1.0 canonical N-Quads ([`canonical`]). Nothing here
//! reads the store; SHACL validation, which does, is [`crate::shacl`].

pub mod canonical;
pub mod inference;
pub mod io;
