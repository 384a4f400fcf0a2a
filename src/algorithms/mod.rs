//! Graph algorithms on a compact graph: one file per measure, networkx's conventions, no RDF.
//!
//! Every algorithm here takes a [`Csr`] (a compressed-sparse-row graph whose nodes are the
//! integers `0..n`) and returns plain vectors indexed by node. Nothing in this module knows
//! about IRIs, SPARQL or the store: [`crate::projection`] builds the [`Csr`] and keeps the
//! IRI ↔ index map.
//!
//! Conventions follow networkx 3.6 (the cross-check in `tests/analytics.rs` runs networkx
//! on the same edge lists):
//!
//! - parallel rows become one edge (weight: the largest); a self-loop is kept as one edge,
//!   listed once in its node's adjacency (networkx's adjacency: `G[v][v]`), and each measure
//!   treats it as networkx does: degree counts it twice on an undirected graph (once in,
//!   once out on a directed one), PageRank and eigenvector centrality follow it like any
//!   edge, paths never use it (betweenness, closeness, harmonic, impact, cuts, dominators),
//!   components do not care, and k-core refuses a graph with one (networkx raises) — see
//!   [`Csr::self_loops`];
//! - only PageRank reads edge weights (networkx's default `weight="weight"`); betweenness,
//!   closeness, harmonic and eigenvector count hops (networkx's default `weight=None`);
//! - directed measures follow edge direction exactly as networkx does for a `DiGraph`;
//!   articulation points, bridges and components use the undirected view
//!   (`G.to_undirected()`, weakly connected components).
//!
//! Every kernel that can run long has an `_until` form taking a [`Deadline`] ([`deadline`]),
//! checked per source node (betweenness, closeness, harmonic, directed impact), per
//! iteration (PageRank, eigenvector, dominators), per search (k shortest paths) or per block
//! of steps (k-core, cuts); it returns [`Cancelled`] once the deadline expires and the plain
//! form's answer otherwise. The plain forms run under [`Deadline::none`].

pub mod betweenness;
#[cfg(test)]
mod cancellation_tests;
pub mod closeness;
pub mod components;
pub mod cuts;
pub mod deadline;
pub mod degree;
pub mod dominators;
pub mod eigenvector;
pub mod harmonic;
pub mod impact;
pub mod kcore;
#[cfg(test)]
mod oracle;
pub mod pagerank;
pub mod paths;

pub use deadline::{Cancelled, Deadline};

/// A node of a [`Csr`]: an index in `0..node_count()`.
pub type NodeId = u32;

/// A power iteration (PageRank, eigenvector) that did not meet its tolerance.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{measure} did not converge within {iterations} iterations (tolerance {tolerance:e} per node)"
)]
pub struct NotConverged {
    /// Which measure.
    pub measure: &'static str,
    /// Iterations run (the maximum).
    pub iterations: usize,
    /// The per-node tolerance (networkx stops when the L1 change is below `n × tol`).
    pub tolerance: f64,
}

/// The result of a power iteration that converged.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerIteration {
    /// One score per node.
    pub scores: Vec<f64>,
    /// Iterations run until the L1 change fell below `n × tol`.
    pub iterations: usize,
}

/// A directed or undirected graph in compressed sparse row form: no parallel edges, but
/// self-loops allowed (each listed once in its node's adjacency).
///
/// Adjacency lists are sorted by node index, so every traversal is deterministic. An
/// undirected graph stores each edge in both adjacency lists and answers
/// [`Csr::predecessors`] with the same neighbours as [`Csr::successors`].
#[derive(Debug, Clone, Default)]
pub struct Csr {
    directed: bool,
    edge_count: usize,
    out_offsets: Vec<usize>,
    out_targets: Vec<NodeId>,
    out_weights: Vec<f64>,
    in_offsets: Vec<usize>,
    in_sources: Vec<NodeId>,
    in_weights: Vec<f64>,
}

