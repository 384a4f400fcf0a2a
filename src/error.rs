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
    /// A query, an analytics computation or an export was stopped because it ran over its
    /// time limit (the limit; zero when the store reports a cancellation without one).
    #[error("the work ran over its time limit of {0:?} and was stopped")]
    Timeout(std::time::Duration),
    /// An argument is not acceptable (an IRI that is not absolute, an unknown name, ...).
    #[error("{0}")]
    InvalidInput(String),
    /// A write that would change what the caller may not change (a protected graph, a
    /// triple that holds only as an entailment); the message names it.
    #[error("{0}")]
    Forbidden(String),
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
    /// Only `Io` and `Storage` are the system's; a time limit is the query's doing.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Io { .. } | Error::Storage(_))
    }

    /// The HTTP status of this error, the one mapping every route uses (`/sparql` and
    /// `/store` as plain text, `/api` and the export routes as RFC 9457 problems):
    ///
    /// | variant | status |
    /// |---|---|
    /// | `Syntax`, `UnknownFormat`, `SparqlSyntax`, `Evaluation`, `InvalidInput` | 400 |
    /// | `Forbidden` | 403 |
    /// | `NotFound` | 404 |
    /// | `Timeout` | 503 (with `Retry-After`) |
    /// | `Io`, `Storage` | 500 |
    ///
    /// An evaluation error is the query's doing (a failed SERVICE call, a function on a
    /// value it does not accept), so it is a 400 like a syntax error.
    pub fn status(&self) -> u16 {
        match self {
            Error::Syntax { .. }
            | Error::UnknownFormat(_)
            | Error::SparqlSyntax(_)
            | Error::Evaluation(_)
            | Error::InvalidInput(_) => 400,
            Error::Forbidden(_) => 403,
            Error::NotFound(_) => 404,
            Error::Timeout(_) => 503,
            Error::Io { .. } | Error::Storage(_) => 500,
        }
    }

    /// The process exit code of a command that ends with this error: 2 for the caller's
    /// fault (bad input, a name that does not exist, a time limit), 1 for the system's.
    /// (A command that runs but finds problems, such as `validate`, exits 1 on its own.)
    pub fn exit_code(&self) -> u8 {
        if self.is_user_error() {
            2
        } else {
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Error;
    use std::time::Duration;

    /// One row per variant: status and exit code, read off the table in [`Error::status`].
    #[test]
    fn every_variant_has_one_status_and_exit_code() {
        let io = || Error::Io {
            path: "x".into(),
            source: std::io::Error::other("disk"),
        };
        let rows: Vec<(Error, u16, u8)> = vec![
            (io(), 500, 1),
            (
                Error::Syntax {
                    file: "f".into(),
                    line: 1,
                    column: 2,
                    message: "m".into(),
                },
                400,
                2,
            ),
            (Error::UnknownFormat("x".into()), 400, 2),
            (Error::SparqlSyntax("x".into()), 400, 2),
            (Error::Evaluation("x".into()), 400, 2),
            (Error::Timeout(Duration::from_secs(1)), 503, 2),
            (Error::InvalidInput("x".into()), 400, 2),
            (Error::NotFound("x".into()), 404, 2),
            (Error::Forbidden("x".into()), 403, 2),
            (
                Error::Storage(oxigraph::store::StorageError::Io(std::io::Error::other(
                    "x",
                ))),
                500,
                1,
            ),
        ];
        for (e, status, code) in rows {
            assert_eq!((e.status(), e.exit_code()), (status, code), "{e:?}");
        }
    }
}
