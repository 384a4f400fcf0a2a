#!/usr/bin/env python3
"""Benchmark of autokg's analytics against networkx, igraph and NetworKit, and of the whole
job "N-Triples file -> GEXF with betweenness" against rdflib + networkx and pyoxigraph +
igraph. Run through benches/analytics.sh, which builds autokg and prepares the venv.

For each size it generates a network with `autokg generate`, takes the edge list of the
supply-chain projection (`autokg query -f queries/projections/supply-chain.rq`), and times
each library's kernel alone on the same graph: directed as the projection declares it, and
its undirected view (where every node reaches every other, the costly case). Every library
is timed in-process, best of --repeat runs: autokg's kernels by the ignored test
`bench_kernels` in tests/analytics.rs (the library, no CLI), the others in this process.
autokg's end-to-end time is the wall time of the command (process start and exit
included), the peers' the time of a Python function (interpreter start and imports
excluded); pipelines are timed as the best of --e2e-repeat runs.

Where an exact run would take too long (networkx's betweenness on the undirected views;
everything but autokg at 100k nodes), betweenness is timed on a sample of source nodes and
scaled by n / sources: Brandes' algorithm costs the same per source, so this estimates the
exact run. Such cells say "est." and name the sample.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from xml.sax.saxutils import escape

AK = "https://w3id.org/autokg/ontology#"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPLY_CHAIN = os.path.join(ROOT, "queries", "projections", "supply-chain.rq")


def run(cmd, env=None, stdout=subprocess.DEVNULL):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {proc.stderr}")
    return elapsed, proc


def timed(fn, repeat=1):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def autokg_kernels(data, repeat):
    """Best in-process kernel times of autokg, from the ignored test `bench_kernels`."""
    env = dict(os.environ, AUTOKG_BENCH_DATA=data, AUTOKG_BENCH_REPEAT=str(repeat),
               CARGO_TARGET_DIR=os.environ.get("CARGO_TARGET_DIR", "/var/tmp/autokg-target"))
    _, proc = run(["cargo", "test", "--release", "--quiet", "--test", "integration", "bench_kernels",
                   "--", "--ignored", "--nocapture"], env=env, stdout=subprocess.PIPE)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[len("BENCH "):])
    sys.exit(f"no BENCH line from the autokg kernel test: {proc.stdout}{proc.stderr}")


def edge_list(binary, data):
    _, proc = run(
        [binary, "--data", data, "query", "-f", SUPPLY_CHAIN, "--format", "tsv"],
        stdout=subprocess.PIPE,
    )
    index, edges = {}, set()
    for line in proc.stdout.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 2:
            continue
        a = index.setdefault(cols[0], len(index))
        b = index.setdefault(cols[1], len(index))
        if a != b:
            edges.add((a, b))
    return len(index), sorted(edges)


def fmt(t, est=None):
    if t is None:
        return "—"
    if t < 0.01:
        s = f"{t * 1000:.2f} ms"
    elif t < 1:
        s = f"{t * 1000:.0f} ms"
    elif t < 10:
        s = f"{t:.2f} s"
    else:
        s = f"{t:.0f} s"
    return f"{s} (est. from {est} sources)" if est else s


def kernels(args, n_firms, data, lines):
    import igraph as ig
    import networkit as nk
    import networkx as nx

    n, edges = edge_list(args.autokg, data)
    undirected = sorted({(min(a, b), max(a, b)) for a, b in edges})
    big = n > 20000
    ak = autokg_kernels(data, args.repeat)
    print(f"[{n_firms} firms] supply-chain: {n} nodes, {len(edges)} directed edges, "
          f"{len(undirected)} undirected", file=sys.stderr)

    D = nx.DiGraph(); D.add_nodes_from(range(n)); D.add_edges_from(edges)
    U = nx.Graph(); U.add_nodes_from(range(n)); U.add_edges_from(undirected)
    iD = ig.Graph(n=n, edges=edges, directed=True)
    iU = ig.Graph(n=n, edges=undirected, directed=False)
    kD = nk.Graph(n, directed=True)
    for a, b in edges:
        kD.addEdge(a, b)
    kU = nk.Graph(n, directed=False)
    for a, b in undirected:
        kU.addEdge(a, b)

    rows = []

    def sampled(total_fn, sample_fn, k):
        """Exact time, or an estimate from k sampled sources when the graph is larger."""
        if k is None or k >= n:
            return timed(total_fn), None
        return timed(sample_fn) * n / k, k

    # Betweenness, directed. Reach sets are small, but networkx clears O(n) state per
    # source, so above 20,000 nodes it is estimated from a sample too.
    t_ak = ak["betweenness_directed"]
    k_nx_d = args.nx_sources if big else None
    t_nx = sampled(lambda: nx.betweenness_centrality(D),
                   lambda: nx.betweenness_centrality(D, k=k_nx_d, seed=1), k_nx_d)
    t_ig = timed(lambda: iD.betweenness(directed=True), args.repeat)
    t_nk = timed(lambda: nk.centrality.Betweenness(kD, normalized=True).run(), args.repeat)
    rows.append(("betweenness, exact (directed)", t_ak, t_nx, (t_ig, None), (t_nk, None)))

    # Betweenness, undirected view: every pair connected.
    t_ak = ak["betweenness_undirected"]
    k_nx = args.nx_sources if not big else max(20, args.nx_sources // 5)
    t_nx = sampled(lambda: nx.betweenness_centrality(U),
                   lambda: nx.betweenness_centrality(U, k=k_nx, seed=1), k_nx)
    k_big = args.sources if big else None
    src = list(range(0, n, max(1, n // (k_big or n))))[: (k_big or n)]
    t_ig = sampled(lambda: iU.betweenness(directed=False),
                   lambda: iU.betweenness(directed=False, sources=src), len(src) if big else None)
    t_nk = sampled(lambda: nk.centrality.Betweenness(kU, normalized=True).run(),
                   lambda: nk.centrality.EstimateBetweenness(kU, len(src), True, True).run(),
                   len(src) if big else None)
    rows.append(("betweenness, exact (undirected view)", t_ak, t_nx, t_ig, t_nk))

    # PageRank on the directed projection (damping 0.85).
    t_ak = ak["pagerank"]
    t_nx = timed(lambda: nx.pagerank(D), args.repeat)
    t_ig = timed(lambda: iD.pagerank(damping=0.85), args.repeat)
    t_nk = timed(lambda: nk.centrality.PageRank(kD, damp=0.85, tol=1e-6).run(), args.repeat)
    rows.append(("PageRank (directed)", t_ak, (t_nx, None), (t_ig, None), (t_nk, None)))

    # k-core on the undirected view.
    t_ak = ak["kcore"]
    t_nx = timed(lambda: nx.core_number(U), args.repeat)
    t_ig = timed(lambda: iU.coreness(), args.repeat)
    t_nk = timed(lambda: nk.centrality.CoreDecomposition(kU).run(), args.repeat)
    rows.append(("k-core (undirected view)", t_ak, (t_nx, None), (t_ig, None), (t_nk, None)))

    lines.append(f"\n### {n_firms:,} firms: supply-chain projection, {n:,} nodes, "
                 f"{len(edges):,} directed edges ({len(undirected):,} undirected)\n")
    lines.append("| kernel | autokg | networkx | igraph | NetworKit | igraph / autokg | NetworKit / autokg |")
    lines.append("|---|---|---|---|---|---|---|")
    for name, a, x, i, k in rows:
        ratio = lambda t: f"{t[0] / a:.1f}×" if t[0] and a else "—"  # noqa: E731
        lines.append(f"| {name} | {fmt(a)} | {fmt(*x)} | {fmt(*i)} | {fmt(*k)} | {ratio(i)} | {ratio(k)} |")


def write_gexf(path, labels, scores, edges):
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed">\n'
                '<attributes class="node"><attribute id="0" title="betweenness" type="double"/></attributes>\n<nodes>\n')
        for i, (iri, label) in enumerate(labels):
            f.write(f'<node id="{i}" label="{escape(label or iri, {chr(34): "&quot;"})}">'
                    f'<attvalues><attvalue for="0" value="{scores[i]}"/></attvalues></node>\n')
        f.write("</nodes>\n<edges>\n")
        for j, (a, b) in enumerate(edges):
            f.write(f'<edge id="{j}" source="{a}" target="{b}"/>\n')
        f.write("</edges>\n</graph></gexf>\n")


def end_to_end(args, n_firms, data, work, lines):
    """N-Triples -> supply-chain graph -> exact betweenness -> a file with the scores."""
    results = []
    for entailment, name in (
        ("rdfs", "autokg, RDFS entailments materialised (default)"),
        ("none", "autokg `--entailment none` (no inference, like the peers below)"),
    ):
        out = os.path.join(work, f"autokg-{entailment}.gexf")
        cmd = [args.autokg, "--entailment", entailment, "--data", data, "export", "--format", "gexf",
               "--scores", "betweenness", "-o", out]
        results.append((name, min(run(cmd)[0] for _ in range(args.e2e_repeat))))

    # pyoxigraph + igraph, GEXF written by hand (igraph has no GEXF writer).
    import igraph as ig
    import pyoxigraph as ox

    def pyoxigraph_igraph():
        store = ox.Store()
        store.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES)
        with open(SUPPLY_CHAIN) as f:
            query = f.read()
        index, names, edges = {}, [], set()
        for row in store.query(query):
            a, b = row["source"].value, row["target"].value
            for x in (a, b):
                if x not in index:
                    index[x] = len(index)
                    names.append(x)
            if a != b:
                edges.add((index[a], index[b]))
        labels = {}
        for row in store.query(
            "SELECT ?n ?l WHERE { ?n <http://www.w3.org/2000/01/rdf-schema#label> ?l "
            "FILTER(langMatches(lang(?l), 'en')) }"
        ):
            labels[row["n"].value] = row["l"].value
        edges = sorted(edges)
        g = ig.Graph(n=len(names), edges=edges, directed=True)
        b = g.betweenness(directed=True)
        scale = 1 / ((len(names) - 1) * (len(names) - 2))
        write_gexf(os.path.join(work, "pyoxigraph.gexf"), [(x, labels.get(x)) for x in names],
                   [v * scale for v in b], edges)

    results.append(("pyoxigraph + igraph (SPARQL projection, hand-written GEXF)",
                    timed(pyoxigraph_igraph, args.e2e_repeat)))

    if args.rdflib_max is not None and n_firms > args.rdflib_max:
        results.append((f"rdflib + networkx (not run above {args.rdflib_max:,} firms)", None))
    else:
        import networkx as nx
        import rdflib

        def rdflib_networkx():
            g = rdflib.Graph()
            g.parse(data, format="nt")
            ak = rdflib.Namespace(AK)
            G = nx.DiGraph()
            for s, _, o in g.triples((None, ak.suppliesTo, None)):
                G.add_edge(str(s), str(o))
            for s, _, o in g.triples((None, ak.partnerOf, None)):
                G.add_edge(str(s), str(o)); G.add_edge(str(o), str(s))
            for p in (ak.jointVentureOf, ak.subsidiaryOf):
                for s, _, o in g.triples((None, p, None)):
                    G.add_edge(str(o), str(s))
            G.remove_edges_from(nx.selfloop_edges(G))
            for node in G:
                for label in g.objects(rdflib.URIRef(node), rdflib.RDFS.label):
                    if getattr(label, "language", None) == "en":
                        G.nodes[node]["label"] = str(label)
            nx.set_node_attributes(G, nx.betweenness_centrality(G), "betweenness")
            nx.write_gexf(G, os.path.join(work, "rdflib.gexf"))

        results.append(("rdflib + networkx (triples() projection, nx.write_gexf)", timed(rdflib_networkx)))

    size = os.path.getsize(data) / 1e6
    with open(data) as f:
        triples = sum(1 for _ in f)
    lines.append(f"\n### {n_firms:,} firms end to end: {triples:,} triples ({size:.0f} MB N-Triples) "
                 "→ supply-chain graph → exact betweenness → file\n")
    lines.append("| pipeline | wall time | / autokg default | / autokg `--entailment none` |")
    lines.append("|---|---|---|---|")
    ratio = lambda t, base: f"{t / base:.2f}×" if t else "—"  # noqa: E731
    for name, t in results:
        lines.append(f"| {name} | {fmt(t)} | {ratio(t, results[0][1])} | {ratio(t, results[1][1])} |")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--autokg", required=True)
    p.add_argument("--firms", type=int, nargs="+", default=[10000, 100000])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--nx-sources", type=int, default=500,
                   help="networkx's undirected betweenness is estimated from this many sources")
    p.add_argument("--sources", type=int, default=1000,
                   help="above 20,000 nodes, igraph and NetworKit are estimated from this many sources")
    p.add_argument("--rdflib-max", type=int, default=10000,
                   help="skip rdflib above this many firms (it needs minutes and gigabytes)")
    p.add_argument("--e2e-repeat", type=int, default=3,
                   help="end-to-end pipelines (but rdflib's) are timed as the best of this many runs")
    p.add_argument("--only", choices=["all", "kernels", "end-to-end"], default="all",
                   help="run only one half of the benchmark")
    p.add_argument("--out", default="/var/tmp/analytics-bench.md")
    args = p.parse_args()

    import igraph
    import networkit
    import networkx
    import pyoxigraph
    import rdflib

    version = subprocess.run([args.autokg, "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "## autokg analytics benchmark",
        "",
        f"Command: `{'' if args.only == 'all' else f'AUTOKG_BENCH_ONLY={args.only} '}"
        f"benches/analytics.sh {' '.join(map(str, args.firms))}` "
        f"(seed {args.seed}); {os.cpu_count()} cores; {version}, networkx {networkx.__version__}, "
        f"igraph {igraph.__version__}, NetworKit {networkit.__version__}, rdflib {rdflib.__version__}, "
        f"pyoxigraph {pyoxigraph.__version__}.",
    ]
    if args.only in ("all", "kernels"):
        lines.append("Kernel times exclude loading and are the best of "
                     f"{args.repeat} in-process runs (one run for estimates and for exact betweenness on "
                     "the undirected views); autokg and NetworKit use both cores, igraph and networkx one.")
    if args.only in ("all", "end-to-end"):
        lines.append(f"End-to-end times are the best of {args.e2e_repeat} runs (rdflib: one): autokg's "
                     "the wall time of the command, the Python pipelines' the time of the function "
                     "(interpreter start and imports excluded).")
    with tempfile.TemporaryDirectory() as work:
        for n_firms in args.firms:
            data = os.path.join(work, f"net-{n_firms}.nt")
            run([args.autokg, "generate", "--firms", str(n_firms), "--seed", str(args.seed), "-o", data])
            if args.only in ("all", "kernels"):
                kernels(args, n_firms, data, lines)
            if args.only in ("all", "end-to-end"):
                end_to_end(args, n_firms, data, work, lines)
            print("\n".join(lines), file=sys.stderr)
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
