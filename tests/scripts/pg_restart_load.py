"""The load and the checks of pg_restart_load.sh (which creates the database and restarts the
cluster whatever happens)."""

import argparse
import collections
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from faultlib import (  # noqa: E402
    READS,
    NoAnswer,
    Server,
    Truncated,
    fail,
    succeeded,
    unavailable_in_dialect,
)

REQUEST_TIMEOUT = 10
# A client waits a little longer than the server's own request timeout before calling it a hang.
CLIENT_TIMEOUT = REQUEST_TIMEOUT + 5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--cluster", nargs=2, required=True)
    parser.add_argument("--port", required=True)
    parser.add_argument("--down-seconds", type=float, default=6)
    args = parser.parse_args()

    server = Server(
        args.binary,
        {
            "DATABASE_URL": args.database_url,
            "STOREFRONT_DATA_DIR": os.path.join(args.work, "data"),
            "STOREFRONT_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
            "STOREFRONT_DB_POOL_TIMEOUT": "3",
        },
        os.path.join(args.work, "server.log"),
    )
    try:
        server.wait_ready()
        run(server, args)
    finally:
        server.stop()


def pg(args, action):
    version, name = args.cluster
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
    )


def pg_ready(args):
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", args.port], check=False
        ).returncode
        == 0
    )


def run(server, args):
    phase = {"name": "before"}
    results = collections.defaultdict(list)  # (phase, surface) -> [(outcome, detail)]
    problems = []
    stop = threading.Event()
    lock = threading.Lock()

    def worker(surface):
        read = READS[surface]
        while not stop.is_set():
            current = phase["name"]
            started = time.time()
            try:
                status, body, raw = read(server.base, server.key)
            except socket.timeout:
                with lock:
                    problems.append(f"{current}/{surface}: no answer in {CLIENT_TIMEOUT} s")
                continue
            except (NoAnswer, Truncated) as e:
                with lock:
                    problems.append(f"{current}/{surface}: {type(e).__name__} {e}")
                continue
            took = time.time() - started
            if succeeded(surface, status, body):
                outcome = "ok"
            elif unavailable_in_dialect(surface, status, body):
                outcome = "unavailable"
            else:
                outcome = "bad"
                with lock:
                    problems.append(f"{current}/{surface}: {status} {raw[:300]!r}")
            if took > REQUEST_TIMEOUT + 1:
                with lock:
                    problems.append(f"{current}/{surface}: answered after {took:.1f} s")
            with lock:
                results[(current, surface)].append(outcome)
            if outcome != "ok":
                time.sleep(0.05)

    threads = [
        threading.Thread(target=worker, args=(surface,), daemon=True)
        for surface in READS
        for _ in range(2)
    ]
    for t in threads:
        t.start()

    time.sleep(3)
    print("stopping PostgreSQL under load")
    phase["name"] = "down"
    pg(args, "stop")
    time.sleep(args.down_seconds)
    print("starting PostgreSQL again")
    phase["name"] = "restarting"
    pg(args, "start")
    for _ in range(100):
        if pg_ready(args):
            break
        time.sleep(0.2)
    back_at = time.time()
    phase["name"] = "recovering"
    # Every surface must answer 200 again by itself, within a few seconds.
    recovered = {}
    while time.time() - back_at < 20 and len(recovered) < len(READS):
        with lock:
            for surface in READS:
                if surface not in recovered and results[("recovering", surface)][-1:] == ["ok"]:
                    recovered[surface] = time.time() - back_at
        time.sleep(0.1)
    phase["name"] = "after"
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join(CLIENT_TIMEOUT + 5)

    for (name, surface), outcomes in sorted(results.items()):
        counts = collections.Counter(outcomes)
        print(f"  {name:<10} {surface:<7} {dict(counts)}")
    for surface in READS:
        if surface not in recovered:
            problems.append(f"{surface} did not answer 200 within 20 s of PostgreSQL's return")
        else:
            print(f"  {surface} answered 200 again {recovered[surface]:.1f} s after PostgreSQL")
        if "ok" not in results[("before", surface)]:
            problems.append(f"{surface}: no success before the stop")
        if "unavailable" not in results[("down", surface)]:
            problems.append(f"{surface}: no 503 while PostgreSQL was down (the check saw nothing)")
        after = results[("after", surface)]
        if not after or any(o != "ok" for o in after):
            problems.append(f"{surface}: not every answer after recovery was a success")
    if server.process.poll() is not None:
        problems.append("the server exited")
    if "panicked" in server.log_text():
        problems.append("the server panicked")
    if problems:
        for p in problems[:30]:
            print(f"  problem: {p}", file=sys.stderr)
        fail(f"{len(problems)} problems", server)
    print("ok: clean 503s in every dialect while PostgreSQL was down, 200s again after")


if __name__ == "__main__":
    main()
