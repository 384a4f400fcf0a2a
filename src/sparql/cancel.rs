//! Time limits that stop the work, not only the answer.
//!
//! Oxigraph's evaluator looks at its `CancellationToken` only when it reads quads from the
//! store. Joins, sorts and aggregates over solutions already in memory never read the store,
//! so a cartesian product of four patterns would run on after its 503, holding a core and an
//! evaluation permit. The fix here follows the way rust-analyzer/salsa cancel queries: a
//! check inside the evaluator's hot loop that *unwinds* when the token is cancelled, caught at
//! the evaluation boundary.
//!
//! - [`guard`] rewrites the algebra before evaluation: every node that multiplies solutions
//!   (a basic graph pattern of two or more triple patterns, a join, an OPTIONAL, a LATERAL)
//!   is wrapped in `FILTER(akf:alive(COALESCE(sameTerm(?a, ?a) && sameTerm(?b, ?b) …, true)))`
//!   with one variable from each side. The filter is true for every solution, so results do
//!   not change; its variables come from every side, so the optimizer cannot push it below
//!   the join it guards; `sameTerm` compares the evaluator's internal terms, so it decodes
//!   nothing; `COALESCE` keeps it true where a variable is unbound.
//! - [`with_liveness`] registers `akf:alive`: true while the token is alive, else a panic with
//!   the [`Cancelled`] payload, which unwinds out of the evaluator.
//! - [`catch`] turns that unwinding into [`Cancelled`] at the boundary (any other panic goes
//!   on unwinding); the evaluation's state is dropped, freeing its memory, its thread and its
//!   permit. An update's transaction is dropped uncommitted, so nothing is applied.
//!
//! Between two checks there is at most one store read or one guarded solution, so evaluation
//! stops within milliseconds of the limit on the shapes measured (README, "Limits").

use super::algebra::{for_each_pattern_mut, query_pattern_mut, update_patterns_mut};
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{CancellationToken, SparqlEvaluator};
use spargebra::algebra::{Expression, Function, GraphPattern};
use spargebra::term::{TermPattern, Variable};
use spargebra::{Query, Update};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Once;

/// `akf:alive`: true while the evaluation's time remains (documented in the README).
pub const ALIVE: &str = "https://w3id.org/autokg/function#alive";

/// The panic payload of a cancelled evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Registers `akf:alive` on `evaluator`, bound to `token` (also set as the evaluator's own
/// cancellation token, which stops store reads).
pub fn with_liveness(evaluator: SparqlEvaluator, token: CancellationToken) -> SparqlEvaluator {
    quiet_cancellation_panics();
    let alive = token.clone();
    evaluator
        .with_cancellation_token(token)
        .with_custom_function(NamedNode::new_unchecked(ALIVE), move |_| {
            if alive.is_cancelled() {
                std::panic::panic_any(Cancelled);
            }
            Some(Term::Literal(Literal::from(true)))
        })
}

/// Runs `work`, turning an unwinding [`Cancelled`] into `Err(Cancelled)`; other panics keep
/// unwinding.
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, Cancelled> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(t) => Ok(t),
        Err(payload) if payload.is::<Cancelled>() => Err(Cancelled),
        Err(payload) => resume_unwind(payload),
    }
}

/// Installs, once, a panic hook that stays silent for [`Cancelled`] and hands every other
/// panic to the previous hook.
fn quiet_cancellation_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Cancelled>() {
                previous(info);
            }
        }));
    });
}

/// Adds the liveness checks to every multiplying node of a query (see the module docs).
pub fn guard_query(query: &mut Query) {
    for_each_pattern_mut(query_pattern_mut(query), &mut guard_node);
}

/// Adds the liveness checks to the WHERE of every `DELETE`/`INSERT … WHERE` of an update.
pub fn guard_update(update: &mut Update) {
    for pattern in update_patterns_mut(update) {
        for_each_pattern_mut(pattern, &mut guard_node);
    }
}

fn guard_node(pattern: &mut GraphPattern) {
    let sides: Vec<Option<Variable>> = match pattern {
        GraphPattern::Bgp { patterns } if patterns.len() >= 2 => patterns
            .iter()
            .map(|t| {
                [&t.subject, &t.object]
                    .into_iter()
                    .find_map(|p| match p {
                        TermPattern::Variable(v) => Some(v.clone()),
                        _ => None,
                    })
                    .or_else(|| match &t.predicate {
                        spargebra::term::NamedNodePattern::Variable(v) => Some(v.clone()),
                        spargebra::term::NamedNodePattern::NamedNode(_) => None,
                    })
            })
            .collect(),
        GraphPattern::Join { left, right }
        | GraphPattern::LeftJoin { left, right, .. }
        | GraphPattern::Lateral { left, right } => {
            vec![first_variable(left), first_variable(right)]
        }
        _ => return,
    };
    let mut variables: Vec<Variable> = Vec::new();
    for v in sides.into_iter().flatten() {
        if !variables.contains(&v) {
            variables.push(v);
        }
    }
    let Some(all_bound) = conjunction(
        variables
            .into_iter()
            .map(|v| Expression::SameTerm(Box::new(v.clone().into()), Box::new(v.into())))
            .collect(),
    ) else {
        // Ground patterns only: at most one solution each, nothing to multiply.
        return;
    };
    let check = Expression::FunctionCall(
        Function::Custom(NamedNode::new_unchecked(ALIVE)),
        vec![Expression::Coalesce(vec![
            all_bound,
            Expression::Literal(Literal::from(true)),
        ])],
    );
    let inner = std::mem::replace(
        pattern,
        GraphPattern::Bgp {
            patterns: Vec::new(),
        },
    );
    *pattern = GraphPattern::Filter {
        expr: check,
        inner: Box::new(inner),
    };
}

