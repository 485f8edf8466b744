"""What a patient types during enrolment: a procedure date, a send time, a time zone; pure."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from bot.locale import (
    DateWords,
    city_words,
    city_zones,
    country_names,
    shown_as_typed,
    spaced,
    without_marks,
)

_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})")
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?")
# "15.05.": a day and a month closed with a date's dot, which a time never has.
_DAY_MONTH_CLOSED = re.compile(r"(\d{1,2})\.(\d{1,2})\.")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
_HOUR = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?")
_GLUED_HOUR = re.compile(r"(\d{1,2}(?:[:.]\d{2})?)(\D+)")  # "9am", "7:30pm"
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")  # "15th"
# "0900", "2130": the 24-hour clock without its colon.
_FOUR_DIGITS = re.compile(r"(?<![\d:.])(\d{2})(\d{2})(?![\d:.])")
# An hour written with its leading zero ("07:00", not the minutes of "10:00").
_ZERO_HOUR = re.compile(r"(?<![\d:.])0\d")
# "19h30", "21ч30": the hour's word between hours and minutes.
_WORD_BETWEEN = re.compile(r"(\d{1,2})([^\W\d_]+)(\d{2})(?!\d)")
# Any count of days before the calendar's first day is simply too long ago.
_MAX_DAYS_AGO = 10**6
# The most years between two 29 Februaries (2096 to 2104: 2100 is no leap year).
_LEAP_GAP = 8
NO_WORDS = DateWords()


class Refusal(StrEnum):
    """Why a typed procedure date is not accepted; the value is the locale key of the answer."""

    UNREADABLE = "ac_date_unreadable"
    NO_SUCH_DAY = "ac_date_no_such_day"  # a date's form, but no day of the calendar
    FUTURE = "ac_date_future"
    TOO_OLD = "ac_date_too_old"
    ORDER_UNCLEAR = "ac_date_order_unclear"  # "05/06": 5 June and 6 May are both possible
    VAGUE = "ac_date_vague"  # "last week", "a couple of days ago": which day is asked


class _NoSuchDay(Exception):
    """The text has a date's form, but its day, month or year no calendar has ("31.02.2025")."""


def seen(text: str) -> str:
    """Typed text as the patient sees it: no direction marks, other invisible characters as
    spaces, compatibility forms as the characters they show ("２１：３０" as "21:30")."""
    # A date copied from Windows or typed on a right-to-left keyboard carries U+200E / U+200F; a
    # zero-width space or the byte-order mark may end it. A Chinese or Japanese keyboard types
    # full-width digits and colons.
    return spaced(shown_as_typed(unicodedata.normalize("NFKC", text)))


def _normal(text: str) -> str:
    """Lower case, "ё" as "е", single spaces, no full stop at the end."""
    return " ".join(text.lower().replace("ё", "е").split()).rstrip(".!")


def parse_date(text: str, today: date | None = None, words: DateWords = NO_WORDS) -> date | None:
    """A date typed as DD.MM.YYYY, D.M.YY or YYYY-MM-DD, or in the locale's `words`, or None.

    `today` is needed for the relative forms ("вчера", "3 дня назад") and those without a year
    ("15.03", "15 марта": this year, or last year when that date is still to come).
    """
    try:
        return _parse_date(text, today, words)
    except _NoSuchDay:
        return None


def _parse_date(text: str, today: date | None, words: DateWords) -> date | None:
    """As `parse_date`; _NoSuchDay for a date's form that names no day ("30 February")."""
    if words.slash_dates and "." not in text:
        text = text.replace("/", ".")  # "15/03/2025" where the day comes first
    if today is not None:
        relative = _relative_date(_normal(text), today, words)
        if relative is not None:
            return relative
    text = _without_year_word(text.strip(), words)
    if match := _DOTTED_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    return _calendar_day(year, month, day)


def _without_year_word(text: str, words: DateWords) -> str:
    """A date without the word for "year" after its digits ("15.03.2025г", "15.03.2025 г.")."""
    bare = text.rstrip(".").rstrip()
    for word in words.year_words:
        rest = bare.removesuffix(word).rstrip()
        if rest != bare and rest[-1:].isdecimal():
            return rest
    return text


