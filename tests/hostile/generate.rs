//! Generators of deep and wide SPARQL: nested groups, FILTER parentheses, UNION chains,
//! arithmetic chains, sub-selects, OPTIONAL/MINUS nesting, long VALUES, each from a few
//! levels to far past the limits, sprinkled with strings, comments and IRIs holding brackets.
//! Every text is valid SPARQL by construction, so a check that passes must be followed by a
//! successful parse.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// One generated request.
#[derive(Debug, Clone)]
pub struct Case {
    /// The text.
    pub text: String,
    /// Whether it is an update (else a query).
    pub update: bool,
    /// The number of operands its widest group joins, as counted from how it was built (the
    /// repetitions of a join or path chain, plus the noise's groups), or 0 when no shape of
    /// it can come near the planning limit.
    pub width: usize,
}

/// Things that hold brackets or `<` without nesting anything: strings in the four forms,
/// comments, IRIs with `#` and `(`, an escaped prefixed name.
const NOISE: &[&str] = &[
    "FILTER(?s != \"((({{[[\") ",
    "FILTER(?s != '}}])') ",
    "FILTER(?s != \"\"\"(( \" '' \n ]]\"\"\") ",
    "FILTER(?s != '''{ \\' (''') ",
    "# ((((( {{{{ [[[[ <http://e/#> \n",
    "{ ?s <http://e/a(b)#c> ?o } ",
    "FILTER(?s != <http://e/#x>) ",
    "{ ?s rdfs:a\\(b ?o } ",
    "FILTER(?o < 3 || ?o <= <http://e/x#y>) ",
];

/// The shapes built by repetition.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// `FILTER(((…true…)))`.
    FilterParens,
    /// `{ { { … } } }`.
    NestedGroups,
    /// `{} UNION {} UNION …`.
    UnionChain,
    /// `1+1+…+1`.
    Arithmetic,
    /// `{ SELECT * WHERE { … } }` nested.
    SubSelects,
    /// `OPTIONAL { … OPTIONAL { … } }`.
    OptionalNest,
    /// `MINUS { … MINUS { … } }`.
    MinusNest,
    /// `?o = 1 || ?o = 2 || …`.
    OrChain,
    /// `{ … } { … } …`: a chain of joins, bounded by the join width of
    /// [`autokg::sparql::planning`] long before its nesting limit.
    JoinChain,
    /// `rdfs:label/rdfs:label/…`: one triple pattern per step, so bounded by the join width
    /// of [`autokg::sparql::planning`].
    PathChain,
    /// `VALUES ?x { … }` rows (flat: never past a limit).
    Values,
    /// An update whose WHERE has a deep FILTER.
    UpdateFilter,
    /// `INSERT DATA` with nested blank nodes.
    UpdateBlankNodes,
}

const SHAPES: &[Shape] = &[
    Shape::FilterParens,
    Shape::NestedGroups,
    Shape::UnionChain,
    Shape::Arithmetic,
    Shape::SubSelects,
    Shape::OptionalNest,
    Shape::MinusNest,
    Shape::OrChain,
    Shape::JoinChain,
    Shape::PathChain,
    Shape::Values,
    Shape::UpdateFilter,
    Shape::UpdateBlankNodes,
];

