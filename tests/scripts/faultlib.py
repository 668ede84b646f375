"""What the fault scripts share (tests/scripts/*_load.sh, sqlite_full_disk.sh): starting the
server binary, one HTTP request per fresh connection, and what a clean refusal looks like in
each dialect. Python's standard library only.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse

PASSWORD = "correct horse battery staple"


def fail(message, server=None):
    print(f"FAIL: {message}", file=sys.stderr)
    if server is not None:
        server.show_log()
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The debug binary on a port of its own, with its log in `log_path`."""

    def __init__(self, binary, env, log_path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        full_env = dict(os.environ)
        full_env.update(
            {
                "STOREFRONT_BIND": f"127.0.0.1:{self.port}",
                "STOREFRONT_JWT_SECRET": "fault-scripts-secret-0123456789abcdef",
                "STOREFRONT_CATALOG_CACHE_TTL": "0",
                "RUST_LOG": "warn,storefront=info",
            }
        )
        for name in (
            "REGISTER_PER_IP",
            "LOGIN_PER_IP",
            "LOGIN_PER_ACCOUNT",
            "REFRESH_PER_IP",
        ):
            full_env[f"STOREFRONT_THROTTLE_{name}"] = "1000000"
        full_env.update(env)
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [binary, "serve"], env=full_env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.key = None

    def wait_ready(self, seconds=60):
        """Waits for the start-up banner; keeps the development publishable key."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                fail(f"the server exited at start ({self.process.returncode})", self)
            text = open(self.log_path).read()
            if "serving on http://" in text and "publishable key" in text:
                match = re.search(r"pk_[0-9a-zA-Z]+", text)
                self.key = match.group(0) if match else None
                return
            time.sleep(0.1)
        fail("the server did not start", self)

    def show_log(self, lines=40):
        try:
            text = open(self.log_path).read().splitlines()
        except OSError:
            return
        print(f"--- last lines of {self.log_path}", file=sys.stderr)
        for line in text[-lines:]:
            print(line, file=sys.stderr)

    def log_text(self):
        return open(self.log_path).read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class NoAnswer(Exception):
    """The connection was refused or closed before any byte of an answer."""


class Truncated(Exception):
    """An answer began but did not arrive whole."""


def request(base, method, path, body=None, headers=None, timeout=15):
    """One request on a fresh connection: (status, parsed JSON or None, raw bytes).

    Raises NoAnswer when the server never answered (refused, or closed without a byte),
    Truncated when the answer was cut, socket.timeout when it took longer than `timeout`.
    """
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    data = None
    all_headers = {"connection": "close"}
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["content-type"] = "application/json"
    all_headers.update(headers or {})
    try:
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
        except (ConnectionRefusedError, http.client.RemoteDisconnected) as e:
            raise NoAnswer(str(e)) from e
        except (ConnectionResetError, BrokenPipeError) as e:
            raise NoAnswer(str(e)) from e
        try:
            raw = response.read()
        except (http.client.IncompleteRead, ConnectionResetError) as e:
            raise Truncated(f"{method} {path}: {e}") from e
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed, raw
    finally:
        conn.close()


def graphql(base, query, variables=None, token=None, headers=None, timeout=15):
    all_headers = dict(headers or {})
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    return request(
        base,
        "POST",
        "/graphql",
        {"query": query, "variables": variables or {}},
        all_headers,
        timeout,
    )


def unavailable_in_dialect(surface, status, body):
    """Whether an answer is the dialect's clean "try again later" (503)."""
    if surface == "graphql":
        if status not in (200, 503) or not isinstance(body, dict):
            return False
        errors = body.get("errors") or []
        return bool(errors) and all(
            (e.get("extensions") or {}).get("code") == "UNAVAILABLE" for e in errors
        )
    if surface == "spree":
        return (
            status == 503
            and isinstance(body, dict)
            and isinstance(body.get("error"), dict)
            and body["error"].get("code") == "service_unavailable"
            and isinstance(body["error"].get("message"), str)
        )
    if surface == "medusa":
        return (
            status == 503
            and isinstance(body, dict)
            and isinstance(body.get("type"), str)
            and isinstance(body.get("message"), str)
        )
    raise ValueError(surface)


def succeeded(surface, status, body):
    """Whether an answer is the operation's success."""
    if surface == "graphql":
        return status == 200 and isinstance(body, dict) and not body.get("errors")
    return status in (200, 201)


# Reads each surface serves from the catalogue (the demo seed's).
READS = {
    "graphql": lambda base, key: graphql(base, "{ products(first: 5) { nodes { id name } } }"),
    "spree": lambda base, key: request(
        base, "GET", "/api/v3/store/products?limit=5", headers={"x-spree-api-key": key}
    ),
    "medusa": lambda base, key: request(
        base, "GET", "/store/products?limit=5", headers={"x-publishable-api-key": key}
    ),
}


def register(base, email):
    """A customer registered over GraphQL: its access token."""
    status, body, _ = graphql(
        base,
        "mutation($i: RegisterInput!) { register(input: $i) { token customer { id } } }",
        {"i": {"email": email, "password": PASSWORD}},
    )
    if not succeeded("graphql", status, body):
        raise RuntimeError(f"register {email}: {status} {body}")
    return body["data"]["register"]["token"]


def address(marker):
    """An address whose city carries `marker`, in the three dialects' spellings."""
    return {
        "graphql": {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "address1": "12 St James's Square",
            "city": marker,
            "postalCode": "22202",
            "countryCode": "US",
            "provinceCode": "VA",
        },
        "spree": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "address1": "12 St James's Square",
            "city": marker,
            "postal_code": "22202",
            "country_iso": "US",
            "state_abbr": "VA",
        },
        "medusa": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "address_1": "12 St James's Square",
            "city": marker,
            "postal_code": "22202",
            "country_code": "us",
            "province": "VA",
        },
    }


def create_address(surface, base, key, token, marker, timeout=15):
    """Adds an address to the signed-in customer's book: (status, body)."""
    bodies = address(marker)
    if surface == "graphql":
        status, body, _ = graphql(
            base,
            "mutation($i: AddressInput!) { createAddress(input: $i) { id city } }",
            {"i": bodies["graphql"]},
            token=token,
            timeout=timeout,
        )
    elif surface == "spree":
        status, body, _ = request(
            base,
            "POST",
            "/api/v3/store/customers/me/addresses",
            bodies["spree"],
            {"x-spree-api-key": key, "authorization": f"Bearer {token}"},
            timeout,
        )
    else:
        status, body, _ = request(
            base,
            "POST",
            "/store/customers/me/addresses",
            bodies["medusa"],
            {"x-publishable-api-key": key, "authorization": f"Bearer {token}"},
            timeout,
        )
    return status, body


def variant_ids(base, count=3):
    """Variants of the demo catalogue that can be bought."""
    status, body, _ = graphql(
        base, "{ products(first: 20) { nodes { variants { id inStock } } } }"
    )
    if not succeeded("graphql", status, body):
        raise RuntimeError(f"products: {status} {body}")
    ids = [
        v["id"]
        for p in body["data"]["products"]["nodes"]
        for v in p["variants"]
        if v.get("inStock")
    ]
    return ids[:count] or ids


SHIP_TO = {
    "firstName": "Grace",
    "lastName": "Hopper",
    "address1": "1 Navy Yard",
    "city": "Arlington",
    "postalCode": "22202",
    "countryCode": "US",
    "provinceCode": "VA",
}
