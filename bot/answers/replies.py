"""Compose transport-free replies (text and buttons) for every decision and button press."""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import utils

from bot import buttons
from bot.answers.knowledge import Entry, KnowledgeBase
from bot.answers.matcher import Decision, Kind
from bot.locale import Locale
from bot.messages import Button, Reply

PAGE_SIZE = 8
RELATED_SHOWN = 3


class Replies:
    """Builds every reply from the FAQ and the locale's strings."""

    def __init__(self, kb: KnowledgeBase, locale: Locale) -> None:
        self.kb = kb
        self.locale = locale

    def _topics_row(self) -> tuple[Button, ...]:
        return (Button(self.locale.t("more_topics"), buttons.topics()),)

    def welcome(self) -> Reply:
        """The /start greeting with the disclaimer and the topic buttons."""
        text = self.locale.t("welcome", clinic=self.kb.clinic.name)
        return Reply(
            f"{text}\n\n{self.kb.clinic.format(self.kb.texts.disclaimer)}", buttons=self._groups()
        )

    def help(self) -> Reply:
        """How to use the bot, with the topic buttons."""
        return Reply(self.locale.t("help"), buttons=self._groups())

    def topics(self) -> Reply:
        """The topic groups."""
        return Reply(self.locale.t("topics_header"), buttons=self._groups())

    def _groups(self) -> tuple[tuple[Button, ...], ...]:
        return tuple(
            (Button(t.title, buttons.group(t.id, 0)),)
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
        rows: list[tuple[Button, ...]] = [(Button(e.title, buttons.entry(e.id)),) for e in shown]
        nav: list[Button] = []
        if page > 0:
            nav.append(Button(self.locale.t("prev_page"), buttons.group(topic_id, page - 1)))
        if page + 1 < pages:
            nav.append(Button(self.locale.t("next_page"), buttons.group(topic_id, page + 1)))
        rows.append((*nav, *self._topics_row()))
        return Reply(self.locale.t("group_header", title=topic.title), buttons=tuple(rows))

    def entry(self, entry: Entry, also: Entry | None = None) -> Reply:
        """An answer with related topics and the helpful / not helpful row.

        `also`: a second question's answer, under its title, before the helpful prompt.
        """
        related = [self.kb.by_id[r] for r in entry.related[:RELATED_SHOWN]]
        rows: list[tuple[Button, ...]] = [(Button(r.title, buttons.entry(r.id)),) for r in related]
        rows.append(
            (
                Button(self.locale.t("helpful_yes"), buttons.vote(entry.id, True)),
                Button(self.locale.t("helpful_no"), buttons.vote(entry.id, False)),
            )
        )
        answers = entry.answer if also is None else f"{entry.answer}\n\n{also.title}\n{also.answer}"
        text = f"{answers}\n\n{self.locale.t('helpful_prompt')}"
        return Reply(text, entry.title, tuple(rows))

    def fallback(self) -> Reply:
        """The honest "not covered" reply with the clinic's contact."""
        rows: list[tuple[Button, ...]] = [self._topics_row()]
        if link := self.kb.clinic.booking_link:
            rows.insert(0, (Button(self.locale.t("book_visit"), url=link),))
        return Reply(self.kb.clinic.format(self.kb.texts.fallback), buttons=tuple(rows))

    def all_fine(self, text: str) -> Reply:
        """The reply to a message that only says all is fine ("all good", "no fever")."""
        words = set(utils.default_process(text).split())
        if words & (self.locale.thanks - self.locale.reassurance):
            return Reply(self.locale.t("thanks_reply"))
        return Reply(self.locale.t("fine_reply"))

    def small_talk(self, text: str) -> Reply:
        """A friendly reply to a message with no question in it ("hi", "thanks!")."""
        text_words = utils.default_process(text).split()
        if not self.locale.thanks.isdisjoint(text_words):
            return Reply(self.locale.t("thanks_reply"))
        key = "greeting_reply" if self.locale.greets(text_words) else "empty_message"
        return Reply(self.locale.t(key), buttons=self._groups())

    def for_decision(self, decision: Decision) -> Reply:
        """The reply to a matcher decision."""
        if decision.kind is Kind.URGENT:
            text = self.kb.clinic.format(self.kb.texts.urgent)
            if decision.red_flag is not None and decision.red_flag.emergency:
                text = f"{self.kb.clinic.format(self.kb.texts.emergency)}\n\n{text}"
            return Reply(text)
        if decision.kind is Kind.ANSWER and decision.entry_id is not None:
            also = self.kb.by_id[decision.also] if decision.also is not None else None
            entry = self.entry(self.kb.by_id[decision.entry_id], also)
            if not decision.other_not_covered:
                return entry
            other = self.kb.clinic.format(self.locale.t("other_not_covered"))
            return replace(entry, text=f"{other}\n\n{entry.text}")
        if decision.kind is Kind.CLARIFY:
            rows = [
                (Button(self.kb.by_id[c.entry_id].title, buttons.entry(c.entry_id)),)
                for c in decision.candidates
            ]
            rows.append((Button(self.locale.t("none_of_these"), buttons.none_of_these()),))
            return Reply(self.locale.t("clarify_header"), buttons=tuple(rows))
        return self.fallback()

    def feedback_thanks(self) -> str:
        """The short acknowledgement of a 👍 / 👎."""
        return self.locale.t("feedback_thanks")

    def stale(self) -> Reply:
        """The polite answer to an outdated or forged button."""
        return Reply(self.locale.t("stale_button"), buttons=(self._topics_row(),))

    def on_press(self, press: buttons.Press) -> Reply | None:
        """The reply to a navigation button, or None when it names nothing that exists."""
        if isinstance(press, buttons.ShowEntry):
            entry = self.kb.entry(press.entry_id)
            return self.entry(entry) if entry else None
        if isinstance(press, buttons.ShowTopics):
            return self.topics()
        if isinstance(press, buttons.NoneOfThese):
            return self.fallback()
        if isinstance(press, buttons.ShowGroup):
            return self.group(press.topic_id, press.page)
        return None
