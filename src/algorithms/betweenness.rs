//! Betweenness centrality: Brandes' algorithm on the CSR, in parallel with one accumulator
//! per worker, exact or from a seeded sample of sources, scaled as networkx 3.6 scales it.

use super::deadline::uncancelled;
use super::{Cancelled, Csr, Deadline, NodeId};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

/// Per-worker state: BFS arrays reset only where touched, and the worker's partial sums.
struct Worker {
    /// Distance from the source (-1: not reached) and number of shortest paths, side by
    /// side so that one cache line serves both.
    state: Vec<(i32, f64)>,
    /// `(1 + δ(w)) / σ(w)`, once `w`'s dependency is final.
    coeff: Vec<f64>,
    /// Nodes in BFS order.
    order: Vec<NodeId>,
    /// The shortest-path DAG: for the node at BFS position `i`, its DAG successors are
    /// `dag[ends[i - 1]..ends[i]]`.
    dag: Vec<NodeId>,
    ends: Vec<usize>,
    sum: Vec<f64>,
}

impl Worker {
    fn new(n: usize) -> Self {
        Self {
            state: vec![(-1, 0.0); n],
            coeff: vec![0.0; n],
            order: Vec::with_capacity(n),
            dag: Vec::new(),
            ends: Vec::with_capacity(n),
            sum: vec![0.0; n],
        }
    }

    /// One source of Brandes' algorithm: a BFS counting shortest paths that records the
    /// shortest-path DAG, then dependencies accumulated in reverse BFS order, where every
    /// DAG successor's dependency is already final:
    /// `δ(v) = σ(v) · Σ_{w ∈ succ(v)} (1 + δ(w)) / σ(w)`.
    ///
    /// `leaves` sources hang off `s` alone (see [`folded_leaves`]): their dependencies equal
    /// `s`'s everywhere but at `s`, which lies on all their paths to `reached_beyond` nodes.
    fn source(&mut self, g: &Csr, s: NodeId, leaves: f64, leaf_is_reached: bool) {
        for &v in &self.order {
            self.state[v as usize] = (-1, 0.0);
        }
        self.order.clear();
        self.dag.clear();
        self.ends.clear();
        self.state[s as usize] = (0, 1.0);
        self.order.push(s);
        let mut head = 0;
        while head < self.order.len() {
            let v = self.order[head] as usize;
            head += 1;
            let (dv, sv) = self.state[v];
            for &w in g.successors(v as NodeId) {
                let sw = &mut self.state[w as usize];
                if sw.0 < 0 {
                    sw.0 = dv + 1;
                    self.order.push(w);
                }
                if sw.0 == dv + 1 {
                    sw.1 += sv;
                    self.dag.push(w);
                }
            }
            self.ends.push(self.dag.len());
        }
        for i in (0..self.order.len()).rev() {
            let v = self.order[i] as usize;
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            let pulled: f64 = self.dag[start..self.ends[i]]
                .iter()
                .map(|&w| self.coeff[w as usize])
                .sum();
            let sigma = self.state[v].1;
            let delta = sigma * pulled;
            self.coeff[v] = (1.0 + delta) / sigma;
            if i > 0 {
                self.sum[v] += delta * (1.0 + leaves);
            }
        }
        if leaves > 0.0 {
            // A leaf's paths to every node `s` reaches, but `s` and the leaf, pass through `s`.
            let beyond = self.order.len() - 1 - usize::from(leaf_is_reached);
            self.sum[s as usize] += leaves * beyond as f64;
        }
    }
}

/// Betweenness centrality of every node.
///
/// Arguments: `g`, the graph (hop counts; weights are ignored, networkx's default);
/// `normalized`, whether to divide by the number of ordered pairs `(n − 1)(n − 2)`;
/// `sources`, `None` for the exact measure or a sample of source nodes (see
/// [`sample_sources`]), whose sums are scaled up to estimate the exact values.
///
/// Returns one score per node, equal to networkx 3.6's
/// `betweenness_centrality(G, k, normalized, endpoints=False)` for the same sources:
/// raw scores of an undirected graph are halved (each unordered pair once); with a sample
/// of `k < n` sources, sampled nodes are scaled by `(n − 1)/(k − 1)` and the others by
/// `(n − 1)/k` (divided further by `(n − 1)(n − 2)` when normalised), networkx's estimator.
///
/// Complexity: O(s·(n + m)) time for `s` sources, O(n + m) memory per worker thread. An
/// exact run skips leaf sources (degree 1; on a directed graph, no in-edge and one out-edge)
/// and credits them with their neighbour's BFS, which gives the same sums.
///
/// References: U. Brandes, "A faster algorithm for betweenness centrality", Journal of
/// Mathematical Sociology 25(2), 2001; M. Baglioni, F. Geraci, M. Pellegrini and E. Lastres,
/// "Fast exact computation of betweenness centrality in social networks", ASONAM 2012.
pub fn betweenness(g: &Csr, normalized: bool, sources: Option<&[NodeId]>) -> Vec<f64> {
    uncancelled(betweenness_until(g, normalized, sources, &Deadline::none()))
}

