//! PageRank by sparse power iteration, exactly as networkx's `pagerank` (its scipy version).
//!
//! petgraph 0.8's `page_rank` is not used: it runs a fixed number of iterations, handles
//! dangling nodes differently and costs O(V²E) (petgraph issue 960).

use super::deadline::uncancelled;
use super::{Cancelled, Csr, Deadline, NotConverged, PowerIteration};
use rayon::prelude::*;

/// PageRank's parameters; the defaults are networkx's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Damping factor `alpha` (0.85).
    pub alpha: f64,
    /// Most iterations before giving up (100).
    pub max_iter: usize,
    /// Per-node tolerance: stop when the L1 change is below `n × tol` (1e-6).
    pub tol: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            alpha: 0.85,
            max_iter: 100,
            tol: 1e-6,
        }
    }
}

/// Graphs below this many edges are iterated on one thread: each step is too short to
/// share.
const PARALLEL_EDGES: usize = 1_000_000;

/// PageRank of every node.
///
/// Arguments: `g`, the graph (an undirected edge counts both ways; edge weights are used, as
/// networkx's default `weight="weight"`); `options`, damping, iteration cap and tolerance.
///
/// Returns the scores (summing to 1) and the iterations run, or [`NotConverged`] when the L1
/// change is still at least `n × tol` after `max_iter` iterations. The start vector and the
/// teleport vector are uniform; the rank of dangling nodes (no out-edge, or out-weight 0) is
/// spread uniformly over all nodes. Each step is `x ← α (x·A + Σ_dangling x / n) + (1 − α)/n`
/// with `A` the row-normalised weight matrix, as networkx's `_pagerank_scipy`.
///
/// Complexity: O(max_iter · (n + m)), in parallel over nodes for large graphs.
///
/// Reference: L. Page, S. Brin, R. Motwani, T. Winograd, "The PageRank citation ranking:
/// bringing order to the Web", Stanford InfoLab, 1999.
pub fn pagerank(g: &Csr, options: Options) -> Result<PowerIteration, NotConverged> {
    uncancelled(pagerank_until(g, options, &Deadline::none()))
}

