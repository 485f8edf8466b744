"""Thin handlers: read the update, call the core, render its reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, filters

from bot import buttons
from bot.answers.assistant import Assistant, Outcome
from bot.answers.languages import Languages
from bot.answers.matcher import MAX_QUESTION_CHARS, Kind
from bot.faqdoc import FaqError, Problem
from bot.insights import service as insights
from bot.messages import Reply
from bot.telegram_app import course_handlers
from bot.telegram_app.context import Context, Services, assistant_of, language_of
from bot.telegram_app.sending import (
    answer_press,
    drop_feedback_row,
    group_alert_html,
    send_for_press,
    send_photo,
    send_reply,
    send_text,
    send_to,
    show_in_place,
    topic_of,
    urgent_alert_html,
    without_mention,
)

# Admin commands whose replies hold patients' texts or figures: private chats only, since
# everyone in a group would read them. /reload shows only the FAQ and works anywhere.
STAFF_REPORTS = ("stats", "unanswered")
# Commands a patient guesses for leaving or erasing their data ("/delete", "/unsubscribe"):
# the reply to "delete my data" typed, which names /stop and /forget, not "unknown command".
PRIVACY_GUESSES = frozenset(
    [
        "delete",
        "deleteme",
        "delete_me",
        "delete_my_data",
        "deletedata",
        "delete_data",
        "delete_account",
        "erase",
        "remove",
        "remove_me",
        "removeme",
        "forgetme",
        "forget_me",
        "forget_my_data",
        "unsubscribe",
        "unsub",
        "optout",
        "opt_out",
        "gdpr",
        "stop_messages",
        "stopall",
        "stop_all",
    ]
)
# The problems a failed /reload shows: one message. It may be sent in the staff chat, whose
# queue (18 messages a minute) urgent alerts share; `faq check` lists them all.
RELOAD_SHOWN_CHARS = 3000

log = logging.getLogger(__name__)


async def start(update: Update, context: Context) -> None:
    """/start: welcome and topics (the deep link /start aftercare has its own handler)."""
    if update.effective_message is None:
        return
    assistant = await assistant_of(context, update.effective_user)
    await send_reply(update.effective_message, assistant.replies.welcome())


async def help_command(update: Update, context: Context) -> None:
    """/help: how to ask, with the topics."""
    if update.effective_message is None:
        return
    assistant = await assistant_of(context, update.effective_user)
    await send_reply(update.effective_message, assistant.replies.help())


async def topics(update: Update, context: Context) -> None:
    """/topics: the topic buttons."""
    if update.effective_message is None:
        return
    assistant = await assistant_of(context, update.effective_user)
    await send_reply(update.effective_message, assistant.replies.topics())


async def language(update: Update, context: Context) -> None:
    """/language [code or name]: switch to it at once, else one button per loaded language."""
    message, user, languages = (
        update.effective_message,
        update.effective_user,
        context.services.languages,
    )
    if message is None:
        return
    typed = " ".join(context.args or ())
    chosen = languages.named(typed) if typed else None
    if chosen is not None and user is not None:
        await context.services.set_language(user.id, chosen)
        await send_reply(message, languages.chosen(chosen))
        return
    current = await language_of(context, user)
    await send_reply(message, languages.menu(current, unknown=bool(typed)))


async def choose_language(update: Update, context: Context) -> None:
    """A /language button: store the choice and confirm it in that language."""
    query, services = update.callback_query, context.services
    if query is None:
        return
    await answer_press(query)
    press = buttons.parse(query.data or "")
    if not isinstance(press, buttons.ChooseLanguage) or press.language not in services.languages:
        assistant = await assistant_of(context, query.from_user)
        await send_for_press(query, assistant.replies.stale())
        return
    await services.set_language(query.from_user.id, press.language)
    await send_for_press(query, services.languages.chosen(press.language))


async def question(update: Update, context: Context) -> None:
    """Any text: an open aftercare question's answer, else ask the engine, reply, record, alert."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _answer(message, context, without_mention(message.text, context.bot.username))


