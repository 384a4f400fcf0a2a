#!/usr/bin/env bash
# Times `autokg load` against `oxigraph load` (PyPI's `oxigraph` package ships that binary) on
# the same 1M-triple N-Triples file in one run, into fresh RocksDB directories, and the cost
# of recomputing every RDFS entailment on the resulting store; then the in-memory loads of
# `autokg --data` (with and without entailments) against pyoxigraph's `Store().bulk_load`.
# Usage: benches/load.sh [TRIPLES]   (default 1000000). Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
target="${CARGO_TARGET_DIR:-target}"
# AUTOKG_BIN runs an already built binary instead of building one.
[ -n "${AUTOKG_BIN:-}" ] || cargo build --release --quiet
autokg="${AUTOKG_BIN:-$target/release/autokg}"
venv="${AUTOKG_BENCH_VENV:-/var/tmp/autokg-bench-venv}"
[ -x "$venv/bin/oxigraph" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q oxigraph; }
"$venv/bin/python" -c 'import pyoxigraph' 2>/dev/null || "$venv/bin/pip" install -q pyoxigraph
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# A supplier network in the ontology's terms: typed firms, labels, supply links.
python3 - "$n" "$work/data.nt" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
AK = "https://w3id.org/autokg/ontology#"
with open(path, "w") as f:
    firms = n // 4
    for i in range(firms):
        s = f"<https://w3id.org/autokg/id/bench/firm-{i}>"
        f.write(f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{AK}PartsSupplier> .\n")
        f.write(f"{s} <http://www.w3.org/2000/01/rdf-schema#label> \"Firm {i}\"@en .\n")
        f.write(f"{s} <{AK}suppliesTo> <https://w3id.org/autokg/id/bench/firm-{(i * 7 + 1) % firms}> .\n")
        f.write(f"{s} <{AK}headquarteredIn> <https://w3id.org/autokg/id/bench/city-{i % 300}> .\n")
PY
lines=$(wc -l < "$work/data.nt")
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
ox=$(t "$venv/bin/oxigraph" load --location "$work/ox" --file "$work/data.nt")
ak=$(t "$autokg" --store "$work/ak" load "$work/data.nt")
# Recompute all entailments: load one schema triple, which forces a full recomputation.
printf '<%s> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <%s> .\n' \
  "https://w3id.org/autokg/ontology#PartsSupplier" "https://w3id.org/autokg/ontology#Company" > "$work/schema.nt"
inf=$(t "$autokg" --store "$work/ak" load "$work/schema.nt")
mem=$(t "$autokg" --data "$work/data.nt" query 'ASK {}')
mem_none=$(t "$autokg" --entailment none --data "$work/data.nt" query 'ASK {}')
pyox=$(t "$venv/bin/python" -c 'import sys, pyoxigraph as ox; ox.Store().bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)' "$work/data.nt")
echo "triples: $lines"
echo "oxigraph load: ${ox} s"
echo "autokg load (with incremental RDFS entailments): ${ak} s"
echo "ratio autokg/oxigraph: $(echo "scale=2; $ak / $ox" | bc)"
echo "autokg full re-inference on the loaded store: ${inf} s"
echo "in memory: pyoxigraph Store().bulk_load: ${pyox} s"
echo "in memory: autokg --data (RDFS entailments): ${mem} s (ratio $(echo "scale=2; $mem / $pyox" | bc))"
echo "in memory: autokg --entailment none --data: ${mem_none} s (ratio $(echo "scale=2; $mem_none / $pyox" | bc))"
