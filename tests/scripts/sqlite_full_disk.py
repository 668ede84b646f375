"""The checks of sqlite_full_disk.sh, on a database on a tmpfs the script mounted."""

import argparse
import errno
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from faultlib import (  # noqa: E402
    READS,
    Server,
    create_address,
    fail,
    register,
    succeeded,
    unavailable_in_dialect,
)

SURFACES = ("graphql", "spree", "medusa")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--disk", required=True)
    args = parser.parse_args()
    server = Server(
        args.binary,
        {
            "DATABASE_URL": args.database_url,
            "STOREFRONT_DATA_DIR": os.path.join(args.work, "data"),
            "STOREFRONT_SEED": "none",
        },
        os.path.join(args.work, "server.log"),
    )
    problems = []
    try:
        server.wait_ready()
        run(server, args, problems)
    finally:
        server.stop()
    path = args.database_url[len("sqlite://"):]
    with sqlite3.connect(path) as db:
        check = [row[0] for row in db.execute("PRAGMA integrity_check")]
        cities = {row[0] for row in db.execute("SELECT city FROM addresses")}
    print(f"  integrity_check: {check}")
    if check != ["ok"]:
        problems.append(f"integrity_check says {check}")
    for marker in run.acknowledged:
        if marker not in cities:
            problems.append(f"acknowledged address {marker} is missing")
    for marker in run.refused:
        if marker in cities:
            problems.append(f"refused address {marker} was stored")
    if problems:
        for p in problems:
            print(f"  problem: {p}", file=sys.stderr)
        fail(f"{len(problems)} problems")
    print("ok: clean 503s on a full disk, reads served, writes back after, database intact")


def run(server, args, problems):
    base, key = server.base, server.key
    tokens = {s: register(base, f"disk-{s}@example.com") for s in SURFACES}
    serial = iter(range(1_000_000))

    def write(surface):
        marker = f"disk-{surface}-{next(serial)}"
        status, body = create_address(surface, base, key, tokens[surface], marker)
        if succeeded(surface, status, body):
            run.acknowledged.add(marker)
        else:
            run.refused.add(marker)
        return status, body

    for surface in SURFACES:
        status, body = write(surface)
        if not succeeded(surface, status, body):
            problems.append(f"{surface}: a write failed before the disk filled: {status} {body}")

    filler = os.path.join(args.disk, "filler")
    fill(filler)
    print(f"  disk full: {os.statvfs(args.disk).f_bavail} blocks left")
    for surface in SURFACES:
        # The write-ahead log may still have room for a few pages: write until refused.
        refused = None
        for _ in range(200):
            status, body = write(surface)
            if not succeeded(surface, status, body):
                refused = (status, body)
                break
        if refused is None:
            problems.append(f"{surface}: 200 writes succeeded on a full disk")
        elif not unavailable_in_dialect(surface, *refused):
            problems.append(f"{surface}: a write on a full disk got {refused}")
        else:
            print(f"  {surface}: write refused with {refused[0]} {refused[1]}")
        status, body, _ = READS[surface](base, key)
        if not succeeded(surface, status, body):
            problems.append(f"{surface}: a read on a full disk got {status} {body}")

    os.remove(filler)
    for surface in SURFACES:
        status, body = write(surface)
        if not succeeded(surface, status, body):
            problems.append(f"{surface}: a write after space came back got {status} {body}")
    if server.process.poll() is not None:
        problems.append("the server exited")
    if "panicked" in server.log_text():
        problems.append("the server panicked")


run.acknowledged = set()
run.refused = set()


def fill(path):
    """Writes zeros until the file system has no room left, in ever smaller pieces."""
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9):
            chunk = b"\0" * size
            while True:
                try:
                    f.write(chunk)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break


if __name__ == "__main__":
    main()