async def _ask(message: Message, context: Context, text: str) -> tuple[Outcome, str]:
    """The engine's outcome for a message, and the language the sender was answered in so far."""
    current = await language_of(context, message.from_user)
    # Off the event loop: one slow message must never hold up every other patient's reply.
    outcome = await asyncio.to_thread(context.services.languages.ask, text, None, current)
    return outcome, current


async def _answer(
    message: Message, context: Context, text: str, asked: tuple[Outcome, str] | None = None
) -> None:
    """Ask the engine in the message's own language, reply, record, alert the staff if urgent.

    `asked`: the engine's outcome and the sender's language, when already asked.
    """
    services, user = context.services, message.from_user
    outcome, current = asked or await _ask(message, context, text)
    # A red flag always gets the urgent answer; an open aftercare question stays open. A
    # check-in the course's language cannot read is read in the message's own ("стало хуже"
    # from a patient whose course speaks English is still the worrying check-in).
    urgent = outcome.decision.kind is Kind.URGENT
    course, read_in = None, current
    if not urgent:
        read_in = await course_handlers.reading_language(
            message, context, text, current, outcome.language
        )
        course = await course_handlers.open_question(message, context, text, read_in)
    if course is not None and not course.asked:
        if user is not None and read_in != current:
            await services.set_language(user.id, read_in)  # answered in their language
        await course_handlers.respond(message, context, course)
        return
    if user is not None and outcome.language != current:
        await services.set_language(user.id, outcome.language)  # they write in another language
    if urgent:
        # Queued (one database write) before the reply is sent: a process killed between the
        # two must not lose the staff alert of a patient who already has the urgent reply.
        # Once per message, but the reply always goes: a redelivered update may lack it.
        await course_handlers.alert_urgent(message, context, text, _emergency(outcome))
    # Red flags read the whole message, and nothing goes before the urgent reply.
    if len(text) > MAX_QUESTION_CHARS and not urgent:
        locale = services.assistant(outcome.language).locale
        await send_text(message, locale.t("too_long", limit=MAX_QUESTION_CHARS))
    await send_reply(message, outcome.reply)
    if course is not None:  # asked instead of answering the open aftercare question: recall it
        await course_handlers.respond(message, context, course)
    kept = outcome.not_covered and not await course_handlers.checkin_in_own_words(
        message, context, text, read_in
    )
    await _record(services, outcome, text if kept else None)


async def command_danger(update: Update, context: Context) -> None:
    """Text after a command read for red flags: a danger sign gets the urgent answer alone,
    except that /stop and /forget are still done after it."""
    message = update.effective_message
    text = _text_of(message, context)
    if message is None or text is None:
        return
    asked = await _ask(message, context, text)
    if asked[0].decision.kind is Kind.URGENT:
        await _answer(message, context, text, asked)
        if course_handlers.command_name(text) not in course_handlers.REQUESTS:
            raise ApplicationHandlerStop  # not /help too: the urgent reply goes alone


async def edited(update: Update, context: Context) -> None:
    """An edit is read again for red flags and worrying check-ins only; the first urgent
    reading alerts and replies."""
    message = update.effective_message
    text = _text_of(message, context)
    if message is None or text is None:
        return
    outcome, current = await _ask(message, context, text)
    if await _forgotten(message, context, outcome):
        return
    if outcome.decision.kind is not Kind.URGENT:
        # "fine" edited to "getting worse": a worrying check-in is as urgent as a red flag;
        # "yesterday" edited to "2 days ago": the enrolment's answer read again.
        await course_handlers.edited(message, context, text, current, outcome.language)
        return
    # Once per message and level: otherwise each further edit of it would alert the staff again.
    if await course_handlers.alert_urgent(message, context, text, _emergency(outcome)):
        await send_reply(message, outcome.reply)


