"""/stats on a million question rows: the chart's query and its drawing, SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/bench_stats.py [--rows 1000000] [--days 30] [--runs 5]
         [--postgres URL | --start-postgres]

The rows are synthetic (seeded): `--days` days of questions ending today (30: every row in the
chart's month, the worst case; 365: a year of which the month is a twelfth), by the shipped
FAQ's entries and the outcomes' usual shares, plus votes and aftercare check-ins. They are
bulk-inserted (executemany in chunks, through the migrated schema and its indexes; not timed),
the tables analysed as autovacuum would, then each run times what /stats does: the period's
figures from the store (`bot.insights.service.collect`) and the chart drawn in a worker thread
(`service.chart`), and the text report of `/stats text`. Medians of `--runs`.

SQLite always (a temporary file); PostgreSQL when `--postgres URL` names an empty database, or
with `--start-postgres`, a throwaway server from tests/pg_server.py (fsync off, in /dev/shm).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.answers.languages import load_languages
from bot.insights import service as insights
from bot.storage.database import Database
from bot.storage.store import Store

NOW = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
CHUNK = 20_000
KINDS = (("answer", 0.80), ("clarify", 0.06), ("fallback", 0.12), ("urgent", 0.02))
CHECKINS = ("good", "swelling", "bruising", "pain", "lumps", "worrying")


def question_rows(
    count: int, days: int, entries: list[str], seed: int = 1
) -> Iterator[dict[str, Any]]:
    """`count` questions over the `days` days before NOW, in time order."""
    rng = random.Random(seed)
    span = days * 86_400
    weights = [1 / (rank + 1) for rank in range(len(entries))]  # a few entries asked most
    kinds = [k for k, _ in KINDS]
    shares = [s for _, s in KINDS]
    for index in range(count):
        at = NOW - timedelta(seconds=span - span * index // count)
        kind = rng.choices(kinds, shares)[0]
        entry = rng.choices(entries, weights)[0] if kind == "answer" else None
        yield {"at": at.isoformat(timespec="seconds"), "kind": kind, "entry": entry}


def chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    """The rows in lists of `size`."""
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def seed(db: Database, count: int, days: int, entries: list[str]) -> float:
    """Bulk-insert the questions, votes and check-ins; the seconds it took."""
    began = time.perf_counter()
    rng = random.Random(2)
    insert = text("INSERT INTO questions (asked_at, kind, entry_id) VALUES (:at, :kind, :entry)")
    for chunk in chunks(question_rows(count, days, entries)):
        async with db.transaction() as conn:
            await conn.execute(insert, chunk)
    votes = [
        {
            "user": user,
            "entry": rng.choice(entries),
            "yes": int(rng.random() < 0.85),
            "at": (NOW - timedelta(seconds=rng.randrange(days * 86_400))).isoformat(),
        }
        for user in range(count // 20)
    ]
    async with db.transaction() as conn:
        await conn.execute(
            text(
                "INSERT INTO feedback (user_id, entry_id, helpful, given_at)"
                " VALUES (:user, :entry, :yes, :at)"
            ),
            votes,
        )
        courses = count // 200
        await conn.execute(
            text(
                "INSERT INTO courses (id, user_id, chat_id, procedure_date, send_time, timezone,"
                " status, enrolled_at) VALUES (:id, :id, :id, '2026-03-01', '10:00', 'UTC',"
                " 'ended', '2026-03-01T00:00:00+00:00')"
            ),
            [{"id": n + 1} for n in range(courses)],
        )
        await conn.execute(
            text(
                "INSERT INTO checkins (course_id, user_id, day, answer, answered_at)"
                " VALUES (:course, :course, :day, :answer, :at)"
            ),
            [
                {
                    "course": n + 1,
                    "day": day,
                    "answer": rng.choice(CHECKINS),
                    "at": (NOW - timedelta(days=days * rng.random())).isoformat(),
                }
                for n in range(courses)
                for day in range(1, 8)
            ],
        )
    async with db.engine.connect() as conn:
        # As autovacuum would have done on a live database: statistics and the visibility map
        # (PostgreSQL answers from the index alone only for pages marked all-visible).
        raw = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await raw.exec_driver_sql("VACUUM ANALYZE" if db.postgres else "ANALYZE")
    return time.perf_counter() - began


async def timed(runs: int, job: Callable[[], Awaitable[object]]) -> list[float]:
    """Seconds per run of `job`, after one run to warm up."""
    await job()
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        await job()
        seconds.append(time.perf_counter() - began)
    return seconds


def line(label: str, seconds: list[float]) -> str:
    """One result line: median, min and max in milliseconds."""
    return (
        f"  {label:<34} median {statistics.median(seconds) * 1000:7.0f} ms"
        f"   min {min(seconds) * 1000:6.0f}   max {max(seconds) * 1000:6.0f}   (n={len(seconds)})"
    )


async def measure(name: str, url: str, args: argparse.Namespace) -> None:
    """Seed one database and time the /stats path on it."""
    languages = load_languages()
    assistant = languages.assistant("en")
    entries = [e.id for e in assistant.kb.entries]
    db = Database(url)
    store = Store(db)
    try:
        await db.open()
        seeded = await seed(db, args.rows, args.days, entries)
        zone = ZoneInfo(assistant.kb.clinic.timezone)
        span = insights.Period.last_days(NOW, zone)
        figures = await insights.collect(store, assistant.kb, span)
        print(
            f"{name}: {args.rows:,} questions over {args.days} days ({figures.questions:,} in the "
            f"chart's 30 days), seeded in {seeded:.0f} s"
        )
        print(
            line(
                "figures (the queries)",
                await timed(args.runs, lambda: insights.collect(store, assistant.kb, span)),
            )
        )
        chart: list[insights.Chart] = []

        async def draw() -> None:
            chart[:] = [await insights.chart(store, assistant, span)]

        print(line("/stats: figures + chart (PNG)", await timed(args.runs, draw)))
        print(
            line(
                "/stats text (the text report)",
                await timed(args.runs, lambda: insights.text_report(store, assistant, span)),
            )
        )
        print(f"  the chart: {len(chart[0].png) / 1024:.0f} KB; {chart[0].caption}")
    finally:
        await store.close()


def main() -> None:
    """Parse the options and measure each database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30, help="the rows' spread, in days")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database as well")
    parser.add_argument(
        "--start-postgres", action="store_true", help="start a throwaway server for it"
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as scratch:
            asyncio.run(measure("SQLite", f"sqlite:///{Path(scratch) / 'bench.db'}", args))
    if args.postgres:
        asyncio.run(measure("PostgreSQL", args.postgres, args))
    elif args.start_postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from pg_server import PostgresServer

        with PostgresServer() as server:
            name = f"PostgreSQL {server.version.split()[0]} (throwaway server, fsync off)"
            asyncio.run(measure(name, server.url, args))


if __name__ == "__main__":
    main()
