#!/usr/bin/env python3
"""The load benchmark (issue #16): one command, both backends, every surface.

    python3 benches/load.py                      # release build, SQLite and PostgreSQL, 16 and 64 connections
    python3 benches/load.py --quick              # 3 s smoke run
    python3 benches/load.py --backend sqlite --binary target/release/storefront --scenarios health,listing

For each backend it makes a fresh database (a temporary SQLite file, or a PostgreSQL database
created and dropped through psql), seeds it (`storefront seed --products 10000 --customers
1000`), starts the release server on a free port with the login and refresh throttles raised,
and measures each scenario with wrk (benches/load.lua) at each connection count: requests/s,
p50, p99, errors (non-2xx, GraphQL `errors`, socket errors and timeouts), server CPU per
request (utime+stime of the server process over the run; on PostgreSQL also the database
processes'), peak RSS (VmHWM, reset before each run through /proc/PID/clear_refs) and the rate
as a fraction of /health's. When the Medusa peer runs (/work/shared/peers/medusa, or --peer-url)
its two routes are measured in the same run and compared. The report replaces the marked
section of BENCHMARKS.md and is printed. Python 3.11 standard library only; needs wrk and,
for PostgreSQL, psql.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "benches" / "load.lua"
REPORT_BEGIN = "<!-- load.py report: begin (rewritten by benches/load.py; notes go outside) -->"
REPORT_END = "<!-- load.py report: end -->"
DEMO_PASSWORD = "demo-password-123"  # src/db/seed/mod.rs DEMO_PASSWORD
RAISED = "1000000000"  # login and refresh throttles while measuring

PRODUCT_FIELDS = (
    "id name slug description price { amount currency } variants { id sku price { amount currency } "
    "optionValues { name } } images { url } categories { id name }"
)
LISTING = "{ products(first: 20) { nodes { " + PRODUCT_FIELDS + " } } }"
ADDRESS_FIELDS = (
    "id label firstName lastName company address1 address2 city postalCode countryCode "
    "provinceCode phone isDefaultShipping"
)
ME_ADDRESSES = "{ me { id email firstName lastName addresses { " + ADDRESS_FIELDS + " } } }"
ME_ORDERS = (
    "{ me { id orders(first: 10) { totalCount nodes { id number status placedAt total { amount currency } "
    "lineItems { id name sku options quantity unitPrice { amount currency } total { amount currency } } } } } }"
)


def gql_body(query: str) -> str:
    return json.dumps({"query": query}, separators=(",", ":"))


# --------------------------------------------------------------------------------------------
# Scenarios


@dataclass
class Scenario:
    name: str
    title: str
    path: Callable[[dict], str]
    method: str = "GET"
    bodies: Callable[[dict], list[str]] = lambda ctx: []
    headers: Callable[[dict], list[str]] = lambda ctx: []
    tokens: Callable[[dict], list[str]] = lambda ctx: []
    graphql: bool = False
    mode: str = "fixed"  # fixed | refresh | checkout
    peer: bool = False  # runs against the Medusa peer
    default: bool = True
    background: str | None = None  # another scenario loading the server at the same time

    @property
    def one_connection_per_thread(self) -> bool:
        return self.mode != "fixed"


def _gql(name, title, query: Callable[[dict], str], auth=False, default=True) -> Scenario:
    return Scenario(
        name,
        title,
        path=lambda ctx: "/graphql",
        method="POST",
        bodies=lambda ctx: [gql_body(query(ctx))],
        tokens=(lambda ctx: ctx["access_tokens"]) if auth else (lambda ctx: []),
        graphql=True,
        default=default,
    )


def _spree(ctx):
    return [f"x-spree-api-key: {ctx['publishable_key']}"]


def _medusa(ctx):
    return [f"x-publishable-api-key: {ctx['publishable_key']}"]


def _peer(ctx):
    return [f"x-publishable-api-key: {ctx['peer_key']}"]


SPREE_EXPAND = "expand=variants,media,categories,option_types"

SCENARIOS = [
    Scenario("health", "`GET /health` (the ceiling)", path=lambda ctx: "/health"),
    _gql("listing", "GraphQL: 20 products with variants, prices, options, images, categories",
         lambda ctx: LISTING),
    _gql("product", "GraphQL: one product by slug, same fields",
         lambda ctx: '{ product(slug: "%s") { %s } }' % (ctx["slug"], PRODUCT_FIELDS)),
    _gql("search", "GraphQL: search, 20 products",
         lambda ctx: '{ products(first: 20, filter: { search: "%s" }) { totalCount nodes { id name slug '
                     'price { amount currency } } } }' % ctx["search"]),
    _gql("me", "GraphQL: `me` with addresses", lambda ctx: ME_ADDRESSES, auth=True),
    _gql("orders", "GraphQL: `me` with `orders(first: 10)` and line items", lambda ctx: ME_ORDERS, auth=True),
    Scenario("login", "GraphQL: `login` (Argon2id verify)", path=lambda ctx: "/graphql", method="POST",
             bodies=lambda ctx: [gql_body('mutation { login(email: "%s", password: "%s") { token } }'
                                          % (email, DEMO_PASSWORD)) for email in ctx["emails"]],
             graphql=True),
    Scenario("refresh", "GraphQL: `refresh` (each connection rotates its own token)",
             path=lambda ctx: "/graphql", method="POST", graphql=True, mode="refresh",
             tokens=lambda ctx: ctx["refresh_tokens"]),
    Scenario("checkout", "GraphQL: guest createCart + updateCart + completeCart (req/s = steps)",
             path=lambda ctx: "/graphql", method="POST", graphql=True, mode="checkout"),
    Scenario("listing-during-logins", "GraphQL listing while as many other connections log in",
             path=lambda ctx: "/graphql", method="POST", bodies=lambda ctx: [gql_body(LISTING)], graphql=True,
             background="login"),
    Scenario("spree-products", "Spree: `GET /api/v3/store/products?per_page=20&expand=...`",
             path=lambda ctx: f"/api/v3/store/products?per_page=20&{SPREE_EXPAND}", headers=_spree),
    Scenario("spree-product", "Spree: `GET /api/v3/store/products/{slug}?expand=...`",
             path=lambda ctx: f"/api/v3/store/products/{ctx['slug']}?{SPREE_EXPAND}", headers=_spree,
             default=False),
    Scenario("spree-me", "Spree: `GET /api/v3/store/customers/me`",
             path=lambda ctx: "/api/v3/store/customers/me", headers=_spree,
             tokens=lambda ctx: ctx["access_tokens"], default=False),
    Scenario("medusa-products", "Medusa: `GET /store/products?limit=20`",
             path=lambda ctx: "/store/products?limit=20", headers=_medusa),
    Scenario("medusa-me", "Medusa: `GET /store/customers/me`", path=lambda ctx: "/store/customers/me",
             headers=_medusa, tokens=lambda ctx: ctx["access_tokens"]),
]
PEER_SCENARIOS = [
    Scenario("peer-products", "Medusa 2.21: `GET /store/products?limit=20`",
             path=lambda ctx: "/store/products?limit=20", headers=_peer, peer=True),
    Scenario("peer-me", "Medusa 2.21: `GET /store/customers/me`", path=lambda ctx: "/store/customers/me",
             headers=_peer, tokens=lambda ctx: [ctx["peer_token"]], peer=True),
]
# (ours, peer) pairs compared in the report.
COMPARISONS = [
    ("medusa-products", "peer-products"),
    ("listing", "peer-products"),
    ("medusa-me", "peer-me"),
    ("me", "peer-me"),
]


# --------------------------------------------------------------------------------------------
# Small helpers


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: str | None = None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, str]:
    data = body.encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if body is not None and body.startswith("{"):
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def graphql(base: str, query: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status, text = http("POST", base + "/graphql", gql_body(query), headers)
    answer = json.loads(text)
    if status != 200 or answer.get("errors"):
        raise RuntimeError(f"GraphQL {status}: {text[:300]}")
    return answer["data"]


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def postgres_ticks() -> int:
    """CPU ticks of every PostgreSQL process, including backends that exited."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        if "(postgres)" in text[:40]:
            fields = text.rsplit(")", 1)[1].split()
            # utime + stime, and cutime + cstime: the postmaster collects its exited backends' time.
            total += sum(int(x) for x in fields[11:15])
    return total


