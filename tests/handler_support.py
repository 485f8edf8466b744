"""What the handler tests share: feeding updates through the real Application and pressing buttons."""

from __future__ import annotations

from typing import Any

from botapi_stub import FakeTelegram, buttons
from telegram import Update

from bot.telegram_app.context import App


async def feed(app: App, update: dict[str, Any]) -> None:
    """Process one update exactly as polling would, then wait for the deliveries it started."""
    await app.process_update(Update.de_json(update, app.bot))
    await app.bot_data.services.delivery.idle()


async def press_label(app: App, fake: FakeTelegram, message: dict[str, Any], label: str) -> None:
    """Press the button with this label on a bot message."""
    data = next(b["callback_data"] for b in buttons(message) if b["text"] == label)
    fake.press(message, data)
    await feed(app, fake.pending()[-1])


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    """The texts the bot sent to a chat."""
    return [m["text"] for m in fake.messages_to(chat_id)]
