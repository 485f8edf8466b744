"""Load and validate the FAQ YAML into frozen dataclasses; every problem names file and line."""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.aftercare.course import parse_course
from bot.aftercare.inputs import MACHINE_ZONES, is_abbreviation
from bot.answers.knowledge import (
    CLINIC_SOURCE,
    LINK_SCHEMES,
    Clinic,
    Decline,
    Entry,
    KnowledgeBase,
    Places,
    Texts,
    Topic,
    opens_as_button,
)
from bot.answers.safety import parse_red_flags
from bot.faqdoc import (
    TELEGRAM_TEXT_LIMIT,
    TITLE_LIMIT,
    Checker,
    FaqError,
    Map,
    Problem,
    Seq,
    TooComplex,
    load_document,
)
from bot.locale import LANGUAGE_CODE

ANSWER_LIMIT = 1000
# A phrasing is a question as a patient types it; the longest shipped one is under 130
# characters. A pasted paragraph would be a bag of words that half-matches every question.
PHRASING_LIMIT = 300
# A clinic detail shorter than this ("C" in a test file) is found inside ordinary words.
MIN_CLINIC_DETAIL = 4
# What `faq suggest` writes where only a person can fill in (a new entry's title and answer):
# refused here, so that a suggestion pasted before it was reviewed can never go live.
UNFILLED = "TODO"
_UNFILLED = re.compile(rf"\b{UNFILLED}\b")
DEFAULT_FAQ = "softlifting.yaml"
FORMAT_VERSION = 1
# A whole clinic's FAQ in two languages is a few hundred kilobytes.
MAX_FILE_BYTES = 4 * 1024 * 1024


def _parse(c: Checker, doc: Map) -> KnowledgeBase:
    """Every section of the FAQ document, in file order."""
    language = _parse_header(c, doc)
    sources = _parse_sources(c, doc)
    clinic = _parse_clinic(c, doc)
    texts = _parse_texts(c, doc)
    topics = _parse_topics(c, doc)
    questions: dict[str, str] = {}
    entries = _parse_entries(c, doc, {t.id for t in topics}, questions, sources, clinic)
    declines = _parse_declines(c, doc, questions)
    synonyms = _parse_synonyms(c, doc)
    red_flags = parse_red_flags(c, doc, language)
    course = parse_course(c, doc, sources.read)
    return KnowledgeBase(
        source=c.file,
        language=language,
        clinic=clinic,
        texts=texts,
        topics=topics,
        entries=entries,
        declines=declines,
        synonyms=synonyms,
        red_flags=red_flags,
        course=course,
        sources=sources.names,
        by_id=MappingProxyType({e.id: e for e in entries}),
        places=_places(c, doc),
    )


def _places(c: Checker, doc: Map) -> Places:
    """The lines of every id and section, for the checks across language files."""
    sections = dict(doc.lines)
    course = doc.get("aftercare")
    if isinstance(course, Map):
        sections.update({f"aftercare.{key}": line for key, line in course.lines.items()})
        checkin = course.get("checkin")
        if isinstance(checkin, Map) and "options" in checkin:
            sections["aftercare.checkin.options"] = checkin.lines["options"]
    kinds = {**c.ids.first_lines, **c.places, "section": sections}
    return Places(MappingProxyType({k: MappingProxyType(v) for k, v in kinds.items()}))


def _parse_header(c: Checker, doc: Map) -> str:
    """Check the top-level keys; the file's language, which must have a locale."""
    c.mapping(
        doc,
        1,
        "the FAQ file",
        ("version", "language", "clinic", "texts", "topics", "entries"),
        ("sources", "synonyms", "declines", "red_flags", "aftercare"),
    )
    version = doc.get("version")
    if "version" in doc and (not isinstance(version, int) or isinstance(version, bool)):
        c.add(doc.lines["version"], f"'version' must be a whole number, not {str(version)[:40]!r}")
    elif isinstance(version, int) and version != FORMAT_VERSION:
        newer = "a newer bot: upgrade the bot" if version > FORMAT_VERSION else "an unknown format"
        c.add(
            doc.lines["version"],
            f"this file is FAQ format version {version}, which needs {newer} "
            f"(this one reads version {FORMAT_VERSION})",
        )
    language = str(doc.get("language", "en"))
    # A code, never a path: "../locales/en" found a locale, a long value crashed the lookup.
    if not LANGUAGE_CODE.fullmatch(language) or not (
        resources.files("bot.locales").joinpath(f"{language}.yaml").is_file()
    ):
        c.add(
            doc.lines.get("language", 1),
            f"no locale for language '{language[:40]}' (bot/locales/)",
        )
    return language


