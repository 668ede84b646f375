#!/usr/bin/env bash
# A full disk under SQLite (issue #15, faults): the database lives on a small tmpfs, which is
# then filled. Fails unless a write on each surface gets a clean 503 in its dialect (GraphQL
# UNAVAILABLE, Spree `service_unavailable`, Medusa's {type,message}) and never a 500, reads
# keep answering 200, writes work again as soon as space is freed, no failed write left a
# trace, and the database passes `PRAGMA integrity_check` afterwards.
#
# Needs root (it mounts a tmpfs); without the privilege it says so and stops (a failure in CI).
#
#   tests/scripts/sqlite_full_disk.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/storefront-ci-target}"
# The scripts import tests/scripts/faultlib.py: leave no bytecode in the clone.
export PYTHONDONTWRITEBYTECODE=1
BIN="$CARGO_TARGET_DIR/debug/storefront"
cargo build -q
WORK="$(mktemp -d)"
DISK="$WORK/disk"
mkdir -p "$DISK"
cleanup() {
  umount "$DISK" 2>/dev/null || true
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# A signal (CI's timeout) still runs the cleanup.
trap 'exit 143' TERM INT

if ! mount -t tmpfs -o "size=${DISK_SIZE:-24m}" tmpfs "$DISK" 2>"$WORK/mount.err"; then
  echo "cannot mount a tmpfs here ($(cat "$WORK/mount.err")): the full-disk check needs root" >&2
  [ -n "${CI:-}" ] && exit 1
  exit 0
fi

# Migrated and seeded by the command line, which closes the file cleanly: the server then starts
# with an empty write-ahead log, so its first writes after the disk fills need new space.
DB_URL="sqlite://$DISK/storefront.db"
DATABASE_URL="$DB_URL" STOREFRONT_DATA_DIR="$WORK/data" "$BIN" migrate >/dev/null
DATABASE_URL="$DB_URL" STOREFRONT_DATA_DIR="$WORK/data" "$BIN" seed >/dev/null 2>&1
python3 tests/scripts/sqlite_full_disk.py --binary "$BIN" --database-url "$DB_URL" \
  --work "$WORK" --disk "$DISK"
