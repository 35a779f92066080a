#!/usr/bin/env bash
# The SIGKILL crash harness, bounded (issue 12): the `rxgate` binary stage 10 built, killed
# with SIGKILL 50 times at random moments while partner webhooks stream in and partner calls
# are due (>= 80 % of the kills must hit pending work), restarted each time on the same data
# folder, drained and checked: every acknowledged webhook applied exactly once, no lost or
# duplicated effect, no status rewound. Loopback only; about 90 s on 2 cores, stopped after
# 5 minutes in any case. The full run (200 kills, figures) is scripts/crash.sh.
set -euo pipefail
source "$(dirname "$0")/../lib/crash-env.sh"
export RXGATE_CRASH_KILLS="${RXGATE_CRASH_KILLS:-50}"
export RXGATE_CRASH_MAX_SECS="${RXGATE_CRASH_MAX_SECS:-150}"
export RXGATE_CRASH_DRAIN_SECS="${RXGATE_CRASH_DRAIN_SECS:-90}"
exe="$(it_test_binary)" || exit 1
# timeout signals its whole process group: the service processes the harness started stop too.
timeout -k 10 300 "$exe" --ignored --exact crash::sigkill_harness --nocapture
