#!/usr/bin/env bash
# Write latency over HTTP: autokg serve --store (RDFS entailments kept up to date in the same
# transaction) against oxigraph serve (PyPI's `oxigraph` package; no entailments) on the same
# generated supply network, side by side in one run, on RocksDB stores of each size given.
# Writes: a one-triple INSERT DATA and DELETE DATA (repeated), a 1,000-triple INSERT DATA, and
# a DELETE WHERE matching those 1,000. After every autokg insert the entailment is read at once
# (read-your-writes; the script fails if it is missing). Each 1,000-triple autokg insert also
# writes its entailments (about six a triple); oxigraph then writes those same quads (the
# triples and the entailments autokg stored for them, read back from autokg's inferred graph)
# with one INSERT DATA and removes them with one DELETE DATA: the cost of the stored change
# itself, which no implementation that keeps entailments materialised can avoid.
# Usage: benches/writes.sh [QUADS...]   (default 250000 2500000). Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ $# -gt 0 ] || sizes=(250000 2500000)
target="${CARGO_TARGET_DIR:-target}"
# AUTOKG_BIN runs an already built binary instead of building one.
[ -n "${AUTOKG_BIN:-}" ] || cargo build --release --quiet
autokg="${AUTOKG_BIN:-$target/release/autokg}"
venv="${AUTOKG_BENCH_VENV:-/var/tmp/autokg-bench-venv}"
[ -x "$venv/bin/oxigraph" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q oxigraph; }
reps="${AUTOKG_BENCH_REPS:-30}"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

for quads in "${sizes[@]}"; do
  # About 38 quads a firm in the store (25 asserted, the rest entailments and curated data).
  firms=$((quads / 38))
  rm -rf "$work/ak" "$work/ox"
  "$autokg" generate --firms "$firms" > "$work/net.nq"
  "$autokg" --store "$work/ak" load "$work/net.nq" >/dev/null 2>&1
  # oxigraph gets the same quads, entailments included (it computes none of its own).
  "$autokg" --store "$work/ak" dump --format nquads -o "$work/all.nq"
  total=$(wc -l < "$work/all.nq")
  "$venv/bin/oxigraph" load --location "$work/ox" --file "$work/all.nq" >/dev/null 2>&1
  RUST_LOG=warn "$autokg" --store "$work/ak" serve --bind 127.0.0.1:17811 --update-token t >/dev/null 2>&1 & pids+=($!)
  "$venv/bin/oxigraph" serve --location "$work/ox" --bind 127.0.0.1:17812 --union-default-graph >/dev/null 2>&1 & pids+=($!)
  sleep 3
  echo "== $total quads ($firms generated firms), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
  python3 - "$reps" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse
reps = int(sys.argv[1])
AK = "https://w3id.org/autokg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
servers = {"autokg": (17811, "/sparql", "/sparql", {"Authorization": "Bearer t"}),
           "oxigraph": (17812, "/update", "/query", {})}
def conn(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=600)
def update(name, text):
    port, path, _, auth = servers[name]
    c = conn(port)
    start = time.perf_counter()
    c.request("POST", path, text.encode(), {"Content-Type": "application/sparql-update", **auth})
    r = c.getresponse(); body = r.read()
    elapsed = time.perf_counter() - start
    if r.status // 100 != 2:
        sys.exit(f"{name}: {r.status} {body[:300]!r} for {text[:200]}")
    return elapsed * 1000
def ask(name, query):
    port, _, path, _ = servers[name]
    c = conn(port)
    c.request("GET", path + "?query=" + urllib.parse.quote(query), headers={"Accept": "application/sparql-results+json"})
    body = c.getresponse().read().decode()
    return '"boolean":true' in body.replace(" ", "")
def summary(ms):
    return f"median {statistics.median(ms):8.2f} ms, p90 {sorted(ms)[int(len(ms) * 0.9) - 1]:8.2f} ms"
