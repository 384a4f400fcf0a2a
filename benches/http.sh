#!/usr/bin/env bash
# SPARQL-over-HTTP throughput and latency: autokg serve vs oxigraph serve (PyPI's `oxigraph`
# package ships the server prebuilt) on the same data, the same fixed query mix, one run.
# Usage: benches/http.sh [SECONDS] [CONNECTIONS]   Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"; conns="${2:-16}"
target="${CARGO_TARGET_DIR:-target}"
# AUTOKG_BIN runs an already built binary instead of building one.
[ -n "${AUTOKG_BIN:-}" ] || cargo build --release --quiet
autokg="${AUTOKG_BIN:-$target/release/autokg}"
venv="${AUTOKG_BENCH_VENV:-/var/tmp/autokg-bench-venv}"
[ -x "$venv/bin/oxigraph" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q oxigraph; }
work="$(mktemp -d)"
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
pids=(); trap cleanup EXIT

# The same quads for both: autokg's whole dataset (curated, ontology, entailments).
"$autokg" dump --format nquads -o "$work/all.nq"
"$venv/bin/oxigraph" load --location "$work/ox" --file "$work/all.nq" >/dev/null 2>&1
"$autokg" --store "$work/ak" stats >/dev/null
RUST_LOG=warn "$autokg" serve --bind 127.0.0.1:17801 >/dev/null 2>&1 & pids+=($!)
RUST_LOG=warn "$autokg" --store "$work/ak" serve --bind 127.0.0.1:17803 >/dev/null 2>&1 & pids+=($!)
"$venv/bin/oxigraph" serve --location "$work/ox" --bind 127.0.0.1:17802 --union-default-graph >/dev/null 2>&1 & pids+=($!)
# autokg in memory (its default) and on RocksDB (--store, like oxigraph --location).
sleep 2

# The fixed query mix, URL-encoded once: a label lookup, a relation hop, observations with
# periods, an aggregate over classes.
python3 - "$work/mix.lua" <<'PY'
import sys, urllib.parse
P = "PREFIX ak: <https://w3id.org/autokg/ontology#> PREFIX akid: <https://w3id.org/autokg/id/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
queries = [
    P + "SELECT ?l WHERE { akid:seres rdfs:label ?l }",
    P + "SELECT ?x ?l WHERE { akid:hefei-government ak:investedIn ?x . ?x rdfs:label ?l FILTER(lang(?l)='en') }",
    P + "SELECT ?s ?m ?v ?from ?to WHERE { ?o a ak:Observation ; ak:subject ?s ; ak:measure ?m ; ak:value ?v ; ak:periodStart ?from ; ak:periodEnd ?to } ORDER BY ?s ?m",
    P + "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 10",
]
paths = ["/sparql?query=" + urllib.parse.quote(q) for q in queries]
with open(sys.argv[1], "w") as f:
    f.write("local paths = {" + ",".join('"%s"' % p for p in paths) + "}\n")
    f.write('local i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", paths[(i % #paths) + 1], {["Accept"] = "application/sparql-results+json"})\nend\n')
PY

run() { # name port pid
  local out rss
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$work/mix.lua" "http://127.0.0.1:$2" 2>&1)
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$3/status")
  echo "$1: $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s, p50 $(echo "$out" | awk '$1=="50%" {print $2}'), p99 $(echo "$out" | awk '$1=="99%" {print $2}'), non-2xx: $(echo "$out" | awk '/Non-2xx/ {print $4}')${rss:+, peak RSS ${rss} kB}"
  echo "$out" | awk '/Requests\/sec/ {print $2}' > "$work/$1.rps"
}
run autokg-memory 17801 "${pids[0]}"
run autokg-rocksdb 17803 "${pids[1]}"
run oxigraph-rocksdb 17802 "${pids[2]}"
ratio() { echo "scale=2; $(cat "$work/$1.rps") / $(cat "$work/oxigraph-rocksdb.rps")" | bc; }
echo "throughput ratio vs oxigraph serve: autokg in memory $(ratio autokg-memory), autokg on RocksDB $(ratio autokg-rocksdb)"
