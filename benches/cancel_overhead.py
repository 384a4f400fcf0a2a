#!/usr/bin/env python3
"""What the cancellation guard costs: the same queries against two servers on the same data,
one built before the guard (A) and one with it (B), interleaved, median of 60 requests each.
Usage: benches/cancel_overhead.py PORT_A PORT_B  (both serving the same --data file, e.g.
`autokg generate --firms 5000 --seed 1 -o g.nt`, then `autokg serve --data g.nt --bind ...`)."""
import sys, time, urllib.request, urllib.parse, statistics
Q = {
 "count of a product of two small patterns (guarded)": "PREFIX ak: <https://w3id.org/autokg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?a a ak:City . ?b ak:suppliesTo ?c }",
 "two-pattern join (supplier and its city)": "PREFIX ak: <https://w3id.org/autokg/ontology#> SELECT ?s ?t ?c WHERE { ?s ak:suppliesTo ?t . ?s ak:headquarteredIn ?c } LIMIT 2000",
 "three-pattern join with label": "PREFIX ak: <https://w3id.org/autokg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?l ?t WHERE { ?s ak:suppliesTo ?t . ?t ak:suppliesTo ?u . ?s rdfs:label ?l } LIMIT 2000",
 "count of a two-pattern join": "PREFIX ak: <https://w3id.org/autokg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?s ak:suppliesTo ?t . ?t ak:suppliesTo ?u }",
 "one pattern (not guarded)": "PREFIX ak: <https://w3id.org/autokg/ontology#> SELECT ?s ?t WHERE { ?s ak:suppliesTo ?t } LIMIT 2000",
}
def run(port, q, n):
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": q})
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/csv"})).read()
        ts.append(time.perf_counter() - t)
    return ts
A, B = int(sys.argv[1]), int(sys.argv[2])
for name, q in Q.items():
    run(A, q, 5); run(B, q, 5)
    a, b = [], []
    for _ in range(6):
        a += run(A, q, 10); b += run(B, q, 10)
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{name}: A {ma*1000:.2f} ms, B {mb*1000:.2f} ms, ratio {mb/ma:.3f}")
