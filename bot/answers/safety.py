"""Red flags: signs in a message that need a doctor now; their data, validation and detection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.faqdoc import Checker, Map, Seq

if TYPE_CHECKING:
    from bot.answers.knowledge import KnowledgeBase


@dataclass(frozen=True)
class RedFlag:
    """Signs that need a doctor now."""

    id: str
    emergency: bool
    patterns: tuple[re.Pattern[str], ...]


def parse_red_flags(c: Checker, doc: Map) -> tuple[RedFlag, ...]:
    """The signs that need a doctor now, as compiled case-insensitive patterns."""
    flags: list[RedFlag] = []
    for item, _line in c.items(doc, "red_flags"):
        flag = c.mapping(item, item.line, "a red flag", ("id", "patterns"), ("emergency",))
        if flag is None:
            continue
        fid = c.ids.claim(flag.get("id"), flag.lines.get("id", flag.line), "red flag")
        compiled: list[re.Pattern[str]] = []
        patterns = flag.get("patterns")
        if isinstance(patterns, Seq) and patterns:
            for pattern, pline in zip(patterns, patterns.lines, strict=True):
                try:
                    compiled.append(re.compile(str(pattern), re.IGNORECASE))
                except re.error as exc:
                    c.add(
                        pline, f"pattern {pattern!r} is not a valid regular expression: {exc}", fid
                    )
        else:
            c.add(flag.lines.get("patterns", flag.line), "'patterns' must be a non-empty list", fid)
        flags.append(RedFlag(fid, flag.get("emergency", False) is True, tuple(compiled)))
    return tuple(flags)


def find_red_flag(kb: KnowledgeBase, text: str) -> RedFlag | None:
    """The first red flag whose pattern the message matches, emergencies first."""
    folded = " ".join(text.lower().split())
    hits = [flag for flag in kb.red_flags if any(p.search(folded) for p in flag.patterns)]
    if not hits:
        return None
    return next((f for f in hits if f.emergency), hits[0])
