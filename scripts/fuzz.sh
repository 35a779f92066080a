#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (libFuzzer) for a given time each, two at a time at
# most, niced, and prints executions and findings per target.
#   bash scripts/fuzz.sh TARGET|all SECONDS
# Targets: validate parse_response webhook event_key order api_call (fuzz/Cargo.toml).
# Seeds come from tests/vectors (fuzz/seed.py) into fuzz/corpus/<target>/, which keeps
# what libFuzzer adds; findings land in fuzz/artifacts/<target>/ and logs in fuzz/logs/.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); on stable Rust RUSTC_BOOTSTRAP=1
# is set here for its sanitizer flags. FUZZ_NICE (default 10) and FUZZ_JOBS (default 2,
# at most 2) tune the load; FUZZ_MAX_LEN (default 16384) caps an input's size;
# FUZZ_KEEP_GOING=1 runs libFuzzer's fork mode, which goes on after a finding (long runs);
# FUZZ_SANITIZER (default address) is cargo-fuzz's --sanitizer (CI uses none).
# Exits 1 when any target found something in this run (older artifacts are not counted).
set -euo pipefail
cd "$(dirname "$0")/.."
ALL=(validate parse_response webhook event_key order api_call)
target="${1:?usage: scripts/fuzz.sh TARGET|all SECONDS}"
seconds="${2:?usage: scripts/fuzz.sh TARGET|all SECONDS}"
nice_level="${FUZZ_NICE:-10}"
jobs="${FUZZ_JOBS:-2}"
if [ "$jobs" -gt 2 ]; then jobs=2; fi
if [ "$target" = all ]; then targets=("${ALL[@]}"); else targets=("$target"); fi
for t in "${targets[@]}"; do
  if [[ ! " ${ALL[*]} " =~ " $t " ]]; then echo "unknown target $t (${ALL[*]} or all)" >&2; exit 2; fi
done
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2; exit 2; }
# `cargo fuzz build` takes one target or none (all): build all when several are asked.
build=(cargo fuzz build -O --sanitizer "${FUZZ_SANITIZER:-address}")
if [ "${#targets[@]}" -eq 1 ]; then build+=("${targets[0]}"); fi
build_start=$(date +%s)
mkdir -p fuzz/logs
if ! (cd fuzz && nice -n "$nice_level" "${build[@]}") >fuzz/logs/build.log 2>&1; then
  cat fuzz/logs/build.log >&2
  echo "fuzz: the build failed" >&2
  exit 2
fi
echo "fuzz: targets built in $(( $(date +%s) - build_start )) s"
target_dir=$(cargo metadata --manifest-path fuzz/Cargo.toml --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin_dir="$target_dir/$(rustc -vV | sed -n 's/^host: //p')/release"
python3 fuzz/seed.py fuzz/corpus
run_one() {
  local t="$1"
  mkdir -p "fuzz/artifacts/$t" "fuzz/corpus/$t"
  local extra=()
  if [ -n "${FUZZ_KEEP_GOING:-}" ]; then
    extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  nice -n "$nice_level" "$bin_dir/$t" "${extra[@]}" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${FUZZ_MAX_LEN:-16384}" -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$t/" >"fuzz/logs/$t.log" 2>&1 || true
}
start=$(date +%s)
marker="fuzz/logs/.run-start"
touch "$marker"
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true
findings_total=0
for t in "${targets[@]}"; do
  log="fuzz/logs/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1)
  # Fork mode prints no final stats; its progress lines start with the total executions.
  if [ -z "$execs" ]; then execs=$(grep -oE '^#[0-9]+: cov' "$log" | tail -n1 | grep -oE '[0-9]+'); fi
  cov=$(grep -oE '#[0-9]+:?[[:space:]].*cov: [0-9]+' "$log" | tail -n1 | grep -oE 'cov: [0-9]+' || true)
  findings=$(find "fuzz/artifacts/$t" -type f -newer "$marker" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  findings_total=$((findings_total + findings))
  echo "fuzz $t: ${execs:-0} executions in ${seconds} s, ${cov:-cov: ?} edges, $findings findings (fuzz/artifacts/$t, log $log)"
done
echo "fuzz: ${#targets[@]} targets in $(( $(date +%s) - start )) s, $findings_total findings"
[ "$findings_total" -eq 0 ]
