"""The aftercare course as the FAQ file describes it: its data and its validation; pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from bot.aftercare.schedule import FIRST_DAY, shortest_follow_up_day
from bot.faqdoc import TITLE_LIMIT, Checker, Map
from bot.locale import CheckinWords

NO_CHECKIN_WORDS = CheckinWords()

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_APOSTROPHES = str.maketrans("\u2019\u02bc", "''")  # "it’s" as phones type it is "it's"
# A `says` item that begins so is said at the end of an answer: "… worse" is also
# "swelling getting worse".
ENDING_MARKS = ("\u2026", "...")
# How many words (fillers aside) may come before such an ending: a longer message says more.
ENDING_LEAD = 3

# Reads and checks the `source` of a block (the article sections its text restates, or
# "clinic"): (block, what the text is, entry id or None) -> the names. The loader supplies it
# with the section names the file declares.
SourceReader = Callable[[Map, str, str | None], tuple[str, ...]]

# Days of a course of at most 60: a longer number is no day (and int() refuses 4,300+ digits).
_DAY_RANGE = re.compile(r"(\d{1,4})(?:\s*(-)\s*(\d{1,4})?)?")


@dataclass(frozen=True)
class CourseRule:
    """An aftercare rule shown on each day of its range."""

    id: str
    first_day: int
    last_day: int | None  # None: no end (the article gives none); shown to the course's end
    text: str
    short: str  # a few words for the daily "still in force" line
    sources: tuple[str, ...] = ()

    def in_force(self, day: int) -> bool:
        """True on the days of the rule's range."""
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


@dataclass(frozen=True)
class DayNote:
    """The day's own note and the article sections it restates."""

    text: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckinOption:
    """One answer to "how do you feel today?"."""

    id: str
    label: str
    reply: str
    urgent: bool
    sources: tuple[str, ...] = ()
    says: tuple[str, ...] = ()  # what a patient may type for it besides its label ("fine")

    @cached_property
    def said_forms(self) -> frozenset[str]:
        """Its label and `says` as `said_words` reads them, worked out once."""
        return frozenset(said_words(t) for t in (self.label, *self.says))

    @cached_property
    def said_endings(self) -> frozenset[str]:
        """The `says` items marked to end a longer answer ("… worse"), as `said_words` reads them."""
        return frozenset(said_words(t) for t in self.says if t.startswith(ENDING_MARKS))


def said_words(text: str) -> str:
    """Typed words without case, punctuation, emoji or extra spaces ("All good!" is "all good")."""
    folded = text.casefold().replace("ё", "е").translate(_APOSTROPHES)
    return " ".join(_WORD.findall(folded))


