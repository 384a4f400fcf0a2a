//! SERVICE policy: finds every `SERVICE` target of a query or update before evaluation, so a
//! target outside the operator's allowed prefixes is refused without any outbound request.

use spargebra::algebra::{Expression, GraphPattern};
use spargebra::term::NamedNodePattern;
use spargebra::{GraphUpdateOperation, Query, Update};

/// Checks every SERVICE of `query` against `allowed` IRI prefixes. The error names the first
/// refused target.
pub fn check_query(query: &Query, allowed: &[String]) -> Result<(), String> {
    let pattern = match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    };
    check_pattern(pattern, allowed)
}

/// Checks every SERVICE in the WHERE clauses of `update`.
pub fn check_update(update: &Update, allowed: &[String]) -> Result<(), String> {
    for op in &update.operations {
        if let GraphUpdateOperation::DeleteInsert { pattern, .. } = op {
            check_pattern(pattern, allowed)?;
        }
    }
    Ok(())
}

fn check_pattern(p: &GraphPattern, allowed: &[String]) -> Result<(), String> {
    match p {
        GraphPattern::Service { name, inner, .. } => {
            match name {
                NamedNodePattern::NamedNode(iri)
                    if allowed.iter().any(|a| iri.as_str().starts_with(a.as_str())) => {}
                NamedNodePattern::NamedNode(iri) => {
                    return Err(if allowed.is_empty() {
                        format!("SERVICE <{}> refused: federation is off on this server (the operator enables it per target with --allow-service)", iri.as_str())
                    } else {
                        format!(
                            "SERVICE <{}> refused: it matches none of the allowed prefixes ({})",
                            iri.as_str(),
                            allowed.join(", ")
                        )
                    })
                }
                NamedNodePattern::Variable(v) => {
                    return Err(format!(
                        "SERVICE ?{} refused: a SERVICE target must be an IRI so it can be checked",
                        v.as_str()
                    ))
                }
            }
            check_pattern(inner, allowed)
        }
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            check_pattern(left, allowed)?;
            check_pattern(right, allowed)
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            check_pattern(left, allowed)?;
            check_pattern(right, allowed)?;
            expression
                .as_ref()
                .map_or(Ok(()), |e| check_expression(e, allowed))
        }
        GraphPattern::Filter { expr, inner } => {
            check_expression(expr, allowed)?;
            check_pattern(inner, allowed)
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            check_expression(expression, allowed)?;
            check_pattern(inner, allowed)
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Group { inner, .. } => check_pattern(inner, allowed),
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => {
            Ok(())
        }
    }
}

fn check_expression(e: &Expression, allowed: &[String]) -> Result<(), String> {
    match e {
        Expression::Exists(p) => check_pattern(p, allowed),
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
            check_expression(a, allowed)?;
            check_expression(b, allowed)
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            check_expression(a, allowed)
        }
        Expression::If(a, b, c) => {
            check_expression(a, allowed)?;
            check_expression(b, allowed)?;
            check_expression(c, allowed)
        }
        Expression::In(a, list) => {
            check_expression(a, allowed)?;
            list.iter().try_for_each(|x| check_expression(x, allowed))
        }
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
            list.iter().try_for_each(|x| check_expression(x, allowed))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spargebra::SparqlParser;

    fn check(q: &str, allowed: &[&str]) -> Result<(), String> {
        let query = SparqlParser::new().parse_query(q).expect("parses");
        check_query(
            &query,
            &allowed.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn services_are_found_wherever_they_hide() {
        assert!(check("SELECT * { ?s ?p ?o }", &[]).is_ok());
        assert!(check("SELECT * { SERVICE <http://evil/> { ?s ?p ?o } }", &[]).is_err());
        assert!(check(
            "SELECT * { ?a ?b ?c OPTIONAL { SERVICE <http://evil/> { ?s ?p ?o } } }",
            &[]
        )
        .is_err());
        assert!(check(
            "SELECT * { ?a ?b ?c FILTER EXISTS { SERVICE <http://evil/> { ?s ?p ?o } } }",
            &[]
        )
        .is_err());
        assert!(check(
            "SELECT * { { SELECT * { SERVICE <http://evil/x> {} } } }",
            &["http://good/"]
        )
        .is_err());
        assert!(check(
            "SELECT * { SERVICE <http://good/sparql> { ?s ?p ?o } }",
            &["http://good/"]
        )
        .is_ok());
        assert!(check("SELECT * { SERVICE ?x { ?s ?p ?o } }", &["http://good/"]).is_err());
    }
}
