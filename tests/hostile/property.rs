//! The property: whatever deep or wide SPARQL comes in, the parser entry point (the nesting
//! check, then spargebra) decides without crashing: a parse when the text is within the
//! limits (every generated text is valid SPARQL), else a 400 naming the limit and where.

use super::generate::{self, Shape};
use autokg::sparql::evaluate;
use proptest::prelude::*;

/// Runs the entry point the server runs, on a thread with the server's stack.
fn decide(case: &generate::Case) -> Result<(), autokg::sparql::HttpError> {
    let case = case.clone();
    autokg::nesting::with_large_stack(move || {
        if case.update {
            evaluate::parse_update(&case.text).map(drop)
        } else {
            evaluate::parse_query(&case.text).map(drop)
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_entry_point_parses_or_refuses_and_never_crashes(case in generate::case()) {
        let within = autokg::nesting::check_sparql(&case.text).is_ok();
        match decide(&case) {
            Ok(()) => prop_assert!(within),
            Err(e) => {
                prop_assert!(!within, "valid and within the limits, yet refused: {}", e.message);
                prop_assert_eq!(e.status, 400);
                prop_assert!(
                    e.message.contains("nesting limit") && e.message.contains("line "),
                    "{}", e.message
                );
            }
        }
    }
}

#[test]
fn values_blocks_never_reach_a_limit() {
    let case = generate::build(Shape::Values, 50_000, "");
    assert!(decide(&case).is_ok());
}
