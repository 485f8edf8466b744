"""The patient's chosen language: one row per Telegram user, erased by /forget."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database, stamp


class PatientRepo:
    """Stores each patient's language (a FAQ file's language code)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def language(self, user_id: int) -> str | None:
        """The stored language of a patient, or None."""
        async with self.db.transaction() as conn:
            value = await conn.scalar(
                text("SELECT language FROM patients WHERE user_id = :user"), {"user": user_id}
            )
        return str(value) if value is not None else None

    async def set_language(self, user_id: int, language: str, now: datetime) -> None:
        """Store (or change) a patient's language."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "INSERT INTO patients (user_id, language, updated_at)"
                    " VALUES (:user, :language, :at) ON CONFLICT (user_id) DO UPDATE"
                    " SET language = excluded.language, updated_at = excluded.updated_at"
                ),
                {"user": user_id, "language": language, "at": stamp(now)},
            )

    @staticmethod
    async def erase_user(conn: AsyncConnection, user_id: int) -> None:
        """Erase a patient's language, in the caller's transaction."""
        await conn.execute(text("DELETE FROM patients WHERE user_id = :user"), {"user": user_id})
