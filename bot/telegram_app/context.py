"""The collaborators every handler needs, reachable through one typed context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.aftercare import Aftercare
from bot.aftercare_service import AftercareService
from bot.config import Settings
from bot.core import Assistant
from bot.knowledge import KnowledgeBase
from bot.storage.courses import CourseRepo
from bot.storage.database import Database
from bot.storage.stats import Stats

if TYPE_CHECKING:
    from bot.telegram_app.delivery import Delivery

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def aftercare_service(kb: KnowledgeBase, courses: CourseRepo) -> AftercareService | None:
    """The aftercare use cases over a FAQ's course; None when the FAQ has no aftercare block."""
    return AftercareService(courses, Aftercare(kb)) if kb.course is not None else None


@dataclass
class Services:
    """Settings, the assistant and aftercare (replaced by /reload), storage and the clock."""

    settings: Settings
    assistant: Assistant
    db: Database
    stats: Stats
    courses: CourseRepo
    aftercare: AftercareService | None
    delivery: Delivery
    clock: Clock = utc_now

    def now(self) -> datetime:
        """The injected clock's current time."""
        return self.clock()

    def current_aftercare(self) -> Aftercare | None:
        """The course of the FAQ in use, if it has one."""
        return self.aftercare.aftercare if self.aftercare is not None else None

    def close(self) -> None:
        """Release the database."""
        self.db.close()


class BotData:
    """The application's bot_data: holds the services, set once by the factory."""

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        """The services; RuntimeError before the factory has set them."""
        if self._services is None:
            raise RuntimeError("the application was not built by build_application()")
        return self._services

    @services.setter
    def services(self, value: Services) -> None:
        self._services = value


class Context(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """The handlers' context, with the services as a typed attribute."""

    @property
    def services(self) -> Services:
        """The application's services."""
        return self.bot_data.services


App = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]]
