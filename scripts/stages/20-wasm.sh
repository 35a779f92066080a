#!/usr/bin/env bash
# The npm package `rxgate` (bindings-wasm/): from a fresh Debian 12 machine, install what it
# needs (the wasm32 target, Debian's chromium for the browser test, wasm-bindgen-cli at the
# Cargo.lock version, the npm dev dependencies), lint the crate for wasm32, then `npm test`:
# build (wasm-bindgen + wasm-opt, size budget), type check, vector parity, API and browser tests;
# then the package as published: publint and attw (`npm run lint:package`: ESM and CommonJS
# entries, each with its own types), and every Node suite again on Node 22 (the npm package
# `node@22`; the image has 20), the Chromium-driven browser and portal tests included, one
# file at a time (about 10 s).
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
npm run -s lint:package
node22="${CARGO_TARGET_DIR:-../target}/node22"
npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$node22" node@22
"$node22/node_modules/.bin/node" --version
"$node22/node_modules/.bin/node" --test --test-concurrency=1 test/*.test.mjs
