#!/usr/bin/env bash
# Load run of the JSON API's lookup routes: wrk on loopback against `autokg serve` on the
# embedded data, a fixed mix of entity, firm, relation, observation and search lookups
# (round-robin), then each route alone. Bounded: SECONDS per run, then the server stops.
# Usage: benches/api.sh [SECONDS] [CONNECTIONS] [THREADS]   Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"; conns="${2:-32}"; threads="${3:-1}"
target="${CARGO_TARGET_DIR:-target}"
# AUTOKG_BIN runs an already built binary instead of building one.
[ -n "${AUTOKG_BIN:-}" ] || cargo build --release --quiet
autokg="${AUTOKG_BIN:-$target/release/autokg}"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
RUST_LOG=warn "$autokg" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$base/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.2
done

paths=(
  /api/entities/seres
  /api/entities/huawei
  /api/entities/aito
  /api/entities/hefei
  /api/entities/jetta
  "/api/firms?limit=10"
  "/api/firms?city=hefei"
  /api/firms/seres/relations
  "/api/firms/hefei-government/relations?type=investedIn&direction=out"
  "/api/observations?subject=chongqing"
  "/api/search?q=aito"
  "/api/search?q=%E9%97%AE%E7%95%8C"
)
# Warm the catalog, and check every path answers 200.
for p in "${paths[@]}"; do
  code=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).status)" "$base$p")
  [ "$code" = 200 ] || { echo "$p answered $code" >&2; exit 1; }
done
{
  echo 'local paths = {'
  for p in "${paths[@]}"; do echo "  \"$p\","; done
  echo '}'
  echo 'local i = 0'
  echo 'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end'
} >"$work/mix.lua"

echo "## mix of ${#paths[@]} lookup routes: wrk -t$threads -c$conns -d${secs}s --latency"
wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -s "$work/mix.lua" "$base" | tee "$work/mix.txt"
short=$(( secs < 5 ? secs : 5 ))
echo
echo "## each route alone (${short}s each): requests/s, p99"
for p in "${paths[@]}"; do
  out=$(wrk -t"$threads" -c"$conns" -d"${short}s" --latency "$base$p")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-70s %10s req/s  p99 %s\n' "$p" "$rps" "$p99"
done
