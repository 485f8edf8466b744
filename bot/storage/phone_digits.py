"""Which runs of digits are phone numbers: seven digits or more, unless a date, a time or a price.

Two steps, each linear in the text. An RE2 search finds the runs of digits and the separators
people put between a phone number's digits (spaces, dots, dashes, brackets, slashes, "+") that
hold seven digits or more, each taken whole: from after a character that is neither to before
the next. Then each run is judged in plain Python: it is a phone number, however grouped ("8
(916) 123-45-67", "8.916.123.45.67"), unless it has one of the shapes in `NOT_PHONES` below.
"""

from __future__ import annotations

from itertools import groupby

import re2

Cube = tuple[str, ...]  # the digits allowed at each position of a group
Group = tuple[Cube, ...]  # digit strings of one length: a union of cubes
Step = tuple[Group, frozenset[str]]  # a group and the separators that may follow it
Shape = tuple[Step, ...]

MIN_DIGITS = 7
# A time's hour or minutes: "14:30".
TIME_PART_DIGITS = 2
_DIGITS = "0123456789"
# Dashes of every kind, which `looks_like_contact` makes "-" before the search.
DASHES = "‐‑‒–—―−"
# What may stand between a phone number's digits; the text reaches the search with every run
# of whitespace made one space and every dash a hyphen.
_SEPARATOR_CHARS = " .()/+-"
_IN_CLASS = r" .()/+\-"
_NO_SEPARATORS = str.maketrans("", "", _SEPARATOR_CHARS)
# The separators between two groups that the shapes below name; any other string of separator
# characters ("(", ") ", ". ") takes a run out of every shape.
SEPARATORS = {
    "dot": (".", "/"),  # 12.03.2026, 15/03, 14.30
    "hyphen": ("-",),  # 2026-03-12, 5000-7000, 5000–7000
    "dash": (" -", "- ", " - "),  # 5 000 - 7 000
    "space": (" ",),  # 12.03.2026 14.30, 5 000
}
_DATE_SEP = frozenset({"dot", "hyphen"})
_RANGE_SEP = frozenset({"hyphen", "dash"})
_DOT = frozenset({"dot"})
_SPACE = frozenset({"space"})
_END = frozenset[str]()


def _any(length: int) -> Group:
    """Every digit string of `length`."""
    return ((_DIGITS,) * length,)


def _round(length: int) -> Group:
    """A whole amount of `length` digits ending in 0, as prices are (300, 4990, 15000)."""
    return (("123456789", *(_DIGITS,) * (length - 2), "0"),)


_YEAR: Group = (("1", "9", _DIGITS, _DIGITS), ("2", "0", _DIGITS, _DIGITS))
_THOUSANDS: Group = ((_DIGITS, _DIGITS, "0"),)  # the last three digits of 5 000, 4 990


def _not_phones() -> tuple[Shape, ...]:
    """Runs of seven or more digits that are dates, times and prices, not phone numbers."""
    # Each errs toward keeping the text: a phone number grouped exactly like a date with a
    # year of 19xx or 20xx, or like a range of two amounts ending in 0, is stored. Date ranges
    # ("12.03-15.03") are not among them, so they are not stored.
    shapes: list[Shape] = []
    short = (1, 2)
    for day in short:
        for month in short:
            date: Shape = ((_any(day), _DATE_SEP), (_any(month), _DATE_SEP), (_YEAR, _END))
            shapes.append(date)  # 12.03.2026, 1/3/2026, 12-03-2026
            for hour in short:  # 12.03.2026 14.30 (a time with a colon ends the run)
                shapes.append((*date[:2], (_YEAR, _SPACE), (_any(hour), _DOT), (_any(2), _END)))
            shapes.append(((_YEAR, _DATE_SEP), (_any(month), _DATE_SEP), (_any(day), _END)))
    for low in range(2, 8):  # 5000-7000, 10000-15000, 4990-6990
        for high in range(2, 8):
            shapes.append(((_round(low), _RANGE_SEP), (_round(high), _END)))
    shapes.append(((_YEAR, _RANGE_SEP), (_YEAR, _END)))  # 2023-2024
    for first in (1, 2, 3):  # 5 000 - 7 000, 15 000-20 000
        for second in (1, 2, 3):
            shapes.append(
                (
                    (_any(first), _SPACE),
                    (_THOUSANDS, _RANGE_SEP),
                    (_any(second), _SPACE),
                    (_THOUSANDS, _END),
                )
            )
    shapes.append(((_any(1), _SPACE), (_any(3), _SPACE), (_THOUSANDS, _END)))  # 1 500 000
    return tuple(shapes)


