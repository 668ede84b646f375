#!/usr/bin/env bash
# SIGTERM under load (issue #15, faults): a debug server takes concurrent writes (addresses over
# GraphQL, Spree and Medusa; guest checkouts over GraphQL) and reads, and is sent SIGTERM in the
# middle. Fails unless every request the server took got a whole answer (a client may only see
# its connection refused or closed before any answer: the server had not taken it), no answer
# is a 5xx, the process exits 0 within the shutdown timeout, and the database afterwards holds
# exactly the writes that were acknowledged: each acknowledged address and order is there,
# every order has its line items, and nothing was written that its client was not told about.
#
#   tests/scripts/sigterm_load.sh              # on a fresh SQLite file
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
#     tests/scripts/sigterm_load.sh postgres   # on a fresh PostgreSQL database
set -euo pipefail
cd "$(dirname "$0")/../.."

BACKEND="${1:-sqlite}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/storefront-ci-target}"
# The scripts import tests/scripts/faultlib.py: leave no bytecode in the clone.
export PYTHONDONTWRITEBYTECODE=1
BIN="$CARGO_TARGET_DIR/debug/storefront"
cargo build -q
WORK="$(mktemp -d)"
DB=""
ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cleanup() {
  if [ -n "$DB" ]; then
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# A signal (CI's timeout) still runs the cleanup.
trap 'exit 143' TERM INT

case "$BACKEND" in
  sqlite) DB_URL="sqlite://$WORK/data/storefront.db" ;;
  postgres)
    DB="storefront_sigterm_$$"
    psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
    DB_URL="${ADMIN_URL%/*}/$DB"
    ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
python3 tests/scripts/sigterm_load.py --binary "$BIN" --database-url "$DB_URL" --work "$WORK"
