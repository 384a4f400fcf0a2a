//! Nesting limits for text from outside, checked before any parser sees it, so that no
//! request or command ends the process with a stack overflow.
//!
//! spargebra parses SPARQL by recursive descent, and it, Oxigraph's optimizer and evaluator,
//! and the walkers in [`crate::sparql`] recurse over the algebra it builds. Brackets nest the
//! parser (`FILTER((((…))))`, `{{{…}}}`, sub-SELECTs); operator chains do not, but each
//! element is one more level of the algebra (`{…} UNION {…} UNION …` and `1+1+…` fold into
//! left-deep trees, as do OPTIONAL, MINUS, FILTER, BIND and SELECT expressions in one
//! group). [`check_sparql`] scans the text once, linearly, and refuses it past [`SPARQL`]:
//!
//! - **brackets**: `(`, `{`, `[` open at once, outside strings, comments and IRIs;
//! - **depth**: the height of the bracket tree where each level weighs one plus its chain
//!   elements, an upper bound of the algebra's depth ([`sparql`] says what chains).
//!
//! Everything under those limits parses and evaluates on the threads that run SPARQL: the
//! server's evaluation pool and the command line's main thread, both with
//! [`STACK_SIZE`]. JSON-LD is bounded the same way ([`JSON_LD_BRACKETS`]): its parser
//! recurses into nested objects (a 1,000-deep document overflows a 2 MiB stack), while the
//! Turtle, TriG, N-Triples, N-Quads and RDF/XML parsers keep explicit stacks (100,000
//! nested blank nodes or collections parse on 2 MiB).
//!
//! # How the limits were chosen
//!
//! Measured with [`sparql_shape`] (most brackets open / longest chain at one level / depth
//! bound), by the ignored test `nesting::tests::survey_of_real_queries`:
//!
//! | queries | brackets | chain | depth |
//! |---|---|---|---|
//! | `queries/examples/*.rq` (23) | 5 | 12 | 22 |
//! | `queries/projections/*.rq` (4) | 3 | 10 | 16 |
//! | W3C SPARQL Protocol tests (`protocol/manifest.ttl`: 41 queries and updates) | 4 | 4 | 10 |
//! | `VALUES ?x` of 100,000 rows, `VALUES (?a ?b)` of 10,000 | 2 | 3 | 5 |
//!
//! The limits, 64 brackets and a depth of 1,024, are 13 and 46 times those maxima: room for
//! generated queries (about 500 UNION branches, 1,000 `||` or `+` terms, 60 nested
//! sub-expressions), while long alternatives belong in `VALUES` or `IN`, which cost nothing.
//!
//! # How the stack was sized
//!
//! For each shape, the largest text within the limits was run through the server's path
//! ([`crate::sparql::evaluate::parse_checked_query`] with the liveness guard,
//! [`crate::sparql::evaluate::bind_query`], evaluation on the curated store, serialization)
//! and the command line's ([`crate::store::KgStore::query`], the table writer) on a thread
//! whose stack was halved until it overflowed (in a child process):
//!
//! | shape at the limit | server | command line |
//! |---|---|---|
//! | 1,017 joined groups `{…} {…} …` (the guard doubles a join chain) | 3.5 MiB | 1.6 MiB |
//! | 508 OPTIONALs in a row; 1,019 BINDs; 1,021 SELECT expressions | 1.8 MiB | 0.9–1.8 MiB |
//! | 1,024-step path sequence (extrapolated from 512: 0.9 MiB) | 1.8 MiB | 1.7 MiB |
//! | 1,024-way path alternative; 1,023 nested `<<` | 1.2 MiB | 1.2 MiB |
//! | 509 UNION branches; 1,021 `\|\|`, `&&` or FILTERs; an update with 511 UNIONs | 1.0 MiB | 1.0 MiB |
//! | 1,021 `+` terms; 1,021 `!` | 0.7 MiB | 0.7 MiB |
//! | 62 nested FILTER EXISTS, function calls, OPTIONALs, blank nodes, collections, sub-selects | ≤ 0.35 MiB | ≤ 0.35 MiB |
//!
//! [`STACK_SIZE`] is 32 MiB, nine times the most any shape needed. JSON-LD at
//! [`JSON_LD_BRACKETS`] parses on a 2 MiB thread (a test in [`crate::rdf::io`]).

