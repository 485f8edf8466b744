"""Load test: 10,000 aftercare patients due in the same minute, sent through the stub.

Run: `.venv/bin/python benchmarks/bench_aftercare.py [--patients 10000] [--only plain|kill|lost]`.
Each scenario seeds a fresh database directly through CourseRepo (every patient enrolled today
in a zone where it is midday, day 1 due at the start of the current minute, days 2-14 still to
come), starts a Bot API stub on 127.0.0.1 that enforces 30 messages a second, and runs the real
`python -m bot run`.

- plain: one bot process sends everything. Reported: patients with exactly one message, missing
  and repeated ones, 429s the bot provoked (target 0), the achieved send rate against the bot's
  own pace (28 a second) and against Telegram's 30 (target: within 10% under 30), the bot's
  peak RSS and CPU seconds.
- kill: the same, but the bot is killed with SIGKILL once half the patients have their message
  and a new process is started on the same database. Every patient must still get the day's
  message; repeats (messages in flight at the instant of the kill) are counted and reported.
- lost: the stub carries out every 100th sendMessage but drops the connection before answering,
  as when Telegram's answer is lost to a time-out. Every patient must get the message; each
  lost answer may cost one repeat and nothing else (target: repeats = lost answers).

A run takes about patients / 28 seconds (10,000: about six minutes) plus seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from botapi_stub import OVERALL_PER_SECOND, BotApiStub, FakeTelegram, serve
from e2e_support import midday_zone
from procstat import cpu_seconds, peak_rss_mb

from bot.aftercare.schedule import local_today, plan_days
from bot.storage.courses import CourseRepo
from bot.storage.database import Database
from bot.telegram_app.ratelimit import OVERALL_RATE

TOKEN = "555000222:BENCH-token_not-a-real-one-0123456"  # noqa: S105 - a fake for the stub
FIRST_CHAT = 1_000_000
# In the "lost" scenario, every this-many-th sendMessage is carried out but its answer lost.
LOSE_EVERY = 100
SCENARIOS = ("plain", "kill", "lost")


@dataclass(frozen=True)
class Result:
    """One scenario's figures."""

    scenario: str
    patients: int
    exactly_once: int
    missing: int
    repeats: int
    lost_answers: int
    too_many_requests: int
    send_seconds: float
    rate: float
    peak_rss_mb: float
    cpu_seconds: float
    seed_seconds: float


@dataclass
class Usage:
    """CPU and memory of one bot process, read from /proc before it ends."""

    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0


def read_usage(pid: int) -> Usage:
    """User + system CPU seconds and peak RSS (VmHWM) of a live process."""
    return Usage(cpu_seconds(pid), peak_rss_mb(pid))


def seed(db_path: Path | str, patients: int) -> float:
    """Enrol every patient with day 1 due at the start of this minute; seconds taken."""
    started = time.monotonic()
    now = datetime.now(UTC)
    minute = now.replace(second=0, microsecond=0)
    zone = midday_zone(now)
    today = local_today(now, zone)

    async def enrol_all() -> None:
        db = Database(db_path)
        try:
            repo = CourseRepo(db)
            for i in range(patients):
                chat = FIRST_CHAT + i
                plan = plan_days(today, clock_time(9), zone, now, 14)
                first = ((0, minute), *plan[1:])
                await repo.enroll(chat, chat, today, clock_time(9), zone, first, now)
        finally:
            await db.close()

    asyncio.run(enrol_all())
    return time.monotonic() - started


