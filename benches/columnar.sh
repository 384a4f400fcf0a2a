#!/usr/bin/env bash
# Peak memory and time of the exports for engines past one machine (Parquet, Neo4j bulk
# import CSV) against the CSV export and the projection alone, on a generated network.
# Usage: benches/columnar.sh [FIRMS] [PROJECTION]   (defaults: 350000 firms, seed 1, the
# `all` projection: about 1,000,000 edges). Needs a release build and GNU time
# (/usr/bin/time -v). The network is loaded once into a RocksDB store under
# $AUTOKG_BENCH_WORK (default /var/tmp/autokg-columnar-bench); every command then opens it.
# "projection alone" is `centrality -m degree --top 1` (the SPARQL projection and a degree
# count, no export graph).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/autokg-target}"
cargo build --release --quiet
autokg="$CARGO_TARGET_DIR/release/autokg"
firms="${1:-350000}"
projection="${2:-all}"
work="${AUTOKG_BENCH_WORK:-/var/tmp/autokg-columnar-bench}"
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }
mkdir -p "$work"
nq="$work/net-$firms.nq"
store="$work/store-$firms"
export RUST_LOG=warn
[ -s "$nq" ] || "$autokg" generate --firms "$firms" --seed 1 -o "$nq"
if [ ! -e "$store/.loaded" ]; then
  rm -rf "$store"
  "$autokg" --store "$store" load "$nq"
  touch "$store/.loaded"
fi
measure() { # label, then the command
  local label="$1"; shift
  local log="$work/time.log"
  /usr/bin/time -v "$@" 2>"$log" >/dev/null || { cat "$log" >&2; exit 1; }
  local rss wall summary
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  summary=$(grep -E '^exported' "$log" | sed -E 's/.*\((.*)\)/\1/' || true)
  echo "| $label | $rss MiB | $wall | ${summary:--} |"
}
out="$work/out"
rm -rf "$out"; mkdir -p "$out"
echo "| command ($firms firms, projection $projection) | peak RSS | wall | phases |"
echo "|---|---|---|---|"
measure "open the store (query 'ASK {}')" "$autokg" --store "$store" query 'ASK {}'
measure "projection alone (centrality -m degree)" "$autokg" --store "$store" centrality -m degree --projection "$projection" --top 1
for f in csv parquet neo4j; do
  measure "export --format $f --scores pagerank" "$autokg" --store "$store" export --format "$f" --projection "$projection" --scores pagerank -o "$out/$f"
  echo "|  files: $(du -sh "$out/$f" | cut -f1) in $(ls "$out/$f" | wc -l) | | | |"
done
