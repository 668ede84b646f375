#!/usr/bin/env python3
"""The soak's clients and its database audit (tests/scripts/soak.sh runs it; stdlib only).

Clients run in threads, each one shopper on one surface (GraphQL, Spree or Medusa) who
browses all three surfaces, signs in again from time to time, edits an address book and checks
out, as a guest or signed in, sometimes with one of a few gift cards that all shoppers share;
GraphQL customers cancel some of their orders. Every write the server acknowledged is recorded: the address ids
with the last city they were given (or their deletion) and each placed order's number with the
lines it was placed with, and each cancellation. Some variants hold little stock, so some checkouts are refused for
stock: a 4xx saying so is an expected answer, not a failure. Any 5xx, connection error or other
refusal is a failure.

Then the database is read directly (sqlite3, or psql for PostgreSQL): every acknowledged address
and order is there with its lines, no stock is negative, each variant's stock plus the units its
placed orders hold is what it was at the start, every order's totals agree with its lines, and
no store credit or gift card balance is negative or differs from what placed orders took.

    soak.py BASE_URL PUBLISHABLE_KEY DATABASE_URL SECRET_KEY [--seconds 60] [--clients 50]
"""

import argparse
import http.client
import json
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
from collections import Counter, defaultdict

PASSWORD = "correct horse battery staple"
LIMITED_STOCK = 12  # units each stock-limited variant starts the soak with


class Database:
    """Plain SQL against the soak's database, whichever backend."""

    def __init__(self, url):
        self.url = url
        self.sqlite = url.startswith("sqlite://")

    def rows(self, sql):
        if self.sqlite:
            conn = sqlite3.connect(self.url[len("sqlite://"):], timeout=30)
            try:
                return [tuple(r) for r in conn.execute(sql).fetchall()]
            finally:
                conn.close()
        out = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
             self.url, "-c", sql],
            check=True, capture_output=True, text=True).stdout
        rows = []
        for line in out.splitlines():
            if line:
                rows.append(tuple(None if v == "" else v for v in line.split("\x1f")))
        return rows

    def execute(self, sql):
        if self.sqlite:
            conn = sqlite3.connect(self.url[len("sqlite://"):], timeout=30)
            try:
                conn.execute(sql)
                conn.commit()
            finally:
                conn.close()
        else:
            subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-c", sql],
                           check=True, capture_output=True)

    @staticmethod
    def boolean(v):
        return v in (1, "1", "t", "true", True)


class Failure(Exception):
    pass


class Refused(Exception):
    """A 4xx (or GraphQL error) the shopper can meet: out of stock, a gift card used up by
    other shoppers."""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = Counter()
        self.seconds = defaultdict(list)  # label -> durations
        self.failures = []
        self.refusals = Counter()

    def count(self, key):
        with self.lock:
            self.requests[key] += 1

    def took(self, key, seconds):
        with self.lock:
            self.seconds[key].append(seconds)

    def fail(self, text):
        with self.lock:
            self.failures.append(text)

    def refused(self, text):
        with self.lock:
            self.refusals[text] += 1


class Acknowledged:
    """What the server said it wrote."""

    def __init__(self):
        self.lock = threading.Lock()
        self.addresses = {}  # id -> last city, or None once deleted
        self.orders = {}  # number -> Counter(variant -> quantity)
        self.canceled = set()  # numbers

    def address(self, address_id, city):
        with self.lock:
            self.addresses[address_id] = city

    def order(self, number, lines):
        with self.lock:
            self.orders[number] = Counter(lines)

    def cancel(self, number):
        with self.lock:
            self.canceled.add(number)


class Http:
    """One request per connection: a retried write could not be told from a lost one."""

    def __init__(self, base, stats):
        parsed = urllib.parse.urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.stats = stats

    def call(self, method, path, body=None, headers=None, label=None):
        label = label or f"{method} {path.split('?')[0]}"
        self.stats.count(label)
        data = None if body is None else json.dumps(body).encode()
        head = {"content-type": "application/json", "connection": "close"}
        head.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        started = time.monotonic()
        try:
            conn.request(method, path, body=data, headers=head)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
        except Exception as e:  # any transport error is a failure of the soak
            raise Failure(f"{label}: connection error {type(e).__name__}: {e}")
        finally:
            conn.close()
            self.stats.took(label, time.monotonic() - started)
        if status >= 500:
            raise Failure(f"{label}: {status} {text[:300]}")
        try:
            value = json.loads(text) if text else None
        except ValueError:
            raise Failure(f"{label}: {status}, not JSON: {text[:200]}")
        if status >= 400:
            if out_of_stock(text):
                raise Refused(f"{label}: {status} {refusal(text)}")
            raise Failure(f"{label}: unexpected {status} {text[:300]}")
        return value


