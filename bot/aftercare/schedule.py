"""When each course message is due, in the patient's own time zone; pure.

Day N is N days after the procedure: day 0 is the procedure date itself, so "two weeks" (the
article's rehabilitation period) are up on day 14, and a course of `days` days runs 0..days.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FIRST_DAY = 0  # the procedure date


def local_due(procedure: date, day: int, at: time, zone: str) -> datetime:
    """The UTC instant of local time `at` on course day `day` (day 0 is the procedure date)."""
    local = datetime.combine(procedure + timedelta(days=day), at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def local_today(now: datetime, zone: str) -> date:
    """The patient's calendar date at the instant `now`."""
    return now.astimezone(ZoneInfo(zone)).date()


def course_day(procedure: date, now: datetime, zone: str) -> int:
    """Whole days since the procedure at `now` in the patient's zone (0 on the procedure date)."""
    return (local_today(now, zone) - procedure).days


def day_reached(procedure: date, now: datetime, zone: str, last_sent: int | None) -> int:
    """The course day a patient is on: today's in their zone, or the last day they were sent.

    A zone set west puts today back a day; the day message already received stays theirs.
    """
    today = course_day(procedure, now, zone)
    return today if last_sent is None else max(today, last_sent)


def last_date(procedure: date, days: int) -> date:
    """The date of a course's last day: day N is N days after the procedure."""
    return procedure + timedelta(days=days)


def clamp_day(day: int, days: int) -> int:
    """A day number inside the course's 0..days (before day 0 is day 0, after the end the end)."""
    return min(max(day, FIRST_DAY), days)


def day_over(due_at: datetime, now: datetime, zone: str, late_days: int = 0) -> bool:
    """True when the patient's local day of `due_at`, and `late_days` after it, have passed."""
    return (local_today(now, zone) - local_today(due_at, zone)).days > late_days


def plan_days(
    procedure: date, at: time, zone: str, now: datetime, days: int
) -> tuple[tuple[int, datetime], ...]:
    """(day, due UTC) for the rest of the course: today's day at once, the others at `at`."""
    # A patient enrolling after the last day still gets the last day's message (and its
    # follow-up offer) rather than nothing.
    first = clamp_day(course_day(procedure, now, zone), days)
    later = tuple((d, local_due(procedure, d, at, zone)) for d in range(first + 1, days + 1))
    return ((first, now.astimezone(UTC)), *later)


def months_later(procedure: date, months: int) -> date:
    """The same day `months` calendar months after the procedure (the month's last if shorter)."""
    index = procedure.month - 1 + months
    year, month = procedure.year + index // 12, index % 12 + 1
    return date(year, month, min(procedure.day, monthrange(year, month)[1]))


def follow_up_day(procedure: date, months: int) -> int:
    """The day number (days since the procedure) of the same date `months` months later."""
    return (months_later(procedure, months) - procedure).days


def shortest_follow_up_day(months: int) -> int:
    """The earliest day number a follow-up `months` later can fall on, whatever the date."""
    # Month ends make the shortest spans (31 January -> 28 February): try each of a leap cycle.
    starts = (
        date(2024 + y, m, d)
        for y in range(4)
        for m in range(1, 13)
        for d in range(28, monthrange(2024 + y, m)[1] + 1)
    )
    return min(follow_up_day(start, months) for start in starts)
