"""The database and its repositories, opened and closed together."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.alerts import AlertRepo
from bot.storage.courses import CourseRepo
from bot.storage.database import Database
from bot.storage.insights import InsightsRepo
from bot.storage.patients import PatientRepo
from bot.storage.shared import SharedState
from bot.storage.stats import UNANSWERED_RETENTION, Stats


class Store:
    """The database and its repositories; every method of theirs is a coroutine."""

    def __init__(
        self, db: Database, unanswered_retention: timedelta = UNANSWERED_RETENTION
    ) -> None:
        self.db = db
        self.courses = CourseRepo(db)
        self.stats = Stats(db, unanswered_retention)
        self.alerts = AlertRepo(db)
        self.patients = PatientRepo(db, unanswered_retention)
        self.shared = SharedState(db)
        self.insights = InsightsRepo(db)

    async def open(self) -> None:
        """Connect and migrate now, so that a bad database stops start-up, not a patient."""
        await self.db.open()

    async def forget_user(
        self,
        user_id: int,
        keep_alerts: bool = False,
        through: tuple[int, datetime] | None = None,
    ) -> None:
        """Erase everything stored about one patient, all or nothing; `keep_alerts` sends first;
        `through`: the /forget message's id and time, up to which their private chat is forgotten."""
        # `keep_alerts`: /forget typed with a danger sign, whose alert was queued first and must
        # reach the staff; their alerts still queued go, then are deleted.
        # One transaction: a database failing halfway must not leave part of the patient.
        async with self.db.transaction(erasing=True) as conn:
            for repo in (self.courses, self.stats, self.patients):
                await repo.erase_user(conn, user_id)
            await self.alerts.erase_user(conn, user_id, keep_queued=keep_alerts)
            if through is not None:  # a private chat's id is its user's id
                await self.alerts.forget_through(conn, user_id, *through)

    async def close(self) -> None:
        """Close the database's connections."""
        await self.db.close()
