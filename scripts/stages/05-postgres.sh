#!/usr/bin/env bash
# PostgreSQL for the storage conformance suite and the several-instance demo (issue 14):
# installed where absent, started, a role and a fresh database for this run. The URL reaches
# later stages as RXGATE_TEST_PG_URL through target/stage.env (scripts/test.sh reads it after
# each stage). Locally a machine without PostgreSQL only gets a notice (the suite then skips
# its PostgreSQL half); in CI (CI=true) this stage fails instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() {
  if [ "${CI:-}" = "true" ]; then echo "postgres: $1" >&2; exit 1; fi
  echo "notice: $1: the PostgreSQL checks will be skipped" >&2; exit 0
}
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || fail "PostgreSQL is not installed and apt-get could not install it"
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -n1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null || fail "cannot create the cluster"
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$(pg_conftool -s "$version" main show port 2>/dev/null || echo 5432)" && break
  sleep 1
done
port=$(pg_conftool -s "$version" main show port 2>/dev/null || echo 5432)
pg_isready -q -h 127.0.0.1 -p "$port" || fail "PostgreSQL $version did not start"
db="rxgate_ci_$(date +%s)_$$"
psql_admin() { (cd / && su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt $*"); }
# Databases of earlier runs (named by their start time) go once they are 3 hours old: each
# run gets a fresh one, and a run still going on this machine keeps its own.
now=$(date +%s)
for old in $(psql_admin "-c \"SELECT datname FROM pg_database WHERE datname LIKE 'rxgate_ci_%'\""); do
  born=$(echo "$old" | cut -d_ -f3)
  if [ -n "$born" ] && [ "$born" -eq "$born" ] 2>/dev/null && [ $(( now - born )) -gt 10800 ]; then
    psql_admin "-c \"DROP DATABASE IF EXISTS $old\"" || true
  fi
done
psql_admin "-c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rxgate_test') THEN CREATE ROLE rxgate_test LOGIN PASSWORD 'rxgate_test'; END IF; END \\\$\\\$\""
psql_admin "-c \"CREATE DATABASE $db OWNER rxgate_test\""
mkdir -p target
echo "RXGATE_TEST_PG_URL=postgres://rxgate_test:rxgate_test@127.0.0.1:$port/$db" > target/stage.env
echo "PostgreSQL $version on port $port, database $db"
