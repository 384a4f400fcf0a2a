//! Shortest paths in hops, and the k shortest simple paths by Yen's algorithm.

use super::deadline::uncancelled;
use super::{Cancelled, Csr, Deadline, NodeId};
use std::collections::{BTreeSet, HashSet};

/// A shortest path from `from` to `to` by breadth-first search, avoiding `blocked` nodes and
/// `blocked_edges` (stored as `(low, high)` on an undirected graph).
fn bfs_path(
    g: &Csr,
    from: NodeId,
    to: NodeId,
    blocked: &[bool],
    blocked_edges: &HashSet<(NodeId, NodeId)>,
) -> Option<Vec<NodeId>> {
    let n = g.node_count();
    let mut parent = vec![NodeId::MAX; n];
    parent[from as usize] = from;
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(v) = queue.pop_front() {
        if v == to {
            let mut path = vec![to];
            let mut x = to;
            while x != from {
                x = parent[x as usize];
                path.push(x);
            }
            path.reverse();
            return Some(path);
        }
        for &w in g.successors(v) {
            if parent[w as usize] != NodeId::MAX || blocked[w as usize] {
                continue;
            }
            let key = if g.is_directed() {
                (v, w)
            } else {
                (v.min(w), v.max(w))
            };
            if blocked_edges.contains(&key) {
                continue;
            }
            parent[w as usize] = v;
            queue.push_back(w);
        }
    }
    None
}

/// A shortest path (fewest edges) from `from` to `to`, following edge direction.
///
/// Arguments: `g`, the graph; `from`, `to`, the end nodes.
///
/// Returns the nodes of the path, both ends included, or `None` when `to` is unreachable.
/// Among equally short paths, the one BFS finds first (neighbours in index order).
///
/// Complexity: O(n + m).
///
/// Reference: E. F. Moore, "The shortest path through a maze", 1959.
pub fn shortest_path(g: &Csr, from: NodeId, to: NodeId) -> Option<Vec<NodeId>> {
    bfs_path(g, from, to, &vec![false; g.node_count()], &HashSet::new())
}

/// The `k` shortest simple paths from `from` to `to`, in hops.
///
/// Arguments: `g`, the graph (edge direction is followed); `from`, `to`; `k`, how many.
///
/// Returns up to `k` distinct loop-free paths (node lists), shortest first; paths of equal
/// length are ordered by their node indices. The same paths, as a set per length, as
/// networkx's `shortest_simple_paths` (Yen's algorithm too). A path from a node to itself is
/// the single node.
///
/// Complexity: O(k·n·(n + m)).
///
/// Reference: J. Y. Yen, "Finding the k shortest loopless paths in a network", Management
/// Science 17(11), 1971.
pub fn k_shortest_paths(g: &Csr, from: NodeId, to: NodeId, k: usize) -> Vec<Vec<NodeId>> {
    uncancelled(k_shortest_paths_until(g, from, to, k, &Deadline::none()))
}

/// [`k_shortest_paths`] under a deadline, checked before each search for a spur path:
/// `Err(Cancelled)` once it has expired; equal to [`k_shortest_paths`] otherwise.
pub fn k_shortest_paths_until(
    g: &Csr,
    from: NodeId,
    to: NodeId,
    k: usize,
    deadline: &Deadline,
) -> Result<Vec<Vec<NodeId>>, Cancelled> {
    let n = g.node_count();
    if k == 0 || from as usize >= n || to as usize >= n {
        return Ok(Vec::new());
    }
    if from == to {
        return Ok(vec![vec![from]]);
    }
    let Some(first) = shortest_path(g, from, to) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<Vec<NodeId>> = vec![first];
    let mut candidates: BTreeSet<(usize, Vec<NodeId>)> = BTreeSet::new();
    let mut blocked = vec![false; n];
    while found.len() < k {
        let last = found[found.len() - 1].clone();
        for i in 0..last.len() - 1 {
            deadline.check()?;
            let spur = last[i];
            let root = &last[..=i];
            let mut blocked_edges = HashSet::new();
            for p in &found {
                if p.len() > i + 1 && &p[..=i] == root {
                    let (a, b) = (p[i], p[i + 1]);
                    blocked_edges.insert(if g.is_directed() {
                        (a, b)
                    } else {
                        (a.min(b), a.max(b))
                    });
                }
            }
            for &v in &root[..i] {
                blocked[v as usize] = true;
            }
            if let Some(spur_path) = bfs_path(g, spur, to, &blocked, &blocked_edges) {
                let mut path = root[..i].to_vec();
                path.extend(spur_path);
                if !found.contains(&path) {
                    candidates.insert((path.len(), path));
                }
            }
            for &v in &root[..i] {
                blocked[v as usize] = false;
            }
        }
        match candidates.pop_first() {
            Some((_, path)) => found.push(path),
            None => break,
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn shortest_on_the_house() {
        // Undirected house: 0-4, 1-2, 2-3, 3-4, 1-4. From 0 to 2: 0-4-1-2 or 0-4-3-2.
        let g = house(false);
        assert_eq!(shortest_path(&g, 0, 2), Some(vec![0, 4, 1, 2]));
        let all = k_shortest_paths(&g, 0, 2, 5);
        assert_eq!(all, vec![vec![0, 4, 1, 2], vec![0, 4, 3, 2]]);
    }

    #[test]
    fn direction_is_followed() {
        let g = house(true); // 0→4 1→2 2→3 3→4 1→4
        assert_eq!(shortest_path(&g, 4, 0), None);
        assert_eq!(
            k_shortest_paths(&g, 1, 4, 3),
            vec![vec![1, 4], vec![1, 2, 3, 4]]
        );
    }

    #[test]
    fn longer_detours_follow_in_order() {
        // A 6-cycle with a chord 0-3: from 0 to 3 the chord, then the two halves.
        let g = Csr::unweighted(
            6,
            false,
            [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (0, 3)],
        );
        let paths = k_shortest_paths(&g, 0, 3, 10);
        assert_eq!(paths, vec![vec![0, 3], vec![0, 1, 2, 3], vec![0, 5, 4, 3]]);
        assert_eq!(k_shortest_paths(&g, 2, 2, 3), vec![vec![2]]);
    }
}
