//! Single points of failure: articulation points and bridges of the undirected view.

use super::deadline::uncancelled;
use super::{Cancelled, Csr, Deadline, NodeId};

/// A finished DFS tree edge, as the low-point DFS reports it.
struct TreeEdge {
    parent: NodeId,
    child: NodeId,
    low_child: usize,
    disc_parent: usize,
    /// Nodes in the child's DFS subtree.
    child_size: usize,
}

/// Steps of the DFS between two looks at the deadline.
const STEPS_PER_CHECK: u32 = 4096;

/// One DFS (iterative, so deep graphs cannot overflow the stack) computing discovery times,
/// low points and subtree sizes; reports each tree edge when its child is finished, and
/// collects the DFS roots. Looks at `deadline` every [`STEPS_PER_CHECK`] steps.
fn lowpoint_dfs(
    g: &Csr,
    mut on_tree_edge: impl FnMut(TreeEdge),
    roots: &mut Vec<NodeId>,
    deadline: &Deadline,
) -> Result<(), Cancelled> {
    let n = g.node_count();
    let mut every = deadline.every(STEPS_PER_CHECK);
    let mut disc = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut parent = vec![NodeId::MAX; n];
    let mut size = vec![1usize; n];
    let mut time = 0;
    // Stack of (node, next neighbour position).
    let mut stack: Vec<(NodeId, usize)> = Vec::new();
    for root in 0..n as NodeId {
        if disc[root as usize] != usize::MAX {
            continue;
        }
        disc[root as usize] = time;
        low[root as usize] = time;
        time += 1;
        stack.push((root, 0));
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            every.check()?;
            let neighbours = g.successors(v);
            if *next < neighbours.len() {
                let w = neighbours[*next];
                *next += 1;
                if disc[w as usize] == usize::MAX {
                    parent[w as usize] = v;
                    disc[w as usize] = time;
                    low[w as usize] = time;
                    time += 1;
                    stack.push((w, 0));
                } else if w != parent[v as usize] {
                    low[v as usize] = low[v as usize].min(disc[w as usize]);
                }
            } else {
                stack.pop();
                let p = parent[v as usize];
                if p != NodeId::MAX {
                    low[p as usize] = low[p as usize].min(low[v as usize]);
                    size[p as usize] += size[v as usize];
                    on_tree_edge(TreeEdge {
                        parent: p,
                        child: v,
                        low_child: low[v as usize],
                        disc_parent: disc[p as usize],
                        child_size: size[v as usize],
                    });
                }
            }
        }
        roots.push(root);
    }
    Ok(())
}

/// Articulation points (cut vertices): nodes whose removal splits their component.
///
/// Arguments: `g`, the graph; edge direction is ignored (networkx's
/// `articulation_points(G.to_undirected())`).
///
/// Returns the articulation points in increasing order.
///
/// Complexity: O(n + m).
///
/// Reference: J. Hopcroft and R. Tarjan, "Algorithm 447: efficient algorithms for graph
/// manipulation", Communications of the ACM 16(6), 1973.
pub fn articulation_points(g: &Csr) -> Vec<NodeId> {
    cut_vertices(g).into_iter().map(|c| c.node).collect()
}

/// An articulation point and the pieces its removal leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutVertex {
    /// The articulation point.
    pub node: NodeId,
    /// Sizes of the pieces its component falls into without it, largest first.
    pub pieces: Vec<usize>,
}

impl CutVertex {
    /// Nodes cut off from the largest piece: all pieces but the largest.
    pub fn disconnects(&self) -> usize {
        self.pieces.iter().skip(1).sum()
    }
}

/// Articulation points with the sizes of the pieces each one's removal leaves.
///
/// Arguments: `g`, the graph (undirected view).
///
/// Returns the [`CutVertex`] list in increasing node order. The pieces are the DFS subtrees
/// of children whose low point does not reach above the node, plus the rest of the
/// component; removing the node (see [`super::impact`]) leaves exactly these pieces.
///
/// Complexity: O(n + m).
pub fn cut_vertices(g: &Csr) -> Vec<CutVertex> {
    uncancelled(cut_vertices_until(g, &Deadline::none()))
}

/// [`cut_vertices`] under a deadline, checked between steps and every few thousand DFS
/// steps: `Err(Cancelled)` once it has expired; equal to [`cut_vertices`] otherwise.
pub fn cut_vertices_until(g: &Csr, deadline: &Deadline) -> Result<Vec<CutVertex>, Cancelled> {
    let u = g.to_undirected();
    deadline.check()?;
    let n = u.node_count();
    let mut separated: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    let mut is_root = vec![false; n];
    lowpoint_dfs(
        &u,
        |e| {
            if e.low_child >= e.disc_parent {
                separated[e.parent as usize].push(e.child_size);
            }
        },
        &mut roots,
        deadline,
    )?;
    let mut component_size = vec![0usize; n];
    let (labels, sizes) = super::components::connected_components(&u);
    for v in 0..n {
        component_size[v] = sizes[labels[v]];
    }
    for &root in &roots {
        is_root[root as usize] = true;
    }
    let mut out = Vec::new();
    for v in 0..n {
        let mut pieces = std::mem::take(&mut separated[v]);
        // A DFS root is a cut vertex exactly when it has two or more tree children (every
        // child subtree is then a piece); any other node when one child cannot climb above it.
        let cut = if is_root[v] {
            pieces.len() >= 2
        } else {
            !pieces.is_empty()
        };
        if !cut {
            continue;
        }
        let rest = component_size[v] - 1 - pieces.iter().sum::<usize>();
        if rest > 0 {
            pieces.push(rest);
        }
        pieces.sort_unstable_by(|a, b| b.cmp(a));
        out.push(CutVertex {
            node: v as NodeId,
            pieces,
        });
    }
    Ok(out)
}

