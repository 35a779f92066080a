#!/usr/bin/env bash
# The npm package `rxgate` (bindings-wasm/): from a fresh Debian 12 machine, install what it
# needs (the wasm32 target, Debian's chromium for the browser test, wasm-bindgen-cli at the
# Cargo.lock version, the npm dev dependencies), lint the crate for wasm32, then `npm test`:
# build (wasm-bindgen + wasm-opt, size budget), type check, vector parity, API and browser tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "Node 20 or later is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
if ! dpkg -s chromium >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends chromium
fi
rustup target add wasm32-unknown-unknown

cargo clippy -p rxgate-wasm --target wasm32-unknown-unknown -- -D warnings
cd bindings-wasm
npm ci --no-audit --no-fund
npm test
