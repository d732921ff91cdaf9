#!/usr/bin/env bash
# Load test: gunicorn (2 workers) on 127.0.0.1 with the demo data in a throwaway database, and
# wrk (2 threads, 16 connections) against the catalog, a technology page, a dataset page and the
# partner dashboard (with a session cookie). Prints requests/s and p95 per page; fails on any error.
# Usage: bench/load.sh [seconds per page, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
PY=.venv/bin/python
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

WORK=$(mktemp -d)
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PORTAL_DATABASE_URL=${PORTAL_DATABASE_URL:-sqlite:///$WORK/load.db}
export PORTAL_DATA_DIR=${PORTAL_DATA_DIR:-$WORK/data}
export PORTAL_INSTANCE_DIR=$WORK
export PORTAL_SECRET_KEY=load-test-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
eval "$($PY bench/prepare.py | grep -E '^(TECHNOLOGY|DATASET)=')"

$PY -m gunicorn --workers 2 --bind 127.0.0.1:$PORT --log-level warning wsgi:app &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

BASE=http://127.0.0.1:$PORT
COOKIE=$($PY bench/login_cookie.py "$BASE" partner@watthour.example battery-demo-2026)
status=0
printf "%-32s %10s %10s %10s %8s\n" page "req/s" "p95 ms" "p50 ms" errors
run() {
  local name=$1 path=$2; shift 2
  local line
  line=$(wrk -t2 -c16 -d"${DURATION}s" -s bench/wrk_report.lua "$@" "$BASE$path" | grep '^RESULT')
  local rps p95 p50 errors
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  p95=$(sed -E 's/.*p95_ms=([0-9.]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")
  errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$line")
  printf "%-32s %10s %10s %10s %8s\n" "$name" "$rps" "$p95" "$p50" "$errors"
  [ "$errors" = "0" ] || status=1
}
run "catalog /technologies" "/technologies"
run "technology page" "/technologies/$TECHNOLOGY"
run "dataset page" "/datasets/$DATASET"
run "partner dashboard /me" "/me" -H "Cookie: $COOKIE"
exit $status
