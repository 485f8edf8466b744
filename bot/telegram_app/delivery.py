"""Aftercare delivery over Telegram: the sender for the tick, and the tick kept to one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from html import escape

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.aftercare.tick import Messages, RecipientGone, RetryLater, Send, TickReport, tick
from bot.insights.digest import Digest, DigestParts, SendPart, WeeklyDigest
from bot.instances import instance_id
from bot.messages import Reply
from bot.staff_alerts import FLOOD_WAIT_KEPT, AlertReport, SendAlert, flush
from bot.storage.alerts import ALERT_RETENTION
from bot.storage.store import Store
from bot.telegram_app.render import parts, plain

# Old courses are deleted on the tick, but a sweep of the whole table at most this often.
PURGE_EVERY = timedelta(hours=1)
# On shutdown a tick finishes its batch in flight; past this it is cancelled and the process
# gives its claims back.
STOP_GRACE_SECONDS = 15.0
# Bad requests that mean the chat is gone for good rather than a malformed message; the last
# five, a group or channel where the bot may not write (the staff chat), until someone fixes
# it: restricted ("have no rights to send a message"), or a forum whose General topic, where
# a message without a topic goes, is closed.
GONE_MARKERS = (
    "chat not found",
    "user is deactivated",
    "peer_id_invalid",
    "not enough rights",
    "need administrator rights",
    "chat_write_forbidden",
    "have no rights to send",
    "topic_closed",
)
# A chat where the bot may write but not send photos (members' media restricted): the digest
# goes there as text.
PHOTOS_REFUSED = (
    "not enough rights to send photos",
    "chat_send_photos_forbidden",
    "chat_send_media_forbidden",
)

# Learns where the staff chat is now, at start-up.
FindStaff = Callable[[], Awaitable[None]]
# A supergroup's (or channel's) id is -100 then its own: at most this. A basic group's is above
# it, and only a basic group is ever upgraded to a supergroup.
SUPERGROUP_IDS_FROM = -1_000_000_000_000

log = logging.getLogger(__name__)


def telegram_send(bot: Bot) -> Send:
    """The tick's sender: the reply rendered and sent through the bot and its rate limiter.

    The rate limiter has already retried what can be retried (`ratelimit.py`); this only says
    what a failure that got through means for the schedule. RetryLater leaves the message due,
    so a later tick sends it: the request is not repeated here.
    """

    async def send(chat_id: int, reply: Reply) -> int:
        message_id = 0
        with _queued_send_outcome():
            for part in parts(reply):
                sent = await bot.send_message(chat_id, part.html, reply_markup=part.keyboard)
                message_id = sent.message_id
        return message_id

    return send


@contextlib.contextmanager
def _queued_send_outcome() -> Iterator[None]:
    """Telegram's refusals as what they mean for a queued send: the chat is gone, or later."""
    try:
        yield
    except Forbidden as exc:
        raise RecipientGone from exc
    except RetryAfter as exc:  # still flooded after the limiter's waits: honour the wait
        delay = exc.retry_after
        raise RetryLater(delay if isinstance(delay, int) else delay.total_seconds()) from exc
    except BadRequest as exc:
        if any(marker in str(exc).lower() for marker in GONE_MARKERS):
            raise RecipientGone from exc
        raise
    except NetworkError as exc:  # 5xx, time-outs, network errors: still failing after retries
        raise RetryLater from exc


