//! Tests of the nesting checks: the repository's queries pass, each hostile shape is refused
//! at its limit with the place named, and the scanner reads strings, comments, IRIs and `<`
//! the way spargebra does (the check bounds the algebra the parser builds).

use super::*;
use spargebra::algebra::{
    AggregateExpression, Expression, GraphPattern, OrderExpression, PropertyPathExpression,
};
use spargebra::{Query, SparqlParser};

const UNLIMITED: Limits = Limits {
    brackets: usize::MAX,
    depth: usize::MAX,
};

fn shape(text: &str) -> Shape {
    check_sparql_with(text, UNLIMITED).expect("no limits")
}

/// The depth of a pattern's algebra, counting every node.
pub(crate) fn pattern_depth(p: &GraphPattern) -> usize {
    let e = |x: &Expression| expression_depth(x);
    1 + match p {
        GraphPattern::Bgp { .. } | GraphPattern::Values { .. } => 0,
        GraphPattern::Path { path, .. } => path_depth(path),
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => pattern_depth(left).max(pattern_depth(right)),
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => pattern_depth(left)
            .max(pattern_depth(right))
            .max(expression.as_ref().map_or(0, e)),
        GraphPattern::Filter { expr, inner } => e(expr).max(pattern_depth(inner)),
        GraphPattern::Extend {
            inner, expression, ..
        } => e(expression).max(pattern_depth(inner)),
        GraphPattern::OrderBy { inner, expression } => expression
            .iter()
            .map(|k| match k {
                OrderExpression::Asc(x) | OrderExpression::Desc(x) => e(x),
            })
            .fold(pattern_depth(inner), usize::max),
        GraphPattern::Group {
            inner, aggregates, ..
        } => aggregates
            .iter()
            .map(|(_, a)| match a {
                AggregateExpression::FunctionCall { expr, .. } => e(expr),
                AggregateExpression::CountSolutions { .. } => 0,
            })
            .fold(pattern_depth(inner), usize::max),
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Service { inner, .. } => pattern_depth(inner),
    }
}

fn path_depth(p: &PropertyPathExpression) -> usize {
    1 + match p {
        PropertyPathExpression::NamedNode(_) | PropertyPathExpression::NegatedPropertySet(_) => 0,
        PropertyPathExpression::Reverse(a)
        | PropertyPathExpression::ZeroOrMore(a)
        | PropertyPathExpression::OneOrMore(a)
        | PropertyPathExpression::ZeroOrOne(a) => path_depth(a),
        PropertyPathExpression::Sequence(a, b) | PropertyPathExpression::Alternative(a, b) => {
            path_depth(a).max(path_depth(b))
        }
    }
}

fn expression_depth(x: &Expression) -> usize {
    let list = |l: &[Expression]| l.iter().map(expression_depth).max().unwrap_or(0);
    1 + match x {
        Expression::Exists(p) => pattern_depth(p),
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
        | Expression::Divide(a, b) => expression_depth(a).max(expression_depth(b)),
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            expression_depth(a)
        }
        Expression::If(a, b, c) => expression_depth(a)
            .max(expression_depth(b))
            .max(expression_depth(c)),
        Expression::In(a, l) => expression_depth(a).max(list(l)),
        Expression::Coalesce(l) | Expression::FunctionCall(_, l) => list(l),
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => 0,
    }
}

/// The algebra depth of a query spargebra accepts (with the predeclared prefixes).
pub(crate) fn query_depth(text: &str) -> Option<usize> {
    let parser = crate::vocab::PREFIXES
        .iter()
        .fold(SparqlParser::new(), |p, (prefix, iri)| {
            p.with_prefix(*prefix, *iri).expect("valid prefix")
        });
    let query = parser.parse_query(text).ok()?;
    let pattern = match &query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    };
    Some(pattern_depth(pattern))
}

#[test]
fn the_repositorys_own_queries_pass_the_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    let mut seen = 0;
    for folder in ["examples", "projections"] {
        for entry in std::fs::read_dir(root.join(folder)).expect("queries/ is readable") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rq") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("UTF-8");
            let shape = check_sparql(&text)
                .unwrap_or_else(|e| panic!("{} fails the check: {e}", path.display()));
            // Far under the limits, and the bound really bounds the algebra.
            assert!(
                shape.brackets * 8 <= SPARQL.brackets && shape.depth * 8 <= SPARQL.depth,
                "{path:?}: {shape:?}"
            );
            let depth = query_depth(&text).expect("the example parses");
            assert!(depth <= shape.depth + 2, "{path:?}: {depth} > {shape:?}");
            seen += 1;
        }
    }
    assert!(seen >= 25, "only {seen} queries found");
}

