#!/usr/bin/env bash
# Runs every test of rxgate: the README's test command. Installs what it needs itself.
# Each stage is a script in scripts/stages/, run in name order; its duration is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
total_start=$(date +%s)
for stage in scripts/stages/*.sh; do
  name=$(basename "$stage" .sh)
  echo "=== stage $name ==="
  start=$(date +%s)
  bash "$stage"
  echo "=== stage $name done in $(( $(date +%s) - start )) s ==="
done
echo "=== all stages done in $(( $(date +%s) - total_start )) s ==="
