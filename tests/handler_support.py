"""What the handler tests share: feeding updates through the real Application and pressing buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import pytest
from botapi_stub import FakeTelegram, RecordingRequest, buttons
from telegram import Update

from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import Languages
from bot.config import Settings
from bot.telegram_app import ratelimit
from bot.telegram_app.app import build_application
from bot.telegram_app.context import App


@asynccontextmanager
async def running_app(
    settings: Settings,
    faq: KnowledgeBase | Languages,
    fake: FakeTelegram,
    now: datetime | Callable[[], datetime],
) -> AsyncIterator[App]:
    """The application as production builds it, over the fake network and a fixed (or given) clock."""
    clock = now if callable(now) else lambda: now
    application = build_application(settings, faq, request=RecordingRequest(fake), clock=clock)
    async with application:
        yield application
        await application.bot_data.services.delivery.stop()
    await application.bot_data.services.close()


def without_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without waiting and no pacing: the fake has no limits and these tests send many."""
    monkeypatch.setattr(ratelimit, "BACKOFF_SECONDS", (0.0,))
    monkeypatch.setattr(ratelimit, "OVERALL_RATE", 10_000.0)
    monkeypatch.setattr(ratelimit, "PRIVATE_CHAT", ratelimit.Pace(burst=10_000, per_second=1.0))


async def feed(app: App, update: dict[str, Any]) -> None:
    """Process one update exactly as polling would, then wait for the deliveries it started."""
    await app.process_update(Update.de_json(update, app.bot))
    await app.bot_data.services.delivery.idle()


async def press_label(app: App, fake: FakeTelegram, message: dict[str, Any], label: str) -> None:
    """Press the button with this label on a bot message."""
    data = next(b["callback_data"] for b in buttons(message) if b["text"] == label)
    fake.press(message, data)
    await feed(app, fake.pending()[-1])


async def enrol(
    app: App, fake: FakeTelegram, chat: int, app_language: str | None = None
) -> dict[str, Any]:
    """Enrol with the buttons (procedure yesterday, mornings); the day message that follows."""
    await feed(app, fake.text(chat, "/aftercare", language_code=app_language))
    await press_label(app, fake, fake.messages_to(chat)[-1], "Yesterday")
    await press_label(app, fake, fake.messages_to(chat)[-1], "Morning 09:00")
    return fake.messages_to(chat)[-1]


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    """The texts the bot sent to a chat."""
    return [m["text"] for m in fake.messages_to(chat_id)]