def start_bot(stub: BotApiStub, tmp: Path, log: Path) -> subprocess.Popen[bytes]:
    """`python -m bot run` on the seeded database, polling the stub."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": stub.base_url,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "LOG_LEVEL": "INFO",
    }
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=sink, stderr=sink
        )


def patient_messages(fake: FakeTelegram) -> Counter[int]:
    """Messages per patient chat."""
    return Counter(m["chat"]["id"] for m in list(fake.sent) if m["chat"]["id"] >= FIRST_CHAT)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll twice a second, outside the stub's lock so that its threads never wait for us."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.5)


def recorded(db_path: Path) -> int:
    """Day-1 deliveries the bot has recorded as sent."""
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        row = conn.execute(
            "SELECT count(*) FROM deliveries WHERE day = 0 AND status = 'sent'"
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


def run(scenario: str, patients: int, timeout: float) -> Result:
    """Seed, start the bot (kill and restart it half way in `kill`), wait for every patient."""
    with serve(TOKEN) as stub, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fake = stub.fake
        seed_seconds = seed(tmp / "bench.db", patients)
        if scenario == "lost":
            fake.fail(
                "sendMessage",
                times=patients // LOSE_EVERY,
                mode="drop",
                delivered=True,
                every=LOSE_EVERY,
            )
        log = tmp / "bot.log"
        usage: list[Usage] = []
        bot = start_bot(stub, tmp, log)
        try:
            if scenario == "kill":
                wait_until(
                    lambda: len(patient_messages(fake)) >= patients // 2,
                    timeout,
                    "half the patients",
                )
                usage.append(read_usage(bot.pid))
                os.kill(bot.pid, signal.SIGKILL)
                bot.wait(timeout=30)
                bot = start_bot(stub, tmp, log)
            wait_until(
                lambda: (
                    len(patient_messages(fake)) >= patients
                    and recorded(tmp / "bench.db") >= patients
                ),
                timeout,
                "every patient's message",
            )
            time.sleep(2)  # anything sent twice would show up now
            usage.append(read_usage(bot.pid))
        finally:
            bot.terminate()
            bot.wait(timeout=60)
        counts = patient_messages(fake)
        sends = [
            c
            for c in fake.calls_of("sendMessage")
            if c.status == 200 and int(c.params["chat_id"]) >= FIRST_CHAT
        ]
        seconds = max(c.at for c in sends) - min(c.at for c in sends)
        errors = log.read_text(errors="replace").count(" ERROR ")
        if errors:
            print(f"  ({errors} ERROR lines in the bot's log)")
        return Result(
            scenario=scenario,
            patients=patients,
            exactly_once=sum(1 for n in counts.values() if n == 1),
            missing=patients - len(counts),
            repeats=sum(n - 1 for n in counts.values() if n > 1),
            lost_answers=fake.lost_answers,
            too_many_requests=fake.too_many_requests,
            send_seconds=seconds,
            rate=(len(sends) - 1) / seconds if seconds else float("nan"),
            peak_rss_mb=max(u.peak_rss_mb for u in usage),
            cpu_seconds=sum(u.cpu_seconds for u in usage),
            seed_seconds=seed_seconds,
        )


def main() -> None:
    """Run the scenarios and print one row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--only", choices=SCENARIOS, default=None)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per scenario")
    args = parser.parse_args()
    scenarios = [args.only] if args.only else list(SCENARIOS)
    print(
        f"{args.patients} patients due in the same minute; the stub allows "
        f"{OVERALL_PER_SECOND:.0f} messages/s, the bot keeps to {OVERALL_RATE:.0f}/s"
    )
    print(
        f"{'scenario':>8} {'once':>6} {'missing':>7} {'repeats':>7} {'lost':>5} {'429s':>5} "
        f"{'send s':>7} {'msg/s':>6} {f'vs {OVERALL_RATE:.0f}/s':>8} "
        f"{f'vs {OVERALL_PER_SECOND:.0f}/s':>8} {'peak RSS MB':>11} "
        f"{'CPU s':>6} {'seed s':>6}"
    )
    for scenario in scenarios:
        r = run(scenario, args.patients, args.timeout)
        deviation = (r.rate - OVERALL_RATE) / OVERALL_RATE * 100
        under_limit = (r.rate - OVERALL_PER_SECOND) / OVERALL_PER_SECOND * 100
        print(
            f"{r.scenario:>8} {r.exactly_once:>6} {r.missing:>7} {r.repeats:>7} "
            f"{r.lost_answers:>5} {r.too_many_requests:>5} {r.send_seconds:>7.1f} "
            f"{r.rate:>6.2f} {deviation:>+7.1f}% {under_limit:>+7.1f}% {r.peak_rss_mb:>11.1f} "
            f"{r.cpu_seconds:>6.1f} "
            f"{r.seed_seconds:>6.1f}",
            flush=True,
        )
        if r.repeats > r.lost_answers and scenario != "kill":
            print(f"  ({r.repeats - r.lost_answers} repeats without a lost answer)")


if __name__ == "__main__":
    main()