def counts_back(text: str, words: DateWords = NO_WORDS) -> bool:
    """Whether a typed date counts days back from today ("yesterday", "3 days ago", "Friday")."""
    return any(_counted_back(said, words) for said in _as_said(_normal(text), words))


def _counted_back(text: str, words: DateWords) -> bool:
    head, _, rest = text.partition(" ")
    return (
        any(text == word for word, _ago in words.days_ago)
        or (_count(head, words) is not None and rest in dict(words.n_days_ago))
        or _weekday(text, words) is not None
    )


def names_weekday(text: str, words: DateWords = NO_WORDS) -> bool:
    """Whether a typed date is a day of the week ("last Friday", "в пятницу")."""
    return any(_weekday(said, words) is not None for said in _as_said(_normal(text), words))


def _as_said(text: str, words: DateWords) -> tuple[str, ...]:
    """The text, and without the part of the day after it ("yesterday evening", "вчера
    вечером"), which says nothing more of the date."""
    for part in sorted(words.day_parts, key=len, reverse=True):
        bare = text.removesuffix(f" {part}")
        if bare != text:
            return (text, bare)
    return (text,)


def _weekday(text: str, words: DateWords) -> tuple[int, bool] | None:
    """The day of the week typed (Monday 0) and whether it is said to be a past week's ("last
    Friday", "в прошлую пятницу"), or None."""
    pieces = text.split(" ")
    while len(pieces) > 1 and pieces[0] in words.weekday_prefixes:  # "on", "в"
        pieces = pieces[1:]
    last = len(pieces) > 1 and pieces[0] in words.last_words
    if last:
        pieces = pieces[1:]
    day = dict(words.weekdays).get(pieces[0]) if len(pieces) == 1 else None
    return None if day is None else (day, last)


def _count(word: str, words: DateWords) -> int | None:
    """A number of days or weeks, in digits ("3") or in the locale's words ("three", "три")."""
    if word.isdecimal():
        return int(word) if len(word) <= len(str(_MAX_DAYS_AGO)) else _MAX_DAYS_AGO
    return dict(words.numbers).get(word)


def _relative_date(text: str, today: date, words: DateWords) -> date | None:
    """A date in the locale's words, or without a year; None when the text is neither."""
    for said in _as_said(text, words):
        if (when := _relative_date_said(said, today, words)) is not None:
            return when
    return None


def _relative_date_said(text: str, today: date, words: DateWords) -> date | None:
    """As `_relative_date`, the text as it is."""
    if (weekday := _weekday(text, words)) is not None:
        day, last = weekday
        # The last such day up to today; "last Friday" on a Friday is a week ago.
        ago = (today.weekday() - day) % 7
        return today - timedelta(days=ago or (7 if last else 0))
    for word, ago in words.days_ago:
        if text == word:
            return today - timedelta(days=ago)
    head, _, rest = text.partition(" ")
    for suffix, unit in words.n_days_ago:
        if rest == suffix and (count := _count(head, words)) is not None:
            return today - timedelta(days=min(count * unit, (today - date.min).days))
    if head in words.ahead_words and (ahead := _days_ahead(rest, words)) is not None:
        return today + timedelta(days=min(ahead, (date.max - today).days))
    if words.day_month and (match := _DAY_MONTH.fullmatch(text)):
        return _this_or_last_year(int(match.group(1)), int(match.group(2)), today)
    return _worded_date(text, today, words) if words.months else None


def _days_ahead(text: str, words: DateWords) -> int | None:
    """The days to come after "in" or "через": "2 days", "a week", "неделю" (one), or None."""
    units = dict(words.n_days_ahead)
    if text in units:
        return units[text]
    head, _, rest = text.partition(" ")
    count = _count(head, words) if rest in units else None
    return None if count is None else count * units[rest]


@cache
def _ordinal_endings(endings: tuple[str, ...]) -> re.Pattern[str] | None:
    """A day with one of a locale's ordinal endings ("18-го", "18го"), or None without any."""
    if not endings:
        return None
    alternatives = "|".join(map(re.escape, sorted(endings, key=len, reverse=True)))
    return re.compile(rf"\b(\d{{1,2}})-?(?:{alternatives})(?!\w)")


