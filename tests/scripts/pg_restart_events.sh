#!/usr/bin/env bash
# Events across instances and across a PostgreSQL restart (DESIGN.md sections 7 and 8).
#
# Two server processes share one fresh database. A subscriber on the first instance follows
# `storeEvents` over /graphql/ws while customers register through the second. PostgreSQL is then
# restarted while both servers run, and more customers register through the second instance as
# soon as it can reach the database again. The script fails unless the subscriber receives a
# `customer.created` event for every registration, each exactly once, without either server
# being restarted.
#
# Needs: a local PostgreSQL 15 cluster managed by pg_ctlcluster (as in .ci/run), psql, node 20+
# (its WebSocket client), and may restart that cluster: do not run it beside other tests on it.
#
#   tests/scripts/pg_restart_events.sh
#   PG_CLUSTER_NAME=other TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres \
#     tests/scripts/pg_restart_events.sh      # against another cluster of the machine
set -euo pipefail
cd "$(dirname "$0")/../.."

ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
CLUSTER_VERSION="${PG_CLUSTER_VERSION:-$(ls /etc/postgresql | head -n1)}"
CLUSTER_NAME="${PG_CLUSTER_NAME:-main}"
PG_PORT="$(echo "$ADMIN_URL" | sed -E 's#.*:([0-9]+)/[^/]*$#\1#')"
BEFORE="${EVENTS_BEFORE:-5}"
AFTER="${EVENTS_AFTER:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/storefront-ci-target}"
BIN="$CARGO_TARGET_DIR/debug/storefront"

cargo build -q
WORK="$(mktemp -d)"
DB="storefront_events_$$"
BASE_URL="${ADMIN_URL%/*}"
DB_URL="$BASE_URL/$DB"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$WORK"/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done; exit 1; }

psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
DATABASE_URL="$DB_URL" STOREFRONT_SEED=none "$BIN" migrate >/dev/null

# Starts an instance in the background (its pid joins PIDS, in this shell).
start() {
  local name="$1"
  mkdir -p "$WORK/$name"
  DATABASE_URL="$DB_URL" STOREFRONT_BIND=127.0.0.1:0 STOREFRONT_SEED=none \
    STOREFRONT_DATA_DIR="$WORK/$name" STOREFRONT_JWT_SECRET=events-script-secret-0123456789abcdef \
    STOREFRONT_THROTTLE_REGISTER_PER_IP=1000 RUST_LOG=info,storefront=info \
    "$BIN" serve >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
}

# Prints an instance's base URL once it serves.
url_of() {
  local name="$1" url
  for _ in $(seq 1 100); do
    url="$(grep -o 'serving on http://[0-9.:]*' "$WORK/$name.log" | head -n1 | sed 's/serving on //')" || true
    if [ -n "$url" ]; then echo "$url"; return 0; fi
    sleep 0.2
  done
  return 1
}

start a
start b
A="$(url_of a)" || fail "instance a did not start"
B="$(url_of b)" || fail "instance b did not start"
KEY="$(DATABASE_URL="$DB_URL" "$BIN" keys create secret --name events-script)"
echo "instance A: $A   instance B: $B"

# The subscriber: storeEvents on A, one line per customer.created event (its email).
cat >"$WORK/subscriber.mjs" <<'JS'
const [url, key, out] = process.argv.slice(2);
import { appendFileSync } from "node:fs";
const ws = new WebSocket(url.replace(/^http/, "ws") + "/graphql/ws", "graphql-transport-ws");
ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${key}` } }));
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.type === "connection_ack") {
    ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: {
      query: 'subscription { storeEvents(types: ["customer.created"]) { type payload } }' } }));
    appendFileSync(out + ".ready", "ready\n");
  } else if (msg.type === "next") {
    const event = msg.payload.data && msg.payload.data.storeEvents;
    if (!event) { console.error("error event", JSON.stringify(msg.payload)); process.exit(2); }
    appendFileSync(out, event.payload.email + "\n");
  } else if (msg.type === "ping") {
    ws.send(JSON.stringify({ type: "pong" }));
  }
};
ws.onclose = (e) => { console.error("socket closed", e.code, e.reason); process.exit(3); };
JS
touch "$WORK/received"
node --experimental-websocket --no-warnings "$WORK/subscriber.mjs" "$A" "$KEY" "$WORK/received" \
  >"$WORK/subscriber.log" 2>&1 &
SUBSCRIBER=$!
PIDS+=("$SUBSCRIBER")
for _ in $(seq 1 100); do [ -s "$WORK/received.ready" ] && break; sleep 0.1; done
[ -s "$WORK/received.ready" ] || fail "the subscriber did not connect"
# The subscription starts right after the ack; give the server a moment to open its feed.
sleep 1

# Registers one customer through instance B, retrying while B cannot reach the database.
register() {
  local email="$1"
  for _ in $(seq 1 100); do
    local body
    body="$(curl -s -m 10 -H 'content-type: application/json' "$B/graphql" -d \
      "{\"query\":\"mutation(\$i: RegisterInput!) { register(input: \$i) { customer { email } } }\",\"variables\":{\"i\":{\"email\":\"$email\",\"password\":\"correct horse battery staple\"}}}")" || true
    if echo "$body" | grep -q "\"email\":\"$email\""; then echo "$email" >>"$WORK/expected"; return 0; fi
    sleep 0.3
  done
  fail "could not register $email through B"
}

# Waits until the subscriber has every expected email, then checks each came exactly once.
check() {
  local phase="$1"
  for _ in $(seq 1 300); do
    if [ "$(sort -u "$WORK/received" | comm -23 <(sort "$WORK/expected") - | wc -l)" -eq 0 ]; then break; fi
    kill -0 "$SUBSCRIBER" 2>/dev/null || fail "$phase: the subscriber's socket closed"
    sleep 0.2
  done
  local missing duplicated
  missing="$(sort -u "$WORK/received" | comm -23 <(sort "$WORK/expected") -)"
  [ -z "$missing" ] || fail "$phase: events missing for: $missing"
  duplicated="$(sort "$WORK/received" | uniq -d)"
  [ -z "$duplicated" ] || fail "$phase: events received twice: $duplicated"
  echo "$phase: $(wc -l <"$WORK/expected") events written through B, all received once on A"
}

for i in $(seq 1 "$BEFORE"); do register "before-$i@example.com"; done
check "before the restart"

echo "restarting PostgreSQL $CLUSTER_VERSION/$CLUSTER_NAME"
pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" "$CLUSTER_NAME" restart
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.2; done
for i in $(seq 1 "$AFTER"); do register "after-$i@example.com"; done
check "after the restart"

for pid in "${PIDS[@]:0:2}"; do kill -0 "$pid" 2>/dev/null || fail "a server exited"; done
grep -q "listening for events" "$WORK/a.log" || fail "instance A never listened"
echo "ok: events flow across instances and across a PostgreSQL restart"
