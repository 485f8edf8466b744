"""Thin aftercare handlers: read the update, call the CourseService, send what it answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.constants import ChatType

from bot.aftercare.service import CourseService, Patient, Response
from bot.messages import Reply
from bot.telegram_app.context import Context, assistant_of, language_of
from bot.telegram_app.sending import (
    answer_press,
    course_alert_html,
    emergency_alert_html,
    group_alert_html,
    send_for_press,
    send_text,
    send_to,
    urgent_alert_html,
)

# Commands that only make sense in a private chat (a group must not see anyone's course).
COMMANDS = ("aftercare", "timezone", "cancel", "stop", "forget")
# Requests about the patient's own data: still done after an urgent reply to words typed
# with them ("/forget I had a fever"), since a deletion or a stop asked for must not be lost.
REQUESTS = ("stop", "forget")

# Commands whose words are read as the open question's answer ("/aftercare yesterday").
ANSWERED_WITH = ("aftercare", "timezone")

UseCase = Callable[[CourseService, Patient, datetime], Awaitable[Response]]


async def aftercare(update: Update, context: Context) -> None:
    """/aftercare [date]: the status, or the first question (answered by a date given with it)."""
    typed, sent = _typed(context), _message_id(update)
    language = await _opening_language(update, context, typed)
    await _run(
        update,
        context,
        lambda service, patient, now: service.open(patient, now, typed, sent),
        language,
    )


async def _opening_language(update: Update, context: Context, typed: str | None) -> str | None:
    """The language a date typed with /aftercare is read in when only the language it is
    written in reads it ("/aftercare вчера" from an English app), stored as the patient's;
    None: the patient's own, as for the answer typed to the date question."""
    user, services = update.effective_user, context.services
    if typed is None or user is None:
        return None
    current = await language_of(context, user)
    written = services.languages.detect(typed, current).language
    patient, now = Patient(user.id, user.id), services.now()

    async def reads(service: CourseService) -> bool:
        return await service.reads_opening(patient, typed, now)

    if not await _only_written_reads(context, current, written, reads):
        return None
    await services.set_language(user.id, written)
    return written


async def _only_written_reads(
    context: Context, current: str, written: str, reads: Callable[[CourseService], Awaitable[bool]]
) -> bool:
    """Whether the course of the language the text is written in reads it, and the patient's
    own language's course (another one) does not."""
    mine = context.services.course_service(current)
    theirs = context.services.course_service(written)
    if mine is None or theirs is None or mine is theirs:
        return False
    return not await reads(mine) and await reads(theirs)


async def deep_link(update: Update, context: Context) -> None:
    """/start aftercare (a clinic's QR code): as /aftercare; without a course, also the welcome."""
    await _run(update, context, CourseService.open)
    services = context.services
    if services.course_service() is None and update.effective_message is not None:
        welcome = (await assistant_of(context, update.effective_user)).replies.welcome()
        await send_to(update.effective_message.chat, welcome)


async def timezone(update: Update, context: Context) -> None:
    """/timezone [zone]: choose the time zone during enrolment or for the running course."""
    typed, sent = _typed(context), _message_id(update)
    await _run(
        update, context, lambda service, patient, now: service.timezone(patient, now, typed, sent)
    )


async def cancel(update: Update, context: Context) -> None:
    """/cancel: leave the open aftercare question."""
    await _run(update, context, CourseService.cancel)


async def stop(update: Update, context: Context) -> None:
    """/stop: end the course."""
    await _run(update, context, CourseService.stop)


