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
cargo test --workspace
