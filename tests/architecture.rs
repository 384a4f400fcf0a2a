//! The layout's rules, checked on the source tree: only `src/http/` names actix, only
//! `src/cli/` names clap, no import circle between top-level modules, no file under `src/`
//! over 700 lines, and every file opens with a `//!` line.
//!
//! The module graph is read from the code, not from comments: every `crate::name` path and
//! every name inside `use crate::{…}` in a non-comment line of `src/NAME.rs` or
//! `src/NAME/**` is an edge NAME → name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, with its path relative to `src/`.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(base)
                    .expect("under src")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).expect("UTF-8 source")));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &src(), &mut out);
    out.sort();
    assert!(out.len() > 20, "the source tree was not found");
    out
}

/// The code of a file without comments: `//` to the end of a line (outside strings is close
/// enough here, as no string of ours holds `//` followed by a module path).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|l| match l.find("//") {
        Some(i) if !l[..i].contains('"') => &l[..i],
        _ => l,
    })
}

/// The top-level module a file belongs to (`http/api/lookup.rs` → `http`).
fn module_of(rel: &str) -> String {
    rel.split('/')
        .next()
        .unwrap_or(rel)
        .trim_end_matches(".rs")
        .to_owned()
}

fn names_crate(text: &str, name: &str) -> Vec<String> {
    code_lines(text)
        .filter(|l| {
            l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == name)
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn only_http_names_actix_and_only_cli_names_clap() {
    for (rel, text) in sources() {
        let module = module_of(&rel);
        for (krate, home) in [
            ("actix_web", "http"),
            ("actix_cors", "http"),
            ("clap", "cli"),
        ] {
            if module != home {
                let lines = names_crate(&text, krate);
                assert!(
                    lines.is_empty(),
                    "src/{rel} names {krate}, which belongs in src/{home}/: {lines:?}"
                );
            }
        }
    }
}

/// Top-level module → the top-level modules its code names.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in sources() {
        let module = module_of(&rel);
        if module == "lib" || module == "main" {
            continue;
        }
        let edges = graph.entry(module.clone()).or_default();
        for line in code_lines(&text) {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // `use crate::{a::b, c};`: every first segment in the group.
                    let end = group.find('}').unwrap_or(group.len());
                    for item in group[..end].split(',') {
                        let name: String = item
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() && name != module {
                            edges.insert(name);
                        }
                    }
                    continue;
                }
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    edges.insert(name);
                }
            }
        }
    }
    graph
}

/// A circle of `graph` (its nodes in order, the first repeated at the end), if it has one.
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut circle = path[i..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_import_each_other_without_circles() {
    let graph = module_graph();
    assert!(
        graph["http"].contains("sparql") && graph["cli"].contains("store"),
        "the reader missed edges: {graph:?}"
    );
    if let Some(circle) = find_circle(&graph) {
        panic!("import circle: {}", circle.join(" -> "));
    }
}

#[test]
fn the_circle_check_finds_a_circle() {
    let edge = |a: &str, b: &str| (a.to_owned(), BTreeSet::from([b.to_owned()]));
    let line = BTreeMap::from([edge("a", "b"), edge("b", "c")]);
    assert_eq!(find_circle(&line), None);
    let circle = BTreeMap::from([edge("a", "b"), edge("b", "c"), edge("c", "a")]);
    assert_eq!(
        find_circle(&circle),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn no_source_file_is_over_700_lines_and_each_opens_with_a_doc_line() {
    for (rel, text) in sources() {
        let lines = text.lines().count();
        assert!(
            lines <= 700,
            "src/{rel} has {lines} lines; split it by concern"
        );
        assert!(
            text.starts_with("//!"),
            "src/{rel} does not open with a //! line"
        );
    }
}