def _worded_date(text: str, today: date, words: DateWords) -> date | None:
    """ "15 марта", "March 15th", "15th of March 2025", "15 марта 2025 года", or None."""
    months = dict(words.months)
    text = _ORDINAL.sub(r"\1", text.replace(",", " "))
    if (endings := _ordinal_endings(words.ordinals)) is not None:
        text = endings.sub(r"\1", text)
    pieces = [p for p in text.split() if p not in words.date_fillers]
    while pieces and pieces[-1].removesuffix(".") in words.year_words:
        pieces.pop()
    if len(pieces) >= 2 and pieces[0] in months:
        pieces[0], pieces[1] = pieces[1], pieces[0]  # "March 15": the day first
    # A day has one or two digits: a long number is no day (and int() refuses 4,300+ digits).
    if len(pieces) not in (2, 3) or not _is_day(pieces[0]) or pieces[1] not in months:
        return None
    day, month = int(pieces[0]), months[pieces[1]]
    if len(pieces) == 2:
        return _this_or_last_year(day, month, today)
    year = pieces[2]
    for word in words.year_words:
        year = year.removesuffix(word)
    if len(year) == 4 and year.isdecimal():
        return _calendar_day(int(year), month, day)
    return None


def _is_day(text: str) -> bool:
    """One or two digits."""
    return text.isdecimal() and len(text) <= 2


def _this_or_last_year(day: int, month: int, today: date) -> date:
    """The last such date up to today (this year's or last year's); _NoSuchDay when none is."""
    # 29 February is the last leap year's (never "unreadable": it is too long ago).
    for year in range(today.year, today.year - _LEAP_GAP - 1, -1):
        with contextlib.suppress(_NoSuchDay):
            if (when := _calendar_day(year, month, day)) <= today:
                return when
    raise _NoSuchDay  # "31.04": no year has it


def _calendar_day(year: int, month: int, day: int) -> date:
    """The date; _NoSuchDay when the calendar has none such ("31.02.2025", month 13, year 0)."""
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):  # OverflowError: a day past a C long
        raise _NoSuchDay from None


def read_procedure_date(
    text: str, today: date, max_days_ago: int, words: DateWords = NO_WORDS
) -> date | Refusal:
    """The procedure date typed by the patient, or why it is refused."""
    slashed = _SLASH_DATE.fullmatch(text.strip()) if words.slash_either else None
    if slashed is not None:
        return _either_order(slashed, today, max_days_ago)
    if _normal(text).rstrip("?") in words.vague:
        return Refusal.VAGUE
    try:
        when = _parse_date(text, today, words)
    except _NoSuchDay:  # "Please type it as DD.MM.YYYY" would puzzle who did
        return Refusal.NO_SUCH_DAY
    if when is None:
        return Refusal.UNREADABLE
    return check_procedure_date(when, today, max_days_ago)


def _either_order(slashed: re.Match[str], today: date, max_days_ago: int) -> date | Refusal:
    """A date with slashes read day first and month first: the one reading the course can
    have; why not when neither can, or when both can and differ."""
    first, second, year = slashed.groups()
    readings: list[date] = []
    for day, month in ((int(first), int(second)), (int(second), int(first))):
        with contextlib.suppress(_NoSuchDay):
            if year is None:
                readings.append(_this_or_last_year(day, month, today))
            else:
                readings.append(
                    _calendar_day(int(year) + (2000 if len(year) == 2 else 0), month, day)
                )
    if not readings:
        return Refusal.NO_SUCH_DAY
    checked = [check_procedure_date(when, today, max_days_ago) for when in readings]
    taken = {when for when in checked if isinstance(when, date)}
    if len(taken) > 1:
        return Refusal.ORDER_UNCLEAR
    return taken.pop() if taken else checked[0]


def order_unclear(text: str, words: DateWords = NO_WORDS) -> bool:
    """Whether a date with slashes reads as two days, day or month first ("05/06")."""
    slashed = _SLASH_DATE.fullmatch(text.strip()) if words.slash_either else None
    if slashed is None:
        return False
    first, second = int(slashed.group(1)), int(slashed.group(2))
    return first != second and first <= 12 and second <= 12


def check_procedure_date(when: date, today: date, max_days_ago: int) -> date | Refusal:
    """The procedure date if it is neither in the future nor too long ago, else why not."""
    if when > today:
        return Refusal.FUTURE
    if (today - when).days > max_days_ago:
        return Refusal.TOO_OLD
    return when


