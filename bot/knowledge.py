"""Load and validate the FAQ YAML into frozen dataclasses."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

TELEGRAM_TEXT_LIMIT = 4096
ANSWER_LIMIT = 1000
TITLE_LIMIT = 40
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
DEFAULT_FAQ = "softlifting.yaml"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a FAQ file, located by file, line and entry."""

    file: str
    line: int
    message: str
    entry: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: entry '{self.entry}': {self.message}"
            if self.entry
            else f"{where}: {self.message}"
        )


class FaqError(Exception):
    """The FAQ file is unusable; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Clinic:
    """How patients reach the clinic."""

    name: str
    phone: str
    booking_url: str
    address: str
    timezone: str

    def fields(self) -> dict[str, str]:
        """Placeholders available to the FAQ's texts."""
        return {
            "name": self.name,
            "phone": self.phone,
            "booking_url": self.booking_url,
            "address": self.address,
        }


@dataclass(frozen=True)
class Texts:
    """The FAQ's fixed texts."""

    disclaimer: str
    fallback: str
    urgent: str
    emergency: str


@dataclass(frozen=True)
class Topic:
    """A group of entries as a patient thinks of them."""

    id: str
    title: str


@dataclass(frozen=True)
class Entry:
    """One answerable fact."""

    id: str
    topic: str
    title: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    related: tuple[str, ...]


@dataclass(frozen=True)
class Decline:
    """A subject the article does not cover: matching it means an honest fallback."""

    id: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class RedFlag:
    """Signs that need a doctor now."""

    id: str
    emergency: bool
    patterns: tuple[re.Pattern[str], ...]


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


@dataclass(frozen=True)
class KnowledgeBase:
    """The validated FAQ file."""

    source: str
    language: str
    clinic: Clinic
    texts: Texts
    topics: tuple[Topic, ...]
    entries: tuple[Entry, ...]
    declines: tuple[Decline, ...]
    synonyms: tuple[tuple[str, ...], ...]
    red_flags: tuple[RedFlag, ...]
    course: Course | None
    by_id: Mapping[str, Entry] = field(repr=False, compare=False)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self.by_id.get(entry_id)

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return next((t for t in self.topics if t.id == topic_id), None)

    def entries_in(self, topic_id: str) -> tuple[Entry, ...]:
        """Entries of one topic, in file order."""
        return tuple(e for e in self.entries if e.topic == topic_id)


# --- YAML with line numbers -------------------------------------------------------------------


class _Map(dict[str, Any]):
    """A mapping that remembers the line of itself and of each key."""

    line = 0
    lines: dict[str, int]


class _Seq(list[Any]):
    """A sequence that remembers its line and each item's line."""

    line = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_text = str(key)
        line = key_node.start_mark.line + 1
        if key_text in result:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key '{key_text}'", problem_mark=key_node.start_mark
            )
        result[key_text] = loader.construct_object(value_node, deep=True)
        result.lines[key_text] = line
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# --- validation -------------------------------------------------------------------------------


class _Checker:
    """Collects problems while reading a parsed FAQ document."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int, message: str, entry: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, message, entry))

    def mapping(
        self,
        value: Any,
        line: int,
        what: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        entry: str | None = None,
    ) -> _Map | None:
        """Check a mapping's type and keys; None when it is not a mapping."""
        if not isinstance(value, _Map):
            self.add(line, f"{what} must be a mapping", entry)
            return None
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                self.add(
                    value.lines[key], f"unknown key '{key}' in {what} (allowed: {allowed})", entry
                )
        for key in required:
            if key not in value:
                self.add(value.line, f"{what} is missing '{key}'", entry)
        return value

    def text(self, parent: _Map, key: str, entry: str | None = None, limit: int = 0) -> str:
        """A required non-empty string field."""
        value = parent.get(key)
        line = parent.lines.get(key, parent.line)
        if key not in parent:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(line, f"'{key}' must be a non-empty text", entry)
            return ""
        if limit and len(value.strip()) > limit:
            self.add(line, f"'{key}' is {len(value.strip())} characters, at most {limit}", entry)
        return value.strip()

    def texts(self, parent: _Map, key: str, entry: str | None, required: bool) -> tuple[str, ...]:
        """A list of non-empty strings."""
        if key not in parent:
            return ()
        value = parent[key]
        line = parent.lines[key]
        if not isinstance(value, _Seq) or (required and not value):
            self.add(line, f"'{key}' must be a non-empty list", entry)
            return ()
        out: list[str] = []
        for item, item_line in zip(value, value.lines, strict=True):
            if isinstance(item, bool):
                self.add(item_line, f"'{key}' has a yes/no value: put the word in quotes", entry)
                continue
            if not isinstance(item, str | int | float) or not str(item).strip():
                self.add(item_line, f"'{key}' has an empty or non-text item", entry)
                continue
            out.append(str(item).strip())
        return tuple(out)

    def ident(self, value: Any, line: int, entry: str | None = None) -> str:
        """A valid id."""
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.add(line, f"id {value!r} must be 1-32 characters of a-z, 0-9 and '-'", entry)
            return ""
        return value

    def items(self, doc: _Map, key: str) -> Iterator[tuple[_Map, int]]:
        """The mappings of a top-level list."""
        value = doc.get(key)
        if value is None:
            return
        if not isinstance(value, _Seq):
            self.add(doc.lines[key], f"'{key}' must be a list")
            return
        for item, line in zip(value, value.lines, strict=True):
            if not isinstance(item, _Map):
                self.add(line, f"each item of '{key}' must be a mapping")
                continue
            yield item, line


