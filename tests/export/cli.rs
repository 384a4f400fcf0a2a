//! `autokg export`: files equal to the library's, CSV directories, DOT that Graphviz reads,
//! and bad input refused with exit code 2.

use super::tools::graphviz;
use super::{build, render};
use crate::support::{autokg, stderr, stdout, store};
use autokg::analytics::Measure;
use autokg::export::{Format, Scope};

#[test]
fn the_cli_exports_files_and_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gexf = dir.path().join("sc.gexf");
    let out = autokg(&[
        "export",
        "--format",
        "gexf",
        "--scores",
        "pagerank,betweenness",
        "-o",
        gexf.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        // Huawei, Seres, FAW, Volkswagen, Jetta, Volkswagen Anhui and Chengdu's government.
        stderr(&out).contains("exported 7 nodes"),
        "{}",
        stderr(&out)
    );
    let library = render(
        store(),
        &build(
            store(),
            "supply-chain",
            Scope::Whole,
            &[Measure::PageRank, Measure::Betweenness],
        ),
        Format::Gexf,
    );
    assert_eq!(std::fs::read(&gexf).expect("file"), library);

    let csv_dir = dir.path().join("csv");
    let out = autokg(&[
        "export",
        "--format",
        "csv",
        "--around",
        "seres",
        "--depth",
        "2",
        "-o",
        csv_dir.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let nodes = std::fs::read_to_string(csv_dir.join("nodes.csv")).expect("nodes.csv");
    let edges = std::fs::read_to_string(csv_dir.join("edges.csv")).expect("edges.csv");
    assert!(nodes.starts_with("Id,Label,") && nodes.contains("赛力斯"));
    assert!(edges.starts_with("Source,Target,Type,Weight,Label,"));
    assert!(
        edges.contains("Undirected"),
        "--around defaults to the 'all' projection"
    );

    let out = autokg(&["export", "--format", "dot", "--around", "huawei"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("graph \"all\" {"));
    graphviz(&out.stdout);

    let out = autokg(&["export", "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'svg'") && stderr(&out).contains("graphml, gexf, dot, cytoscape"),
        "{}",
        stderr(&out)
    );
    let out = autokg(&["export", "--format", "gexf", "--around", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown entity 'nobody'"),
        "{}",
        stderr(&out)
    );
    let out = autokg(&[
        "export",
        "--format",
        "gexf",
        "--around",
        "seres",
        "--depth",
        "3",
        "--max-nodes",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nodes, more than the limit of 5"),
        "{}",
        stderr(&out)
    );
    let out = autokg(&["export", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-o DIR"), "{}", stderr(&out));
    // RDF carries no scores, but a misspelt measure is still an error, not ignored.
    let out = autokg(&["export", "--format", "turtle", "--scores", "fame"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("fame"), "{}", stderr(&out));
}