def names_a_date(text: str, today: date, words: DateWords = NO_WORDS) -> bool:
    """Whether an answer to the time question is a date, not a time: a day and month with a
    date's closing dot ("15.05."), one with a year, slashes or a month's name ("15.05.2025",
    "15/05", "15 May"), or a day and month that no clock has ("25.05"); "15.05" is 15:05."""
    said = _without_year_word(text.strip(), words)
    if (closed := _DAY_MONTH_CLOSED.fullmatch(said)) and _is_day_and_month(closed):
        return True
    if time_readings(text, words):
        return False
    if any(form.fullmatch(said) for form in (_DOTTED_DATE, _ISO_DATE, _SLASH_DATE)):
        return True
    if words.day_month and (day_month := _DAY_MONTH.fullmatch(said)):
        return _is_day_and_month(day_month)
    try:
        return bool(words.months) and _worded_date(_normal(said), today, words) is not None
    except _NoSuchDay:  # "31 June": a date's form all the same
        return True


def _is_day_and_month(match: re.Match[str]) -> bool:
    """Whether a match's two numbers are a day and a month some year has ("29.02")."""
    with contextlib.suppress(_NoSuchDay):
        return bool(_calendar_day(2024, int(match.group(2)), int(match.group(1))))  # a leap year
    return False


def parse_time(text: str, words: DateWords = NO_WORDS) -> time | None:
    """A time of day typed as HH:MM (or H:MM, HH.MM), or in the locale's words, or None.

    With the locale's words: "в 9 утра" is 09:00, "в 7 вечера" 19:00, "в 21:30" 21:30.
    """
    readings = time_readings(text, words)
    return readings[0] if readings else None


