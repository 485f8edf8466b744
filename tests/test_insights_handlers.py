"""/stats as a chart and /unanswered, through the real Application."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botapi_stub import FakeTelegram
from handler_support import feed, running_app
from PIL import Image

from bot.answers.loader import load_faq
from bot.config import Settings
from bot.locale import get_locale
from bot.telegram_app import ratelimit
from bot.telegram_app.context import App

TOKEN = "123456789:TEST-token-for-handler-tests_abcdef"
FAQ = Path(__file__).parent / "fixtures" / "telegram.yaml"  # the clinic is in Europe/Berlin
ADMIN = 4242
STAFF_CHAT = -100500
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ANSWERED_BLUE = (0x00, 0x72, 0xB2)
T = get_locale("en").t


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without waiting."""
    monkeypatch.setattr(ratelimit, "BACKOFF_SECONDS", (0.0,))


def settings_for(database_url: str, **more: Any) -> Settings:
    """An admin, a staff chat and the given database."""
    return Settings(
        token=TOKEN,
        faq_paths=(FAQ,),
        database_url=database_url,
        admin_ids=frozenset({ADMIN}),
        staff_chat_id=STAFF_CHAT,
        **more,
    )


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[App, FakeTelegram]]:
    """The application over a SQLite file, the fake network and a fixed clock."""
    fake = FakeTelegram(TOKEN)
    settings = settings_for(f"sqlite:///{tmp_path / 'bot.db'}")
    async with running_app(settings, load_faq(FAQ), fake, NOW) as application:
        yield application, fake


def decoded(png: bytes) -> Image.Image:
    """The PNG decoded, fully loaded."""
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


async def test_stats_is_one_phone_sized_png_with_its_totals_for_admins_only(
    app: tuple[App, FakeTelegram],
) -> None:
    application, fake = app
    await feed(application, fake.text(1, "will i get bruises"))
    await feed(application, fake.text(1, "how much does it cost"))
    await feed(application, fake.text(1, "I have a fever"))
    fake.press(fake.messages_to(1)[0], "fb:1:bruising")
    await feed(application, fake.pending()[-1])
    await feed(application, fake.text(1, "/stats"))
    assert fake.messages_to(1)[-1]["text"] == T("unknown_command")

    await feed(application, fake.text(ADMIN, "/stats"))

    (chart,) = fake.messages_to(ADMIN)
    assert chart["caption"].startswith("Jan 31–Mar 01: 3 questions (1 answered, 0 did you mean,")
    assert "1 not covered, 1 urgent), 👍 1 / 👎 0" in chart["caption"]
    image = decoded(chart["png"])
    assert image.width == 1080 and 1200 <= image.height <= 2400
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # drawn, not blank
    assert any(rgb == ANSWERED_BLUE for _, rgb in colours)  # the answered bar of March 1


async def test_stats_text_keeps_the_text_report(app: tuple[App, FakeTelegram]) -> None:
    application, fake = app
    await feed(application, fake.text(ADMIN, "/stats TEXT"))
    (report,) = fake.messages_to(ADMIN)
    assert report["text"].startswith("<b>Statistics</b>")


async def test_unanswered_groups_the_not_covered_questions_for_admins_only(
    app: tuple[App, FakeTelegram],
) -> None:
    application, fake = app
    asked = ["how much does it cost"] * 2 + ["How much does it COST?", "what about mars rovers"]
    for question in asked:
        await feed(application, fake.text(1, question))
    await feed(application, fake.text(1, "will i get bruises"))
    fake.press(fake.messages_to(1)[-1], "fb:0:bruising")
    await feed(application, fake.pending()[-1])
    await feed(application, fake.text(1, "/unanswered"))
    assert fake.messages_to(1)[-1]["text"] == T("unknown_command")

    await feed(application, fake.text(ADMIN, "/unanswered"))

    (report,) = fake.messages_to(ADMIN)
    lines = report["text"].splitlines()
    assert lines[0] == T("unanswered_title", days=30, total=4, groups=2)
    assert lines[1].startswith("• 3× “how much does it cost”")
    assert lines[2] == "• 1× “what about mars rovers”"
    assert "Bruises &amp; &lt;swelling&gt;: 👎 1 of 1 (100%)" in report["text"]


async def test_a_red_flag_message_is_counted_but_its_text_never_stored(
    app: tuple[App, FakeTelegram], tmp_path: Path
) -> None:
    application, fake = app
    await feed(application, fake.text(1, "I have a fever, what about mars rovers"))
    store = application.bot_data.services.store
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=1)
    assert await store.insights.unanswered_texts(start, end) == []
    assert (await store.insights.figures(start, end)).hours[0][1:] == ("urgent", 1)
