#!/usr/bin/env bash
# The Python package `rxgate` (bindings-python/): from a fresh Debian 12 machine with python3,
# create a fresh virtualenv, install maturin, ziglang, pytest and mypy, build the abi3
# manylinux_2_28 wheel with zig as the linker (Debian 12's glibc fails the plain manylinux
# symbol check; debug profile, named: pyproject.toml names the release one) and the sdist,
# install the wheel with `--no-index` and no Rust on PATH, then run pytest (vector parity,
# API, stubs, the bulk CLI on a 10 000-line file; pytest prints the count) and
# `mypy --strict` on the tests and examples. Last, the release wheel as it ships
# (bindings-python/build-release.sh: LTO, profile-guided by the same suite, which then runs
# on the wheel built; about 5 minutes on 2 cores).
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
"$py" -m pip install --quiet "maturin>=1.5,<2" "ziglang==0.17.1" "pytest>=7" "mypy>=1.10"

# maturin finds zig through `python3 -m ziglang` of the venv on PATH.
PATH="$work/venv/bin:$PATH" "$work/venv/bin/maturin" build --manifest-path bindings-python/Cargo.toml \
  --profile dev --interpreter "$py" --zig --compatibility manylinux_2_28 --out "$work/wheels"
"$work/venv/bin/maturin" sdist --manifest-path bindings-python/Cargo.toml --out "$work/sdist"
# The sdist carries the Rust sources it builds from (the core and the binding crate).
tar -tzf "$work"/sdist/rxgate-*.tar.gz >"$work/sdist/files"
grep -q '/core/src/lib.rs$' "$work/sdist/files"
grep -q '/LICENSE$' "$work/sdist/files"
# Installed with no Rust toolchain reachable: the wheel is self-contained.
! env PATH=/usr/bin:/bin sh -c "command -v cargo || command -v rustc" >/dev/null
env PATH=/usr/bin:/bin "$py" -m pip install --quiet --no-index "$work"/wheels/rxgate-*-manylinux_2_28_x86_64.whl
test -x "$work/venv/bin/rxgate-py"

# Run from the tests folder so `import rxgate` finds the installed wheel, not the sources.
cd bindings-python/tests
"$py" -m pytest -q -p no:cacheprovider --basetemp "$work/pytest" .
"$work/venv/bin/mypy" --strict --cache-dir "$work/mypy-cache" . ../examples

# The release wheel (it replaces the debug one in the venv, after the tests above).
cd "$root"
PYTHON="$py" bash bindings-python/build-release.sh "$work/release" --zig --compatibility manylinux_2_28
