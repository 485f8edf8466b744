"""The webhook server: the secret and the size are checked before any of the body is read."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import signal
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApplication
from tornado.web import HTTPError, RequestHandler, stream_request_body

from bot.telegram_app.context import App

# Telegram's updates are a few kilobytes; anything near this is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# Start-up calls (getMe, setWebhook) are retried with a growing pause, up to this one.
MAX_BACKOFF_SECONDS = 30.0

log = logging.getLogger(__name__)


class CannotListen(Exception):
    """The webhook address cannot be bound (port in use, unknown address)."""


class WebhookRefused(Exception):
    """Telegram refused the webhook URL (a host it cannot resolve or reach, a port it refuses)."""


@stream_request_body
class UpdateHandler(RequestHandler):
    """Receives one update: refused at the headers unless the secret matches and it is small."""

    def initialize(self, app: App, secret: str) -> None:
        """Per request: the application to queue the update on, and the expected secret."""
        self.app = app
        self.secret = secret
        self.body = bytearray()

    def prepare(self) -> None:
        """Check the headers before tornado reads any of the body."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise HTTPError(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type", "").split(";")[0] != "application/json":
            raise HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            length = int(self.request.headers.get("Content-Length", "0"))
        except ValueError:
            raise HTTPError(HTTPStatus.BAD_REQUEST) from None
        if length > MAX_BODY_BYTES:
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        """Collect the body, refusing it once it grows past the limit (chunked uploads)."""
        self.body += chunk
        if len(self.body) > MAX_BODY_BYTES:
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    async def post(self) -> None:
        """Queue the update; a body that is not an update is refused without logging it."""
        try:
            update = Update.de_json(json.loads(self.body), self.app.bot)
        except Exception as exc:
            log.warning("refused a webhook body that is not an update (%s)", type(exc).__name__)
            raise HTTPError(HTTPStatus.BAD_REQUEST) from None
        await self.app.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *args: Any) -> None:
        """Refusals are expected traffic: no tracebacks, no request details in the log."""


def make_server(app: App, url_path: str, secret: str) -> HTTPServer:
    """The HTTP server for the webhook path; bodies over the limit are refused unread."""
    # Tornado reads a route as a regular expression: the path is matched as written.
    route = f"/{re.escape(url_path.strip('/'))}/?"
    routes = [(route, UpdateHandler, {"app": app, "secret": secret})]
    web = TornadoApplication(routes, log_function=lambda handler: None)
    return HTTPServer(web, max_body_size=MAX_BODY_BYTES, max_buffer_size=MAX_BODY_BYTES)


async def retry_network(call: Callable[[], Awaitable[Any]], what: str, stop: asyncio.Event) -> bool:
    """Run a start-up call until Telegram answers (True) or `stop` is set (False).

    A refused token is not retried.
    """
    pause = 1.0
    while not stop.is_set():
        try:
            await call()
            return True
        except (InvalidToken, BadRequest):  # the request itself is wrong: repeating cannot help
            raise
        except NetworkError as exc:
            log.warning("%s failed (%s); retrying in %.0f s", what, type(exc).__name__, pause)
            # SIGTERM ends the wait: Telegram may stay away for longer than anyone waits.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            pause = min(pause * 2, MAX_BACKOFF_SECONDS)
    return False


async def serve(
    app: App,
    *,
    listen: str,
    port: int,
    url_path: str,
    webhook_url: str,
    secret: str,
    allowed_updates: list[str],
) -> None:
    """Run the bot behind the webhook until SIGINT or SIGTERM, as PTB's run_webhook would."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = make_server(app, url_path, secret)
    # Bind first: a port in use stops start-up before Telegram is told about this address.
    try:
        server.listen(port, address=listen)
    except (OSError, UnicodeError) as exc:
        # UnicodeError: a name the resolver cannot even encode ("bot..example", a 64+ label).
        reason = "not a valid host name" if isinstance(exc, UnicodeError) else exc.strerror
        raise CannotListen(
            f"cannot listen for the webhook on {listen}:{port}: {reason or exc}"
        ) from None
    try:
        if not await retry_network(app.initialize, "connecting to Telegram", stop):
            return
        if app.post_init:
            await app.post_init(app)
        try:
            hooked = await retry_network(
                lambda: app.bot.set_webhook(
                    webhook_url, secret_token=secret, allowed_updates=allowed_updates
                ),
                "setWebhook",
                stop,
            )
        except BadRequest as exc:
            refused = f"Telegram refused SOFTLIFT_WEBHOOK_URL {webhook_url}: {exc.message}"
            raise WebhookRefused(refused) from None
        if not hooked:
            return
        await app.start()
        await stop.wait()
    finally:
        server.stop()
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        with contextlib.suppress(RuntimeError):
            await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
