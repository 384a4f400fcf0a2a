//! Walks over SPARQL algebra (spargebra): every graph pattern of a query or an update,
//! including the ones inside expressions (`EXISTS` in FILTER, BIND, SELECT expressions,
//! ORDER BY keys, aggregate arguments, OPTIONAL conditions) and sub-queries. The SERVICE
//! policy and the cancellation guard both rely on seeing every pattern.

use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression};
use spargebra::{GraphUpdateOperation, Query, Update};

/// The WHERE pattern of a query.
pub fn query_pattern_mut(query: &mut Query) -> &mut GraphPattern {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    }
}

/// The WHERE pattern of a query, read only.
pub fn query_pattern(query: &Query) -> &GraphPattern {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    }
}

/// The WHERE patterns of an update's `DELETE`/`INSERT … WHERE` operations, read only.
pub fn update_patterns(update: &Update) -> impl Iterator<Item = &GraphPattern> {
    update.operations.iter().filter_map(|op| match op {
        GraphUpdateOperation::DeleteInsert { pattern, .. } => Some(pattern.as_ref()),
        _ => None,
    })
}

/// The WHERE patterns of an update's `DELETE`/`INSERT … WHERE` operations.
pub fn update_patterns_mut(update: &mut Update) -> impl Iterator<Item = &mut GraphPattern> {
    update.operations.iter_mut().filter_map(|op| match op {
        GraphUpdateOperation::DeleteInsert { pattern, .. } => Some(pattern.as_mut()),
        _ => None,
    })
}

/// Writes a walker over graph patterns, once for shared and once for mutable references, so
/// the two visit exactly the same positions (the body relies on match ergonomics only). A
/// subtree whose root `enter` refuses is skipped whole, its root included.
macro_rules! walker {
    ($walk:ident, $in_expression:ident, $($mutability:tt)?) => {
        fn $walk(
            pattern: &$($mutability)? GraphPattern,
            enter: &mut impl FnMut(&GraphPattern) -> bool,
            f: &mut impl FnMut(&$($mutability)? GraphPattern),
        ) {
            if !enter(pattern) {
                return;
            }
            match &$($mutability)? *pattern {
                GraphPattern::Join { left, right }
                | GraphPattern::Lateral { left, right }
                | GraphPattern::Union { left, right }
                | GraphPattern::Minus { left, right } => {
                    $walk(left, enter, f);
                    $walk(right, enter, f);
                }
                GraphPattern::LeftJoin {
                    left,
                    right,
                    expression,
                } => {
                    $walk(left, enter, f);
                    $walk(right, enter, f);
                    if let Some(e) = expression {
                        $in_expression(e, enter, f);
                    }
                }
                GraphPattern::Filter { expr, inner } => {
                    $in_expression(expr, enter, f);
                    $walk(inner, enter, f);
                }
                GraphPattern::Extend {
                    inner, expression, ..
                } => {
                    $in_expression(expression, enter, f);
                    $walk(inner, enter, f);
                }
                GraphPattern::OrderBy { inner, expression } => {
                    for key in expression {
                        match key {
                            OrderExpression::Asc(e) | OrderExpression::Desc(e) => {
                                $in_expression(e, enter, f)
                            }
                        }
                    }
                    $walk(inner, enter, f);
                }
                GraphPattern::Group {
                    inner, aggregates, ..
                } => {
                    for (_, aggregate) in aggregates {
                        if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                            $in_expression(expr, enter, f);
                        }
                    }
                    $walk(inner, enter, f);
                }
                GraphPattern::Graph { inner, .. }
                | GraphPattern::Project { inner, .. }
                | GraphPattern::Distinct { inner }
                | GraphPattern::Reduced { inner }
                | GraphPattern::Slice { inner, .. }
                | GraphPattern::Service { inner, .. } => $walk(inner, enter, f),
                GraphPattern::Bgp { .. }
                | GraphPattern::Path { .. }
                | GraphPattern::Values { .. } => {}
            }
            f(pattern);
        }

        /// Every `EXISTS` pattern inside an expression.
        fn $in_expression(
            e: &$($mutability)? Expression,
            enter: &mut impl FnMut(&GraphPattern) -> bool,
            f: &mut impl FnMut(&$($mutability)? GraphPattern),
        ) {
            match e {
                Expression::Exists(p) => $walk(p, enter, f),
                Expression::Or(a, b)
                | Expression::And(a, b)
                | Expression::Equal(a, b)
                | Expression::SameTerm(a, b)
                | Expression::Greater(a, b)
                | Expression::GreaterOrEqual(a, b)
                | Expression::Less(a, b)
                | Expression::LessOrEqual(a, b)
                | Expression::Add(a, b)
                | Expression::Subtract(a, b)
                | Expression::Multiply(a, b)
                | Expression::Divide(a, b) => {
                    $in_expression(a, enter, f);
                    $in_expression(b, enter, f);
                }
                Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
                    $in_expression(a, enter, f)
                }
                Expression::If(a, b, c) => {
                    $in_expression(a, enter, f);
                    $in_expression(b, enter, f);
                    $in_expression(c, enter, f);
                }
                Expression::In(a, list) => {
                    $in_expression(a, enter, f);
                    for x in list {
                        $in_expression(x, enter, f);
                    }
                }
                Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
                    for x in list {
                        $in_expression(x, enter, f);
                    }
                }
                Expression::NamedNode(_)
                | Expression::Literal(_)
                | Expression::Variable(_)
                | Expression::Bound(_) => {}
            }
        }
    };
}

