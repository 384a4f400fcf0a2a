//! Test oracles: our [`Csr`] as petgraph graphs, for the unit tests that compare our kernels
//! with petgraph's and rustworkx-core's (both are dev-dependencies; nothing else uses them).

use super::Csr;

/// Converts to a petgraph graph (directed), for crates that take petgraph types.
pub(crate) fn to_petgraph_directed(g: &Csr) -> petgraph::graph::DiGraph<(), f64> {
    let mut pg = petgraph::graph::DiGraph::with_capacity(g.node_count(), g.edge_count());
    for _ in 0..g.node_count() {
        pg.add_node(());
    }
    for (u, v, w) in g.edges() {
        pg.add_edge(u.into(), v.into(), w);
        if !g.is_directed() {
            pg.add_edge(v.into(), u.into(), w);
        }
    }
    pg
}

/// Converts to a petgraph undirected graph (the undirected view of a directed graph).
pub(crate) fn to_petgraph_undirected(g: &Csr) -> petgraph::graph::UnGraph<(), f64> {
    let u = g.to_undirected();
    let mut pg = petgraph::graph::UnGraph::with_capacity(u.node_count(), u.edge_count());
    for _ in 0..u.node_count() {
        pg.add_node(());
    }
    for (a, b, w) in u.edges() {
        pg.add_edge(a.into(), b.into(), w);
    }
    pg
}
