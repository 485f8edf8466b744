"""The aftercare course as the FAQ file describes it: its data and its validation; pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.aftercare.schedule import shortest_follow_up_day
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
    """The aftercare course of a FAQ document, or None when it has none or it is unusable."""
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
    rules = _parse_rules(c, block, days)
    daily = _parse_daily(c, block, days)
    question, options = _parse_checkin(c, block)
    months, button, text = _parse_follow_up(c, block)
    if months and days >= (first := shortest_follow_up_day(months)):
        # The follow-up is stored as one more course day: it must come after the last one.
        c.add(
            block.lines.get("days", block.line),
            f"aftercare 'days' ({days}) must end before the follow-up, "
            f"which can fall on day {first} after {months} month(s)",
        )
    return Course(days, rules, daily, question, options, months, button, text)


def _parse_rules(c: Checker, block: Map, days: int) -> tuple[CourseRule, ...]:
    """The reminders, each inside the course's days."""
    rules: list[CourseRule] = []
    for item, _line in c.items(block, "rules"):
        rule = c.mapping(item, item.line, "an aftercare rule", ("id", "days", "text"), ("short",))
        if rule is None:
            continue
        rid = c.ids.claim(rule.get("id"), rule.lines.get("id", rule.line), "rule")
        span = _day_range(rule.get("days"))
        if span is None or span[0] < 1 or span[1] > days:
            c.add(
                rule.lines.get("days", rule.line),
                f"rule days must be N or N-M inside 1-{days}",
                rid,
            )
            continue
        text = c.text(rule, "text", rid)
        c.template(text, rule.lines.get("text", rule.line), "'text'", rid)
        short = text
        if "short" in rule:
            short = c.text(rule, "short", rid, TITLE_LIMIT)
            c.template(short, rule.lines["short"], "'short'", rid)
        rules.append(CourseRule(rid, span[0], span[1], text, short))
    return tuple(rules)


def _parse_daily(c: Checker, block: Map, days: int) -> tuple[str, ...]:
    """One note for each day of the course."""
    daily_value = block.get("daily")
    if not isinstance(daily_value, Map):
        c.add(
            block.lines.get("daily", block.line), "aftercare 'daily' must map day numbers to notes"
        )
        return ()
    daily: list[str] = []
    for day in range(1, days + 1):
        note = daily_value.get(str(day))
        if not isinstance(note, str) or not note.strip():
            c.add(daily_value.line, f"aftercare 'daily' has no note for day {day}")
            note = ""
        c.template(
            note, daily_value.lines.get(str(day), daily_value.line), f"the note for day {day}"
        )
        daily.append(note.strip())
    for key in daily_value:
        if not key.isdigit() or not 1 <= int(key) <= days:
            c.add(daily_value.lines[key], f"aftercare 'daily' day {key} is outside 1-{days}")
    return tuple(daily)


def _parse_checkin(c: Checker, block: Map) -> tuple[str, tuple[CheckinOption, ...]]:
    """The daily question and its answer buttons."""
    checkin = c.mapping(
        block.get("checkin"),
        block.lines.get("checkin", block.line),
        "checkin",
        ("question", "options"),
    )
    if checkin is None:
        return "", ()
    question = c.text(checkin, "question")
    options: list[CheckinOption] = []
    for item, _line in c.items(checkin, "options"):
        opt = c.mapping(item, item.line, "a check-in option", ("id", "label"), ("reply", "urgent"))
        if opt is None:
            continue
        oid = c.ids.claim(opt.get("id"), opt.lines.get("id", opt.line), "check-in option")
        urgent = opt.get("urgent", False) is True
        reply = "" if urgent and "reply" not in opt else c.text(opt, "reply", oid)
        if not urgent and "reply" not in opt:
            c.add(opt.line, "a check-in option needs a 'reply' unless it is urgent", oid)
        c.template(reply, opt.lines.get("reply", opt.line), "'reply'", oid)
        options.append(CheckinOption(oid, c.text(opt, "label", oid, TITLE_LIMIT), reply, urgent))
    return question, tuple(options)


def _parse_follow_up(c: Checker, block: Map) -> tuple[int, str, str]:
    """Months until the follow-up reminder (0 when invalid), its button and its text."""
    follow = c.mapping(
        block.get("follow_up"),
        block.lines.get("follow_up", block.line),
        "follow_up",
        ("after_months", "button", "text"),
    )
    if follow is None:
        return 0, "", ""
    months = 0
    months_value = follow.get("after_months")
    if not isinstance(months_value, int) or not 1 <= months_value <= 24:
        c.add(follow.line, "follow_up 'after_months' must be a whole number 1-24")
    else:
        months = months_value
    button = c.text(follow, "button", None, TITLE_LIMIT)
    text = c.text(follow, "text")
    c.template(text, follow.lines.get("text", follow.line), "follow_up 'text'")
    return months, button, text
