#!/usr/bin/env bash
# Coverage-guided fuzzing, briefly: builds the six cargo-fuzz targets of fuzz/ once and runs
# each for FUZZ_CI_SECONDS (default 20, at most 30) from the seeds of tests/vectors, two at a
# time. Any crash, timeout or leaked input value fails the stage. Long runs: scripts/fuzz.sh.
# Cost on 2 cores (docs/security.md "Fuzzing"): installing cargo-fuzz when absent ≈ 65 s,
# building the targets ≈ 2 min on an idle machine, running them 3 × the per-target time.
# The targets are built without AddressSanitizer here (`--sanitizer none`): the core is safe
# Rust (`unsafe_code = "forbid"`), its findings are panics and broken invariants, and ASan
# would double the build; scripts/fuzz.sh keeps it for the long runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${FUZZ_CI_SECONDS:-20}"
if [ "$seconds" -gt 30 ]; then seconds=30; fi
if ! command -v cargo-fuzz >/dev/null; then
  start=$(date +%s)
  cargo install cargo-fuzz --locked --quiet
  echo "cargo-fuzz installed in $(( $(date +%s) - start )) s"
fi
start=$(date +%s)
FUZZ_SANITIZER=none FUZZ_NICE=10 bash scripts/fuzz.sh all "$seconds"
echo "fuzz stage: built and ran 6 targets in $(( $(date +%s) - start )) s"