/// [`pagerank`] under a deadline, checked before each iteration: the outer `Err(Cancelled)`
/// once it has expired, else [`pagerank`]'s answer.
pub fn pagerank_until(
    g: &Csr,
    options: Options,
    deadline: &Deadline,
) -> Result<Result<PowerIteration, NotConverged>, Cancelled> {
    let n = g.node_count();
    if n == 0 {
        return Ok(Ok(PowerIteration {
            scores: Vec::new(),
            iterations: 0,
        }));
    }
    let nf = n as f64;
    // 1 / out-weight, as the scipy version multiplies by the reciprocal (0 when dangling).
    let inv_out: Vec<f64> = (0..n as u32)
        .map(|u| {
            let s: f64 = g.successor_weights(u).iter().sum();
            if s != 0.0 {
                1.0 / s
            } else {
                0.0
            }
        })
        .collect();
    let dangling: Vec<u32> = (0..n as u32)
        .filter(|&u| inv_out[u as usize] == 0.0)
        .collect();
    // With unit weights every entry of row u of the normalised matrix is inv_out[u], so a
    // step pulls y[u] = x[u]·inv_out[u] along each in-edge (the same products networkx
    // forms). With weights, the normalised weight of every in-edge is laid out like the
    // predecessor lists.
    let weighted = (0..n as u32).any(|u| g.successor_weights(u).iter().any(|&w| w != 1.0));
    let mut offsets = Vec::new();
    let mut coeff = Vec::new();
    if weighted {
        offsets.reserve(n + 1);
        offsets.push(0);
        for v in 0..n as u32 {
            coeff.extend(
                g.predecessors(v)
                    .iter()
                    .zip(g.predecessor_weights(v))
                    .map(|(&u, &w)| inv_out[u as usize] * w),
            );
            offsets.push(coeff.len());
        }
    }
    let parallel = g.edge_count() >= PARALLEL_EDGES;
    let alpha = options.alpha;
    let p = 1.0 / nf;
    let mut x = vec![p; n];
    let mut y = vec![0.0; if weighted { 0 } else { n }];
    let mut next = vec![0.0; n];
    for iteration in 1..=options.max_iter {
        deadline.check()?;
        let dangling_sum: f64 = dangling.iter().map(|&u| x[u as usize]).sum();
        if !weighted {
            y.iter_mut()
                .zip(&x)
                .zip(&inv_out)
                .for_each(|((y, x), c)| *y = x * c);
        }
        let step = |(v, out): (usize, &mut f64)| {
            let pred = g.predecessors(v as u32);
            let pulled: f64 = if weighted {
                pred.iter()
                    .zip(&coeff[offsets[v]..offsets[v + 1]])
                    .map(|(&u, &c)| x[u as usize] * c)
                    .sum()
            } else {
                pred.iter().map(|&u| y[u as usize]).sum()
            };
            *out = alpha * (pulled + dangling_sum * p) + (1.0 - alpha) * p;
        };
        if parallel {
            next.par_iter_mut()
                .enumerate()
                .with_min_len(8192)
                .for_each(step);
        } else {
            next.iter_mut().enumerate().for_each(step);
        }
        let err: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut next);
        if err < nf * options.tol {
            return Ok(Ok(PowerIteration {
                scores: x,
                iterations: iteration,
            }));
        }
    }
    Ok(Err(NotConverged {
        measure: "pagerank",
        iterations: options.max_iter,
        tolerance: options.tol,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn symmetric_cycle_is_uniform() {
        let g = Csr::unweighted(4, true, [(0, 1), (1, 2), (2, 3), (3, 0)]);
        let r = pagerank(&g, Options::default()).expect("converges");
        assert_close(&r.scores, &[0.25; 4], 1e-12);
        assert_eq!(r.iterations, 1);
    }

    #[test]
    fn dangling_node_spreads_uniformly() {
        // 0 → 1, node 1 dangling. Stationary: x1 = α x0 + α x1/2 + (1−α)/2 and
        // x0 = α x1/2 + (1−α)/2 with x0 + x1 = 1, so x0 = 1/(2+α) ≈ 0.350877.
        let g = Csr::unweighted(2, true, [(0, 1)]);
        let r = pagerank(&g, Options::default()).expect("converges");
        let x0 = 1.0 / 2.85;
        assert!((r.scores[0] - x0).abs() < 1e-6, "{:?}", r.scores);
        assert!((r.scores[1] - (1.0 - x0)).abs() < 1e-6);
        assert!((r.scores.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn star_centre_matches_the_closed_form() {
        // Undirected star, centre c and k = 4 leaves: c = (1−α)/n + α·k·l and
        // l = (1−α)/n + α·c/k, so c = (1−α)/n·(1 + αk) / (1 − α²).
        let r = pagerank(&star5(), Options::default()).expect("converges");
        let (a, n, k) = (0.85, 5.0, 4.0);
        let c = (1.0 - a) / n * (1.0 + a * k) / (1.0 - a * a);
        // networkx stops once the L1 change is below n·tol = 5e-6, so expect ~1e-6 error.
        assert!((r.scores[0] - c).abs() < 1e-5, "{} vs {c}", r.scores[0]);
    }

    #[test]
    fn weights_shift_rank() {
        let g = Csr::new(
            3,
            true,
            [(0, 1, 9.0), (0, 2, 1.0), (1, 0, 1.0), (2, 0, 1.0)],
        );
        let r = pagerank(&g, Options::default()).expect("converges");
        assert!(r.scores[1] > r.scores[2] * 3.0, "{:?}", r.scores);
    }

    #[test]
    fn too_few_iterations_is_an_error_not_numbers() {
        let g = house(true);
        let options = Options {
            max_iter: 1,
            ..Options::default()
        };
        let e = pagerank(&g, options).expect_err("cannot converge in one step");
        assert_eq!(e.iterations, 1);
        assert!(e.to_string().contains("did not converge"));
    }
}
