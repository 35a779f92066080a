#!/usr/bin/env bash
# Partner outage, full run (issue 14): Beluga (the sandbox) down for 60 s while two paid
# orders a second keep coming; prints the backlog (store and /metrics), the attempts (backoff) and the drain time
# after recovery; fails when an order is lost, parked, or gets more than one Beluga visit.
#   bash scripts/outage.sh                  # 60 s
#   RXGATE_OUTAGE_SECS=300 bash scripts/outage.sh
# CI runs the same test with a 6 s outage in stage 10 (`tests/it/outage.rs`).
set -euo pipefail
cd "$(dirname "$0")/.."
export RXGATE_OUTAGE_SECS="${RXGATE_OUTAGE_SECS:-60}"
export RXGATE_OUTAGE_RATE="${RXGATE_OUTAGE_RATE:-2}"
cargo test -p rxgate-host --test it outage:: -- --nocapture