mod json;
mod sparql;

pub use json::{check as check_json, JsonNesting, NestingReader};

use std::fmt;

/// The nesting a text may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most brackets `(`, `{`, `[` open at once.
    pub brackets: usize,
    /// Most levels of the syntax tree: brackets plus the chain elements along the deepest
    /// path (see the module docs).
    pub depth: usize,
}

/// The limits of every SPARQL query and update (module docs: how they were chosen).
pub const SPARQL: Limits = Limits {
    brackets: 64,
    depth: 1024,
};

/// The most `{` and `[` a JSON-LD document may have open at once.
pub const JSON_LD_BRACKETS: usize = 128;

/// The stack of every thread that parses or evaluates SPARQL or parses RDF: enough for
/// anything within [`SPARQL`] and [`JSON_LD_BRACKETS`], with the margin the module docs
/// give.
pub const STACK_SIZE: usize = 32 << 20;

/// What a scan measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Most brackets open at once.
    pub brackets: usize,
    /// Most chain elements at one level.
    pub chain: usize,
    /// The depth bound (brackets plus chain elements along the deepest path).
    pub depth: usize,
}

/// Which limit a text went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// [`Limits::brackets`] of SPARQL.
    Brackets,
    /// [`Limits::depth`] of SPARQL.
    Depth,
    /// A `<` that the parser may read as less-than or as an IRI, after `FILTER` glued to a
    /// prefixed name (`FILTERex:f(?a <…>)`): the check cannot bound it, so it refuses it.
    Unclear,
    /// [`JSON_LD_BRACKETS`].
    Json,
}

/// A text past a nesting limit: which, and where (1-based line and column, in characters,
/// of the first token past it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// The limit passed.
    pub measure: Measure,
    /// Its value.
    pub limit: usize,
    /// Line of the first token past the limit.
    pub line: usize,
    /// Column of that token.
    pub column: usize,
}

impl fmt::Display for TooDeep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column, limit) = (self.line, self.column, self.limit);
        match self.measure {
            Measure::Brackets => write!(
                f,
                "nesting limit: more than {limit} brackets '(', '{{', '[' open at once, at line {line}, column {column}; this service accepts at most {limit}"
            ),
            Measure::Depth => write!(
                f,
                "nesting limit: brackets and chained operators (UNION, OPTIONAL, MINUS, FILTER, BIND, AS, ||, &&, + - * /, path / and |) nest more than {limit} levels deep, at line {line}, column {column}; this service accepts at most {limit} (VALUES or IN lists do not count: use them for long alternatives)"
            ),
            Measure::Unclear => write!(
                f,
                "nesting limit: cannot tell whether '<' at line {line}, column {column} is less-than or an IRI after FILTER glued to a prefixed name; write a space after FILTER"
            ),
            Measure::Json => write!(
                f,
                "nesting limit: more than {limit} '{{' or '[' open at once, at line {line}, column {column}; this service accepts JSON-LD nested at most {limit} deep"
            ),
        }
    }
}

impl std::error::Error for TooDeep {}

impl From<TooDeep> for crate::error::Error {
    /// A nesting limit is the input's doing: 400, exit code 2.
    fn from(e: TooDeep) -> Self {
        crate::error::Error::InvalidInput(e.to_string())
    }
}

/// Checks a SPARQL query or update against [`SPARQL`]; returns what it measured.
pub fn check_sparql(text: &str) -> Result<Shape, TooDeep> {
    check_sparql_with(text, SPARQL)
}

/// Checks a SPARQL query or update against `limits`.
pub fn check_sparql_with(text: &str, limits: Limits) -> Result<Shape, TooDeep> {
    sparql::scan(text, limits)
}

/// Measures a SPARQL text without limits.
pub fn sparql_shape(text: &str) -> Shape {
    let unlimited = Limits {
        brackets: usize::MAX,
        depth: usize::MAX,
    };
    sparql::scan(text, unlimited).unwrap_or_default()
}

/// Runs `work` on a new thread with a [`STACK_SIZE`] stack and waits for it: the command
/// line runs every command so. A panic in `work` goes on unwinding in the caller.
pub fn with_large_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("autokg".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, work)
            .expect("the operating system starts a thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests;
