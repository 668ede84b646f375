#!/usr/bin/env bash
# PostgreSQL stopped under load (issue #15, faults): a debug server on a fresh PostgreSQL
# database serves concurrent GraphQL, Spree and Medusa catalogue reads; the cluster is stopped
# (`pg_ctlcluster ... stop -m fast`) for a few seconds and started again. Fails unless every
# answer while it is down is a clean 503 in the dialect's shape (GraphQL: errors coded
# UNAVAILABLE; Spree's error envelope; Medusa's {type,message}), never a 500 and never slower
# than the request timeout, and unless the server answers 200 on every surface again within
# seconds of PostgreSQL's return, without being restarted (no stuck pool).
#
# Needs a local PostgreSQL 15 cluster managed by pg_ctlcluster (as in .ci/run), psql and
# python3. Stops that cluster: run it only where nothing else uses it. The cluster is started
# again whatever happens (trap).
#
#   tests/scripts/pg_restart_load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
CLUSTER_VERSION="${PG_CLUSTER_VERSION:-$(ls /etc/postgresql | head -n1)}"
CLUSTER_NAME="${PG_CLUSTER_NAME:-main}"
PG_PORT="$(echo "$ADMIN_URL" | sed -E 's#.*:([0-9]+)/[^/]*$#\1#')"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/storefront-ci-target}"
# The scripts import tests/scripts/faultlib.py: leave no bytecode in the clone.
export PYTHONDONTWRITEBYTECODE=1
BIN="$CARGO_TARGET_DIR/debug/storefront"

cargo build -q
WORK="$(mktemp -d)"
DB="storefront_pgload_$$"
DB_URL="${ADMIN_URL%/*}/$DB"

start_cluster() {
  if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
    pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" "$CLUSTER_NAME" start || true
    for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.2; done
  fi
}
cleanup() {
  start_cluster
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# A signal (CI's timeout) still runs the cleanup.
trap 'exit 143' TERM INT

psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
python3 tests/scripts/pg_restart_load.py --binary "$BIN" --database-url "$DB_URL" \
  --work "$WORK" --cluster "$CLUSTER_VERSION" "$CLUSTER_NAME" --port "$PG_PORT"
