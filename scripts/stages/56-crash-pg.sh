#!/usr/bin/env bash
# The SIGKILL crash harness on PostgreSQL (issue 14), bounded: the same harness as stage 55
# with the service on the database stage 05 created (a fresh schema per service), 30 kills,
# stopped after 4 minutes. A restarted instance takes back its own claims at start (same
# instance id); LifeFile orders it was sending are parked, never re-sent (counted apart).
# The full run is `RXGATE_CRASH_PG=1 bash scripts/crash.sh` (docs/reliability.md).
set -euo pipefail
source "$(dirname "$0")/../lib/crash-env.sh"
start=$(date +%s)
if [ -z "${RXGATE_TEST_PG_URL:-}" ]; then
  if [ "${CI:-}" = "true" ]; then echo "RXGATE_TEST_PG_URL is not set (stage 05)" >&2; exit 1; fi
  echo "notice: no PostgreSQL (stage 05): the PostgreSQL crash harness is skipped"; exit 0
fi
export RXGATE_CRASH_PG=1
export RXGATE_CRASH_KILLS="${RXGATE_CRASH_KILLS:-30}"
export RXGATE_CRASH_MAX_SECS="${RXGATE_CRASH_MAX_SECS:-120}"
export RXGATE_CRASH_DRAIN_SECS="${RXGATE_CRASH_DRAIN_SECS:-90}"
exe="$(it_test_binary)" || exit 1
timeout -k 10 240 "$exe" --ignored --exact crash::sigkill_harness --nocapture
echo "crash harness on PostgreSQL: ok in $(( $(date +%s) - start )) s"
