"""The tests' throwaway PostgreSQL server (tests/pg_server.py): what it costs a test session.

Run: .venv/bin/python benchmarks/bench_postgres.py [--runs 3] [--databases 20]

Start-up: initdb, start, ready, the test user and its database, from nothing to the first
connection, for each of `--runs` clusters (median). Then, on one cluster, per test: emptying
the shared database's schema (`fresh_postgres_url`), creating a database of its own
(`new_postgres_database`, FILE_COPY) against the default WAL_LOG strategy, dropping one, and
one connection with the password.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pg_server import USER, PostgresServer


def timed(label: str, runs: int, action: Callable[[int], object]) -> None:
    seconds = []
    for number in range(runs):
        began = time.perf_counter()
        action(number)
        seconds.append(time.perf_counter() - began)
    print(
        f"{label:<44} median {statistics.median(seconds) * 1000:7.1f} ms   "
        f"min {min(seconds) * 1000:7.1f}   max {max(seconds) * 1000:7.1f}   (n={runs})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="clusters started (default 3)")
    parser.add_argument("--databases", type=int, default=20, help="repeats of each step")
    options = parser.parse_args()

    startups = []
    server = PostgresServer()
    for run in range(options.runs):
        if run:
            server.stop()
            server = PostgresServer()
        server.start()
        startups.append(server.startup_seconds)
    print(f"PostgreSQL {server.version.split()[0]}, binaries in {server.bindir}")
    print(
        f"cluster start-up (initdb + start + ready + user and database): median "
        f"{statistics.median(startups):.2f} s of {[round(s, 2) for s in startups]}"
    )
    try:
        n = options.databases
        timed("fresh_postgres_url (empty the public schema)", n, lambda _: server.reset_schema())
        timed("new_postgres_database (CREATE, FILE_COPY)", n, lambda _: server.create_database())
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
            timed(
                "CREATE DATABASE, default WAL_LOG strategy",
                n,
                lambda i: conn.execute(f"CREATE DATABASE wal_{i} OWNER {USER} TEMPLATE template0"),
            )
        timed("DROP DATABASE ... WITH (FORCE)", n, lambda i: server.drop_database(f"wal_{i}"))
        timed("connect with the password, SELECT 1", n, lambda _: _select_one(server.url))
    finally:
        server.stop()
    return 0


def _select_one(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("SELECT 1")


if __name__ == "__main__":
    sys.exit(main())