walker!(walk_mut, in_expression_mut, mut);
walker!(walk, in_expression,);

/// Calls `f` on every graph pattern under `pattern` (itself included), children before their
/// parent, so `f` may replace the node it is given (for example wrap it in a FILTER) without
/// the new node being visited again.
pub fn for_each_pattern_mut(pattern: &mut GraphPattern, f: &mut impl FnMut(&mut GraphPattern)) {
    walk_mut(pattern, &mut |_| true, f);
}

/// Calls `f` on every graph pattern under `pattern` (itself included), children before their
/// parent: the same positions as [`for_each_pattern_mut`], read only.
pub fn for_each_pattern(pattern: &GraphPattern, f: &mut impl FnMut(&GraphPattern)) {
    walk(pattern, &mut |_| true, f);
}

/// Like [`for_each_pattern_mut`], but only over what this server evaluates: a `SERVICE` node
/// and everything inside it (which the remote endpoint evaluates) are skipped.
pub fn for_each_local_pattern_mut(
    pattern: &mut GraphPattern,
    f: &mut impl FnMut(&mut GraphPattern),
) {
    walk_mut(
        pattern,
        &mut |p| !matches!(p, GraphPattern::Service { .. }),
        f,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use spargebra::SparqlParser;

    /// SERVICE nodes seen by the mutable walker and by the shared one.
    fn services(q: &str) -> (usize, usize) {
        let mut query = SparqlParser::new().parse_query(q).expect("parses");
        let mut shared = 0;
        for_each_pattern(query_pattern(&query), &mut |p| {
            shared += usize::from(matches!(p, GraphPattern::Service { .. }));
        });
        let mut mutable = 0;
        for_each_pattern_mut(query_pattern_mut(&mut query), &mut |p| {
            mutable += usize::from(matches!(p, GraphPattern::Service { .. }));
        });
        (mutable, shared)
    }

    #[test]
    fn patterns_inside_every_expression_position_are_visited() {
        let s = "SERVICE <http://x/> { ?a ?b ?c }";
        for q in [
            format!("SELECT * {{ {s} }}"),
            format!("SELECT * {{ ?s ?p ?o FILTER EXISTS {{ {s} }} }}"),
            format!("SELECT * {{ ?s ?p ?o }} ORDER BY (EXISTS {{ {s} }})"),
            format!("SELECT (COUNT(EXISTS {{ {s} }}) AS ?n) {{ ?s ?p ?o }}"),
            format!("SELECT ?s {{ ?s ?p ?o }} GROUP BY ?s HAVING (EXISTS {{ {s} }})"),
            format!("SELECT * {{ {{ SELECT ?s {{ ?s ?p ?o }} ORDER BY (EXISTS {{ {s} }}) }} }}"),
            format!("SELECT * {{ ?s ?p ?o OPTIONAL {{ ?o ?q ?r FILTER EXISTS {{ {s} }} }} }}"),
            format!("SELECT * {{ ?s ?p ?o BIND(EXISTS {{ {s} }} AS ?e) }}"),
        ] {
            assert_eq!(services(&q), (1, 1), "{q}");
        }
    }

    #[test]
    fn the_local_walk_skips_what_a_service_evaluates() {
        let mut query = SparqlParser::new()
            .parse_query(
                "SELECT * { ?s ?p ?o . ?o ?q ?r SERVICE <http://x/> { ?a ?b ?c . ?c ?d ?e } }",
            )
            .expect("parses");
        let (mut local, mut all) = (Vec::new(), Vec::new());
        for_each_local_pattern_mut(query_pattern_mut(&mut query), &mut |p| {
            if let GraphPattern::Bgp { patterns } = p {
                local.push(patterns.len());
            }
            assert!(!matches!(p, GraphPattern::Service { .. }));
        });
        for_each_pattern(query_pattern(&query), &mut |p| {
            if let GraphPattern::Bgp { patterns } = p {
                all.push(patterns.len());
            }
        });
        assert_eq!(local, vec![2]);
        assert_eq!(all, vec![2, 2]);
    }
}
