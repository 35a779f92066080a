#!/usr/bin/env bash
# Durable webhook ingest throughput (authenticated, committed, acknowledged), side by side:
# a fresh `rxgate serve` per binary on loopback, 16 clients posting distinct Beluga webhooks;
# then the outbox dispatch rate against the sandbox (`examples/dispatch_bench.rs`: DISPATCH
# (1000) Beluga submissions waiting while Beluga is down, timed from its recovery until every
# visit exists), on SQLite and, given RXGATE_BENCH_PG_URL, on PostgreSQL.
#
#   bash scripts/bench_ingest.sh                         # this checkout's release build
#   bash scripts/bench_ingest.sh /path/to/old/rxgate     # … and another binary, same run
#   RXGATE_BENCH_PG_URL=postgres://… bash scripts/bench_ingest.sh   # … and this build on
#                                                        # PostgreSQL (a fresh database), same run
#
# CLIENTS (16) and TOTAL (20000) are environment variables. Loopback only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p rxgate-host --bin rxgate --example ingest_bench --example dispatch_bench
bench="target/release/examples/ingest_bench"
run() {
  local bin="$1" port="$2" database="${3:-}" dir
  dir="$(mktemp -d)"
  RXGATE_BELUGA_WEBHOOK_SECRET=bench-secret RXGATE_ENVIRONMENT=development RXGATE_RATE_PER_ADDRESS=0 \
    RXGATE_DATABASE_URL="$database" \
    "$bin" serve --listen "127.0.0.1:$port" --data-dir "$dir" >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/livez" >/dev/null && break; sleep 0.2; done
  echo "== $bin${database:+ on PostgreSQL}"
  "$bench" "http://127.0.0.1:$port" bench-secret "${CLIENTS:-16}" "${TOTAL:-20000}"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
echo "machine: $(nproc) cores, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
run target/release/rxgate 8099
if [ -n "${1:-}" ]; then run "$1" 8098; fi
if [ -n "${RXGATE_BENCH_PG_URL:-}" ]; then run target/release/rxgate 8097 "$RXGATE_BENCH_PG_URL"; fi
target/release/examples/dispatch_bench "${DISPATCH:-1000}"
if [ -n "${RXGATE_BENCH_PG_URL:-}" ]; then
  target/release/examples/dispatch_bench "${DISPATCH:-1000}" "$RXGATE_BENCH_PG_URL"
fi
