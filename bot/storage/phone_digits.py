"""Which runs of digits are phone numbers: an RE2 pattern that leaves dates and prices out.

A run is digits and the separators people put between a phone number's digits (spaces, dots,
dashes, brackets, slashes, "+"), taken whole: from after a character that is neither to before
the next. Seven or more digits are a phone number, however grouped ("8 (916) 123-45-67",
"8.916.123.45.67"), unless the whole run has one of the shapes in `NOT_PHONES` below. RE2 has
no look-around and a search takes any match it can find, so "a run that has none of these
shapes" is spelt out: the pattern walks the run group by group and, while the groups so far
still fit some shape, branches on each next group's length and digits and on the separator
after it; once they fit none, any digits may follow. Its size grows with the shapes, not with
the text: the search stays one pass, linear in the text.
"""

from __future__ import annotations

from itertools import groupby

Cube = tuple[str, ...]  # the digits allowed at each position of a group
Group = tuple[Cube, ...]  # digit strings of one length: a union of cubes
Step = tuple[Group, frozenset[str]]  # a group and the separators that may follow it
Shape = tuple[Step, ...]

MIN_DIGITS = 7
_ALL = "0123456789"
# Dashes of every kind, which `looks_like_contact` makes "-" before the search.
DASHES = "‐‑‒–—―−"
# What may stand between a phone number's digits; the text reaches the search with every run
# of whitespace made one space and every dash a hyphen.
_SEPARATOR_CHARS = " .()/+-"
_IN_CLASS = r" .()/+\-"
SEPARATOR = f"[{_IN_CLASS}]"
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
    return ((_ALL,) * length,)


def _round(length: int) -> Group:
    """A whole amount of `length` digits ending in 0, as prices are (300, 4990, 15000)."""
    return (("123456789", *(_ALL,) * (length - 2), "0"),)


_YEAR: Group = (("1", "9", _ALL, _ALL), ("2", "0", _ALL, _ALL))
_THOUSANDS: Group = ((_ALL, _ALL, "0"),)  # the last three digits of 5 000, 4 990


def _not_phones() -> tuple[Shape, ...]:
    """Runs of seven or more digits that are dates, times and prices, not phone numbers."""
    # Each errs toward keeping the text: a phone number grouped exactly like a date with a
    # year of 19xx or 20xx, or like a range of two amounts ending in 0, is stored. Date ranges
    # ("12.03-15.03") are left out, so they are not stored: they doubled the automaton.
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


def _common(left: str, right: str) -> str:
    """The digits in both sets."""
    return "".join(digit for digit in left if digit in right)


def _meet(left: Group, right: Group) -> Group:
    """The digit strings in both groups."""
    cubes = (tuple(map(_common, a, b)) for a in left for b in right)
    return tuple(cube for cube in cubes if all(cube))


def _minus(left: Group, right: Group) -> Group:
    """The digit strings of `left` that are not in `right`."""
    cubes = list(left)
    for taken in right:
        pieces: list[Cube] = []
        for cube in cubes:
            if not all(map(_common, cube, taken)):
                pieces.append(cube)
                continue
            for at, digits in enumerate(cube):
                rest = "".join(digit for digit in digits if digit not in taken[at])
                if rest:
                    pieces.append((*map(_common, cube[:at], taken[:at]), rest, *cube[at + 1 :]))
        cubes = pieces
    return tuple(cubes)


def _class(chars: str) -> str:
    """A character class for a set of digits or separator characters."""
    if chars == _ALL:
        return "[0-9]"
    if chars == _SEPARATOR_CHARS:
        return SEPARATOR
    if len(chars) == 1 and chars.isdigit():
        return chars
    return "[" + chars.replace("-", r"\-") + "]"


def _cubes_regex(cubes: Group) -> str:
    """A pattern for the strings of a union of cubes."""
    patterns = []
    for cube in cubes:
        parts = [(_class(chars), len(list(run))) for chars, run in groupby(cube)]
        patterns.append("".join(part if n == 1 else f"{part}{{{n}}}" for part, n in parts))
    return patterns[0] if len(patterns) == 1 else "(?:" + "|".join(patterns) + ")"


def _separators(words: set[str]) -> str:
    """A pattern for these strings of separator characters."""
    return _cubes_regex(tuple(tuple(word) for word in sorted(words)))


