#!/usr/bin/env python3
"""Cross-check for autokg's analytics: networkx's answers on an edge list, as JSON.

Reads one JSON document on standard input:

    {"directed": true, "nodes": 5, "edges": [[0, 1, 1.0], ...],
     "sources": [0, 3, ...],            # optional: the sample of sampled betweenness
     "dominator_roots": [[0, false]]}   # optional: (root, walk edges backwards)

Nodes are the integers 0..nodes-1, added in order; each edge carries a "weight" attribute
(PageRank reads it, as networkx does by default); an edge [v, v, w] is a self-loop. Prints one JSON document with every
measure autokg computes, under networkx's defaults; "core_number" is {"error": ...} where networkx refuses (self-loops). Exit code 3 when networkx (or scipy,
which networkx's PageRank needs) cannot be imported.
"""

import json
import random
import sys

try:
    import networkx as nx
    import scipy  # noqa: F401  (networkx's pagerank runs on scipy)
except ImportError as e:  # pragma: no cover - reported by the Rust test
    print(f"cannot import networkx/scipy: {e}", file=sys.stderr)
    sys.exit(3)


class FixedSample(random.Random):
    """A random source whose sample() returns the given nodes: lets networkx's own
    betweenness_centrality(k=...) run on autokg's sample of sources."""

    def __init__(self, picks):
        super().__init__(0)
        self.picks = list(picks)

    def sample(self, population, k, **kwargs):  # noqa: D401
        assert k == len(self.picks)
        return list(self.picks)


def power(fn):
    try:
        return fn()
    except nx.PowerIterationFailedConvergence as e:
        return {"error": f"not converged: {e}"}


def main():
    spec = json.load(sys.stdin)
    G = nx.DiGraph() if spec["directed"] else nx.Graph()
    n = spec["nodes"]
    G.add_nodes_from(range(n))
    for u, v, w in spec["edges"]:
        G.add_edge(u, v, weight=w)
    as_list = lambda d: [d[i] for i in range(n)]  # noqa: E731
    out = {
        "networkx": nx.__version__,
        "degree": as_list(nx.degree_centrality(G)),
        "pagerank": power(lambda: as_list(nx.pagerank(G))),
        "betweenness": as_list(nx.betweenness_centrality(G)),
        "betweenness_raw": as_list(nx.betweenness_centrality(G, normalized=False)),
        "closeness": as_list(nx.closeness_centrality(G)),
        "harmonic": as_list(nx.harmonic_centrality(G)),
        "eigenvector": power(lambda: as_list(nx.eigenvector_centrality(G))),
    }
    try:
        out["core_number"] = as_list(nx.core_number(G))
    except nx.NetworkXNotImplemented as e:  # networkx refuses graphs with self-loops
        out["core_number"] = {"error": str(e)}
    if G.is_directed():
        out["in_degree"] = as_list(nx.in_degree_centrality(G))
        out["out_degree"] = as_list(nx.out_degree_centrality(G))
        components = nx.weakly_connected_components(G)
    else:
        components = nx.connected_components(G)
    out["components"] = sorted(sorted(c) for c in components)
    U = G.to_undirected()
    out["articulation_points"] = sorted(nx.articulation_points(U))
    out["bridges"] = sorted(tuple(sorted(e)) for e in nx.bridges(U))
    sources = spec.get("sources")
    if sources:
        for key, normalized in (("betweenness_sampled", True), ("betweenness_sampled_raw", False)):
            b = nx.betweenness_centrality(
                G, k=len(sources), normalized=normalized, seed=FixedSample(sources)
            )
            out[key] = as_list(b)
    dominators = []
    for root, reverse in spec.get("dominator_roots", []):
        H = G.reverse(copy=False) if reverse else G
        idom = nx.immediate_dominators(H, root)
        idom.pop(root, None)  # older networkx maps the root to itself
        dominators.append({"root": root, "reverse": reverse, "idom": {str(k): v for k, v in idom.items()}})
    out["dominators"] = dominators
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