/// A text of `shape` with `n` repetitions and `noise` inside its innermost group.
pub fn build(shape: Shape, n: usize, noise: &str) -> Case {
    let n = n.max(1);
    let rep = |s: &str| s.repeat(n);
    let query = |text: String| Case {
        text,
        update: false,
        width: 0,
    };
    let case = match shape {
        Shape::FilterParens => query(format!(
            "ASK {{ {noise} FILTER({}true{}) }}",
            rep("("),
            rep(")")
        )),
        Shape::NestedGroups => query(format!(
            "SELECT * WHERE {}?s ?p ?o {noise}{} LIMIT 5",
            rep("{ "),
            rep(" }")
        )),
        Shape::UnionChain => query(format!(
            "SELECT * {{ {noise} {} }} LIMIT 5",
            vec!["{ ?s ?p ?o }"; n].join(" UNION ")
        )),
        Shape::Arithmetic => query(format!(
            "SELECT ?s ({} AS ?n) {{ ?s ?p ?o {noise}}} LIMIT 3",
            vec!["1"; n].join(" + ")
        )),
        Shape::SubSelects => query(format!(
            "SELECT * {}?s ?p ?o {noise}{} LIMIT 5",
            rep("{ SELECT * WHERE { "),
            rep(" } }")
        )),
        Shape::OptionalNest => query(format!(
            "SELECT * {{ ?s ?p ?o {noise}{}{} }} LIMIT 5",
            rep("OPTIONAL { ?s ?p ?o "),
            rep("} ")
        )),
        Shape::MinusNest => query(format!(
            "SELECT * {{ ?s ?p ?o {noise}{}{} }} LIMIT 5",
            rep("MINUS { ?s ?p ?o "),
            rep("} ")
        )),
        Shape::OrChain => query(format!(
            "ASK {{ ?s ?p ?o {noise} FILTER({}) }}",
            (0..n)
                .map(|i| format!("?o = {i}"))
                .collect::<Vec<_>>()
                .join(" || ")
        )),
        Shape::JoinChain => query(format!(
            "SELECT * {{ {noise}{}}} LIMIT 5",
            (0..n)
                .map(|i| format!("{{ BIND({i} AS ?v{i}) }} "))
                .collect::<String>()
        )),
        Shape::PathChain => query(format!(
            "ASK {{ ?s {} ?o {noise}}}",
            vec!["rdfs:label"; n].join("/")
        )),
        Shape::Values => query(format!(
            "SELECT * {{ {noise} VALUES ?x {{ {} }} }}",
            (0..n).map(|i| format!("<http://e/{i}> -{i} ")).collect::<String>()
        )),
        Shape::UpdateFilter => Case {
            text: format!(
                "DELETE {{ ?s <http://e/none> ?o }} WHERE {{ ?s <http://e/none> ?o {noise} FILTER({}true{}) }}",
                rep("("),
                rep(")")
            ),
            update: true,
            width: 0,
        },
        // INSERT DATA takes no FILTER: no noise here.
        Shape::UpdateBlankNodes => Case {
            text: format!(
                "INSERT DATA {{ GRAPH <http://e/hostile> {{ <http://e/s> <http://e/p> {}1{} }} }}",
                rep("[ <http://e/p> "),
                rep(" ]")
            ),
            update: true,
            width: 0,
        },
    };
    let width = match shape {
        Shape::JoinChain | Shape::PathChain => n + noise.matches("{ ?s").count(),
        _ => 0,
    };
    Case { width, ..case }
}

/// A repetition count: mostly around the limits (a few levels to a few times past them),
/// sometimes far past.
fn count() -> impl Strategy<Value = usize> {
    prop_oneof![3 => 0..80usize, 3 => 80..1200usize, 1 => 1200..5000usize]
}

/// Any generated case.
pub fn case() -> impl Strategy<Value = Case> {
    (
        proptest::sample::select(SHAPES),
        count(),
        proptest::sample::subsequence(NOISE, 0..=3),
    )
        .prop_map(|(shape, n, noise)| build(shape, n, &noise.concat()))
}

/// `n` cases drawn with a fixed seed: the same sample on every run.
pub fn sample(n: usize, seed: u8) -> Vec<Case> {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = case();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("a case").current())
        .collect()
}

/// Whether the parser entry point the server runs (nesting check, parse, join-width check)
/// accepts `case`, on a thread with the server's stack.
pub fn accepted(case: &Case) -> Result<(), autokg::sparql::HttpError> {
    let case = case.clone();
    autokg::nesting::with_large_stack(move || {
        if case.update {
            autokg::sparql::evaluate::parse_update(&case.text).map(drop)
        } else {
            autokg::sparql::evaluate::parse_query(&case.text).map(drop)
        }
    })
}

/// The largest repetition count of `shape` that the server accepts (with no noise): the
/// nesting limit, or for a chain of joins or path steps the planning limit.
pub fn at_limit(shape: Shape) -> usize {
    let passes = |n: usize| accepted(&build(shape, n, "")).is_ok();
    let (mut lo, mut hi) = (0, 1);
    while passes(hi) {
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if passes(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}
