"""/stats as a chart, /unanswered and the weekly digest, through the real Application."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botapi_stub import FakeTelegram, RecordingRequest
from handler_support import feed, running_app
from PIL import Image

from bot.answers.loader import load_faq
from bot.config import Settings
from bot.insights.digest import RETRY_AFTER, due_week
from bot.locale import get_locale
from bot.storage.database import Database
from bot.storage.store import Store
from bot.telegram_app import ratelimit
from bot.telegram_app.app import build_application
from bot.telegram_app.context import App

TOKEN = "123456789:TEST-token-for-handler-tests_abcdef"
FAQ = Path(__file__).parent / "fixtures" / "telegram.yaml"  # the clinic is in Europe/Berlin
ADMIN = 4242
STAFF_CHAT = -100500
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
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
    assert chart["caption"].startswith(
        "Jan 31–Mar 01, 2025: questions 3 (1 answered, 0 did you mean,"
    )
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


async def test_stats_text_counts_the_charts_calendar_days_in_the_clinics_zone(
    app: tuple[App, FakeTelegram],
) -> None:
    # Found by probing: /stats text counted rolling 24-hour days back from now, the chart the
    # clinic's calendar days, so the two gave one month different totals. NOW is 13:00 in Berlin.
    application, fake = app
    stats = application.bot_data.services.store.stats
    for asked in (
        datetime(2025, 1, 30, 13, tzinfo=UTC),  # Jan 30 in Berlin: 30 rolling days, not the month
        datetime(2025, 1, 30, 23, 30, tzinfo=UTC),  # Jan 31, 00:30 in Berlin: the month's first day
        datetime(2025, 2, 22, 20, tzinfo=UTC),  # Feb 22 in Berlin: 7 rolling days, not the week
        datetime(2025, 2, 22, 23, 30, tzinfo=UTC),  # Feb 23, 00:30 in Berlin: the week's first day
    ):
        await stats.record_question("answer", "bruising", asked)
    await feed(application, fake.text(ADMIN, "/stats"))
    await feed(application, fake.text(ADMIN, "/stats text"))
    chart, report = fake.messages_to(ADMIN)
    assert chart["caption"].startswith("Jan 31–Mar 01, 2025: questions 3 (3 answered,")
    assert "Last 7 days: questions 1 (answered 1," in report["text"]
    assert "Last 30 days: questions 3 (answered 3," in report["text"]
    assert "Bruises &amp; &lt;swelling&gt;: 3" in report["text"]  # the month's top entries


async def test_stats_with_an_argument_it_does_not_take_says_what_it_takes(
    app: tuple[App, FakeTelegram],
) -> None:
    application, fake = app
    await feed(application, fake.text(ADMIN, "/stats 7"))
    (reply,) = fake.messages_to(ADMIN)
    assert reply.get("text") == T("stats_usage")


async def test_unanswered_with_an_argument_it_does_not_take_says_what_it_takes(
    app: tuple[App, FakeTelegram],
) -> None:
    # Found by probe25: "/unanswered 7" sent the 30 days' report as if it had read the 7, as
    # "/stats 7" drew the 30-day chart before it said what it takes.
    application, fake = app
    await feed(application, fake.text(1, "what about mars rovers"))
    await feed(application, fake.text(ADMIN, "/unanswered 7"))
    (reply,) = fake.messages_to(ADMIN)
    assert reply.get("text") == T("unanswered_usage")


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


async def test_the_staff_reports_show_patients_texts_without_direction_controls(
    app: tuple[App, FakeTelegram],
) -> None:
    # An override in a stored question reversed its line, and the rest of the report after it.
    application, fake = app
    await feed(application, fake.text(1, "what about \u202emars rovers\u202c \u2066x\u2069\u200f"))
    await feed(application, fake.text(ADMIN, "/unanswered"))
    await feed(application, fake.text(ADMIN, "/stats text"))
    unanswered, stats = (m["text"] for m in fake.messages_to(ADMIN))
    for report in (unanswered, stats):
        assert not any(c in report for c in "\u200f\u202c\u202e\u2066\u2069")
        assert "what about mars rovers x" in report


async def test_a_red_flag_message_is_counted_but_its_text_never_stored(
    app: tuple[App, FakeTelegram], tmp_path: Path
) -> None:
    application, fake = app
    await feed(application, fake.text(1, "I have a fever, what about mars rovers"))
    store = application.bot_data.services.store
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=1)
    assert await store.insights.unanswered_texts(start, end) == []
    assert (await store.insights.figures(start, end)).hours[0][1:] == ("urgent", 1)


# --- the weekly digest ---------------------------------------------------------------------


@dataclass
class Clock:
    """The injected time, moved by the test."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def instance(settings: Settings, fake: FakeTelegram, clock: Clock) -> AsyncIterator[App]:
    """One bot process on the shared database: built, initialised, stopped cleanly."""
    application = build_application(
        settings, load_faq(FAQ), request=RecordingRequest(fake), clock=clock
    )
    async with application:
        yield application
        await application.bot_data.services.delivery.stop()
    await application.bot_data.services.close()


