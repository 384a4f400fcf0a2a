#!/usr/bin/env bash
# Times `autokg export` of a generated network's supply-chain projection in every format
# against networkx's write_graphml and write_gexf on the same graph, with peak memory
# (/usr/bin/time -v), in one run.
# Usage: benches/export.sh [FIRMS]   (default: 100000; seed 1). Needs a release build and
# GNU time; writes the report to /var/tmp/export-bench.md (or $AUTOKG_BENCH_OUT). With
# AUTOKG_BENCH_LXML_PYTHON=/path/to/python (a networkx with lxml), write_graphml is also
# timed through lxml, networkx's faster GraphML engine.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/autokg-target}"
cargo build --release --quiet
venv="${AUTOKG_BENCH_VENV:-/var/tmp/autokg-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import networkx' 2>/dev/null || "$venv/bin/pip" install -q networkx
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }
lxml=()
[ -n "${AUTOKG_BENCH_LXML_PYTHON:-}" ] && lxml=(--lxml-python "$AUTOKG_BENCH_LXML_PYTHON")
exec "$venv/bin/python" benches/export_bench.py --autokg "$CARGO_TARGET_DIR/release/autokg" "${lxml[@]}" \
  --firms "${1:-100000}" --out "${AUTOKG_BENCH_OUT:-/var/tmp/export-bench.md}"