def out_of_stock(text):
    """Whether a refusal is one a busy shop gives: the stock ran out (Medusa says
    `insufficient_inventory`), or a shared gift card was spent by someone else meanwhile."""
    text = text.lower()
    return any(w in text for w in ("stock", "insufficient_inventory",
                                   "gift card has already been redeemed", "nothing left to pay",
                                   "no longer covers the amount applied"))


def refusal(text):
    spent = ("redeemed", "nothing left", "no longer covers")
    return "gift card used up" if any(w in text for w in spent) else "out of stock"


def gql_errors(label, body):
    errors = (body or {}).get("errors")
    if not errors:
        return
    text = json.dumps(errors)
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    if "INTERNAL" in codes:
        raise Failure(f"{label}: server fault {text[:300]}")
    if out_of_stock(text):
        raise Refused(f"{label}: {refusal(text)}")
    raise Failure(f"{label}: unexpected error {text[:300]}")


US_ADDRESS = {"first_name": "Grace", "last_name": "Hopper", "address1": "1 Navy Yard",
              "city": "Arlington", "postal_code": "22202", "phone": "+1 703 555 0100"}


class Shopper:
    """One client: a surface, an account on it, and a loop of things shoppers do."""

    def __init__(self, n, args, catalog, stats, acked):
        self.n = n
        self.surface = ("graphql", "spree", "medusa")[n % 3]
        self.http = Http(args.base, stats)
        self.key = args.key
        self.catalog = catalog
        self.stats = stats
        self.acked = acked
        self.rng = random.Random(n)
        self.email = f"soak{n}-{int(time.time())}@example.com"
        self.token = None
        self.addresses = []
        self.placed = []  # (id, number) of this customer's own GraphQL orders

    # -- requests per surface -------------------------------------------------------------
    def gql(self, query, variables=None, token=None, order_token=None, label=None):
        headers = {}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if order_token:
            headers["x-order-token"] = order_token
        # The operation's first field names it: `graphql createCart`.
        label = label or "graphql " + re.search(r"\{\s*(\w+)", query).group(1)
        body = self.http.call("POST", "/graphql", {"query": query, "variables": variables or {}},
                              headers, label)
        gql_errors(label, body)
        return body["data"]

    def spree(self, method, path, body=None, token=None, guest=None):
        headers = {"x-spree-api-key": self.key}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if guest:
            headers["x-spree-token"] = guest
        label = "spree " + method + " " + "/".join(
            p if not ("_" in p and len(p) > 20) else "{id}" for p in path.split("?")[0].split("/"))
        return self.http.call(method, "/api/v3/store" + path, body, headers, label)

    def medusa(self, method, path, body=None, token=None):
        headers = {"x-publishable-api-key": self.key}
        if token:
            headers["authorization"] = f"Bearer {token}"
        label = "medusa " + method + " " + "/".join(
            p if not ("_" in p and len(p) > 20) else "{id}" for p in path.split("?")[0].split("/"))
        return self.http.call(method, path, body, headers, label)

    # -- what shoppers do -----------------------------------------------------------------
    def register(self):
        if self.surface == "graphql":
            data = self.gql(
                "mutation($input: RegisterInput!) { register(input: $input) { token } }",
                {"input": {"email": self.email, "password": PASSWORD, "firstName": "Soak"}})
            self.token = data["register"]["token"]
        elif self.surface == "spree":
            body = self.spree("POST", "/customers", {
                "email": self.email, "password": PASSWORD, "password_confirmation": PASSWORD,
                "first_name": "Soak", "last_name": "Tester"})
            self.token = body["token"]
        else:
            reg = self.medusa("POST", "/auth/customer/emailpass/register",
                              {"email": self.email, "password": PASSWORD})
            self.medusa("POST", "/store/customers", {"email": self.email, "first_name": "Soak"},
                        token=reg["token"])
            self.sign_in()

    def sign_in(self):
        if self.surface == "graphql":
            data = self.gql(
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                {"e": self.email, "p": PASSWORD})
            self.token = data["login"]["token"]
        elif self.surface == "spree":
            self.token = self.spree("POST", "/auth/login",
                                    {"email": self.email, "password": PASSWORD})["token"]
        else:
            self.token = self.medusa("POST", "/auth/customer/emailpass",
                                     {"email": self.email, "password": PASSWORD})["token"]

    def browse(self):
        product = self.rng.choice(self.catalog["products"])
        self.gql("{ products(first: 20) { nodes { id name variants { id inStock } } } }",
                 label="graphql products")
        self.gql("query($id: ID) { product(id: $id) { id name variants { id inStock } } }",
                 {"id": product}, label="graphql product")
        self.spree("GET", "/products?per_page=12")
        self.spree("GET", f"/products/{product}")
        self.medusa("GET", "/store/products?limit=12")
        self.medusa("GET", f"/store/products/{product}")
        self.spree("GET", "/categories")
        self.medusa("GET", "/store/product-categories")

    def address(self):
        city = f"City {self.rng.randrange(10**6)}"
        action = self.rng.random()
        if not self.addresses or (action < 0.5 and len(self.addresses) < 6):
            self.create_address(city)
        elif action < 0.8:
            self.edit_address(self.rng.choice(self.addresses), city)
        else:
            address_id = self.addresses.pop(self.rng.randrange(len(self.addresses)))
            self.delete_address(address_id)

    def create_address(self, city):
        if self.surface == "graphql":
            data = self.gql(
                "mutation($input: AddressInput!) { createAddress(input: $input) { id city } }",
                {"input": {"firstName": "Grace", "lastName": "Hopper", "address1": "1 Navy Yard",
                           "city": city, "postalCode": "22202", "countryCode": "US",
                           "provinceCode": "VA"}}, token=self.token)
            new_id = data["createAddress"]["id"]
        elif self.surface == "spree":
            body = self.spree("POST", "/customers/me/addresses",
                              dict(US_ADDRESS, city=city, country_iso="US", state_abbr="VA"),
                              token=self.token)
            new_id = body["id"]
        else:
            body = self.medusa("POST", "/store/customers/me/addresses", {
                "first_name": "Grace", "last_name": "Hopper", "address_1": "1 Navy Yard",
                "city": city, "postal_code": "22202", "country_code": "us", "province": "VA"},
                token=self.token)
            known = set(self.addresses)
            fresh = [a["id"] for a in body["customer"]["addresses"] if a["id"] not in known]
            if len(fresh) != 1:
                raise Failure(f"medusa address create: {len(fresh)} new addresses in the answer")
            new_id = fresh[0]
        self.addresses.append(new_id)
        self.acked.address(new_id, city)

    def edit_address(self, address_id, city):
        if self.surface == "graphql":
            self.gql("mutation($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: "
                     "$input) { id } }",
                     {"id": address_id, "input": {"firstName": "Grace", "lastName": "Hopper",
                                                  "address1": "1 Navy Yard", "city": city,
                                                  "postalCode": "22202", "countryCode": "US",
                                                  "provinceCode": "VA"}}, token=self.token)
        elif self.surface == "spree":
            self.spree("PATCH", f"/customers/me/addresses/{address_id}", {"city": city},
                       token=self.token)
        else:
            self.medusa("POST", f"/store/customers/me/addresses/{address_id}", {"city": city},
                        token=self.token)
        self.acked.address(address_id, city)

    def delete_address(self, address_id):
        if self.surface == "graphql":
            self.gql("mutation($id: ID!) { deleteAddress(id: $id) }", {"id": address_id},
                     token=self.token)
        elif self.surface == "spree":
            self.spree("DELETE", f"/customers/me/addresses/{address_id}", token=self.token)
        else:
            self.medusa("DELETE", f"/store/customers/me/addresses/{address_id}", token=self.token)
        self.acked.address(address_id, None)

    def basket(self):
        """One to three lines; often one of the stock-limited variants, so they run out."""
        picks = {}
        if self.rng.random() < 0.5:
            picks[self.rng.choice(self.catalog["limited"])] = self.rng.randint(1, 2)
        for _ in range(self.rng.randint(1 if not picks else 0, 2)):
            picks[self.rng.choice(self.catalog["plenty"])] = self.rng.randint(1, 3)
        return picks

    def gift_card(self):
        """A shared gift card code now and then (all shoppers spend the same few cards)."""
        if self.catalog["gift_cards"] and self.rng.random() < 0.3:
            return self.rng.choice(self.catalog["gift_cards"])
        return None

    def checkout(self):
        signed = self.rng.random() < 0.5
        lines = self.basket()
        try:
            number = getattr(self, "checkout_" + self.surface)(lines, signed)
        except Refused as r:
            self.stats.refused(str(r))
            return
        self.acked.order(number, lines)

    def checkout_graphql(self, lines, signed):
        token = self.token if signed else None
        email = self.email if signed else f"guest{self.n}@example.com"
        data = self.gql(
            "mutation($input: CreateCartInput) { createCart(input: $input) { id token } }",
            {"input": {"email": email,
                       "items": [{"variantId": v, "quantity": q} for v, q in lines.items()]}},
            token=token)
        cart, guest = data["createCart"]["id"], data["createCart"]["token"]
        self.gql("mutation($cart: ID!, $input: UpdateCartInput!) { updateCart(cartId: $cart, "
                 "input: $input) { id } }",
                 {"cart": cart, "input": {"shippingAddress": {"address": {
                     "firstName": "Grace", "lastName": "Hopper", "address1": "1 Navy Yard",
                     "city": "Arlington", "postalCode": "22202", "countryCode": "US",
                     "provinceCode": "VA"}}}},
                 token=token, order_token=None if signed else guest)
        code = self.gift_card()
        if code:
            self.gql("mutation($cart: ID!, $code: String!) { applyGiftCard(cartId: $cart, "
                     "code: $code) { id } }", {"cart": cart, "code": code},
                     token=token, order_token=None if signed else guest)
        data = self.gql("mutation($cart: ID!) { completeCart(cartId: $cart) { id number } }",
                        {"cart": cart}, token=token, order_token=None if signed else guest)
        if signed:
            self.placed.append((data["completeCart"]["id"], data["completeCart"]["number"]))
        return data["completeCart"]["number"]

    def cancel(self):
        """A GraphQL customer cancels one of their orders: its stock, units sold and gift card
        money go back."""
        if self.surface != "graphql" or not self.placed or self.rng.random() < 0.5:
            return
        order_id, number = self.placed.pop(self.rng.randrange(len(self.placed)))
        self.gql("mutation($id: ID!) { cancelOrder(id: $id) { id } }", {"id": order_id},
                 token=self.token)
        self.acked.cancel(number)

    def checkout_spree(self, lines, signed):
        token = self.token if signed else None
        cart = self.spree("POST", "/carts", {}, token=token)
        cart_id, guest = cart["id"], cart.get("token")
        guest = None if signed else guest
        for variant, quantity in lines.items():
            self.spree("POST", f"/carts/{cart_id}/items",
                       {"variant_id": variant, "quantity": quantity}, token=token, guest=guest)
        update = {"shipping_address": dict(US_ADDRESS, country_iso="US", state_abbr="VA")}
        if not signed:
            update["email"] = f"guest{self.n}@example.com"
        self.spree("PATCH", f"/carts/{cart_id}", update, token=token, guest=guest)
        code = self.gift_card()
        if code:
            self.spree("POST", f"/carts/{cart_id}/gift_cards", {"code": code}, token=token,
                       guest=guest)
        order = self.spree("POST", f"/carts/{cart_id}/complete", token=token, guest=guest)
        return order["number"]

    def checkout_medusa(self, lines, signed):
        token = self.token if signed else None
        body = self.medusa("POST", "/store/carts", {
            "items": [{"variant_id": v, "quantity": q} for v, q in lines.items()]}, token=token)
        cart = body["cart"]["id"]
        update = {"shipping_address": {
            "first_name": "Grace", "last_name": "Hopper", "address_1": "1 Navy Yard",
            "city": "Arlington", "postal_code": "22202", "country_code": "us", "province": "VA"}}
        update["email"] = self.email if signed else f"guest{self.n}@example.com"
        self.medusa("POST", f"/store/carts/{cart}", update, token=token)
        self.medusa("POST", f"/store/carts/{cart}/shipping-methods", {"option_id": "so_standard"},
                    token=token)
        body = self.medusa("POST", "/store/payment-collections", {"cart_id": cart}, token=token)
        collection = body["payment_collection"]["id"]
        self.medusa("POST", f"/store/payment-collections/{collection}/payment-sessions",
                    {"provider_id": "pp_system_default"}, token=token)
        body = self.medusa("POST", f"/store/carts/{cart}/complete", token=token)
        if body.get("type") != "order":
            message = json.dumps(body.get("error"))
            if out_of_stock(message):
                raise Refused("medusa complete: out of stock")
            raise Failure(f"medusa complete: {message[:300]}")
        return body["order"]["custom_display_id"]

    def run(self, deadline):
        try:
            self.register()
        except (Failure, Refused) as e:
            self.stats.fail(f"[{self.surface} #{self.n}] registration: {e}")
            return
        actions = [(self.browse, 4), (self.address, 3), (self.checkout, 3), (self.sign_in, 1),
                   (self.cancel, 1)]
        population = [a for a, w in actions for _ in range(w)]
        while time.time() < deadline:
            action = self.rng.choice(population)
            try:
                action()
            except Refused as r:
                self.stats.refused(str(r))
            except Failure as f:
                self.stats.fail(f"[{self.surface} #{self.n}] {f}")
            except Exception:
                self.stats.fail(f"[{self.surface} #{self.n}] client bug: "
                                f"{traceback.format_exc(limit=3)}")


