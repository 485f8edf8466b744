"""The insights' storage, on SQLite and PostgreSQL: the period's figures and the digest's claim."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.answers.assistant import Assistant
from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import Languages
from bot.insights import service as insights
from bot.storage.database import Database
from bot.storage.insights import HOURLY_SQL
from bot.storage.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


async def test_figures_count_the_period_by_hour_entry_vote_and_checkin(store: Store) -> None:
    start, end = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)
    stats = store.stats
    await stats.record_question("answer", "swelling", start, None)
    await stats.record_question("answer", "swelling", start + timedelta(minutes=59), None)
    await stats.record_question("answer", "bruising", start + timedelta(hours=1), None)
    await stats.record_question("fallback", None, start + timedelta(hours=1), "parking?")
    await stats.record_question("urgent", None, end - timedelta(seconds=1), None)
    await stats.record_question("answer", "swelling", end, None)  # the next period's
    await stats.record_question("answer", "swelling", start - timedelta(seconds=1), None)
    await stats.record_feedback(1, "swelling", True, start)
    await stats.record_feedback(2, "swelling", False, start)
    await stats.record_feedback(3, "bruising", True, end)  # outside
    course = await store.courses.enroll(7, 7, date(2026, 3, 1), time(10), "UTC", [], start)
    await store.courses.record_checkin(course.id, 7, 1, "good", start)
    await store.courses.record_checkin(course.id, 7, 2, "good", start + timedelta(days=1))
    await store.courses.record_checkin(course.id, 7, 2, "pain", start + timedelta(days=1))

    figures = await store.insights.figures(start, end)

    assert sorted(figures.hours) == [
        (start, "answer", 2),
        (start + timedelta(hours=1), "answer", 1),
        (start + timedelta(hours=1), "fallback", 1),
        (end - timedelta(hours=1), "urgent", 1),
    ]
    assert figures.asked == (("swelling", 2), ("bruising", 1))
    assert figures.votes == (("swelling", 1, 1),)
    assert figures.checkins == (("good", 2), ("pain", 1))
    assert await store.insights.unanswered_texts(start, end) == ["parking?"]
    assert await store.insights.unanswered_texts(end, end + timedelta(days=1)) == []


async def test_days_are_the_clinics_and_labels_the_faqs(store: Store, kb: KnowledgeBase) -> None:
    span = insights.Period.last_days(NOW, BERLIN, days=2)
    assert (span.start, span.end) == (date(2026, 3, 30), date(2026, 3, 31))
    # 23:30 UTC on the 29th is 01:30 on the 30th in Berlin (summer time since the 29th).
    await store.stats.record_question(
        "answer", "swelling", datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    )
    await store.stats.record_question(
        "answer", "swelling", datetime(2026, 3, 29, 21, 30, tzinfo=UTC)
    )
    await store.stats.record_question("fallback", None, datetime(2026, 3, 31, 11, 0, tzinfo=UTC))
    await store.stats.record_feedback(5, "swelling", False, datetime(2026, 3, 30, 8, tzinfo=UTC))
    course = await store.courses.enroll(7, 7, date(2026, 3, 29), time(10), "UTC", [], NOW)
    await store.courses.record_checkin(course.id, 7, 1, "swelling", NOW)

    figures = await insights.collect(store, kb, span)

    assert [(d.day, d.answer, d.fallback) for d in figures.days] == [
        (date(2026, 3, 30), 1, 0),
        (date(2026, 3, 31), 0, 1),
    ]
    (swelling,) = figures.top_entries
    assert (swelling.label, swelling.asked, swelling.not_helpful) == (
        kb.by_id["swelling"].title,
        1,
        1,
    )
    assert figures.checkins == (("Swelling", 1),)


async def test_a_half_hour_zone_keeps_every_question_of_the_period(
    store: Store, kb: KnowledgeBase
) -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+5:30: its midnight is half past a UTC hour
    span = insights.Period.last_days(NOW, kolkata, days=1)
    assert span.begins == datetime(2026, 3, 30, 18, 30, tzinfo=UTC)
    for minute in (15, 45):  # before and after the clinic's midnight, in one UTC hour
        at = datetime(2026, 3, 30, 18, minute, tzinfo=UTC)
        await store.stats.record_question("fallback", None, at)
    figures = await insights.collect(store, kb, span)
    assert [(d.day, d.fallback) for d in figures.days] == [(date(2026, 3, 31), 1)]


async def test_the_hourly_counts_come_from_the_index_in_its_order_on_sqlite(db: Database) -> None:
    if db.postgres:
        return  # PostgreSQL picks its plan by statistics; benchmarks/bench_stats.py measures it
    bounds = {"start": "2026", "end": "2027", "first_hour": "2026", "last_hour": "2027"}
    async with db.transaction() as conn:
        plan = " | ".join(
            str(row[-1])
            for row in await conn.execute(text(f"EXPLAIN QUERY PLAN {HOURLY_SQL}"), bounds)
        )
    # No temporary B-tree: a million rows are counted as the index yields them, never sorted.
    assert plan == "SEARCH questions USING COVERING INDEX questions_by_hour (<expr>>? AND <expr><?)"


async def test_a_weeks_digest_is_claimed_once_and_never_after_it_was_sent(store: Store) -> None:
    repo = store.insights
    assert await repo.claim_digest("2026-W14", "a", NOW)
    assert not await repo.claim_digest("2026-W14", "b", NOW + timedelta(minutes=9))
    # The holder died without a word: its lease runs out and another takes over.
    assert await repo.claim_digest("2026-W14", "b", NOW + timedelta(minutes=11))
    await repo.digest_sent("2026-W14", "b", NOW + timedelta(minutes=12))
    assert not await repo.claim_digest("2026-W14", "a", NOW + timedelta(days=1))
    assert await repo.digest_weeks() == [("2026-W14", True)]


async def test_a_failed_digest_waits_and_a_dead_or_stopped_holder_gives_it_back(
    store: Store,
) -> None:
    repo = store.insights
    assert await repo.claim_digest("2026-W14", "a", NOW)
    await repo.release_digest("2026-W14", "a", NOW + timedelta(minutes=10))
    assert not await repo.claim_digest("2026-W14", "b", NOW + timedelta(minutes=5))
    assert await repo.claim_digest("2026-W14", "b", NOW + timedelta(minutes=10, seconds=1))
    assert await repo.claim_digest("2026-W14", "c", NOW + timedelta(minutes=11), lambda o: o == "b")
    assert await repo.release_owned("c") == 1
    assert await repo.claim_digest("2026-W14", "d", NOW + timedelta(minutes=11))
    assert await repo.digest_weeks() == [("2026-W14", False)]


async def test_a_digests_messages_already_sent_are_kept_for_the_next_try(store: Store) -> None:
    repo = store.insights
    assert await repo.claim_digest("2026-W14", "a", NOW)
    assert await repo.digest_parts_sent("2026-W14") == 0
    await repo.digest_part_sent("2026-W14", "a", 1)  # the chart went, the report failed
    await repo.release_digest("2026-W14", "a", NOW + timedelta(minutes=10))
    await repo.digest_part_sent("2026-W14", "a", 2)  # no longer its claim: not recorded
    assert await repo.claim_digest("2026-W14", "b", NOW + timedelta(minutes=11))
    assert await repo.digest_parts_sent("2026-W14") == 1


async def test_unanswered_groups_the_latest_texts_and_counts_them_all(
    store: Store, assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by probing: /unanswered (and the digest, and `faq suggest`) grouped every text of
    # the period, comparing them pairwise: 40,000 distinct questions took 78 s of CPU and
    # 100,000 several minutes, all read into memory, while patients' replies shared the CPU.
    # Now the latest GROUPED_TEXTS are grouped and the report says how many there were.
    monkeypatch.setattr(insights, "GROUPED_TEXTS", 3)
    span = insights.Period.last_days(NOW, BERLIN, days=2)
    for minute, question in enumerate(["wifi?", "parking?", "parking??", "car park?", "gift?"]):
        at = NOW - timedelta(hours=1) + timedelta(minutes=minute)
        await store.stats.record_question("fallback", None, at, question)
    languages = Languages([assistant])
    unanswered = await insights.unanswered_groups(store, languages, span)
    assert unanswered.total == 5
    assert sorted(p.text for g in unanswered.groups for p in g.phrasings) == [
        "car park?",
        "gift?",
        "parking??",
    ]
    report = await insights.unanswered_report(store, languages, assistant, span)
    assert report.splitlines()[:2] == [
        "Not covered in the last 2 days: questions 5, groups 2",
        "Grouped below: the latest 3 of them.",
    ]
