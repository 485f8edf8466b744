"""The staff alert outbox: alerts wait here until the delivery loop has sent them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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

    def enqueue(self, user_id: int | None, chat_id: int, html: str, now: datetime) -> int:
        """Keep an alert until it is sent; returns its id."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO alerts (user_id, chat_id, html, created_at) VALUES (?, ?, ?, ?)",
                (user_id, chat_id, html, stamp(now)),
            )
        return int(cursor.lastrowid or 0)

    def claim(
        self, now: datetime, limit: int, owner: str = "", lease: timedelta = CLAIM_LEASE
    ) -> list[OutgoingAlert]:
        """Claim up to `limit` pending alerts, oldest first, for `owner` until the lease ends."""
        at = stamp(now)
        with self.db.transaction() as conn:
            rows = conn.execute(
                "UPDATE alerts SET status = 'sending', claimed_by = ?, lease_until = ?,"
                " attempts = attempts + 1"
                " WHERE id IN (SELECT id FROM alerts WHERE status = 'pending'"
                "  AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?)"
                " RETURNING id, chat_id, html, attempts",
                (owner, stamp(now + lease), at, limit),
            ).fetchall()
        alerts = [OutgoingAlert(r["id"], r["chat_id"], r["html"], r["attempts"]) for r in rows]
        return sorted(alerts, key=lambda a: a.id)

    def sent(self, alert_id: int) -> None:
        """Telegram accepted the alert: delete it (it quotes the patient)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM alerts WHERE id = ?", (alert_id,))

    def retry_later(self, alert_id: int, not_before: datetime) -> None:
        """Put a claimed alert back for a later tick."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE alerts SET status = 'pending', not_before = ?, claimed_by = NULL,"
                " lease_until = NULL WHERE id = ? AND status = 'sending'",
                (stamp(not_before), alert_id),
            )

    def pending(self) -> int:
        """How many alerts wait to be sent."""
        with self.db.transaction() as conn:
            return int(conn.execute("SELECT count(*) FROM alerts").fetchone()[0])

    def forget_user(self, user_id: int) -> None:
        """Delete the unsent alerts about one patient."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM alerts WHERE user_id = ?", (user_id,))
