"""The load, the SIGTERM and the audit of sigterm_load.sh."""

import argparse
import collections
import itertools
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from faultlib import (  # noqa: E402
    READS,
    SHIP_TO,
    NoAnswer,
    Server,
    Truncated,
    create_address,
    fail,
    graphql,
    register,
    succeeded,
    variant_ids,
)

SHUTDOWN_TIMEOUT = 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--load-seconds", type=float, default=4)
    args = parser.parse_args()
    server = Server(
        args.binary,
        {
            "DATABASE_URL": args.database_url,
            "STOREFRONT_DATA_DIR": os.path.join(args.work, "data"),
            "STOREFRONT_SHUTDOWN_TIMEOUT": str(SHUTDOWN_TIMEOUT),
        },
        os.path.join(args.work, "server.log"),
    )
    try:
        server.wait_ready()
        run(server, args)
    finally:
        server.stop()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.problems = []
        # Writes the server acknowledged, and writes whose request got no answer at all.
        self.addresses_acknowledged = set()
        self.addresses_unanswered = set()
        self.orders_acknowledged = {}  # cart id -> order number
        self.carts_unplaced = set()  # carts whose completion was refused or never answered
        self.sigterm_at = None

    def count(self, what):
        with self.lock:
            self.counts[what] += 1

    def problem(self, text):
        with self.lock:
            self.problems.append(text)


def answered(tally, label, call):
    """Runs one request: (status, body), or None when the server never took it."""
    started = time.time()
    try:
        status, body, raw = call()
    except NoAnswer:
        tally.count("not taken")
        time.sleep(0.05)
        return None
    except (Truncated, socket.timeout) as e:
        tally.problem(f"{label}: {type(e).__name__} {e}")
        return None
    if status >= 500:
        tally.problem(f"{label}: {status} {raw[:300]!r}")
    tally.count(f"{label} {status}")
    sigterm_at = tally.sigterm_at
    if sigterm_at is not None and started < sigterm_at:
        tally.count("in flight at SIGTERM, answered")
    return status, body


def run(server, args):
    base, key = server.base, server.key
    tokens = {s: [register(base, f"sigterm-{s}-{i}@example.com") for i in range(2)]
              for s in ("graphql", "spree", "medusa")}
    variants = variant_ids(base)
    if not variants:
        fail("the demo catalogue has no variant in stock", server)
    tally = Tally()
    stop = threading.Event()
    serial = itertools.count()

    def address_writer(surface, token):
        while not stop.is_set():
            marker = f"sig-{surface}-{next(serial)}"
            result = answered(
                tally,
                f"{surface} address",
                lambda: (*create_address(surface, base, key, token, marker), b""),
            )
            with tally.lock:
                if result is None:
                    tally.addresses_unanswered.add(marker)
                elif succeeded(surface, *result):
                    tally.addresses_acknowledged.add(marker)

    def checkout_writer(n):
        for i in itertools.count():
            if stop.is_set():
                return
            email = f"sig-{n}-{i}@example.com"
            variant = variants[i % len(variants)]
            created = answered(tally, "createCart", lambda: graphql(
                base,
                "mutation($i: CreateCartInput) { createCart(input: $i) { id token } }",
                {"i": {"email": email, "items": [{"variantId": variant, "quantity": 1}]}},
            ))
            if created is None or not succeeded("graphql", *created):
                continue
            cart = created[1]["data"]["createCart"]
            headers = {"x-order-token": cart["token"]}
            updated = answered(tally, "updateCart", lambda: graphql(
                base,
                "mutation($c: ID!, $i: UpdateCartInput!) "
                "{ updateCart(cartId: $c, input: $i) { id } }",
                {"c": cart["id"], "i": {"shippingAddress": {"address": SHIP_TO}}},
                headers=headers,
            ))
            if updated is None or not succeeded("graphql", *updated):
                continue
            completed = answered(tally, "completeCart", lambda: graphql(
                base,
                "mutation($c: ID!) { completeCart(cartId: $c) { id number itemCount } }",
                {"c": cart["id"]},
                headers=headers,
            ))
            with tally.lock:
                if completed is not None and succeeded("graphql", *completed):
                    order = completed[1]["data"]["completeCart"]
                    tally.orders_acknowledged[order["id"]] = order["number"]
                else:
                    tally.carts_unplaced.add(cart["id"])

    def reader(surface):
        while not stop.is_set():
            answered(tally, f"{surface} read", lambda: READS[surface](base, key))

    threads = []
    for surface, pair in tokens.items():
        for token in pair:
            threads.append(threading.Thread(target=address_writer, args=(surface, token)))
    threads += [threading.Thread(target=checkout_writer, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=reader, args=(s,)) for s in READS]
    for t in threads:
        t.daemon = True
        t.start()

    time.sleep(args.load_seconds)
    print(f"SIGTERM under load ({len(threads)} clients)")
    terminated_at = time.time()
    tally.sigterm_at = terminated_at
    server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(timeout=SHUTDOWN_TIMEOUT + 10)
    except subprocess.TimeoutExpired:
        fail("the server did not exit after SIGTERM", server)
    exited_after = time.time() - terminated_at
    stop.set()
    for t in threads:
        t.join(20)
    print(f"  exited with {code} after {exited_after:.1f} s")
    for what, n in sorted(tally.counts.items()):
        print(f"  {what}: {n}")
    if code != 0:
        tally.problem(f"exit status {code}")
    if "panicked" in server.log_text():
        tally.problem("the server panicked")
    audit(args.database_url, tally)
    if not tally.addresses_acknowledged or not tally.orders_acknowledged:
        tally.problem("no write was acknowledged: the load did not run")
    if not tally.counts["in flight at SIGTERM, answered"]:
        tally.problem("no request was in flight at SIGTERM: the check saw nothing")
    if tally.problems:
        for p in tally.problems[:30]:
            print(f"  problem: {p}", file=sys.stderr)
        fail(f"{len(tally.problems)} problems", server)
    print(
        f"ok: {len(tally.addresses_acknowledged)} addresses and "
        f"{len(tally.orders_acknowledged)} orders acknowledged, all stored whole; "
        "nothing stored that was not acknowledged"
    )