impl Csr {
    /// Builds a graph on `node_count` nodes from weighted edges `(source, target, weight)`.
    ///
    /// Self-loops are kept (once each); parallel edges (and, in an undirected graph, an edge
    /// given in both directions) become one edge carrying the largest weight.
    ///
    /// # Panics
    /// Never for edges whose endpoints are below `node_count`; endpoints outside the range
    /// are a caller bug and are skipped.
    pub fn new(
        node_count: usize,
        directed: bool,
        edges: impl IntoIterator<Item = (NodeId, NodeId, f64)>,
    ) -> Self {
        let mut list: Vec<(NodeId, NodeId, f64)> = edges
            .into_iter()
            .filter(|&(u, v, _)| (u as usize) < node_count && (v as usize) < node_count)
            .map(|(u, v, w)| {
                if directed || u < v {
                    (u, v, w)
                } else {
                    (v, u, w)
                }
            })
            .collect();
        list.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
        list.dedup_by(|later, first| later.0 == first.0 && later.1 == first.1);
        let edge_count = list.len();
        let mut this = Self {
            directed,
            edge_count,
            ..Self::default()
        };
        if directed {
            (this.out_offsets, this.out_targets, this.out_weights) =
                adjacency(node_count, list.iter().copied());
            (this.in_offsets, this.in_sources, this.in_weights) =
                adjacency(node_count, list.iter().map(|&(u, v, w)| (v, u, w)));
        } else {
            (this.out_offsets, this.out_targets, this.out_weights) = adjacency(
                node_count,
                list.iter().flat_map(|&(u, v, w)| {
                    // A self-loop is one entry of its node's list, as in networkx's `G[v]`.
                    let back = (u != v).then_some((v, u, w));
                    std::iter::once((u, v, w)).chain(back)
                }),
            );
        }
        this
    }

    /// Builds an unweighted graph (every weight 1).
    pub fn unweighted(
        node_count: usize,
        directed: bool,
        edges: impl IntoIterator<Item = (NodeId, NodeId)>,
    ) -> Self {
        Self::new(
            node_count,
            directed,
            edges.into_iter().map(|(u, v)| (u, v, 1.0)),
        )
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.out_offsets.len().saturating_sub(1)
    }

    /// Number of edges (an undirected edge counts once).
    pub fn edge_count(&self) -> usize {
        self.edge_count
    }

    /// Whether edges have a direction.
    pub fn is_directed(&self) -> bool {
        self.directed
    }

    /// Whether `v` has an edge to itself.
    pub fn has_self_loop(&self, v: NodeId) -> bool {
        self.successors(v).binary_search(&v).is_ok()
    }

    /// The nodes with a self-loop, in index order.
    pub fn self_loops(&self) -> Vec<NodeId> {
        (0..self.node_count() as NodeId)
            .filter(|&v| self.has_self_loop(v))
            .collect()
    }

    /// Nodes reached by an edge leaving `v` (all neighbours when undirected).
    pub fn successors(&self, v: NodeId) -> &[NodeId] {
        let v = v as usize;
        &self.out_targets[self.out_offsets[v]..self.out_offsets[v + 1]]
    }

    /// Weights of the edges leaving `v`, aligned with [`Csr::successors`].
    pub fn successor_weights(&self, v: NodeId) -> &[f64] {
        let v = v as usize;
        &self.out_weights[self.out_offsets[v]..self.out_offsets[v + 1]]
    }

    /// Nodes with an edge into `v` (all neighbours when undirected).
    pub fn predecessors(&self, v: NodeId) -> &[NodeId] {
        if !self.directed {
            return self.successors(v);
        }
        let v = v as usize;
        &self.in_sources[self.in_offsets[v]..self.in_offsets[v + 1]]
    }

    /// Weights of the edges into `v`, aligned with [`Csr::predecessors`].
    pub fn predecessor_weights(&self, v: NodeId) -> &[f64] {
        if !self.directed {
            return self.successor_weights(v);
        }
        let v = v as usize;
        &self.in_weights[self.in_offsets[v]..self.in_offsets[v + 1]]
    }

