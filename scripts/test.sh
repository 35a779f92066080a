#!/usr/bin/env bash
# Runs every test of rxgate: the README's test command. Installs what it needs itself.
# Each stage is a script in scripts/stages/, run in name order; its duration is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# A one-shot run gains nothing from incremental caches, which cost gigabytes of disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
# Free disk before and after each stage, so a full disk is visible where it happens.
disk() { df -h --output=avail . | tail -n1 | tr -d ' '; }
total_start=$(date +%s)
# A stage hands variables to the later ones in target/stage.env (05-postgres: the database URL).
rm -f target/stage.env
for stage in scripts/stages/*.sh; do
  name=$(basename "$stage" .sh)
  echo "=== stage $name (disk free: $(disk)) ==="
  start=$(date +%s)
  bash "$stage"
  if [ -f target/stage.env ]; then set -a; . target/stage.env; set +a; fi
  echo "=== stage $name done in $(( $(date +%s) - start )) s (disk free: $(disk)) ==="
done
echo "=== all stages done in $(( $(date +%s) - total_start )) s ==="
