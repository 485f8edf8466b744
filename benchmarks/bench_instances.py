"""Several instances: 10,000 patients due in one minute over two bots on one PostgreSQL database.

Run: `.venv/bin/python benchmarks/bench_instances.py [--patients 10000] [--only SCENARIO]`.
A throwaway PostgreSQL server (tests/pg_server.py) and the Bot API stub, which enforces 30
messages a second, run on 127.0.0.1; the bots are real `python -m bot run` processes in
webhook mode. Scenarios:

- sqlite-1: one bot on a SQLite file, for comparison.
- postgres-2: two bots on one PostgreSQL database.
- postgres-2-kill: the same, one bot killed with SIGKILL once half the patients have their
  message; the other takes over its claims.
- questions: 1,000 questions from 200 users posted at once through a round-robin proxy to
  two bots on PostgreSQL; the time from each post to its reply, p50 and p99.

Reported for the aftercare scenarios: patients with exactly one message, missing ones, repeats,
429s (target 0), the combined send rate against Telegram's 30 a second (target: within 10%
under it), and the database round trips per delivered message: the statements and the
transactions the bots logged at a clean stop (not in the kill scenario, whose killed bot
cannot log).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_aftercare import FIRST_CHAT, patient_messages, seed, wait_until
from bench_bot import QUESTIONS_PER_USER, USERS, questions
from botapi_stub import OVERALL_PER_SECOND, BotApiStub, serve
from e2e_support import free_port, post
from lb_proxy import proxy
from pg_server import PostgresServer
from sqlalchemy import text

from bot.storage.database import Database

TOKEN = "555000333:BENCH-token_not-a-real-one-0123456"  # noqa: S105 - a fake for the stub
SECRET = "bench-secret"  # noqa: S105 - the webhook secret of a local bench
HOOK = "/hook"
SCENARIOS = ("sqlite-1", "postgres-2", "postgres-2-kill", "questions")
ROUND_TRIPS = re.compile(r"database: (\d+) statements in (\d+) transactions")


@dataclass(frozen=True)
class Delivery:
    """One aftercare scenario's figures."""

    scenario: str
    exactly_once: int
    missing: int
    repeats: int
    too_many_requests: int
    rate: float
    statements_per_message: float | None
    transactions_per_message: float | None


@dataclass
class Bot:
    """A bot process and its log file."""

    process: subprocess.Popen[bytes]
    log: Path