    /// Every edge once, as `(source, target, weight)`; an undirected edge as `(low, high, w)`
    /// (a self-loop as `(v, v, w)`).
    pub fn edges(&self) -> impl Iterator<Item = (NodeId, NodeId, f64)> + '_ {
        (0..self.node_count() as NodeId).flat_map(move |u| {
            self.successors(u)
                .iter()
                .zip(self.successor_weights(u))
                .filter(move |(&v, _)| self.directed || u <= v)
                .map(move |(&v, &w)| (u, v, w))
        })
    }

    /// The undirected view (networkx `G.to_undirected()`): reciprocal edges merge.
    pub fn to_undirected(&self) -> Csr {
        if !self.directed {
            return self.clone();
        }
        Csr::new(self.node_count(), false, self.edges())
    }

    /// The same graph with every edge reversed (an undirected graph is its own reverse).
    pub fn reversed(&self) -> Csr {
        if !self.directed {
            return self.clone();
        }
        let mut r = self.clone();
        std::mem::swap(&mut r.out_offsets, &mut r.in_offsets);
        std::mem::swap(&mut r.out_targets, &mut r.in_sources);
        std::mem::swap(&mut r.out_weights, &mut r.in_weights);
        r
    }

    /// The graph without the given nodes' edges (the nodes stay, isolated).
    pub fn without_nodes(&self, removed: &[bool]) -> Csr {
        let keep = |v: NodeId| !removed.get(v as usize).copied().unwrap_or(false);
        Csr::new(
            self.node_count(),
            self.directed,
            self.edges().filter(|&(u, v, _)| keep(u) && keep(v)),
        )
    }
}

/// Offsets, neighbours and weights for edges sorted by source (ties by target).
fn adjacency(
    n: usize,
    edges: impl Iterator<Item = (NodeId, NodeId, f64)>,
) -> (Vec<usize>, Vec<NodeId>, Vec<f64>) {
    let mut list: Vec<(NodeId, NodeId, f64)> = edges.collect();
    list.sort_by_key(|&(u, v, _)| (u, v));
    let mut offsets = vec![0usize; n + 1];
    for &(u, _, _) in &list {
        offsets[u as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let targets = list.iter().map(|e| e.1).collect();
    let weights = list.iter().map(|e| e.2).collect();
    (offsets, targets, weights)
}

/// A reusable breadth-first search that resets only what it touched, so running it from
/// every node costs O(n·(n+m)) in total rather than O(n²) extra for clearing arrays.
#[derive(Debug, Clone)]
pub(crate) struct Bfs {
    /// Distance from the source, or -1 when not reached.
    pub(crate) dist: Vec<i32>,
    /// Nodes in the order they were reached (the source first).
    pub(crate) order: Vec<NodeId>,
}

impl Bfs {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            dist: vec![-1; n],
            order: Vec::with_capacity(n),
        }
    }

    /// Clears the previous run.
    pub(crate) fn reset(&mut self) {
        for &v in &self.order {
            self.dist[v as usize] = -1;
        }
        self.order.clear();
    }

    /// Runs from `source` along `next(v)`; afterwards `order` and `dist` describe the run.
    pub(crate) fn run<'g>(&mut self, source: NodeId, next: impl Fn(NodeId) -> &'g [NodeId]) {
        self.reset();
        self.dist[source as usize] = 0;
        self.order.push(source);
        let mut head = 0;
        while head < self.order.len() {
            let v = self.order[head];
            head += 1;
            let dv = self.dist[v as usize];
            for &w in next(v) {
                if self.dist[w as usize] < 0 {
                    self.dist[w as usize] = dv + 1;
                    self.order.push(w);
                }
            }
        }
    }
}

/// Runs a BFS from every node against the edge direction (along predecessors: distances
/// *to* the node, as networkx measures closeness on `G.reverse()`) and maps each run to a
/// number, in parallel. Each node checks `deadline` first; once it has expired the remaining
/// nodes are skipped and the result is `Err(Cancelled)`.
pub(crate) fn per_node_incoming_bfs(
    g: &Csr,
    deadline: &Deadline,
    f: impl Fn(&Bfs) -> f64 + Sync,
) -> Result<Vec<f64>, Cancelled> {
    use rayon::prelude::*;
    let n = g.node_count();
    let scores = (0..n as NodeId)
        .into_par_iter()
        .with_min_len(64)
        .map_init(
            || Bfs::new(n),
            |bfs, v| {
                if deadline.is_expired() {
                    return 0.0;
                }
                bfs.run(v, |u| g.predecessors(u));
                f(bfs)
            },
        )
        .collect();
    deadline.check()?;
    Ok(scores)
}

#[cfg(test)]
pub(crate) mod test_graphs {
    //! Small graphs shared by the unit tests.
    use super::Csr;

    /// The path 0 – 1 – 2 – 3 – 4.
    pub fn path5() -> Csr {
        Csr::unweighted(5, false, [(0, 1), (1, 2), (2, 3), (3, 4)])
    }

    /// A star with centre 0 and leaves 1..=4.
    pub fn star5() -> Csr {
        Csr::unweighted(5, false, [(0, 1), (0, 2), (0, 3), (0, 4)])
    }

