"""The collaborators every handler needs, reachable through one typed context."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from telegram import User
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.aftercare.day_messages import DayMessages
from bot.aftercare.service import CourseService
from bot.answers.assistant import Assistant
from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import Languages, load_languages
from bot.config import Settings
from bot.faqdoc import FaqError
from bot.insights import service as insights
from bot.insights.digest import Digest
from bot.storage.alerts import NewAlert
from bot.storage.store import Store

if TYPE_CHECKING:
    from bot.telegram_app.delivery import Delivery

Clock = Callable[[], datetime]
# Albums remembered so that each is answered once: its photos arrive as messages seconds apart.
ALBUMS_REMEMBERED = 1000
# Forgotten messages whose urgent text went, remembered in this process only: /forget keeps no
# mark of a patient's danger sign, so a restart or another instance may send it once more.
FORGOTTEN_URGENT_REMEMBERED = 1000

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def course_services(store: Store, languages: Languages) -> dict[str, CourseService]:
    """One CourseService per loaded language whose FAQ file has a course."""
    services = {
        code: CourseService.for_faq(store, a.kb) for code, a in languages.assistants.items()
    }
    return {code: service for code, service in services.items() if service is not None}


def as_languages(faq: Languages | KnowledgeBase) -> Languages:
    """The languages to serve: a single FAQ file (tests, one-language callers) is wrapped."""
    return faq if isinstance(faq, Languages) else Languages([Assistant(faq)])


def _remember(seen: dict[K, V], key: K, value: V, limit: int) -> None:
    """Keep `key` as the newest of at most `limit` remembered, the oldest forgotten first."""
    seen.pop(key, None)  # a dict keeps its order of insertion: the newest last
    seen[key] = value
    if len(seen) > limit:
        del seen[next(iter(seen))]


@dataclass
class Services:
    """Settings, the languages and their courses (replaced by /reload), storage and the clock."""

    settings: Settings
    languages: Languages
    store: Store
    delivery: Delivery
    clock: Clock = utc_now
    courses: Mapping[str, CourseService] = field(default_factory=dict)
    faq_version: int = 0  # the shared FAQ version these languages were loaded at
    albums: dict[tuple[int, str], None] = field(default_factory=dict)  # oldest first
    # (chat id, message id) of a forgotten message: whether its urgent text was an emergency's.
    forgotten_urgent: dict[tuple[int, int], bool] = field(default_factory=dict)  # oldest first

    @classmethod
    def create(
        cls,
        settings: Settings,
        languages: Languages,
        store: Store,
        delivery: Delivery,
        clock: Clock,
    ) -> Services:
        """The services with one course per language."""
        return cls(settings, languages, store, delivery, clock, course_services(store, languages))

    def swap(self, languages: Languages) -> None:
        """Serve newly loaded FAQ files, all languages at once (/reload)."""
        self.languages, self.courses = languages, course_services(self.store, languages)

    async def reload(self) -> Languages:
        """Load the FAQ files again, serve them and tell every other instance to do the same.

        Raises FaqError (and keeps serving the old files) when a file is wrong.
        """
        languages = await asyncio.to_thread(self._load_again)
        self.swap(languages)
        self.faq_version = await self.store.shared.raise_faq_version(self.now())
        return languages

    def _load_again(self) -> Languages:
        """The FAQ files read again; FaqError when a language served now would be left out.

        The shipped files leave out a language whose file fails: at start-up that is said on
        stderr, but a reload would silently answer its patients in another language.
        """
        languages = load_languages(self.settings.faq_paths)
        if languages.left_out and not set(self.languages.codes) <= set(languages.codes):
            raise FaqError(list(languages.left_out))
        return languages

    async def follow_reloads(self) -> bool:
        """Reload when another instance has (the tick asks); True when this one reloaded."""
        version = await self.store.shared.faq_version()
        if version <= self.faq_version:
            return False
        try:
            languages = await asyncio.to_thread(self._load_again)
        except FaqError as exc:
            log.error("the FAQ files changed by another instance do not load here: %s", exc)
            self.faq_version = version  # the files are shared: retrying would fail the same way
            return False
        self.swap(languages)
        self.faq_version = version
        log.info("FAQ reloaded (version %d, as another instance did)", version)
        return True

    def first_of_album(self, chat_id: int, media_group_id: str | None) -> bool:
        """Whether a message is the first this process sees of its album (True outside one)."""
        if media_group_id is None:
            return True
        key = (chat_id, media_group_id)
        if key in self.albums:
            return False
        _remember(self.albums, key, None, ALBUMS_REMEMBERED)
        return True

    def first_forgotten_urgent(self, chat_id: int, message_id: int, emergency: bool) -> bool:
        """Whether a forgotten message's urgent text is due: not yet sent at this level."""
        key = (chat_id, message_id)
        if key in self.forgotten_urgent and self.forgotten_urgent[key] >= emergency:
            return False
        _remember(self.forgotten_urgent, key, emergency, FORGOTTEN_URGENT_REMEMBERED)
        return True

    def now(self) -> datetime:
        """The injected clock's current time."""
        return self.clock()

    @property
    def default_language(self) -> str:
        """The first FAQ file's language."""
        return self.languages.primary.kb.language

    @property
    def staff_language(self) -> str:
        """The language of staff alerts: the setting when loaded, else the default language."""
        wanted = self.settings.staff_language
        return wanted if wanted in self.languages.codes else self.default_language

    @property
    def clinic_zone(self) -> ZoneInfo:
        """The clinic's time zone: the first FAQ file's `clinic.timezone`."""
        return ZoneInfo(self.languages.primary.kb.clinic.timezone)

    def period(self, now: datetime | None = None) -> insights.Period:
        """The last 30 days in the clinic's zone, today included."""
        return insights.Period.last_days(now or self.now(), self.clinic_zone)

    async def compose_digest(self, now: datetime) -> Digest:
        """The weekly digest in the staff language: the /stats chart and the /unanswered text."""
        assistant, span = self.assistant(self.staff_language), self.period(now)
        report = await insights.text_report(self.store, assistant, span)
        return Digest(
            await insights.chart(self.store, assistant, span),
            await insights.unanswered_report(self.store, self.languages, assistant, span),
            replace(report, title=assistant.locale.t("digest_as_text")),
        )

    def assistant(self, language: str | None = None) -> Assistant:
        """The assistant of a loaded language (the default one for None or an unknown one)."""
        codes = self.languages.codes
        return self.languages.assistant(language if language in codes else None)

    def course_service(self, language: str | None = None) -> CourseService | None:
        """The course in a language (else in the default one); None when the FAQ has none."""
        found = self.courses.get(language or self.default_language)
        return found or self.courses.get(self.default_language)

    async def language_of(self, user_id: int | None, app_language: str | None) -> str:
        """A patient's language: the stored one, else their app's (stored from now on)."""
        if user_id is None:
            return self.languages.for_app_language(app_language)
        stored = await self.store.patients.language(user_id, self.now())
        if stored is not None and stored in self.languages.codes:
            return stored
        language = self.languages.for_app_language(app_language)
        await self.set_language(user_id, language)
        return language

    async def set_language(self, user_id: int, language: str) -> None:
        """Store a patient's language."""
        await self.store.patients.set_language(user_id, language, self.now())

    async def queue_alert(self, user_id: int | None, html: str) -> None:
        """Put a staff alert in the outbox (when a staff chat is set) and wake its sender."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return
        await self.store.alerts.enqueue(user_id, staff_chat, html, self.now())
        self.delivery.kick_alerts()

    async def queue_urgent_alert(
        self, chat_id: int, message_id: int, user_id: int | None, html: str, emergency: bool
    ) -> bool:
        """Queue an urgent message's staff alert once per message and level; False if it had one."""
        staff_chat = self.settings.staff_chat_id
        alert = None if staff_chat is None else NewAlert(user_id, staff_chat, html)
        now = self.now()
        first = await self.store.alerts.enqueue_first(chat_id, message_id, alert, now, emergency)
        if first and alert is not None:
            self.delivery.kick_alerts()
        return first

    async def alert_without_outbox(self, html: str) -> None:
        """Send a staff alert straight to the staff chat (when set): the database took none."""
        if self.settings.staff_chat_id is not None:
            await self.delivery.send_alert_now(self.settings.staff_chat_id, html)

    def day_messages(self) -> Mapping[str, DayMessages] | None:
        """Each language's day messages (the default language first), if the FAQ has a course."""
        if not self.courses:
            return None
        ordered = sorted(self.courses.items(), key=lambda i: i[0] != self.default_language)
        return {code: service.messages for code, service in ordered}

    async def close(self) -> None:
        """Release the database."""
        await self.store.close()


async def language_of(context: Context, user: User | None) -> str:
    """The language to talk to a Telegram user in (stored, else their app's)."""
    code = user.language_code if user is not None else None
    return await context.services.language_of(user.id if user else None, code)


async def assistant_of(context: Context, user: User | None) -> Assistant:
    """The assistant in the language to talk to a Telegram user in."""
    return context.services.assistant(await language_of(context, user))


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


class TickQueue(JobQueue[Context]):
    """PTB's job queue, paused before it waits for the running jobs to finish.

    PTB waits for the jobs running when the stop begins, then shuts APScheduler down, which
    cancels any job it started meanwhile (a tick every 0.2-60 s): "Error running job" in the log
    of a bot that stopped cleanly. Paused, the scheduler starts none.
    """

    async def stop(self, wait: bool = True) -> None:
        """Start no more jobs, then stop as PTB does."""
        if self.scheduler.running:
            self.scheduler.pause()
        await super().stop(wait)


App = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, TickQueue]
