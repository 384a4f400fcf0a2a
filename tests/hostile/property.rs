//! The property: whatever deep or wide SPARQL comes in, the parser entry point (the nesting
//! check, spargebra, the join-width check) decides without crashing: a parse when the text is
//! within the limits (every generated text is valid SPARQL), else a 400 naming the limit (and
//! where, for nesting).

use super::generate::{self, Shape};
use autokg::sparql::planning::MAX_JOIN_WIDTH;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        // Failing seeds are kept beside this file (property.proptest-regressions).
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_parser_entry_point_parses_or_refuses_and_never_crashes(case in generate::case()) {
        let nested = autokg::nesting::check_sparql(&case.text).is_ok();
        // Only chains of joins or path steps can be wide: the generator says how wide.
        let wide = case.width > MAX_JOIN_WIDTH;
        match generate::accepted(&case) {
            Ok(()) => prop_assert!(nested && !wide, "accepted past a limit: {}", case.text),
            Err(e) => {
                prop_assert_eq!(e.status, 400);
                if nested {
                    prop_assert!(wide, "valid and within the limits, yet refused: {}", e.message);
                    prop_assert!(e.message.contains("planning limit"), "{}", e.message);
                } else {
                    prop_assert!(
                        e.message.contains("nesting limit") && e.message.contains("line "),
                        "{}", e.message
                    );
                }
            }
        }
    }
}

#[test]
fn values_blocks_never_reach_a_limit() {
    let case = generate::build(Shape::Values, 50_000, "");
    assert!(generate::accepted(&case).is_ok());
}
