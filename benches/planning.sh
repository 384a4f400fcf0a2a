#!/usr/bin/env bash
# Planning cost by join width: wall time of `autokg query` (in-memory store, curated data) on
# the shapes whose planning grows fastest, at widths up to the planning limit
# (src/sparql/planning.rs), minus the time of a trivial query. Usage: benches/planning.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
[ -n "${AUTOKG_BIN:-}" ] || cargo build --release --quiet
autokg="${AUTOKG_BIN:-$target/release/autokg}"
python3 - "$autokg" <<'PY'
import statistics, subprocess, sys, time
autokg = sys.argv[1]
P = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
shapes = {
    "filtered groups sharing ?o": lambda n: " ".join("{ ?s%d ?p ?o FILTER(?o != 0) }" % (i % 3) for i in range(n)),
    "star of triple patterns": lambda n: " ".join("?s ?p%d ?o ." % i for i in range(n)),
    "OPTIONAL chain": lambda n: "?s ?p ?o " + " ".join("OPTIONAL { ?s ?p%d ?o%d }" % (i, i) for i in range(n - 1)),
    "sequence path": lambda n: "?s " + "/".join(["rdfs:label"] * n) + " ?o",
}
def run(q):
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([autokg, "query", "--format", "json", q], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)
base = run(P + "ASK {}")
print(f"baseline (trivial query, process start included): {base * 1000:.0f} ms")
print("| shape | width 16 | width 32 | width 48 | width 64 |")
print("|---|---|---|---|---|")
for name, body in shapes.items():
    cells = [f"{max(run(P + 'SELECT * WHERE { ' + body(n) + ' } LIMIT 1') - base, 0) * 1000:.0f} ms" for n in (16, 32, 48, 64)]
    print(f"| {name} | " + " | ".join(cells) + " |")
PY
