#!/usr/bin/env bash
# Native Rust: format, lints, the core's purity check, unit/property/vector tests.
set -euo pipefail
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The core stays pure: no binding or I/O crate may appear in its normal dependency tree.
if cargo tree -p rxgate-core -e normal --prefix none | grep -E '^(wasm-bindgen|js-sys|pyo3|wasmtime|tokio|reqwest|rusqlite) ' ; then
  echo "rxgate-core depends on a binding or I/O crate" >&2
  exit 1
fi
# One version of each wasm-tools crate (the guest's wit-bindgen at wasmtime 48's wasm-tools
# version, docs/host.md) and of base64: a second copy is compile time on 2 cores.
dups="$(cargo tree --workspace -d -e normal,build --prefix none \
  | grep -E '^(wasmparser|wasm-encoder|wasm-metadata|wit-parser|wit-component|base64) v' \
  | awk '{print $1, $2}' | sort -u | awk '{print $1}' | uniq -d || true)"
if [ -n "$dups" ]; then
  echo "two versions of: $(echo $dups) (cargo tree -d -i <crate> shows who pulls each)" >&2
  exit 1
fi
# Property tests draw their cases from a seed fixed by the commit: a run on a fresh clone of
# a commit predicts CI's run of it exactly, and every new commit still explores new cases.
# A failure prints the seed; re-run with PROPTEST_RNG_SEED=<seed> to reproduce it.
if [ -z "${PROPTEST_RNG_SEED:-}" ]; then
  PROPTEST_RNG_SEED="$(( 16#$(git rev-parse --short=12 HEAD 2>/dev/null || echo 5eed) ))"
fi
export PROPTEST_RNG_SEED
echo "property tests: PROPTEST_RNG_SEED=$PROPTEST_RNG_SEED"
# The bindings' generated files (rxgate.gen.d.ts, the wrappers in js/api.js, the Python
# TypedDicts and rxgate.typed) are current with the core's op table: regenerate, then fail on
# any difference (DEVELOPERS.md, "One JSON API").
cargo run -q -p rxgate-core --example gen_bindings
git diff --exit-code -- bindings-wasm/rxgate.gen.d.ts bindings-wasm/js/api.js \
  bindings-python/python/rxgate/_types.py bindings-python/python/rxgate/typed.py \
  || { echo "generated binding files are stale: run cargo run -p rxgate-core --example gen_bindings and commit" >&2; exit 1; }
cargo test --workspace