    /// rustworkx's doc example: edges (0,4) (1,2) (2,3) (3,4) (1,4).
    pub fn house(directed: bool) -> Csr {
        Csr::unweighted(5, directed, [(0, 4), (1, 2), (2, 3), (3, 4), (1, 4)])
    }

    /// Two triangles joined by the bridge 2 – 3.
    pub fn bowtie() -> Csr {
        Csr::unweighted(
            6,
            false,
            [(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)],
        )
    }

    /// A random simple graph on `n` nodes with about `m` edges (reproducible from `seed`),
    /// for the tests that need a graph large enough to take seconds.
    pub fn random(n: usize, m: usize, directed: bool, seed: u64) -> Csr {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut pick = || (rng.next_u64() % n as u64) as u32;
        let edges: Vec<(u32, u32)> = (0..m).map(|_| (pick(), pick())).collect();
        Csr::unweighted(n, directed, edges)
    }

    /// Runs `work` with a deadline cancelled after `after`; returns what it returned and how
    /// long it ran past the cancellation.
    pub fn cancelled_after<T>(
        after: std::time::Duration,
        work: impl FnOnce(&super::Deadline) -> T,
    ) -> (T, std::time::Duration) {
        let deadline = super::Deadline::manual(after);
        let cancel = deadline.clone();
        let timer = std::thread::spawn(move || {
            std::thread::sleep(after);
            cancel.cancel();
            std::time::Instant::now()
        });
        let result = work(&deadline);
        let ended = std::time::Instant::now();
        let cancelled_at = timer.join().expect("timer thread");
        (result, ended.saturating_duration_since(cancelled_at))
    }

    /// Asserts two float vectors agree to a relative tolerance.
    pub fn assert_close(actual: &[f64], expected: &[f64], rel: f64) {
        assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
        for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
            let scale = a.abs().max(e.abs()).max(1e-300);
            assert!(
                (a - e).abs() <= rel * scale || (a - e).abs() < 1e-15,
                "node {i}: {a} vs {e} (all: {actual:?} vs {expected:?})"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_edges_merge_with_the_largest_weight_and_self_loops_stay_once() {
        let g = Csr::new(
            3,
            true,
            [
                (0, 1, 1.0),
                (0, 1, 3.0),
                (1, 1, 5.0),
                (1, 1, 4.0),
                (1, 2, 2.0),
            ],
        );
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.successors(0), &[1]);
        assert_eq!(g.successor_weights(0), &[3.0]);
        assert_eq!(g.predecessors(2), &[1]);
        assert_eq!(g.successors(1), &[1, 2]);
        assert_eq!(g.successor_weights(1), &[5.0, 2.0]);
        assert_eq!(g.predecessors(1), &[0, 1]);
        assert_eq!(g.self_loops(), vec![1]);
        // Undirected: the loop is one entry of its node's list, and survives the views.
        let u = g.to_undirected();
        assert_eq!(u.successors(1), &[0, 1, 2]);
        assert_eq!(u.edge_count(), 3);
        assert_eq!(u.self_loops(), vec![1]);
        assert_eq!(
            u.edges().collect::<Vec<_>>(),
            vec![(0, 1, 3.0), (1, 1, 5.0), (1, 2, 2.0)]
        );
        assert_eq!(
            super::degree::degree(&u, super::degree::Direction::Total),
            vec![1, 4, 1]
        );
        assert_eq!(
            super::degree::degree(&g, super::degree::Direction::Total),
            vec![1, 4, 1]
        );
    }

    #[test]
    fn undirected_edges_given_both_ways_are_one_edge() {
        let g = Csr::unweighted(3, false, [(0, 1), (1, 0), (2, 1)]);
        assert_eq!(g.edge_count(), 2);
        assert_eq!(g.successors(1), &[0, 2]);
        assert_eq!(g.predecessors(1), &[0, 2]);
        assert_eq!(
            g.edges().collect::<Vec<_>>(),
            vec![(0, 1, 1.0), (1, 2, 1.0)]
        );
    }

    #[test]
    fn undirected_view_merges_reciprocal_edges() {
        let g = Csr::unweighted(3, true, [(0, 1), (1, 0), (1, 2)]);
        let u = g.to_undirected();
        assert!(!u.is_directed());
        assert_eq!(u.edge_count(), 2);
        let r = g.reversed();
        assert_eq!(r.successors(2), &[1]);
    }
}