async def _forgotten(message: Message, context: Context, outcome: Outcome) -> bool:
    """Whether an edited message is one of a conversation its patient asked /forget to erase:
    acted on no more (no staff alert, nothing recorded), but a danger sign still gets the
    advice, which keeps nothing, once per message and level as any message does."""
    services, chat, sent = context.services, message.chat.id, message.message_id
    if not await services.store.alerts.forgotten(chat, sent):
        return False
    urgent = outcome.decision.kind is Kind.URGENT
    if urgent and services.first_forgotten_urgent(chat, sent, _emergency(outcome)):
        await send_reply(message, outcome.reply)
    return True


def _emergency(outcome: Outcome) -> bool:
    """Whether a message is an emergency's (the patient is told to call emergency services)."""
    flag = outcome.decision.red_flag
    return outcome.decision.kind is Kind.URGENT and flag is not None and flag.emergency


def _text_of(message: Message | None, context: Context) -> str | None:
    """A message's text, else its caption, without the bot's @mention; None without either."""
    text = message and (message.text or message.caption)
    return without_mention(text, context.bot.username) if text else None


async def press(update: Update, context: Context) -> None:
    """A button: feedback is stored, menus change in place, anything else is a new message."""
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    assistant = await assistant_of(context, update.effective_user)
    if await _take_feedback(query, context.services, assistant, data):
        return
    await answer_press(query)
    reply = assistant.press(data)
    if _turns_a_menu(query, data):
        await show_in_place(query, reply)
    else:
        await send_for_press(query, reply)


def _turns_a_menu(query: CallbackQuery, data: str) -> bool:
    """Whether a press changes its menu in place: a topic's page, or "All topics" on a page
    (one listing entries). "All topics" under an answer, such as the "not covered" reply with
    the clinic's phone and booking link, sends the topics anew: that answer stays readable."""
    press = buttons.parse(data)
    if not isinstance(press, buttons.ShowTopics):
        return isinstance(press, buttons.ShowGroup)
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rows = markup.inline_keyboard if markup is not None else ()
    return any(
        isinstance(buttons.parse(str(b.callback_data or "")), buttons.ShowEntry)
        for r in rows
        for b in r
    )


async def non_text(update: Update, context: Context) -> None:
    """Photos, stickers, voice: a caption is read like a question (red flags too), else a note."""
    message = update.effective_message
    if message is None:
        return
    first = context.services.first_of_album(message.chat_id, message.media_group_id)
    if message.caption and message.caption.strip():
        await _answer(message, context, without_mention(message.caption, context.bot.username))
        return
    if not first:  # an album is a message per photo: its first one got the reply or the note
        return
    assistant = await assistant_of(context, update.effective_user)
    # A photo or a voice note may show something worrying: where to turn, in the same line.
    await send_text(message, assistant.locale.t("non_text", phone=assistant.kb.clinic.phone))
    # A sticker while the aftercare dialogue waits for a date or time, or a course for its
    # check-in: say what it waits for.
    waiting = await course_handlers.open_reminder(message, context, assistant.locale.language)
    if waiting is not None:
        await course_handlers.respond(message, context, waiting)


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know (or one the user may not use)."""
    message = update.effective_message
    if message is None:
        return
    assistant = await assistant_of(context, update.effective_user)
    typed = (message.text or "").split(maxsplit=1)
    command = typed[0].partition("@")[0].lstrip("/").lower() if typed else ""
    key = "privacy_request_reply" if command in PRIVACY_GUESSES else "unknown_command"
    await send_text(message, assistant.locale.t(key))


async def stats(update: Update, context: Context) -> None:
    """/stats (admins): the 30-day chart with its totals; `/stats text` the text report."""
    message, services = update.effective_message, context.services
    if message is None:
        return
    assistant = await assistant_of(context, update.effective_user)
    if context.args and [a.lower() for a in context.args] == ["text"]:
        await _stats_text(message, services, assistant)
        return
    if context.args:  # "/stats 7" must not pass for a 7-day chart
        await send_text(message, assistant.locale.t("stats_usage"))
        return
    chart = await insights.chart(services.store, assistant, services.period())
    await send_photo(message, chart.png, chart.caption)


async def _stats_text(message: Message, services: Services, assistant: Assistant) -> None:
    """The text report: questions, top entries, feedback, unanswered, aftercare check-ins."""
    await send_reply(
        message, await insights.text_report(services.store, assistant, services.period())
    )


async def unanswered(update: Update, context: Context) -> None:
    """/unanswered (admins): the last 30 days' not-covered questions grouped, and the most 👎."""
    message, services = update.effective_message, context.services
    if message is None:
        return
    assistant = await assistant_of(context, update.effective_user)
    if context.args:  # "/unanswered 7" must not pass for a 7-day report
        await send_text(message, assistant.locale.t("unanswered_usage"))
        return
    report = await insights.unanswered_report(
        services.store, services.languages, assistant, services.period()
    )
    await send_text(message, report)