def status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": mem_kb / 1024 / 1024,
        "kernel": platform.release(),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": open("/proc/loadavg").read().split()[:3],
        "wrk": (wrk_version.stdout + wrk_version.stderr).split("\n")[0].strip(),
    }


# --------------------------------------------------------------------------------------------
# Build, database, server


def build() -> Path:
    log("cargo build --release (pass --binary PATH to skip)")
    process = subprocess.run(
        ["cargo", "build", "--release", "--message-format=json-render-diagnostics"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if process.returncode != 0:
        sys.exit("cargo build --release failed")
    for line in process.stdout.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if (message.get("reason") == "compiler-artifact" and message.get("executable")
                and message["target"]["name"] == "storefront"):
            return Path(message["executable"])
    sys.exit("cargo build printed no storefront executable")


class Database:
    """A fresh database for one backend, removed by close()."""

    def __init__(self, backend: str, pg_admin_url: str, workdir: Path):
        self.backend = backend
        self.pg_admin_url = pg_admin_url
        if backend == "sqlite":
            self.url = f"sqlite://{workdir / 'bench.db'}"
            self.name = None
        else:
            self.name = f"storefront_bench_{os.getpid()}_{int(time.time())}"
            self._psql(f'CREATE DATABASE "{self.name}"')
            base = pg_admin_url.rsplit("/", 1)[0]
            self.url = f"{base}/{self.name}"

    def _psql(self, sql: str) -> None:
        subprocess.run(["psql", self.pg_admin_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                       check=True, capture_output=True, text=True)

    def analyze(self) -> None:
        """PostgreSQL plans from statistics that autovacuum gathers only later: a freshly seeded
        database without them gets nested-loop plans that make a search take seconds."""
        if self.name:
            base = self.pg_admin_url.rsplit("/", 1)[0]
            subprocess.run(["psql", f"{base}/{self.name}", "-qAtc", "ANALYZE"], check=True,
                           capture_output=True, text=True)

    def close(self) -> None:
        if self.name:
            try:
                self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            except subprocess.CalledProcessError as e:
                log(f"could not drop {self.name}: {e.stderr.strip()}")


class Server:
    def __init__(self, binary: Path, database_url: str, workdir: Path):
        self.binary = binary
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": database_url,
            "STOREFRONT_BIND": f"127.0.0.1:{self.port}",
            "STOREFRONT_ENV": "development",
            "STOREFRONT_DATA_DIR": str(workdir / "data"),
            "STOREFRONT_SEED": "none",
            "STOREFRONT_LOG_FORMAT": "json",
            "STOREFRONT_SHUTDOWN_TIMEOUT": "2",
            "STOREFRONT_THROTTLE_LOGIN_PER_IP": RAISED,
            "STOREFRONT_THROTTLE_LOGIN_PER_ACCOUNT": RAISED,
            "STOREFRONT_THROTTLE_REFRESH_PER_IP": RAISED,
        })
        # The read path itself is what is measured: the catalogue micro-cache is off unless the
        # caller sets it (`STOREFRONT_CATALOG_CACHE_TTL=2 python3 benches/load.py ...`).
        self.env.setdefault("STOREFRONT_CATALOG_CACHE_TTL", "0")
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / "server.log"

    def command(self, *args: str) -> str:
        process = subprocess.run([str(self.binary), *args], env=self.env, capture_output=True, text=True)
        if process.returncode != 0:
            raise RuntimeError(f"storefront {' '.join(args)} failed: {process.stderr.strip()[-500:]}")
        return process.stdout.strip() or process.stderr.strip()

    def start(self) -> float:
        """Starts the server; answers the seconds from launch to the first 200 on /health."""
        log_file = open(self.log_path, "ab")
        started = time.perf_counter()
        self.process = subprocess.Popen([str(self.binary), "serve"], env=self.env,
                                        stdout=log_file, stderr=subprocess.STDOUT)
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.log_path}:\n"
                                   + self.log_path.read_text()[-1500:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return time.perf_counter() - started
            except OSError:
                pass
            if time.perf_counter() - started > 120:
                raise RuntimeError("the server did not answer /health within 120 s")
            time.sleep(0.002)

    @property
    def pid(self) -> int:
        assert self.process
        return self.process.pid

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Result:
    scenario: str
    connections: int
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    requests: int = 0
    cpu_ms: float | None = None
    pg_cpu_ms: float | None = None
    peak_rss_mb: float | None = None
    peak_is_running: bool = False
    orders_per_s: float | None = None
    failed: str | None = None  # the run could not be made at all
    note: str | None = None
    detail: dict = field(default_factory=dict)


def start_wrk(scenario: Scenario, ctx: dict, base: str, connections: int, seconds: float,
              threads: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update({
        "BENCH_MODE": scenario.mode,
        "BENCH_METHOD": scenario.method,
        "BENCH_BODIES": "\n".join(scenario.bodies(ctx)),
        "BENCH_HEADERS": "\n".join(scenario.headers(ctx)),
        "BENCH_TOKENS": ",".join(scenario.tokens(ctx)),
        "BENCH_CHECK": "graphql" if scenario.graphql else "status",
        "BENCH_VARIANT": ctx.get("variant", ""),
    })
    if scenario.one_connection_per_thread:
        threads = connections
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "10s", "--latency", "-s", str(LUA), base + scenario.path(ctx)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wrk_result(process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate()
    for line in stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(f"wrk printed no result ({process.returncode}): {stderr.strip()[-400:]}"
                       f" {stdout.strip()[-400:]}")


def run_wrk(scenario: Scenario, ctx: dict, base: str, connections: int, seconds: float,
            threads: int) -> dict:
    background = None
    if scenario.background:
        # The load beside: started first and ending after the measured run.
        other = next(s for s in SCENARIOS if s.name == scenario.background)
        background = start_wrk(other, ctx, base, connections, seconds + 2, threads)
        time.sleep(1)
    try:
        return wrk_result(start_wrk(scenario, ctx, base, connections, seconds, threads))
    finally:
        if background:
            background_result = wrk_result(background)
            ctx["background"] = background_result


def preflight(scenario: Scenario, ctx: dict, base: str) -> str | None:
    """One request of a fixed scenario by hand: None when it answers well, else what it answered."""
    if scenario.mode != "fixed":
        return None
    headers = {}
    for line in scenario.headers(ctx):
        name, value = line.split(":", 1)
        headers[name.strip()] = value.strip()
    tokens = scenario.tokens(ctx)
    if tokens:
        headers["Authorization"] = f"Bearer {tokens[0]}"
    bodies = scenario.bodies(ctx)
    try:
        status, text = http(scenario.method, base + scenario.path(ctx), bodies[0] if bodies else None,
                            headers, timeout=60)
    except OSError as e:
        return f"no answer: {e}"
    if not 200 <= status <= 299 or (scenario.graphql and '"errors"' in text):
        return f"{status} {' '.join(text.split())[:400]}"
    return None


def measure(scenario: Scenario, ctx: dict, base: str, pid: int, connections: int, seconds: float,
            threads: int, with_postgres: bool, prepare: Callable[[int], None] | None) -> Result:
    result = Result(scenario.name, connections)
    try:
        if prepare:
            prepare(connections)
        tick = os.sysconf("SC_CLK_TCK")
        result.peak_is_running = not reset_peak(pid)
        cpu0 = cpu_ticks(pid)
        pg0 = postgres_ticks() if with_postgres else 0
        out = run_wrk(scenario, ctx, base, connections, seconds, threads)
        cpu1 = cpu_ticks(pid)
        pg1 = postgres_ticks() if with_postgres else 0
    except Exception as e:  # noqa: BLE001 - one failed run must not stop the others
        result.failed = str(e)
        return result
    requests = max(out["requests"], 1)
    result.detail = out
    result.requests = out["requests"]
    result.rps = out["rps"]
    result.p50_ms = out["p50_ms"]
    result.p99_ms = out["p99_ms"]
    result.errors = out["failures"] + out["socket_errors"] + out["timeouts"]
    result.cpu_ms = (cpu1 - cpu0) * 1000 / tick / requests
    if with_postgres:
        result.pg_cpu_ms = (pg1 - pg0) * 1000 / tick / requests
    hwm = status_kb(pid, "VmHWM")
    result.peak_rss_mb = hwm / 1024 if hwm else None
    if scenario.background:
        result.cpu_ms = result.pg_cpu_ms = None  # shared with the load beside
        beside = ctx.pop("background", None)
        if beside:
            result.note = f"{beside['rps']:.1f} logins/s beside"
    if scenario.mode == "checkout":
        result.orders_per_s = out["orders"] / (out["duration_us"] / 1e6)
    return result


def run_scenarios(scenarios: list[Scenario], ctx: dict, base: str, pid: int, args, with_postgres: bool,
                  prepare: dict[str, Callable[[int], None]], results: list[Result], label: str) -> None:
    for scenario in scenarios:
        problem = preflight(scenario, ctx, base)
        if problem:
            log(f"{label} {scenario.name}: a single request fails: {problem}")
            ctx.setdefault("problems", {})[scenario.name] = problem
        # Node's JIT needs longer than our server to reach its pace.
        warmup = max(args.warmup, 3) if scenario.peer else args.warmup
        if warmup > 0:
            try:
                if scenario.name in prepare:
                    prepare[scenario.name](args.connections[0])
                run_wrk(scenario, ctx, base, args.connections[0], warmup, args.threads)
            except Exception as e:  # noqa: BLE001
                log(f"{label} {scenario.name}: warm-up failed: {e}")
        # The peer answers a listing in seconds under load: shorter runs may complete nothing.
        duration = max(args.duration, 10) if scenario.peer else args.duration
        for connections in args.connections:
            result = measure(scenario, ctx, base, pid, connections, duration, args.threads,
                             with_postgres, prepare.get(scenario.name))
            results.append(result)
            if result.failed:
                log(f"{label} {scenario.name} c={connections}: FAILED {result.failed}")
            else:
                log(f"{label} {scenario.name} c={connections}: {result.rps:.1f} req/s, p50 {result.p50_ms:.2f} ms,"
                    f" p99 {result.p99_ms:.2f} ms, errors {result.errors}, cpu {fmt(result.cpu_ms, 3)} ms/req,"
                    f" peak RSS {fmt(result.peak_rss_mb, 1)} MB")


# --------------------------------------------------------------------------------------------
# One backend


def logins(base: str, emails: list[str]) -> list[dict]:
    """Tokens for the emails; a failed login is logged and tried again (twice at most)."""
    query = 'mutation { login(email: "%s", password: "%s") { token refreshToken } }'

    def login(email: str) -> dict:
        for attempt in range(3):
            try:
                return graphql(base, query % (email, DEMO_PASSWORD))["login"]
            except RuntimeError as e:
                log(f"login of {email} failed (attempt {attempt + 1}): {e}")
                if attempt == 2:
                    raise
                time.sleep(1)
        raise AssertionError("unreachable")

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(login, emails))


def context(base: str, customers: int) -> dict:
    """What the scenarios need: keys, tokens, a product, a search word, a variant that never runs out."""
    data = graphql(base, "{ products(first: 100) { nodes { slug name variants { id backorderable purchasable } } } }")
    nodes = data["products"]["nodes"]
    if not nodes:
        raise RuntimeError("the seeded catalogue is empty")
    variant = next((v["id"] for p in nodes for v in p["variants"] if v["backorderable"] and v["purchasable"]),
                   None)
    # A word of a product name that several products share: a search that finds a page.
    words: dict[str, int] = {}
    for p in nodes:
        for word in set(re.findall(r"[a-z]{4,}", p["name"].lower())):
            words[word] = words.get(word, 0) + 1
    search = max(words, key=words.get) if words else nodes[0]["name"].split()[0]
    emails = [f"customer{i}@example.com" for i in range(1, min(customers, 8) + 1)]
    tokens = [t["token"] for t in logins(base, emails)] if emails else []
    return {"slug": nodes[len(nodes) // 2]["slug"], "search": search, "variant": variant or "",
            "emails": emails, "access_tokens": tokens, "customers": customers}


def run_backend(backend: str, binary: Path, args, scenarios: list[Scenario]) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"storefront-load-{backend}-"))
    outcome: dict = {"backend": backend, "results": []}
    database = None
    server = None
    try:
        database = Database(backend, args.pg_url, workdir)
        server = Server(binary, database.url, workdir)
        log(f"{backend}: seeding {args.products} products, {args.customers} customers")
        started = time.perf_counter()
        server.command("seed", "--products", str(args.products), "--customers", str(args.customers))
        outcome["seed_s"] = time.perf_counter() - started
        database.analyze()
        key = server.command("keys", "create", "publishable", "--name", "load-bench").splitlines()[-1].strip()
        outcome["ready_ms"] = server.start() * 1000
        outcome["idle_rss_mb"] = (status_kb(server.pid, "VmRSS") or 0) / 1024
        log(f"{backend}: seeded in {outcome['seed_s']:.1f} s, ready in {outcome['ready_ms']:.0f} ms"
            f" on {server.base}")
        ctx = context(server.base, args.customers)
        ctx["publishable_key"] = key
        log(f"{backend}: product slug {ctx['slug']!r}, search {ctx['search']!r}, checkout variant {ctx['variant']!r}")
        if not ctx["variant"]:
            log(f"{backend}: no backorderable variant among the first 100 products; checkout may refuse")

        def refresh_tokens(connections: int) -> None:
            emails = [f"customer{i % max(args.customers, 1) + 1}@example.com" for i in range(connections)]
            ctx["refresh_tokens"] = [t["refreshToken"] for t in logins(server.base, emails)]

        prepare = {"refresh": refresh_tokens}
        if args.customers == 0:
            scenarios = [s for s in scenarios if s.name not in ("me", "orders", "login", "refresh", "spree-me",
                                                                "medusa-me")]
        run_scenarios(scenarios, ctx, server.base, server.pid, args, backend == "postgres", prepare,
                      outcome["results"], backend)
        outcome["problems"] = ctx.get("problems", {})
        outcome["rss_after_mb"] = (status_kb(server.pid, "VmRSS") or 0) / 1024
        if database.backend == "sqlite":
            outcome["db_mb"] = sum(p.stat().st_size for p in workdir.glob("bench.db*")) / 1e6
    except Exception as e:  # noqa: BLE001
        outcome["error"] = str(e)
        log(f"{backend}: {e}")
    finally:
        if server:
            server.stop()
        if database:
            database.close()
        if args.keep:
            log(f"{backend}: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return outcome


# --------------------------------------------------------------------------------------------
# The Medusa peer


def peer_context(url: str, peer_dir: Path) -> dict | None:
    try:
        status, _ = http("GET", url + "/health", timeout=3)
    except OSError:
        status = 0
    if status != 200:
        log(f"no Medusa peer at {url} (set it up with bash /work/shared/peers/medusa/setup.sh); skipped")
        return None
    key = (peer_dir / "publishable.key").read_text().strip()
    pid_file = peer_dir / "server.pid"
    pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
    email, password = "bench@test.com", "bench-pass-1"  # as /work/shared/peers/medusa/bench.sh
    credentials = json.dumps({"email": email, "password": password})
    status, text = http("POST", url + "/auth/customer/emailpass", credentials)
    if status != 200:
        _, text = http("POST", url + "/auth/customer/emailpass/register", credentials)
        registration = json.loads(text)["token"]
        http("POST", url + "/store/customers", json.dumps({"email": email, "first_name": "Bench",
                                                            "last_name": "Mark"}),
             {"authorization": f"Bearer {registration}", "x-publishable-api-key": key})
        status, text = http("POST", url + "/auth/customer/emailpass", credentials)
    token = json.loads(text)["token"]
    return {"peer_key": key, "peer_token": token, "pid": pid, "url": url}


def run_peer(args, scenarios: list[Scenario]) -> dict | None:
    ctx = peer_context(args.peer_url, Path(args.peer_dir))
    if not ctx:
        return None
    outcome: dict = {"results": [], "url": ctx["url"]}
    pid = ctx["pid"]
    if not pid or not Path(f"/proc/{pid}").exists():
        log("the Medusa peer's server.pid names no running process: CPU and RSS not measured")
        pid = os.getpid()  # harmless stand-in; its numbers are dropped below
        outcome["no_pid"] = True
    run_scenarios(scenarios, ctx, ctx["url"], pid, args, True, {}, outcome["results"], "medusa")
    if outcome.get("no_pid"):
        for r in outcome["results"]:
            r.cpu_ms = r.peak_rss_mb = None
    outcome["problems"] = ctx.get("problems", {})
    return outcome


# --------------------------------------------------------------------------------------------
# Report


def fmt(value, digits=1, suffix="") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value >= 1000:
        return f"{value:,.0f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


def titles() -> dict[str, str]:
    return {s.name: s.title for s in SCENARIOS + PEER_SCENARIOS}


def table(results: list[Result], with_postgres: bool, ceiling: dict[int, float] | None) -> list[str]:
    head = ["scenario", "conns", "req/s", "p50 ms", "p99 ms", "errors", "server CPU ms/req"]
    if with_postgres:
        head.append("PostgreSQL CPU ms/req")
    head += ["peak RSS MB"]
    if ceiling is not None:
        head.append("of /health")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    names = titles()
    for r in results:
        if r.failed:
            lines.append(f"| {names[r.scenario]} | {r.connections} | failed: {r.failed[:120]} |"
                         + " |" * (len(head) - 3))
            continue
        if r.requests == 0:
            lines.append(f"| {names[r.scenario]} | {r.connections} | no request completed in the run |"
                         + " |" * (len(head) - 3))
            continue
        rate = fmt(r.rps)
        if r.orders_per_s is not None:
            rate += f" ({r.orders_per_s:.1f} orders/s)"
        if r.note:
            rate += f" ({r.note})"
        row = [names[r.scenario], str(r.connections), rate, fmt(r.p50_ms, 2), fmt(r.p99_ms, 1),
               f"{r.errors} of {r.requests}" if r.errors else "0", fmt(r.cpu_ms, 3)]
        if with_postgres:
            row.append(fmt(r.pg_cpu_ms, 3))
        row.append(fmt(r.peak_rss_mb, 1) + (" (running peak)" if r.peak_is_running and r.peak_rss_mb else ""))
        if ceiling is not None:
            base = ceiling.get(r.connections)
            row.append(f"{100 * r.rps / base:.1f}%" if base else "")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def report(info: dict, args, outcomes: list[dict], peer: dict | None, command: str) -> str:
    threads = f"-t{args.threads}"
    lines = [
        REPORT_BEGIN,
        "## Load benchmark",
        "",
        f"`{command}` on {info['date']}, commit `{info['commit']}`.",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']:.1f} GiB RAM, Linux {info['kernel']};"
        f" load average before the run {' '.join(info['loadavg'])}.",
        f"- {info['wrk']}: {threads} (one connection per thread for refresh and checkout), {args.duration:g} s per"
        f" run after a {args.warmup:g} s warm-up per scenario; latencies include wrk's own queueing.",
        f"- Database: fresh per backend, `storefront seed --products {args.products} --customers"
        f" {args.customers}` (then `ANALYZE` on PostgreSQL, as autovacuum would do later); login and refresh"
        " throttles raised so they are not what is measured; catalogue micro-cache"
        f" {'off (`STOREFRONT_CATALOG_CACHE_TTL=0`)' if os.environ.get('STOREFRONT_CATALOG_CACHE_TTL', '0') == '0' else 'on, TTL ' + os.environ['STOREFRONT_CATALOG_CACHE_TTL'] + ' s'}.",
        "- errors: non-2xx answers, GraphQL `errors`, socket errors and timeouts. Server CPU: user+system"
        " time of the server process over the run divided by its requests (PostgreSQL's processes"
        " apart). Peak RSS: VmHWM, reset to the current RSS before each run (so it includes what earlier"
        " runs left allocated).",
        "",
    ]
    peer_rps = {}
    if peer:
        peer_rps = {(r.scenario, r.connections): r.rps for r in peer["results"] if not r.failed}
    for outcome in outcomes:
        backend = outcome["backend"]
        name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend]
        lines.append(f"### {name}")
        lines.append("")
        if "error" in outcome:
            lines += [f"The run failed: {outcome['error']}", ""]
        facts = []
        if "seed_s" in outcome:
            facts.append(f"seeded in {outcome['seed_s']:.1f} s")
        if "db_mb" in outcome:
            facts.append(f"database {outcome['db_mb']:.0f} MB")
        if "ready_ms" in outcome:
            facts.append(f"start to ready {outcome['ready_ms']:.0f} ms (existing database)")
        if "idle_rss_mb" in outcome:
            facts.append(f"RSS at ready {outcome['idle_rss_mb']:.1f} MB")
        if "rss_after_mb" in outcome:
            facts.append(f"RSS after the run {outcome['rss_after_mb']:.1f} MB")
        if facts:
            lines += [facts[0][0].upper() + "; ".join(facts)[1:] + ".", ""]
        results = outcome["results"]
        ceiling = {r.connections: r.rps for r in results if r.scenario == "health" and not r.failed}
        if results:
            lines += table(results, backend == "postgres", ceiling)
            lines.append("")
        for problem_scenario, problem in outcome.get("problems", {}).items():
            lines.append(f"- `{problem_scenario}`: one request by hand answered {problem}")
        if outcome.get("problems"):
            lines.append("")
        if peer_rps:
            ours = {(r.scenario, r.connections): r.rps for r in results if not r.failed}
            rows = []
            for mine, theirs in COMPARISONS:
                for c in args.connections:
                    if (mine, c) in ours and peer_rps.get((theirs, c)):
                        rows.append(f"| {titles()[mine]} | {titles()[theirs]} | {c} | {fmt(ours[(mine, c)])} |"
                                    f" {fmt(peer_rps[(theirs, c)])} | {ours[(mine, c)] / peer_rps[(theirs, c)]:.1f}x |")
            if rows:
                lines += [f"Against Medusa ({name}):", "",
                          "| ours | Medusa | conns | ours req/s | Medusa req/s | ours / Medusa |",
                          "|---|---|---|---|---|---|", *rows, ""]
    if peer:
        lines += [f"### Medusa peer ({peer['url']}, same run)", "",
                  "Node process only; its PostgreSQL's CPU apart. Runs of at least 10 s, after a 3 s warm-up.", ""]
        lines += table(peer["results"], True, None)
        lines.append("")
        for problem_scenario, problem in peer.get("problems", {}).items():
            lines += [f"- `{problem_scenario}`: one request by hand answered {problem}"]
    else:
        why = "not asked for (--no-peer)" if args.no_peer else "not running"
        lines += [f"The Medusa peer was {why}: no comparison in this run.", ""]
    lines.append(REPORT_END)
    return "\n".join(lines) + "\n"


def write_report(path: Path, section: str) -> None:
    text = path.read_text() if path.exists() else ""
    if REPORT_BEGIN in text and REPORT_END in text:
        before = text.split(REPORT_BEGIN, 1)[0]
        after = text.split(REPORT_END, 1)[1]
        text = before + section.rstrip("\n") + after
    elif text:
        # Put the report under the title, keeping everything already written.
        first, _, rest = text.partition("\n")
        if first.startswith("# "):
            text = first + "\n\n" + section + "\n" + rest.lstrip("\n")
        else:
            text = section + "\n" + text
    else:
        text = ("# Benchmarks\n\n" + section + "\n## Notes\n\nHand-written notes go here, outside the markers;"
                " `benches/load.py` rewrites only the section between them.\n")
    path.write_text(text)


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Scenarios: " + ", ".join(
                                         s.name + ("" if s.default else " (not by default)") for s in SCENARIOS)
                                            + "; peer-products, peer-me run when the peer is up.")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=8, help="seconds per measured run (default 8)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per scenario (default 2)")
    parser.add_argument("--connections", default="16,64", help="comma list (default 16,64)")
    parser.add_argument("--threads", type=int, default=min(os.cpu_count() or 2, 4),
                        help="wrk threads (default: cores, at most 4)")
    parser.add_argument("--binary", type=Path, help="a built storefront binary (default: cargo build --release)")
    parser.add_argument("--scenarios", help="comma list (default: all but those marked not by default); "
                        "`all` for every one")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 s per run, 1 s warm-up")
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="PostgreSQL to create the bench database from")
    parser.add_argument("--peer-url", default=os.environ.get("MEDUSA_URL", "http://127.0.0.1:9000"))
    parser.add_argument("--peer-dir", default=os.environ.get("PEER_DIR", "/tmp/medusa-peer"))
    parser.add_argument("--no-peer", action="store_true", help="do not measure the Medusa peer")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories (logs, SQLite file)")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup = 3, 1
    args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    command = "python3 benches/load.py" + ("" if not argv else " " + shlex.join(argv))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    known = {s.name: s for s in SCENARIOS}
    if args.scenarios in (None, ""):
        chosen = [s for s in SCENARIOS if s.default]
        peer_chosen = PEER_SCENARIOS
    elif args.scenarios == "all":
        chosen, peer_chosen = SCENARIOS, PEER_SCENARIOS
    else:
        names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
        unknown = [n for n in names if n not in known and n not in ("peer-products", "peer-me")]
        if unknown:
            sys.exit(f"unknown scenarios: {', '.join(unknown)}")
        if "health" not in names:
            names.insert(0, "health")  # the ceiling every rate is compared with
        chosen = [s for s in SCENARIOS if s.name in names]
        peer_chosen = [s for s in PEER_SCENARIOS if s.name in names]
        if not peer_chosen and any(n in names for n in ("listing", "medusa-products")):
            peer_chosen.append(PEER_SCENARIOS[0])
        if not any(s.name == "peer-me" for s in peer_chosen) and any(n in names for n in ("me", "medusa-me")):
            peer_chosen.append(PEER_SCENARIOS[1])
    info = machine()
    binary = args.binary.resolve() if args.binary else build()
    if not binary.exists():
        sys.exit(f"no binary at {binary}")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not shutil.which("psql"):
        sys.exit("psql is not installed: it creates the PostgreSQL bench database")
    log(f"binary {binary}; backends {', '.join(backends)}; {len(chosen)} scenarios x {args.connections}"
        f" connections, {args.duration:g} s each")
    outcomes = [run_backend(b, binary, args, chosen) for b in backends]
    peer = None
    if not args.no_peer and peer_chosen:
        try:
            peer = run_peer(args, peer_chosen)
        except Exception as e:  # noqa: BLE001
            log(f"the Medusa peer could not be measured: {e}")
    section = report(info, args, outcomes, peer, command)
    print(section)
    if not args.no_write:
        write_report(args.output, section)
        log(f"wrote {args.output}")
    return 1 if any("error" in o for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
