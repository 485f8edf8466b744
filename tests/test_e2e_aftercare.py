"""End to end: aftercare in the real `softlift-bot run` process against the Bot API stub.

The clinic's zone is chosen so that it is midday there when the module starts: no test can
see a patient's day change, whatever the wall clock says.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botapi_stub import BotApiStub, FakeTelegram, serve
from e2e_support import FIXTURES, TOKEN, BotProcess, midday_zone, press, seed_courses, start_bot

from bot.aftercare.schedule import local_today
from bot.locale import get_locale

FIXTURE_FAQ = FIXTURES / "aftercare.yaml"
FIXTURE_ZONE = "timezone: Europe/Berlin"
STAFF_CHAT = -100888
TABLES = ("courses", "deliveries", "checkins", "conversations", "feedback")
T = get_locale("en").t


class Running:
    """The bot process of this module, restartable on the same database."""

    def __init__(self, stub: BotApiStub, tmp: Path, faq: Path) -> None:
        self.stub, self.tmp, self.faq = stub, tmp, faq
        self.db_path = tmp / "bot.db"
        self.outputs: list[str] = []
        self.process = self._start()

    def _start(self) -> BotProcess:
        return start_bot(
            self.stub,
            self.tmp,
            self.faq,
            SOFTLIFT_STAFF_CHAT_ID=str(STAFF_CHAT),
            SOFTLIFT_TICK_SECONDS="0.2",
        )

    def stop(self) -> int:
        """SIGTERM and wait; keep what it printed."""
        code = self.process.stop()
        self.outputs.append(self.process.text())
        return code

    def restart(self) -> None:
        """A clean stop and a new process."""
        assert self.stop() == 0
        self.process = self._start()


@pytest.fixture(scope="module")
def zone() -> str:
    """The clinic's zone: one where it is 12:00-12:59 now, so local midnight is hours away."""
    return midday_zone()


