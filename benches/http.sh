#!/usr/bin/env bash
# SPARQL-over-HTTP read path, query by query: `autokg serve` against `oxigraph serve` (PyPI's
# `oxigraph` package ships the server prebuilt) on the same N-Triples file, the same store
# kind, in one run. autokg adds its entailments to the file, as it does for every user (the
# same-quads pairings below give oxigraph those too).
#
# Usage: benches/http.sh [FIRMS] [SECONDS] [CONNECTIONS] [RUNS]
#   FIRMS (5000) sizes the generated supplier network; each query runs SECONDS (4) per server
#   per run with CONNECTIONS (16) wrk connections; a query's figure is the median of RUNS (3)
#   runs, the two servers alternating. Prints req/s, p99 and the ratio per query (the median
#   of each autokg run over the oxigraph run after it, with their range), on RocksDB
#   (autokg --store vs oxigraph --location) and in memory (autokg --data vs oxigraph serve
#   without --location, loaded through its Graph Store). Needs wrk (apt-get install wrk).
#   A third pairing, memory-asserted, runs autokg with `--entailment none`: the same triples
#   as oxigraph and no more, for the queries whose answers the entailments enlarge.
#   Two more, rocksdb-same-quads and memory-same-quads, give oxigraph exactly the quads
#   autokg holds (autokg's own dump: the file, the entailments, the ontology and curated
#   graphs, each in its named graph) and run it with --union-default-graph, autokg's
#   dataset: both then do the same work in the store, and what differs is the server.
#   AUTOKG_BENCH_STORES names the pairings to run, by default "rocksdb memory memory-asserted".
#   AUTOKG_BENCH_WORKERS=N starts autokg with `--workers N` (default: its own, cores × 4).
#   AUTOKG_BENCH_PIN=1 runs both servers on CPU 1 and wrk on CPU 0 (taskset), so that the
#   load generator does not compete with the server it measures; without it all share every
#   core.
set -euo pipefail
cd "$(dirname "$0")/.."
firms="${1:-5000}"; secs="${2:-4}"; conns="${3:-16}"; runs="${4:-3}"
stores="${AUTOKG_BENCH_STORES:-rocksdb memory memory-asserted}"
target="${CARGO_TARGET_DIR:-target}"
# AUTOKG_BIN runs an already built binary instead of building one.
[ -n "${AUTOKG_BIN:-}" ] || cargo build --release --quiet
autokg="${AUTOKG_BIN:-$target/release/autokg}"
venv="${AUTOKG_BENCH_VENV:-/var/tmp/autokg-bench-venv}"
[ -x "$venv/bin/oxigraph" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q oxigraph; }
command -v wrk >/dev/null || { echo "benches/http.sh needs wrk (apt-get install wrk)" >&2; exit 2; }
workers=(); [ -z "${AUTOKG_BENCH_WORKERS:-}" ] || workers=(--workers "$AUTOKG_BENCH_WORKERS")
pin_server=(); pin_client=()
if [ "${AUTOKG_BENCH_PIN:-0}" = 1 ]; then pin_server=(taskset -c 1); pin_client=(taskset -c 0); fi
work="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# One N-Triples file for both servers: the generated network without its graph name.
"$autokg" generate --firms "$firms" -o "$work/net.nq" 2>/dev/null
sed -E 's/ <[^>]*> \.$/ ./' "$work/net.nq" > "$work/net.nt"
rm "$work/net.nq"