/// `a && b && …` as a balanced tree: a basic graph pattern of thousands of triple patterns
/// gives a conjunction of depth log₂ n, not n, so evaluating it never recurses deeply.
fn conjunction(mut terms: Vec<Expression>) -> Option<Expression> {
    while terms.len() > 1 {
        let mut pairs = Vec::with_capacity(terms.len().div_ceil(2));
        let mut rest = terms.into_iter();
        while let Some(a) = rest.next() {
            pairs.push(match rest.next() {
                Some(b) => Expression::And(Box::new(a), Box::new(b)),
                None => a,
            });
        }
        terms = pairs;
    }
    terms.pop()
}

/// The first variable in scope of a pattern, if any.
fn first_variable(pattern: &GraphPattern) -> Option<Variable> {
    let mut first = None;
    pattern.on_in_scope_variable(|v| {
        if first.is_none() {
            first = Some(v.clone());
        }
    });
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::sparql::QueryResults;
    use oxigraph::store::Store;
    use spargebra::SparqlParser;
    use std::time::{Duration, Instant};

    fn guarded(q: &str) -> Query {
        let mut query = SparqlParser::new().parse_query(q).expect("parses");
        guard_query(&mut query);
        query
    }

    fn store(n: usize) -> Store {
        let store = Store::new().expect("store");
        for i in 0..n {
            store
                .insert(&oxigraph::model::Quad::new(
                    NamedNode::new_unchecked(format!("http://e/s{i}")),
                    NamedNode::new_unchecked("http://e/p"),
                    Literal::from(i as i64),
                    oxigraph::model::GraphName::DefaultGraph,
                ))
                .expect("insert");
        }
        store
    }

    fn rows(store: &Store, query: Query, token: CancellationToken) -> Result<usize, Cancelled> {
        let evaluator = with_liveness(SparqlEvaluator::new(), token);
        catch(
            || match evaluator.for_query(query).on_store(store).execute() {
                Ok(QueryResults::Solutions(s)) => s.filter(Result::is_ok).count(),
                Ok(QueryResults::Boolean(b)) => usize::from(b),
                Ok(QueryResults::Graph(g)) => g.count(),
                Err(_) => usize::MAX,
            },
        )
    }

    #[test]
    fn guarded_queries_give_the_same_answers() {
        let store = store(30);
        for q in [
            "SELECT * { ?a ?b ?c . ?d ?e ?f }",
            "SELECT * { ?a ?b ?c OPTIONAL { ?a ?x ?y FILTER(?y > 3) } }",
            "SELECT (COUNT(*) AS ?n) { ?a ?b ?c { SELECT ?d { ?d ?e ?f } LIMIT 3 } }",
            "SELECT * { <http://e/s1> ?b ?c . <http://e/s2> ?e ?f }",
            "ASK { ?a ?b 3 . ?c ?d 4 }",
            "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c LIMIT 7",
            "SELECT * { VALUES ?v { 1 2 3 } ?a ?b ?v }",
            "SELECT * { ?a ?b ?c MINUS { ?a ?b 3 } }",
        ] {
            let plain = SparqlParser::new().parse_query(q).expect("parses");
            let expected = rows(&store, plain, CancellationToken::new()).expect("runs");
            let got = rows(&store, guarded(q), CancellationToken::new()).expect("runs");
            assert_eq!(got, expected, "{q}");
        }
    }

    #[test]
    fn a_cancelled_product_stops_at_once() {
        // 400^4 = 2.56e10 solutions: hours of work without the guard.
        let store = store(400);
        let token = CancellationToken::new();
        let cancel = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        });
        let start = Instant::now();
        let q = guarded("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }");
        assert_eq!(rows(&store, q, token), Err(Cancelled));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "stopped after {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn the_guard_of_a_large_pattern_stays_shallow() {
        let triples: String = (0..4096).map(|i| format!("?s{i} ?p ?o{i} . ")).collect();
        let query = guarded(&format!("ASK {{ {triples} }}"));
        let Query::Ask { pattern, .. } = &query else {
            panic!("an ASK query");
        };
        let GraphPattern::Project { inner, .. } = pattern else {
            panic!("a projection");
        };
        let GraphPattern::Filter { expr, .. } = inner.as_ref() else {
            panic!("the guard's filter");
        };
        let Expression::FunctionCall(_, args) = expr else {
            panic!("akf:alive");
        };
        fn depth(e: &Expression) -> usize {
            match e {
                Expression::And(a, b) => 1 + depth(a).max(depth(b)),
                Expression::Coalesce(l) => 1 + l.iter().map(depth).max().unwrap_or(0),
                _ => 1,
            }
        }
        // 4,096 variables in 12 levels of `&&`, plus COALESCE and sameTerm.
        assert_eq!(depth(&args[0]), 14);
    }

    #[test]
    fn other_panics_are_not_swallowed() {
        let r = std::panic::catch_unwind(|| catch(|| panic!("a bug")));
        assert!(r.is_err());
    }
}
