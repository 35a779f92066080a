#!/usr/bin/env bash
# The SIGKILL crash harness, full run (the figures of docs/reliability.md and the README):
# the real `rxgate serve` killed with SIGKILL at random moments while partner webhooks stream
# in and partner calls are due, restarted on the same data folder each time, drained, checked.
#
#   bash scripts/crash.sh            # 200 kills, seed 1
#   RXGATE_CRASH_KILLS=500 RXGATE_CRASH_SEED=7 bash scripts/crash.sh
#   RXGATE_CRASH_PG=1 RXGATE_TEST_PG_URL=postgres://… bash scripts/crash.sh   # on PostgreSQL
#
# Parameters (environment; defaults here for the full run, the harness's own for CI):
# RXGATE_CRASH_KILLS (200), RXGATE_CRASH_SEED (1), RXGATE_CRASH_RATE (orders admitted per
# second of up-time, 20), RXGATE_CRASH_UP_MS (up-time before each kill, 150-600),
# RXGATE_CRASH_MAX_SECS (kill-phase budget, 900), RXGATE_CRASH_DRAIN_SECS (600),
# RXGATE_CRASH_DIR (keep the run's data, configs and service logs there),
# RXGATE_CRASH_BIN (another `rxgate` binary, e.g. a release build).
# Exits non-zero when any invariant fails; the figures are printed either way, and as one
# JSON line starting `crash-figures:`.
set -euo pipefail
source "$(dirname "$0")/lib/crash-env.sh"
cd "$(dirname "$0")/.."
export RXGATE_CRASH_KILLS="${RXGATE_CRASH_KILLS:-200}"
export RXGATE_CRASH_SEED="${RXGATE_CRASH_SEED:-1}"
export RXGATE_CRASH_MAX_SECS="${RXGATE_CRASH_MAX_SECS:-900}"
export RXGATE_CRASH_DRAIN_SECS="${RXGATE_CRASH_DRAIN_SECS:-600}"
exe="$(it_test_binary)" || exit 2
echo "crash harness: $RXGATE_CRASH_KILLS kills, seed $RXGATE_CRASH_SEED, $(nproc) cores, $(date -u +%FT%TZ)"
exec nice -n 10 "$exe" --ignored --exact crash::sigkill_harness --nocapture
