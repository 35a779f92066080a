#!/usr/bin/env bash
# Several instances on one PostgreSQL database (issue 14): `rxgate demo --instances 3` on the
# database stage 05 created. Three `rxgate serve` processes behind a round-robin load
# balancer, the sandbox injecting errors, lost answers, duplicated and shuffled webhooks, one
# instance SIGKILLed while it holds claimed leases; it exits 0 only when every order has one
# Beluga visit, one prescription record per item, one pharmacy order per route, every stored
# webhook processed once and no LifeFile re-send. About 20 s; stopped after 3 minutes.
set -euo pipefail
start=$(date +%s)
if [ -z "${RXGATE_TEST_PG_URL:-}" ]; then
  if [ "${CI:-}" = "true" ]; then echo "RXGATE_TEST_PG_URL is not set (stage 05)" >&2; exit 1; fi
  echo "notice: no PostgreSQL (stage 05): the several-instance demo is skipped"; exit 0
fi
# The binary stage 10's `cargo test --workspace` built (a no-op then).
cargo test --workspace --no-run --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/rxgate"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
timeout -k 10 180 "$bin" demo --database "$RXGATE_TEST_PG_URL" --instances 3 2>&1 | tee "$out"
grep -q "SIGKILLed instance i[0-9] while it held [1-9][0-9]* claimed lease" "$out"
grep -q "lifefile: [0-9]* accepted, 0 re-send" "$out"
grep -q "fleet demo finished in .*: every check passed" "$out"
if grep -Eq "demo-beluga-api-key|demo-dispensepro-key|demo-lifefile-password|rxgate_test:rxgate_test" "$out"; then
  echo "the fleet demo printed a secret" >&2
  exit 1
fi
echo "rxgate demo --instances 3: ok in $(( $(date +%s) - start )) s"