async def ticks(*apps: App) -> None:
    """One timer tick of every instance at once, awaited to the end."""
    for application in apps:
        application.bot_data.services.delivery.kick()
    await asyncio.gather(*(a.bot_data.services.delivery.idle() for a in apps))


def digests(fake: FakeTelegram) -> list[dict[str, Any]]:
    """The digest photos the staff chat received."""
    return [m for m in fake.messages_to(STAFF_CHAT) if "png" in m]


def berlin(*args: int) -> datetime:
    """A wall-clock time at the clinic."""
    return datetime(*args, tzinfo=BERLIN)


def test_the_digest_is_due_from_monday_nine_in_the_clinics_zone() -> None:
    assert due_week(berlin(2025, 3, 3, 8, 59), BERLIN) is None
    assert due_week(berlin(2025, 3, 3, 9, 0), BERLIN) == "2025-W10"
    assert due_week(berlin(2025, 3, 9, 23, 59), BERLIN) == "2025-W10"  # Sunday: still that week
    assert due_week(berlin(2025, 3, 10, 8, 0), BERLIN) is None
    # 07:30 UTC is 08:30 in Berlin but 10:30 in Moscow: each clinic's own Monday morning.
    monday = datetime(2025, 3, 3, 7, 30, tzinfo=UTC)
    assert due_week(monday, BERLIN) is None
    assert due_week(monday, ZoneInfo("Europe/Moscow")) == "2025-W10"
    assert due_week(berlin(2025, 12, 29, 9, 0), BERLIN) == "2026-W01"  # ISO years


async def test_the_digest_goes_once_a_week_across_instances_and_restarts(
    database_url: str,
) -> None:
    fake = FakeTelegram(TOKEN, limits=False)
    settings = settings_for(database_url, weekly_digest=True)
    clock = Clock(berlin(2025, 3, 3, 8, 59))  # Monday, a minute early
    async with instance(settings, fake, clock) as first, instance(settings, fake, clock) as second:
        await feed(first, fake.text(1, "what about mars rovers"))
        await ticks(first, second)
        assert digests(fake) == []
        clock.now = berlin(2025, 3, 3, 9, 0)
        await ticks(first, second)
        await ticks(second, first)
    (photo,) = digests(fake)
    assert "1 not covered" in photo["caption"]
    report = fake.messages_to(STAFF_CHAT)[-1]
    assert "what about mars rovers" in report["text"] and "png" not in report

    # Restarted later that week (and again the next Monday morning, before nine): nothing more.
    for later in (berlin(2025, 3, 3, 9, 30), berlin(2025, 3, 9, 22, 0), berlin(2025, 3, 10, 8, 59)):
        clock.now = later
        async with instance(settings, fake, clock) as restarted:
            await ticks(restarted)
    assert len(digests(fake)) == 1

    clock.now = berlin(2025, 3, 10, 9, 0)
    async with instance(settings, fake, clock) as next_week:
        await ticks(next_week)
        await ticks(next_week)
    assert len(digests(fake)) == 2


