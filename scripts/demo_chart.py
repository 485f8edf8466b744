"""The README's sample /stats chart, drawn from a demo database seeded with synthetic activity.

Run: .venv/bin/python scripts/demo_chart.py [--out docs/stats-sample.png] [--database FILE]

A month of questions (run through the real answer engine and recorded as the bot records them:
the kind, the entry, the text only when not covered), 👍 / 👎 votes and aftercare check-ins
are written through the real repositories into a SQLite file (a temporary one unless
--database names one to keep, e.g. for `DATABASE_URL=sqlite:///FILE softlift-bot stats`), and
the chart is drawn by the same call /stats makes. Seeded and on a fixed clock: the same image
every run. No patient data: every text and id is made up here.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.answers.languages import Languages, load_languages
from bot.answers.matcher import Kind
from bot.insights import service as insights
from bot.storage.database import Database
from bot.storage.store import Store

NOW = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)  # the demo's "today": a Tuesday evening
OUT = Path(__file__).resolve().parent.parent / "docs" / "stats-sample.png"
UNCOVERED = [
    "is there parking near the clinic",
    "where can I park?",
    "do you sell gift cards",
    "can I bring my dog",
    "do you have wifi",
    "how much does it cost",
    "what is the price for lips",
    "do you do botox",
    "can I pay by card",
]
UNCLEAR = ["swelling", "lips", "after", "face", "how long"]
URGENT = [
    "my vision went blurry after the injections",
    "the skin turned white and cold where it was injected",
]
# How often each check-in answer is given (of the course's options) over the month.
CHECKINS = {"good": 120, "swelling": 34, "bruising": 19, "pain": 7, "lumps": 4, "worrying": 1}
# Entries patients are least happy with get more 👎 (the rest about one in ten).
DISLIKED = {"how-long-lasts": 0.3, "swelling": 0.25}


def day_volume(day: date, rng: random.Random, start: date) -> int:
    """Questions on a day: fewer at weekends, slowly growing over the month."""
    base = 45 + (day - start).days * 1.2
    if day.weekday() >= 5:
        base *= 0.45
    return max(0, int(rng.gauss(base, base * 0.15)))


def phrasings(languages: Languages) -> list[str]:
    """Questions patients ask that the FAQ answers, from its own phrasings."""
    kb = languages.primary.kb
    return [q for entry in kb.entries for q in entry.questions[:4]]


async def seed(store: Store, languages: Languages, rng: random.Random) -> int:
    """A month of activity through the repositories; how many questions were recorded."""
    zone = ZoneInfo(languages.primary.kb.clinic.timezone)
    span = insights.Period.last_days(NOW, zone)
    answered = phrasings(languages)
    # A few entries are asked far more often than the rest, as in any clinic.
    popular = rng.sample(answered, 12)
    count = 0
    for offset in range(span.days):
        day = span.start + timedelta(days=offset)
        for _ in range(day_volume(day, rng, span.start)):
            at = datetime.combine(day, time(8), zone) + timedelta(minutes=rng.randrange(13 * 60))
            if at > NOW:
                continue
            roll = rng.random()
            if roll < 0.10:
                text = rng.choice(UNCOVERED)
            elif roll < 0.16:
                text = rng.choice(UNCLEAR)
            elif roll < 0.175:
                text = rng.choice(URGENT)
            else:
                text = rng.choice(popular if rng.random() < 0.5 else answered)
            outcome = languages.ask(text)
            decision = outcome.decision
            entry = decision.entry_id if decision.kind is Kind.ANSWER else None
            kept = text if outcome.not_covered else None
            await store.stats.record_question(str(decision.kind), entry, at, kept)
            count += 1
            if entry is not None and rng.random() < 0.2:
                helpful = rng.random() >= DISLIKED.get(entry, 0.1)
                await store.stats.record_feedback(rng.randrange(10**6), entry, helpful, at)
    await seed_checkins(store, span, zone, rng)
    return count


async def seed_checkins(
    store: Store, span: insights.Period, zone: ZoneInfo, rng: random.Random
) -> None:
    """Courses with check-in answers spread over the month (no deliveries: not needed here)."""
    answers = [answer for answer, n in CHECKINS.items() for _ in range(n)]
    rng.shuffle(answers)
    per_course = 6
    for index in range(0, len(answers), per_course):
        user = 10_000 + index
        procedure = span.start + timedelta(days=rng.randrange(span.days - per_course))
        course = await store.courses.enroll(
            user, user, procedure, time(10), str(zone), [], NOW - timedelta(days=31)
        )
        for day, answer in enumerate(answers[index : index + per_course], start=1):
            at = datetime.combine(procedure + timedelta(days=day), time(11), zone)
            await store.courses.record_checkin(course.id, user, day, answer, min(at, NOW))


async def demo(database: Path) -> tuple[int, insights.Chart]:
    """Seed the database and draw the chart as /stats does; the questions seeded, the chart."""
    languages = load_languages()
    store = Store(Database(database))
    try:
        recorded = await seed(store, languages, random.Random(12))  # noqa: S311 - made-up data
        zone = ZoneInfo(languages.primary.kb.clinic.timezone)
        assistant = languages.assistant("en")
        chart = await insights.chart(store, assistant, insights.Period.last_days(NOW, zone))
    finally:
        await store.close()
    return recorded, chart


def write(out: Path, database: Path) -> None:
    """Make the demo and write the chart."""
    recorded, chart = asyncio.run(demo(database))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(chart.png)
    print(f"{recorded:,} questions seeded into {database}")
    print(f"{out}: {len(chart.png) / 1024:.0f} KB")
    print(f"caption: {chart.caption}")


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"the PNG to write ({OUT.name})")
    parser.add_argument("--database", type=Path, help="keep the demo database in this new file")
    args = parser.parse_args()
    if args.database is not None:
        if args.database.exists():
            parser.error(f"{args.database} exists: the demo seeds a new database only")
        write(args.out, args.database)
        return
    with tempfile.TemporaryDirectory() as scratch:
        write(args.out, Path(scratch) / "demo.db")


if __name__ == "__main__":
    main()
