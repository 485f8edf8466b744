"""The stats store: recording without user data, and the admin report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.stats import Stats

NOW = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def stats(tmp_path: Path) -> Iterator[Stats]:
    """A stats store over a fresh database."""
    db = Database(tmp_path / "stats.db")
    yield Stats(db)
    db.close()


def test_report_counts_by_kind_for_7_and_30_days(stats: Stats) -> None:
    stats.record_question("answer", "pain", NOW - timedelta(days=1))
    stats.record_question("answer", "pain", NOW - timedelta(days=10))
    stats.record_question("clarify", None, NOW - timedelta(days=2))
    stats.record_question("urgent", None, NOW - timedelta(days=3))
    stats.record_question("answer", "old", NOW - timedelta(days=40))
    report = stats.report(NOW)
    assert report.last_7_days == {"answer": 1, "clarify": 1, "fallback": 0, "urgent": 1}
    assert report.last_30_days == {"answer": 2, "clarify": 1, "fallback": 0, "urgent": 1}
    assert report.top_entries == [("pain", 2)]


def test_unanswered_texts_grouped_by_frequency_without_user(stats: Stats) -> None:
    for text in ("How much is it?", "how much  is it?", "Do you park cars", "HOW MUCH IS IT?"):
        stats.record_question("fallback", None, NOW, unanswered_text=text)
    stats.record_question("fallback", None, NOW - timedelta(days=31), unanswered_text="old one")
    report = stats.report(NOW)
    assert report.unanswered == [("How much is it?", 3), ("Do you park cars", 1)]
    with stats.db.transaction() as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(unanswered)")]
    assert columns == ["id", "asked_at", "text"]


def test_feedback_per_entry_and_a_second_vote_replaces_the_first(stats: Stats) -> None:
    stats.record_feedback(1, "pain", helpful=False, at=NOW)
    stats.record_feedback(1, "pain", helpful=True, at=NOW)
    stats.record_feedback(2, "pain", helpful=False, at=NOW)
    stats.record_feedback(2, "cost", helpful=True, at=NOW)
    report = stats.report(NOW)
    assert [(f.entry_id, f.helpful, f.not_helpful) for f in report.feedback] == [
        ("pain", 1, 1),
        ("cost", 1, 0),
    ]


def test_naive_times_are_refused(stats: Stats) -> None:
    with pytest.raises(ValueError, match="naive"):
        stats.record_question("answer", "pain", datetime(2025, 1, 1))  # noqa: DTZ001


def test_empty_report(stats: Stats) -> None:
    report = stats.report(NOW)
    assert sum(report.last_30_days.values()) == 0
    assert (report.top_entries, report.feedback, report.unanswered) == ([], [], [])


def test_forget_user_deletes_only_their_feedback(stats: Stats) -> None:
    stats.record_feedback(1, "pain", helpful=True, at=NOW)
    stats.record_feedback(2, "pain", helpful=False, at=NOW)
    assert stats.forget_user(1) == 1
    assert [(f.helpful, f.not_helpful) for f in stats.report(NOW).feedback] == [(0, 1)]


@pytest.mark.parametrize(
    "text",
    [
        "my number is 07700 900123, call me",
        "+44 (7700) 900-123 please",
        "write to anna.k@example.com",
        "my insta is @anna_k",
        "see https://example.com/me",
    ],
)
def test_unanswered_texts_with_contact_details_are_not_kept(stats: Stats, text: str) -> None:
    stats.record_question("fallback", None, NOW, unanswered_text=text)
    report = stats.report(NOW)
    assert report.unanswered == [] and report.last_7_days["fallback"] == 1


@pytest.mark.parametrize("text", ["is 3 ml enough", "can I have it at 45", "price in 2025?"])
def test_ordinary_numbers_are_kept(stats: Stats, text: str) -> None:
    stats.record_question("fallback", None, NOW, unanswered_text=text)
    assert stats.report(NOW).unanswered == [(text, 1)]


def test_unanswered_texts_are_purged_after_the_retention_period(tmp_path: Path) -> None:
    db = Database(tmp_path / "stats.db")
    stats = Stats(db, unanswered_retention=timedelta(days=90))
    stats.record_question("fallback", None, NOW - timedelta(days=91), unanswered_text="old")
    stats.record_question("fallback", None, NOW - timedelta(days=89), unanswered_text="recent")
    assert stats.purge(NOW) == 1
    with db.transaction() as conn:
        assert [r["text"] for r in conn.execute("SELECT text FROM unanswered")] == ["recent"]
    db.close()
