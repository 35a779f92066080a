#!/usr/bin/env bash
# The Python package `rxgate` (bindings-python/): from a fresh Debian 12 machine with python3,
# create a fresh virtualenv, install maturin, pytest and mypy, build the abi3 wheel (debug
# profile: it shares stage 10's compiled dependencies), install the wheel, then run pytest
# (vector parity, API, stubs, the bulk CLI on a 10 000-line file; pytest prints the count)
# and `mypy --strict` on the tests and examples.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
export PYTHONDONTWRITEBYTECODE=1

target="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p "$target"
work="$(cd "$target" && pwd)/python-ci"
rm -rf "$work"
mkdir -p "$work"
# Debian ships venv's pip bootstrap separately (python3-venv).
if ! python3 -m venv "$work/venv" >/dev/null 2>&1; then
  rm -rf "$work/venv"
  apt-get update
  apt-get install -y --no-install-recommends python3-venv
  python3 -m venv "$work/venv"
fi
py="$work/venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet "maturin>=1.5,<2" "pytest>=7" "mypy>=1.10"

"$work/venv/bin/maturin" build --manifest-path bindings-python/Cargo.toml \
  --interpreter "$py" --compatibility linux --out "$work/wheels"
"$py" -m pip install --quiet --no-index "$work"/wheels/rxgate-*.whl
test -x "$work/venv/bin/rxgate-py"

# Run from the tests folder so `import rxgate` finds the installed wheel, not the sources.
cd bindings-python/tests
"$py" -m pytest -q -p no:cacheprovider --basetemp "$work/pytest" .
"$work/venv/bin/mypy" --strict --cache-dir "$work/mypy-cache" . ../examples
