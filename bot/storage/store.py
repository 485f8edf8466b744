"""The repositories behind one async door: every call runs on the database's own worker thread."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import ParamSpec, TypeVar

from bot.storage.alerts import AlertRepo
from bot.storage.courses import CourseRepo
from bot.storage.database import Database
from bot.storage.patients import PatientRepo
from bot.storage.stats import UNANSWERED_RETENTION, Stats

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    """The database and its repositories, for async callers."""

    def __init__(
        self, db: Database, unanswered_retention: timedelta = UNANSWERED_RETENTION
    ) -> None:
        self.db = db
        self.courses = CourseRepo(db)
        self.stats = Stats(db, unanswered_retention)
        self.alerts = AlertRepo(db)
        self.patients = PatientRepo(db)
        # SQLite serialises writers anyway: one thread keeps the event loop free and never
        # takes threads from the loop's default pool.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")

    async def run(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run one repository method off the event loop and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    async def forget_user(self, user_id: int) -> None:
        """Erase everything stored about one patient, in every repository."""
        await self.run(self.courses.forget_user, user_id)
        await self.run(self.stats.forget_user, user_id)
        await self.run(self.alerts.forget_user, user_id)
        await self.run(self.patients.forget_user, user_id)

    def close(self) -> None:
        """Finish the calls in flight and close the database."""
        self._executor.shutdown(wait=True)
        self.db.close()