async def forget(update: Update, context: Context) -> None:
    """/forget: delete the course, messages, check-ins, open questions, feedback and language."""
    message, user, services = update.effective_message, update.effective_user, context.services
    if message is None or user is None:
        return
    locale = (await assistant_of(context, user)).locale
    # Typed with a danger sign ("/forget blurry vision"), its staff alert still goes (when a
    # staff chat is set: without one none was queued, and the reply must not promise it).
    urgent = services.settings.staff_chat_id is not None and await services.store.alerts.marked(
        message.chat.id, message.message_id
    )
    # Up to this message the chat is forgotten: an edit of an older one alerts nobody again.
    forgotten = (message.message_id, services.now())
    await services.store.forget_user(user.id, keep_alerts=urgent, through=forgotten)
    # How long the texts kept without any id stay: the setting, not the default.
    done = locale.t(
        "forget_done_alerting" if urgent else "forget_done", days=services.settings.unanswered_days
    )
    await send_text(message, done)


async def private_only(update: Update, context: Context) -> None:
    """An aftercare command in a group: point to the private chat."""
    message = update.effective_message
    if message is None:
        return
    locale = (await assistant_of(context, update.effective_user)).locale
    # A deletion asked for in a group is no aftercare question: say that nothing was deleted.
    forget = command_name(message.text or "") == "forget"
    await send_text(message, locale.t("forget_private_only" if forget else "ac_private_only"))


def command_name(text: str) -> str:
    """The command a message begins with, without "/" and "@botname": "/Forget@x_bot a" -> "forget"."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return first.lstrip("/").partition("@")[0].lower()


async def press(update: Update, context: Context) -> None:
    """An aftercare button: enrolment answers, check-ins and the course buttons."""
    query, services = update.callback_query, context.services
    if query is None:
        return
    await answer_press(query)
    language = await language_of(context, query.from_user)
    service = services.course_service(language)
    # In a group only forged data: a group must neither see nor change anyone's course.
    if service is None or query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await send_for_press(query, _refusal(context, query, language))
        return
    patient = Patient(query.from_user.id, query.from_user.id)
    response = await service.press(patient, query.data or "", services.now())
    await _respond(context, query.message.chat, query.from_user, response)


async def open_question(
    message: Message, context: Context, text: str, language: str
) -> Response | None:
    """The aftercare response to typed text, not yet sent; None when it is not the course's."""
    typed = _typed_to_course(message, context, language)
    if typed is None:
        return None
    service, patient = typed
    return await service.text(patient, text, context.services.now(), message.message_id)


async def open_reminder(message: Message, context: Context, language: str) -> Response | None:
    """The open aftercare question asked again, not yet sent; None when none is open."""
    typed = _typed_to_course(message, context, language)
    if typed is None:
        return None
    service, patient = typed
    return await service.reminder(patient, context.services.now())


async def checkin_in_own_words(
    message: Message, context: Context, text: str, language: str
) -> bool:
    """Whether typed text may be a check-in in the patient's own words, which are never stored."""
    typed = _typed_to_course(message, context, language)
    if typed is None:
        return False
    service, patient = typed
    return await service.may_answer_checkin(patient, text, context.services.now())


def _typed_to_course(
    message: Message, context: Context, language: str
) -> tuple[CourseService, Patient] | None:
    """The course service and the patient for text typed in a private chat; None elsewhere."""
    service, user = context.services.course_service(language), message.from_user
    if service is None or user is None or message.chat.type != ChatType.PRIVATE:
        return None
    return service, Patient(user.id, user.id)


async def reading_language(
    message: Message, context: Context, text: str, current: str, written: str
) -> str:
    """The language to read typed aftercare text in: the patient's, unless the text is a
    check-in answer ("стало хуже" to an English course: a worried patient writes in their own
    language, whatever the course speaks) or the open question's answer ("вчера" to the
    English date question) only in the language it is written in."""
    services = context.services
    mine, theirs = services.course_service(current), services.course_service(written)
    if mine is None or theirs is None or mine is theirs or mine.says_checkin(text):
        return current
    if theirs.says_checkin(text):
        return written
    typed = _typed_to_course(message, context, current)
    if typed is None:
        return current
    patient, now = typed[1], services.now()

    async def reads(service: CourseService) -> bool:
        return await service.reads(patient, text, now)

    return written if await _only_written_reads(context, current, written, reads) else current


