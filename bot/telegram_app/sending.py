"""Sending replies: split, rendered as HTML, failures of non-essential calls only logged."""

from __future__ import annotations

import contextlib
import logging
import re
from html import escape

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    MessageEntity,
    User,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated, TelegramError
from telegram.ext import filters

from bot import buttons
from bot.aftercare.records import StaffAlert
from bot.locale import Locale, shown_as_typed
from bot.messages import Reply
from bot.telegram_app.render import Part, html_template, parts

# An alert quotes at most this much of the patient's message, well inside one Telegram message.
ALERT_QUOTE_LIMIT = 3000
# Telegram's refusals to edit a message that is still worth sending as a new one.
NOT_EDITABLE = ("message to edit not found", "message can't be edited")

log = logging.getLogger(__name__)


async def send_reply(message: Message, reply: Reply) -> None:
    """Send a reply to the chat of `message`, split if long, buttons on the last part."""
    for part in parts(reply):
        try:
            await message.reply_html(part.html, reply_markup=part.keyboard)
        except ChatMigrated as exc:
            await _to_moved_group(message.get_bot(), exc, part)


async def send_photo(message: Message, png: bytes, caption: str) -> None:
    """Send a PNG with a plain-text caption (escaped) to the chat of `message`."""
    await message.reply_photo(png, caption=escape(caption, quote=False))


async def send_to(chat: Chat, reply: Reply, topic: int | None = None) -> None:
    """Send a reply to a chat without quoting anything (in a forum group, to `topic`)."""
    for part in parts(reply):
        try:
            await chat.send_message(part.html, reply_markup=part.keyboard, message_thread_id=topic)
        except ChatMigrated as exc:
            await _to_moved_group(chat.get_bot(), exc, part)


async def _to_moved_group(bot: Bot, moved: ChatMigrated, part: Part) -> None:
    """A part refused because its group became a supergroup meanwhile: sent to the new id.

    Otherwise a danger sign asked there just then would get no urgent reply at all (and no
    apology either: that too went to the old id). Not as a reply: the message quoted has
    another id in the supergroup.
    """
    await bot.send_message(moved.new_chat_id, part.html, reply_markup=part.keyboard)


async def send_text(message: Message, text: str) -> None:
    """Send plain text (escaped) to the chat of `message`."""
    await send_reply(message, Reply(text))


