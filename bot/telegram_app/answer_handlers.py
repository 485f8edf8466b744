"""Thin handlers: read the update, call the core, render its reply."""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError

from bot import buttons
from bot.aftercare.service import CourseService
from bot.answers.assistant import MAX_QUESTION_CHARS, Assistant, Outcome
from bot.answers.loader import load_faq
from bot.answers.matcher import Kind
from bot.faqdoc import FaqError
from bot.messages import Reply
from bot.telegram_app import course_handlers
from bot.telegram_app.context import Context, Services
from bot.telegram_app.render import stats_reply
from bot.telegram_app.sending import (
    answer_press,
    drop_feedback_row,
    send_for_press,
    send_reply,
    send_text,
    send_to,
    show_in_place,
    without_mention,
)

log = logging.getLogger(__name__)


async def start(update: Update, context: Context) -> None:
    """/start: welcome and topics (the deep link /start aftercare has its own handler)."""
    if update.effective_message is None:
        return
    await send_reply(update.effective_message, context.services.assistant.replies.welcome())


async def help_command(update: Update, context: Context) -> None:
    """/help: how to ask, with the topics."""
    if update.effective_message is None:
        return
    await send_reply(update.effective_message, context.services.assistant.replies.help())


async def topics(update: Update, context: Context) -> None:
    """/topics: the topic buttons."""
    if update.effective_message is None:
        return
    await send_reply(update.effective_message, context.services.assistant.replies.topics())


async def question(update: Update, context: Context) -> None:
    """Any text: an open aftercare question's answer, else ask the engine, reply, record, alert."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _answer(message, context, without_mention(message.text, context.bot.username))


async def _answer(message: Message, context: Context, text: str) -> None:
    """Ask the engine (red flags first), reply, record, and alert the staff when urgent."""
    services = context.services
    # Off the event loop: one slow message must never hold up every other patient's reply.
    outcome = await asyncio.to_thread(services.assistant.ask, text)
    # A red flag always gets the urgent answer; an open aftercare question stays open.
    urgent = outcome.decision.kind is Kind.URGENT
    if not urgent and await course_handlers.open_question(message, context, text):
        return
    if len(text) > MAX_QUESTION_CHARS:
        limit_note = services.assistant.locale.t("too_long", limit=MAX_QUESTION_CHARS)
        await send_text(message, limit_note)
    await send_reply(message, outcome.reply)
    await _record(services, outcome, text)
    if urgent:
        await course_handlers.alert_urgent(message, context, text)


async def press(update: Update, context: Context) -> None:
    """A button: feedback is stored, menus change in place, anything else is a new message."""
    query, services = update.callback_query, context.services
    if query is None:
        return
    data = query.data or ""
    if await _take_feedback(query, services, data):
        return
    await answer_press(query)
    reply = services.assistant.press(data)
    if isinstance(buttons.parse(data), buttons.ShowGroup | buttons.ShowTopics):
        await show_in_place(query, reply)
    else:
        await send_for_press(query, reply)


async def non_text(update: Update, context: Context) -> None:
    """Photos, stickers, voice: a caption is read like a question (red flags too), else a note."""
    message = update.effective_message
    if message is None:
        return
    if message.caption and message.caption.strip():
        await _answer(message, context, without_mention(message.caption, context.bot.username))
        return
    await send_text(message, context.services.assistant.locale.t("non_text"))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know (or one the user may not use)."""
    if update.effective_message is None:
        return
    locale = context.services.assistant.locale
    await send_text(update.effective_message, locale.t("unknown_command"))


async def stats(update: Update, context: Context) -> None:
    """/stats (admins): questions, top entries, feedback, unanswered, aftercare check-ins."""
    message, services = update.effective_message, context.services
    if message is None:
        return
    store = services.store
    report = await store.run(store.stats.report, services.now())
    checkins = await store.run(store.courses.checkin_stats)
    kb, locale = services.assistant.kb, services.assistant.locale
    await send_reply(message, stats_reply(report, kb, locale, checkins))


async def reload(update: Update, context: Context) -> None:
    """/reload (admins): re-read the FAQ; on an error keep the old one and show the error."""
    message, services = update.effective_message, context.services
    if message is None:
        return
    locale = services.assistant.locale
    try:
        assistant = await asyncio.to_thread(_load_assistant, services)
    except FaqError as exc:
        await send_text(message, locale.t("reload_failed", errors=str(exc)))
        return
    services.assistant = assistant
    services.course_service = CourseService.for_faq(services.store, assistant.kb)
    log.info("FAQ reloaded from %s", assistant.kb.source)
    text = locale.t("reload_ok", entries=len(assistant.kb.entries), source=assistant.kb.source)
    await send_text(message, text)


async def on_error(update: object, context: Context) -> None:
    """Log the update id, chat id and exception (never texts); apologise to the user."""
    update_id = update.update_id if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    log.error(
        "update %s in chat %s failed", update_id, chat.id if chat else None, exc_info=context.error
    )
    if chat is None:
        return
    try:
        await send_to(chat, Reply(context.services.assistant.locale.t("error_apology")))
    except TelegramError as exc:
        log.warning("could not send the apology to chat %s: %s", chat.id, type(exc).__name__)


def _load_assistant(services: Services) -> Assistant:
    return Assistant(load_faq(services.settings.faq_path))


async def _take_feedback(query: CallbackQuery, services: Services, data: str) -> bool:
    """Store a 👍 / 👎 on a known entry, thank and drop the row; False if not feedback."""
    feedback = buttons.parse(data)
    if (
        not isinstance(feedback, buttons.Vote)
        or services.assistant.kb.entry(feedback.entry_id) is None
    ):
        return False
    await answer_press(query, services.assistant.replies.feedback_thanks())
    await services.store.run(
        services.store.stats.record_feedback,
        query.from_user.id,
        feedback.entry_id,
        feedback.helpful,
        services.now(),
    )
    await drop_feedback_row(query)
    return True


async def _record(services: Services, outcome: Outcome, text: str) -> None:
    """Record the question; its text only when it got the "not covered" reply (not small talk)."""
    decision = outcome.decision
    await services.store.run(
        services.store.stats.record_question,
        str(decision.kind),
        decision.entry_id if decision.kind is Kind.ANSWER else None,
        services.now(),
        text[:MAX_QUESTION_CHARS] if outcome.not_covered else None,
    )