class StaffChat:
    """Sends to the staff chat where it is now: a group upgraded to a supergroup gets a new id.

    Telegram then refuses the old id and names the new one; the send goes there, and so does
    every later one of this process, while the log asks the operator to update the setting.
    A chat that refuses the bot or does not exist is logged once, with the setting to check.
    `on_move` is told the new id: the staff's chat is no patients' chat there either.
    """

    def __init__(self, on_move: Callable[[int], object] | None = None) -> None:
        self._moved: dict[int, int] = {}
        self._unreachable: set[int] = set()
        self._no_photos: set[int] = set()
        self._on_move = on_move

    async def send(self, chat_id: int, call: Callable[[int], Awaitable[object]]) -> None:
        """Run `call` with the chat's current id, following a move once; RecipientGone if gone."""
        try:
            with _queued_send_outcome():
                await self._follow(chat_id, call)
        except RecipientGone as gone:
            if chat_id not in self._unreachable:
                self._unreachable.add(chat_id)
                # Telegram's reason ("chat not found", "bot was kicked") holds no patient text.
                log.error(
                    "the staff chat %d cannot be reached (%s): alerts wait in the database;"
                    " check SOFTLIFT_STAFF_CHAT_ID and that the bot is in that chat and may"
                    " write there, then restart",
                    chat_id,
                    gone.__cause__,
                )
            raise

    def photos_refused(self, chat_id: int) -> None:
        """Log once that the chat takes the bot's text but not its photos."""
        if chat_id not in self._no_photos:
            self._no_photos.add(chat_id)
            log.warning(
                "the staff chat %d refuses the bot's photos: the weekly digest goes as text;"
                " allow the bot to send photos there for its chart",
                chat_id,
            )

    async def locate(self, chat_id: int, ask: Callable[[int], Awaitable[object]]) -> None:
        """Ask Telegram about the chat; a refusal that names a supergroup is a move, as a send's."""
        try:
            await ask(self._moved.get(chat_id, chat_id))
        except ChatMigrated as exc:
            self._moved_to(chat_id, exc.new_chat_id)

    async def _follow(self, chat_id: int, call: Callable[[int], Awaitable[object]]) -> None:
        try:
            await call(self._moved.get(chat_id, chat_id))
        except ChatMigrated as exc:
            self._moved_to(chat_id, exc.new_chat_id)
            await call(exc.new_chat_id)

    def _moved_to(self, chat_id: int, new_id: int) -> None:
        """Send to the supergroup from now on, and ask the operator to set its id."""
        self._moved[chat_id] = new_id
        if self._on_move is not None:
            self._on_move(new_id)
        log.warning(
            "the staff chat %d is now the supergroup %d: alerts and digests go there;"
            " set SOFTLIFT_STAFF_CHAT_ID=%d",
            chat_id,
            new_id,
            new_id,
        )


def telegram_send_alert(bot: Bot, staff_chat_id: int, staff: StaffChat) -> SendAlert:
    """The outbox's sender: an alert, already HTML, to the staff chat set now.

    An alert queued for another chat (an id mistyped or since changed, then fixed and the bot
    restarted) goes where the staff read now, not for ever to a chat that refuses it. Without
    a staff chat set there is no sender: a patient's name and words never go to a chat the
    clinic no longer names.
    """

    async def send(_queued_for: int, html: str) -> None:
        await staff.send(staff_chat_id, lambda target: bot.send_message(target, html))

    return send


def telegram_find_staff(bot: Bot, staff_chat_id: int, staff: StaffChat) -> FindStaff:
    """At start-up: whether the staff group became a supergroup while the bot was down."""

    async def find() -> None:
        if not SUPERGROUP_IDS_FROM < staff_chat_id < 0:
            return
        # getChat on the old id still answers (the group is only deactivated) and names no
        # supergroup; asking for its member count is refused with the supergroup's id.
        try:
            await staff.locate(staff_chat_id, bot.get_chat_member_count)
        except TelegramError as exc:  # an alert's refusal still finds the move, or says why
            log.info("could not check the staff chat at start (%s)", type(exc).__name__)

    return find


def telegram_digest_parts(bot: Bot, chat_id: int, staff: StaffChat) -> DigestParts:
    """The digest's messages to a chat: the chart with its caption, then the unanswered report."""

    def digest_parts(digest: Digest) -> list[SendPart]:
        chart = partial(_send_chart, bot, digest, staff)
        calls = [chart, *(partial(_send_html, bot, part.html) for part in plain(digest.unanswered))]
        return [partial(staff.send, chat_id, call) for call in calls]

    return digest_parts


