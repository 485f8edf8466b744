"""Logging for the bot: one stream handler, the token masked, no library logs carrying texts."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping

from telegram import TelegramObject

MASK = "[secret]"
WITHHELD = "[data withheld]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# httpx logs each request URL at INFO, and the URL contains the token; APScheduler logs two
# INFO lines per run of the delivery tick's job (every few seconds).
# The database drivers log every statement with its parameters at DEBUG (aiosqlite) or INFO
# (SQLAlchemy's echo): patients' texts and alerts would reach the log.
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "aiosqlite", "sqlalchemy", "psycopg")
# PTB's DEBUG logs print every request's parameters, which include patients' messages.
LIBRARY_LOGGERS = ("telegram", "tornado")
# The bot's own loggers (every module's `logging.getLogger(__name__)`): LOG_LEVEL is theirs.
OWN_LOGGER = "bot"


def _payload(value: object) -> bool:
    """True for values that carry what a patient sent: updates, their JSON, lists of them."""
    return isinstance(value, TelegramObject | Mapping | list | tuple | bytes)


class SecretMaskFilter(logging.Filter):
    """Masks secrets in every record; withholds the update payloads libraries log.

    PTB logs a webhook update it cannot parse in full at CRITICAL (message text included),
    and its DEBUG lines print whole updates: such arguments never reach the log.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drops it."""
        if isinstance(record.args, Mapping):
            record.args = {k: WITHHELD if _payload(v) else v for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(WITHHELD if _payload(a) else a for a in record.args)
        if not self.secrets:
            return True
        message = record.getMessage()
        record.msg = self._mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self._mask(record.stack_info)
        return True


def configure_logging(level: str, secrets: Iterable[str] = ()) -> logging.Handler:
    """Log to stderr at `level` with the secrets masked; returns the handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(SecretMaskFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    # DEBUG is the bot's own: any other library's debug lines (matplotlib's font matching for
    # every chart, ...) stay off, as they may print what they are given.
    library_level = max(logging.INFO, logging.getLevelNamesMapping()[level])
    root.setLevel(library_level)
    logging.getLogger(OWN_LOGGER).setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(library_level)
    return handler
