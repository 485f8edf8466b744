"""Staff alerts leave the patient's request path: queued in the database, sent by the loop."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.aftercare.tick import RecipientGone, RetryLater
from bot.instances import died_here
from bot.storage.store import Store

# One alert claimed at a time: a process killed mid-send strands at most one, for one lease.
BATCH = 1
ALERT_LEASE = timedelta(minutes=2)
# An alert that fails for another reason waits this long before the next try.
ERROR_BACKOFF = timedelta(seconds=30)
UNREACHABLE_BACKOFF = timedelta(minutes=10)
# At a start, waits ending later than this are cleared (a staff chat that refused the bot); a
# flood wait, Telegram's retry_after, is shorter and is left to run out.
FLOOD_WAIT_KEPT = timedelta(minutes=1)

# Sends one alert (already rendered for the transport) to a chat; raises RetryLater to wait.
SendAlert = Callable[[int, str], Awaitable[None]]

log = logging.getLogger(__name__)


@dataclass
class AlertReport:
    """What one flush did; counts only."""

    sent: int = 0
    retried: int = 0


async def flush(
    store: Store,
    now: datetime,
    send: SendAlert,
    owner: str = "",
    clock: Callable[[], datetime] | None = None,
) -> AlertReport:
    """Send the queued alerts, oldest first, a patient with fewer waiting before one with more;
    each at least once, deleted once it is accepted."""
    repo = store.alerts
    report = AlertReport()
    released = await repo.claims.release_expired(now, died_here)
    if released:
        log.warning("%d staff alerts were claimed by a stopped process; they go again", released)
    # The staff chat's pace is slow (about 20 a minute): a long queue outlasts a lease, so each
    # claim takes the time of its own, and its lease runs from then.
    while claimed := await repo.claim(now, BATCH, owner, ALERT_LEASE):
        for index, alert in enumerate(claimed):
            try:
                await send(alert.chat_id, alert.html)
            except RetryLater as exc:
                # The staff chat is rate-limited: this alert and the rest wait, in order.
                wait = now + max(timedelta(seconds=exc.seconds), timedelta(seconds=1))
                for waiting in claimed[index:]:
                    await repo.retry_later(waiting.id, wait, owner)
                report.retried += len(claimed) - index
                return report
            except RecipientGone:
                # Kept, not dropped: once the bot is back in the staff chat (or the setting is
                # corrected) the alert arrives. The sender says why, once.
                await repo.retry_later(alert.id, now + UNREACHABLE_BACKOFF, owner)
                report.retried += 1
                continue
            except Exception as exc:
                log.warning(
                    "staff alert %d failed (%s); retried later", alert.id, type(exc).__name__
                )
                await repo.retry_later(alert.id, now + ERROR_BACKOFF, owner)
                report.retried += 1
                continue
            await repo.sent(alert.id)
            report.sent += 1
        now = clock() if clock is not None else now
    return report
