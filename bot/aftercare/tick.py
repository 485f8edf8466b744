"""The delivery tick: claim the due aftercare messages, send them, record the result."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.aftercare.day_messages import DayMessages
from bot.aftercare.records import Delivery, DeliveryKind, EndReason
from bot.aftercare.schedule import day_over
from bot.instances import died_here
from bot.messages import Reply
from bot.storage.store import Store

logger = logging.getLogger(__name__)

BATCH = 100
CONCURRENCY = 8
# After an unexpected error the message waits at least this long (a later tick retries it).
ERROR_BACKOFF = timedelta(seconds=30)
# A day's message is for its day alone; the follow-up reminder months later, the one message
# the patient asked for, still helps this many days late (the bot down over its date).
FOLLOW_UP_LATE_DAYS = 7


class RecipientGone(Exception):
    """The patient cannot be reached any more (blocked the bot, deleted the chat)."""


class RetryLater(Exception):
    """Sending failed for now (rate limit, network); try again after `seconds`."""

    def __init__(self, seconds: float = 0.0) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


# One language's day messages, or each loaded language's by its code (the first the default).
Messages = DayMessages | Mapping[str, DayMessages]

# Sends one reply to a chat and returns the sent message's id; raises RecipientGone or RetryLater.
Send = Callable[[int, Reply], Awaitable[int]]


@dataclass
class TickReport:
    """What one tick did; counts only, no patient data."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    ended: int = 0
    purged: int = 0
    dropped: int = 0  # claimed, then stopped, forgotten or paused before their turn


async def tick(
    store: Store,
    now: datetime,
    send: Send,
    messages: Messages,
    *,
    batch: int = BATCH,
    concurrency: int = CONCURRENCY,
    purge: bool = True,
    stopping: asyncio.Event | None = None,
    owner: str = "",
    clock: Callable[[], datetime] | None = None,
    since: datetime | None = None,
) -> TickReport:
    """Send every message due at `now` (timezone-aware), batch by batch; purge old courses.

    A set `stopping` event ends the tick after the batch in flight (a clean shutdown leaves
    no claimed rows behind); `purge=False` leaves old courses for a later tick. Claims are
    made for `owner` with a lease: only a claim whose lease has run out (its process died) is
    taken over, so two processes on one database never send the same day twice. `clock`
    gives the time of each later batch: a backlog can take longer than a lease, and a lease
    must run from its claim, not from the tick's start. `since` is the time of this process's
    previous tick: a message that fell due after it goes even when its local day has ended
    since (a long tick interval), as the first tick to see it due.
    """
    if now.tzinfo is None:
        raise ValueError("tick needs a timezone-aware now")
    report = TickReport()
    repo = store.courses
    released = await repo.claims.release_expired(now, died_here)
    if released:
        logger.warning("released %d stale delivery claims", released)
    gate = asyncio.Semaphore(concurrency)
    failures: list[Exception] = []

    async def one(delivery: Delivery, at: datetime) -> None:
        async with gate:
            try:
                await _deliver(store, at, send, messages, delivery, report, owner, since)
            except Exception as exc:
                # Its record failed (a lost connection, a deadlock with the patient's /stop):
                # its claim waits for its lease. The batch's other sends must not be cancelled
                # in flight: delivered but unrecorded, they would go again.
                failures.append(exc)

    at = now
    while True:
        claimed = await repo.claim_due(at, batch, owner)
        async with asyncio.TaskGroup() as group:
            for delivery in claimed:
                group.create_task(one(delivery, at))
        if failures:
            raise ExceptionGroup("aftercare deliveries failed", failures)
        if len(claimed) < batch or (stopping is not None and stopping.is_set()):
            break
        at = clock() if clock is not None else at
    if purge:
        report.purged = await repo.purge(now)
    return report


def _passed(delivery: Delivery, now: datetime, days: int, since: datetime | None) -> str | None:
    """Why a claimed message is no longer to be sent (for the log), or None when it still is."""
    late_days = FOLLOW_UP_LATE_DAYS if delivery.kind is DeliveryKind.FOLLOW_UP else 0
    # Due after the previous tick looked, it was never late: a message due at 23:30 still
    # goes at the midnight tick of an hourly one. Without a previous tick (a start after the
    # bot was down) its local day decides.
    first_seen = since is not None and delivery.due_at > since
    if not first_seen and day_over(delivery.due_at, now, delivery.timezone, late_days):
        return "its local day has passed"
    if delivery.kind is DeliveryKind.DAY and delivery.day > days:
        # Planned before a /reload shortened the course: its last day's message has gone (or
        # goes on its day), and the days after it are no days of the course any more.
        return f"the course now ends on day {days}"
    return None


async def _deliver(
    store: Store,
    now: datetime,
    send: Send,
    messages: Messages,
    delivery: Delivery,
    report: TickReport,
    owner: str,
    since: datetime | None,
) -> None:
    """Send one claimed message and record what happened; raises only what the database does."""
    repo = store.courses
    day_messages = _in_language(messages, delivery.language)
    passed = _passed(delivery, now, day_messages.course.days, since)
    if passed is not None:
        if not await repo.mark_skipped(delivery.id, now, owner):
            _claim_lost(delivery)
            return
        # Ids only: the log must not reveal message text or symptoms.
        logger.info(
            "skipped delivery %d (course %d, day %d): %s",
            delivery.id,
            delivery.course_id,
            delivery.day,
            passed,
        )
        report.skipped += 1
        return
    if not await repo.still_to_send(delivery.id, owner):
        # Stopped, forgotten or paused since the claim (or no longer ours): nothing goes out.
        await repo.release_claim(delivery.id, owner)
        report.dropped += 1
        return
    try:
        message_id = await send(delivery.chat_id, day_messages.message_for(delivery))
    except RecipientGone:
        logger.info("course %d ended: the patient cannot be reached", delivery.course_id)
        await repo.end_course(delivery.course_id, EndReason.BLOCKED, now)
        report.ended += 1
        return
    except RetryLater as exc:
        wait = max(timedelta(seconds=exc.seconds), timedelta(seconds=1))
        retry_at = now + wait
    except Exception as exc:
        # Kept for a later tick: the local-day rule ends the retries of a message that never goes.
        logger.warning("delivery %d failed (%s), retrying later", delivery.id, type(exc).__name__)
        retry_at = now + ERROR_BACKOFF
    else:
        if not await repo.mark_sent(delivery.id, message_id, now, owner):
            _claim_lost(delivery)
        report.sent += 1
        return
    if await repo.retry_later(delivery.id, retry_at, owner):
        report.retried += 1
    else:
        _claim_lost(delivery)


def _claim_lost(delivery: Delivery) -> None:
    """The claim's lease ran out during the send: the instance holding it now records it."""
    logger.debug("delivery %d: its claim passed to another instance; left to it", delivery.id)


def _in_language(messages: Messages, language: str | None) -> DayMessages:
    """The day messages in the patient's language, read with the claim (else the default)."""
    if isinstance(messages, DayMessages):
        return messages
    if language is not None and language in messages:
        return messages[language]
    return next(iter(messages.values()))
