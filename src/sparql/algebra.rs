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

/// The WHERE patterns of an update's `DELETE`/`INSERT … WHERE` operations.
pub fn update_patterns_mut(update: &mut Update) -> impl Iterator<Item = &mut GraphPattern> {
    update.operations.iter_mut().filter_map(|op| match op {
        GraphUpdateOperation::DeleteInsert { pattern, .. } => Some(pattern.as_mut()),
        _ => None,
    })
}

/// Calls `f` on every graph pattern under `pattern` (itself included), children before their
/// parent, so `f` may replace the node it is given (for example wrap it in a FILTER) without
/// the new node being visited again.
pub fn for_each_pattern_mut(pattern: &mut GraphPattern, f: &mut impl FnMut(&mut GraphPattern)) {
    match pattern {
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            for_each_pattern_mut(left, f);
            for_each_pattern_mut(right, f);
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            for_each_pattern_mut(left, f);
            for_each_pattern_mut(right, f);
            if let Some(e) = expression {
                in_expression(e, f);
            }
        }
        GraphPattern::Filter { expr, inner } => {
            in_expression(expr, f);
            for_each_pattern_mut(inner, f);
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            in_expression(expression, f);
            for_each_pattern_mut(inner, f);
        }
        GraphPattern::OrderBy { inner, expression } => {
            for key in expression {
                match key {
                    OrderExpression::Asc(e) | OrderExpression::Desc(e) => in_expression(e, f),
                }
            }
            for_each_pattern_mut(inner, f);
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            for (_, aggregate) in aggregates {
                if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                    in_expression(expr, f);
                }
            }
            for_each_pattern_mut(inner, f);
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Service { inner, .. } => for_each_pattern_mut(inner, f),
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => {}
    }
    f(pattern);
}

/// Every `EXISTS` pattern inside an expression.
fn in_expression(e: &mut Expression, f: &mut impl FnMut(&mut GraphPattern)) {
    match e {
        Expression::Exists(p) => for_each_pattern_mut(p, f),
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
            in_expression(a, f);
            in_expression(b, f);
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            in_expression(a, f)
        }
        Expression::If(a, b, c) => {
            in_expression(a, f);
            in_expression(b, f);
            in_expression(c, f);
        }
        Expression::In(a, list) => {
            in_expression(a, f);
            list.iter_mut().for_each(|x| in_expression(x, f));
        }
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
            list.iter_mut().for_each(|x| in_expression(x, f))
        }
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spargebra::SparqlParser;

    fn services(q: &str) -> usize {
        let mut query = SparqlParser::new().parse_query(q).expect("parses");
        let mut n = 0;
        for_each_pattern_mut(query_pattern_mut(&mut query), &mut |p| {
            n += usize::from(matches!(p, GraphPattern::Service { .. }));
        });
        n
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
            assert_eq!(services(&q), 1, "{q}");
        }
    }
}
