//! The planning budget: refuses, before Oxigraph plans it, a query whose join planning alone
//! would outrun any time limit.
//!
//! Oxigraph's optimizer (sparopt) orders the operands of each group greedily: for every
//! operand it places, it estimates the cost of joining each remaining one with the tree built
//! so far, and each estimate walks that tree again with type inference. With `n` operands
//! that share variables the work grows with about the fourth power of `n`, and the planner
//! has no cancellation point: measured on the 2-core CI machine, 100 joined
//! `{ ?s ?p ?o FILTER(…) }` groups plan in about 1 s, 200 in 18 s, and 1,000 (still under the
//! nesting limit) in hours. A time limit cannot stop that, so the width of every join is
//! bounded up front instead, as Virtuoso refuses hopeless plans before running them.
//!
//! The width of a group is the number of operands the planner orders together: the triple
//! patterns of its basic graph patterns (a sequence path `a/b/c` is parsed into one triple
//! pattern per step) plus each nested group, OPTIONAL, MINUS, VALUES, BIND or sub-query
//! operand. `UNION` branches, FILTER conditions and property-path alternatives are planned
//! one by one and do not add up.

use super::algebra;
use spargebra::algebra::GraphPattern;
use spargebra::{Query, Update};

/// The most operands one group may order together. At this width the slowest shapes plan
/// in 0.17 s (64 filtered groups sharing a variable, or a star of 64 triple patterns) to 0.29 s
/// (a chain of 63 OPTIONALs), measured with `benches/planning.sh` on the 2-core machine at a
/// load of 8; the example and projection queries are far narrower.
pub const MAX_JOIN_WIDTH: usize = 64;

/// A group wider than [`MAX_JOIN_WIDTH`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooWide {
    /// The number of operands found in the widest group.
    pub width: usize,
}

impl std::fmt::Display for TooWide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "planning limit: one group joins {} triple patterns and sub-patterns (OPTIONAL, MINUS, \
             nested groups, path steps); the limit is {MAX_JOIN_WIDTH}, as planning time grows \
             with the fourth power of that number. Split the query, or put alternatives in \
             VALUES or UNION",
            self.width
        )
    }
}

impl std::error::Error for TooWide {}

/// The operands of the join chain rooted at `pattern`: `Join` nodes are flattened, the left
/// spines of `OPTIONAL` (`LeftJoin`) and `MINUS` continue the chain (their right operand is
/// one more operand), and a filter over a chain is transparent.
fn width(pattern: &GraphPattern) -> usize {
    match pattern {
        GraphPattern::Bgp { patterns } => patterns.len(),
        GraphPattern::Join { left, right } | GraphPattern::Lateral { left, right } => {
            width(left) + width(right)
        }
        GraphPattern::LeftJoin { left, .. } | GraphPattern::Minus { left, .. } => width(left) + 1,
        GraphPattern::Filter { inner, .. } => width(inner),
        _ => 1,
    }
}

/// The widest group of `pattern` and of everything under it (sub-queries and `EXISTS`
/// included), or 0 when there is none.
pub fn max_width(pattern: &GraphPattern) -> usize {
    let mut widest = 0;
    algebra::for_each_pattern(pattern, &mut |p| {
        if matches!(
            p,
            GraphPattern::Bgp { .. }
                | GraphPattern::Join { .. }
                | GraphPattern::Lateral { .. }
                | GraphPattern::LeftJoin { .. }
                | GraphPattern::Minus { .. }
        ) {
            widest = widest.max(width(p));
        }
    });
    widest
}

/// Checks every group of a query against [`MAX_JOIN_WIDTH`].
///
/// Errors: [`TooWide`] with the widest group's width (the HTTP edge answers 400).
pub fn check_query(query: &Query) -> Result<(), TooWide> {
    check(max_width(algebra::query_pattern(query)))
}

/// Checks the WHERE of every operation of an update, as [`check_query`].
pub fn check_update(update: &Update) -> Result<(), TooWide> {
    check(
        algebra::update_patterns(update)
            .map(max_width)
            .max()
            .unwrap_or(0),
    )
}

fn check(width: usize) -> Result<(), TooWide> {
    if width > MAX_JOIN_WIDTH {
        Err(TooWide { width })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widest(text: &str) -> usize {
        max_width(algebra::query_pattern(
            &spargebra::SparqlParser::new()
                .parse_query(text)
                .expect("parses"),
        ))
    }

    #[test]
    fn widths_count_what_the_planner_orders_together() {
        assert_eq!(widest("SELECT * { ?s ?p ?o . ?o ?q ?r }"), 2);
        // One triple pattern per step of a sequence path.
        assert_eq!(
            widest("SELECT * { ?s <http://e/a>/<http://e/b>/<http://e/c> ?o }"),
            3
        );
        // Groups, OPTIONAL and MINUS operands add up; a FILTER does not.
        assert_eq!(
            widest(
                "SELECT * { ?s ?p ?o { ?s ?q ?r FILTER(?r) } OPTIONAL { ?s <http://e/a> ?x } \
                 MINUS { ?s <http://e/b> ?y } FILTER(?o) }"
            ),
            4
        );
        // UNION branches and alternative paths are planned one by one.
        assert_eq!(
            widest("SELECT * { { ?s ?p ?o . ?o ?p ?q } UNION { ?a ?b ?c } ?s <http://e/a>|<http://e/b> ?z }"),
            2
        );
        // A sub-query's groups count on their own, the sub-query is one operand.
        assert_eq!(
            widest("SELECT * { ?s ?p ?o { SELECT ?s { ?s <http://e/a> ?x . ?x <http://e/b> ?y . ?y <http://e/c> ?z } } }"),
            3
        );
    }

    #[test]
    fn the_limit_is_checked_inside_exists_and_updates() {
        let wide = (0..=MAX_JOIN_WIDTH)
            .map(|i| format!("?s <http://e/p{i}> ?o ."))
            .collect::<String>();
        let query = format!("ASK {{ FILTER EXISTS {{ {wide} }} }}");
        let parsed = spargebra::SparqlParser::new().parse_query(&query).unwrap();
        assert_eq!(
            check_query(&parsed),
            Err(TooWide {
                width: MAX_JOIN_WIDTH + 1
            })
        );
        let update = format!("DELETE {{ ?s ?p ?o }} WHERE {{ {wide} }}");
        let parsed = spargebra::SparqlParser::new()
            .parse_update(&update)
            .unwrap();
        assert!(check_update(&parsed).is_err());
        let fits = (0..MAX_JOIN_WIDTH)
            .map(|i| format!("?s <http://e/p{i}> ?o ."))
            .collect::<String>();
        let parsed = spargebra::SparqlParser::new()
            .parse_query(&format!("SELECT * {{ {fits} }}"))
            .unwrap();
        assert_eq!(check_query(&parsed), Ok(()));
    }
}
