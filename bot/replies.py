"""Compose transport-free replies (text and buttons) for every decision and button press."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import utils

from bot.knowledge import Entry, KnowledgeBase
from bot.locale import Locale
from bot.matching import Decision, Kind

PAGE_SIZE = 8
RELATED_SHOWN = 3
CALLBACK_DATA_LIMIT = 64

# Button data: short, stable prefixes (Telegram allows 64 bytes of callback data).
ENTRY = "e"
TOPICS = "tp"
GROUP = "g"
FEEDBACK = "fb"
NONE_OF_THESE = "none"


@dataclass(frozen=True)
class Button:
    """A button: pressing it sends `data` back, or opens `url`."""

    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True)
class Reply:
    """What the bot says: an optional bold title, plain text and rows of buttons."""

    text: str
    title: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    kind: Kind | None = None
    entry_id: str | None = None

    def plain(self) -> str:
        """The whole reply as plain text."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


@dataclass(frozen=True)
class Feedback:
    """A 👍 or 👎 on an entry."""

    entry_id: str
    helpful: bool


def parse_feedback(data: str) -> Feedback | None:
    """The feedback a button carries, or None when it is not a feedback button."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != FEEDBACK or parts[1] not in {"0", "1"}:
        return None
    return Feedback(parts[2], parts[1] == "1")


def split_message(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` characters, on paragraph boundaries if possible."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(paragraph) > limit:
            cut = paragraph.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            chunks.append(paragraph[:cut].rstrip())
            paragraph = paragraph[cut:].lstrip()
        current = paragraph
    if current or not chunks:
        chunks.append(current)
    return chunks


class Replies:
    """Builds every reply from the FAQ and the locale's strings."""

    def __init__(self, kb: KnowledgeBase, locale: Locale) -> None:
        self.kb = kb
        self.locale = locale

    def _clinic_text(self, template: str) -> str:
        return template.format(**self.kb.clinic.fields())

    def _topics_row(self) -> tuple[Button, ...]:
        return (Button(self.locale.t("more_topics"), TOPICS),)

    def welcome(self) -> Reply:
        """The /start greeting with the disclaimer and the topic buttons."""
        text = self.locale.t("welcome", clinic=self.kb.clinic.name)
        return Reply(
            f"{text}\n\n{self._clinic_text(self.kb.texts.disclaimer)}", buttons=self._groups()
        )

    def help(self) -> Reply:
        """How to use the bot, with the topic buttons."""
        return Reply(self.locale.t("help"), buttons=self._groups())

    def topics(self) -> Reply:
        """The topic groups."""
        return Reply(self.locale.t("topics_header"), buttons=self._groups())

    def _groups(self) -> tuple[tuple[Button, ...], ...]:
        return tuple(
            (Button(t.title, f"{GROUP}:{t.id}:0"),)
            for t in self.kb.topics
            if self.kb.entries_in(t.id)
        )

    def group(self, topic_id: str, page: int) -> Reply | None:
        """One page of a topic's entries, or None for an unknown topic or page."""
        topic = self.kb.topic(topic_id)
        entries = self.kb.entries_in(topic_id)
        pages = max(1, -(-len(entries) // PAGE_SIZE))
        if topic is None or not 0 <= page < pages:
            return None
        shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        rows: list[tuple[Button, ...]] = [(Button(e.title, f"{ENTRY}:{e.id}"),) for e in shown]
        nav: list[Button] = []
        if page > 0:
            nav.append(Button(self.locale.t("prev_page"), f"{GROUP}:{topic_id}:{page - 1}"))
        if page + 1 < pages:
            nav.append(Button(self.locale.t("next_page"), f"{GROUP}:{topic_id}:{page + 1}"))
        rows.append((*nav, *self._topics_row()))
        return Reply(self.locale.t("group_header", title=topic.title), buttons=tuple(rows))

    def entry(self, entry: Entry) -> Reply:
        """An answer with related topics and the helpful / not helpful row."""
        related = [self.kb.by_id[r] for r in entry.related[:RELATED_SHOWN]]
        rows: list[tuple[Button, ...]] = [(Button(r.title, f"{ENTRY}:{r.id}"),) for r in related]
        rows.append(
            (
                Button(self.locale.t("helpful_yes"), f"{FEEDBACK}:1:{entry.id}"),
                Button(self.locale.t("helpful_no"), f"{FEEDBACK}:0:{entry.id}"),
            )
        )
        text = f"{entry.answer}\n\n{self.locale.t('helpful_prompt')}"
        return Reply(text, entry.title, tuple(rows), Kind.ANSWER, entry.id)

    def fallback(self) -> Reply:
        """The honest "not covered" reply with the clinic's contact."""
        rows: list[tuple[Button, ...]] = [self._topics_row()]
        if self.kb.clinic.booking_url.startswith(("https://", "http://")):
            rows.insert(0, (Button(self.locale.t("book_visit"), url=self.kb.clinic.booking_url),))
        return Reply(
            self._clinic_text(self.kb.texts.fallback), buttons=tuple(rows), kind=Kind.FALLBACK
        )

    def small_talk(self, text: str) -> Reply:
        """A friendly reply to a message with no question in it ("hi", "thanks!")."""
        words = set(utils.default_process(text).split())
        if words & self.locale.thanks:
            return Reply(self.locale.t("thanks_reply"), kind=Kind.FALLBACK)
        key = "greeting_reply" if words & self.locale.greetings else "empty_message"
        return Reply(self.locale.t(key), buttons=self._groups(), kind=Kind.FALLBACK)

    def for_decision(self, decision: Decision) -> Reply:
        """The reply to a matcher decision."""
        if decision.kind is Kind.URGENT:
            text = self._clinic_text(self.kb.texts.urgent)
            if decision.red_flag is not None and decision.red_flag.emergency:
                text = f"{self._clinic_text(self.kb.texts.emergency)}\n\n{text}"
            return Reply(text, kind=Kind.URGENT)
        if decision.kind is Kind.ANSWER and decision.entry_id is not None:
            return self.entry(self.kb.by_id[decision.entry_id])
        if decision.kind is Kind.CLARIFY:
            rows = [
                (Button(self.kb.by_id[c.entry_id].title, f"{ENTRY}:{c.entry_id}"),)
                for c in decision.candidates
            ]
            rows.append((Button(self.locale.t("none_of_these"), NONE_OF_THESE),))
            return Reply(self.locale.t("clarify_header"), buttons=tuple(rows), kind=Kind.CLARIFY)
        return self.fallback()

    def feedback_thanks(self) -> str:
        """The short acknowledgement of a 👍 / 👎."""
        return self.locale.t("feedback_thanks")

    def stale(self) -> Reply:
        """The polite answer to an outdated or forged button."""
        return Reply(self.locale.t("stale_button"), buttons=(self._topics_row(),))

    def on_button(self, data: str) -> Reply | None:
        """The reply to a navigation button, or None when the data are not valid."""
        kind, _, rest = data.partition(":")
        if kind == ENTRY:
            entry = self.kb.entry(rest)
            return self.entry(entry) if entry else None
        if data == TOPICS:
            return self.topics()
        if data == NONE_OF_THESE:
            return self.fallback()
        if kind == GROUP:
            topic_id, _, page = rest.partition(":")
            return self.group(topic_id, int(page)) if page.isdigit() else None
        return None
