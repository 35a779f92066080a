#!/usr/bin/env bash
# The service (host-wasmtime): beyond `cargo test --workspace` (stage 10, which runs the
# wasmtime, parity, handler and integration tests), prove that the rules component imports
# nothing and that `rxgate serve` starts from nothing, answers /readyz, reloads its rules on
# SIGHUP and stops on SIGTERM.
set -euo pipefail
# The guest's exports exist only on wasm32: lint that build too.
cargo clippy -p rxgate-guest --target wasm32-unknown-unknown -- -D warnings
# The binary stage 10's `cargo test --workspace` built (same packages, same features: a
# no-op then); a separate `cargo build -p rxgate-host` would resolve other features and
# compile the host's dependencies a second time, in minutes and a gigabyte of disk.
cargo test --workspace --no-run --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/rxgate"

info="$("$bin" rules info)"
echo "$info" | grep -E '"(digest|interface)"'
if ! echo "$info" | tr -d ' \n' | grep -q '"imports":\[\]'; then
  echo "the rules component has imports:" >&2
  echo "$info" >&2
  exit 1
fi

data="$(mktemp -d)"
log="$data/serve.log"
"$bin" serve --listen 127.0.0.1:0 --data-dir "$data/rxgate-data" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
url=""
for _ in $(seq 1 120); do
  url="$(sed -n 's/^rxgate listening on //p' "$log" | head -n1)"
  [ -n "$url" ] && break
  sleep 0.5
done
[ -n "$url" ] || { echo "rxgate serve did not start" >&2; cat "$log" >&2; exit 1; }
ready="$(curl -sf "$url/readyz")"
echo "$ready"
echo "$ready" | grep -q '"status":"ready"'
curl -sf "$url/openapi.json" | cmp - host-wasmtime/openapi.json
# SIGHUP reloads the rules (here the built-in component), checked against the vectors.
kill -HUP "$pid"
for _ in $(seq 1 60); do
  grep -q '"message":"rules reload","swapped":true' "$log" && break
  sleep 0.5
done
grep -q '"message":"rules reload","swapped":true' "$log" || { echo "SIGHUP did not reload" >&2; cat "$log" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid"
test -f "$data/rxgate-data/rxgate.sqlite3"
echo "rxgate serve: ok"
