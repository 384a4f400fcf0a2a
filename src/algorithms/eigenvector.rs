//! Eigenvector centrality by power iteration on `A + I`, exactly as networkx's
//! `eigenvector_centrality` (start vector of ones, Euclidean normalisation).

use super::deadline::uncancelled;
use super::{Cancelled, Csr, Deadline, NotConverged, PowerIteration};

/// Eigenvector centrality's parameters; the defaults are networkx's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Most iterations before giving up (100).
    pub max_iter: usize,
    /// Per-node tolerance: stop when the L1 change is below `n × tol` (1e-6).
    pub tol: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_iter: 100,
            tol: 1e-6,
        }
    }
}

/// Eigenvector centrality of every node.
///
/// Arguments: `g`, the graph (unweighted, networkx's default `weight=None`); `options`.
///
/// Returns the scores (Euclidean norm 1) and the iterations run, or [`NotConverged`]. The
/// iteration is networkx's: start from ones scaled to sum 1, then repeatedly
/// `x ← (A + I)ᵀ x / ‖(A + I)ᵀ x‖₂` (on a directed graph a node gains from the nodes that
/// point to it: the left eigenvector), stopping when `Σ|x − x_prev| < n × tol`. Adding `I`
/// keeps the iteration from oscillating on bipartite graphs without changing the eigenvector.
///
/// Complexity: O(max_iter · (n + m)).
///
/// Reference: P. Bonacich, "Power and centrality: a family of measures", American Journal
/// of Sociology 92(5), 1987.
pub fn eigenvector(g: &Csr, options: Options) -> Result<PowerIteration, NotConverged> {
    uncancelled(eigenvector_until(g, options, &Deadline::none()))
}

/// [`eigenvector`] under a deadline, checked before each iteration: the outer
/// `Err(Cancelled)` once it has expired, else [`eigenvector`]'s answer.
pub fn eigenvector_until(
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
    let mut x = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for iteration in 1..=options.max_iter {
        deadline.check()?;
        for (v, out) in next.iter_mut().enumerate() {
            *out = x[v]
                + g.predecessors(v as u32)
                    .iter()
                    .map(|&u| x[u as usize])
                    .sum::<f64>();
        }
        let norm = hypot(&next);
        let norm = if norm == 0.0 { 1.0 } else { norm };
        next.iter_mut().for_each(|v| *v /= norm);
        let err: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut next);
        if err < n as f64 * options.tol {
            return Ok(Ok(PowerIteration {
                scores: x,
                iterations: iteration,
            }));
        }
    }
    Ok(Err(NotConverged {
        measure: "eigenvector",
        iterations: options.max_iter,
        tolerance: options.tol,
    }))
}

/// Euclidean norm without overflow or underflow (Python's `math.hypot` scales the same way).
fn hypot(values: &[f64]) -> f64 {
    let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if max == 0.0 || !max.is_finite() {
        return max;
    }
    let sum: f64 = values.iter().map(|v| (v / max) * (v / max)).sum();
    max * sum.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::test_graphs::*;

    #[test]
    fn star_by_hand() {
        // Star with k = 4 leaves: λ = √k = 2, centre c and leaf l with c = 2l, and
        // c² + 4l² = 1, so c = 1/√2 and l = 1/(2√2).
        let r = eigenvector(&star5(), Options::default()).expect("converges");
        let c = 1.0 / 2f64.sqrt();
        assert!((r.scores[0] - c).abs() < 1e-5, "{:?}", r.scores);
        assert!((r.scores[1] - c / 2.0).abs() < 1e-5);
    }

    #[test]
    fn agrees_with_rustworkx() {
        for g in [house(false), bowtie(), path5()] {
            let reference = rustworkx_core::centrality::eigenvector_centrality(
                &crate::algorithms::oracle::to_petgraph_undirected(&g),
                |_| Ok::<f64, std::convert::Infallible>(1.0),
                None,
                None,
            )
            .expect("infallible")
            .expect("rustworkx converges");
            let ours = eigenvector(&g, Options::default()).expect("converges");
            assert_close(&ours.scores, &reference, 1e-12);
        }
    }

    #[test]
    fn directed_acyclic_graph_does_not_converge_quickly() {
        // A long directed path: (A + I)ᵏ·1 drifts towards the last node only polynomially.
        let g = Csr::unweighted(60, true, (0..59).map(|i| (i, i + 1)));
        let e = eigenvector(&g, Options::default()).expect_err("too slow to converge");
        assert_eq!(e.measure, "eigenvector");
    }
}
