"""Clinic insights from the store: /stats, /unanswered, `faq suggest` and the weekly digest.

The rest of bot/insights is pure; this module reads the store and runs the heavy parts
(drawing, grouping) in a worker thread, so that the event loop never waits for them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.answers.assistant import Assistant
from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import Languages
from bot.insights.chart import ChartLabels, caption, render_png
from bot.insights.grouping import QuestionGroup, group_questions
from bot.insights.report import stats_reply, unanswered_text
from bot.insights.snapshot import (
    KINDS,
    PERIOD_DAYS,
    EntryUsage,
    Insights,
    fill_days,
    most_disliked,
    period,
)
from bot.insights.suggest import suggest_yaml
from bot.messages import Reply
from bot.storage.insights import Figures
from bot.storage.store import Store

# The most unanswered texts grouped at once, the period's latest: grouping compares them in
# pairs, so its time grows with their square (10,000 distinct texts take 8 s of CPU, 40,000
# over a minute), and patients' replies share that CPU. Every text is still counted.
GROUPED_TEXTS = 10_000


@dataclass(frozen=True)
class Period:
    """Whole days in the clinic's time zone, from `start` to `end` inclusive."""

    start: date
    end: date
    zone: ZoneInfo

    @classmethod
    def last_days(cls, now: datetime, zone: ZoneInfo, days: int = PERIOD_DAYS) -> Period:
        """The `days` days that end with today in the clinic's zone."""
        return cls.ending(now.astimezone(zone).date(), zone, days)

    @classmethod
    def ending(cls, last: date, zone: ZoneInfo, days: int = PERIOD_DAYS) -> Period:
        """The `days` days that end with the day `last` in the clinic's zone."""
        start, end = period(last, days)
        return cls(start, end, zone)

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    @property
    def begins(self) -> datetime:
        """The instant the first day begins (its local midnight)."""
        return datetime.combine(self.start, time(), self.zone)

    @property
    def ends(self) -> datetime:
        """The instant after the last day (the next local midnight)."""
        return datetime.combine(self.end + timedelta(days=1), time(), self.zone)


@dataclass(frozen=True)
class Chart:
    """The /stats photo and its caption."""

    png: bytes
    caption: str


def insights_of(figures: Figures, kb: KnowledgeBase, span: Period) -> Insights:
    """The stored counts as the chart's figures, in the clinic's days and the FAQ's words.

    Hours are folded into the local day they begin in: exact for zones a whole number of hours
    from UTC; in a half-hour zone a question asked in the half hour around midnight may count
    on the day beside its own (never outside the period: the store cut it at the exact instants).
    """
    rows = [
        (min(max(hour.astimezone(span.zone).date(), span.start), span.end), kind, n)
        for hour, kind, n in figures.hours
        if kind in KINDS
    ]
    votes = {entry_id: (yes, no) for entry_id, yes, no in figures.votes}
    asked = dict(figures.asked)
    usage = [
        EntryUsage(
            entry_id, _title(kb, entry_id), asked.get(entry_id, 0), *votes.get(entry_id, (0, 0))
        )
        for entry_id in {*asked, *votes}
    ]
    usage.sort(key=lambda e: (-e.asked, -e.votes, e.entry_id))
    options = {o.id: o.label for o in kb.course.checkin_options} if kb.course else {}
    checkins = tuple((options.get(answer, answer), n) for answer, n in figures.checkins)
    days = fill_days(rows, span.start, span.end)
    return Insights(span.start, span.end, days, tuple(usage), checkins)


async def collect(store: Store, kb: KnowledgeBase, span: Period) -> Insights:
    """The period's figures from the store, labelled from `kb`."""
    figures = await store.insights.figures(span.begins, span.ends)
    return insights_of(figures, kb, span)


async def chart(store: Store, assistant: Assistant, span: Period) -> Chart:
    """The /stats chart in the assistant's language, drawn in a worker thread."""
    insights = await collect(store, assistant.kb, span)
    t = assistant.locale.t
    png = await asyncio.to_thread(render_png, insights, ChartLabels.from_locale(t, insights))
    return Chart(png, caption(insights, t))


async def text_report(store: Store, assistant: Assistant, span: Period) -> Reply:
    """The /stats text report of the 7 and 30 days ending with the last of `span`."""
    # The chart's calendar days in the clinic's zone: rolling 24-hour days gave other totals.
    week, month = (Period.ending(span.end, span.zone, days) for days in (7, PERIOD_DAYS))
    report = await store.stats.report(week.begins, month.begins, span.ends)
    checkins = await store.courses.checkin_stats()
    return stats_reply(report, assistant.kb, assistant.locale, checkins)


@dataclass(frozen=True)
class Unanswered:
    """The period's latest unanswered questions grouped, and how many the period has."""

    groups: tuple[QuestionGroup, ...]
    total: int


async def unanswered_groups(store: Store, languages: Languages, span: Period) -> Unanswered:
    """The period's latest unanswered questions (GROUPED_TEXTS at most) grouped by what they
    ask, in a worker thread."""
    texts = await store.insights.unanswered_texts(span.begins, span.ends, GROUPED_TEXTS)
    total = len(texts)
    if total == GROUPED_TEXTS:
        total = await store.insights.count_unanswered(span.begins, span.ends)
    return Unanswered(await asyncio.to_thread(group_questions, texts, languages), total)


async def unanswered_report(
    store: Store, languages: Languages, assistant: Assistant, span: Period
) -> str:
    """The /unanswered text in the assistant's language: groups, then the entries most 👎."""
    unanswered = await unanswered_groups(store, languages, span)
    insights = await collect(store, assistant.kb, span)
    disliked = most_disliked(insights.top_entries)
    return unanswered_text(
        unanswered.groups, disliked, assistant.locale.t, days=span.days, total=unanswered.total
    )


async def suggestions(store: Store, languages: Languages, span: Period) -> dict[str, str]:
    """The reviewable YAML snippet for each loaded FAQ file, by language code."""
    groups = (await unanswered_groups(store, languages, span)).groups

    def snippets() -> dict[str, str]:
        return {
            code: suggest_yaml([g for g in groups if g.language == code], assistant)
            for code, assistant in languages.assistants.items()
        }

    return await asyncio.to_thread(snippets)


def _title(kb: KnowledgeBase, entry_id: str) -> str:
    entry = kb.entry(entry_id)
    return entry.title if entry else entry_id