async def answer_press(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the client's spinner; a press too old to answer, or Telegram failing to take the
    answer after every retry, is not an error: the press itself (an urgent reply, its staff
    alert, a vote) must still be carried out."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("could not answer a button press: %s", exc)


async def show_in_place(query: CallbackQuery, reply: Reply) -> None:
    """Replace the pressed message with the reply (menus), or send it when that is impossible."""
    message = query.message
    pieces = parts(reply)
    # A message the bot can no longer reach (deleted, too old) comes dated 0: never editable.
    if not isinstance(message, Message) or not message.is_accessible or len(pieces) > 1:
        await send_for_press(query, reply)
        return
    try:
        await message.edit_text(pieces[0].html, reply_markup=pieces[0].keyboard)
    except BadRequest as exc:
        problem = str(exc).lower()
        if any(marker in problem for marker in NOT_EDITABLE):
            await send_for_press(query, reply)
        elif "not modified" not in problem:
            raise


async def send_for_press(query: CallbackQuery, reply: Reply) -> None:
    """Send a reply to the chat (and forum topic) where a button was pressed."""
    if query.message is not None:
        await send_to(query.message.chat, reply, topic_of(query.message))


def topic_of(message: MaybeInaccessibleMessage | None) -> int | None:
    """The forum topic a message is in (a reply to it goes there too); None outside forums.

    In a group with topics, a message sent to the chat alone lands in "General", away from the
    patient's conversation.
    """
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


async def drop_feedback_row(query: CallbackQuery) -> None:
    """Remove the 👍 / 👎 row from the pressed message, keeping its other buttons."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = [
        row
        for row in message.reply_markup.inline_keyboard
        if not any(isinstance(buttons.parse(str(b.callback_data or "")), buttons.Vote) for b in row)
    ]
    with contextlib.suppress(BadRequest):
        await message.edit_reply_markup(InlineKeyboardMarkup(rows) if rows else None)


def urgent_alert_html(user: User | None, locale: Locale, text: str) -> str:
    """The staff alert for an urgent message: who sent it and what it said."""
    return html_template(locale, "urgent_alert", **_who(user, locale), message=_quote(text))


def emergency_alert_html(html: str, locale: Locale, edited: bool) -> str:
    """An alert headed by the line that the patient was sent the emergency text (after an edit)."""
    line = locale.t("alert_emergency_edited" if edited else "alert_emergency")
    return f"{escape(line, quote=False)}\n{html}"


def group_alert_html(html: str, locale: Locale, message: Message) -> str:
    """An alert headed by the group its message was written in (with a link to the message
    where Telegram has one); as it is for a private chat's."""
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        return html
    group = escape(shown_as_typed(chat.title or "").strip() or str(chat.id), quote=False)
    link = _message_link(message)
    key = "alert_in_group" if link is None else "alert_in_group_link"
    return f"{html_template(locale, key, group=group, link=escape(link or ''))}\n{html}"


def _message_link(message: Message) -> str | None:
    """A t.me link to a supergroup's message (its topic's view in a forum); None in a basic
    group, whose messages have no link."""
    # Not PTB's `Message.link`: for a reply outside a forum topic it links "?thread=None".
    chat = message.chat
    if chat.type != ChatType.SUPERGROUP:
        return None
    where = chat.username or f"c/{str(chat.id).removeprefix('-100')}"
    topic = message.message_thread_id if message.is_topic_message else None
    return f"https://t.me/{where}/{message.message_id}" + (f"?thread={topic}" if topic else "")


def course_alert_html(
    user: User | None, locale: Locale, alert: StaffAlert, days: int, text: str | None = None
) -> str:
    """The staff alert for a worrying check-in, or an enrolled patient's urgent message."""
    answer = escape(alert.answer, quote=False)
    if alert.day is None:
        return html_template(
            locale, "ac_staff_alert_no_course", **_who(user, locale), answer=answer
        )
    values = {**_who(user, locale), "day": str(alert.day), "days": str(days), "answer": answer}
    if text is None:
        return html_template(locale, "ac_staff_alert", **values)
    return html_template(locale, "urgent_alert_aftercare", **values, message=_quote(text))


def _quote(text: str) -> str:
    """A patient's message as the staff alert quotes it: as typed, escaped, cut to length."""
    # An override ("\u202e") would show the quote backwards and let a patient dress it up.
    return escape(shown_as_typed(text)[:ALERT_QUOTE_LIMIT], quote=False)


def _who(user: User | None, locale: Locale) -> dict[str, str]:
    """The patient's name (a mention link) and @username, as HTML."""
    if user is None:
        name = escape(locale.t("no_username"))
    else:
        # The name is the patient's own text: an override in it would reverse the alert's
        # line. A name of controls alone must not reach mention_html(""), which shows them all.
        shown = shown_as_typed(user.full_name).strip()
        name = user.mention_html(shown or locale.t("no_name"))
    username = f"@{user.username}" if user and user.username else locale.t("no_username")
    return {"name": name, "username": escape(username)}


class _AddressedToBot(filters.MessageFilter):
    """Private messages, and group messages that mention, command or reply to the bot."""

    def filter(self, message: Message) -> bool:
        """Whether the bot should answer this message."""
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user and replied.from_user.id == bot.id:
            return True
        handle = f"@{bot.username}".lower()
        wanted: list[str | None] = [
            MessageEntity.MENTION,
            MessageEntity.TEXT_MENTION,
            MessageEntity.BOT_COMMAND,
        ]
        # A photo's mention is in its caption's entities.
        found = {**message.parse_entities(wanted), **message.parse_caption_entities(wanted)}
        for entity, text in found.items():
            if entity.type == MessageEntity.TEXT_MENTION:
                if entity.user is not None and entity.user.id == bot.id:
                    return True
            elif text.lower() == handle or text.lower().endswith(handle):
                return True
        return False


ADDRESSED = _AddressedToBot(name="addressed_to_bot")


def without_mention(text: str, username: str) -> str:
    """The text with the bot's @username removed (in any case; a username is ASCII)."""
    # Matched in the text itself: lower() may lengthen it ("İ" is two characters lower-cased),
    # and a position found in the lower-cased copy cut the wrong characters, or none for ever.
    handle = re.compile(re.escape(f"@{username}"), re.IGNORECASE | re.ASCII)
    found = 1
    while found:  # removing one may join another ("@so@botname_bot")
        text, found = handle.subn("", text)
    return text.strip()
