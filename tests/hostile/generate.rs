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
    /// `{ … } { … } …`: a chain of joins, the shape needing the most stack at the limit
    /// (more than a default 2 MiB thread has).
    JoinChain,
    /// `rdfs:label/rdfs:label/…` (not in the random sample: Oxigraph takes seconds to
    /// evaluate a few hundred steps, minutes for a thousand, so only the refusal past the
    /// limit is tested).
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
    };
    match shape {
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
        },
        // INSERT DATA takes no FILTER: no noise here.
        Shape::UpdateBlankNodes => Case {
            text: format!(
                "INSERT DATA {{ GRAPH <http://e/hostile> {{ <http://e/s> <http://e/p> {}1{} }} }}",
                rep("[ <http://e/p> "),
                rep(" ]")
            ),
            update: true,
        },
    }
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

/// The largest repetition count of `shape` that passes the check (with no noise).
pub fn at_limit(shape: Shape) -> usize {
    let passes = |n: usize| autokg::nesting::check_sparql(&build(shape, n, "").text).is_ok();
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
