#!/usr/bin/env bash
# Toolchain pieces every later stage needs: rustfmt, clippy and the WebAssembly target
# (the host's build script compiles the guest for it; the npm package targets it too).
set -euo pipefail
rustup component add rustfmt clippy
rustup target add wasm32-unknown-unknown
