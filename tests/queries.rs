//! Every query shipped in `queries/` parses, runs on the curated store and answers.

use crate::support::{select, store};
use std::path::Path;

fn rq_files(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_query_returns_rows_and_says_what_it_answers() {
    let files = rq_files("queries/examples");
    assert!(files.len() >= 15, "only {} example queries", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        assert!(
            text.starts_with("# "),
            "{} must open with a comment saying what it answers",
            file.display()
        );
        let rows = select(store(), &text);
        assert!(!rows.is_empty(), "{} returned no rows", file.display());
    }
}
