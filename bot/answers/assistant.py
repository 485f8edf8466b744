"""The transport-free assistant that the terminal chat, the batch CLI and the bot all share."""

from __future__ import annotations

from dataclasses import dataclass

from bot import buttons
from bot.answers.answer_model import load_answer_model
from bot.answers.knowledge import KnowledgeBase
from bot.answers.matcher import (
    MAX_MESSAGE_CHARS,
    MAX_QUESTION_CHARS,
    Decision,
    Kind,
    Matcher,
    Tuning,
)
from bot.answers.replies import Replies
from bot.locale import Locale, get_locale
from bot.messages import Reply

# A request to stop or to delete one's data is a short message of its own.
MAX_REQUEST_CHARS = 100


@dataclass(frozen=True)
class Outcome:
    """A decision, the reply that renders it, its language, and whether it was "not covered"."""

    decision: Decision
    reply: Reply
    language: str  # the language of the FAQ file that answered ("en", "ru")
    not_covered: bool = False

    def suggestions(self) -> list[str]:
        """The entry ids the reply offers as buttons."""
        presses = (buttons.parse(b.data) for row in self.reply.buttons for b in row if b.data)
        return [p.entry_id for p in presses if isinstance(p, buttons.ShowEntry)]


class Assistant:
    """Matches questions and composes replies for one FAQ file."""

    def __init__(
        self, kb: KnowledgeBase, locale: Locale | None = None, tuning: Tuning | None = None
    ) -> None:
        self.kb = kb
        self.locale = locale or get_locale(kb.language)
        self.matcher = Matcher(kb, self.locale, tuning, load_answer_model(kb))
        self.replies = Replies(kb, self.locale)

    def ask(self, question: str) -> Outcome:
        """Decide and reply to one free-text message (red flags first, once)."""
        with self.matcher.analyzer.message():
            return self._ask(question)

    def _ask(self, question: str) -> Outcome:
        text = question[:MAX_MESSAGE_CHARS]
        if not text.strip():
            decision = Decision(Kind.FALLBACK, None, 0.0, ())
            return Outcome(decision, Reply(self.locale.t("empty_message")), self.kb.language)
        text = self.locale.in_words(text)  # "👍" says "ok"
        decision = self.matcher.decide(text)
        if decision.kind is not Kind.URGENT and (reply := self._no_question(text)) is not None:
            return Outcome(Decision(Kind.FALLBACK, None, 0.0, ()), reply, self.kb.language)
        asked = text[:MAX_QUESTION_CHARS]
        if decision.kind is Kind.FALLBACK and (
            self.matcher.only_numbers(asked) or not self.matcher.analyzer.tokens(asked)
        ):
            return Outcome(decision, self.replies.small_talk(text), self.kb.language)
        reply = self.replies.for_decision(decision)
        return Outcome(
            decision,
            reply,
            self.kb.language,
            not_covered=decision.kind is Kind.FALLBACK or decision.other_not_covered,
        )

    def _no_question(self, text: str) -> Reply | None:
        """The reply to a message that asks nothing: "all good", "getting worse", a bare "no"."""
        # How someone is, not a question about "good" or "fever"; "neither good nor bad" is
        # said unwell first, before its "good" reads as all fine.
        if self.matcher.says_unwell(text):
            return Reply(self.locale.t("unwell_reply"))
        if self.matcher.says_all_is_fine(text):
            return self.replies.all_fine(text)
        if self._asks_privacy(text):
            return Reply(self.locale.t("privacy_request_reply"))
        if self.matcher.says_only_no(text) or self.matcher.only_greets(text):
            return self.replies.small_talk(text)
        return None

    def _asks_privacy(self, text: str) -> bool:
        """A message that only asks to stop the messages or delete one's data ("stop")."""
        request = self.locale.privacy_request
        return request is not None and len(text) <= MAX_REQUEST_CHARS and bool(request.match(text))

    def press(self, data: str) -> Reply:
        """The reply to a navigation button; a polite note for stale or forged data."""
        press = buttons.parse(data)
        reply = self.replies.on_press(press) if press is not None else None
        return reply or self.replies.stale()