async def test_a_digest_missed_while_down_goes_that_week_only_and_a_failed_one_later(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram(TOKEN, limits=False)
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    settings = settings_for(database_url, weekly_digest=True)
    clock = Clock(
        berlin(2025, 3, 12, 15, 0)
    )  # down since before W10's Monday: up on W11's Wednesday
    fake.block(STAFF_CHAT)
    async with instance(settings, fake, clock) as bot:
        await ticks(bot)
        assert digests(fake) == []  # the bot is not in the staff chat yet: tried again later
        fake.unblock(STAFF_CHAT)
        clock.now += RETRY_AFTER - timedelta(seconds=1)
        await ticks(bot)
        assert digests(fake) == []
        clock.now += timedelta(seconds=2)
        await ticks(bot)
    assert len(digests(fake)) == 1
    db = Database(database_url)
    try:
        assert await Store(db).insights.digest_weeks() == [("2025-W11", True)]
    finally:
        await db.close()


async def test_a_digest_whose_report_failed_sends_the_report_alone_later(tmp_path: Path) -> None:
    # Found by probing: a failed report released the whole week, so the next try sent the
    # chart again, and the staff had it twice.
    fake = FakeTelegram(TOKEN, limits=False)
    settings = settings_for(f"sqlite:///{tmp_path / 'bot.db'}", weekly_digest=True)
    clock = Clock(berlin(2025, 3, 3, 9, 0))
    async with instance(settings, fake, clock) as bot:
        await feed(bot, fake.text(1, "what about mars rovers"))
        fake.fail("sendMessage", times=1 + ratelimit.MAX_RETRIES)  # every try of the report
        await ticks(bot)
        assert len(digests(fake)) == 1 and len(fake.messages_to(STAFF_CHAT)) == 1
        clock.now += RETRY_AFTER + timedelta(seconds=1)
        await ticks(bot)
        clock.now += RETRY_AFTER + timedelta(seconds=1)
        await ticks(bot)
    assert len(digests(fake)) == 1
    photo, report = fake.messages_to(STAFF_CHAT)
    assert "png" in photo and "what about mars rovers" in report["text"]


async def test_a_staff_chat_refusing_photos_gets_the_digest_as_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probe25: in a staff group where the bot may write but not send photos, the
    # chart was refused, so the whole digest was retried every 10 minutes all week and never
    # arrived, while the log said the chat could not be reached and alerts waited.
    fake = FakeTelegram(TOKEN, limits=False)
    fake.refuse_photos(STAFF_CHAT)
    settings = settings_for(f"sqlite:///{tmp_path / 'bot.db'}", weekly_digest=True)
    clock = Clock(berlin(2025, 3, 3, 9, 0))
    async with instance(settings, fake, clock) as bot:
        await feed(bot, fake.text(1, "what about mars rovers"))
        with caplog.at_level(logging.INFO, logger="bot"):
            await ticks(bot)
            clock.now += RETRY_AFTER + timedelta(seconds=1)
            await ticks(bot)
            clock.now = berlin(2025, 3, 10, 9, 0)  # the next week's
            await ticks(bot)
    assert digests(fake) == []
    week = [m["text"] for m in fake.messages_to(STAFF_CHAT)]
    assert len(week) == 4  # each week: the text report, then the unanswered report
    stats, unanswered = week[:2]
    assert T("digest_as_text") in stats and T("stats_top_entries") in stats
    assert "1 not covered" not in stats and "what about mars rovers" in unanswered
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1 and "photos" in logged[0] and "cannot be reached" not in logged[0]


async def test_a_staff_chat_that_blocked_the_bot_is_logged_once_not_every_retry(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probe25: a warning every 10 minutes all week, beside the one line that already
    # said the staff chat cannot be reached and what to check.
    fake = FakeTelegram(TOKEN, limits=False)
    fake.block(STAFF_CHAT)
    settings = settings_for(f"sqlite:///{tmp_path / 'bot.db'}", weekly_digest=True)
    clock = Clock(berlin(2025, 3, 3, 9, 0))
    async with instance(settings, fake, clock) as bot:
        with caplog.at_level(logging.INFO, logger="bot"):
            for _ in range(6):  # an hour of retries
                await ticks(bot)
                clock.now += RETRY_AFTER + timedelta(seconds=1)
    assert digests(fake) == []
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1 and "cannot be reached" in logged[0]
    assert f"the staff chat {STAFF_CHAT}" in logged[0]


async def test_without_the_setting_no_digest_is_sent(tmp_path: Path) -> None:
    fake = FakeTelegram(TOKEN, limits=False)
    settings = settings_for(f"sqlite:///{tmp_path / 'bot.db'}")
    clock = Clock(berlin(2025, 3, 3, 9, 0))
    async with instance(settings, fake, clock) as bot:
        await ticks(bot)
    assert digests(fake) == []


async def test_the_digest_follows_a_staff_group_upgraded_to_a_supergroup(tmp_path: Path) -> None:
    fake = FakeTelegram(TOKEN, limits=False)
    supergroup = -1009876543210
    fake.migrate(STAFF_CHAT, supergroup)
    settings = settings_for(f"sqlite:///{tmp_path / 'bot.db'}", weekly_digest=True)
    async with instance(settings, fake, Clock(berlin(2025, 3, 3, 9, 0))) as bot:
        await feed(bot, fake.text(1, "what about mars rovers"))
        await ticks(bot)
    photo, report = fake.messages_to(supergroup)
    assert "png" in photo and "what about mars rovers" in report["text"]
