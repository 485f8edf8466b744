"""What the clinic insights show: plain figures, filled in by storage and drawn by chart.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("answer", "clarify", "fallback", "urgent")
PERIOD_DAYS = 30


@dataclass(frozen=True)
class DayCounts:
    """One day's questions by outcome."""

    day: date
    answer: int = 0
    clarify: int = 0
    fallback: int = 0
    urgent: int = 0

    @property
    def total(self) -> int:
        """Every question of the day."""
        return self.answer + self.clarify + self.fallback + self.urgent

    def count(self, kind: str) -> int:
        """The day's count of one outcome ("answer", "clarify", "fallback", "urgent")."""
        if kind not in KINDS:
            raise ValueError(f"unknown outcome {kind!r}")
        value: int = getattr(self, kind)
        return value


@dataclass(frozen=True)
class EntryUsage:
    """How often one entry was answered and what patients thought of it."""

    entry_id: str
    label: str  # the entry's title in the staff language
    asked: int
    helpful: int = 0
    not_helpful: int = 0

    @property
    def votes(self) -> int:
        """👍 and 👎 together."""
        return self.helpful + self.not_helpful

    @property
    def not_helpful_share(self) -> float:
        """The share of 👎 among the votes, 0-1 (0 without votes)."""
        return self.not_helpful / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class Insights:
    """The figures of one period: questions per day, the top entries, check-ins by answer."""

    start: date
    end: date  # inclusive
    days: tuple[DayCounts, ...]
    top_entries: tuple[EntryUsage, ...] = ()
    checkins: tuple[tuple[str, int], ...] = ()  # (the answer's label, how many), commonest first

    def total(self, kind: str | None = None) -> int:
        """All questions of the period, or those of one outcome."""
        if kind is None:
            return sum(d.total for d in self.days)
        return sum(d.count(kind) for d in self.days)

    @property
    def questions(self) -> int:
        """All questions of the period."""
        return self.total()

    @property
    def checkin_total(self) -> int:
        """All check-in answers of the period."""
        return sum(n for _, n in self.checkins)

    @property
    def votes(self) -> tuple[int, int]:
        """👍 and 👎 over the top entries."""
        return (
            sum(e.helpful for e in self.top_entries),
            sum(e.not_helpful for e in self.top_entries),
        )


def period(end: date, days: int = PERIOD_DAYS) -> tuple[date, date]:
    """The first and last day of the `days` days that end with `end` (inclusive)."""
    if days < 1:
        raise ValueError("a period has at least one day")
    return end - timedelta(days=days - 1), end


def fill_days(
    rows: Iterable[tuple[date, str, int]], start: date, end: date
) -> tuple[DayCounts, ...]:
    """Every day from start to end, from sparse (day, outcome, count) rows; missing days are 0.

    Rows outside the period are ignored; several rows for one day and outcome add up.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    counts: dict[date, dict[str, int]] = {}
    for day, kind, n in rows:
        if kind not in KINDS:
            raise ValueError(f"unknown outcome {kind!r}")
        if start <= day <= end:
            by_kind = counts.setdefault(day, dict.fromkeys(KINDS, 0))
            by_kind[kind] += n
    span = (end - start).days + 1
    out: list[DayCounts] = []
    for offset in range(span):
        day = start + timedelta(days=offset)
        out.append(DayCounts(day, **counts.get(day, {})))
    return tuple(out)


def most_disliked(entries: Iterable[EntryUsage], limit: int = 5) -> tuple[EntryUsage, ...]:
    """The entries with the most 👎, most first (then the higher 👎 share, then the id)."""
    disliked = [e for e in entries if e.not_helpful > 0]
    disliked.sort(key=lambda e: (-e.not_helpful, -e.not_helpful_share, e.entry_id))
    return tuple(disliked[:limit])