def start(stub: BotApiStub, home: Path, url: str, port: int) -> Bot:
    """`python -m bot run` in webhook mode on `port` over the database at `url`."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": stub.base_url,
        "DATABASE_URL": url,
        "SOFTLIFT_WEBHOOK_URL": f"https://bot.example.com{HOOK}",
        "SOFTLIFT_WEBHOOK_LISTEN": "127.0.0.1",
        "SOFTLIFT_WEBHOOK_PORT": str(port),
        "SOFTLIFT_WEBHOOK_SECRET": SECRET,
        "SOFTLIFT_TICK_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }
    log = home / "bot.log"
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=sink, stderr=sink
        )
    bot = Bot(process, log)
    wait_until(lambda: "is up" in log.read_text(errors="replace"), 60, "the bot to start")
    return bot


def stop(bot: Bot) -> tuple[int, int]:
    """SIGTERM and wait; the statements and transactions it logged."""
    if bot.process.poll() is None:
        bot.process.send_signal(signal.SIGTERM)
    bot.process.wait(timeout=120)
    found = ROUND_TRIPS.findall(bot.log.read_text(errors="replace"))
    return (int(found[-1][0]), int(found[-1][1])) if found else (0, 0)


def sent_rows(url: str) -> int:
    """Day-0 deliveries recorded as sent."""

    async def count() -> int:
        db = Database(url)
        try:
            async with db.transaction() as conn:
                query = "SELECT count(*) FROM deliveries WHERE day = 0 AND status = 'sent'"
                return int(await conn.scalar(text(query)) or 0)
        finally:
            await db.close()

    return asyncio.run(count())


@contextmanager
def database(backend: str, tmp: Path, server: PostgresServer | None) -> Iterator[str]:
    """A fresh database URL of the backend."""
    if backend == "sqlite" or server is None:
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


def deliveries(scenario: str, patients: int, server: PostgresServer, timeout: float) -> Delivery:
    """Seed, run one or two bots (killing one half way in the kill scenario), wait, count."""
    backend, count, *kill = scenario.split("-")
    with serve(TOKEN) as stub, tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        with database(backend, tmp, server) as url:
            seed(url, patients)
            fake = stub.fake
            bots = [start(stub, tmp / f"bot{n}", url, free_port()) for n in range(int(count))]
            trips = (0, 0)
            try:
                if kill:
                    wait_until(
                        lambda: len(patient_messages(fake)) >= patients // 2, timeout, "half"
                    )
                    os.kill(bots[0].process.pid, signal.SIGKILL)
                    bots[0].process.wait(timeout=30)
                wait_until(
                    lambda: len(patient_messages(fake)) >= patients and sent_rows(url) >= patients,
                    timeout,
                    "every patient's message",
                )
                time.sleep(2)  # anything sent twice would show up now
            finally:
                for bot in bots:
                    statements, transactions = stop(bot)
                    trips = (trips[0] + statements, trips[1] + transactions)
            counts = patient_messages(fake)
            sends = sorted(
                c.at
                for c in fake.calls_of("sendMessage")
                if c.status == 200 and int(c.params.get("chat_id", 0)) >= FIRST_CHAT
            )
            seconds = sends[-1] - sends[0]
            return Delivery(
                scenario=scenario,
                exactly_once=sum(1 for n in counts.values() if n == 1),
                missing=patients - len(counts),
                repeats=sum(n - 1 for n in counts.values() if n > 1),
                too_many_requests=fake.too_many_requests,
                rate=(len(sends) - 1) / seconds,
                statements_per_message=None if kill else trips[0] / len(sends),
                transactions_per_message=None if kill else trips[1] / len(sends),
            )


def reply_times(server: PostgresServer, timeout: float) -> tuple[int, float, float, dict[int, int]]:
    """1,000 questions from 200 users through the proxy to two bots: (replies, p50, p99, split)."""
    texts = questions(seed=1)
    with serve(TOKEN) as stub, tempfile.TemporaryDirectory() as name:
        tmp, fake = Path(name), stub.fake
        url = server.create_database()
        ports = [free_port(), free_port()]
        bots = [start(stub, tmp / f"bot{n}", url, port) for n, port in enumerate(ports)]
        try:
            with proxy(ports) as (proxy_port, backends):
                order = [(u, q) for q in range(QUESTIONS_PER_USER) for u in range(USERS)]
                random.Random(1).shuffle(order)
                asked: dict[int, list[float]] = {}
                updates = []
                for user, index in order:
                    chat = FIRST_CHAT + user
                    text = texts[user * QUESTIONS_PER_USER + index]
                    updates.append((chat, fake.text(chat, text, user_id=chat)))

                for chat, update in updates:
                    asked.setdefault(chat, []).append(time.monotonic())
                    status = post(proxy_port, HOOK, update, SECRET)
                    if status != 200:
                        raise RuntimeError(f"the proxy answered {status}")
                total = len(updates)
                wait_until(
                    lambda: sum(1 for m in fake.sent if m["chat"]["id"] >= FIRST_CHAT) >= total,
                    timeout,
                    "every reply",
                )
                split = dict(backends.answered)
        finally:
            for bot in bots:
                stop(bot)
            server.drop_database(url)
        latencies: list[float] = []
        seen: dict[int, int] = {}
        for call in fake.calls_of("sendMessage"):
            chat = int(call.params["chat_id"])
            if call.status != 200 or chat not in asked:
                continue
            index = seen.get(chat, 0)
            seen[chat] = index + 1
            if index < len(asked[chat]):
                latencies.append(call.at - asked[chat][index])
        cuts = statistics.quantiles(latencies, n=100)
        return len(latencies), statistics.median(latencies), cuts[98], split


def main() -> None:
    """Run the scenarios and print one row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--only", choices=SCENARIOS, default=None)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    with PostgresServer() as server:
        print(f"{args.patients} patients due at once; the stub allows {OVERALL_PER_SECOND:.0f}/s")
        print(
            f"{'scenario':>16} {'once':>6} {'missing':>7} {'repeats':>7} {'429s':>5} "
            f"{'msg/s':>6} {'vs 30/s':>8} {'stmts/msg':>9} {'txns/msg':>8}"
        )
        for scenario in [args.only] if args.only else SCENARIOS:
            if scenario == "questions":
                replies, p50, p99, split = reply_times(server, args.timeout)
                print(
                    f"questions: {replies} replies; time to reply p50 {p50:.2f} s, "
                    f"p99 {p99:.2f} s; updates per bot {sorted(split.values())}",
                    flush=True,
                )
                continue
            r = deliveries(scenario, args.patients, server, args.timeout)
            under = (r.rate - OVERALL_PER_SECOND) / OVERALL_PER_SECOND * 100
            per = (
                f"{r.statements_per_message:>9.1f} {r.transactions_per_message:>8.1f}"
                if r.statements_per_message is not None and r.transactions_per_message is not None
                else f"{'-':>9} {'-':>8}"
            )
            print(
                f"{r.scenario:>16} {r.exactly_once:>6} {r.missing:>7} {r.repeats:>7} "
                f"{r.too_many_requests:>5} {r.rate:>6.2f} {under:>+7.1f}% {per}",
                flush=True,
            )


if __name__ == "__main__":
    main()
