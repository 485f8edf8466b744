"""The application factory: every handler registered in one ordered block."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from functools import partial
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import APP_LANGUAGES, Languages
from bot.buttons import AFTERCARE_PREFIX, LANGUAGE_PREFIX
from bot.config import Settings
from bot.insights.digest import WeeklyDigest
from bot.storage.database import Database, DatabaseUnavailable
from bot.storage.store import Store
from bot.telegram_app import answer_handlers as answers
from bot.telegram_app import course_handlers as courses
from bot.telegram_app.context import (
    App,
    BotData,
    Clock,
    Context,
    Services,
    TickQueue,
    as_languages,
    utc_now,
)
from bot.telegram_app.delivery import (
    Delivery,
    StaffChat,
    telegram_digest_parts,
    telegram_find_staff,
    telegram_send,
    telegram_send_alert,
)
from bot.telegram_app.ratelimit import RateLimiter
from bot.telegram_app.sending import ADDRESSED
from bot.telegram_app.updates import ChatOrderedProcessor

# Updates handled at once; each chat's own updates are still handled one after another.
CONCURRENT_UPDATES = 64
# The only update types the bot handles; Telegram sends nothing else.
# Edits too: a danger sign edited into a message must reach the doctor.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
MENU = ("start", "topics", "help")
AFTERCARE_MENU = ("aftercare", "timezone", "cancel", "stop")
PRIVACY_MENU = ("forget",)
LANGUAGE_MENU = ("language",)  # only when more than one language is loaded

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    faq: Languages | KnowledgeBase,
    *,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
) -> App:
    """The configured Application; `request` replaces the network (tests), `clock` the time.

    `faq` is the loaded languages (one FAQ file each); a single KnowledgeBase serves one language.
    """
    store = Store(Database(settings.database_url), timedelta(days=settings.unanswered_days))
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=UTC,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A group's reply quotes the question; one deleted meanwhile (by the patient,
                # or an admin while the reply waited for the group's pace) must not cost the
                # answer: Telegram refuses the quote unless it may send without it.
                allow_sending_without_reply=True,
            )
        )
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .rate_limiter(RateLimiter(shared=store.shared.take_send_token))
        .concurrent_updates(ChatOrderedProcessor(CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .job_queue(TickQueue())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: App = builder.build()
    now = clock or utc_now
    # The staff group is no patient's chat: a colleague replying to an alert there ("calling
    # her now, fever and pus") would get the urgent reply, alert the staff about themselves
    # and count among the patients' questions. Commands still work there.
    # A group upgraded to a supergroup gets a new id: the migration message adds it
    # (`answers.staff_group_moved`), and so does a start-up's look at the old id
    # (`telegram_find_staff`) or an alert the old id refused, when that message never reached
    # this process (sent while it was down, or to another instance).
    staff_group = settings.staff_chat_id
    staff_chats = filters.Chat(staff_group if staff_group is not None and staff_group < 0 else ())
    # One for alerts and the digest: a staff group's move is learnt, and logged, once.
    staff = StaffChat(on_move=staff_chats.add_chat_ids)
    digest = None
    if settings.weekly_digest and settings.staff_chat_id is not None:
        digest = WeeklyDigest(
            lambda moment: app.bot_data.services.compose_digest(moment),
            telegram_digest_parts(app.bot, settings.staff_chat_id, staff),
            lambda: app.bot_data.services.clinic_zone,
        )
    delivery = Delivery(
        store,
        telegram_send(app.bot),
        now,
        lambda: app.bot_data.services.day_messages(),
        # No staff chat set, no sender: alerts queued for the one set before wait unsent.
        None
        if settings.staff_chat_id is None
        else telegram_send_alert(app.bot, settings.staff_chat_id, staff),
        digest,
        None
        if settings.staff_chat_id is None
        else telegram_find_staff(app.bot, settings.staff_chat_id, staff),
    )
    app.bot_data.services = Services.create(settings, as_languages(faq), store, delivery, now)

    # CommandHandler itself ignores /command@other_bot; plain /command in a group is ours too.
    command = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    private_or_addressed = filters.UpdateType.MESSAGE & ADDRESSED
    patients = ~staff_chats
    admins = filters.User(user_id=settings.admin_ids)
    deep_link = filters.Regex(r"^/start(@\w+)?\s+aftercare\b")
    # A command the bot answers in a group even when it names no bot ("/help"), with words after.
    known = "|".join((*MENU, *LANGUAGE_MENU, *courses.COMMANDS))
    answered = filters.Regex(rf"(?i)^/(?:{known})\s")
    # --- Handlers, in order: within a group the first matching handler wins. -----------------
    handler_list: list[Any] = [
        # Aftercare first: the deep link before plain /start, its buttons before the catch-all
        # press handler. Courses are personal, so its commands work in private chats only.
        # Typed answers to an open aftercare question go through `answers.question`, which
        # asks aftercare before the FAQ.
        CommandHandler("start", courses.deep_link, filters=command & private & deep_link),
        CommandHandler("aftercare", courses.aftercare, filters=command & private),
        CommandHandler("timezone", courses.timezone, filters=command & private),
        CommandHandler("cancel", courses.cancel, filters=command & private),
        CommandHandler("stop", courses.stop, filters=command & private),
        CommandHandler("forget", courses.forget, filters=command & private),
        CommandHandler(courses.COMMANDS, courses.private_only, filters=command & ~private),
        CallbackQueryHandler(courses.press, pattern=f"^{AFTERCARE_PREFIX}"),
        MessageHandler(
            filters.StatusUpdate.MIGRATE & staff_chats,
            partial(answers.staff_group_moved, staff_chats),
        ),
        # FAQ.
        CommandHandler("start", answers.start, filters=command),
        CommandHandler("help", answers.help_command, filters=command),
        CommandHandler("topics", answers.topics, filters=command),
        CommandHandler("language", answers.language, filters=command),
        CallbackQueryHandler(answers.choose_language, pattern=f"^{LANGUAGE_PREFIX}"),
        # Staff reports quote patients, so only in a private chat; in a group an admin is
        # pointed there and anyone else gets what any unknown command gets.
        CommandHandler("stats", answers.stats, filters=command & admins & private),
        CommandHandler("unanswered", answers.unanswered, filters=command & admins & private),
        CommandHandler(
            answers.STAFF_REPORTS, answers.staff_private_only, filters=command & admins & ~private
        ),
        CommandHandler("reload", answers.reload, filters=command & admins),
        # Any other command, including admin commands from non-admins; in groups only when
        # addressed as /command@this_bot, since a plain one may be meant for another bot.
        MessageHandler(filters.COMMAND & private_or_addressed, answers.unknown_command),
        MessageHandler(filters.TEXT & private_or_addressed & patients, answers.question),
        MessageHandler(
            ~filters.TEXT & ~filters.StatusUpdate.ALL & private_or_addressed & patients,
            answers.non_text,
        ),
        # As a new message is read: "/help I have a fever" edited into a group's "/help" too.
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & (ADDRESSED | answered) & patients, answers.edited
        ),
        CallbackQueryHandler(answers.press),
    ]
    # Before all of them (a group of its own runs first): "/help my vision is blurred" is a
    # danger sign behind a command; it gets the urgent reply and the alert instead of /help.
    # Any other command goes on to the handlers above. In a group, a plain command is read
    # when it is one the bot answers there (else it may be another bot's).
    after_command = filters.Regex(r"^/\S*\s+\S")
    danger_first = MessageHandler(
        filters.COMMAND & command & (private_or_addressed | answered) & patients & after_command,
        answers.command_danger,
    )
    app.add_handlers({-1: [danger_first], 0: handler_list})
    # ------------------------------------------------------------------------------------------
    app.add_error_handler(answers.on_error)
    # The database holds the schedule; the jobs only wake the tick: once as soon as the job
    # queue starts (however long start-up took: a late run is never dropped), then repeatedly.
    if app.job_queue is not None:
        late_ok = {"misfire_grace_time": None, "coalesce": True}
        app.job_queue.run_once(_tick, when=0, name="aftercare-first-tick", job_kwargs=late_ok)
        app.job_queue.run_repeating(
            _tick, interval=settings.tick_seconds, name="aftercare-tick", job_kwargs=late_ok
        )
    return app


async def _tick(context: Context) -> None:
    """The jobs: follow another instance's /reload, then start a delivery tick (background)."""
    services = context.services
    try:
        await services.follow_reloads()
    except DatabaseUnavailable as exc:
        log.warning("%s", exc)
    services.delivery.kick()


