"""Logging for the bot: one stream handler, the token masked, no library logs carrying texts."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

MASK = "[secret]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# httpx logs each request URL at INFO, and the URL contains the token; APScheduler logs two
# INFO lines per run of the delivery tick's job (every few seconds).
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler")
# PTB's DEBUG logs print every request's parameters, which include patients' messages.
LIBRARY_LOGGERS = ("telegram", "tornado")


class SecretMaskFilter(logging.Filter):
    """Replaces every secret in a record's message, arguments and traceback with a mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drops it."""
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
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    library_level = max(logging.INFO, logging.getLevelNamesMapping()[level])
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(library_level)
    return handler
