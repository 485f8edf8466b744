"""The patient's chosen language: one row per Telegram user, erased by /forget."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Database, stamp


class PatientRepo:
    """Stores each patient's language (a FAQ file's language code)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def language(self, user_id: int) -> str | None:
        """The stored language of a patient, or None."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT language FROM patients WHERE user_id = ?", (user_id,)
            ).fetchone()
        return str(row["language"]) if row is not None else None

    def set_language(self, user_id: int, language: str, now: datetime) -> None:
        """Store (or change) a patient's language."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO patients (user_id, language, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, "
                "updated_at = excluded.updated_at",
                (user_id, language, stamp(now)),
            )

    def forget_user(self, user_id: int) -> None:
        """Erase a patient's language."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM patients WHERE user_id = ?", (user_id,))
