"""Load test: 1,000 questions from 200 users sent at once to the real bot through the stub.

Run: `.venv/bin/python benchmarks/bench_bot.py [--runs 3]`. Each run starts a fresh Bot API
stub on 127.0.0.1 and a fresh `python -m bot run` process with the shipped FAQ, queues every
update at once, and waits for every reply. Reported per run and as medians: replies, errors,
429s the bot provoked (target 0), the bot's CPU milliseconds per update, the time until the
last reply, the median and 95th-percentile reply latency, and the bot process's peak RSS.
The bot's own pace, 25 messages a second overall (under Telegram's 30 by design), sets the
floor for the time to the last reply: 1,000 replies take at least 40 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from botapi_stub import FakeTelegram, serve
from procstat import cpu_seconds, peak_rss_mb

from bot.answers.loader import load_faq
from bot.telegram_app.ratelimit import OVERALL_RATE

TOKEN = "555000111:BENCH-token_not-a-real-one-0123456"  # noqa: S105 - a fake for the stub
USERS = 200
QUESTIONS_PER_USER = 5
FIRST_CHAT = 10_000


@dataclass(frozen=True)
class Result:
    """One run's figures."""

    replies: int
    errors: int
    too_many_requests: int
    cpu_ms_per_update: float
    last_reply_s: float
    latency_p50_s: float
    latency_p95_s: float
    peak_rss_mb: float


def questions(seed: int) -> list[str]:
    """A realistic mix: FAQ phrasings, slightly garbled ones and off-topic questions."""
    kb = load_faq()
    pool = [q for entry in kb.entries for q in entry.questions]
    pool += [q for decline in kb.declines for q in decline.questions]
    rng = random.Random(seed)
    picked = [rng.choice(pool) for _ in range(USERS * QUESTIONS_PER_USER)]
    return [q.replace("e", "a", 1) if i % 7 == 0 else q for i, q in enumerate(picked)]


def one_run(seed: int, timeout: float) -> Result:
    """Start stub and bot, send everything at once, wait for every reply, measure."""
    texts = questions(seed)
    with serve(TOKEN, max_poll_seconds=1.0) as stub, tempfile.TemporaryDirectory() as tmp:
        fake = stub.fake
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tmp,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": stub.base_url,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "LOG_LEVEL": "WARNING",
        }
        log = Path(tmp) / "bot.log"
        with log.open("wb") as sink:
            bot = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], env=env, stdout=sink, stderr=sink
            )
        try:
            fake.wait_for(lambda: fake.calls_of("getUpdates"), 60, "the bot to poll")
            time.sleep(0.5)
            cpu_before = cpu_seconds(bot.pid)
            pushed_at: dict[int, list[float]] = {}
            order = [(u, q) for q in range(QUESTIONS_PER_USER) for u in range(USERS)]
            random.Random(seed).shuffle(order)
            per_chat_index: dict[int, int] = {}
            for user, _ in order:
                chat = FIRST_CHAT + user
                index = per_chat_index.get(chat, 0)
                per_chat_index[chat] = index + 1
                fake.text(chat, texts[user * QUESTIONS_PER_USER + index], user_id=chat)
                pushed_at.setdefault(chat, []).append(time.monotonic())
            started = min(t for times in pushed_at.values() for t in times)
            total = USERS * QUESTIONS_PER_USER
            fake.wait_for(lambda: _user_replies(fake) >= total, timeout, f"{total} replies")
            cpu_used = cpu_seconds(bot.pid) - cpu_before
            rss = peak_rss_mb(bot.pid)
        finally:
            bot.terminate()
            bot.wait(timeout=30)
        sends = [c for c in fake.calls_of("sendMessage") if c.status == 200]
        latencies: list[float] = []
        seen: dict[int, int] = {}
        for call in sends:
            chat = int(call.params["chat_id"])
            index = seen.get(chat, 0)
            seen[chat] = index + 1
            if chat in pushed_at and index < len(pushed_at[chat]):
                latencies.append(call.at - pushed_at[chat][index])
        errors = sum(
            1 for c in fake.calls if c.status not in (200, 429) and c.method != "getUpdates"
        )
        errors += log.read_text(errors="replace").count(" ERROR ")
        quantiles = statistics.quantiles(latencies, n=20)
        return Result(
            replies=_user_replies(fake),
            errors=errors,
            too_many_requests=fake.too_many_requests,
            cpu_ms_per_update=cpu_used * 1000 / total,
            last_reply_s=max(c.at for c in sends) - started,
            latency_p50_s=statistics.median(latencies),
            latency_p95_s=quantiles[18],
            peak_rss_mb=rss,
        )


def _user_replies(fake: FakeTelegram) -> int:
    return sum(1 for m in fake.sent if m["chat"]["id"] >= FIRST_CHAT)


def main() -> None:
    """Run the benchmark and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per run")
    args = parser.parse_args()
    header = (
        f"{'run':>4} {'replies':>8} {'errors':>7} {'429s':>5} {'cpu ms/upd':>11} "
        f"{'last reply s':>13} {'p50 s':>7} {'p95 s':>7} {'peak RSS MB':>12}"
    )
    total = USERS * QUESTIONS_PER_USER
    print(
        f"{total} questions from {USERS} users, sent at once; at {OVERALL_RATE:.0f} messages/s "
        f"the last reply cannot come before {total / OVERALL_RATE:.0f} s"
    )
    print(header)
    results: list[Result] = []
    for run in range(args.runs):
        result = one_run(seed=run, timeout=args.timeout)
        results.append(result)
        print(_row(str(run + 1), result), flush=True)

    def median(name: str) -> float:
        return statistics.median(float(getattr(r, name)) for r in results)

    medians = Result(
        replies=int(median("replies")),
        errors=int(median("errors")),
        too_many_requests=int(median("too_many_requests")),
        cpu_ms_per_update=median("cpu_ms_per_update"),
        last_reply_s=median("last_reply_s"),
        latency_p50_s=median("latency_p50_s"),
        latency_p95_s=median("latency_p95_s"),
        peak_rss_mb=median("peak_rss_mb"),
    )
    print(_row("med", medians))


def _row(label: str, r: Result) -> str:
    return (
        f"{label:>4} {r.replies:>8} {r.errors:>7} {r.too_many_requests:>5} "
        f"{r.cpu_ms_per_update:>11.2f} {r.last_reply_s:>13.1f} {r.latency_p50_s:>7.1f} "
        f"{r.latency_p95_s:>7.1f} {r.peak_rss_mb:>12.1f}"
    )


if __name__ == "__main__":
    main()