def time_readings(text: str, words: DateWords = NO_WORDS) -> tuple[time, ...]:
    """The times typed text may mean, earlier first: one, two for an hour on the 12-hour clock
    with no half of the day ("7 o'clock": 07:00 or 19:00), or none when it is no time."""
    text = _colon_added(text, words)
    match = _CLOCK.fullmatch(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        return (time(hour, minute),) if hour < 24 and minute < 60 else ()
    at = _worded_time(_normal(text), words) if words.hour_words else None
    if at is None:
        return ()
    # "12 o'clock" is noon: the morning or evening of 12 is no way to tell it from midnight.
    if at.minute or not 1 <= at.hour <= 11 or not _on_twelve_hour_clock(text, words):
        return (at,)
    return (at, time(at.hour + 12))


def _colon_added(text: str, words: DateWords) -> str:
    """The text with a time written without its colon written with it ("0900", "19h30")."""
    text = _FOUR_DIGITS.sub(r"\1:\2", text)
    return _WORD_BETWEEN.sub(
        lambda m: f"{m[1]}:{m[3]}" if m[2].lower() in words.hour_suffixes else m[0], text
    )


def _on_twelve_hour_clock(text: str, words: DateWords) -> bool:
    """Whether an hour is typed in digits with a word of the 12-hour clock and no half of the
    day ("7 o'clock", "at 7"; not "7 pm", "19h", "at noon")."""
    if not any(char.isdecimal() for char in text):
        return False
    said = _normal(text)
    if _ZERO_HOUR.search(said):  # "07:00", "at 07": the 24-hour clock's way
        return False
    pieces = said.split(" ")
    glued = _GLUED_HOUR.fullmatch(pieces[-1])
    if glued:
        said = f"{said} {' '.join(glued.groups())}"
    named = any(f" {half} " in f" {said} " for half, _begins in words.hour_words)
    return not named and not {*said.split(" ")}.isdisjoint(words.twelve_hour_words)


def _worded_time(text: str, words: DateWords) -> time | None:
    pieces = text.split(" ")
    prefixed = len(pieces) > 1 and pieces[0] in words.time_prefixes
    while len(pieces) > 1 and pieces[0] in words.time_prefixes:  # "at about 7"
        pieces = pieces[1:]
    named_times = dict(words.named_times)
    named = named_times.get(" ".join(pieces))
    if named is not None:
        return time(named)
    if len(pieces) == 2 and pieces[1] in named_times:  # "12 noon", "12:00 midnight"
        named, match = named_times[pieces[1]], _HOUR.fullmatch(pieces[0])
        said = (int(match.group(1)), int(match.group(2) or 0)) if match else None
        return time(named) if said in ((named, 0), (named or 12, 0)) else None
    hour_words = dict(words.hour_words)
    glued = _GLUED_HOUR.fullmatch(pieces[0]) if len(pieces) == 1 else None
    if glued and (glued.group(2) in hour_words or glued.group(2) in words.hour_suffixes):
        pieces = list(glued.groups())
    # "в 10 часов", "7 o'clock pm": the word for "hours" makes a number a time, and says nothing more.
    suffixed = len(pieces) > 1 and pieces[1] in words.hour_suffixes
    if suffixed:
        pieces = [pieces[0], *pieces[2:]]
    if len(pieces) > 2:  # "7 in the evening": a part of the day in several words
        pieces = [pieces[0], " ".join(pieces[1:])]
    if not pieces or (len(pieces) == 2 and pieces[1] not in hour_words):
        return None
    match = _HOUR.fullmatch(pieces[0])
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if len(pieces) == 2:
        if not 1 <= hour <= 12:
            return None
        # The word's part of the day begins at `begins`: of the two readings of a 12-hour
        # clock, the first at or after it ("в 11 ночи" 23:00, "в 3 ночи" 03:00).
        begins = hour_words[pieces[1]]
        hour = min((hour % 12, hour % 12 + 12), key=lambda h: (h - begins) % 24)
    elif match.group(2) is None and not prefixed and not suffixed:
        return None  # a bare number is not a time
    return time(hour, minute) if hour < 24 and minute < 60 else None


# "GMT+3", "UTC -5", "+03:00", "−2": an offset, not a place.
_OFFSET = re.compile(r"(?:utc|gmt)?\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?", re.IGNORECASE)
# Files of the zone database that name no place's time: the host's own zone (localtime,
# posixrules), "no civil time" (Factory), and copies under posix/ and right/ (leap seconds).
MACHINE_ZONES = ("localtime", "posixrules", "factory", "posix/", "right/")
# Zone names a patient is not offered: those, and "Etc/GMT+3", which is UTC-3 (POSIX signs).
_NOT_PLACES = (*MACHINE_ZONES, "etc/", "gmt+", "gmt-")


# Abbreviations, and the zone names that are one: a fixed offset without summer time ("EST" is
# UTC-5 all year, while New York keeps summer time), or several places ("MST": Denver keeps
# summer time, Phoenix does not; "IST": India, Ireland, Israel). The patient is asked for a place.
_ABBREVIATIONS = frozenset(
    " ".join(
        (
            "est edt cst cdt mst mdt pst pdt akst akdt hst hdt ast adt nst ndt gmt bst ist",
            "uct wet west cet cest met mest eet eest aest aedt acst acdt awst nzst nzdt jst kst",
            "hkt sgt wib pht est5edt cst6cdt mst7mdt pst8pdt gmt0 greenwich universal zulu",
        )
    ).split()
)
# An abbreviation that names one place, which has no summer time to lose.
_ONE_PLACE = {"msk": "Europe/Moscow"}
# Zones of no place, a fixed offset all year: taken only named in full ("Etc/GMT-3", "UTC"),
# which no patient types by chance; the confirmation says what each is (see `fixed_offset`).
_FIXED_REGION = "etc/"
_UTC = "UTC"
# Regions in the order a name shared by two aliases of one zone is given ("Istanbul": Europe/).
_REGIONS = (
    "Europe",
    "Asia",
    "America",
    "Africa",
    "Australia",
    "Pacific",
    "Atlantic",
    "Indian",
    "US",
)
# Two zone names are one zone when their offsets agree on every sampled day of these years.
_SAMPLE_YEARS = (2000, 2040)
_SAMPLE_STEP = timedelta(days=2)
_CITY_WORD = re.compile(r"[^\W_]+")
# What may end a zone typed as a sentence: "Berlin.", "London!", "Tokyo …".
_SENTENCE_END = ".!\u2026 \t\n"
# A flag is two regional indicator letters ("🇩🇪": D, E), the country's ISO code.
_REGIONAL_A = 0x1F1E6
_REGIONAL_Z = 0x1F1FF
# Symbols typed beside a city ("Berlin 🇩🇪", "London ☔️"): emoji, their variation selectors,
# joiners and the tag letters of a subdivision's flag ("🏴󠁧󠁢󠁥󠁮󠁧󠁿").
_SYMBOL_CATEGORIES = ("So", "Sk")
_SYMBOL_MARKS = re.compile("[\ufe0e\ufe0f\u200d\U000e0000-\U000e007f]")


def is_offset(text: str) -> bool:
    """Whether the patient typed a UTC offset instead of a place."""
    return _OFFSET.fullmatch(text.strip()) is not None


def is_abbreviation(text: str) -> bool:
    """Whether the patient typed a zone abbreviation ("EST", "GMT") instead of a place."""
    return _key(text) in _ABBREVIATIONS


def _key(text: str) -> str:
    """A zone name as looked up: "_" for spaces, lower case, no full stop after it ("Berlin.")."""
    return "_".join(text.rstrip(_SENTENCE_END).split()).lower()


def _city_key(text: str) -> str:
    """A city name in any script without case, "ё" or punctuation: "Санкт-Петербург"."""
    return " ".join(_CITY_WORD.findall(text.casefold().replace("ё", "е")))


@cache
def _zone_names() -> dict[str, str | tuple[str, ...]]:
    """Lower-case zone names and city names to the IANA name (the candidates when several)."""
    names = sorted(n for n in available_timezones() if not n.lower().startswith(_NOT_PLACES))
    lookup: dict[str, str | tuple[str, ...]] = {n.lower(): n for n in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    for city, matches in cities.items():
        lookup.setdefault(city, matches[0] if len(matches) == 1 else tuple(matches))
    return lookup


@cache
def _one_zone(names: tuple[str, ...]) -> str | None:
    """The name to give when all `names` are one zone (aliases), else None (ambiguous)."""
    first, last = (datetime(year, 1, 1, 12, tzinfo=UTC) for year in _SAMPLE_YEARS)
    days = [first + _SAMPLE_STEP * i for i in range((last - first) // _SAMPLE_STEP)]
    zones = [ZoneInfo(name) for name in names]
    if any(zone.utcoffset(day) != zones[0].utcoffset(day) for zone in zones for day in days):
        return None

    def rank(name: str) -> tuple[int, int, str]:
        region = name.split("/", 1)[0]
        order = _REGIONS.index(region) if region in _REGIONS else len(_REGIONS)
        # "America/Argentina/Buenos_Aires" is the zone, "America/Buenos_Aires" its old alias.
        return -name.count("/"), order, name

    return min(names, key=rank)


def parse_zone(text: str) -> str | None:
    """The IANA time zone a patient typed ("Europe/Berlin", "berlin", "New York", "Москва"),
    or a city with its country after a comma ("Berlin, Germany", "New York, NY, USA") or with
    its flag ("Berlin 🇩🇪")."""
    flags = _flag_countries(text)
    zone = _zone_with_country(_without_symbols(text))
    if zone is None or not flags:
        return zone
    # A flag says the country as a comma's country does: "Paris 🇺🇸" is no Europe/Paris.
    return zone if flags & _zone_countries().get(zone, frozenset()) else None


def _flag_countries(text: str) -> frozenset[str]:
    """The ISO codes of the flags in the text ("DE" of "🇩🇪")."""
    letters = "".join(
        chr(ord(char) - _REGIONAL_A + ord("A"))
        for char in text
        if _REGIONAL_A <= ord(char) <= _REGIONAL_Z
    )
    return frozenset(letters[i : i + 2] for i in range(0, len(letters) - 1, 2))


def _without_symbols(text: str) -> str:
    """The text with emoji and other symbols as spaces: "Berlin 🇩🇪" as "Berlin"."""
    text = _SYMBOL_MARKS.sub(" ", text)
    kept = "".join(" " if unicodedata.category(c) in _SYMBOL_CATEGORIES else c for c in text)
    return " ".join(kept.split())


def _zone_with_country(text: str) -> str | None:
    """The zone a city or zone name names, with its country after a comma if any."""
    city, comma, rest = text.partition(",")
    if not comma:
        return _place(text)
    # A city the locales name with its state ("Washington, DC"), as without the comma.
    if (whole := _place(text)) is not None:
        return whole
    # The country must be the city's: "Paris, Texas" is no Europe/Paris.
    zone = None if is_abbreviation(city) else _place(city)
    countries = _countries(rest.rsplit(",", 1)[-1])
    return (
        zone if zone is not None and countries & _zone_countries().get(zone, frozenset()) else None
    )


def _place(text: str) -> str | None:
    """The zone a city or zone name alone names, with or without its letters' accents or a
    word saying it is a city ("Ho Chi Minh City", "г. Москва")."""
    found = _spelled(text)
    if found is None:
        words = text.split()
        named = [word for word in words if _city_key(word) not in city_words()]
        if named and len(named) < len(words):
            found = _spelled(" ".join(named))
    return found


def _spelled(text: str) -> str | None:
    """The zone a city or zone name alone names, with or without its letters' accents."""
    found = _zone(text)
    # Zone names are written in plain letters: "São Paulo" is "Sao_Paulo", "Zürich" "Zurich".
    # Only when the text as typed is no zone ("й" would lose its mark too).
    if found is None and (plain := without_marks(text)) != text:
        found = _zone(plain)
    return found


@cache
def _zone_countries() -> dict[str, frozenset[str]]:
    """Each zone's countries (ISO codes), as the zone database's tables give them, and its
    old names' ("Europe/Kiev", "America/Montreal": "Kiev, Ukraine" is Kyiv's)."""
    countries: dict[str, set[str]] = {}
    for table in ("zone.tab", "zone1970.tab"):
        for codes, _where, zone, *_ in _tz_table(table):
            countries.setdefault(zone, set()).update(codes.split(","))
    for target, link in _tz_links():
        countries.setdefault(link, set()).update(countries.get(target, ()))
    return {zone: frozenset(codes) for zone, codes in countries.items()}


def _tz_links() -> list[tuple[str, str]]:
    """The zone database's links: a zone and another name of it ("Europe/Kyiv", "Europe/Kiev")."""
    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text("utf-8")
    links = (line.split() for line in text.splitlines() if line.startswith("L "))
    return [(target, link) for _l, target, link, *_ in links]


@cache
def _country_codes() -> dict[str, frozenset[str]]:
    """Country names and codes as typed, without case ("germany", "de", "россия"), and states'
    ("ca": California, or Canada's code), to the codes of the countries they may name."""
    table = _tz_table("iso3166.tab")
    pairs = [(code, code) for code, *_ in table] + [(name, code) for code, name, *_ in table]
    # "Myanmar (Burma)", "Korea (South)": the name before the brackets is typed alone (both
    # Koreas' then: the city's zone tells which).
    pairs += [(name.split(" (")[0], code) for code, name, *_ in table if " (" in name]
    codes: dict[str, set[str]] = {}
    for name, code in [*pairs, *country_names()]:
        codes.setdefault(_country_key(name), set()).add(code)
    return {name: frozenset(found) for name, found in codes.items()}


def _country_key(text: str) -> str:
    """A country's name as looked up: without case, punctuation or accents ("Cote d'Ivoire")."""
    return _city_key(without_marks(text))


def _countries(text: str) -> frozenset[str]:
    """The ISO codes a country or state typed after a city may name ("Germany", "USA", "CA")."""
    return _country_codes().get(_country_key(text), frozenset())


def _tz_table(name: str) -> list[list[str]]:
    """The rows of one of the zone database's tables (tzdata's), without its comments."""
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def fixed_offset(zone: str) -> str | None:
    """The offset of a zone of no place ("+03:00" for Etc/GMT-3), which never changes; None
    for a place's zone."""
    if zone != _UTC and not zone.lower().startswith(_FIXED_REGION):
        return None
    offset = ZoneInfo(zone).utcoffset(datetime(2000, 1, 1, tzinfo=UTC)) or timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@cache
def _fixed_zones() -> dict[str, str]:
    """Lower-case names of the zones of no place ("etc/gmt-3") to their IANA name."""
    return {n.lower(): n for n in available_timezones() if n.lower().startswith(_FIXED_REGION)}


def _zone(text: str) -> str | None:
    """The zone a text names as it is written, or None."""
    key = _key(text)
    found = _zone_names().get(key) or _ONE_PLACE.get(key) or _fixed_zones().get(key)
    if found is None:
        # Every locale's city names, whatever the chat's language: "Москва" is no English word.
        city = _city_key(text)
        found = next((zone for name, zone in city_zones() if _city_key(name) == city), None)
    if isinstance(found, tuple):
        return _one_zone(found)
    return found