INFERRED = "https://w3id.org/autokg/graph/inferred"
def inferred_of(prefix):
    """The triples of autokg's inferred graph whose subject starts with prefix, as N-Triples."""
    port, _, path, _ = servers["autokg"]
    c = conn(port)
    q = f'SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{prefix}")) }}'
    c.request("GET", path + "?query=" + urllib.parse.quote(q), headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(c.getresponse().read())["results"]["bindings"]
    if any(row[v]["type"] != "uri" for row in rows for v in "spo"):
        sys.exit("an entailment with a literal or blank node: extend inferred_of")
    return " ".join(f"<{r['s']['value']}> <{r['p']['value']}> <{r['o']['value']}> ." for r in rows), len(rows)
entailed = []
results = {}
for name in servers:
    ins, dele = [], []
    for i in range(reps):
        s = f"<http://e/bench/{name}/x{i}>"
        ins.append(update(name, f"INSERT DATA {{ GRAPH <http://e/bench> {{ {s} <{RDF_TYPE}> <{AK}Automaker> }} }}"))
        if name == "autokg" and not ask(name, f"ASK {{ {s} a <{AK}Company> }}"):
            sys.exit("autokg: the entailment of an insert is not visible at once")
        dele.append(update(name, f"DELETE DATA {{ GRAPH <http://e/bench> {{ {s} <{RDF_TYPE}> <{AK}Automaker> }} }}"))
        if name == "autokg" and ask(name, f"ASK {{ {s} a <{AK}Company> }}"):
            sys.exit("autokg: the entailment of a deleted triple is still there")
    big_ins, big_del = [], []
    for r in range(max(3, reps // 10)):
        triples = " ".join(f"<http://e/bench/{name}/r{r}f{i}> <{AK}suppliesTo> <http://e/bench/{name}/r{r}f{i + 1}> ." for i in range(1000))
        big_ins.append(update(name, f"INSERT DATA {{ GRAPH <http://e/bulk> {{ {triples} }} }}"))
        if name == "autokg" and not ask(name, f"ASK {{ <http://e/bench/{name}/r{r}f999> a <{AK}Organization> }}"):
            sys.exit("autokg: the entailments of a 1,000-triple insert are not visible at once")
        if name == "autokg":
            entailed.append((triples, inferred_of(f"http://e/bench/autokg/r{r}f")))
        big_del.append(update(name, f"DELETE WHERE {{ GRAPH <http://e/bulk> {{ ?s <{AK}suppliesTo> ?o }} }}"))
    results[name] = {"INSERT DATA, 1 triple": ins, "DELETE DATA, 1 triple": dele,
                     "INSERT DATA, 1,000 triples": big_ins, "DELETE WHERE, 1,000 matches": big_del}
# oxigraph writes and removes the quads autokg's 1,000-triple insert stored.
same_ins, same_del = [], []
for triples, (inferred, n) in entailed:
    data = f"GRAPH <http://e/bulk> {{ {triples} }} GRAPH <{INFERRED}> {{ {inferred} }}".replace("/bench/autokg/", "/bench/oxsame/")
    same_ins.append(update("oxigraph", f"INSERT DATA {{ {data} }}"))
    same_del.append(update("oxigraph", f"DELETE DATA {{ {data} }}"))
stored = 1000 + entailed[0][1][1]
for what in results["autokg"]:
    a, o = results["autokg"][what], results["oxigraph"][what]
    print(f"{what:28} autokg {summary(a)} | oxigraph {summary(o)} | ratio of medians {statistics.median(a) / statistics.median(o):5.2f}")
    same = {"INSERT DATA, 1,000 triples": same_ins, "DELETE WHERE, 1,000 matches": same_del}.get(what)
    if same:
        print(f"{'  the same ' + str(stored) + ' quads':28} autokg {summary(a)} | oxigraph {summary(same)} | ratio of medians {statistics.median(a) / statistics.median(same):5.2f}")
PY
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
done