def issue_gift_cards(base, secret_key, count=4):
    """Gift cards of 150.00 the shoppers share, issued with the secret key; their codes."""
    http = Http(base, Stats())
    codes = []
    for _ in range(count):
        body = http.call("POST", "/graphql", {
            "query": "mutation($input: IssueGiftCardInput!) { issueGiftCard(input: $input) "
                     "{ code } }",
            "variables": {"input": {"amount": 15000, "currency": "USD"}}},
            {"x-storefront-secret-key": secret_key})
        if body.get("errors"):
            raise SystemExit(f"issuing a gift card failed: {body}")
        codes.append(body["data"]["issueGiftCard"]["code"])
    return codes


def prepare(db, base, key):
    """Picks the variants to sell and limits the stock of some; the stock before the soak."""
    rows = db.rows(
        "SELECT v.id, v.product_id, v.track_inventory, v.backorderable, v.stock_on_hand "
        "FROM variants v JOIN products p ON p.id = v.product_id "
        "WHERE p.status = 'active' AND p.discontinue_on IS NULL "
        "AND p.available_on <= CURRENT_TIMESTAMP AND v.discontinued_at IS NULL "
        "AND EXISTS (SELECT 1 FROM prices pr WHERE pr.variant_id = v.id AND pr.currency = 'USD') "
        # What a shopper picks: the option variants of a product that has them, else its default.
        "AND (NOT v.is_default OR NOT EXISTS (SELECT 1 FROM variants o "
        "WHERE o.product_id = v.product_id AND NOT o.is_default)) ORDER BY v.id")
    if len(rows) < 10:
        raise SystemExit(f"the catalogue has only {len(rows)} sellable variants")
    tracked = [r for r in rows if Database.boolean(r[2]) and not Database.boolean(r[3])]
    rng = random.Random(7)
    limited = rng.sample([r[0] for r in tracked], 4)
    for variant in limited:
        db.execute(f"UPDATE variants SET stock_on_hand = {LIMITED_STOCK} WHERE id = '{variant}'")
    plenty = [r[0] for r in rows if r[0] not in limited]
    # Plenty means plenty: no checkout of the soak runs these out.
    ids = ", ".join(f"'{v}'" for v in plenty)
    db.execute(f"UPDATE variants SET stock_on_hand = 100000 WHERE id IN ({ids}) "
               "AND track_inventory AND NOT backorderable AND stock_on_hand < 100000")
    products = sorted({r[1] for r in rows})
    return {"limited": limited, "plenty": plenty, "products": products}