def query(database_url, sql):
    """Rows of one query, on SQLite (the file) or PostgreSQL (psql), as tuples of text."""
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url[len("sqlite://"):]) as db:
            return [tuple("" if v is None else str(v) for v in row) for row in db.execute(sql)]
    out = subprocess.run(
        ["psql", "-At", "-F", "\t", database_url, "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def audit(database_url, tally):
    stored = {row[0] for row in query(
        database_url, "SELECT city FROM addresses WHERE city LIKE 'sig-%'")}
    missing = tally.addresses_acknowledged - stored
    if missing:
        tally.problem(f"acknowledged addresses missing: {sorted(missing)[:5]}")
    unanswered = tally.addresses_unanswered & stored
    if unanswered:
        tally.problem(f"addresses stored although their request got no answer: {sorted(unanswered)[:5]}")
    unacknowledged = stored - tally.addresses_acknowledged
    if unacknowledged:
        tally.problem(f"addresses stored without an acknowledgement: {sorted(unacknowledged)[:5]}")

    orders = {row[0]: row[1:] for row in query(
        database_url,
        "SELECT o.id, o.state, o.number, o.item_count, "
        "(SELECT COUNT(*) FROM line_items l WHERE l.order_id = o.id), "
        "(SELECT COALESCE(SUM(l.quantity), 0) FROM line_items l WHERE l.order_id = o.id) "
        "FROM orders o WHERE o.email LIKE 'sig-%'",
    )}
    for order_id, number in tally.orders_acknowledged.items():
        row = orders.get(order_id)
        if row is None or row[0] == "cart" or row[1] != number:
            tally.problem(f"acknowledged order {number} is not stored as placed: {row}")
    for cart_id in tally.carts_unplaced:
        row = orders.get(cart_id)
        if row is not None and row[0] != "cart":
            tally.problem(f"cart {cart_id} was placed although its client was not told: {row}")
    # Nothing half-written, acknowledged or not: every order (and every cart with items) has
    # the line items its count says.
    for order_id, (state, number, item_count, lines, quantity) in orders.items():
        if state != "cart" and int(lines) == 0:
            tally.problem(f"order {number} has no line items")
        if int(item_count) != int(quantity):
            tally.problem(f"{order_id}: item_count {item_count} but line items hold {quantity}")


if __name__ == "__main__":
    main()
