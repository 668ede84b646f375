#!/usr/bin/env bash
# cargo deny over Cargo.lock (deny.toml): known advisories, licences, banned crates, sources.
# Any finding fails. Installs the pinned cargo-deny when it is missing.
#
# The advisory database (RustSec's, a git repository) lives in cargo-deny's default folder,
# $CARGO_HOME/advisory-dbs. It is fetched from upstream when that can be reached; otherwise a
# local git copy of it is used when one exists (ADVISORY_DB_MIRROR, a path); otherwise an
# earlier fetch still in the folder. With none of these, advisories cannot be checked: the
# script then checks licences, bans and sources only and says so loudly (DENY_REQUIRE_ADVISORIES=1
# makes that a failure). The date of the database used is printed.
#
#   tests/scripts/deny.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION="0.20.2"
DB_ROOT="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
# The folder cargo-deny $VERSION derives from the default database URL.
DB="$DB_ROOT/advisory-db-3157b0e258782691"
MIRROR="${ADVISORY_DB_MIRROR:-/work/.mirror/rustsec+advisory-db/repo}"

if ! cargo deny --version 2>/dev/null | grep -q "$VERSION"; then
  echo "installing cargo-deny $VERSION"
  cargo install -q cargo-deny --locked --version "$VERSION"
fi

checks="advisories licenses bans sources"
# A fetch over an existing copy succeeds even when upstream is unreachable: set the copy aside
# so that success means a fresh database.
EARLIER="$DB_ROOT/earlier-$$"
[ -d "$DB" ] && mv "$DB" "$EARLIER"
if timeout 120 cargo deny fetch db >/dev/null 2>&1; then
  rm -rf "$EARLIER"
  echo "advisory database: fetched from upstream"
elif [ -d "$MIRROR" ] && git -C "$MIRROR" rev-parse -q --verify HEAD >/dev/null 2>&1; then
  echo "advisory database: upstream unreachable, using the local copy $MIRROR"
  rm -rf "$DB" "$EARLIER"
  mkdir -p "$DB_ROOT"
  git clone -q --depth 1 "file://$(cd "$MIRROR" && pwd)" "$DB"
elif [ -d "$EARLIER/.git" ]; then
  rm -rf "$DB"
  mv "$EARLIER" "$DB"
  echo "advisory database: upstream unreachable, using the copy fetched earlier"
else
  checks="licenses bans sources"
  echo "WARNING: ADVISORIES NOT CHECKED: the advisory database can be neither fetched nor found" >&2
  if [ -n "${DENY_REQUIRE_ADVISORIES:-}" ]; then exit 1; fi
fi
if [[ "$checks" == advisories* ]]; then
  echo "advisory database as of $(git -C "$DB" log -1 --format=%cd --date=short)"
fi
# cargo deny reads `cargo metadata`, which needs the packages of every platform in the lock file
# (android_system_properties, windows-sys, ...), not only those a build here downloads: a fresh
# machine has only the latter.
cargo fetch --locked -q
# --offline: the database is in place; a second fetch would only fail again when unreachable.
# shellcheck disable=SC2086
cargo deny --offline check $checks