#[test]
fn long_values_blocks_cost_nothing() {
    // A block of 100,000 rows measures what a block of one row does.
    let one = |rows: &str| format!("SELECT * {{ VALUES ?x {{ {rows} }} ?x ?p ?o }}");
    let rows: String = (0..100_000).map(|i| format!("<http://e/{i}> ")).collect();
    assert_eq!(check_sparql(&one(&rows)), Ok(shape(&one("<http://e/0>"))));
    let two = |rows: &str| format!("SELECT * {{ ?a ?p ?b }} VALUES (?a ?b) {{ {rows} }}");
    let pairs: String = (0..10_000)
        .map(|i| format!("(-{i} \"a(\"^^xsd:string) "))
        .collect();
    assert_eq!(
        check_sparql(&two(&pairs)),
        Ok(shape(&two("(-1 \"a(\"^^xsd:string)")))
    );
    let insert = |data: &str| format!("INSERT DATA {{ GRAPH <http://g> {{ {data} }} }}");
    let data: String = (0..10_000)
        .map(|i| format!("<http://e/{i}> <http://e/p> -{i} . "))
        .collect();
    assert_eq!(
        check_sparql(&insert(&data)),
        Ok(shape(&insert("<http://e/0> <http://e/p> -1 .")))
    );
}

fn nested_filter(n: usize) -> String {
    format!("ASK {{ FILTER({}true{}) }}", "(".repeat(n), ")".repeat(n))
}

#[test]
fn each_shape_is_refused_just_past_its_limit_with_the_place() {
    let b = SPARQL.brackets;
    // `ASK {` and `FILTER(` open two brackets before the chain of parentheses.
    assert!(check_sparql(&nested_filter(b - 2)).is_ok());
    let e = check_sparql(&nested_filter(b - 1)).expect_err("one past");
    assert_eq!((e.measure, e.limit, e.line), (Measure::Brackets, b, 1));
    assert_eq!(e.column, "ASK { FILTER(".len() + b - 1);
    let union = |n: usize| format!("SELECT * {{ {} }}", vec!["{ ?s ?p ?o }"; n].join(" UNION "));
    let e = check_sparql(&union(SPARQL.depth)).expect_err("too long a chain");
    assert_eq!(e.measure, Measure::Depth);
    assert!(check_sparql(&union(SPARQL.depth / 4)).is_ok());
    let sum = |n: usize| format!("SELECT ({} AS ?n) {{}}", vec!["1"; n].join("+"));
    assert_eq!(
        check_sparql(&sum(SPARQL.depth + 1)).map_err(|e| e.measure),
        Err(Measure::Depth)
    );
    assert!(check_sparql(&sum(SPARQL.depth - 8)).is_ok());
    let multiline = format!(
        "ASK {{\n  FILTER(\n{}1{})\n}}",
        "(".repeat(b),
        ")".repeat(b)
    );
    let e = check_sparql(&multiline).expect_err("too deep");
    assert_eq!((e.line, e.column), (3, b - 1));
    assert!(e.to_string().contains(&format!("at most {b}")), "{e}");
}