SOLD = ("SELECT l.variant_id, SUM(l.quantity) FROM line_items l JOIN orders o ON o.id = l.order_id "
        "WHERE o.state = 'complete' AND l.variant_id IS NOT NULL GROUP BY l.variant_id")


SOLD_BY_PRODUCT = ("SELECT l.product_id, SUM(l.quantity) FROM line_items l "
                   "JOIN orders o ON o.id = l.order_id WHERE o.state = 'complete' "
                   "AND l.product_id IS NOT NULL GROUP BY l.product_id")


def stock_and_sold(db):
    """Each variant's stock, each variant's and product's units in placed orders, and each
    product's `units_sold` counter."""
    stock = {r[0]: (int(r[1]), Database.boolean(r[2]), Database.boolean(r[3]))
             for r in db.rows("SELECT id, stock_on_hand, track_inventory, backorderable "
                              "FROM variants")}
    sold = {r[0]: int(r[1]) for r in db.rows(SOLD)}
    by_product = {r[0]: int(r[1]) for r in db.rows(SOLD_BY_PRODUCT)}
    counters = {r[0]: int(r[1]) for r in db.rows("SELECT id, units_sold FROM products")}
    return stock, sold, by_product, counters


def audit(db, acked, before):
    problems = []
    # Addresses: each acknowledged one as last acknowledged, each deleted one gone.
    stored = {r[0]: r[1] for r in db.rows("SELECT id, city FROM addresses")}
    for address_id, city in acked.addresses.items():
        if city is None and address_id in stored:
            problems.append(f"address {address_id} was deleted but is still stored")
        elif city is not None and stored.get(address_id) != city:
            problems.append(f"address {address_id}: acknowledged city {city!r}, "
                            f"stored {stored.get(address_id)!r}")
    # Orders: each acknowledged one placed, with the lines it was placed with.
    orders = {r[0]: r for r in db.rows(
        "SELECT number, id, state, item_count, item_total, shipping_total, tax_total, total "
        "FROM orders WHERE state <> 'cart'")}
    lines = defaultdict(list)
    for r in db.rows("SELECT order_id, variant_id, quantity, unit_price, total FROM line_items"):
        lines[r[0]].append((r[1], int(r[2]), int(r[3]), int(r[4])))
    for number, want in acked.orders.items():
        row = orders.get(number)
        if row is None:
            problems.append(f"order {number} was acknowledged but is not stored")
            continue
        expected = "canceled" if number in acked.canceled else "complete"
        if row[2] != expected:
            problems.append(f"order {number} is {row[2]}, acknowledged {expected}")
        got = Counter()
        for variant, quantity, _, _ in lines[row[1]]:
            got[variant] += quantity
        if got != want:
            problems.append(f"order {number}: lines {dict(got)}, acknowledged {dict(want)}")
    # Every order's totals agree with its lines.
    for number, (_, order_id, _, item_count, item_total, shipping, tax, total) in orders.items():
        own = lines[order_id]
        if any(q * unit != line_total for _, q, unit, line_total in own):
            problems.append(f"order {number}: a line total is not quantity x unit price")
        if int(item_count) != sum(q for _, q, _, _ in own):
            problems.append(f"order {number}: item_count {item_count} disagrees with its lines")
        if int(item_total) != sum(t for _, _, _, t in own):
            problems.append(f"order {number}: item_total {item_total} disagrees with its lines")
        if int(total) != int(item_total) + int(shipping) + int(tax):
            problems.append(f"order {number}: total {total} is not items + shipping + tax")
    # Stock: never negative where it cannot be, and nothing sold that was not taken.
    stock_before, sold_before, product_sold_before, counters_before = before
    stock_after, sold_after, product_sold_after, counters_after = stock_and_sold(db)
    for product, counter in counters_after.items():
        moved = counter - counters_before.get(product, 0)
        sold = product_sold_after.get(product, 0) - product_sold_before.get(product, 0)
        if moved != sold:
            problems.append(f"product {product}: units_sold moved by {moved}, "
                            f"placed orders by {sold}")
    for variant, (stock, tracked, backorderable) in stock_after.items():
        if tracked and not backorderable and stock < 0:
            problems.append(f"variant {variant}: negative stock {stock}")
        if not tracked or variant not in stock_before:
            continue
        was = stock_before[variant][0] + sold_before.get(variant, 0)
        now = stock + sold_after.get(variant, 0)
        if was != now:
            problems.append(f"variant {variant}: stock + units sold was {was}, is {now}")
    # Balances: never negative nor above what was granted; what a card or credit lost is what
    # placed orders took from it; no order took more than its total.
    for table, kind in (("store_credits", "store_credit"), ("gift_cards", "gift_card")):
        for r in db.rows(f"SELECT id, remaining, amount FROM {table} "
                         "WHERE remaining < 0 OR remaining > amount"):
            problems.append(f"{table} {r[0]}: remaining {r[1]} of {r[2]}")
        for r in db.rows(
                f"SELECT b.id, b.amount - b.remaining, COALESCE(SUM(p.amount), 0) FROM {table} b "
                f"LEFT JOIN order_payments p ON p.source_id = b.id AND p.source_kind = '{kind}' "
                "AND p.state = 'captured' GROUP BY b.id, b.amount, b.remaining"):
            if int(r[1]) != int(r[2]):
                problems.append(f"{table} {r[0]}: {r[1]} spent, placed orders took {r[2]}")
    for r in db.rows("SELECT o.number, o.total, SUM(p.amount) FROM orders o "
                     "JOIN order_payments p ON p.order_id = o.id AND p.state = 'captured' "
                     "GROUP BY o.number, o.total HAVING SUM(p.amount) > o.total"):
        problems.append(f"order {r[0]}: balances paid {r[2]} of a total of {r[1]}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("key")
    parser.add_argument("database")
    parser.add_argument("secret_key")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()

    db = Database(args.database)
    catalog = prepare(db, args.base, args.key)
    catalog["gift_cards"] = issue_gift_cards(args.base, args.secret_key)
    before = stock_and_sold(db)
    stats, acked = Stats(), Acknowledged()
    deadline = time.time() + args.seconds
    shoppers = [Shopper(n, args, catalog, stats, acked) for n in range(args.clients)]
    threads = [threading.Thread(target=s.run, args=(deadline,)) for s in shoppers]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.time() - started

    total = sum(stats.requests.values())
    print(f"soak: {args.clients} clients, {took:.0f} s, {total} requests "
          f"({total / took:.0f}/s), {len(acked.orders)} orders placed "
          f"({len(acked.canceled)} canceled since), "
          f"{sum(stats.refusals.values())} refused (stock, gift card), "
          f"{len(acked.addresses)} addresses written")
    for label, n in sorted(stats.requests.items()):
        times = sorted(stats.seconds[label]) or [0]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"  {n:7d}  {label:48s} median {times[len(times) // 2]:6.3f} s  "
              f"p99 {p99:6.3f} s  max {times[-1]:6.3f} s")
    for label, n in sorted(stats.refusals.items()):
        print(f"  {n:7d}  refused: {label}")
    sold_out = sum(1 for v in catalog["limited"]
                   if int(db.rows(f"SELECT stock_on_hand FROM variants WHERE id = '{v}'")[0][0]) == 0)
    spent = db.rows("SELECT COUNT(*) FROM gift_cards WHERE remaining = 0")[0][0]
    captured = db.rows("SELECT COUNT(*) FROM order_payments WHERE state = 'captured'")[0][0]
    print(f"  gift cards used up: {spent} of {len(catalog['gift_cards'])}; "
          f"orders paid in part by a card: {captured}")
    print(f"  stock-limited variants sold out: {sold_out} of {len(catalog['limited'])}")
    status = 0
    if stats.failures:
        status = 1
        print(f"FAIL: {len(stats.failures)} failed requests", file=sys.stderr)
        for f in stats.failures[:40]:
            print("  " + f, file=sys.stderr)
    problems = audit(db, acked, before)
    if problems:
        status = 1
        print(f"FAIL: the audit found {len(problems)} problems", file=sys.stderr)
        for p in problems[:40]:
            print("  " + p, file=sys.stderr)
    else:
        print("audit: every acknowledged address and order stored, stock and balances consistent")
    if not acked.orders:
        status = 1
        print("FAIL: no order was placed", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