/// [`betweenness`] under a deadline, checked before each source: once it has expired every
/// worker stops at its next source and the result is `Err(Cancelled)`. Equal to
/// [`betweenness`] when the deadline does not expire.
pub fn betweenness_until(
    g: &Csr,
    normalized: bool,
    sources: Option<&[NodeId]>,
    deadline: &Deadline,
) -> Result<Vec<f64>, Cancelled> {
    let n = g.node_count();
    let all: Vec<NodeId>;
    let list = match sources {
        Some(s) if s.len() < n => s,
        _ => {
            all = (0..n as NodeId).collect();
            &all
        }
    };
    let sampled = list.len() < n;
    // Exact runs skip leaf sources and count them with their only neighbour.
    let leaves = if sampled {
        vec![0u32; n]
    } else {
        folded_leaves(g)
    };
    let list: Vec<NodeId> = if sampled {
        list.to_vec()
    } else {
        list.iter().copied().filter(|&v| !is_folded(g, v)).collect()
    };
    let threads = rayon::current_num_threads().max(1);
    let chunk = list.len().div_ceil(threads * 4).max(16);
    let mut sum = list
        .par_chunks(chunk)
        .map(|chunk| {
            let mut worker = Worker::new(n);
            for &s in chunk {
                if deadline.is_expired() {
                    break;
                }
                worker.source(g, s, f64::from(leaves[s as usize]), !g.is_directed());
            }
            worker.sum
        })
        .reduce(
            || vec![0.0; n],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    deadline.check()?;
    rescale(
        &mut sum,
        n,
        normalized,
        g.is_directed(),
        sampled.then_some(&list),
    );
    Ok(sum)
}

/// Whether `v` is a leaf whose dependencies its neighbour's BFS gives: on an undirected
/// graph, degree 1 next to a node of degree > 1; on a directed graph, no in-edge and one
/// out-edge. Every shortest path from such a leaf runs through that neighbour, so
/// `δ_leaf(x) = δ_neighbour(x)` for every other `x` (Baglioni et al.'s degree-1 folding).
fn is_folded(g: &Csr, v: NodeId) -> bool {
    let succ = g.successors(v);
    if succ.len() != 1 {
        return false;
    }
    if g.is_directed() {
        g.predecessors(v).is_empty()
    } else {
        g.successors(succ[0]).len() > 1
    }
}

/// For every node, how many folded leaves hang off it.
fn folded_leaves(g: &Csr) -> Vec<u32> {
    let mut leaves = vec![0u32; g.node_count()];
    for v in 0..g.node_count() as NodeId {
        if is_folded(g, v) {
            leaves[g.successors(v)[0] as usize] += 1;
        }
    }
    leaves
}

/// networkx 3.6's `_rescale` with `endpoints=False`.
fn rescale(b: &mut [f64], n: usize, normalized: bool, directed: bool, sampled: Option<&[NodeId]>) {
    if n < 3 {
        // N = n − 1 < 2: every score is 0 and networkx leaves it alone.
        return;
    }
    let big_n = (n - 1) as f64;
    let correction = if directed { 1.0 } else { 2.0 };
    match sampled {
        None => {
            let scale = if normalized {
                1.0 / (big_n * (big_n - 1.0))
            } else {
                big_n / (big_n * correction)
            };
            if scale != 1.0 {
                b.iter_mut().for_each(|x| *x *= scale);
            }
        }
        Some(nodes) => {
            let k = nodes.len() as f64;
            let (source, other) = if normalized {
                let source = if k > 1.0 {
                    1.0 / ((k - 1.0) * (big_n - 1.0))
                } else {
                    f64::NAN
                };
                (source, 1.0 / (k * (big_n - 1.0)))
            } else {
                let source = if k > 1.0 {
                    big_n / ((k - 1.0) * correction)
                } else {
                    f64::NAN
                };
                (source, big_n / (k * correction))
            };
            let mut is_source = vec![false; b.len()];
            for &s in nodes {
                is_source[s as usize] = true;
            }
            for (x, &s) in b.iter_mut().zip(&is_source) {
                *x *= if s { source } else { other };
            }
        }
    }
}

/// Picks `k` distinct source nodes out of `n`, reproducibly from `seed`.
///
/// Arguments: `n`, the node count; `k`, how many sources (all `n` when `k ≥ n`); `seed`.
///
/// Returns the sources in increasing order. The generator is ChaCha8 seeded with
/// `seed_from_u64(seed)`, and the sample a partial Fisher–Yates shuffle, so the same
/// `(n, k, seed)` gives the same sources on every platform and release.
///
/// Complexity: O(n).
pub fn sample_sources(n: usize, k: usize, seed: u64) -> Vec<NodeId> {
    let mut nodes: Vec<NodeId> = (0..n as NodeId).collect();
    if k >= n {
        return nodes;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for i in 0..k {
        let remaining = (n - i) as u64;
        // Multiply-shift maps 64 random bits onto 0..remaining (bias below 2^-40 here).
        let j = i + ((u128::from(rng.next_u64()) * u128::from(remaining)) >> 64) as usize;
        nodes.swap(i, j);
    }
    nodes.truncate(k);
    nodes.sort_unstable();
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn path_middle_carries_most_pairs() {
        // On the path 0-1-2-3-4, node 2 lies on 2·2 = 4 of the unordered pairs, nodes 1
        // and 3 on 3 each.
        assert_eq!(
            betweenness(&path5(), false, None),
            vec![0.0, 3.0, 4.0, 3.0, 0.0]
        );
        // Normalised: divided by (n−1)(n−2)/2 = 6 for an undirected graph.
        assert_close(
            &betweenness(&path5(), true, None),
            &[0.0, 0.5, 4.0 / 6.0, 0.5, 0.0],
            1e-15,
        );
    }

    #[test]
    fn star_centre_is_on_every_pair() {
        let b = betweenness(&star5(), true, None);
        assert_close(&b, &[1.0, 0.0, 0.0, 0.0, 0.0], 1e-15);
    }

    #[test]
    fn agrees_with_rustworkx_and_its_documented_example() {
        // rustworkx-core's doc: endpoints=true normalised gives [0.4, 0.5, 0.45, 0.5, 0.75];
        // without endpoints (networkx's default) we compare to rustworkx itself.
        for directed in [false, true] {
            let g = house(directed);
            let reference: Vec<f64> = if directed {
                rustworkx_core::centrality::betweenness_centrality(
                    &crate::algorithms::oracle::to_petgraph_directed(&g),
                    false,
                    true,
                    1000,
                )
            } else {
                rustworkx_core::centrality::betweenness_centrality(
                    &crate::algorithms::oracle::to_petgraph_undirected(&g),
                    false,
                    true,
                    1000,
                )
            }
            .into_iter()
            .map(|x| x.unwrap_or(f64::NAN))
            .collect();
            assert_close(&betweenness(&g, true, None), &reference, 1e-12);
        }
    }

    #[test]
    fn leaf_folding_changes_nothing() {
        // Stars, paths and a tree with leaves on every level, directed and not: the folded
        // exact run equals the plain sum over every source.
        let tree = [(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (5, 6), (6, 2)];
        for g in [
            star5(),
            path5(),
            bowtie(),
            Csr::unweighted(7, false, tree),
            Csr::unweighted(7, true, tree),
            Csr::unweighted(2, false, [(0, 1)]),
            Csr::unweighted(4, true, [(0, 1), (2, 1), (1, 3)]),
        ] {
            let n = g.node_count();
            let mut plain = Worker::new(n);
            for s in 0..n as NodeId {
                plain.source(&g, s, 0.0, false);
            }
            let mut expected = plain.sum;
            rescale(&mut expected, n, false, g.is_directed(), None);
            assert_close(&betweenness(&g, false, None), &expected, 1e-12);
        }
    }

    #[test]
    fn directed_pairs_are_not_halved() {
        // 0 → 1 → 2: node 1 is on the one ordered pair (0, 2).
        let g = Csr::unweighted(3, true, [(0, 1), (1, 2)]);
        assert_eq!(betweenness(&g, false, None), vec![0.0, 1.0, 0.0]);
        assert_eq!(betweenness(&g, true, None), vec![0.0, 0.5, 0.0]);
    }

    #[test]
    fn sampling_is_reproducible_and_scaled_like_networkx() {
        let a = sample_sources(100, 10, 42);
        assert_eq!(a, sample_sources(100, 10, 42));
        assert_ne!(a, sample_sources(100, 10, 43));
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample_sources(5, 9, 1), vec![0, 1, 2, 3, 4]);
        // The path 0-1-2-3-4 sampled from the sources {0, 4}: compare with the sums of
        // those two sources before scaling.
        let exact_sum = {
            let mut w = Worker::new(5);
            w.source(&path5(), 0, 0.0, false);
            w.source(&path5(), 4, 0.0, false);
            w.sum
        };
        let b = betweenness(&path5(), false, Some(&[0, 4]));
        // Non-sampled nodes scale by (n − 1)/(k · 2) = 1, sampled by (n − 1)/((k − 1) · 2) = 2.
        assert_eq!(b[2], exact_sum[2]);
        assert_eq!(b[0], exact_sum[0] * 2.0);
    }
}