def _day_range(value: Any) -> tuple[int, int] | None:
    text = str(value).strip()
    match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", text)
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return (first, last) if first <= last else None


def _parse_course(c: _Checker, doc: _Map) -> Course | None:
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
    if isinstance(daily_value, _Map):
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


def _parse_red_flags(c: _Checker, doc: _Map) -> tuple[RedFlag, ...]:
    flags: list[RedFlag] = []
    for item, _line in c.items(doc, "red_flags"):
        flag = c.mapping(item, item.line, "a red flag", ("id", "patterns"), ("emergency",))
        if flag is None:
            continue
        fid = c.ident(flag.get("id"), flag.line)
        compiled: list[re.Pattern[str]] = []
        patterns = flag.get("patterns")
        if isinstance(patterns, _Seq) and patterns:
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


def _parse(c: _Checker, doc: _Map) -> KnowledgeBase:
    c.mapping(
        doc,
        1,
        "the FAQ file",
        ("version", "language", "clinic", "texts", "topics", "entries"),
        ("synonyms", "declines", "red_flags", "aftercare"),
    )
    language = str(doc.get("language", "en"))
    if not resources.files("bot.locales").joinpath(f"{language}.yaml").is_file():
        c.add(doc.lines.get("language", 1), f"no locale for language '{language}' (bot/locales/)")
    clinic_block = c.mapping(
        doc.get("clinic"),
        doc.lines.get("clinic", 1),
        "clinic",
        ("name", "phone", "booking_url", "address", "timezone"),
    )
    clinic = Clinic("", "", "", "", "UTC")
    if clinic_block is not None:
        tz = c.text(clinic_block, "timezone")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            c.add(
                clinic_block.lines.get("timezone", clinic_block.line), f"unknown time zone {tz!r}"
            )
            tz = "UTC"
        clinic = Clinic(
            c.text(clinic_block, "name"),
            c.text(clinic_block, "phone"),
            c.text(clinic_block, "booking_url"),
            c.text(clinic_block, "address"),
            tz,
        )
    texts_block = c.mapping(
        doc.get("texts"),
        doc.lines.get("texts", 1),
        "texts",
        ("disclaimer", "fallback", "urgent", "emergency"),
    )
    texts = Texts("", "", "", "")
    if texts_block is not None:
        values = [
            c.text(texts_block, k, None, TELEGRAM_TEXT_LIMIT) for k in Texts.__dataclass_fields__
        ]
        for key, value in zip(Texts.__dataclass_fields__, values, strict=True):
            try:
                value.format(**clinic.fields())
            except (KeyError, IndexError, ValueError) as exc:
                c.add(
                    texts_block.lines.get(key, texts_block.line),
                    f"'{key}' has a bad placeholder {exc}",
                )
        texts = Texts(*values)

    topics: list[Topic] = []
    for item, _line in c.items(doc, "topics"):
        block = c.mapping(item, item.line, "a topic", ("id", "title"))
        if block is not None:
            tid = c.ident(block.get("id"), block.line)
            topics.append(Topic(tid, c.text(block, "title", tid, TITLE_LIMIT)))
    topic_ids = {t.id for t in topics}

    seen_ids: dict[str, int] = {}
    seen_questions: dict[str, str] = {}
    entries: list[Entry] = []
    related_refs: list[tuple[str, str, int]] = []

    def claim(value: Any, line: int) -> str:
        ident = c.ident(value, line)
        if ident and ident in seen_ids:
            c.add(line, f"duplicate id (first used on line {seen_ids[ident]})", ident)
        elif ident:
            seen_ids[ident] = line
        return ident

    def claim_questions(block: _Map, ident: str) -> tuple[str, ...]:
        questions = c.texts(block, "questions", ident, required=True)
        lines = block["questions"].lines if isinstance(block.get("questions"), _Seq) else []
        for question, line in zip(questions, lines, strict=False):
            key = " ".join(question.lower().split())
            owner = seen_questions.get(key)
            if owner is not None:
                c.add(line, f"question {question!r} is also listed under '{owner}'", ident)
            else:
                seen_questions[key] = ident
        return questions

    for item, _line in c.items(doc, "entries"):
        block = c.mapping(
            item,
            item.line,
            "an entry",
            ("id", "topic", "title", "questions", "answer"),
            ("keywords", "related"),
            entry=str(item.get("id")) if isinstance(item.get("id"), str) else None,
        )
        if block is None:
            continue
        eid = claim(block.get("id"), block.lines.get("id", block.line))
        topic = str(block.get("topic", ""))
        if "topic" in block and topic not in topic_ids:
            c.add(block.lines["topic"], f"unknown topic '{topic}'", eid)
        answer = c.text(block, "answer", eid)
        if len(answer) > TELEGRAM_TEXT_LIMIT:
            c.add(
                block.lines["answer"],
                f"answer is over Telegram's {TELEGRAM_TEXT_LIMIT} characters",
                eid,
            )
        elif len(answer) > ANSWER_LIMIT:
            c.add(
                block.lines["answer"],
                f"answer is {len(answer)} characters, at most {ANSWER_LIMIT}",
                eid,
            )
        related = c.texts(block, "related", eid, required=False)
        for ref in related:
            related_refs.append((eid, ref, block.lines["related"]))
        entries.append(
            Entry(
                eid,
                topic,
                c.text(block, "title", eid, TITLE_LIMIT),
                claim_questions(block, eid),
                c.texts(block, "keywords", eid, required=False),
                answer,
                related,
            )
        )
    entry_ids = {e.id for e in entries}
    for eid, ref, line in related_refs:
        if ref not in entry_ids:
            c.add(line, f"related id '{ref}' does not exist", eid)
        elif ref == eid:
            c.add(line, "an entry cannot be related to itself", eid)

    declines: list[Decline] = []
    for item, _line in c.items(doc, "declines"):
        block = c.mapping(item, item.line, "a decline", ("id", "questions"), ("keywords",))
        if block is None:
            continue
        did = claim(block.get("id"), block.lines.get("id", block.line))
        declines.append(
            Decline(
                did,
                claim_questions(block, did),
                c.texts(block, "keywords", did, required=False),
            )
        )

    synonyms: list[tuple[str, ...]] = []
    seen_words: dict[str, int] = {}
    syn_value = doc.get("synonyms")
    if syn_value is not None and not isinstance(syn_value, _Seq):
        c.add(doc.lines["synonyms"], "'synonyms' must be a list of word lists")
    for group, line in zip(syn_value or [], getattr(syn_value, "lines", []), strict=False):
        if not isinstance(group, _Seq) or len(group) < 2:
            c.add(line, "each synonyms group must list at least two words")
            continue
        if any(isinstance(w, bool) for w in group):
            c.add(line, "a synonyms group has a yes/no value (on, off, yes, no): quote the word")
            continue
        words = tuple(" ".join(str(w).lower().split()) for w in group)
        for word in words:
            if word in seen_words:
                c.add(line, f"synonym '{word}' is also in the group on line {seen_words[word]}")
            seen_words[word] = line
        synonyms.append(words)

    if not entries:
        c.add(doc.lines.get("entries", 1), "the FAQ has no entries")
    return KnowledgeBase(
        source=c.file,
        language=language,
        clinic=clinic,
        texts=texts,
        topics=tuple(topics),
        entries=tuple(entries),
        declines=tuple(declines),
        synonyms=tuple(synonyms),
        red_flags=_parse_red_flags(c, doc),
        course=_parse_course(c, doc),
        by_id=MappingProxyType({e.id: e for e in entries}),
    )


def parse_faq(text: str, file: str) -> KnowledgeBase:
    """Validate FAQ YAML text; raise FaqError naming file, line and entry."""
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise FaqError([Problem(file, line, f"YAML syntax error: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise FaqError([Problem(file, 1, f"YAML error: {exc}")]) from None
    checker = _Checker(file)
    if not isinstance(doc, _Map):
        raise FaqError([Problem(file, 1, "the FAQ file must be a YAML mapping")])
    kb = _parse(checker, doc)
    if checker.problems:
        raise FaqError(sorted(checker.problems, key=lambda p: p.line))
    return kb


def load_faq(path: str | Path | None = None) -> KnowledgeBase:
    """Load the FAQ from a path, or the shipped default when path is None."""
    if path is None:
        resource = resources.files("bot.faq").joinpath(DEFAULT_FAQ)
        return parse_faq(resource.read_text(encoding="utf-8"), f"faq/{DEFAULT_FAQ}")
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FaqError([Problem(str(path), 0, f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise FaqError([Problem(str(path), 0, "the file is not UTF-8 text")]) from None
    return parse_faq(text, str(path))
