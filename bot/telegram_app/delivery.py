"""Aftercare delivery over Telegram: the sender for the tick, and the tick kept to one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.aftercare.day_messages import DayMessages
from bot.aftercare.tick import RecipientGone, RetryLater, Send, TickReport, tick
from bot.messages import Reply
from bot.storage.store import Store
from bot.telegram_app.render import parts

# Old courses are deleted on the tick, but a sweep of the whole table at most this often.
PURGE_EVERY = timedelta(hours=1)
# On shutdown a tick finishes its batch in flight; past this it is cancelled (its claims are
# released at the next start).
STOP_GRACE_SECONDS = 15.0
# Bad requests that mean the chat is gone for good rather than a malformed message.
GONE_MARKERS = ("chat not found", "user is deactivated", "peer_id_invalid")

log = logging.getLogger(__name__)


def telegram_send(bot: Bot) -> Send:
    """The tick's sender: the reply rendered and sent through the bot and its rate limiter.

    The rate limiter has already retried what can be retried (`ratelimit.py`); this only says
    what a failure that got through means for the schedule. RetryLater leaves the message due,
    so a later tick sends it: the request is not repeated here.
    """

    async def send(chat_id: int, reply: Reply) -> int:
        message_id = 0
        try:
            for part in parts(reply):
                sent = await bot.send_message(chat_id, part.html, reply_markup=part.keyboard)
                message_id = sent.message_id
        except Forbidden as exc:
            raise RecipientGone from exc
        except RetryAfter as exc:  # still flooded after the limiter's waits: honour the wait
            delay = exc.retry_after
            seconds = delay if isinstance(delay, int) else delay.total_seconds()
            raise RetryLater(seconds) from exc
        except BadRequest as exc:
            if any(marker in str(exc).lower() for marker in GONE_MARKERS):
                raise RecipientGone from exc
            raise
        except NetworkError as exc:  # 5xx, time-outs, network errors: still failing after retries
            raise RetryLater from exc
        return message_id

    return send


class Delivery:
    """Runs the delivery tick on the timer and at once after an enrolment, one tick at a time."""

    def __init__(
        self,
        store: Store,
        send: Send,
        clock: Callable[[], datetime],
        day_messages: Callable[[], DayMessages | None],
    ) -> None:
        self._store = store
        self._send = send
        self._clock = clock
        self._day_messages = day_messages
        self._lock = asyncio.Lock()
        self._waiting = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._last_purge: datetime | None = None

    async def release_claims(self) -> int:
        """At start-up: put back every message a killed process had claimed but not recorded."""
        released = await self._store.run(self._store.courses.release_claims)
        if released:
            log.warning("start-up: %d aftercare messages were in flight; they go again", released)
        return released

    def kick(self) -> None:
        """Start a tick now, or after the running one; a tick already waiting covers this call."""
        if self._waiting or self._stopping.is_set():
            return
        self._waiting = True
        task = asyncio.get_running_loop().create_task(self._run(), name="aftercare-tick")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until no tick is running or waiting."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Let the tick in flight finish its batch, then refuse new ticks."""
        self._stopping.set()
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_SECONDS)
        for task in late:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*late, return_exceptions=True)

    async def _run(self) -> None:
        try:
            await self._lock.acquire()
        finally:
            self._waiting = False  # acquired, or cancelled while waiting: a new kick may queue
        try:
            await self._tick()
        except Exception:
            # The next tick tries again; the database still holds every message due.
            log.exception("the aftercare tick failed")
        finally:
            self._lock.release()

    async def _tick(self) -> None:
        day_messages = self._day_messages()
        if day_messages is None or self._stopping.is_set():
            return
        now = self._clock()
        purge = self._last_purge is None or now - self._last_purge >= PURGE_EVERY
        report = await tick(
            self._store, now, self._send, day_messages, purge=purge, stopping=self._stopping
        )
        if purge:
            self._last_purge = now
        _log_report(report)


def _log_report(report: TickReport) -> None:
    level = logging.INFO if report.sent or report.skipped or report.ended else logging.DEBUG
    log.log(
        level,
        "aftercare tick: %d sent, %d skipped, %d to retry, %d ended, %d purged",
        report.sent,
        report.skipped,
        report.retried,
        report.ended,
        report.purged,
    )
