"""The transport-free assistant that the terminal chat, the batch CLI and the bot all share."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import KnowledgeBase
from bot.locale import Locale, get_locale
from bot.matching import Decision, Kind, Matcher
from bot.replies import ENTRY, Replies, Reply

# Longer messages are read up to this many characters: enough for any real question.
MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class Outcome:
    """A decision and the reply that renders it."""

    decision: Decision
    reply: Reply


class Assistant:
    """Matches questions and composes replies for one FAQ file."""

    def __init__(self, kb: KnowledgeBase, locale: Locale | None = None) -> None:
        self.kb = kb
        self.locale = locale or get_locale(kb.language)
        self.matcher = Matcher(kb, self.locale)
        self.replies = Replies(kb, self.locale)

    def ask(self, question: str) -> Outcome:
        """Decide and reply to one free-text message."""
        text = question[:MAX_QUESTION_CHARS]
        if not text.strip():
            decision = Decision(Kind.FALLBACK, None, 0.0, ())
            return Outcome(decision, Reply(self.locale.t("empty_message"), kind=Kind.FALLBACK))
        decision = self.matcher.decide(text)
        if decision.kind is Kind.FALLBACK and not self.matcher.analyzer.tokens(text):
            return Outcome(decision, self.replies.small_talk(text))
        return Outcome(decision, self.replies.for_decision(decision))

    def press(self, data: str) -> Reply:
        """The reply to a navigation button; a polite note for stale or forged data."""
        return self.replies.on_button(data) or self.replies.stale()


def suggestions(outcome: Outcome) -> list[str]:
    """The entry ids a reply offers as buttons."""
    entry_ids: list[str] = []
    for row in outcome.reply.buttons:
        for button in row:
            prefix, _, rest = button.data.partition(":")
            if prefix == ENTRY:
                entry_ids.append(rest)
    return entry_ids
