"""Reads autokg's GraphML and GEXF exports with networkx and compares them with what the
projection says they must hold.

Usage: check_exports.py EXPECTED.json FILE.graphml FILE.gexf

EXPECTED.json: {"directed": bool, "measures": ["pagerank", ...],
                "nodes": [{"id", "label", "label_zh"?, "type"?, "city"?, "province"?,
                           "scores": {"pagerank": 0.1, ...}}],
                "edges": [[source_iri, target_iri], ...]}

Checks, for both files: directedness, the node ids (GraphML: the `iri` attribute, as the
XSD wants NMTOKEN ids; GEXF: the ids themselves), the edge set, every label (Chinese
included, byte for byte), type, city, province and score (exactly: the files carry
round-trip decimal representations), GEXF `viz:color` and `viz:size` on every node.
Prints a JSON summary; exits 1 on a mismatch, 3 when networkx cannot be imported.
"""

import json
import sys

try:
    import networkx as nx
except ImportError as e:  # the Rust test turns this into a failure, not a skip
    print(f"networkx is not importable: {e}", file=sys.stderr)
    sys.exit(3)


def compare(name, graph, expected, problems):
    if graph.is_directed() != expected["directed"]:
        problems.append(f"{name}: directed={graph.is_directed()}, expected {expected['directed']}")
    want_nodes = {n["id"]: n for n in expected["nodes"]}
    got = set(graph.nodes)
    if got != set(want_nodes):
        problems.append(
            f"{name}: node ids differ; missing {sorted(set(want_nodes) - got)[:5]}, "
            f"unexpected {sorted(got - set(want_nodes))[:5]}"
        )
    for iri, want in want_nodes.items():
        if iri not in graph.nodes:
            continue
        data = graph.nodes[iri]
        for key in ("label", "label_zh", "type", "city", "province"):
            if data.get(key) != want.get(key):
                problems.append(f"{name}: {iri} {key}={data.get(key)!r}, expected {want.get(key)!r}")
        for measure, value in want.get("scores", {}).items():
            if data.get(measure) != value:
                problems.append(f"{name}: {iri} {measure}={data.get(measure)!r}, expected {value!r}")
    want_edges = {tuple(e) for e in expected["edges"]}
    if not expected["directed"]:
        want_edges = {tuple(sorted(e)) for e in want_edges}
        got_edges = {tuple(sorted(e)) for e in graph.edges()}
    else:
        got_edges = set(graph.edges())
    if got_edges != want_edges:
        problems.append(
            f"{name}: edges differ; missing {sorted(want_edges - got_edges)[:5]}, "
            f"unexpected {sorted(got_edges - want_edges)[:5]}"
        )
    if graph.number_of_edges() != len(expected["edges"]):
        problems.append(f"{name}: {graph.number_of_edges()} edges, expected {len(expected['edges'])}")


def main():
    expected_path, graphml_path, gexf_path = sys.argv[1:4]
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    problems = []

    g = nx.read_graphml(graphml_path)
    iris = {n: d.get("iri") for n, d in g.nodes(data=True)}
    if None in iris.values() or len(set(iris.values())) != len(iris):
        problems.append("graphml: every node needs a distinct iri attribute")
    else:
        g = nx.relabel_nodes(g, iris)
    compare("graphml", g, expected, problems)

    h = nx.read_gexf(gexf_path)
    compare("gexf", h, expected, problems)
    for n, d in h.nodes(data=True):
        viz = d.get("viz", {})
        if "color" not in viz or "size" not in viz:
            problems.append(f"gexf: {n} lacks viz:color or viz:size")
            break

    print(
        json.dumps(
            {
                "graphml": {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()},
                "gexf": {"nodes": h.number_of_nodes(), "edges": h.number_of_edges()},
                "problems": problems,
            },
            ensure_ascii=False,
        )
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
