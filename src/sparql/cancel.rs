//! Time limits that stop the work, not only the answer.
//!
//! Oxigraph's evaluator looks at its `CancellationToken` only when it reads quads from the
//! store. Joins, sorts and aggregates over solutions already in memory never read the store,
//! so a cartesian product of four patterns would run on after its 503, holding a core and an
//! evaluation permit. The fix here follows the way rust-analyzer/salsa cancel queries: a
//! check inside the evaluator's hot loop that *unwinds* when the token is cancelled, caught at
//! the evaluation boundary.
//!
//! - [`guard_query`] rewrites the algebra before evaluation: every node that forms a
//!   product (a basic graph pattern whose triple patterns fall into two or more groups
//!   sharing no variable; a join, OPTIONAL or LATERAL whose sides share none, or one of
//!   whose sides is held in memory: a sub-select, BIND, VALUES, a group, a union, another
//!   join) is wrapped in `FILTER(akf:alive(COALESCE(sameTerm(?a, ?a) && sameTerm(?b, ?b) …,
//!   true)))` with variables from each side. A join of two store reads (triple patterns or
//!   paths) on a shared variable is left alone: each solution of one side meets only its
//!   matches, and reading it was a store read, where the evaluator checks its token itself.
//!   A side held in memory can meet the whole other side without any read (sub-selects
//!   joined on a key bound to one constant are a product), so those joins are guarded
//!   whatever they share, and a guarded query pays the check only where a product can be. Patterns inside `SERVICE` are left as written: the remote endpoint
//!   evaluates them and knows no `akf:alive`. The filter is true for every solution, so
//!   results do not change; its variables come from every side, so the optimizer cannot push it below
//!   the join it guards; `sameTerm` compares the evaluator's internal terms, so it decodes
//!   nothing; `COALESCE` keeps it true where a variable is unbound.
//! - [`with_liveness`] registers `akf:alive`: true while the token is alive, else a panic with
//!   the [`Cancelled`] payload, which unwinds out of the evaluator.
//! - [`catch`] turns that unwinding into [`Cancelled`] at the boundary (any other panic goes
//!   on unwinding); the evaluation's state is dropped, freeing its memory, its thread and its
//!   permit. An update's transaction is dropped uncommitted, so nothing is applied.
//!
//! Between two checks there is at most one store read or one guarded solution (or the
//! matches of one read in a join of two reads on a shared variable), so evaluation
//! stops within milliseconds of the limit on the shapes measured (README, "Limits").
//!
//! [`query_until`] runs the library's own queries (projections, export attributes, labels)
//! the same way under an [`crate::algorithms::Deadline`]: the liveness check asks the
//! deadline, and cancelling the deadline cancels the token.

use super::algebra::{for_each_local_pattern_mut, query_pattern_mut, update_patterns_mut};
use crate::algorithms::Deadline;
use crate::error::{Error, Result as KgResult};
use crate::store::KgStore;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
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
    let alive = token.clone();
    with_check(evaluator, token, move || alive.is_cancelled())
}

/// Like [`with_liveness`], with `akf:alive` asking `expired` instead of the token (which still
/// stops store reads once someone cancels it).
pub fn with_check(
    evaluator: SparqlEvaluator,
    token: CancellationToken,
    expired: impl Fn() -> bool + Send + Sync + 'static,
) -> SparqlEvaluator {
    quiet_cancellation_panics();
    evaluator
        .with_cancellation_token(token)
        .with_custom_function(NamedNode::new_unchecked(ALIVE), move |_| {
            if expired() {
                std::panic::panic_any(Cancelled);
            }
            Some(Term::Literal(Literal::from(true)))
        })
}