#[test]
fn brackets_in_strings_comments_and_iris_do_not_count() {
    let q = r#"PREFIX ex: <http://e/(((#>
        SELECT * { ?s ?p "(((" , '{{{' , """[[[ " ]]] "" """ , '''((''' . # (((((((
                   ?s ex:a\(b ?o FILTER(?o != "\"(((" && CONTAINS(?s, '\'') ) }"#;
    assert_eq!(shape(q).brackets, 3);
}

#[test]
fn less_than_and_iris_are_told_apart_as_the_parser_does() {
    // After an operand inside an expression, `<` is less-than and `#` starts a comment.
    let deep = format!(
        "ASK {{ FILTER(?a <?b#> \"\"\"\n&& {}1{}) }}",
        "(".repeat(20),
        ")".repeat(20)
    );
    assert!(query_depth(&deep).is_some(), "spargebra parses it");
    assert_eq!(shape(&deep).brackets, 22);
    // In a pattern `<` starts an IRI, whatever precedes it.
    let q = format!(
        "SELECT * {{ ?s <http://e/#> ?o . ?s ?p {}1{} }}",
        "(".repeat(9),
        ")".repeat(9)
    );
    assert_eq!(shape(&q).brackets, 10);
    // In a SELECT expression of a sub-select, less-than as well.
    let sub = format!(
        "SELECT * {{ {{ SELECT (?a <?b#> '''\n|| {}1{} AS ?c) {{}} }} }}",
        "(".repeat(15),
        ")".repeat(15)
    );
    assert!(query_depth(&sub).is_some(), "spargebra parses it");
    assert!(shape(&sub).brackets >= 18, "{:?}", shape(&sub));
    // `<<(` opens a triple term, where `<` is an IRI again.
    let term = format!(
        "ASK {{ FILTER(?a = {} <http://e/s> <http://e/p#> 1 )>> ) }}",
        "<<( <http://e/s> <http://e/p#> ".repeat(9)
    );
    assert!(shape(&term).brackets >= 11);
}

#[test]
fn a_long_string_without_its_end_falls_back_as_in_the_parser() {
    // `"""a"` is `""` then `"a"`; what follows is code to the parser, so it is counted.
    let q = format!(
        "SELECT * {{ VALUES ?x {{ \"\"\"a\" {} }} }}",
        "<<( ".repeat(40)
    );
    assert!(shape(&q).brackets >= 42);
    let closed = "SELECT * { ?s ?p \"\"\"a\" ((( \"\"\" }";
    assert_eq!(shape(closed).brackets, 1);
}

#[test]
fn filter_glued_to_its_function_still_opens_an_expression() {
    let q = format!(
        "SELECT * {{ ?s ?p ?o FILTERregex(?o <?p#> \"\n, {}'a'{}) }}",
        "(".repeat(7),
        ")".repeat(7)
    );
    assert!(query_depth(&q).is_some(), "spargebra parses it");
    assert!(shape(&q).brackets >= 9);
    let unclear = "SELECT * { ?s ?p ?o FILTERex:f(?o <http://e/#>) }";
    assert_eq!(
        check_sparql(unclear).map_err(|e| e.measure),
        Err(Measure::Unclear)
    );
}

#[test]
fn chains_count_where_the_parser_folds_them() {
    let chain = |sep: &str, n: usize| vec!["?x"; n].join(sep);
    for op in [" || ", " && ", " + ", " - ", " * ", " / "] {
        let q = format!("ASK {{ FILTER({}) }}", chain(op, 50));
        assert!(shape(&q).chain >= 49, "{op}: {:?}", shape(&q));
    }
    let paths = format!("ASK {{ ?s {} ?o }}", vec!["ex:p"; 50].join("/"));
    assert!(shape(&paths).chain >= 49);
    let optionals = format!("ASK {{ ?s ?p ?o {} }}", "OPTIONAL { ?s ?q ?r } ".repeat(50));
    assert!(shape(&optionals).chain >= 50);
    let binds: String = (0..50).map(|i| format!("BIND(1 AS ?v{i}) ")).collect();
    assert!(shape(&format!("ASK {{ {binds} }}")).chain >= 50);
    // Negative numbers in lists are literals, not subtractions.
    assert!(shape("ASK { FILTER(?x IN (-1, -2, -3, -4, -5, -6)) }").chain <= 2);
    assert!(shape("ASK { FILTER(?x -1 -1 -1 -1 -1 > 0) }").chain >= 5);
}

#[test]
fn the_bound_holds_for_every_shape_of_the_tester() {
    let n = 30;
    for q in [
        nested_filter(n),
        format!("SELECT * {}{}", "{ ".repeat(n), "}".repeat(n)),
        format!("SELECT * {{ {} }}", vec!["{ ?s ?p ?o }"; n].join(" UNION ")),
        format!("SELECT ({} AS ?n) {{}}", vec!["1"; n].join("+")),
        format!(
            "SELECT * {}?s ?p ?o{}",
            "{ SELECT DISTINCT * WHERE { ".repeat(n),
            " } ORDER BY ?s LIMIT 5 OFFSET 1 }".repeat(n)
        ),
        format!(
            "SELECT * {{ ?s ?p ?o {} }}",
            "OPTIONAL { ?s ?p ?o MINUS { ?s ?p ?o ".repeat(n) + &"} } ".repeat(n)
        ),
        format!("ASK {{ ?s {} ?o }}", vec!["^rdfs:label?"; n].join("/")),
    ] {
        let depth = query_depth(&q).unwrap_or_else(|| panic!("parses: {q}"));
        let s = shape(&q);
        assert!(depth <= s.depth + 2, "{depth} > {s:?}: {q}");
    }
}

#[test]
fn spargebra_does_not_unescape_the_whole_text() {
    // The scanner reads `\u0028` as text, which holds only while spargebra leaves escapes
    // outside strings and IRIs alone (its `standard-unicode-escaping` feature is off).
    assert!(SparqlParser::new()
        .parse_query("ASK { FILTER(\\u0028true)) }")
        .is_err());
}

#[test]
fn the_scanners_iris_hold_every_iri_the_parser_accepts() {
    // Characters the scanner does not take in an IRI: the parser refuses them too, so an
    // IRI the parser reads is never read as code.
    for c in ["<", "\"", "{", "}", "|", "^", "`", " ", "\t"] {
        let q = format!("ASK {{ <http://e/a{c}b> ?p ?o }}");
        assert!(SparqlParser::new().parse_query(&q).is_err(), "{c:?}");
    }
}

/// The texts of `dir`'s `.rq` files.
fn repository_queries(dir: &str) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut texts: Vec<String> = std::fs::read_dir(root)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .map(|p| std::fs::read_to_string(p).expect("UTF-8"))
        .collect();
    texts.sort();
    texts
}

