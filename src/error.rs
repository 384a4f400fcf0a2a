//! The library's error type: each variant says when it occurs and names what is wrong and where.

use std::path::PathBuf;

/// Everything that can go wrong in the library. The CLI maps these to exit codes and the
/// HTTP layer to status codes; messages are written for the person who made the input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An RDF file (or embedded text) does not parse.
    #[error("{file}: syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// The file (or a label for non-file input).
        file: String,
        /// 1-based line of the error.
        line: u64,
        /// 1-based column of the error.
        column: u64,
        /// The parser's message.
        message: String,
    },
    /// An RDF file whose format cannot be told from its name, or an unknown format name.
    #[error("{0}")]
    UnknownFormat(String),
    /// A SPARQL query or update does not parse.
    #[error("SPARQL syntax error: {0}")]
    SparqlSyntax(String),
    /// A SPARQL query or update failed while it was evaluated.
    #[error("SPARQL evaluation error: {0}")]
    Evaluation(String),
    /// A query was cancelled because it ran over its time limit.
    #[error("the query ran over its time limit of {0:?} and was cancelled")]
    Timeout(std::time::Duration),
    /// An argument is not acceptable (an IRI that is not absolute, an unknown name, ...).
    #[error("{0}")]
    InvalidInput(String),
    /// Something named does not exist (an entity, a graph, a projection).
    #[error("{0}")]
    NotFound(String),
    /// The storage layer failed (disk full, corrupt store, lock held by another process).
    #[error("storage error: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether the error is the caller's fault (bad input) rather than the system's.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Storage(_) | Error::Io { .. })
    }
}
