//! Closeness centrality with networkx's `wf_improved` scaling for disconnected graphs.

use super::deadline::uncancelled;
use super::{per_node_incoming_bfs, Cancelled, Csr, Deadline};

/// Closeness centrality of every node.
///
/// Arguments: `g`, the graph (hop counts); `wf_improved`, whether to scale by the share of
/// the graph that reaches the node (Wasserman and Faust; networkx's default `true`).
///
/// Returns one score per node, networkx's `closeness_centrality(G, wf_improved=...)`:
/// with `r` the number of nodes that reach `u` (itself included) and `D` the sum of their
/// distances to `u`, the score is `(r − 1)/D`, times `(r − 1)/(n − 1)` when `wf_improved`;
/// 0 for a node nobody reaches. On a directed graph distances run *into* the node
/// (networkx computes closeness on `G.reverse()`).
///
/// Complexity: O(n·(n + m)), in parallel over nodes.
///
/// Reference: A. Bavelas, "Communication patterns in task-oriented groups", Journal of the
/// Acoustical Society of America 22(6), 1950; S. Wasserman and K. Faust, "Social Network
/// Analysis", Cambridge University Press, 1994.
pub fn closeness(g: &Csr, wf_improved: bool) -> Vec<f64> {
    uncancelled(closeness_until(g, wf_improved, &Deadline::none()))
}

/// [`closeness`] under a deadline, checked before each node's search: `Err(Cancelled)` once
/// it has expired; equal to [`closeness`] otherwise.
pub fn closeness_until(
    g: &Csr,
    wf_improved: bool,
    deadline: &Deadline,
) -> Result<Vec<f64>, Cancelled> {
    let n = g.node_count();
    per_node_incoming_bfs(g, deadline, |bfs| {
        let total: i64 = bfs
            .order
            .iter()
            .map(|&v| i64::from(bfs.dist[v as usize]))
            .sum();
        if total <= 0 || n <= 1 {
            return 0.0;
        }
        let reached = bfs.order.len() as f64;
        let mut c = (reached - 1.0) / total as f64;
        if wf_improved {
            c *= (reached - 1.0) / (n as f64 - 1.0);
        }
        c
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn rustworkx_documented_values() {
        // rustworkx-core's doc examples, which follow networkx.
        assert_close(
            &closeness(&house(false), true),
            &[1. / 2., 2. / 3., 4. / 7., 2. / 3., 4. / 5.],
            1e-15,
        );
        assert_close(
            &closeness(&house(true), true),
            &[0., 0., 1. / 4., 1. / 3., 4. / 5.],
            1e-15,
        );
    }

    #[test]
    fn path_by_hand() {
        // Node 0 of the path 0-1-2-3-4: distances 1+2+3+4 = 10, so 4/10.
        let c = closeness(&path5(), true);
        assert_close(&c, &[0.4, 4.0 / 7.0, 4.0 / 6.0, 4.0 / 7.0, 0.4], 1e-15);
    }

    #[test]
    fn wf_improved_scales_by_reach() {
        // Two separate edges 0-1, 2-3: each node reaches one other at distance 1.
        let g = Csr::unweighted(4, false, [(0, 1), (2, 3)]);
        assert_eq!(closeness(&g, false), vec![1.0; 4]);
        assert_close(&closeness(&g, true), &[1.0 / 3.0; 4], 1e-15);
    }

    #[test]
    fn agrees_with_rustworkx() {
        let g = bowtie();
        let reference: Vec<f64> = rustworkx_core::centrality::closeness_centrality(
            &crate::algorithms::oracle::to_petgraph_undirected(&g),
            true,
            1000,
        )
        .into_iter()
        .map(|x| x.unwrap_or(f64::NAN))
        .collect();
        assert_close(&closeness(&g, true), &reference, 1e-12);
    }
}