async def _send_chart(bot: Bot, digest: Digest, staff: StaffChat, chat_id: int) -> None:
    """The chart with its caption; the text report instead where the bot may send no photos."""
    try:
        await bot.send_photo(
            chat_id, digest.chart.png, caption=escape(digest.chart.caption, quote=False)
        )
    except BadRequest as exc:
        if not any(marker in str(exc).lower() for marker in PHOTOS_REFUSED):
            raise
        staff.photos_refused(chat_id)
        for part in parts(digest.report):
            await _send_html(bot, part.html, chat_id)


async def _send_html(bot: Bot, html: str, chat_id: int) -> None:
    await bot.send_message(chat_id, html)


class _SingleFlight:
    """Runs one job at a time; a kick while it runs schedules exactly one more run."""

    def __init__(self, name: str, job: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self._job = job
        self._lock = asyncio.Lock()
        self._waiting = False
        self._stopping = False
        self.tasks: set[asyncio.Task[None]] = set()

    def kick(self) -> None:
        """Run now, or after the running job; a run already waiting covers this call."""
        if self._waiting or self._stopping:
            return
        self._waiting = True
        task = asyncio.get_running_loop().create_task(self._run(), name=self.name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def stop(self) -> None:
        """Refuse new runs."""
        self._stopping = True

    async def _run(self) -> None:
        try:
            await self._lock.acquire()
        finally:
            self._waiting = False  # acquired, or cancelled while waiting: a new kick may queue
        try:
            await self._job()
        except Exception:
            # The next run tries again; the database still holds everything due.
            log.exception("the %s failed", self.name)
        finally:
            self._lock.release()


class Delivery:
    """The delivery loops: staff alerts, aftercare messages and insights, each one at a time.

    Alerts have their own loop so that a long aftercare batch never delays an urgent alert.
    The insights loop purges old unanswered texts, urgent messages' marks and the languages of
    patients gone silent, and sends the weekly digest when it is due.
    Each claims rows in the database under this process's id with a lease; a clean stop gives
    the claims back, a killed process's claims are taken over when their lease runs out.
    """

    def __init__(
        self,
        store: Store,
        send: Send,
        clock: Callable[[], datetime],
        day_messages: Callable[[], Messages | None],
        send_alert: SendAlert | None = None,
        digest: WeeklyDigest | None = None,
        find_staff: FindStaff | None = None,
    ) -> None:
        self._store = store
        self._find_staff = find_staff
        self._digest = digest
        self._send = send
        self._send_alert = send_alert
        self._clock = clock
        self._day_messages = day_messages
        self.owner = instance_id()
        self._stopping = asyncio.Event()
        self._last_purge: datetime | None = None
        self._last_tick: datetime | None = None  # when the previous aftercare tick began
        self._alerts_woken = False
        self._last_text_purge: datetime | None = None
        self._courses = _SingleFlight("aftercare tick", self._course_tick)
        self._alerts = _SingleFlight("staff alert delivery", self._alert_tick)
        self._insights = _SingleFlight("insights tick", self._insights_tick)
        self._flights = (self._alerts, self._courses, self._insights)

    def kick(self) -> None:
        """Deliver what is due now: alerts first, then aftercare messages, then insights."""
        for flight in self._flights:
            flight.kick()

    def kick_alerts(self) -> None:
        """Send the queued staff alerts now."""
        self._alerts.kick()

    async def find_staff_chat(self) -> None:
        """Learn where the staff chat is now (a group upgraded while the bot was down)."""
        if self._find_staff is not None:
            await self._find_staff()

    async def send_alert_now(self, chat_id: int, html: str) -> None:
        """Send a staff alert at once, past the outbox: for when the database cannot take it."""
        if self._send_alert is not None:
            await self._send_alert(chat_id, html)

    def _tasks(self) -> set[asyncio.Task[None]]:
        tasks: set[asyncio.Task[None]] = set()
        for flight in self._flights:
            tasks |= flight.tasks
        return tasks

    async def idle(self) -> None:
        """Wait until no run is running or waiting."""
        while tasks := self._tasks():
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Let the runs in flight finish their batch, then give back this process's claims."""
        self._stopping.set()
        for flight in self._flights:
            flight.stop()
        tasks = self._tasks()
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*late, return_exceptions=True)
        store = self._store
        released = await store.courses.claims.release_owned(self.owner)
        released += await store.alerts.claims.release_owned(self.owner)
        released += await store.insights.release_owned(self.owner)
        if released:
            log.info("gave back %d claims at shutdown", released)

    async def _alert_tick(self) -> None:
        if self._send_alert is None or self._stopping.is_set():
            return
        if not self._alerts_woken:
            # A wait set by a process before this one (a staff chat that refused the bot, tried
            # again every 10 minutes) is not this one's: the operator restarts after fixing the
            # setting or adding the bot to the chat, and the urgent alerts go now. A flood wait
            # (Telegram's retry_after, under a minute) a live sibling set is left to run out.
            await self._store.alerts.retry_now(self._clock() + FLOOD_WAIT_KEPT)
            self._alerts_woken = True
        report = await flush(
            self._store, self._clock(), self._send_alert, self.owner, clock=self._clock
        )
        _log_alerts(report)

    async def _insights_tick(self) -> None:
        if self._stopping.is_set():
            return
        now = self._clock()
        if self._last_text_purge is None or now - self._last_text_purge >= PURGE_EVERY:
            # Here, not in the aftercare tick: these retentions hold without a course too.
            await self._purge(now)
            self._last_text_purge = now
        if self._digest is not None:
            await self._digest.run(self._store, now, self.owner)

    async def _purge(self, now: datetime) -> None:
        """Delete unanswered texts, urgent messages' marks, undelivered alerts and silent languages."""
        purged = await self._store.stats.purge(now)
        if purged:
            log.info(
                "purged %d unanswered texts (past their retention, or contact details)", purged
            )
        marks = await self._store.alerts.purge(now)
        if marks:
            log.info("purged %d marks of urgent messages (past their retention)", marks)
        undelivered = await self._store.alerts.purge_undelivered(now)
        if undelivered:
            log.warning(
                "deleted %d staff alerts no staff chat took in %d days; check"
                " SOFTLIFT_STAFF_CHAT_ID",
                undelivered,
                ALERT_RETENTION.days,
            )
        languages = await self._store.patients.purge(now)
        if languages:
            log.info("purged %d patients' languages (silent past their retention)", languages)

    async def _course_tick(self) -> None:
        if self._stopping.is_set():
            return
        now = self._clock()
        purge = self._last_purge is None or now - self._last_purge >= PURGE_EVERY
        day_messages = self._day_messages()
        # A failed tick counts too: a message due before it follows its local day, as when the
        # bot was down, rather than go days late once the database is back.
        since, self._last_tick = self._last_tick, now
        if day_messages is not None:
            report = await tick(
                self._store,
                now,
                self._send,
                day_messages,
                purge=purge,
                stopping=self._stopping,
                owner=self.owner,
                clock=self._clock,
                since=since,
            )
        elif purge:
            # No FAQ file has a course now, but the courses kept from before still go after
            # their retention.
            report = TickReport(purged=await self._store.courses.purge(now))
        else:
            return
        if purge:
            self._last_purge = now
        _log_report(report)


def _log_alerts(report: AlertReport) -> None:
    if report.sent or report.retried:
        log.info("staff alerts: %d sent, %d to retry", report.sent, report.retried)


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
