"""The staff alert outbox (alerts wait here until sent) and the urgent messages alerted about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.claims import CLAIM_LEASE, Claims
from bot.storage.database import Database, stamp, storable

# An urgent message's mark is kept this long: an edit of it after that alerts the staff again,
# which errs the safe way (and edits days later are rare).
URGENT_RETENTION = timedelta(days=7)
# An alert no staff chat took in this long is deleted undelivered: it quotes a patient and a
# danger sign, and a month on it can no longer help them (/forget erases it sooner).
ALERT_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class NewAlert:
    """A staff alert to queue: about a patient (None when unknown), for the staff chat."""

    user_id: int | None
    chat_id: int
    html: str


@dataclass(frozen=True)
class OutgoingAlert:
    """One claimed alert to send to the staff chat."""

    id: int
    chat_id: int
    html: str
    attempts: int


class AlertRepo:
    """Stores staff alerts durably; an alert is deleted once Telegram has accepted it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.claims = Claims(db, "alerts")

    async def enqueue(self, user_id: int | None, chat_id: int, html: str, now: datetime) -> int:
        """Keep an alert until it is sent; returns its id."""
        async with self.db.transaction() as conn:
            return await _insert(conn, NewAlert(user_id, chat_id, html), now)

    async def enqueue_first(
        self,
        chat_id: int,
        message_id: int,
        alert: NewAlert | None,
        now: datetime,
        emergency: bool = False,
    ) -> bool:
        """Mark a patient's message urgent and queue its alert, once per level: False if marked."""
        async with self.db.transaction() as conn:
            # The staff must learn that an urgent message was edited into an emergency, never
            # of an edit at the same level. One statement against the primary key: of two
            # instances reading the same message (or edits of it) only one inserts or raises
            # the level, whatever the timing; the other one waits, then finds it raised.
            marked = await conn.scalar(
                text(
                    "INSERT INTO urgent_messages (chat_id, message_id, judged_at, emergency)"
                    " VALUES (:chat, :message, :at, :emergency)"
                    " ON CONFLICT (chat_id, message_id) DO UPDATE SET emergency = 1"
                    " WHERE urgent_messages.emergency < excluded.emergency RETURNING 1"
                ),
                {
                    "chat": chat_id,
                    "message": message_id,
                    "at": stamp(now),
                    "emergency": int(emergency),
                },
            )
            if marked is not None and alert is not None:
                await _insert(conn, alert, now)
        return marked is not None

    async def claim(
        self, now: datetime, limit: int, owner: str = "", lease: timedelta = CLAIM_LEASE
    ) -> list[OutgoingAlert]:
        """Claim up to `limit` pending alerts for `owner` until the lease ends: oldest first,
        but a patient with fewer alerts waiting before one with more.

        The staff chat takes about 18 messages a minute: strictly oldest first, a patient who
        sends danger signs in a stream would hold every other patient's alert behind theirs.
        """
        async with self.db.transaction() as conn:
            rows = (
                await conn.execute(
                    text(
                        "UPDATE alerts SET status = 'sending', claimed_by = :owner,"  # noqa: S608
                        " lease_until = :lease, attempts = attempts + 1"
                        " WHERE id IN (SELECT a.id FROM alerts a LEFT JOIN"
                        "  (SELECT user_id, count(*) AS waiting FROM alerts GROUP BY user_id) w"
                        "  ON w.user_id = a.user_id WHERE a.status = 'pending'"
                        "  AND (a.not_before IS NULL OR a.not_before <= :now)"
                        "  ORDER BY coalesce(w.waiting, 0), a.id LIMIT :limit"
                        f"{self.db.lock_rows(skip_locked=True, of='a')})"
                        " RETURNING id, chat_id, html, attempts"
                    ),
                    {
                        "owner": owner,
                        "lease": stamp(now + lease),
                        "now": stamp(now),
                        "limit": limit,
                    },
                )
            ).all()
        alerts = [OutgoingAlert(r.id, r.chat_id, r.html, r.attempts) for r in rows]
        return sorted(alerts, key=lambda a: a.id)

    async def sent(self, alert_id: int) -> None:
        """Telegram accepted the alert: delete it (it quotes the patient)."""
        async with self.db.transaction(erasing=True) as conn:
            await conn.execute(text("DELETE FROM alerts WHERE id = :id"), {"id": alert_id})

    async def retry_later(self, alert_id: int, not_before: datetime, owner: str = "") -> bool:
        """Put a claimed alert back for a later tick; False when `owner` no longer holds it."""
        # A claim whose lease ran out during the send is another instance's now: putting it
        # back would let a third one send the alert while that one does.
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text(
                    "UPDATE alerts SET status = 'pending', not_before = :not_before,"
                    " claimed_by = NULL, lease_until = NULL"
                    " WHERE id = :id AND status = 'sending' AND claimed_by = :owner"
                ),
                {"not_before": stamp(not_before), "id": alert_id, "owner": owner},
            )
        return result.rowcount == 1

    async def retry_now(self, beyond: datetime) -> int:
        """Let waiting alerts whose wait ends after `beyond` go at the next claim; how many."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text(
                    "UPDATE alerts SET not_before = NULL"
                    " WHERE status = 'pending' AND not_before > :beyond"
                ),
                {"beyond": stamp(beyond)},
            )
        return result.rowcount

    async def pending(self) -> int:
        """How many alerts wait to be sent."""
        async with self.db.transaction() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM alerts")) or 0)

    async def marked(self, chat_id: int, message_id: int) -> bool:
        """Whether a patient's message was judged urgent (its staff alert queued)."""
        async with self.db.transaction() as conn:
            found = await conn.scalar(
                text(
                    "SELECT 1 FROM urgent_messages WHERE chat_id = :chat AND message_id = :message"
                ),
                {"chat": chat_id, "message": message_id},
            )
        return found is not None

    async def forgotten(self, chat_id: int, message_id: int) -> bool:
        """Whether a message belongs to a conversation its patient asked /forget to erase."""
        async with self.db.transaction() as conn:
            found = await conn.scalar(
                text(
                    "SELECT 1 FROM forgotten_chats"
                    " WHERE chat_id = :chat AND through_message_id >= :message"
                ),
                {"chat": chat_id, "message": message_id},
            )
        return found is not None

    @staticmethod
    async def forget_through(
        conn: AsyncConnection, chat_id: int, message_id: int, now: datetime
    ) -> None:
        """Mark a private chat's messages up to `message_id` forgotten (caller's transaction)."""
        await conn.execute(
            text(
                "INSERT INTO forgotten_chats (chat_id, through_message_id, forgotten_at)"
                " VALUES (:chat, :message, :at) ON CONFLICT (chat_id) DO UPDATE"
                " SET through_message_id = excluded.through_message_id,"
                " forgotten_at = excluded.forgotten_at"
                " WHERE forgotten_chats.through_message_id < excluded.through_message_id"
            ),
            {"chat": chat_id, "message": message_id, "at": stamp(now)},
        )

    @staticmethod
    async def erase_user(conn: AsyncConnection, user_id: int, keep_queued: bool = False) -> None:
        """Delete a patient's unsent alerts (unless `keep_queued`) and private chat's marks."""
        # Kept queued for a deletion asked for with a danger sign: the staff must still hear of
        # it; the alerts go, then are deleted as every sent alert is. In the caller's transaction.
        if not keep_queued:
            await conn.execute(text("DELETE FROM alerts WHERE user_id = :user"), {"user": user_id})
        # A private chat's id is its user's id.
        await conn.execute(
            text("DELETE FROM urgent_messages WHERE chat_id = :user"), {"user": user_id}
        )

    async def purge(self, now: datetime) -> int:
        """Delete the marks of urgent messages, and of forgotten chats, past their retention;
        how many urgent ones."""
        cutoff = {"cutoff": stamp(now - URGENT_RETENTION)}
        async with self.db.transaction(erasing=True) as conn:
            result = await conn.execute(
                text("DELETE FROM urgent_messages WHERE judged_at < :cutoff"), cutoff
            )
            await conn.execute(
                text("DELETE FROM forgotten_chats WHERE forgotten_at < :cutoff"), cutoff
            )
        return result.rowcount

    async def purge_undelivered(self, now: datetime) -> int:
        """Delete alerts still waiting past ALERT_RETENTION (the staff chat refused or unset)."""
        async with self.db.transaction(erasing=True) as conn:
            result = await conn.execute(
                text("DELETE FROM alerts WHERE status = 'pending' AND created_at < :cutoff"),
                {"cutoff": stamp(now - ALERT_RETENTION)},
            )
        return result.rowcount


async def _insert(conn: AsyncConnection, alert: NewAlert, now: datetime) -> int:
    """Add an alert to the outbox in the caller's transaction; its id."""
    alert_id = await conn.scalar(
        text(
            "INSERT INTO alerts (user_id, chat_id, html, created_at)"
            " VALUES (:user, :chat, :html, :at) RETURNING id"
        ),
        {
            "user": alert.user_id,
            "chat": alert.chat_id,
            "html": storable(alert.html),
            "at": stamp(now),
        },
    )
    return int(alert_id or 0)
