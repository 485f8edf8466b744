"""What a patient types during enrolment: a procedure date, a send time, a time zone; pure."""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from functools import cache
from zoneinfo import available_timezones

_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")


class Refusal(StrEnum):
    """Why a typed procedure date is not accepted; the value is the locale key of the answer."""

    UNREADABLE = "ac_date_unreadable"
    FUTURE = "ac_date_future"
    TOO_OLD = "ac_date_too_old"


def parse_date(text: str) -> date | None:
    """A date typed as DD.MM.YYYY, D.M.YY or YYYY-MM-DD, or None."""
    text = text.strip()
    if match := _DOTTED_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_procedure_date(text: str, today: date, max_days_ago: int) -> date | Refusal:
    """The procedure date typed by the patient, or why it is refused."""
    when = parse_date(text)
    if when is None:
        return Refusal.UNREADABLE
    return check_procedure_date(when, today, max_days_ago)


def check_procedure_date(when: date, today: date, max_days_ago: int) -> date | Refusal:
    """The procedure date if it is neither in the future nor too long ago, else why not."""
    if when > today:
        return Refusal.FUTURE
    if (today - when).days > max_days_ago:
        return Refusal.TOO_OLD
    return when


def parse_time(text: str) -> time | None:
    """A time of day typed as HH:MM (or H:MM, HH.MM), or None."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


@cache
def _zone_names() -> dict[str, str]:
    """Lower-case zone names, and unambiguous city names, to the IANA name."""
    names = sorted(n for n in available_timezones() if not n.startswith(("posix/", "right/")))
    lookup = {n.lower(): n for n in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    for city, matches in cities.items():
        if len(matches) == 1:
            lookup.setdefault(city, matches[0])
    return lookup


def parse_zone(text: str) -> str | None:
    """The IANA time zone a patient typed ("Europe/Berlin", "berlin", "New York"), or None."""
    return _zone_names().get("_".join(text.split()).lower())
