"""The patient's chosen language: one row per Telegram user, erased by /forget or the purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database, moment, stamp
from bot.storage.stats import UNANSWERED_RETENTION

# How stale a row's last-seen time may get before a read refreshes it: one write a day at most.
SEEN_REFRESH = timedelta(days=1)


def seen_day(now: datetime) -> str:
    """When a patient was seen, as stored: the start of that UTC day, never the instant.

    The instant would match the time of what they wrote: an unanswered question's kept text
    (stored without any user id) would be named by this row, keyed by their Telegram id.
    """
    return stamp(now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0))


class PatientRepo:
    """Stores each patient's language (a FAQ file's language code) and when they were last seen."""

    def __init__(self, db: Database, retention: timedelta = UNANSWERED_RETENTION) -> None:
        self.db = db
        self.retention = retention

    async def language(self, user_id: int, now: datetime) -> str | None:
        """The stored language of a patient, or None; marks them seen at `now`."""
        async with self.db.transaction() as conn:
            row = (
                await conn.execute(
                    text("SELECT language, updated_at FROM patients WHERE user_id = :user"),
                    {"user": user_id},
                )
            ).first()
            if row is None:
                return None
            seen = moment(row.updated_at)
            # The purge counts silence from here: a patient still writing keeps their choice.
            if seen is None or now - seen >= SEEN_REFRESH:
                await conn.execute(
                    text("UPDATE patients SET updated_at = :at WHERE user_id = :user"),
                    {"user": user_id, "at": seen_day(now)},
                )
        return str(row.language)

    async def set_language(self, user_id: int, language: str, now: datetime) -> None:
        """Store (or change) a patient's language."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "INSERT INTO patients (user_id, language, updated_at)"
                    " VALUES (:user, :language, :at) ON CONFLICT (user_id) DO UPDATE"
                    " SET language = excluded.language, updated_at = excluded.updated_at"
                ),
                {"user": user_id, "language": language, "at": seen_day(now)},
            )

    async def purge(self, now: datetime) -> int:
        """Delete the language of patients silent past the retention and without a course."""
        # Only the day is kept: silent since its end at the latest, never purged early.
        cutoff = now - self.retention - timedelta(days=1)
        async with self.db.transaction(erasing=True) as conn:
            result = await conn.execute(
                text(
                    "DELETE FROM patients WHERE updated_at < :cutoff AND NOT EXISTS"
                    " (SELECT 1 FROM courses c WHERE c.user_id = patients.user_id)"
                ),
                {"cutoff": stamp(cutoff)},
            )
        return result.rowcount

    @staticmethod
    async def erase_user(conn: AsyncConnection, user_id: int) -> None:
        """Erase a patient's language, in the caller's transaction."""
        await conn.execute(text("DELETE FROM patients WHERE user_id = :user"), {"user": user_id})
