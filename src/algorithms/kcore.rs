//! Core numbers (k-core decomposition) by Batagelj and Zaversnik's bucket algorithm.

use super::deadline::uncancelled;
use super::{Cancelled, Csr, Deadline, NodeId};

/// The core number of every node: the largest `k` such that the node belongs to a subgraph
/// in which every node has degree at least `k`.
///
/// Arguments: `g`, the graph.
///
/// Returns one number per node, networkx's `core_number`: on a directed graph the degree is
/// in-degree plus out-degree, so a reciprocal pair of edges counts twice (networkx's
/// `G.degree()`). rustworkx-core's `core_number` counts distinct neighbours instead and so
/// differs on such pairs; it is not used. networkx refuses a graph with self-loops, and so
/// do the callers ([`Csr::self_loops`] names them); here a self-loop would count once in an
/// undirected node's degree.
///
/// Complexity: O(n + m).
///
/// Reference: V. Batagelj and M. Zaversnik, "An O(m) algorithm for cores decomposition of
/// networks", arXiv cs/0310049, 2003.
pub fn core_number(g: &Csr) -> Vec<usize> {
    uncancelled(core_number_until(g, &Deadline::none()))
}

/// [`core_number`] under a deadline, checked every [`STEPS_PER_CHECK`] nodes peeled:
/// `Err(Cancelled)` once it has expired; equal to [`core_number`] otherwise.
pub fn core_number_until(g: &Csr, deadline: &Deadline) -> Result<Vec<usize>, Cancelled> {
    let n = g.node_count();
    let mut every = deadline.every(STEPS_PER_CHECK);
    // All neighbours with multiplicity: the adjacency itself when undirected, predecessors
    // followed by successors (networkx's `all_neighbors`) when directed.
    let merged: Option<(Vec<usize>, Vec<NodeId>)> = g.is_directed().then(|| {
        let mut offsets = Vec::with_capacity(n + 1);
        let mut list = Vec::with_capacity(2 * g.edge_count());
        offsets.push(0);
        for v in 0..n as NodeId {
            list.extend_from_slice(g.predecessors(v));
            list.extend_from_slice(g.successors(v));
            offsets.push(list.len());
        }
        (offsets, list)
    });
    let neighbours = |v: NodeId| -> &[NodeId] {
        match &merged {
            Some((offsets, list)) => &list[offsets[v as usize]..offsets[v as usize + 1]],
            None => g.successors(v),
        }
    };
    let mut core: Vec<usize> = (0..n as NodeId).map(|v| neighbours(v).len()).collect();
    let max_degree = core.iter().copied().max().unwrap_or(0);
    // Bucket sort by degree: `order` holds nodes by current core, `start[d]` where bucket d
    // begins, `pos[v]` where v sits in `order`.
    let mut start = vec![0usize; max_degree + 2];
    for &d in &core {
        start[d + 1] += 1;
    }
    for d in 0..=max_degree {
        start[d + 1] += start[d];
    }
    let mut order = vec![0 as NodeId; n];
    let mut pos = vec![0usize; n];
    let mut fill = start.clone();
    for v in 0..n {
        pos[v] = fill[core[v]];
        order[pos[v]] = v as NodeId;
        fill[core[v]] += 1;
    }
    for i in 0..n {
        every.check()?;
        let v = order[i];
        let cv = core[v as usize];
        for &u in neighbours(v) {
            let u = u as usize;
            if core[u] > cv {
                // Move u to the front of its bucket, then shrink the bucket by one.
                let cu = core[u];
                let front = start[cu];
                let w = order[front] as usize;
                if w != u {
                    order.swap(pos[u], front);
                    pos.swap(u, w);
                }
                start[cu] += 1;
                core[u] -= 1;
            }
        }
    }
    Ok(core)
}

/// Nodes peeled between two looks at the deadline (each step is a few memory accesses).
pub const STEPS_PER_CHECK: u32 = 4096;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn triangles_are_two_cores_and_a_pendant_is_one() {
        assert_eq!(core_number(&bowtie()), vec![2; 6]);
        let g = Csr::unweighted(4, false, [(0, 1), (1, 2), (0, 2), (2, 3)]);
        assert_eq!(core_number(&g), vec![2, 2, 2, 1]);
        assert_eq!(core_number(&star5()), vec![1; 5]);
        assert_eq!(core_number(&Csr::unweighted(2, false, [])), vec![0, 0]);
    }

    #[test]
    fn clique_of_four_is_a_three_core() {
        let g = Csr::unweighted(
            5,
            false,
            [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (3, 4)],
        );
        assert_eq!(core_number(&g), vec![3, 3, 3, 3, 1]);
    }

    #[test]
    fn reciprocal_directed_edges_count_twice_like_networkx() {
        // 0 ⇄ 1: each node has in-degree 1 and out-degree 1, total 2, so both are in the
        // 2-core (networkx gives {0: 2, 1: 2}).
        let g = Csr::unweighted(2, true, [(0, 1), (1, 0)]);
        assert_eq!(core_number(&g), vec![2, 2]);
    }

    #[test]
    fn agrees_with_rustworkx_on_undirected_graphs() {
        for g in [bowtie(), house(false), path5()] {
            let reference = rustworkx_core::connectivity::core_number(
                &crate::algorithms::oracle::to_petgraph_undirected(&g),
            );
            let ours = core_number(&g);
            for (node, k) in reference {
                assert_eq!(ours[node.index()], k);
            }
        }
    }
}