async def _post_init(app: App) -> None:
    """Register the menu: the default one, then one per language (a refusal is only logged)."""
    services = app.bot_data.services
    await services.store.open()
    services.faq_version = await services.store.shared.faq_version()
    # One poller alone, or webhook instances together: a bot of the other kind stops here.
    await services.store.db.hold_instance_lock(polling=services.settings.webhook_url is None)
    # Before any update: a colleague in a staff group upgraded meanwhile is no patient.
    await services.delivery.find_staff_chat()
    languages = services.languages
    names = (
        *MENU,
        *(AFTERCARE_MENU if services.course_service() else ()),
        *PRIVACY_MENU,
        *(LANGUAGE_MENU if len(languages.codes) > 1 else ()),
    )

    def commands(language: str | None) -> list[BotCommand]:
        locale = services.assistant(language).locale
        return [BotCommand(name, locale.t(f"command_{name}")) for name in names]

    # Each loaded language's menu, and an app answered in another language (Ukrainian in
    # Russian) sees that one's: its replies and its menu speak alike.
    menus = {code: code for code in languages.codes}
    default = languages.primary.kb.language
    for code in APP_LANGUAGES:
        if code not in menus and (answered := languages.for_app_language(code)) != default:
            menus[code] = answered
    try:
        await app.bot.set_my_commands(commands(None))
        for code, language in menus.items():
            await app.bot.set_my_commands(commands(language), language_code=code)
    except TelegramError as exc:
        log.warning("could not register the command menu (%s); continuing", exc)
    log.info("bot @%s is up", app.bot.username)


async def _post_stop(app: App) -> None:
    """Let the deliveries in flight finish their batch and give back their claims."""
    await app.bot_data.services.delivery.stop()


async def _post_shutdown(app: App) -> None:
    """Close the database."""
    await app.bot_data.services.close()
