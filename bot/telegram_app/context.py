"""The collaborators every handler needs, reachable through one typed context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.aftercare.day_messages import DayMessages
from bot.aftercare.service import CourseService
from bot.answers.assistant import Assistant
from bot.config import Settings
from bot.storage.store import Store

if TYPE_CHECKING:
    from bot.telegram_app.delivery import Delivery

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Settings, the assistant and the course (replaced by /reload), storage and the clock."""

    settings: Settings
    assistant: Assistant
    store: Store
    course_service: CourseService | None
    delivery: Delivery
    clock: Clock = utc_now

    def now(self) -> datetime:
        """The injected clock's current time."""
        return self.clock()

    async def queue_alert(self, user_id: int | None, html: str) -> None:
        """Put a staff alert in the outbox (when a staff chat is set) and wake its sender."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return
        await self.store.run(self.store.alerts.enqueue, user_id, staff_chat, html, self.now())
        self.delivery.kick_alerts()

    def day_messages(self) -> DayMessages | None:
        """The day messages of the FAQ in use, if it has a course."""
        return self.course_service.messages if self.course_service is not None else None

    def close(self) -> None:
        """Release the database."""
        self.store.close()


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
