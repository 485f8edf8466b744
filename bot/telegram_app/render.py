"""Turn transport-free replies into Telegram HTML messages and inline keyboards."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.answers.knowledge import KnowledgeBase
from bot.locale import Locale
from bot.messages import Reply, split_message
from bot.storage.courses import CheckinCount
from bot.storage.stats import Report

TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
CALLBACK_DATA_LIMIT = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    """One Telegram message of a reply: HTML text and an optional inline keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard; data over Telegram's 64 bytes is dropped."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in reply.buttons:
        buttons: list[InlineKeyboardButton] = []
        for button in row:
            if button.url:
                buttons.append(InlineKeyboardButton(button.label, url=button.url))
            elif len(button.data.encode()) <= CALLBACK_DATA_LIMIT:
                buttons.append(InlineKeyboardButton(button.label, callback_data=button.data))
            else:
                log.warning("dropped a button whose callback data exceeds 64 bytes")
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


def parts(reply: Reply, limit: int = TEXT_LIMIT) -> list[Part]:
    """The reply as messages of at most `limit` visible characters; buttons on the last one."""
    head = f"<b>{escape(reply.title)}</b>\n\n" if reply.title else ""
    chunks = split_message(reply.text, limit - (len(reply.title) + 2 if reply.title else 0))
    texts = [escape(chunk, quote=False) for chunk in chunks]
    texts[0] = (head + texts[0]).strip()
    markup = keyboard(reply)
    return [Part(text, markup if i == len(texts) - 1 else None) for i, text in enumerate(texts)]


def plain(text: str) -> list[Part]:
    """Plain text (escaped) as messages within Telegram's limit."""
    return parts(Reply(text))


def html_template(locale: Locale, key: str, **html_values: str) -> str:
    """A locale string escaped as HTML, with values that are already HTML filled in."""
    return escape(locale.messages[key], quote=False).format(**html_values)


def stats_reply(
    report: Report, kb: KnowledgeBase, locale: Locale, checkins: Sequence[CheckinCount] = ()
) -> Reply:
    """The /stats report as a reply; check-in counts per day and answer when there is a course."""

    def title(entry_id: str) -> str:
        entry = kb.entry(entry_id)
        return entry.title if entry else entry_id

    def period(days: int, counts: dict[str, int]) -> str:
        return locale.t("stats_period", days=days, total=sum(counts.values()), **counts)

    def section(header: str, lines: list[str]) -> str:
        return "\n".join([locale.t(header), *(lines or [locale.t("stats_none")])])

    count_line = "stats_count_line"
    sections = [
        period(7, report.last_7_days),
        period(30, report.last_30_days),
        section(
            "stats_top_entries",
            [locale.t(count_line, label=title(e), count=n) for e, n in report.top_entries],
        ),
        section(
            "stats_feedback",
            [
                locale.t(
                    "stats_feedback_line",
                    label=title(f.entry_id),
                    helpful=f.helpful,
                    not_helpful=f.not_helpful,
                )
                for f in report.feedback
            ],
        ),
        section(
            "stats_unanswered",
            [locale.t(count_line, label=text, count=n) for text, n in report.unanswered],
        ),
    ]
    if kb.course is not None or checkins:
        sections.append(section("stats_checkins", _checkin_lines(checkins, kb, locale)))
    return Reply("\n\n".join(sections), title=locale.t("stats_title"))


def _checkin_lines(
    checkins: Sequence[CheckinCount], kb: KnowledgeBase, locale: Locale
) -> list[str]:
    """One line per course day: each answer's label and how often it was given."""
    labels = {o.id: o.label for o in kb.course.checkin_options} if kb.course else {}
    by_day: dict[int, list[str]] = {}
    for count in checkins:
        label = labels.get(count.answer, count.answer)
        by_day.setdefault(count.day, []).append(
            locale.t("stats_checkin_answer", label=label, count=count.count)
        )
    return [
        locale.t("stats_checkin_line", day=day, answers=", ".join(answers))
        for day, answers in sorted(by_day.items())
    ]
