# Sourced by scripts/crash.sh and stages 55/56: the crash harness's shared settings and the
# host's integration-test binary it runs (the one `cargo test --workspace` builds: one build
# per profile, a no-op after stage 10).
#
# 20 orders/s and 150–600 ms of up-time per kill keep >= 80 % of kills on pending work now
# that each change is one quick commit (at 8/s and 200–1000 ms only 80 % did, on an idle VM).
export RXGATE_CRASH_RATE="${RXGATE_CRASH_RATE:-20}"
export RXGATE_CRASH_UP_MS="${RXGATE_CRASH_UP_MS:-150-600}"

# Prints the path of the host's integration-test binary `it`; fails naming what is missing.
it_test_binary() {
  local exe
  exe="$(cargo test --workspace --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "it" and m.get("executable"):
        print(m["executable"])' | tail -n1)"
  [ -n "$exe" ] || { echo "the host's integration-test binary was not built" >&2; return 1; }
  echo "$exe"
}
