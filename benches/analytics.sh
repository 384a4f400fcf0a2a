#!/usr/bin/env bash
# Times autokg's analytics against networkx, igraph and NetworKit (exact betweenness,
# PageRank, k-core) on generated supply networks, and the whole job N-Triples → GEXF with
# betweenness against rdflib + networkx and pyoxigraph + igraph, in one run.
# Usage: benches/analytics.sh [FIRMS...]   (default: 10000 100000; AUTOKG_BENCH_ONLY=kernels or
# end-to-end runs one half). Needs a release build;
# writes the tables to /var/tmp/analytics-bench.md (or $AUTOKG_BENCH_OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/autokg-target}"
cargo build --release --quiet
cargo test --release --quiet --no-run --test integration
venv="${AUTOKG_BENCH_VENV:-/var/tmp/autokg-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import networkx, scipy, igraph, networkit, rdflib, pyoxigraph' 2>/dev/null ||
  "$venv/bin/pip" install -q networkx scipy python-igraph networkit rdflib pyoxigraph
firms=("$@")
[ ${#firms[@]} -gt 0 ] || firms=(10000 100000)
exec "$venv/bin/python" benches/analytics_bench.py --autokg "$CARGO_TARGET_DIR/release/autokg" \
  --firms "${firms[@]}" --only "${AUTOKG_BENCH_ONLY:-all}" --out "${AUTOKG_BENCH_OUT:-/var/tmp/analytics-bench.md}"
