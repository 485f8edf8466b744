"""The validated FAQ: clinic, texts, topics, entries, declines, synonyms, red flags, course."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar
from urllib.parse import urlsplit

from bot.aftercare.course import Course
from bot.answers.safety import RedFlag

# The source a clinic names for a fact of its own (not the article's), for its doctor to review.
CLINIC_SOURCE = "clinic"


@dataclass(frozen=True)
class Clinic:
    """How patients reach the clinic."""

    name: str
    phone: str
    booking_url: str
    address: str
    timezone: str

    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("name", "phone", "booking_url", "address")

    def fields(self) -> dict[str, str]:
        """Placeholders available to the FAQ's texts."""
        return {key: str(getattr(self, key)) for key in self.PLACEHOLDERS}

    def format(self, template: str) -> str:
        """A FAQ text with the clinic's details filled in (placeholders are checked at load)."""
        return template.format(**self.fields())

    @property
    def booking_link(self) -> str | None:
        """The booking URL when it is a web link a button can open, else None."""
        return self.booking_url if self.booking_url.startswith(LINK_SCHEMES) else None


# A booking_url starting so is the URL of a "Book a visit" button; other text is only shown.
LINK_SCHEMES = ("https://", "http://")


def opens_as_button(url: str) -> bool:
    """Whether Telegram takes `url` for a URL button: a host, a valid port, no spaces, quotes
    or angle brackets (else it refuses the whole message: BUTTON_URL_INVALID)."""
    if not url.isprintable() or any(char in url for char in ' "<>\\'):
        return False
    try:
        parts = urlsplit(url)
        return bool(parts.hostname) and parts.port != 0
    except ValueError:  # "[a b]" is no IPv6 address; a port over 65535
        return False


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
    sources: tuple[str, ...] = ()  # the article sections the answer restates, or "clinic"
    covers: tuple[str, ...] = ()  # entries this answer also covers when a question names two


@dataclass(frozen=True)
class Decline:
    """A subject the article does not cover: matching it means an honest fallback."""

    id: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    # A subject of the patient's life (a trip, the gym, a diet), not of the treatment: told
    # around a question ("my gym has a sauna, how long off it?"), it may leave the question the
    # entry's, which the answer model then decides.
    life: bool = False


@dataclass(frozen=True)
class Places:
    """Where the file declares each id and section, for problems found later across files."""

    # kind ("entry", "topic", "red flag", "rule", "check-in option", "related", "section" ...)
    # -> id or key -> line
    lines: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: MappingProxyType({}))

    def line(self, kind: str, key: str, default: int = 1) -> int:
        """The line of an id or section, else `default`."""
        return self.lines.get(kind, {}).get(key, default)


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
    sources: tuple[str, ...]  # the article's section names a text may give as its source
    by_id: Mapping[str, Entry] = field(repr=False, compare=False)
    places: Places = field(default_factory=Places, repr=False, compare=False)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self.by_id.get(entry_id)

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return next((t for t in self.topics if t.id == topic_id), None)

    def entries_in(self, topic_id: str) -> tuple[Entry, ...]:
        """Entries of one topic, in file order."""
        return tuple(e for e in self.entries if e.topic == topic_id)

    def provenance(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every text that names its source (answers and the course's), with the names given."""
        answers = tuple((f"entry '{e.id}'", e.sources) for e in self.entries)
        return answers + (self.course.sourced() if self.course is not None else ())

    def clinic_texts(self) -> tuple[str, ...]:
        """The texts marked as the clinic's own facts (source: clinic), for its doctor's review."""
        return tuple(what for what, sources in self.provenance() if CLINIC_SOURCE in sources)
