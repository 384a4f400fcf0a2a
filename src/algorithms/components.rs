//! Connected components of the undirected view (weakly connected components when directed).

use super::{Csr, NodeId};

/// The connected components, as a component number per node.
///
/// Arguments: `g`, the graph; edge direction is ignored (networkx's `connected_components`
/// on an undirected graph, `weakly_connected_components` on a directed one).
///
/// Returns `labels[v]`, the component of `v`, numbered 0, 1, ... by decreasing size (ties:
/// the component holding the smaller node index first), and the components' sizes in the
/// same order. An isolated node is a component of its own.
///
/// Complexity: O(n + m).
///
/// Reference: J. Hopcroft and R. Tarjan, "Algorithm 447: efficient algorithms for graph
/// manipulation", Communications of the ACM 16(6), 1973.
pub fn connected_components(g: &Csr) -> (Vec<usize>, Vec<usize>) {
    let n = g.node_count();
    let mut raw = vec![usize::MAX; n];
    let mut sizes = Vec::new();
    let mut stack = Vec::new();
    for s in 0..n {
        if raw[s] != usize::MAX {
            continue;
        }
        let c = sizes.len();
        raw[s] = c;
        stack.push(s as NodeId);
        let mut size = 0;
        while let Some(v) = stack.pop() {
            size += 1;
            for &w in g.successors(v).iter().chain(if g.is_directed() {
                g.predecessors(v)
            } else {
                &[]
            }) {
                if raw[w as usize] == usize::MAX {
                    raw[w as usize] = c;
                    stack.push(w);
                }
            }
        }
        sizes.push(size);
    }
    // Renumber by decreasing size; components were found in order of their smallest node.
    let mut by_size: Vec<usize> = (0..sizes.len()).collect();
    by_size.sort_by_key(|&c| (std::cmp::Reverse(sizes[c]), c));
    let mut rank = vec![0; sizes.len()];
    for (r, &c) in by_size.iter().enumerate() {
        rank[c] = r;
    }
    let labels = raw.into_iter().map(|c| rank[c]).collect();
    let sizes = by_size.iter().map(|&c| sizes[c]).collect();
    (labels, sizes)
}

/// Number of ordered pairs `(u, v)`, `u ≠ v`, in the same component: Σ s(s − 1).
pub fn connected_pairs(sizes: &[usize]) -> u64 {
    sizes
        .iter()
        .map(|&s| (s as u64) * (s as u64).saturating_sub(1))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_first_and_direction_ignored() {
        let g = Csr::unweighted(6, true, [(1, 0), (2, 3), (4, 3), (3, 5)]);
        let (labels, sizes) = connected_components(&g);
        assert_eq!(sizes, vec![4, 2]);
        assert_eq!(labels, vec![1, 1, 0, 0, 0, 0]);
        assert_eq!(connected_pairs(&sizes), 4 * 3 + 2);
    }

    #[test]
    fn isolated_nodes_are_singletons_ordered_by_index() {
        let g = Csr::unweighted(3, false, []);
        assert_eq!(connected_components(&g), (vec![0, 1, 2], vec![1, 1, 1]));
    }
}