async def staff_private_only(update: Update, context: Context) -> None:
    """A staff report asked for in a group: reveal nothing, point to the private chat."""
    if update.effective_message is None:
        return
    locale = (await assistant_of(context, update.effective_user)).locale
    await send_text(update.effective_message, locale.t("staff_private_only"))


async def staff_group_moved(chats: filters.Chat, update: Update, context: Context) -> None:
    """The staff group became a supergroup: its new id is the staff's chat too, no patient's."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id is not None:
        chats.add_chat_ids(message.migrate_to_chat_id)
        log.warning(
            "the staff group %d is now the supergroup %d; set SOFTLIFT_STAFF_CHAT_ID=%d",
            message.chat_id,
            message.migrate_to_chat_id,
            message.migrate_to_chat_id,
        )


async def reload(update: Update, context: Context) -> None:
    """/reload (admins): re-read every FAQ file; on an error keep the old ones and show it."""
    message, services = update.effective_message, context.services
    if message is None:
        return
    locale = (await assistant_of(context, update.effective_user)).locale
    if context.args:  # "/reload faq/other.yaml" must not pass for having read that file
        await send_text(message, locale.t("reload_usage"))
        return
    try:
        languages = await services.reload()
    except FaqError as exc:
        shown = _first_problems(exc.problems, locale.t)
        await send_text(message, locale.t("reload_failed", errors=shown))
        return
    # Served all the same (the doctor chose these signs), but never silently: faq check's words.
    conflicts = await asyncio.to_thread(languages.red_flag_conflicts)
    await send_text(message, _reloaded(languages, conflicts, locale.t))
    log.info("FAQ reloaded: %s", ", ".join(languages.codes))


def _first_problems(problems: Sequence[Problem], t: Callable[..., str]) -> str:
    """As many of the problems as fit in one message, and how many more there are."""
    shown: list[str] = []
    size = 0
    for problem in map(str, problems):
        if shown and size + len(problem) > RELOAD_SHOWN_CHARS:
            break
        shown.append(problem[:RELOAD_SHOWN_CHARS])
        size += len(shown[-1]) + 1
    if (more := len(problems) - len(shown)) > 0:
        shown.append(t("reload_more", count=more))
    return "\n".join(shown)


def _reloaded(languages: Languages, conflicts: Sequence[Problem], t: Callable[..., str]) -> str:
    """The reply to a /reload that loaded: what is served, and what the doctor should look at."""
    kb = languages.primary.kb
    sources = ", ".join(a.kb.source for a in languages.assistants.values())
    reply = t("reload_ok", entries=len(kb.entries), source=sources)
    if unused := languages.models_not_used():
        reply += "\n\n" + t("reload_model_unused", sources=", ".join(unused))
    if conflicts:
        reply += "\n\n" + t("reload_red_flags", problems=_first_problems(conflicts, t))
    return reply


async def on_error(update: object, context: Context) -> None:
    """Log the update id, chat id and exception (never texts); apologise to the user."""
    update_id = update.update_id if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    log.error(
        "update %s in chat %s failed", update_id, chat.id if chat else None, exc_info=context.error
    )
    if chat is None or not isinstance(update, Update):
        return
    try:
        assistant = await assistant_of(context, update.effective_user)
    except Exception:  # the database may be what failed: apologise in the default language
        assistant = context.services.assistant()
    # A danger sign still gets the urgent reply: "something went wrong" would leave it unheard.
    urgent = await _urgent_reply(update, context)
    if urgent is not None and not isinstance(context.error, TelegramError):
        await _alert_anyway(update, context, chat.id, emergency=urgent[1])
    try:
        reply = urgent[0] if urgent else Reply(assistant.locale.t("error_apology"))
        await send_to(chat, reply, topic_of(update.effective_message))
    except TelegramError as exc:
        log.warning("could not send the apology to chat %s: %s", chat.id, type(exc).__name__)
    if urgent is not None and not _requested(update):
        raise ApplicationHandlerStop  # "/help <danger sign>": the urgent reply goes alone


def _requested(update: Update) -> bool:
    """Whether an update is /stop or /forget, done even after the urgent reply to words with it."""
    text = update.message.text if update.message is not None else None
    return course_handlers.command_name(text or "") in course_handlers.REQUESTS


async def _alert_anyway(update: Update, context: Context, chat_id: int, emergency: bool) -> None:
    """The staff alert of a danger sign whose update failed: queued if the database takes it
    now (once per message, as always), else sent straight to the staff chat, never lost."""
    message = update.message or update.edited_message
    text = _text_of(message, context)
    if message is not None and text is not None:
        try:
            await course_handlers.alert_urgent(message, context, text, emergency)
            return
        except Exception:  # the database still fails: the alert goes past the outbox
            log.warning("urgent alert of chat %s not queued: sent directly", chat_id)
    else:
        text = _pressed_label(update.callback_query)
    services = context.services
    locale = services.assistant(services.staff_language).locale
    html = urgent_alert_html(update.effective_user, locale, text)
    try:
        await services.alert_without_outbox(
            html if message is None else group_alert_html(html, locale, message)
        )
    except Exception as exc:  # a staff chat gone or flooded as well: the patient's reply still goes
        log.warning("urgent alert of chat %s not sent: %s", chat_id, type(exc).__name__)


def _pressed_label(query: CallbackQuery | None) -> str:
    """The text of the button a callback query pressed ("" if it cannot be found)."""
    if query is None or not isinstance(query.message, Message):
        return ""
    markup = query.message.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    return next((b.text for row in rows for b in row if b.callback_data == query.data), "")


async def _urgent_reply(update: Update, context: Context) -> tuple[Reply, bool] | None:
    """The urgent reply to a failed danger sign or "Something worrying"; whether an emergency's."""
    if update.callback_query is not None:
        service = context.services.course_service()
        advice = service.urgent_advice(update.callback_query.data or "") if service else None
        return None if advice is None else (advice, False)
    # Never the bot's own pressed message.
    text = _text_of(update.message or update.edited_message, context)
    if text is None:
        return None
    try:
        outcome = await asyncio.to_thread(context.services.languages.ask, text)
    except Exception:  # the engine itself failed: the apology, as for anything else
        return None
    return (outcome.reply, _emergency(outcome)) if outcome.decision.kind is Kind.URGENT else None


async def _take_feedback(
    query: CallbackQuery, services: Services, assistant: Assistant, data: str
) -> bool:
    """Store a 👍 / 👎 on a known entry, thank and drop the row; False if not feedback."""
    feedback = buttons.parse(data)
    if not isinstance(feedback, buttons.Vote) or assistant.kb.entry(feedback.entry_id) is None:
        return False
    await answer_press(query, assistant.replies.feedback_thanks())
    await services.store.stats.record_feedback(
        query.from_user.id,
        feedback.entry_id,
        feedback.helpful,
        services.now(),
    )
    await drop_feedback_row(query)
    return True


async def _record(services: Services, outcome: Outcome, kept: str | None) -> None:
    """Record the question, and the text to keep of one the FAQ does not cover."""
    decision = outcome.decision
    if decision.kind is Kind.FALLBACK and not outcome.not_covered:
        # Asked nothing ("hi", "thanks!", "all good", "🙂"): no question "not covered" in /stats.
        return
    await services.store.stats.record_question(
        str(decision.kind),
        decision.entry_id if decision.kind is Kind.ANSWER else None,
        services.now(),
        kept,
    )
