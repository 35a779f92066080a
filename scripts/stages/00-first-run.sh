#!/usr/bin/env bash
# The first run of a new user, before any other stage installs anything: the wasm32 target
# removed, then the README's main command exactly as the README gives it, with rustup's
# automatic install on (a user's default; these machines set RUSTUP_AUTO_INSTALL=0), so
# rust-toolchain.toml alone has to bring the target back. The demo must reach every expected
# state within the budget: a clean release build of the host (≈ 300 s on 2 cores) plus the
# demo (≈ 5 s) plus, on an image whose 1.95.0 toolchain has never been synced, rustup
# re-syncing it (≈ 40 s). Stage 00-setup adds the target again anyway (explicitly, which
# works with the automatic install off), so later stages do not depend on this one.
set -euo pipefail
cd "$(dirname "$0")/../.."
budget="${RXGATE_FIRST_RUN_BUDGET:-900}"

# Absent already (or no such toolchain yet) is fine: the point is that it is not there.
rustup target remove wasm32-unknown-unknown 2>/dev/null || true
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "the wasm32-unknown-unknown target could not be removed" >&2
  exit 1
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
start=$(date +%s)
status=0
RUSTUP_AUTO_INSTALL=1 timeout "$budget" cargo run --release -p rxgate-host -- demo 2>&1 | tee "$out" || status=$?
elapsed=$(( $(date +%s) - start ))
if [ "$status" -eq 124 ]; then
  echo "the first run took longer than its budget of ${budget} s" >&2
  exit 1
fi
[ "$status" -eq 0 ] || { echo "the README's demo command failed (exit $status)" >&2; exit 1; }
grep -q "every order reached its expected state" "$out"
rustup target list --installed | grep -qx wasm32-unknown-unknown
echo "first run: the README's demo command passed in ${elapsed} s (budget ${budget} s)"

# No later stage uses the release build (they share stage 10's debug build); on CI free its
# disk. The guest's own target directory (target/rxgate-guest) is kept: every profile uses it.
if [ -n "${CI:-}" ]; then
  rm -rf "${CARGO_TARGET_DIR:-target}/release"
fi
