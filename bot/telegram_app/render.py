"""Turn transport-free replies into Telegram HTML messages and inline keyboards."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.locale import Locale
from bot.messages import Reply, split_message

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
