"""The weekly digest for the staff chat: due Monday 09:00 in the clinic's zone, once a week.

The database holds the schedule (one row per week, claimed with a lease), so the digest goes
once however often the bot restarts and however many instances share the database; one missed
while the bot was down goes out when it is back in the same week, never for a past week.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.aftercare.tick import RecipientGone, RetryLater
from bot.insights.service import Chart
from bot.instances import died_here
from bot.messages import Reply
from bot.storage.store import Store

DIGEST_WEEKDAY = 0  # Monday
DIGEST_TIME = time(9, 0)
# A digest whose send failed waits this long before the next try (a flooded or missing staff
# chat is not helped by trying on every tick).
RETRY_AFTER = timedelta(minutes=10)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Digest:
    """What the staff chat receives: the /stats chart and the /unanswered text.

    `report` is the /stats text report, sent instead of the chart to a chat that refuses photos.
    """

    chart: Chart
    unanswered: str
    report: Reply


# Makes the digest for an instant.
Compose = Callable[[datetime], Awaitable[Digest]]
# Sends one message of a digest to the staff chat (raises RetryLater or RecipientGone when it
# could not); a digest's messages, in the order the staff chat receives them.
SendPart = Callable[[], Awaitable[None]]
DigestParts = Callable[[Digest], Sequence[SendPart]]


def due_week(now: datetime, zone: ZoneInfo) -> str | None:
    """The ISO week ("2026-W49") whose digest is due at `now`, or None before Monday 09:00."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    if now < datetime.combine(monday, DIGEST_TIME, zone):
        return None
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class WeeklyDigest:
    """Sends the week's digest when it is due and nobody has sent it yet."""

    compose: Compose
    parts: DigestParts
    zone: Callable[[], ZoneInfo]  # the clinic's zone, as the FAQ now loaded says

    async def run(self, store: Store, now: datetime, owner: str) -> str | None:
        """Send this week's digest if it is due and unclaimed; the week sent, else None.

        Each message is recorded as it is accepted, so a failed try is followed by the ones the
        staff chat lacks, never by the chart or a part of the report it already has.
        """
        week = due_week(now, self.zone())
        repo = store.insights
        if week is None or not await repo.claim_digest(week, owner, now, died_here):
            return None
        try:
            parts = self.parts(await self.compose(now))
            for index in range(await repo.digest_parts_sent(week), len(parts)):
                await parts[index]()
                await repo.digest_part_sent(week, owner, index + 1)
        except Exception as exc:  # RetryLater, RecipientGone or any other: the week stays due
            wait = exc.seconds if isinstance(exc, RetryLater) else 0.0
            retry_at = now + max(RETRY_AFTER, timedelta(seconds=wait))
            # A staff chat that cannot be reached is logged once by the sender, with what to
            # check: a warning each retry would repeat it every 10 minutes all week.
            log.log(
                logging.DEBUG if isinstance(exc, RecipientGone) else logging.WARNING,
                "the weekly digest %s failed (%s); retried later",
                week,
                type(exc).__name__,
                exc_info=not isinstance(exc, RetryLater | RecipientGone),  # a bug: show where
            )
            await repo.release_digest(week, owner, retry_at)
            return None
        await repo.digest_sent(week, owner, now)
        log.info("weekly digest %s sent to the staff chat", week)
        return week