def _separators_but(words: set[str]) -> str:
    """A pattern for every string of separator characters but these."""
    longest = max(map(len, words))
    others = [
        _cubes_regex(rest)
        for length in range(1, longest + 1)
        if (
            rest := _minus(
                ((_SEPARATOR_CHARS,) * length,),
                tuple(tuple(word) for word in words if len(word) == length),
            )
        )
    ]
    return "|".join([*others, f"{SEPARATOR}{{{longest + 1},}}"])


def _free(seen: int) -> str:
    """The rest of a run that fits no shape, from a group's first digit: digits enough."""
    return f"[0-9](?:{SEPARATOR}*[0-9]){{{max(MIN_DIGITS - seen, 1) - 1},}}"


def _joined(options: list[tuple[str, str]]) -> str:
    """Patterns, each a head and a tail, as one alternation; heads with one tail share it."""
    heads: dict[str, list[str]] = {}
    for head, tail in options:
        heads.setdefault(tail, []).append(head)
    merged = [
        (group[0] if len(group) == 1 else "(?:" + "|".join(group) + ")") + tail
        for tail, group in heads.items()
    ]
    return "(?:" + "|".join(merged) + ")"


def _groups(alive: tuple[Shape, ...], seen: int) -> str:
    """From a group's first digit, the rest of a run that is none of the `alive` shapes."""
    if not alive:
        return _free(seen)
    alive = tuple(dict.fromkeys(alive))
    options = []
    longest = max(len(shape[0][0][0]) for shape in alive)
    for length in range(1, longest + 1):
        here = [shape for shape in alive if len(shape[0][0][0]) == length]
        kinds = list(dict.fromkeys(shape[0][0] for shape in here))
        for mask in range(2 ** len(kinds)):
            region = _any(length)
            for index, kind in enumerate(kinds):
                region = _meet(region, kind) if mask >> index & 1 else _minus(region, kind)
            if region:
                fits = tuple(shape for shape in here if mask >> kinds.index(shape[0][0]) & 1)
                options.append((_cubes_regex(region), _after(fits, seen + length)))
    # A longer group than any shape has, and digits enough with it.
    enough = max(MIN_DIGITS - seen - longest - 1, 0)
    options.append((f"[0-9]{{{longest + 1}}}", f"(?:{SEPARATOR}*[0-9]){{{enough},}}"))
    return _joined(options)


def _after(fits: tuple[Shape, ...], seen: int) -> str:
    """After a group that the shapes in `fits` have (as their first): the rest of the run."""
    if not fits:
        rest = f"(?:{SEPARATOR}+{_free(seen)})"
        return rest + "?" if seen >= MIN_DIGITS else rest
    named = {name for shape in fits for name in shape[0][1]}
    words = {name: set(SEPARATORS[name]) for name in named}
    options = [
        (
            f"(?:{_separators(words[name])})",
            _groups(tuple(shape[1:] for shape in fits if name in shape[0][1]), seen),
        )
        for name in sorted(named)
    ]
    if named:
        options.append((f"(?:{_separators_but(set().union(*words.values()))})", _free(seen)))
    else:
        options.append((f"{SEPARATOR}+", _free(seen)))
    rest = _joined(options)
    # The run may end here if it has digits enough and no shape ends with this group.
    return rest + "?" if seen >= MIN_DIGITS and all(shape[1:] for shape in fits) else rest


NOT_PHONES = _not_phones()
# Where a run starts and ends. A time's part glued to it by a colon is no part of it, so
# "12.03.2026 14:30" and "14:30 12.03.2026" are a date and a time, while "8 916 123 45 67
# 14:00" is still a number; a colon after a letter ("tel:8916...") is any other boundary.
_START = rf"(?:(?:^|[^0-9{_IN_CLASS}:]|(?:^|[^0-9]):){SEPARATOR}*|[0-9]:[0-9]+{SEPARATOR}+)"
_STOP = (
    rf"(?:{SEPARATOR}*(?:$|[^0-9:{_IN_CLASS}])|{SEPARATOR}*:(?:$|[^0-9])"
    rf"|{SEPARATOR}+[0-9]+:[0-9])"
)
PHONE = (
    # With a leading "+" any seven digits are a number, whatever their shape: no date or price
    # starts with one, so this errs only toward not storing an odd text.
    rf"(?:^|[^0-9{_IN_CLASS}])[ (]*\+[ (]*[0-9](?:{SEPARATOR}*[0-9]){{{MIN_DIGITS - 1},}}"
    rf"|{_START}{_groups(NOT_PHONES, 0)}{_STOP}"
)