@dataclass(frozen=True)
class Course:
    """The day-by-day aftercare content: days 0 (the procedure date) to `days`."""

    days: int
    rules: tuple[CourseRule, ...]
    daily: tuple[DayNote, ...]  # indexed by day number, 0..days
    checkin_question: str
    checkin_options: tuple[CheckinOption, ...]
    follow_up_months: int
    follow_up_button: str
    follow_up_text: str
    follow_up_sources: tuple[str, ...] = ()

    def note(self, day: int) -> str:
        """The day's own note (day 0 is the procedure date)."""
        return self.daily[day].text

    def rules_for(self, day: int) -> tuple[CourseRule, ...]:
        """The rules in force on the given day."""
        return tuple(r for r in self.rules if r.in_force(day))

    def option(self, option_id: str) -> CheckinOption | None:
        """A check-in option by id."""
        return next((o for o in self.checkin_options if o.id == option_id), None)

    def option_said(
        self, text: str, words: CheckinWords = NO_CHECKIN_WORDS
    ) -> CheckinOption | None:
        """The check-in option typed text gives as a whole ("All good", "i'm fine"), if any.

        With the locale's `words`, fillers do not count ("I feel much worse today" is "worse"),
        and an option's endings may follow a few words ("swelling getting worse") unless a
        negation is among them ("not worse"); text that begins as a question is no answer.
        """
        text = words.in_words(text)  # "🙂" is "fine"
        said = said_words(text)
        if not said or "?" in text:  # "нормально?" asks whether something is normal
            return None
        exact = next((o for o in self.checkin_options if said in o.said_forms), None)
        if exact is not None or words.asks(text):
            return exact
        core = words.core(said)
        if not core:
            return None
        for option in self.checkin_options:
            if core in _cores(option.said_forms, words):
                return option
        return next((o for o in self.checkin_options if _ends_with(core, o, words)), None)

    def sourced(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every text of the course that names its source, with the names it gives."""
        texts = [(f"rule '{r.id}'", r.sources) for r in self.rules]
        texts += [(f"the note for day {day}", n.sources) for day, n in enumerate(self.daily)]
        texts += [(f"check-in option '{o.id}'", o.sources) for o in self.checkin_options if o.reply]
        if self.follow_up_text:
            texts.append(("the follow-up text", self.follow_up_sources))
        return tuple(texts)


@cache
def _cores(forms: frozenset[str], words: CheckinWords) -> frozenset[str]:
    """Said forms without the fillers, worked out once per option and language."""
    return frozenset(words.core(form) for form in forms)


def _ends_with(core: str, option: CheckinOption, words: CheckinWords) -> bool:
    """Whether an answer is one of the option's endings after a few words, none a negation."""
    said = core.split()
    for ending in _cores(option.said_endings, words):
        tail = ending.split()
        lead = said[: len(said) - len(tail)]
        if (
            tail
            and said[-len(tail) :] == tail
            and len(lead) <= ENDING_LEAD
            and not any(words.negates(word) or word in words.hypotheticals for word in lead)
        ):
            return True
    return False


def _day_range(value: Any) -> tuple[int, int | None] | None:
    """A rule's days: "N" (one day), "N-M" (N to M) or "N-" (from N on, with no end of its own)."""
    if isinstance(value, bool):
        return None
    match = _DAY_RANGE.fullmatch(str(value).strip())
    if not match:
        return None
    first = int(match.group(1))
    if match.group(2) and match.group(3) is None:
        return first, None
    last = int(match.group(3) or first)
    return (first, last) if first <= last else None


def parse_course(c: Checker, doc: Map, read_source: SourceReader) -> Course | None:
    """The aftercare course of a FAQ document, or None when it has none or it is unusable."""
    if "aftercare" not in doc:
        return None
    keys = ("days", "rules", "daily", "checkin", "follow_up")
    block = c.mapping(doc["aftercare"], doc.lines["aftercare"], "aftercare", keys)
    if block is None:
        return None
    days = block.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        c.add(block.lines.get("days", block.line), "aftercare 'days' must be a whole number 1-60")
        return None
    rules = _parse_rules(c, block, days, read_source)
    daily = _parse_daily(c, block, days, read_source)
    question, options = _parse_checkin(c, block, read_source)
    months, button, text, sources = _parse_follow_up(c, block, read_source)
    if months and days >= (first := shortest_follow_up_day(months)):
        # The follow-up is stored as one more course day: it must come after the last one.
        c.add(
            block.lines.get("days", block.line),
            f"aftercare 'days' ({days}) must end before the follow-up, "
            f"which can fall on day {first} after {months} month(s)",
        )
    return Course(days, rules, daily, question, options, months, button, text, sources)


def _parse_rules(
    c: Checker, block: Map, days: int, read_source: SourceReader
) -> tuple[CourseRule, ...]:
    """The reminders, each inside the course's days."""
    rules: list[CourseRule] = []
    for item, _line in c.items(block, "rules"):
        rule = c.mapping(
            item, item.line, "an aftercare rule", ("id", "days", "text"), ("short", "source")
        )
        if rule is None:
            continue
        rid = c.ids.claim(rule.get("id"), rule.lines.get("id", rule.line), "rule")
        span = _day_range(rule.get("days"))
        if span is None or span[0] > days or (span[1] is not None and span[1] > days):
            c.add(
                rule.lines.get("days", rule.line),
                f"rule days must be N, N-M or N- (from day N on, no end) inside {FIRST_DAY}-{days}",
                rid,
            )
            continue
        text = c.text(rule, "text", rid)
        c.template(text, rule.lines.get("text", rule.line), "'text'", rid)
        short = text
        if "short" in rule:
            short = c.text(rule, "short", rid, TITLE_LIMIT)
            c.template(short, rule.lines["short"], "'short'", rid)
        sources = read_source(rule, "the rule", rid)
        rules.append(CourseRule(rid, span[0], span[1], text, short, sources))
    return tuple(rules)


def _parse_daily(
    c: Checker, block: Map, days: int, read_source: SourceReader
) -> tuple[DayNote, ...]:
    """One note, with its source, for each day of the course (0..days)."""
    daily_value = block.get("daily")
    if not isinstance(daily_value, Map):
        c.add(
            block.lines.get("daily", block.line), "aftercare 'daily' must map day numbers to notes"
        )
        return ()
    daily: list[DayNote] = []
    for day in range(FIRST_DAY, days + 1):
        key, what = str(day), f"the note for day {day}"
        line = daily_value.lines.get(key, daily_value.line)
        value = daily_value.get(key)
        if key not in daily_value:
            c.add(daily_value.line, f"aftercare 'daily' has no note for day {day}")
            daily.append(DayNote(""))
            continue
        if not isinstance(value, Map):
            c.add(
                line,
                f"{what} must be a mapping with its source: {day}: {{text: ..., source: ...}}",
            )
            daily.append(DayNote(""))
            continue
        c.mapping(value, line, what, ("text",), ("source",))
        text = c.text(value, "text")
        c.template(text, value.lines.get("text", line), what)
        daily.append(DayNote(text, read_source(value, what, None)))
    for key in daily_value:
        # ASCII digits: isdigit() also takes "²", which int() refuses with a traceback.
        if not (key.isascii() and key.isdigit()) or not FIRST_DAY <= int(key) <= days:
            c.add(
                daily_value.lines[key], f"aftercare 'daily' day {key} is outside {FIRST_DAY}-{days}"
            )
    return tuple(daily)


def _parse_checkin(
    c: Checker, block: Map, read_source: SourceReader
) -> tuple[str, tuple[CheckinOption, ...]]:
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
    listed = checkin.get("options")
    if "options" in checkin and (listed is None or listed == []):
        # The day's question would come with nothing to press and no typed answer it reads.
        c.add(
            checkin.lines["options"],
            "aftercare 'checkin' 'options' must list at least one answer, as in "
            "{id: good, label: All good, reply: ..., source: ...}",
        )
    options: list[CheckinOption] = []
    for item, _line in c.items(checkin, "options"):
        opt = c.mapping(
            item,
            item.line,
            "a check-in option",
            ("id", "label"),
            ("reply", "urgent", "source", "says"),
        )
        if opt is None:
            continue
        oid = c.ids.claim(opt.get("id"), opt.lines.get("id", opt.line), "check-in option")
        urgent = opt.get("urgent", False)
        if not isinstance(urgent, bool):
            # "urgent: 'true'" read as not urgent would send a worrying answer no staff alert.
            c.add(opt.lines.get("urgent", opt.line), "'urgent' must be true or false", oid)
            urgent = False
        reply = "" if urgent and "reply" not in opt else c.text(opt, "reply", oid)
        if not urgent and "reply" not in opt:
            c.add(opt.line, "a check-in option needs a 'reply' unless it is urgent", oid)
        c.template(reply, opt.lines.get("reply", opt.line), "'reply'", oid)
        # An urgent option without a reply sends the FAQ's urgent text: nothing of its own.
        sources = read_source(opt, "the reply", oid) if "reply" in opt or "source" in opt else ()
        label = c.text(opt, "label", oid, TITLE_LIMIT)
        says = c.texts(opt, "says", oid, required=True)
        for said in says:
            if not said_words(said):
                c.add(opt.lines.get("says", opt.line), f"'says' item {said!r} has no words", oid)
        options.append(CheckinOption(oid, label, reply, urgent, sources, says))
    owners: dict[str, str] = {}
    for option in options:
        for form in sorted(option.said_forms):
            owner = owners.setdefault(form, option.id)
            if form and owner != option.id:
                c.add(
                    checkin.lines.get("options", checkin.line),
                    f"check-in options '{owner}' and '{option.id}' both answer {form!r}",
                )
    return question, tuple(options)


def _parse_follow_up(
    c: Checker, block: Map, read_source: SourceReader
) -> tuple[int, str, str, tuple[str, ...]]:
    """Months until the follow-up reminder (0 when invalid), its button, text and sources."""
    follow = c.mapping(
        block.get("follow_up"),
        block.lines.get("follow_up", block.line),
        "follow_up",
        ("after_months", "button", "text"),
        ("source",),
    )
    if follow is None:
        return 0, "", "", ()
    months = 0
    months_value = follow.get("after_months")
    if (
        not isinstance(months_value, int)
        or isinstance(months_value, bool)
        or not 1 <= months_value <= 24
    ):
        c.add(follow.line, "follow_up 'after_months' must be a whole number 1-24")
    else:
        months = months_value
    button = c.text(follow, "button", None, TITLE_LIMIT)
    text = c.text(follow, "text")
    c.template(text, follow.lines.get("text", follow.line), "follow_up 'text'")
    return months, button, text, read_source(follow, "follow_up 'text'", None)
