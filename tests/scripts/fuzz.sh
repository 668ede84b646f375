#!/usr/bin/env bash
# A bounded fuzz pass (issue #15): schemathesis generates valid and invalid requests from the
# Spree and Medusa OpenAPI descriptions the server publishes, and random GraphQL operations
# from its schema, anonymous and as a signed-in customer. It fails on any 5xx, any non-JSON
# answer, any GraphQL error that says the server failed (tests/scripts/fuzz_checks.py), and if
# the server panicked or stopped answering. Runs the debug binary on a fresh SQLite file.
#
#   tests/scripts/fuzz.sh                 # FUZZ_EXAMPLES=15 per operation and run
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN="${STOREFRONT_BIN:-${CARGO_TARGET_DIR:-target}/debug/storefront}"
EXAMPLES="${FUZZ_EXAMPLES:-15}"
VENV="${FUZZ_VENV:-/var/tmp/storefront-fuzz-venv}"
SCHEMATHESIS="schemathesis==4.32.5"

[ -x "$BIN" ] || { echo "no server binary at $BIN (cargo build first)" >&2; exit 1; }
if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "${SCHEMATHESIS#*==}"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "$SCHEMATHESIS"
fi

DIR="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
LOG="$DIR/server.log"
lots=1000000
env STOREFRONT_BIND="127.0.0.1:$PORT" STOREFRONT_DATA_DIR="$DIR/data" \
  DATABASE_URL="sqlite://$DIR/data/fuzz.db" RUST_LOG=warn \
  STOREFRONT_THROTTLE_LOGIN_PER_IP=$lots STOREFRONT_THROTTLE_LOGIN_PER_ACCOUNT=$lots \
  STOREFRONT_THROTTLE_REGISTER_PER_IP=$lots STOREFRONT_THROTTLE_REFRESH_PER_IP=$lots \
  STOREFRONT_THROTTLE_RESET_PER_IP=$lots STOREFRONT_THROTTLE_RESET_PER_ACCOUNT=$lots \
  STOREFRONT_THROTTLE_ACCOUNT_MAIL_PER_IP=$lots STOREFRONT_THROTTLE_ACCOUNT_MAIL_PER_ACCOUNT=$lots \
  "$BIN" > "$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do
  grep -q "development publishable key" "$LOG" && break
  sleep 0.1
done
KEY="$(grep -o 'pk_[0-9a-f]*' "$LOG" | head -n1)"
[ -n "$KEY" ] || { cat "$LOG"; echo "the server did not start" >&2; exit 1; }

# A customer for the signed-in passes, and its tokens in both dialects.
PASSWORD="correct horse battery staple"
curl -sf -X POST "$BASE/api/v3/store/customers" -H "x-spree-api-key: $KEY" \
  -H 'content-type: application/json' \
  -d "{\"email\":\"fuzz@example.com\",\"password\":\"$PASSWORD\",\"password_confirmation\":\"$PASSWORD\"}" \
  > "$DIR/spree.json"
SPREE_TOKEN="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$DIR/spree.json")"
curl -sf -X POST "$BASE/auth/customer/emailpass" -H 'content-type: application/json' \
  -d "{\"email\":\"fuzz@example.com\",\"password\":\"$PASSWORD\"}" > "$DIR/medusa.json"
MEDUSA_TOKEN="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$DIR/medusa.json")"

export SCHEMATHESIS_HOOKS=fuzz_checks PYTHONPATH="$PWD/tests/scripts"
status=0
run() {
  local name="$1"; shift
  echo "==> fuzz: $name"
  # From the temporary folder: schemathesis keeps a cache in its working directory.
  if ! (cd "$DIR" && "$VENV/bin/st" run "$@" --checks not_a_server_error,no_server_fault \
      --max-examples "$EXAMPLES" --request-timeout 10 --no-color > "$DIR/st.out" 2>&1); then
    status=1
    cat "$DIR/st.out"
  fi
  grep -E "^  [0-9]+ generated" "$DIR/st.out" || true
}
graphql() {
  local name="$1"; shift
  echo "==> fuzz: $name"
  if ! (cd "$DIR" && "$VENV/bin/st" run "$BASE/graphql" "$@" --checks no_server_fault \
      --max-examples "$EXAMPLES" --request-timeout 10 --no-color > "$DIR/st.out" 2>&1); then
    status=1
    cat "$DIR/st.out"
  fi
  grep -E "^  [0-9]+ generated" "$DIR/st.out" || true
}

run "Spree, anonymous" "$BASE/api/v3/store/openapi.json" -H "x-spree-api-key: $KEY"
run "Spree, signed in" "$BASE/api/v3/store/openapi.json" -H "x-spree-api-key: $KEY" \
  -H "Authorization: Bearer $SPREE_TOKEN"
run "Medusa, anonymous" "$BASE/store/openapi.json" -H "x-publishable-api-key: $KEY"
run "Medusa, signed in" "$BASE/store/openapi.json" -H "x-publishable-api-key: $KEY" \
  -H "Authorization: Bearer $MEDUSA_TOKEN"
graphql "GraphQL, anonymous"
graphql "GraphQL, signed in" -H "Authorization: Bearer $SPREE_TOKEN"

if grep -q "panicked" "$LOG"; then
  grep -B2 -A8 "panicked" "$LOG"
  echo "the server panicked" >&2
  status=1
fi
if ! curl -sf --max-time 5 "$BASE/health" > /dev/null; then
  echo "the server no longer answers" >&2
  status=1
fi
[ "$status" = 0 ] && echo "fuzz: no server fault"
exit "$status"
