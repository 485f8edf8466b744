"""The staff alert outbox: alerts wait here until the delivery loop has sent them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from bot.storage.claims import CLAIM_LEASE, Claims
from bot.storage.database import Database, stamp


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
            alert_id = await conn.scalar(
                text(
                    "INSERT INTO alerts (user_id, chat_id, html, created_at)"
                    " VALUES (:user, :chat, :html, :at) RETURNING id"
                ),
                {"user": user_id, "chat": chat_id, "html": html, "at": stamp(now)},
            )
        return int(alert_id or 0)

    async def claim(
        self, now: datetime, limit: int, owner: str = "", lease: timedelta = CLAIM_LEASE
    ) -> list[OutgoingAlert]:
        """Claim up to `limit` pending alerts, oldest first, for `owner` until the lease ends."""
        async with self.db.transaction() as conn:
            rows = (
                await conn.execute(
                    text(
                        "UPDATE alerts SET status = 'sending', claimed_by = :owner,"  # noqa: S608
                        " lease_until = :lease, attempts = attempts + 1"
                        " WHERE id IN (SELECT id FROM alerts WHERE status = 'pending'"
                        "  AND (not_before IS NULL OR not_before <= :now) ORDER BY id LIMIT :limit"
                        f"{self.db.lock_rows(skip_locked=True)})"
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

    async def retry_later(self, alert_id: int, not_before: datetime) -> None:
        """Put a claimed alert back for a later tick."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "UPDATE alerts SET status = 'pending', not_before = :not_before,"
                    " claimed_by = NULL, lease_until = NULL WHERE id = :id AND status = 'sending'"
                ),
                {"not_before": stamp(not_before), "id": alert_id},
            )

    async def pending(self) -> int:
        """How many alerts wait to be sent."""
        async with self.db.transaction() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM alerts")) or 0)

    async def forget_user(self, user_id: int) -> None:
        """Delete the unsent alerts about one patient."""
        async with self.db.transaction(erasing=True) as conn:
            await conn.execute(text("DELETE FROM alerts WHERE user_id = :user"), {"user": user_id})
