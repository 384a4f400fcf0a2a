#!/usr/bin/env bash
# Runs schemathesis against a live `autokg serve` and its /api/openapi.json: every
# operation, every check (no 5xx; statuses, content types, headers and bodies as
# documented; invalid input rejected). Starts the server on a free loopback port on the
# embedded data and stops it at the end, pass or fail.
#
# Environment: AUTOKG_BIN (default "$CARGO_TARGET_DIR/release/autokg"), AUTOKG_PYTHON
# (a venv's python with tests/python/requirements.txt installed; schemathesis is beside
# it), ST_MAX_EXAMPLES (test cases per operation, default from schemathesis.toml).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin="${AUTOKG_BIN:-${CARGO_TARGET_DIR:-target}/release/autokg}"
python="${AUTOKG_PYTHON:-python3}"
st="$(dirname "$python")/schemathesis"
if [ ! -x "$bin" ]; then
  echo "schemathesis_run.sh: no autokg binary at $bin (build with cargo build --release)" >&2
  exit 1
fi

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
log="$(mktemp)"
RUST_LOG=warn "$bin" serve --bind "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  if "$python" -c "import urllib.request; urllib.request.urlopen('$base/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "schemathesis_run.sh: the server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.2
done

args=(run "$base/api/openapi.json" --checks all --workers 2)
if [ -n "${ST_MAX_EXAMPLES:-}" ]; then
  args+=(--max-examples "$ST_MAX_EXAMPLES")
fi
status=0
"$st" --config-file tests/python/schemathesis.toml "${args[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis_run.sh: schemathesis found problems (exit $status); server log:" >&2
  tail -n 50 "$log" >&2
fi
exit "$status"