def _by_lengths(shapes: tuple[Shape, ...]) -> dict[tuple[int, ...], list[Shape]]:
    """The shapes by the lengths of their groups."""
    found: dict[tuple[int, ...], list[Shape]] = {}
    for shape in shapes:
        found.setdefault(tuple(len(group[0]) for group, _ in shape), []).append(shape)
    return found


NOT_PHONES = _not_phones()
# The separator strings that each step's names allow.
_WORDS = {
    names: frozenset(word for name in names for word in SEPARATORS[name])
    for names in {names for shape in NOT_PHONES for _, names in shape}
}
# The shapes by their groups' lengths (each group has one): a run is read against the few that
# can fit it.
_BY_LENGTHS = _by_lengths(NOT_PHONES)
# The longest run a shape can have: a longer one is judged by its digits alone, never split.
_LONGEST = max(
    sum(max(map(len, group)) for group, _ in shape)
    + sum(max(map(len, _WORDS[names])) for _, names in shape if names)
    for shape in NOT_PHONES
)


def _options() -> re2.Options:
    """RE2's options for the search: the longest match, no captures."""
    options = re2.Options()
    options.longest_match = True
    options.never_capture = True
    return options


# A run with digits enough, taken whole: the longest match reaches from the first separator or
# digit after a character that is neither to the last before the next.
_RUNS = re2.compile(
    rf"[{_IN_CLASS}]*[0-9](?:[{_IN_CLASS}]*[0-9]){{{MIN_DIGITS - 1},}}[{_IN_CLASS}]*", _options()
)


def _split_run(run: str) -> tuple[list[str], list[str]]:
    """A run's groups of digits and the separator strings between them."""
    parts = ["".join(chars) for _, chars in groupby(run, _DIGITS.__contains__)]
    return parts[::2], parts[1::2]


def _fits(shape: Shape, groups: list[str], between: list[str]) -> bool:
    """Whether a run of these groups of digits and separators between them has a shape."""
    if len(groups) != len(shape):
        return False
    for (group, names), digits, after in zip(shape, groups, [*between, ""], strict=True):
        if names and after not in _WORDS[names]:
            return False
        for cube in group:
            if len(cube) == len(digits) and all(map(str.__contains__, cube, digits)):
                break
        else:
            return False
    return True


def is_phone_number(run: str) -> bool:
    """Whether a run of digits and separators, a digit at each end, is a phone number."""
    if len(run.translate(_NO_SEPARATORS)) < MIN_DIGITS:
        return False
    if len(run) > _LONGEST:
        return True
    groups, between = _split_run(run)
    shapes = _BY_LENGTHS.get(tuple(map(len, groups)), [])
    return not any(_fits(shape, groups, between) for shape in shapes)


def _joins_time(text: str, at: int) -> bool:
    """Whether text[at] is a colon between two digits, as in "14:30"."""
    return (
        0 < at < len(text) - 1
        and text[at] == ":"
        and text[at - 1] in _DIGITS
        and text[at + 1] in _DIGITS
    )


def _is_phone_run(text: str, start: int, end: int) -> bool:
    """Whether the run at text[start:end] is a phone number, read with what stands around it."""
    run = text[start:end]
    # With a leading "+" any seven digits are a number, whatever their shape: no date or price
    # starts with one, so this errs only toward not storing an odd text.
    head = run.lstrip(" (")
    if head.startswith("+") and head[1:].lstrip(" (")[:1].isdigit():
        return True
    # A time's part glued to the run by a colon is no part of it, so "12.03.2026 14:30" and
    # "14:30 12.03.2026" are a date and a time, while "8 916 123 45 67 14:00" is still a number.
    # Only a colon between two digits glues: "до 18: 8 916 ..." is a colon like any other. And
    # a time's hour or minutes are two digits at most: "до 18:89161234567" is still a number.
    if _joins_time(text, start - 1) and len(run) - len(run.lstrip(_DIGITS)) <= TIME_PART_DIGITS:
        run = run.lstrip(_DIGITS)
    if _joins_time(text, end) and len(run) - len(run.rstrip(_DIGITS)) <= TIME_PART_DIGITS:
        run = run.rstrip(_DIGITS)
    return is_phone_number(run.strip(_SEPARATOR_CHARS))


def has_phone_number(text: str) -> bool:
    """Whether a text, its whitespace folded and dashes made "-", holds a phone number in digits."""
    return any(_is_phone_run(text, *run.span()) for run in _RUNS.finditer(text))
