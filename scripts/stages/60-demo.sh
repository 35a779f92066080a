#!/usr/bin/env bash
# The README's main command, `rxgate demo`, on the build the tests already made (debug: one
# build per profile). It runs the real service against the partner sandbox and drives the
# example orders; the stage checks it exits 0, that every order reached its expected state,
# the statuses the guides say each scenario reaches, and that no error line was printed.
set -euo pipefail
# The binary stage 10's `cargo test --workspace` built (same packages, same features: a
# no-op then); a separate `cargo build -p rxgate-host` would resolve other features and
# compile the host's dependencies a second time, in minutes and a gigabyte of disk.
cargo test --workspace --no-run --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/rxgate"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$bin" demo --timeout 60 2>&1 | tee "$out"
grep -q "every order reached its expected state" "$out"
grep -q "status: order COMPLETED · Beluga submit SUBMITTED · visit resolved" "$out"
grep -q "photo ID sent to Beluga for visit" "$out"
grep -q "answered \`Phone number error\` → FAILED (fix_patient_data)" "$out"
grep -q "SUBMITTED with the same masterId" "$out"
grep -q "blocker \[intake_needs_correction\]" "$out"
grep -q "2 LifeFile orders (one per Belmar pharmacy), both delivered (COMPLETED)" "$out"
grep -q "blocker \[visit_referred\]" "$out"
# The partners' answers reach the order (submitted_by RXGATE), and the rules refused no facts.
grep -q "DispensePro submission on the order: 1 SUBMITTED by RXGATE" "$out"
grep -q "LifeFile submissions on the order: 2 SUBMITTED by RXGATE" "$out"
if grep -q "refused the facts" "$out"; then
  echo "the rules refused the facts of a partner answer" >&2
  exit 1
fi
# No secret of the demo's configuration is ever printed.
if grep -Eq "demo-beluga-api-key|demo-dispensepro-key|demo-lifefile-password" "$out"; then
  echo "the demo printed a secret" >&2
  exit 1
fi
if grep -Eiq "panicked|^error|rxgate: " "$out"; then
  echo "the demo printed an error line" >&2
  exit 1
fi
echo "rxgate demo: ok"