/// Runs `sparql` on `store` (union default graph, predeclared prefixes) under `deadline` and
/// hands the results to `consume`, which reads them as it would [`KgStore::query`]'s.
///
/// The query gets the liveness checks of [`guard_query`], asking the deadline; cancelling the
/// deadline, or reaching its instant ([`super::watchdog`]), cancels the evaluation's token,
/// which stops store reads. Whatever fails once the
/// deadline has expired (an unwinding check, a cancelled read, an error `consume` returns)
/// comes back as [`Error::Timeout`] with the deadline's limit. Under [`Deadline::none`] this is
/// `consume(store.query(sparql)?)`.
///
/// Errors: [`Error::SparqlSyntax`]; [`Error::InvalidInput`] past the nesting limit or the
/// join width of [`super::planning`]; [`Error::Timeout`]; and what the store and `consume`
/// return.
pub fn query_until<T>(
    store: &KgStore,
    sparql: &str,
    deadline: &Deadline,
    consume: impl FnOnce(QueryResults<'static>) -> KgResult<T>,
) -> KgResult<T> {
    crate::nesting::check_sparql(sparql)?;
    let mut query = super::evaluate::parser()
        .parse_query(sparql)
        .map_err(|e| Error::SparqlSyntax(e.to_string()))?;
    super::planning::check_query(&query).map_err(|e| Error::InvalidInput(e.to_string()))?;
    if deadline.limit().is_none() {
        return consume(store.query(sparql)?);
    }
    deadline.check()?;
    guard_query(&mut query);
    let token = CancellationToken::new();
    let on_cancel = token.clone();
    deadline.on_cancel(move || on_cancel.cancel());
    // Nobody may poll the deadline while the evaluator works on tuples it already holds (a
    // FILTER NOT EXISTS per solution, say): the watchdog cancels the token at the instant,
    // which stops the next store read, as on `/sparql`.
    let _watch = deadline
        .instant()
        .map(|at| super::watchdog::Watchdog::global().watch(at, token.clone()));
    let watched = deadline.clone();
    let evaluator = with_check(KgStore::evaluator(), token, move || watched.is_expired());
    let mut prepared = evaluator.for_query(query);
    prepared.dataset_mut().set_default_graph_as_union();
    match catch(|| store.execute(prepared).and_then(consume)) {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) if !deadline.is_expired() => Err(e),
        Ok(Err(_)) | Err(Cancelled) => Err(deadline.cancelled().into()),
    }
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
    for_each_local_pattern_mut(query_pattern_mut(query), &mut guard_node);
}

/// Adds the liveness checks to the WHERE of every `DELETE`/`INSERT … WHERE` of an update.
pub fn guard_update(update: &mut Update) {
    for pattern in update_patterns_mut(update) {
        for_each_local_pattern_mut(pattern, &mut guard_node);
    }
}

