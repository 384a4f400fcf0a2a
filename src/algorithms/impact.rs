//! Disruption impact: what removing a node, or a set of nodes, cuts off.

use super::components::{connected_components, connected_pairs};
use super::deadline::uncancelled;
use super::{Cancelled, Csr, Deadline, NodeId};
use rayon::prelude::*;

/// What removing some nodes does to a graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    /// The removed nodes, sorted and without duplicates.
    pub removed: Vec<NodeId>,
    /// Remaining nodes that lose every path to the rest of their component: before the
    /// removal they were connected (ignoring direction) to the component's other nodes;
    /// afterwards they are not in its largest surviving piece. Sorted.
    pub disconnected: Vec<NodeId>,
    /// Ordered pairs `(u, v)` of remaining nodes, `u ≠ v`, such that `v` was reachable from
    /// `u` before the removal and is not afterwards (following edge direction on a directed
    /// graph; on an undirected graph every connected pair counts in both orders).
    pub pairs_lost: u64,
    /// Size of the largest connected component (undirected view) before the removal.
    pub largest_before: usize,
    /// Size of the largest connected component of the remaining nodes.
    pub largest_after: usize,
    /// Number of connected components before the removal.
    pub components_before: usize,
    /// Number of connected components of the remaining nodes.
    pub components_after: usize,
}

/// The impact of removing `removed` from `g`.
///
/// Arguments: `g`, the graph; `removed`, the nodes taken out (with all their edges).
///
/// Returns the [`Impact`]. Components are those of the undirected view (weakly connected
/// components); lost pairs follow edge direction on a directed graph.
///
/// Complexity: O(n + m) on an undirected graph. On a directed graph one BFS before and one
/// after from every node that reaches a removed node: O(r·(n + m)) for `r` such nodes, in
/// parallel.
///
/// Reference: R. Albert, H. Jeong and A.-L. Barabási, "Error and attack tolerance of complex
/// networks", Nature 406, 2000 (removal of nodes and the size of the largest component).
pub fn disruption_impact(g: &Csr, removed: &[NodeId]) -> Impact {
    uncancelled(disruption_impact_until(g, removed, &Deadline::none()))
}

/// [`disruption_impact`] under a deadline, checked between its steps and, on a directed
/// graph, before each source's searches: `Err(Cancelled)` once it has expired; equal to
/// [`disruption_impact`] otherwise.
pub fn disruption_impact_until(
    g: &Csr,
    removed: &[NodeId],
    deadline: &Deadline,
) -> Result<Impact, Cancelled> {
    let n = g.node_count();
    let mut removed: Vec<NodeId> = removed
        .iter()
        .copied()
        .filter(|&v| (v as usize) < n)
        .collect();
    removed.sort_unstable();
    removed.dedup();
    let mut is_removed = vec![false; n];
    for &v in &removed {
        is_removed[v as usize] = true;
    }
    let (before, before_sizes) = connected_components(g);
    deadline.check()?;
    let after_graph = g.without_nodes(&is_removed);
    let (after, after_sizes_all) = connected_components(&after_graph);
    deadline.check()?;
    // Removed nodes are isolated in `after_graph`: leave them out of its sizes.
    let mut after_sizes = after_sizes_all.clone();
    for &v in &removed {
        after_sizes[after[v as usize]] -= 1;
    }
    let largest_after = after_sizes.iter().copied().max().unwrap_or(0);
    let components_after = after_sizes.iter().filter(|&&s| s > 0).count();

    // For each touched component, its largest surviving piece (ties: lowest piece number,
    // which holds the lower node index among equal sizes).
    let touched: Vec<bool> = {
        let mut t = vec![false; before_sizes.len()];
        for &v in &removed {
            t[before[v as usize]] = true;
        }
        t
    };
    let mut best_piece: Vec<Option<usize>> = vec![None; before_sizes.len()];
    for v in 0..n {
        if is_removed[v] || !touched[before[v]] {
            continue;
        }
        let piece = after[v];
        let slot = &mut best_piece[before[v]];
        match *slot {
            Some(p)
                if (after_sizes[p], std::cmp::Reverse(p))
                    >= (after_sizes[piece], std::cmp::Reverse(piece)) => {}
            _ => *slot = Some(piece),
        }
    }
    let disconnected: Vec<NodeId> = (0..n)
        .filter(|&v| {
            !is_removed[v] && touched[before[v]] && best_piece[before[v]] != Some(after[v])
        })
        .map(|v| v as NodeId)
        .collect();

    let pairs_lost = if g.is_directed() {
        directed_pairs_lost(g, &is_removed, deadline)?
    } else {
        let mut remaining_before = before_sizes.clone();
        for &v in &removed {
            remaining_before[before[v as usize]] -= 1;
        }
        connected_pairs(&remaining_before) - connected_pairs(&after_sizes)
    };
    Ok(Impact {
        removed,
        disconnected,
        pairs_lost,
        largest_before: before_sizes.first().copied().unwrap_or(0),
        largest_after,
        components_before: before_sizes.len(),
        components_after,
    })
}

