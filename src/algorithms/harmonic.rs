//! Harmonic centrality: the sum of inverse distances, networkx's `harmonic_centrality`.

use super::deadline::uncancelled;
use super::{per_node_incoming_bfs, Cancelled, Csr, Deadline};

/// Harmonic centrality of every node.
///
/// Arguments: `g`, the graph (hop counts).
///
/// Returns one score per node: the sum of `1/d(v, u)` over every other node `v` that reaches
/// `u` (unreachable nodes add 0), not normalised, as networkx's `harmonic_centrality`. On a
/// directed graph distances run into the node, as networkx's.
///
/// Complexity: O(n·(n + m)), in parallel over nodes.
///
/// Reference: M. Marchiori and V. Latora, "Harmony in the small-world", Physica A 285, 2000;
/// P. Boldi and S. Vigna, "Axioms for centrality", Internet Mathematics 10, 2014.
pub fn harmonic(g: &Csr) -> Vec<f64> {
    uncancelled(harmonic_until(g, &Deadline::none()))
}

/// [`harmonic`] under a deadline, checked before each node's search: `Err(Cancelled)` once
/// it has expired; equal to [`harmonic`] otherwise.
pub fn harmonic_until(g: &Csr, deadline: &Deadline) -> Result<Vec<f64>, Cancelled> {
    per_node_incoming_bfs(g, deadline, |bfs| {
        bfs.order[1..]
            .iter()
            .map(|&v| 1.0 / f64::from(bfs.dist[v as usize]))
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn path_by_hand() {
        // End of the path 0-1-2-3-4: 1 + 1/2 + 1/3 + 1/4; the middle: 1 + 1 + 1/2 + 1/2.
        let h = harmonic(&path5());
        assert_close(
            &h,
            &[
                25.0 / 12.0,
                1.0 + 1.0 + 0.5 + 1.0 / 3.0,
                3.0,
                17.0 / 6.0,
                25.0 / 12.0,
            ],
            1e-15,
        );
    }

    #[test]
    fn directed_counts_incoming_distances() {
        // 0 → 1 → 2: node 2 is reached from 1 (d=1) and 0 (d=2); node 0 from nobody.
        let g = Csr::unweighted(3, true, [(0, 1), (1, 2)]);
        assert_eq!(harmonic(&g), vec![0.0, 1.0, 1.5]);
    }
}
