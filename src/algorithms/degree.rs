//! Degree centrality: in-, out- and total degree, raw or normalised by `n − 1` as networkx does.

use super::{Csr, NodeId};

/// Which edges a degree counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Edges into the node (the same as total on an undirected graph).
    In,
    /// Edges out of the node (the same as total on an undirected graph).
    Out,
    /// All edges: in + out on a directed graph (a reciprocal pair counts twice).
    Total,
}

/// Number of edges at each node.
///
/// Arguments: `g`, the graph; `direction`, which edges count.
///
/// Returns one count per node. On a directed graph `Total` is in-degree plus out-degree, as
/// networkx's `G.degree()`; on an undirected graph all three directions give the degree.
/// A self-loop counts twice, as in networkx: in and out on a directed graph, both ends on an
/// undirected one.
///
/// Complexity: O(n).
pub fn degree(g: &Csr, direction: Direction) -> Vec<usize> {
    (0..g.node_count() as NodeId)
        .map(|v| match (g.is_directed(), direction) {
            // networkx: a self-loop adds 2 to an undirected degree.
            (false, _) => g.successors(v).len() + usize::from(g.has_self_loop(v)),
            (true, Direction::In) => g.predecessors(v).len(),
            (true, Direction::Out) => g.successors(v).len(),
            (true, Direction::Total) => g.predecessors(v).len() + g.successors(v).len(),
        })
        .collect()
}

/// Degree centrality: the degree divided by `n − 1`.
///
/// Arguments: `g`, the graph; `direction`, which edges count.
///
/// Returns one score per node, networkx's `degree_centrality` (`Total`),
/// `in_degree_centrality` (`In`) or `out_degree_centrality` (`Out`): a directed graph's
/// total degree centrality can exceed 1. A graph of one node scores 1, as in networkx.
///
/// Complexity: O(n).
///
/// Reference: L. C. Freeman, "Centrality in social networks: conceptual clarification",
/// Social Networks 1(3), 1979.
pub fn degree_centrality(g: &Csr, direction: Direction) -> Vec<f64> {
    let n = g.node_count();
    if n <= 1 {
        return vec![1.0; n];
    }
    let s = 1.0 / (n as f64 - 1.0);
    degree(g, direction)
        .into_iter()
        .map(|d| d as f64 * s)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn star_centre_touches_everyone() {
        let c = degree_centrality(&star5(), Direction::Total);
        assert_eq!(c, vec![1.0, 0.25, 0.25, 0.25, 0.25]);
    }

    #[test]
    fn directed_degrees_split_in_and_out() {
        let g = house(true); // 0→4 1→2 2→3 3→4 1→4
        assert_eq!(degree(&g, Direction::In), vec![0, 0, 1, 1, 3]);
        assert_eq!(degree(&g, Direction::Out), vec![1, 2, 1, 1, 0]);
        assert_eq!(degree(&g, Direction::Total), vec![1, 2, 2, 2, 3]);
        assert_eq!(degree_centrality(&g, Direction::In)[4], 0.75);
    }

    #[test]
    fn one_node_scores_one() {
        assert_eq!(
            degree_centrality(&Csr::unweighted(1, false, []), Direction::Total),
            vec![1.0]
        );
    }
}
