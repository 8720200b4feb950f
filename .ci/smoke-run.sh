#!/usr/bin/env bash
# Start `make run` as a newcomer would, fetch the log-in page and the article list, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${SMOKE_PORT:-8765}"
mkdir -p var
log=var/smoke-run.log
setsid make run PORT="$port" >"$log" 2>&1 &
pid=$!
cleanup() {
  # SIGINT first, so Python runs its exit handlers; then make sure nothing is left.
  kill -INT -- "-$pid" 2>/dev/null || true
  for _ in $(seq 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -TERM -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 180); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/accounts/login/" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "make run exited early:"; cat "$log"; exit 1; fi
  sleep 1
done
.venv/bin/python .ci/smoke_check.py "http://127.0.0.1:$port" var/demo-credentials.txt || { cat "$log"; exit 1; }
cleanup
trap - EXIT
# The embedded server outlives `make run` by design (fast restarts); `make db-stop` stops it.
out=$(make -s db-stop)
[ "$out" = stopped ] || { echo "make db-stop did not stop the embedded server: $out"; exit 1; }
echo "smoke: make db-stop stopped the embedded server"