/// Bridges: edges whose removal splits their component.
///
/// Arguments: `g`, the graph; edge direction is ignored (networkx's
/// `bridges(G.to_undirected())`).
///
/// Returns the bridges as `(low, high)` node pairs, sorted.
///
/// Complexity: O(n + m).
///
/// Reference: R. E. Tarjan, "A note on finding the bridges of a graph", Information
/// Processing Letters 2(6), 1974.
pub fn bridges(g: &Csr) -> Vec<(NodeId, NodeId)> {
    cut_edges(g).into_iter().map(|b| b.edge).collect()
}

/// A bridge and the sizes of the two sides its removal leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutEdge {
    /// The bridge as `(low, high)`.
    pub edge: (NodeId, NodeId),
    /// The number of nodes on the smaller side: cut off from the rest by its removal.
    pub disconnects: usize,
}

/// Bridges with the size of the side each one's removal cuts off.
///
/// Arguments: `g`, the graph (undirected view).
///
/// Returns the [`CutEdge`] list sorted by edge.
///
/// Complexity: O(n + m).
pub fn cut_edges(g: &Csr) -> Vec<CutEdge> {
    uncancelled(cut_edges_until(g, &Deadline::none()))
}

/// [`cut_edges`] under a deadline, checked between steps and every few thousand DFS steps:
/// `Err(Cancelled)` once it has expired; equal to [`cut_edges`] otherwise.
pub fn cut_edges_until(g: &Csr, deadline: &Deadline) -> Result<Vec<CutEdge>, Cancelled> {
    let u = g.to_undirected();
    deadline.check()?;
    let mut found = Vec::new();
    let mut roots = Vec::new();
    lowpoint_dfs(
        &u,
        |e| {
            if e.low_child > e.disc_parent {
                found.push((e.parent.min(e.child), e.parent.max(e.child), e.child_size));
            }
        },
        &mut roots,
        deadline,
    )?;
    let (labels, sizes) = super::components::connected_components(&u);
    let mut out: Vec<CutEdge> = found
        .into_iter()
        .map(|(a, b, side)| {
            let component = sizes[labels[a as usize]];
            CutEdge {
                edge: (a, b),
                disconnects: side.min(component - side),
            }
        })
        .collect();
    out.sort_unstable_by_key(|c| c.edge);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn bowtie_hinges_on_its_bridge() {
        assert_eq!(articulation_points(&bowtie()), vec![2, 3]);
        assert_eq!(bridges(&bowtie()), vec![(2, 3)]);
    }

    #[test]
    fn pieces_match_disruption_impact() {
        for g in [bowtie(), path5(), star5(), house(false)] {
            for cut in cut_vertices(&g) {
                let impact = crate::algorithms::impact::disruption_impact(&g, &[cut.node]);
                assert_eq!(cut.disconnects(), impact.disconnected.len(), "{cut:?}");
            }
        }
        let star = cut_vertices(&star5());
        assert_eq!(
            star,
            vec![CutVertex {
                node: 0,
                pieces: vec![1, 1, 1, 1]
            }]
        );
        assert_eq!(
            cut_edges(&path5())[1],
            CutEdge {
                edge: (1, 2),
                disconnects: 2
            }
        );
    }

    #[test]
    fn path_and_star() {
        assert_eq!(articulation_points(&path5()), vec![1, 2, 3]);
        assert_eq!(bridges(&path5()), vec![(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert_eq!(articulation_points(&star5()), vec![0]);
    }

    #[test]
    fn cycle_has_none_and_direction_is_ignored() {
        let g = Csr::unweighted(4, true, [(0, 1), (1, 2), (2, 3), (3, 0)]);
        assert!(articulation_points(&g).is_empty());
        assert!(bridges(&g).is_empty());
        // A reciprocal pair is one undirected edge, hence a bridge.
        let g = Csr::unweighted(2, true, [(0, 1), (1, 0)]);
        assert_eq!(bridges(&g), vec![(0, 1)]);
    }

    #[test]
    fn agrees_with_rustworkx() {
        for g in [bowtie(), house(false), path5(), star5()] {
            let pg = crate::algorithms::oracle::to_petgraph_undirected(&g);
            let mut reference: Vec<NodeId> =
                rustworkx_core::connectivity::articulation_points(&pg, None)
                    .into_iter()
                    .map(|v| v.index() as NodeId)
                    .collect();
            reference.sort_unstable();
            assert_eq!(articulation_points(&g), reference);
            let mut reference: Vec<(NodeId, NodeId)> = rustworkx_core::connectivity::bridges(&pg)
                .into_iter()
                .map(|(a, b)| {
                    let (a, b) = (a.index() as NodeId, b.index() as NodeId);
                    (a.min(b), a.max(b))
                })
                .collect();
            reference.sort_unstable();
            assert_eq!(bridges(&g), reference);
        }
    }
}