# The query mix (the issue's four, then the README's four), each with firm IRIs drawn at
# random from the network: one wrk script per query holding 200 encoded variants.
python3 - "$work" <<'PY'
import random, sys, urllib.parse
work = sys.argv[1]
rng = random.Random(7)
P = ("PREFIX ak: <https://w3id.org/autokg/ontology#> "
     "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
# The firms: every subject and object of a supply link.
firm_iris = set()
for line in open(f"{work}/net.nt"):
    parts = line.split(" ")
    if parts[1] == "<https://w3id.org/autokg/ontology#suppliesTo>":
        firm_iris.update((parts[0], parts[2]))
firm_iris = sorted(firm_iris)
firm = lambda: rng.choice(firm_iris)
queries = {
    "label-by-iri": lambda: P + "SELECT ?l WHERE { %s rdfs:label ?l }" % firm(),
    "supply-edges-limit-100": lambda: P + "SELECT ?s ?t WHERE { ?s ak:suppliesTo ?t } LIMIT 100",
    "two-hop-path-limit-50": lambda: P + "SELECT ?s WHERE { ?s ak:suppliesTo/ak:suppliesTo %s } LIMIT 50" % firm(),
    "count-supply-edges": lambda: P + "SELECT (COUNT(*) AS ?n) WHERE { ?s ak:suppliesTo ?t }",
    "labels-of-customers": lambda: P + "SELECT ?t ?l WHERE { %s ak:suppliesTo ?t . ?t rdfs:label ?l FILTER(lang(?l) = 'en') }" % firm(),
    "firm-profile": lambda: P + "SELECT ?p ?o WHERE { %s ?p ?o }" % firm(),
    "suppliers-by-city": lambda: P + "SELECT ?city (COUNT(?f) AS ?n) WHERE { ?f ak:headquarteredIn ?city } GROUP BY ?city ORDER BY DESC(?n) LIMIT 10",
    "classes-by-size": lambda: P + "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 10",
}
names = []
for name, make in queries.items():
    paths = sorted({"/sparql?query=" + urllib.parse.quote(make()) for _ in range(200)})
    with open(f"{work}/{name}.lua", "w") as f:
        f.write("local paths = {" + ",".join('"%s"' % p for p in paths) + "}\n")
        f.write("math.randomseed(os.time())\n")
        f.write('request = function()\n  return wrk.format("GET", paths[math.random(#paths)], '
                '{["Accept"] = "application/sparql-results+json"})\nend\n')
    names.append(name)
with open(f"{work}/queries", "w") as f:
    f.write("\n".join(names) + "\n")
PY

# Sanity: both servers must give the same number of results for each query (same IRIs).
check_same() { # query-name port-a port-b
  python3 - "$work/$1.lua" "$2" "$3" <<'PY'
import json, re, sys, urllib.request
paths = re.findall(r'"(/sparql\?query=[^"]+)"', open(sys.argv[1]).read())
for path in paths[:3]:
    counts = []
    for port in sys.argv[2:]:
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept": "application/sparql-results+json"})
        counts.append(len(json.load(urllib.request.urlopen(req, timeout=60))["results"]["bindings"]))
    if counts[0] != counts[1] and "LIMIT" not in urllib.parse.unquote(path):
        print(f"  note: {sys.argv[1].split('/')[-1][:-4]} gives {counts[0]} rows on autokg, {counts[1]} on oxigraph", file=sys.stderr)
PY
}

wait_up() { for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:$1/sparql?query=ASK%7B%7D" && return 0; sleep 0.2; done; echo "server on $1 did not start" >&2; exit 1; }

# One wrk run: prints "req/s p99-ms".
one() { # lua port
  "${pin_client[@]}" wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$1" "http://127.0.0.1:$2" 2>&1 | awk '
    /Requests\/sec/ {rps=$2}
    $1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; p99=v}
    /Non-2xx/ {bad=$4}
    END {printf "%s %s %s\n", (rps==""?0:rps), (p99==""?0:p99), (bad==""?0:bad)}'
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

compare() { # kind autokg-port oxigraph-port
  printf '\n%s (%s firms, %s s x %s runs per query and server, %s connections%s)\n' "$1" "$firms" "$secs" "$runs" "$conns" "${pin_server:+, servers on CPU 1 and wrk on CPU 0}"
  printf '| query | autokg req/s | oxigraph req/s | ratio | ratio range | autokg p99 ms | oxigraph p99 ms |\n|---|---|---|---|---|---|---|\n'
  while read -r q; do
    check_same "$q" "$2" "$3"
    : > "$work/a"; : > "$work/o"
    for _ in $(seq 1 "$runs"); do one "$work/$q.lua" "$2" >> "$work/a"; one "$work/$q.lua" "$3" >> "$work/o"; done
    if awk '$3 != 0 {exit 1}' "$work/a" "$work/o"; then :; else echo "  $q: non-2xx answers, see the servers" >&2; fi
    ar=$(cut -d' ' -f1 "$work/a" | median); or=$(cut -d' ' -f1 "$work/o" | median)
    ap=$(cut -d' ' -f2 "$work/a" | median); op=$(cut -d' ' -f2 "$work/o" | median)
    # The ratio of each run to the oxigraph run right after it (the two share the host's
    # state of the moment): their median, and their range, which shows the noise.
    # A run wrk could not finish counts 0 req/s, and any ratio against it 0, which shows.
    paste -d' ' "$work/a" "$work/o" | awk '{printf "%.4f\n", ($4 > 0 ? $1 / $4 : 0)}' > "$work/r"
    rr=$(median < "$work/r"); lo=$(sort -g "$work/r" | head -1); hi=$(sort -g "$work/r" | tail -1)
    printf '| %s | %.0f | %.0f | %.2f | %.2f–%.2f | %.2f | %.2f |\n' "$q" "$ar" "$or" "$rr" "$lo" "$hi" "$ap" "$op"
  done < "$work/queries"
}

stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=(); }

for kind in $stores; do
  case "$kind" in
    rocksdb|rocksdb-same-quads)
      rm -rf "$work/ak" "$work/ox"
      "$autokg" --store "$work/ak" load "$work/net.nt" 2>/dev/null
      ox_file="$work/net.nt"; union=()
      if [ "$kind" = rocksdb-same-quads ]; then
        "$autokg" --store "$work/ak" dump -o "$work/all.nq" 2>/dev/null
        ox_file="$work/all.nq"; union=(--union-default-graph)
      fi
      "$venv/bin/oxigraph" load --location "$work/ox" --file "$ox_file" >/dev/null 2>&1
      RUST_LOG=warn "${pin_server[@]}" "$autokg" --store "$work/ak" serve --bind 127.0.0.1:17811 "${workers[@]}" >/dev/null 2>&1 & pids+=($!)
      "${pin_server[@]}" "$venv/bin/oxigraph" serve --location "$work/ox" --bind 127.0.0.1:17812 "${union[@]}" >/dev/null 2>&1 & pids+=($!)
      ;;
    memory|memory-asserted|memory-same-quads)
      regime=rdfs; [ "$kind" = memory-asserted ] && regime=none
      union=(); [ "$kind" = memory-same-quads ] && union=(--union-default-graph)
      RUST_LOG=warn "${pin_server[@]}" "$autokg" --entailment "$regime" --data "$work/net.nt" serve --bind 127.0.0.1:17811 "${workers[@]}" >/dev/null 2>&1 & pids+=($!)
      "${pin_server[@]}" "$venv/bin/oxigraph" serve --bind 127.0.0.1:17812 "${union[@]}" >/dev/null 2>&1 & pids+=($!)
      wait_up 17812
      if [ "$kind" = memory-same-quads ]; then
        # autokg's whole in-memory dataset, graph by graph.
        "$autokg" --data "$work/net.nt" dump -o "$work/all.nq" 2>/dev/null
        curl -fs -X POST -H 'Content-Type: application/n-quads' --data-binary "@$work/all.nq" 'http://127.0.0.1:17812/store' >/dev/null
      else
        curl -fs -X POST -H 'Content-Type: application/n-triples' --data-binary "@$work/net.nt" 'http://127.0.0.1:17812/store?default' >/dev/null
      fi
      ;;
    *) echo "unknown pairing $kind (rocksdb, memory, memory-asserted, rocksdb-same-quads or memory-same-quads)" >&2; exit 2 ;;
  esac
  wait_up 17811; wait_up 17812
  compare "$kind" 17811 17812
  stop
done