class Sources:
    """The article's section names the file declares; checks each text's `source` against them."""

    def __init__(self, c: Checker, names: tuple[str, ...], line: int) -> None:
        self.c = c
        self.names = names
        self.line = line

    def read(self, block: Map, what: str, entry: str | None) -> tuple[str, ...]:
        """The names a block gives as its `source` (one or a list); each must be declared."""
        if "source" not in block:
            self.c.add(
                block.line,
                f"{what} has no 'source': name the article section(s) it restates, "
                f"or write 'source: {CLINIC_SOURCE}' for the clinic's own facts",
                entry,
            )
            return ()
        value, line = block["source"], block.lines["source"]
        items, lines = (value, value.lines) if isinstance(value, Seq) else ([value], [line])
        if not items or not all(isinstance(i, str) and i.strip() for i in items):
            self.c.add(line, "'source' must be a section name or a list of section names", entry)
            return ()
        names = tuple(" ".join(i.split()) for i in items)
        for name, name_line in zip(names, lines, strict=True):
            if name == CLINIC_SOURCE or name in self.names:
                continue
            declared = (
                f"one of the sections under 'sources' (line {self.line})"
                if self.names
                else "a section listed under 'sources' (the file declares none)"
            )
            self.c.add(
                name_line, f"unknown source {name!r}: use {declared} or '{CLINIC_SOURCE}'", entry
            )
        return names


def _parse_sources(c: Checker, doc: Map) -> Sources:
    """The article's sections a text may name as its source, declared once at the top."""
    if "sources" not in doc:
        return Sources(c, (), 0)
    line = doc.lines["sources"]
    names = tuple(" ".join(n.split()) for n in c.texts(doc, "sources", None, required=True))
    value = doc["sources"]
    lines = value.lines if isinstance(value, Seq) and len(value) == len(names) else []
    seen: set[str] = set()
    for name, name_line in zip(names, lines or [line] * len(names), strict=True):
        if name == CLINIC_SOURCE:
            c.add(name_line, f"'{CLINIC_SOURCE}' is always allowed as a source: do not list it")
        elif name in seen:
            c.add(name_line, f"source {name!r} is listed twice")
        seen.add(name)
    return Sources(c, names, line)


def _no_place_problem(tz: str) -> str:
    """Why a zone the database knows is no clinic's zone ("" when it is one)."""
    if tz.lower().startswith(MACHINE_ZONES):
        return (
            "names no place's time (localtime, posixrules, Factory, posix/ and right/ are files "
            "of one machine's zone database): write the clinic's zone as Region/City, like "
            "Europe/Berlin"
        )
    if is_abbreviation(tz):
        return (
            "is an abbreviation: a fixed offset without summer time, or one several places "
            "share, as patients are told when they type one; write the clinic's zone as "
            "Region/City, like Europe/Berlin or America/New_York"
        )
    return ""


def _parse_clinic(c: Checker, doc: Map) -> Clinic:
    """The clinic's details and time zone."""
    block = c.mapping(
        doc.get("clinic"),
        doc.lines.get("clinic", 1),
        "clinic",
        ("name", "phone", "booking_url", "address", "timezone"),
    )
    if block is None:
        return Clinic("", "", "", "", "UTC")
    tz = c.text(block, "timezone")
    c.place("clinic", "timezone", block.lines.get("timezone", block.line))  # for the agreement
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        c.add(block.lines.get("timezone", block.line), f"unknown time zone {tz[:60]!r}")
        tz = "UTC"
    if problem := _no_place_problem(tz):
        c.add(block.lines.get("timezone", block.line), f"time zone {tz!r} {problem}")
        tz = "UTC"
    booking_url = c.text(block, "booking_url")
    if booking_url.startswith(LINK_SCHEMES) and not opens_as_button(booking_url):
        c.add(
            block.lines.get("booking_url", block.line),
            "clinic 'booking_url' must be a web address a button can open, like "
            f"https://example.com/book (no spaces, quotes or [ ]), not {booking_url!r}",
        )
    elif (written := _link_without_scheme(booking_url)) is not None:
        # Only https:// or http:// makes the "Book a visit" button: no other sign would tell.
        c.add(
            block.lines.get("booking_url", block.line),
            f"clinic 'booking_url' {booking_url!r} is a web address, but only one that begins "
            f'with https:// or http:// (in small letters) gets the "Book a visit" button: '
            f"write {written!r}",
        )
    return Clinic(
        c.text(block, "name"),
        c.text(block, "phone"),
        booking_url,
        c.text(block, "address"),
        tz,
    )