fn guard_node(pattern: &mut GraphPattern) {
    let sides: Vec<Option<Variable>> = match pattern {
        GraphPattern::Bgp { patterns } if patterns.len() >= 2 => {
            let components = product_components(patterns);
            if components.len() < 2 {
                return;
            }
            components.into_iter().map(Some).collect()
        }
        GraphPattern::Join { left, right }
        | GraphPattern::LeftJoin { left, right, .. }
        | GraphPattern::Lateral { left, right } => {
            let (l, r) = (in_scope(left), in_scope(right));
            let shared = l.iter().find(|v| r.contains(v)).cloned();
            if shared.is_some() && reads_per_solution(left) && reads_per_solution(right) {
                // Two store reads joined on a shared variable: between two solutions of the
                // join there is a store read, where the evaluator checks its token.
                return;
            }
            // A side held in memory (a sub-select, BIND, VALUES, a group, a union, another
            // join) can meet every solution of the other side without a store read, even on
            // a shared variable: a key bound to one constant on both sides is a product.
            let left_only = l.iter().find(|v| !r.contains(v)).cloned();
            let right_only = r.iter().find(|v| !l.contains(v)).cloned();
            vec![left_only, right_only, shared]
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

/// Whether each solution of `pattern` comes from its own store read: triple patterns and
/// property paths, possibly filtered or scoped to a graph. Anything else may produce solutions
/// from memory.
fn reads_per_solution(pattern: &GraphPattern) -> bool {
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } => true,
        GraphPattern::Filter { inner, .. } | GraphPattern::Graph { inner, .. } => {
            reads_per_solution(inner)
        }
        _ => false,
    }
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

/// The variables in scope of a pattern, in order of appearance.
fn in_scope(pattern: &GraphPattern) -> Vec<Variable> {
    let mut all: Vec<Variable> = Vec::new();
    pattern.on_in_scope_variable(|v| {
        if !all.contains(v) {
            all.push(v.clone());
        }
    });
    all
}

/// One variable of each group of triple patterns that share no variable with the others:
/// two or more groups make a cartesian product, which no store read interrupts. Patterns
/// without variables match at most once and multiply nothing.
fn product_components(patterns: &[spargebra::term::TriplePattern]) -> Vec<Variable> {
    let vars = |t: &spargebra::term::TriplePattern| -> Vec<Variable> {
        let mut v = Vec::new();
        if let TermPattern::Variable(x) = &t.subject {
            v.push(x.clone());
        }
        if let spargebra::term::NamedNodePattern::Variable(x) = &t.predicate {
            v.push(x.clone());
        }
        if let TermPattern::Variable(x) = &t.object {
            v.push(x.clone());
        }
        v
    };
    let mut groups: Vec<Vec<Variable>> = Vec::new();
    for t in patterns {
        let mut merged: Vec<Variable> = vars(t);
        if merged.is_empty() {
            continue;
        }
        groups.retain(|g| {
            if g.iter().any(|v| merged.contains(v)) {
                merged.extend(g.iter().cloned());
                false
            } else {
                true
            }
        });
        groups.push(merged);
    }
    groups
        .into_iter()
        .filter_map(|g| g.into_iter().next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sparql::algebra::for_each_pattern_mut;
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
            "SELECT (COUNT(*) AS ?n) { { SELECT ?a (1 AS ?k) { ?a ?b ?c } } { ?d ?e ?f BIND(1 AS ?k) } }",
            "SELECT * { { ?a ?b ?c } UNION { ?c ?b ?a } OPTIONAL { ?a ?x ?y } }",
        ] {
            let plain = SparqlParser::new().parse_query(q).expect("parses");
            let expected = rows(&store, plain, CancellationToken::new()).expect("runs");
            let got = rows(&store, guarded(q), CancellationToken::new()).expect("runs");
            assert_eq!(got, expected, "{q}");
        }
    }

    fn guards(q: &str) -> usize {
        let mut n = 0;
        let mut query = guarded(q);
        for_each_pattern_mut(query_pattern_mut(&mut query), &mut |p| {
            if let GraphPattern::Filter {
                expr: Expression::FunctionCall(Function::Custom(f), _),
                ..
            } = p
            {
                n += usize::from(f.as_str() == ALIVE);
            }
        });
        n
    }

    #[test]
    fn only_what_can_multiply_without_a_store_read_is_guarded() {
        assert_eq!(
            guards("SELECT * { ?s <http://e/p> ?t . ?t <http://e/p> ?u }"),
            0
        );
        assert_eq!(guards("SELECT * { ?s ?p ?o }"), 0);
        assert_eq!(guards("SELECT * { ?a ?b ?c . ?d ?e ?f }"), 1);
        assert_eq!(guards("SELECT * { ?a ?b ?c . ?d ?e ?f . ?c ?x ?d }"), 0);
        assert_eq!(guards("SELECT * { ?a ?b ?c OPTIONAL { ?a ?x ?y } }"), 0);
        assert_eq!(guards("SELECT * { ?a ?b ?c OPTIONAL { ?d ?x ?y } }"), 1);
        assert_eq!(guards("SELECT * { VALUES ?v { 1 2 } ?a ?b ?c }"), 1);
        assert_eq!(
            guards("SELECT * { ?a ?b ?c FILTER EXISTS { ?d ?e ?f . ?g ?h ?i } }"),
            1
        );
        // Two store reads on a shared variable, even as separate groups or a path.
        assert_eq!(guards("SELECT * { { ?a ?b ?c } { ?c ?d ?e } }"), 0);
        assert_eq!(
            guards("SELECT * { ?a <http://e/p>+ ?c OPTIONAL { ?c ?x ?y FILTER(?y > 3) } }"),
            0
        );
        // A side held in memory meets the other side whole, shared variable or not.
        assert_eq!(
            guards("SELECT * { { SELECT ?a (1 AS ?k) { ?a ?b ?c } } { SELECT ?d (1 AS ?k) { ?d ?e ?f } } }"),
            1
        );
        assert_eq!(
            guards("SELECT * { { ?a ?b ?c BIND(1 AS ?k) } { ?d ?e ?f BIND(1 AS ?k) } { ?g ?h ?i BIND(1 AS ?k) } }"),
            2
        );
        assert_eq!(guards("SELECT * { VALUES ?c { 1 2 } ?a ?b ?c }"), 1);
        // The shapes of benches/http.sh carry no check (README, "How a time limit stops").
        for q in [
            "SELECT ?s WHERE { ?s <http://e/p>/<http://e/p> <http://e/x> } LIMIT 50",
            "SELECT ?t ?l WHERE { <http://e/x> <http://e/p> ?t . ?t <http://e/l> ?l FILTER(lang(?l) = 'en') }",
            "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 10",
        ] {
            assert_eq!(guards(q), 0, "{q}");
        }
    }

    /// Cancels the guarded `query` on a store of 400 triples after 300 ms and asserts that
    /// the evaluation stops within 2 s.
    fn stops_at_once(query: &str) {
        let store = store(400);
        let token = CancellationToken::new();
        let cancel = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        });
        let start = Instant::now();
        assert_eq!(rows(&store, guarded(query), token), Err(Cancelled));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "stopped after {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_cancelled_product_on_a_constant_key_stops_at_once() {
        // 400^3 = 6.4e7 solutions of in-memory sides joined on ?k = 1.
        stops_at_once(
            "SELECT (COUNT(*) AS ?n) { { SELECT ?a (1 AS ?k) { ?a ?b ?c } } \
             { SELECT ?d (1 AS ?k) { ?d ?e ?f } } { SELECT ?g (1 AS ?k) { ?g ?h ?i } } }",
        );
    }

    #[test]
    fn a_cancelled_product_stops_at_once() {
        // 400^4 = 2.56e10 solutions: hours of work without the guard.
        stops_at_once("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }");
    }

    fn count(results: QueryResults<'static>) -> KgResult<usize> {
        match results {
            QueryResults::Solutions(s) => s
                .map(|r| r.map_err(|e| Error::Evaluation(e.to_string())))
                .try_fold(0, |n, r| r.map(|_| n + 1)),
            _ => Ok(usize::MAX),
        }
    }

    #[test]
    fn query_until_answers_like_query_and_stops_at_its_deadline() {
        let store = KgStore::open(None).expect("the embedded data loads");
        let q = "SELECT ?s ?l WHERE { ?s rdfs:label ?l . ?s a ?t }";
        let plain = count(store.query(q).expect("runs")).expect("counts");
        assert!(plain > 10);
        for deadline in [Deadline::none(), Deadline::after(Duration::from_secs(3600))] {
            assert_eq!(
                query_until(&store, q, &deadline, count).expect("runs"),
                plain
            );
        }
        // Billions of solutions: stopped by the deadline's own instant, and by a cancel from
        // another thread (which also cancels the token that store reads look at).
        let product = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
        let start = Instant::now();
        let e = query_until(
            &store,
            product,
            &Deadline::after(Duration::from_millis(300)),
            count,
        )
        .expect_err("stopped");
        assert!(
            matches!(e, Error::Timeout(d) if d == Duration::from_millis(300)),
            "{e}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let deadline = Deadline::manual(Duration::from_secs(5));
        let cancel = deadline.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        });
        let start = Instant::now();
        let e = query_until(&store, product, &deadline, count).expect_err("stopped");
        assert!(
            matches!(e, Error::Timeout(d) if d == Duration::from_secs(5)),
            "{e}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        // Syntax errors stay syntax errors.
        let e = query_until(
            &store,
            "SELEC",
            &Deadline::after(Duration::from_secs(9)),
            count,
        )
        .expect_err("syntax");
        assert!(matches!(e, Error::SparqlSyntax(_)), "{e}");
    }

    #[test]
    fn patterns_sent_to_a_service_are_left_as_written() {
        let query = guarded("SELECT * { ?x ?y ?z SERVICE <http://x/> { ?a ?b ?c . ?c ?d ?e } }");
        let mut remote = Vec::new();
        super::super::algebra::for_each_pattern(
            super::super::algebra::query_pattern(&query),
            &mut |p| {
                if let GraphPattern::Service { inner, .. } = p {
                    remote.push(inner.to_string());
                }
            },
        );
        assert_eq!(remote.len(), 1);
        assert!(!remote[0].contains(ALIVE), "{}", remote[0]);
        // The local join with the SERVICE is still guarded.
        assert!(query.to_string().contains(ALIVE), "{query}");
    }

    #[test]
    // 4,096 patterns sharing no variable: a 4,096-way product, one guard variable each.
    fn the_guard_of_a_large_pattern_stays_shallow() {
        let triples: String = (0..4096).map(|i| format!("?s{i} ?p{i} ?o{i} . ")).collect();
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
