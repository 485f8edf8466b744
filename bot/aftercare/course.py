"""The aftercare course as the FAQ file describes it: its data and its validation; pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.faqdoc import TITLE_LIMIT, Checker, Map


@dataclass(frozen=True)
class CourseRule:
    """An aftercare rule shown on each day of its range."""

    id: str
    first_day: int
    last_day: int
    text: str
    short: str  # a few words for the daily "still in force" line


@dataclass(frozen=True)
class CheckinOption:
    """One answer to "how do you feel today?"."""

    id: str
    label: str
    reply: str
    urgent: bool


@dataclass(frozen=True)
class Course:
    """The day-by-day aftercare content."""

    days: int
    rules: tuple[CourseRule, ...]
    daily: tuple[str, ...]
    checkin_question: str
    checkin_options: tuple[CheckinOption, ...]
    follow_up_months: int
    follow_up_button: str
    follow_up_text: str

    def note(self, day: int) -> str:
        """The day's own note (day is 1-based)."""
        return self.daily[day - 1]

    def rules_for(self, day: int) -> tuple[CourseRule, ...]:
        """The rules in force on the given day."""
        return tuple(r for r in self.rules if r.first_day <= day <= r.last_day)

    def option(self, option_id: str) -> CheckinOption | None:
        """A check-in option by id."""
        return next((o for o in self.checkin_options if o.id == option_id), None)


def _day_range(value: Any) -> tuple[int, int] | None:
    text = str(value).strip()
    match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", text)
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return (first, last) if first <= last else None


def parse_course(c: Checker, doc: Map) -> Course | None:
    if "aftercare" not in doc:
        return None
    keys = ("days", "rules", "daily", "checkin", "follow_up")
    block = c.mapping(doc["aftercare"], doc.lines["aftercare"], "aftercare", keys)
    if block is None:
        return None
    days = block.get("days")
    if not isinstance(days, int) or not 1 <= days <= 60:
        c.add(block.lines.get("days", block.line), "aftercare 'days' must be a whole number 1-60")
        return None
    rules: list[CourseRule] = []
    for item, _line in c.items(block, "rules"):
        rule = c.mapping(item, item.line, "an aftercare rule", ("id", "days", "text"), ("short",))
        if rule is None:
            continue
        rid = c.ident(rule.get("id"), rule.line)
        span = _day_range(rule.get("days"))
        if span is None or span[0] < 1 or span[1] > days:
            c.add(
                rule.lines.get("days", rule.line),
                f"rule days must be N or N-M inside 1-{days}",
                rid,
            )
            continue
        text = c.text(rule, "text", rid)
        short = c.text(rule, "short", rid, TITLE_LIMIT) if "short" in rule else text
        rules.append(CourseRule(rid, span[0], span[1], text, short))
    daily_value = block.get("daily")
    daily: list[str] = []
    if isinstance(daily_value, Map):
        for day in range(1, days + 1):
            note = daily_value.get(str(day))
            if not isinstance(note, str) or not note.strip():
                c.add(daily_value.line, f"aftercare 'daily' has no note for day {day}")
                note = ""
            daily.append(note.strip())
        for key in daily_value:
            if not key.isdigit() or not 1 <= int(key) <= days:
                c.add(daily_value.lines[key], f"aftercare 'daily' day {key} is outside 1-{days}")
    else:
        c.add(
            block.lines.get("daily", block.line), "aftercare 'daily' must map day numbers to notes"
        )
    checkin = c.mapping(
        block.get("checkin"),
        block.lines.get("checkin", block.line),
        "checkin",
        ("question", "options"),
    )
    options: list[CheckinOption] = []
    question = ""
    if checkin is not None:
        question = c.text(checkin, "question")
        for item, _line in c.items(checkin, "options"):
            opt = c.mapping(
                item, item.line, "a check-in option", ("id", "label"), ("reply", "urgent")
            )
            if opt is None:
                continue
            oid = c.ident(opt.get("id"), opt.line)
            urgent = opt.get("urgent", False) is True
            reply = "" if urgent and "reply" not in opt else c.text(opt, "reply", oid)
            if not urgent and "reply" not in opt:
                c.add(opt.line, "a check-in option needs a 'reply' unless it is urgent", oid)
            options.append(
                CheckinOption(oid, c.text(opt, "label", oid, TITLE_LIMIT), reply, urgent)
            )
    follow = c.mapping(
        block.get("follow_up"),
        block.lines.get("follow_up", block.line),
        "follow_up",
        ("after_months", "button", "text"),
    )
    months = 0
    button = text = ""
    if follow is not None:
        months_value = follow.get("after_months")
        if not isinstance(months_value, int) or not 1 <= months_value <= 24:
            c.add(follow.line, "follow_up 'after_months' must be a whole number 1-24")
        else:
            months = months_value
        button = c.text(follow, "button", None, TITLE_LIMIT)
        text = c.text(follow, "text")
    return Course(days, tuple(rules), tuple(daily), question, tuple(options), months, button, text)
