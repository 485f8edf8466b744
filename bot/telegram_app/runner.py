"""`softlift-bot run`: read the settings, build the application, poll or serve the webhook."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO
from urllib.parse import urlsplit

from telegram.error import InvalidToken

from bot.answers.languages import Languages
from bot.config import ConfigError, Settings, masked
from bot.storage.database import (
    AnotherPoller,
    Database,
    DatabaseTooNew,
    DatabaseUnavailable,
    parse_database_url,
)
from bot.telegram_app.app import ALLOWED_UPDATES, build_application
from bot.telegram_app.logging_setup import configure_logging
from bot.telegram_app.webhook import CannotListen, WebhookRefused, serve

EXIT_CONFIG = 2
# Long-poll duration; Telegram answers at once when an update arrives.
POLL_TIMEOUT_SECONDS = 10
# Negative: retry start-up calls (getMe, deleteWebhook / setWebhook) for as long as it takes.
RETRY_FOREVER = -1

log = logging.getLogger(__name__)


def run(
    languages: Languages,
    faq_option: str | None = None,
    env: Mapping[str, str] | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the bot until SIGINT / SIGTERM; 2 with one line on stderr for bad settings."""
    err = err or sys.stderr
    try:
        settings = Settings.from_env(os.environ if env is None else env, faq_option)
    except ConfigError as exc:
        err.write(f"softlift-bot: {exc}\n")
        return EXIT_CONFIG
    if settings.staff_language is not None and settings.staff_language not in languages:
        loaded = ", ".join(languages.codes)
        err.write(
            f"softlift-bot: SOFTLIFT_STAFF_LANGUAGE is {settings.staff_language!r}, but no FAQ "
            f"file is in that language (loaded: {loaded})\n"
        )
        return EXIT_CONFIG
    applied = asyncio.run(check_database(settings.database_url))
    if isinstance(applied, str):
        return _refuse(err, applied, settings.token)
    passwords = parse_database_url(settings.database_url).secrets
    configure_logging(
        settings.log_level, [settings.token, settings.webhook_secret or "", *passwords]
    )
    if applied:
        log.info("database migrated: %s", ", ".join(applied))
    app = build_application(settings, languages)
    try:
        if settings.webhook_url and settings.webhook_secret:
            asyncio.run(
                serve(
                    app,
                    listen=settings.webhook_listen,
                    port=settings.webhook_port,
                    url_path=urlsplit(settings.webhook_url).path,
                    webhook_url=settings.webhook_url,
                    secret=settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
        else:
            app.run_polling(
                timeout=POLL_TIMEOUT_SECONDS,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=RETRY_FOREVER,
            )
    except InvalidToken:
        return _refuse(err, "Telegram refused the token; check TELEGRAM_BOT_TOKEN", settings.token)
    except (AnotherPoller, CannotListen, WebhookRefused) as exc:
        return _refuse(err, str(exc), settings.token)
    return 0


def _refuse(err: TextIO, line: str, token: str) -> int:
    """Stop start-up with one line on stderr, the token hidden in it; the exit code."""
    # A refusal may quote a setting that holds the token: the webhook URL's path, as
    # python-telegram-bot's examples set it.
    err.write(f"softlift-bot: {masked(line, token)}\n")
    return EXIT_CONFIG


async def check_database(url: str) -> list[str] | str:
    """Open, migrate and close the database: the migrations applied, or one readable line."""
    db = Database(url, connect_backoff=())  # at start-up a database that is away stops it now
    try:
        applied = await db.open()
        await db.check_writable()  # the bot writes for every message it answers
        return applied
    except (DatabaseTooNew, DatabaseUnavailable) as exc:  # a damaged file, no permission too
        return str(exc)
    finally:
        await db.close()
