"""The application factory: every handler registered in one ordered block."""

from __future__ import annotations

import logging
from datetime import UTC
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

from bot.config import Settings
from bot.core import Assistant
from bot.knowledge import KnowledgeBase
from bot.storage.database import Database
from bot.storage.stats import Stats
from bot.telegram_app import handlers
from bot.telegram_app.context import App, BotData, Clock, Context, Services, utc_now
from bot.telegram_app.messaging import ADDRESSED
from bot.telegram_app.throttle import Throttle
from bot.telegram_app.updates import ChatOrderedProcessor

# Updates handled at once; each chat's own updates are still handled one after another.
CONCURRENT_UPDATES = 64
# The only update types the bot handles; Telegram sends nothing else.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
MENU = ("start", "topics", "help")

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    kb: KnowledgeBase,
    *,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
) -> App:
    """The configured Application; `request` replaces the network (tests), `clock` the time."""
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
            )
        )
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .rate_limiter(Throttle())
        .concurrent_updates(ChatOrderedProcessor(CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: App = builder.build()
    db = Database(settings.database_path)
    app.bot_data.services = Services(settings, Assistant(kb), db, Stats(db), clock or utc_now)

    # CommandHandler itself ignores /command@other_bot; plain /command in a group is ours too.
    command = filters.UpdateType.MESSAGE
    private_or_addressed = filters.UpdateType.MESSAGE & ADDRESSED
    admins = filters.User(user_id=settings.admin_ids)
    # --- Handlers, in order: within a group the first matching handler wins. -----------------
    handler_list: list[Any] = [
        # Aftercare (issue 4) goes HERE, at the top, because its handlers must precede the
        # general ones below: /aftercare, /timezone, /cancel, /stop, /forget; the deep link
        # `/start aftercare` (CommandHandler("start", ..., filters=command &
        # filters.Regex(r"^/start(@\w+)?\s+aftercare\b"))) before plain /start; its typed
        # dates, times and time zones before the question handler; its CallbackQueryHandler
        # (with a `pattern=` for its prefix) before the catch-all press handler. Its tick:
        # app.job_queue.run_repeating(..., interval=settings.tick_seconds).
        #
        # FAQ. Until aftercare exists, `/start aftercare` is plain /start.
        CommandHandler("start", handlers.start, filters=command),
        CommandHandler("help", handlers.help_command, filters=command),
        CommandHandler("topics", handlers.topics, filters=command),
        CommandHandler("stats", handlers.stats, filters=command & admins),
        CommandHandler("reload", handlers.reload, filters=command & admins),
        # Any other command, including admin commands from non-admins; in groups only when
        # addressed as /command@this_bot, since a plain one may be meant for another bot.
        MessageHandler(filters.COMMAND & private_or_addressed, handlers.unknown_command),
        MessageHandler(filters.TEXT & private_or_addressed, handlers.question),
        MessageHandler(
            ~filters.TEXT & ~filters.StatusUpdate.ALL & private_or_addressed, handlers.non_text
        ),
        CallbackQueryHandler(handlers.press),
    ]
    app.add_handlers(handler_list)
    # ------------------------------------------------------------------------------------------
    app.add_error_handler(handlers.on_error)
    return app


async def _post_init(app: App) -> None:
    """Register the command menu; a refusal is logged and the bot keeps running."""
    locale = app.bot_data.services.assistant.locale
    commands = [BotCommand(name, locale.t(f"command_{name}")) for name in MENU]
    try:
        await app.bot.set_my_commands(commands)
    except TelegramError as exc:
        log.warning("could not register the command menu (%s); continuing", exc)
    log.info("bot @%s is up", app.bot.username)


async def _post_shutdown(app: App) -> None:
    """Close the database."""
    app.bot_data.services.close()
