#!/usr/bin/env bash
# The release wheel of the Python package `rxgate`: the `python-release` profile
# (pyproject.toml: LTO, one codegen unit) built twice, profile-guided (issue 17).
#   1. a wheel instrumented to count what runs (`-Cprofile-generate`),
#   2. that wheel installed and the package's own pytest suite run on it: the training is the
#      shared vectors and the API tests, never the benchmark's bodies,
#   3. the counts merged with the toolchain's `llvm-profdata` (rustup's `llvm-tools`, added
#      when missing),
#   4. the wheel built again with them (`-Cprofile-use`), installed, and the suite run on it:
#      the wheel written to OUT_DIR is one that passed.
# Measured (README "Speed"): the Python rows take about 0.8× the time of the same profile
# built without the counts. About 4 minutes on 2 cores (two LTO builds, two suite runs).
#   bash bindings-python/build-release.sh OUT_DIR [maturin build options]
#   e.g. bash bindings-python/build-release.sh dist --zig --compatibility manylinux_2_28
# PYTHON: the interpreter of a venv to use (it gets maturin and pytest, then the wheel);
# default: a venv of its own under the target folder. Builds in its own target folder: the
# flags differ from every other build, so sharing one would rebuild both each time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR [maturin build options]" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
shift
target="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p "$target"
work="$(cd "$target" && pwd)/python-pgo"
rm -rf "$work/profiles" "$work/instrumented" "$work/merged.profdata"
mkdir -p "$work"

python="${PYTHON:-}"
if [ -z "$python" ]; then
  [ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
  python="$work/venv/bin/python"
fi
venv_bin="$(dirname "$python")"
"$python" -m pip install --quiet "maturin>=1.5,<2" "pytest>=7"
case " $* " in *" --zig "*) "$python" -m pip install --quiet "ziglang==0.17.1" ;; esac

host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
[ -x "$profdata" ] || rustup component add llvm-tools
[ -x "$profdata" ] || { echo "no llvm-profdata at $profdata" >&2; exit 1; }

# Builds the wheel with RUSTFLAGS $1 into folder $2, with the maturin options after them
# (maturin finds zig through the venv on PATH).
build() {
  local flags="$1" dir="$2"
  shift 2
  rm -f "$dir"/rxgate-*.whl
  PATH="$venv_bin:$PATH" RUSTFLAGS="$flags" CARGO_TARGET_DIR="$work/target" \
    "$venv_bin/maturin" build --manifest-path "$here/Cargo.toml" --interpreter "$python" \
    --out "$dir" "$@"
}
# Installs the wheel of folder $1 and runs the package's test suite on it.
suite() {
  "$python" -m pip install --quiet --force-reinstall --no-deps "$1"/rxgate-*.whl
  (cd "$here/tests" && "$python" -m pytest -q -p no:cacheprovider .)
}

# Both builds get the same options: a build with `--zig` hashes its crates' symbols apart
# from one without, and counts taken from one would match no function of the other. zig
# cannot read how rustc asks for LLVM's profiling runtime (`-u __llvm_profile_runtime`:
# "unrecognized file extension"), so the instrumented build links through a wrapper that
# passes that one option the way zig reads it, to the linker maturin chose.
cat >"$work/link.sh" <<'LINK'
#!/bin/sh
linker="${CC_x86_64_unknown_linux_gnu:-cc}"
for arg in "$@"; do
  shift
  if [ "$arg" = "-u" ]; then pending=1; continue; fi
  if [ -n "${pending:-}" ]; then set -- "$@" "-Wl,-u,$arg"; pending=; else set -- "$@" "$arg"; fi
done
exec "$linker" "$@"
LINK
chmod +x "$work/link.sh"
build "-Cprofile-generate=$work/profiles -Clinker=$work/link.sh -Clinker-flavor=gcc" "$work/instrumented" "$@"
suite "$work/instrumented"
"$profdata" merge -o "$work/merged.profdata" "$work/profiles"
build "-Cprofile-use=$work/merged.profdata -Cllvm-args=-pgo-warn-missing-function" "$out" \
  "$@" 2>&1 | tee "$work/final.log"
# Counts that match nothing leave LLVM silent but for these warnings, one per function (3,903
# when the two builds differed in `--zig`; none when they agree): stop on more than a few.
missing="$(grep -c 'no profile data available for function' "$work/final.log" || true)"
echo "functions with no profile data: $missing"
[ "$missing" -le 100 ] || { echo "the profile does not match the build" >&2; exit 1; }
suite "$out"
ls "$out"/rxgate-*.whl
