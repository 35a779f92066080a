#!/usr/bin/env bash
# The side-by-side benchmark (issue 17): builds rxgate's Rust worker (bench/rust, its own
# workspace: the alternatives never enter the main build), the npm package
# (bindings-wasm/build.sh), the Python release wheel (bindings-python/build-release.sh) in a
# venv with pydantic v2 and jsonschema_rs, and ajv for Node (bench/node, its own lock), then
# measures every row round-robin and prints min and median per call, instructions per call
# for the Rust rows and the ratios. Not a CI stage (CI cost zero): run it on an otherwise
# idle machine and record `uptime` with the figures (README "Speed").
#   bash bench/run.sh [--only rust|--no-python|--no-node] [run.py options: --rounds N --batch-ms M --no-callgrind]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
data="${RXGATE_BENCH_DATA:-$root/../shared/bench-data}"
[ -f "$data/visit-valid.json" ] || { echo "no bench bodies in $data (set RXGATE_BENCH_DATA)" >&2; exit 2; }
node=1 python=1
args=()
for a in "$@"; do
  case "$a" in
    --only-rust) node=0 python=0 ;;
    --no-node) node=0 ;;
    --no-python) python=0 ;;
    *) args+=("$a") ;;
  esac
done

CARGO_TARGET_DIR="$target/bench" cargo build --release --manifest-path "$here/rust/Cargo.toml"
rust="$target/bench/release/rxgate-bench"
run=(python3 "$here/run.py" --data "$data" --rust "$rust")

if [ "$node" = 1 ]; then
  bash "$root/bindings-wasm/build.sh"
  (cd "$here/node" && npm ci --no-audit --no-fund >/dev/null)
  run+=(--node)
fi
if [ "$python" = 1 ]; then
  venv="$target/bench/venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet "pydantic>=2,<3" "jsonschema-rs>=0.29" typing_extensions
  # The release wheel, as it ships (manylinux, profile-guided, trained on the package's test
  # suite); the script leaves it installed in this venv.
  PYTHON="$venv/bin/python" bash "$root/bindings-python/build-release.sh" "$target/bench/wheels" \
    --zig --compatibility manylinux_2_28
  run+=(--python "$venv/bin/python")
fi
uptime
"${run[@]}" "${args[@]}"
uptime