async def edited(message: Message, context: Context, text: str, current: str, written: str) -> None:
    """An edited enrolment answer read again (or, the enrolment gone on, how to change it),
    or a message edited into a worrying check-in answer: the advice and the staff alert, once
    a day, as the same words sent anew get them; any other edit gets no second answer."""
    text = _answer_in(text)
    language = await reading_language(message, context, text, current, written)
    typed = _typed_to_course(message, context, language)
    if typed is None:
        return
    service, patient = typed
    response = await service.edited(patient, message.message_id, text, context.services.now())
    if response is not None:
        await respond(message, context, response)


async def respond(message: Message, context: Context, response: Response) -> None:
    """Send an aftercare response to the sender of a message."""
    if message.from_user is not None:
        await _respond(context, message.chat, message.from_user, response)


async def alert_urgent(message: Message, context: Context, text: str, emergency: bool) -> bool:
    """Queue an urgent message's staff alert once per message and level; False if it had one."""
    services, user = context.services, message.from_user
    staff = services.staff_language
    locale, service = services.assistant(staff).locale, services.course_service(staff)
    alert = None
    if service is not None and user is not None:
        alert = await service.red_flag_alert(Patient(user.id, user.id), services.now())
    if alert is None or service is None:
        html = urgent_alert_html(user, locale, text)
    else:
        html = course_alert_html(user, locale, alert, service.course.days, text)
    html = group_alert_html(html, locale, message)
    if emergency:
        html = emergency_alert_html(html, locale, edited=message.edit_date is not None)
    user_id = user.id if user else None
    return await services.queue_urgent_alert(
        message.chat.id, message.message_id, user_id, html, emergency
    )


def _typed(context: Context) -> str | None:
    """What was typed after the command ("/timezone Europe/Paris"), or None."""
    return " ".join(context.args or ()) or None


def _message_id(update: Update) -> int | None:
    """The id of the message an update carries, if any."""
    return update.effective_message.message_id if update.effective_message else None


def _answer_in(text: str) -> str:
    """The answer an edited message carries: the words after a command that takes one
    ("/aftercare 2 days ago"), else the whole text."""
    if not text.startswith("/") or command_name(text) not in ANSWERED_WITH:
        return text
    return (text.split(maxsplit=1)[1:] or [""])[0]


async def _run(
    update: Update, context: Context, use_case: UseCase, language: str | None = None
) -> None:
    """Run one aftercare use case for the sender of a command (in `language`, else theirs)
    and send its response."""
    message, user, services = update.effective_message, update.effective_user, context.services
    if message is None or user is None:
        return
    language = language or await language_of(context, user)
    service = services.course_service(language)
    if service is None:
        await send_to(message.chat, _said(context, language, "ac_unavailable"))
        return
    response = await use_case(service, Patient(user.id, user.id), services.now())
    await _respond(context, message.chat, user, response)


async def _respond(context: Context, chat: Chat, user: User, response: Response) -> None:
    """Alert the staff chat, send the replies, and deliver today's message at once if due."""
    services = context.services
    # Queued before the replies: a reply failing after every retry must not lose the alert.
    staff = services.staff_language
    service = services.course_service(staff)
    if response.alert is not None and service is not None:
        locale = services.assistant(staff).locale
        alert = service.for_staff(response.alert)
        await services.queue_alert(
            user.id, course_alert_html(user, locale, alert, service.course.days)
        )
    for reply in response.replies:
        await send_to(chat, reply)
    if response.deliver_now:
        services.delivery.kick()


def _refusal(context: Context, query: CallbackQuery, language: str) -> Reply:
    """Why an aftercare button does nothing: pressed outside a private chat, or no course."""
    message = query.message
    private = message is None or message.chat.type == ChatType.PRIVATE
    return _said(context, language, "ac_unavailable" if private else "ac_private_only")


def _said(context: Context, language: str, key: str) -> Reply:
    """The locale's message `key` in the patient's language."""
    return Reply(context.services.assistant(language).locale.t(key))