@pytest.fixture(scope="module")
def faq(zone: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The aftercare fixture with the clinic in `zone`."""
    text = FIXTURE_FAQ.read_text(encoding="utf-8")
    assert text.count(FIXTURE_ZONE) == 1
    path = tmp_path_factory.mktemp("faq") / "aftercare.yaml"
    path.write_text(text.replace(FIXTURE_ZONE, f"timezone: {zone}"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def stub() -> Iterator[BotApiStub]:
    """The Bot API stub for this module."""
    with serve(TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def running(
    stub: BotApiStub, faq: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    """The bot with the aftercare fixture and a 0.2 s tick."""
    bot = Running(stub, tmp_path_factory.mktemp("aftercare"), faq)
    stub.fake.wait_for(lambda: stub.fake.calls_of("getUpdates"), 10, "polling")
    yield bot
    # Every test of the module ran against this bot: it must stop cleanly, and its log must
    # hold no message text, symptom or token.
    assert bot.stop() == 0
    output = "\n".join(bot.outputs)
    assert "aftercare tick:" in output
    assert " ERROR " not in output
    for secret in (TOKEN, "Something worrying", "Swelling goes down", "bruises", "Procedure day"):
        assert secret not in output
    assert [c for c in stub.fake.calls if c.status == 400] == []


@pytest.fixture
def fake(stub: BotApiStub, running: Running) -> FakeTelegram:
    """The stub's state, with the bot running."""
    return stub.fake


def say(fake: FakeTelegram, chat: int, text: str, expect: int = 1) -> list[dict[str, Any]]:
    """Send a text; wait for `expect` more messages to the chat."""
    count = len(fake.messages_to(chat))
    fake.text(chat, text)
    return fake.wait_messages(chat, count + expect)[count:]


def query(db_path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows from the bot's database file, read directly."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.execute(sql, args))
    finally:
        conn.close()


def rows_about(db_path: Path, user_id: int) -> dict[str, int]:
    """How many rows of each personal table mention the user."""
    return {
        table: query(db_path, f"SELECT count(*) FROM {table} WHERE user_id = ?", user_id)[0][0]  # noqa: S608 - fixed names
        for table in TABLES
    }


def sent_rows(db_path: Path, chats: range) -> int:
    """Deliveries to these chats recorded as sent."""
    rows = query(
        db_path,
        "SELECT count(*) FROM deliveries WHERE user_id BETWEEN ? AND ? AND status = 'sent'",
        chats.start,
        chats.stop - 1,
    )
    return int(rows[0][0])


def test_enrol_with_buttons_day_n_at_once_checkin_and_worrying_alert(
    fake: FakeTelegram, running: Running, zone: str
) -> None:
    (question,) = say(fake, 501, "/aftercare")
    assert T("ac_ask_date") in question["text"]
    press(fake, 501, "Today")
    confirmation, day = press(fake, 501, "Evening 19:00", expect=2)
    assert "procedure day (day 0 of 14)" in confirmation["text"]
    assert f"19:00 ({zone})" in confirmation["text"]
    assert day["text"].startswith("<b>Procedure day</b>")
    assert "No hot water on your face (today)" in day["text"]
    (advice,) = press(fake, 501, "Swelling")
    assert advice["text"] == "Swelling goes down within days."
    (urgent,) = press(fake, 501, "Something worrying", on=day)
    assert urgent["text"].startswith("Contact your treating doctor")
    (alert,) = fake.wait_messages(STAFF_CHAT, 1)
    assert '<a href="tg://user?id=501">Anna</a>' in alert["text"]
    assert "@anna_patient" in alert["text"]
    assert "Day: 0 of 14" in alert["text"] and "Answer: Something worrying" in alert["text"]
    assert query(running.db_path, "SELECT day, answer FROM checkins WHERE user_id = 501") == [
        (0, "swelling"),
        (0, "worrying"),
    ]


def test_enrol_with_a_typed_date_after_a_refused_one(fake: FakeTelegram, zone: str) -> None:
    say(fake, 502, "/start aftercare")
    (typing,) = press(fake, 502, "Another date")
    assert typing["text"] == T("ac_type_date")
    (refused,) = say(fake, 502, "1.1.20")
    assert T("ac_date_forms") in refused["text"]
    three_days_ago = local_today(datetime.now(UTC), zone) - timedelta(days=3)
    (asked,) = say(fake, 502, three_days_ago.strftime("%d.%m.%Y"))
    assert "At what time" in asked["text"]
    confirmation, day = say(fake, 502, "07:30", expect=2)
    assert "day 3 of 14" in confirmation["text"] and "07:30" in confirmation["text"]
    assert day["text"].startswith("<b>Day 3 of 14</b>")


def test_forget_leaves_no_row_for_the_patient(fake: FakeTelegram, running: Running) -> None:
    (answer,) = say(fake, 503, "will i get bruises")
    query_id = fake.press(answer, "fb:1:bruising")
    fake.wait_for(lambda: query_id in fake.answered, what="the feedback press answered")
    say(fake, 503, "/aftercare")
    press(fake, 503, "Yesterday")
    press(fake, 503, "Midday 13:00", expect=2)
    press(fake, 503, "All good")
    say(fake, 503, "/timezone")
    assert all(rows_about(running.db_path, 503).values())
    (done,) = say(fake, 503, "/forget")
    assert done["text"] == T("forget_done", days=90)
    assert rows_about(running.db_path, 503) == dict.fromkeys(TABLES, 0)


def test_a_blocked_patient_ends_the_course(fake: FakeTelegram, running: Running, zone: str) -> None:
    fake.block(504)
    seed_courses(running.db_path, range(504, 505), zone)
    fake.wait_for(
        lambda: (
            query(running.db_path, "SELECT end_reason FROM courses WHERE user_id = 504")
            == [("blocked",)]
        ),
        what="the course to end",
    )
    assert query(running.db_path, "SELECT count(*) FROM deliveries WHERE user_id = 504") == [(0,)]
    assert fake.messages_to(504) == []


def test_a_burst_of_429s_loses_nothing_and_repeats_nothing(
    fake: FakeTelegram, running: Running, zone: str
) -> None:
    refused_before = len([c for c in fake.calls_of("sendMessage") if c.status == 429])
    fake.fail("sendMessage", times=12, mode="429")
    chats = range(600, 620)
    seed_courses(running.db_path, chats, zone)
    for chat in chats:
        fake.wait_messages(chat, 1, timeout=30)
    fake.wait_for(lambda: sent_rows(running.db_path, chats) == 20, what="every delivery recorded")
    assert [len(fake.messages_to(chat)) for chat in chats] == [1] * 20
    refused = len([c for c in fake.calls_of("sendMessage") if c.status == 429])
    assert refused - refused_before == 12
    assert all(fake.messages_to(c)[0]["text"].startswith("<b>Procedure day") for c in chats)


@pytest.mark.parametrize(
    ("delivered", "chats"),
    [(False, range(800, 810)), (True, range(820, 830))],
    ids=["lost-before-delivery", "lost-after-delivery"],
)
def test_a_daily_message_arrives_at_least_once_and_repeats_only_if_its_answer_was_lost(
    fake: FakeTelegram, running: Running, zone: str, delivered: bool, chats: range
) -> None:
    lost_before = len(fake.lost_after_delivery())
    dropped_before = len([c for c in fake.calls_of("sendMessage") if c.error == "drop"])
    # One send gets no answer: the connection closes, before or after Telegram carried it out.
    fake.fail("sendMessage", times=1, mode="drop", delivered=delivered)
    seed_courses(running.db_path, chats, zone)
    fake.wait_for(
        lambda: sent_rows(running.db_path, chats) == len(chats), what="every delivery recorded"
    )
    lost = [int(c.params["chat_id"]) for c in fake.lost_after_delivery()[lost_before:]]
    dropped = len([c for c in fake.calls_of("sendMessage") if c.error == "drop"])
    assert (len(lost), dropped - dropped_before) == ((1, 0) if delivered else (0, 1))
    counts = {chat: len(fake.messages_to(chat)) for chat in chats}
    assert counts == {chat: 2 if chat in lost else 1 for chat in chats}
    assert all(
        m["text"].startswith("<b>Procedure day") for chat in chats for m in fake.messages_to(chat)
    )


def test_enrolment_survives_a_restart_half_way(fake: FakeTelegram, running: Running) -> None:
    say(fake, 505, "/aftercare")
    press(fake, 505, "2 days ago")
    running.restart()
    confirmation, day = press(fake, 505, "Morning 09:00", expect=2)
    assert "day 2 of 14" in confirmation["text"]
    assert day["text"].startswith("<b>Day 2 of 14</b>")


def test_the_database_is_private(fake: FakeTelegram, running: Running) -> None:
    assert stat.S_IMODE(running.db_path.stat().st_mode) == 0o600


def test_messages_due_while_the_bot_was_down_go_out_at_start(
    tmp_path: Path, faq: Path, zone: str
) -> None:
    seed_courses(tmp_path / "bot.db", range(700, 703), zone)
    with serve(TOKEN) as fresh:
        # The default 30 s tick: only the first run at start-up can deliver within the wait.
        bot = start_bot(fresh, tmp_path, faq)
        try:
            for chat in range(700, 703):
                message = fresh.fake.wait_messages(chat, 1, timeout=10)[0]
                assert message["text"].startswith("<b>Procedure day</b>")
        finally:
            assert bot.stop() == 0
