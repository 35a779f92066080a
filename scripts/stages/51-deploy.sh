#!/usr/bin/env bash
# Deployment files: the systemd unit passes `systemd-analyze verify` (against the built
# binary), and the example rxgate.toml loads (host test `the_example_configuration_loads`).
set -euo pipefail
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/rxgate"
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze is not installed on this machine: the unit is not verified" >&2
  exit 0
fi
[ -x "$bin" ] || cargo test --workspace --no-run --quiet
unit="$(mktemp -d)/rxgate.service"
trap 'rm -rf "$(dirname "$unit")"' EXIT
sed "s#/usr/local/bin/rxgate#$bin#" deploy/rxgate.service >"$unit"
systemd-analyze verify "$unit"
echo "deploy/rxgate.service: systemd-analyze verify ok"