/// Reachable pairs lost on a directed graph: only nodes that reach a removed node can lose
/// anything, so BFS from those alone, once through the removed nodes and once around them.
fn directed_pairs_lost(
    g: &Csr,
    is_removed: &[bool],
    deadline: &Deadline,
) -> Result<u64, Cancelled> {
    let n = g.node_count();
    // Nodes that reach a removed node: a backward BFS from all removed nodes.
    let mut reaches = vec![false; n];
    let mut queue: Vec<NodeId> = (0..n as NodeId)
        .filter(|&v| is_removed[v as usize])
        .collect();
    for &v in &queue {
        reaches[v as usize] = true;
    }
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &u in g.predecessors(v) {
            if !reaches[u as usize] {
                reaches[u as usize] = true;
                queue.push(u);
            }
        }
    }
    let sources: Vec<NodeId> = (0..n as NodeId)
        .filter(|&v| reaches[v as usize] && !is_removed[v as usize])
        .collect();
    let lost = sources
        .par_iter()
        .with_min_len(16)
        .map_init(
            || (vec![false; n], Vec::with_capacity(n)),
            |(seen, order), &s| {
                if deadline.is_expired() {
                    return 0;
                }
                let count = |seen: &mut Vec<bool>, order: &mut Vec<NodeId>, through: bool| {
                    for &v in order.iter() {
                        seen[v as usize] = false;
                    }
                    order.clear();
                    seen[s as usize] = true;
                    order.push(s);
                    let mut head = 0;
                    let mut counted = 0u64;
                    while head < order.len() {
                        let v = order[head];
                        head += 1;
                        for &w in g.successors(v) {
                            let w_removed = is_removed[w as usize];
                            if seen[w as usize] || (w_removed && !through) {
                                continue;
                            }
                            seen[w as usize] = true;
                            order.push(w);
                            if !w_removed {
                                counted += 1;
                            }
                        }
                    }
                    counted
                };
                let before = count(seen, order, true);
                let after = count(seen, order, false);
                before - after
            },
        )
        .sum();
    deadline.check()?;
    Ok(lost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn removing_a_bridge_end_cuts_off_the_other_triangle() {
        // Bowtie: triangles {0,1,2} and {3,4,5} joined by 2 – 3. Remove 2: {0,1} split off
        // from the larger piece {3,4,5}.
        let i = disruption_impact(&bowtie(), &[2]);
        assert_eq!(i.disconnected, vec![0, 1]);
        assert_eq!(i.largest_before, 6);
        assert_eq!(i.largest_after, 3);
        assert_eq!(i.components_after, 2);
        // Before: 5 remaining nodes all connected, 5·4 = 20 ordered pairs; after 2·1 + 3·2.
        assert_eq!(i.pairs_lost, 20 - 2 - 6);
    }

    #[test]
    fn star_centre_strands_every_leaf() {
        let i = disruption_impact(&star5(), &[0]);
        assert_eq!(i.disconnected, vec![2, 3, 4]); // the piece of leaf 1 is kept as "the rest"
        assert_eq!(i.pairs_lost, 12);
        assert_eq!(i.components_after, 4);
    }

    #[test]
    fn leaf_removal_costs_nothing() {
        let i = disruption_impact(&path5(), &[4]);
        assert!(i.disconnected.is_empty());
        assert_eq!(i.pairs_lost, 0);
        assert_eq!(i.largest_after, 4);
    }

    #[test]
    fn directed_reachability_by_hand() {
        // 0 → 1 → 2 and 3 → 1. Removing 1: pairs (0,2) and (3,2) lose reachability.
        let g = Csr::unweighted(4, true, [(0, 1), (1, 2), (3, 1)]);
        let i = disruption_impact(&g, &[1]);
        assert_eq!(i.pairs_lost, 2);
        assert_eq!(i.disconnected.len(), 2);
        assert_eq!(i.largest_after, 1);
    }
}
