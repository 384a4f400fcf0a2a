//! Every long-running kernel stops soon after its deadline is cancelled (on random graphs
//! that take seconds to minutes uncancelled), and gives the same answer as its plain form
//! when the deadline does not expire.

use super::test_graphs::{cancelled_after, random};
use super::*;
use std::sync::OnceLock;
use std::time::Duration;

/// When the tests cancel.
const AFTER: Duration = Duration::from_millis(200);
/// How long a kernel may run on after the cancellation (generous: two shared cores).
const PROMPT: Duration = Duration::from_secs(1);

/// 100,000 nodes and about 300,000 edges, undirected: exact betweenness or closeness takes
/// minutes.
fn big_undirected() -> &'static Csr {
    static G: OnceLock<Csr> = OnceLock::new();
    G.get_or_init(|| random(100_000, 300_000, false, 1))
}

/// The same size, directed: one strongly connected giant, so that removing a node makes
/// almost every node search twice.
fn big_directed() -> &'static Csr {
    static G: OnceLock<Csr> = OnceLock::new();
    G.get_or_init(|| random(100_000, 300_000, true, 2))
}

fn assert_prompt<T: std::fmt::Debug>(
    what: &str,
    (result, overrun): (Result<T, Cancelled>, Duration),
) {
    assert!(
        result.is_err(),
        "{what} finished before its deadline; the test graph is too small"
    );
    assert!(overrun < PROMPT, "{what} ran {overrun:?} past its deadline");
    eprintln!("{what}: stopped {overrun:?} after its deadline was cancelled");
}

#[test]
fn betweenness_stops_promptly() {
    let g = big_undirected();
    assert_prompt(
        "exact betweenness",
        cancelled_after(AFTER, |d| {
            betweenness::betweenness_until(g, true, None, d).map(|v| v.len())
        }),
    );
    let sources = betweenness::sample_sources(g.node_count(), 20_000, 0);
    assert_prompt(
        "sampled betweenness",
        cancelled_after(AFTER, |d| {
            betweenness::betweenness_until(g, true, Some(&sources), d).map(|v| v.len())
        }),
    );
}

#[test]
fn closeness_and_harmonic_stop_promptly() {
    let g = big_undirected();
    assert_prompt(
        "closeness",
        cancelled_after(AFTER, |d| {
            closeness::closeness_until(g, true, d).map(|v| v.len())
        }),
    );
    assert_prompt(
        "harmonic",
        cancelled_after(AFTER, |d| harmonic::harmonic_until(g, d).map(|v| v.len())),
    );
}

#[test]
fn power_iterations_stop_promptly() {
    // A tolerance of 0 is never met: the iteration would run to its cap of a million steps.
    let g = big_directed();
    let options = pagerank::Options {
        max_iter: 1_000_000,
        tol: 0.0,
        ..pagerank::Options::default()
    };
    assert_prompt(
        "pagerank",
        cancelled_after(AFTER, |d| {
            pagerank::pagerank_until(g, options, d).map(|r| r.is_ok())
        }),
    );
    let options = eigenvector::Options {
        max_iter: 1_000_000,
        tol: 0.0,
    };
    assert_prompt(
        "eigenvector",
        cancelled_after(AFTER, |d| {
            eigenvector::eigenvector_until(big_undirected(), options, d).map(|r| r.is_ok())
        }),
    );
}

#[test]
fn directed_impact_stops_promptly() {
    let g = big_directed();
    assert_prompt(
        "impact",
        cancelled_after(AFTER, |d| {
            impact::disruption_impact_until(g, &[0, 1, 2], d).map(|i| i.pairs_lost)
        }),
    );
}

#[test]
fn k_shortest_paths_stop_promptly() {
    let g = big_undirected();
    assert_prompt(
        "k shortest paths",
        cancelled_after(AFTER, |d| {
            paths::k_shortest_paths_until(g, 0, 99_999, 100_000, d).map(|p| p.len())
        }),
    );
}

#[test]
fn linear_kernels_refuse_an_expired_deadline() {
    let expired = Deadline::after(Duration::ZERO);
    let g = big_undirected();
    assert!(kcore::core_number_until(g, &expired).is_err());
    assert!(cuts::cut_vertices_until(g, &expired).is_err());
    assert!(cuts::cut_edges_until(g, &expired).is_err());
    assert!(dominators::immediate_dominators_until(big_directed(), 0, false, &expired).is_err());
    assert!(impact::disruption_impact_until(g, &[0], &expired).is_err());
    assert!(paths::k_shortest_paths_until(g, 0, 1, 3, &expired).is_err());
}

#[test]
fn an_unexpired_deadline_changes_no_result() {
    let far = Deadline::after(Duration::from_secs(3600));
    for directed in [false, true] {
        let g = random(3_000, 9_000, directed, 7);
        let ok = |r: Result<Vec<f64>, Cancelled>| r.expect("not cancelled");
        assert_eq!(
            ok(betweenness::betweenness_until(&g, true, None, &far)),
            betweenness::betweenness(&g, true, None)
        );
        let sample = betweenness::sample_sources(g.node_count(), 100, 3);
        assert_eq!(
            ok(betweenness::betweenness_until(
                &g,
                false,
                Some(&sample),
                &far
            )),
            betweenness::betweenness(&g, false, Some(&sample))
        );
        assert_eq!(
            ok(closeness::closeness_until(&g, true, &far)),
            closeness::closeness(&g, true)
        );
        assert_eq!(
            ok(harmonic::harmonic_until(&g, &far)),
            harmonic::harmonic(&g)
        );
        assert_eq!(
            pagerank::pagerank_until(&g, pagerank::Options::default(), &far),
            Ok(pagerank::pagerank(&g, pagerank::Options::default()))
        );
        assert_eq!(
            eigenvector::eigenvector_until(&g, eigenvector::Options::default(), &far),
            Ok(eigenvector::eigenvector(
                &g,
                eigenvector::Options::default()
            ))
        );
        assert_eq!(
            kcore::core_number_until(&g, &far),
            Ok(kcore::core_number(&g))
        );
        assert_eq!(
            cuts::cut_vertices_until(&g, &far),
            Ok(cuts::cut_vertices(&g))
        );
        assert_eq!(cuts::cut_edges_until(&g, &far), Ok(cuts::cut_edges(&g)));
        assert_eq!(
            impact::disruption_impact_until(&g, &[0, 5], &far),
            Ok(impact::disruption_impact(&g, &[0, 5]))
        );
        assert_eq!(
            paths::k_shortest_paths_until(&g, 1, 2, 5, &far),
            Ok(paths::k_shortest_paths(&g, 1, 2, 5))
        );
        assert_eq!(
            dominators::immediate_dominators_until(&g, 0, directed, &far),
            Ok(dominators::immediate_dominators(&g, 0, directed))
        );
    }
}