/// The queries and updates of a W3C protocol manifest: `cnt:chars` bodies (raw, or the
/// `query`/`update` of a form) and the `query` of each request's `ht:absolutePath`.
fn manifest_queries(path: &std::path::Path) -> Vec<String> {
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::Term;
    let text = std::fs::read(path).expect("the manifest is readable");
    let quads = RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri("http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/")
        .expect("a valid base")
        .for_slice(&text);
    let form = |encoded: &str| -> Vec<String> {
        form_urlencoded::parse(encoded.as_bytes())
            .filter(|(k, _)| k == "query" || k == "update")
            .map(|(_, v)| v.into_owned())
            .collect()
    };
    let mut out = Vec::new();
    for q in quads {
        let q = q.expect("the manifest parses");
        let Term::Literal(value) = &q.object else {
            continue;
        };
        let value = value.value();
        match q.predicate.as_str() {
            "http://www.w3.org/2011/content#chars" => {
                let fields = form(value);
                if value.starts_with("query=") || value.starts_with("update=") {
                    out.extend(fields);
                } else {
                    out.push(value.to_owned());
                }
            }
            "http://www.w3.org/2011/http#absolutePath" => {
                out.extend(
                    value
                        .split_once('?')
                        .map(|(_, q)| form(q))
                        .unwrap_or_default(),
                );
            }
            _ => {}
        }
    }
    out
}

/// The survey behind the limits in the module docs: `AUTOKG_W3C=../shared/w3c cargo test
/// --release --lib nesting::tests::survey -- --ignored --nocapture` (the W3C tests are read
/// where they are, not copied here).
#[test]
#[ignore = "reads the W3C tests named by AUTOKG_W3C"]
fn survey_of_real_queries() {
    let w3c = std::env::var("AUTOKG_W3C").expect("AUTOKG_W3C names the W3C test folder");
    let rows: String = (0..100_000).map(|i| format!("<http://e/{i}> ")).collect();
    let pairs: String = (0..10_000).map(|i| format!("({i} \"v{i}\") ")).collect();
    let groups = [
        ("queries/examples", repository_queries("queries/examples")),
        (
            "queries/projections",
            repository_queries("queries/projections"),
        ),
        (
            "W3C protocol tests",
            manifest_queries(&std::path::Path::new(&w3c).join("protocol/manifest.ttl")),
        ),
        (
            "long VALUES",
            vec![
                format!("SELECT * {{ VALUES ?x {{ {rows} }} ?x ?p ?o }}"),
                format!("SELECT * {{ ?a ?p ?b }} VALUES (?a ?b) {{ {pairs} }}"),
            ],
        ),
    ];
    for (name, texts) in groups {
        assert!(!texts.is_empty(), "{name}: nothing found");
        let max = texts
            .iter()
            .map(|t| sparql_shape(t))
            .fold(Shape::default(), |a, s| Shape {
                brackets: a.brackets.max(s.brackets),
                chain: a.chain.max(s.chain),
                depth: a.depth.max(s.depth),
            });
        println!(
            "| {name} ({}) | {} | {} | {} |",
            texts.len(),
            max.brackets,
            max.chain,
            max.depth
        );
        for t in &texts {
            assert!(check_sparql(t).is_ok(), "{name}: {t}");
        }
    }
}