# A web address written without its scheme: "www.clinic.com/book", "clinic.com/book".
_BARE_ADDRESS = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?::[0-9]+)?(?:[/?#]\S*)?", re.IGNORECASE)


def _link_without_scheme(value: str) -> str | None:
    """The URL a booking_url written without its https:// stands for; None if it needs none."""
    # None too for text that is no web address ("at the desk"); "HTTPS://" is written in small.
    scheme, found, rest = value.partition("://")
    if found and f"{scheme.lower()}://" in LINK_SCHEMES and not value.startswith(LINK_SCHEMES):
        return f"{scheme.lower()}://{rest}"
    if not found and _BARE_ADDRESS.fullmatch(value):
        return f"https://{value}"
    return None


def _parse_texts(c: Checker, doc: Map) -> Texts:
    """The fixed texts, each with only the clinic's placeholders."""
    block = c.mapping(
        doc.get("texts"),
        doc.lines.get("texts", 1),
        "texts",
        ("disclaimer", "fallback", "urgent", "emergency"),
    )
    if block is None:
        return Texts("", "", "", "")
    values = [c.text(block, k, None, TELEGRAM_TEXT_LIMIT) for k in Texts.__dataclass_fields__]
    for key, value in zip(Texts.__dataclass_fields__, values, strict=True):
        c.template(value, block.lines.get(key, block.line), f"'{key}'")
    return Texts(*values)


def _parse_topics(c: Checker, doc: Map) -> tuple[Topic, ...]:
    """The topics /topics shows, in file order."""
    topics: list[Topic] = []
    for item, _line in c.items(doc, "topics"):
        block = c.mapping(item, item.line, "a topic", ("id", "title"))
        if block is not None:
            tid = c.ids.claim(block.get("id"), block.lines.get("id", block.line), "topic")
            topics.append(Topic(tid, c.text(block, "title", tid, TITLE_LIMIT)))
    return tuple(topics)


def _parse_questions(c: Checker, block: Map, ident: str, seen: dict[str, str]) -> tuple[str, ...]:
    """An entry's or decline's questions; `seen` maps each question so far to its owner."""
    questions = c.texts(block, "questions", ident, required=True)
    lines = block["questions"].lines if isinstance(block.get("questions"), Seq) else []
    for question, line in zip(questions, lines, strict=False):
        c.place("question", f"{ident}\n{question}", line)  # for the self-test's conflicts
        if len(question) > PHRASING_LIMIT:
            c.add(
                line,
                f"question {question[:40] + '...'!r} is {len(question):,} characters: a phrasing "
                f"is a question as a patient types it, at most {PHRASING_LIMIT}; put longer "
                "text in the answer",
                ident,
            )
        key = " ".join(question.lower().split())
        owner = seen.get(key)
        if owner is not None:
            c.add(line, f"question {question!r} is also listed under '{owner}'", ident)
        else:
            seen[key] = ident
    return questions


def _parse_entries(
    c: Checker,
    doc: Map,
    topic_ids: set[str],
    questions: dict[str, str],
    sources: Sources,
    clinic: Clinic,
) -> tuple[Entry, ...]:
    """The answerable entries, with their topics and the ids they name checked."""
    # Answers are shown as written (never formatted), so braces in them are plain text; the
    # clinic's own placeholders are refused: a patient would read "{phone}".
    entries: list[Entry] = []
    refs: list[tuple[str, str, str, int]] = []  # (entry, field, id named, line)
    for item, _line in c.items(doc, "entries"):
        block = c.mapping(
            item,
            item.line,
            "an entry",
            ("id", "topic", "title", "questions", "answer"),
            ("keywords", "related", "source", "covers"),
            entry=str(item.get("id")) if isinstance(item.get("id"), str) else None,
        )
        if block is None:
            continue
        eid = c.ids.claim(block.get("id"), block.lines.get("id", block.line), "entry")
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
        title = c.text(block, "title", eid, TITLE_LIMIT)
        for key, value in (("title", title), ("answer", answer)):
            if _UNFILLED.search(value):
                c.add(
                    block.lines[key],
                    f"'{key}' still says {UNFILLED}: write the text before the entry goes live",
                    eid,
                )
        related = c.texts(block, "related", eid, required=False)
        c.place("related", eid, block.lines.get("related", block.line))
        c.place("entry topic", eid, block.lines.get("topic", block.line))
        for ref in related:
            refs.append((eid, "related", ref, block.lines["related"]))
        covers = c.texts(block, "covers", eid, required=False)
        c.place("covers", eid, block.lines.get("covers", block.line))
        if len(covers) == 1:
            c.add(block.lines["covers"], "'covers' names at least two entries", eid)
        for key, named in (("related", related), ("covers", covers)):
            if twice := sorted({ref for ref in named if named.count(ref) > 1}):
                c.add(
                    block.lines[key], f"'{key}' names {', '.join(twice)} twice: once is enough", eid
                )
        for ref in covers:
            refs.append((eid, "covers", ref, block.lines["covers"]))
        for key in Clinic.PLACEHOLDERS:
            if f"{{{key}}}" in answer:
                c.add(
                    block.lines["answer"],
                    f"the answer has {{{key}}}, but answers are shown as written, so a patient "
                    f"would read {{{key}}}: write the clinic's {key} itself and add "
                    f"'{CLINIC_SOURCE}' to its source",
                    eid,
                )
        named = sources.read(block, "the answer", eid)
        detail = _clinic_detail(answer, clinic)
        if named and CLINIC_SOURCE not in named and detail:
            c.add(
                block.lines["answer"],
                f"the answer names the clinic's {detail}, a fact of the clinic's own: add "
                f"'{CLINIC_SOURCE}' to its source, as in 'source: [{named[0]}, {CLINIC_SOURCE}]'",
                eid,
            )
        entries.append(
            Entry(
                eid,
                topic,
                title,
                _parse_questions(c, block, eid, questions),
                c.texts(block, "keywords", eid, required=False),
                answer,
                related,
                named,
                covers,
            )
        )
    entry_ids = {e.id for e in entries}
    for eid, key, ref, line in refs:
        if ref not in entry_ids:
            c.add(line, f"{key} id '{ref}' does not exist", eid)
        elif ref == eid:
            c.add(line, f"an entry cannot name itself in '{key}'", eid)
    if not entries:
        c.add(doc.lines.get("entries", 1), "the FAQ has no entries")
    return tuple(entries)


def _clinic_detail(answer: str, clinic: Clinic) -> str | None:
    """The clinic's own detail an answer tells ("phone '+49 30 1234'"), or None."""
    said = answer.casefold()
    for key in Clinic.PLACEHOLDERS:
        value = str(getattr(clinic, key)).strip()
        if len(value) >= MIN_CLINIC_DETAIL and value.casefold() in said:
            return f"{key} {value!r}"
    return None


def _parse_declines(c: Checker, doc: Map, questions: dict[str, str]) -> tuple[Decline, ...]:
    """The subjects the FAQ does not cover; their ids share the entries' namespace."""
    declines: list[Decline] = []
    for item, _line in c.items(doc, "declines"):
        block = c.mapping(item, item.line, "a decline", ("id", "questions"), ("keywords", "life"))
        if block is None:
            continue
        did = c.ids.claim(block.get("id"), block.lines.get("id", block.line), "entry")
        life = block.get("life", False)
        if not isinstance(life, bool):
            c.add(block.lines["life"], "'life' must be true or false", did)
            life = False
        declines.append(
            Decline(
                did,
                _parse_questions(c, block, did, questions),
                c.texts(block, "keywords", did, required=False),
                life,
            )
        )
    return tuple(declines)


_WORD_TYPES = {str, int, float}  # a number is read as its text ("38")


def _parse_synonyms(c: Checker, doc: Map) -> tuple[tuple[str, ...], ...]:
    """Groups of words the matcher treats as one, each word in one group only."""
    synonyms: list[tuple[str, ...]] = []
    seen_words: dict[str, int] = {}
    syn_value = doc.get("synonyms")
    if syn_value is not None and not isinstance(syn_value, Seq):
        c.add(doc.lines["synonyms"], "'synonyms' must be a list of word lists")
        return ()
    for group, line in zip(syn_value or [], getattr(syn_value, "lines", []), strict=False):
        if not isinstance(group, Seq) or len(group) < 2:
            c.add(line, "each synonyms group must list at least two words")
            continue
        if any(isinstance(w, bool) for w in group):
            c.add(line, "a synonyms group has a yes/no value (on, off, yes, no): quote the word")
            continue
        words = tuple(" ".join(str(w).lower().split()) for w in group)
        if "" in words or not {type(w) for w in group} <= _WORD_TYPES:
            # A "-" left behind or "~" is None, which would read as the word "none".
            c.add(line, "a synonyms group has an empty or non-text word: delete it or write it")
            continue
        for word in words:
            if word in seen_words:
                c.add(line, f"synonym '{word}' is also in the group on line {seen_words[word]}")
            seen_words[word] = line
        synonyms.append(words)
    return tuple(synonyms)


def parse_faq(text: str, file: str) -> KnowledgeBase:
    """Validate FAQ YAML text; raise FaqError naming file, line and entry."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise FaqError([Problem(file, 1, f"the file is {size:,} bytes; at most {limit} MB")])
    try:
        doc = load_document(text)
    except TooComplex as exc:
        problem = Problem(file, exc.line, f"the YAML is too complex: {exc.problem}")
        raise FaqError([problem]) from None
    except yaml.MarkedYAMLError as exc:
        raise FaqError([_yaml_problem(file, text, exc)]) from None
    except yaml.reader.ReaderError as exc:
        # It gives a character position, not a line: an admin looks for a line.
        line = text.count("\n", 0, exc.position) + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
        said = f"YAML error: {character} is not allowed here ({exc.reason}); delete or retype it"
        raise FaqError([Problem(file, line, said)]) from None
    except yaml.YAMLError as exc:
        raise FaqError([Problem(file, 1, f"YAML error: {exc}")]) from None
    checker = Checker(file, Clinic.PLACEHOLDERS)
    if not isinstance(doc, Map):
        raise FaqError([Problem(file, 1, "the FAQ file must be a YAML mapping")])
    kb = _parse(checker, doc)
    if checker.problems:
        raise FaqError(sorted(checker.problems, key=lambda p: p.line))
    return kb


# The first line of an entry, red flag, decline, topic or rule: "  - id: bruising".
_ID_LINE = re.compile(r"""^\s*-\s+(?:\{\s*)?id:\s*["']?([a-z0-9][a-z0-9-]*)""")
_INDENTATION = (
    "check this line's indentation against the lines above it (spaces only: the keys of one "
    "entry line up, and so do the items of a list)"
)


def _yaml_problem(file: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML mistake as its line, the entry it is in and how to fix it."""
    mark = exc.problem_mark or exc.context_mark
    said = str(exc.problem)
    if "quoted scalar" in str(exc.context) and exc.context_mark is not None:
        # libyaml finds an unclosed quote at the end of the file: the quote opened earlier.
        mark, said = exc.context_mark, "this quoted value has no closing quote: add it"
    line = mark.line + 1 if mark else 1
    lines = text.splitlines()
    opened = _unclosed_quote(lines, line)
    if opened is not None:
        # A quote left open mid-file runs on to the next quote, lines later, where YAML trips.
        line, said = opened, f"this quoted value has no closing quote on its line: add it ({said})"
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    column = min(mark.column, len(source)) if mark else 0
    found = source[column : column + 1]
    if "tab" in said or (said.startswith("found character") and found == "\t"):
        said += "; the line has a tab, and YAML indents with spaces only: replace it with spaces"
    elif said.startswith("found character that cannot start any token") and found:
        said += f"; a value cannot begin with {found!r}: put it in quotes"
    elif said.startswith("mapping values are not allowed"):
        said += f"; {_INDENTATION}, and put a value that contains ': ' in quotes"
    elif said.startswith(("did not find expected", "expected <block end>")):
        said += f"; {_INDENTATION}"
    elif said == "second occurrence" and exc.context_mark is not None:
        # libyaml's words name no anchor and put its first line in the context alone.
        first = exc.context_mark.line + 1
        said = f"this &anchor is defined twice (first on line {first}): give each its own name"
    elif said.startswith("found undefined alias"):
        said += ": this *name has no &name above it to repeat; define the anchor first"
    return Problem(file, line, f"YAML syntax error: {said}", _entry_at(lines, line))


# A one-line value that opens a quote: "- 'what is it", "title: \"Bruising".
_QUOTED_VALUE = re.compile(r"""^\s*-?\s*(?:[\w-]+:\s+)?(["'])(.*)$""")
# How far above a YAML error an opened quote is looked for: a few entries' phrasings.
QUOTE_LOOKBACK = 60


def _unclosed_quote(lines: list[str], line: int) -> int | None:
    """The line above `line` whose quoted value does not close on it, if one is that near."""
    for number in range(min(line, len(lines)) - 1, max(line - QUOTE_LOOKBACK, 0), -1):
        found = _QUOTED_VALUE.match(lines[number - 1])
        if found is None:
            continue
        quote, rest = found.groups()
        body = re.sub(r"\\.", "", rest) if quote == '"' else rest.replace("''", "")
        if quote not in body:
            return number
    return None


def _entry_at(lines: list[str], line: int) -> str | None:
    """The id of the entry (or red flag, decline ...) a line belongs to, when there is one."""
    for number in range(min(line, len(lines)), 0, -1):
        text = lines[number - 1]
        if found := _ID_LINE.match(text):
            return found.group(1)
        if text[:1].isalpha() and number < line:  # a top-level key: no entry above in its block
            return None
    return None


def shipped_file(name: str) -> Traversable:
    """A file the package ships beside its FAQ files (faq/ in the source tree)."""
    return resources.files("bot.faq").joinpath(name)


def is_shipped(name: str) -> bool:
    """True when the package ships a FAQ file of this name (faq/ in the source tree)."""
    return shipped_file(name).is_file()


def shipped_name(source: str) -> str | None:
    """The shipped file a FAQ was read from (`load_shipped` names it "faq/<name>"), or None."""
    name = source.removeprefix("faq/")
    return name if name != source and is_shipped(name) else None


def load_shipped(name: str = DEFAULT_FAQ) -> KnowledgeBase:
    """Load a FAQ file shipped with the package, such as faq/softlifting.yaml."""
    resource = shipped_file(name)
    try:
        text = resource.read_text(encoding="utf-8")
    except OSError as exc:
        raise FaqError(
            [Problem(f"faq/{name}", 0, f"cannot read the file: {exc.strerror}")]
        ) from None
    return parse_faq(text, f"faq/{name}")


def load_faq(path: str | Path | None = None) -> KnowledgeBase:
    """Load the FAQ from a path, or the shipped default when path is None."""
    if path is None:
        return load_shipped(DEFAULT_FAQ)
    file = Path(path)
    limit = MAX_FILE_BYTES // (1024 * 1024)
    try:
        if (size := file.stat().st_size) > MAX_FILE_BYTES:
            raise FaqError(
                [Problem(str(path), 1, f"the file is {size:,} bytes; at most {limit} MB")]
            )
        with file.open("rb") as stream:  # a device or a pipe has no size
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise FaqError(
                [Problem(str(path), 1, f"the file is over {limit} MB; at most {limit} MB")]
            )
        text = data.decode("utf-8")
    except OSError as exc:
        raise FaqError([Problem(str(path), 0, f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        # One "é" saved by an editor in another encoding: the line to look at, and the fix.
        line = data.count(b"\n", 0, exc.start) + 1
        said = (
            f"the file is not UTF-8 text: byte 0x{data[exc.start]:02X} on this line is in "
            "another encoding; save the file as UTF-8"
        )
        raise FaqError([Problem(str(path), line, said)]) from None
    return parse_faq(text, str(path))
