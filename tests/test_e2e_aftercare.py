"""End to end: aftercare in the real `softlift-bot run` process against the Bot API stub."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from botapi_stub import BotApiStub, FakeTelegram, buttons, serve
from test_e2e_bot import TOKEN, BotProcess, start_bot

from bot.aftercare.schedule import local_today, plan_days
from bot.locale import get_locale
from bot.storage.courses import CourseRepo
from bot.storage.database import Database

FAQ = Path(__file__).parent / "fixtures" / "aftercare.yaml"
STAFF_CHAT = -100888
ADMIN = 31337
ZONE = "Europe/Berlin"
TABLES = ("courses", "deliveries", "checkins", "conversations", "feedback")
T = get_locale("en").t


class Running:
    """The bot process of this module, restartable on the same database."""

    def __init__(self, stub: BotApiStub, tmp: Path) -> None:
        self.stub, self.tmp = stub, tmp
        self.db_path = tmp / "bot.db"
        self.outputs: list[str] = []
        self.process = self._start()

    def _start(self) -> BotProcess:
        return start_bot(
            self.stub,
            self.tmp,
            SOFTLIFT_FAQ=str(FAQ),
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
def stub() -> Iterator[BotApiStub]:
    """The Bot API stub for this module."""
    with serve(TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def running(stub: BotApiStub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The bot with the aftercare fixture and a 0.2 s tick."""
    bot = Running(stub, tmp_path_factory.mktemp("aftercare"))
    stub.fake.wait_for(lambda: stub.fake.calls_of("getUpdates"), 10, "polling")
    yield bot
    bot.stop()


@pytest.fixture
def fake(stub: BotApiStub, running: Running) -> FakeTelegram:
    """The stub's state, with the bot running."""
    return stub.fake


def press(
    fake: FakeTelegram,
    chat: int,
    label: str,
    expect: int = 1,
    on: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Press a button of a message (the chat's last); wait for `expect` more messages."""
    before = fake.messages_to(chat)
    message = on or before[-1]
    data = next(b["callback_data"] for b in buttons(message) if b["text"] == label)
    query = fake.press(message, data)
    fake.wait_for(lambda: query in fake.answered, what=f"the press on {label!r} answered")
    return fake.wait_messages(chat, len(before) + expect)[len(before) :]


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


def seed(db_path: Path, chats: range) -> None:
    """Courses whose first message is due now, written straight into the database."""
    now = datetime.now(UTC)
    today = local_today(now, ZONE)
    db = Database(db_path)
    try:
        repo = CourseRepo(db)
        for chat in chats:
            plan = plan_days(today, time(9), ZONE, now, 14)
            repo.enroll(chat, chat, today, time(9), ZONE, plan, now)
    finally:
        db.close()


def test_enrol_with_buttons_day_n_at_once_checkin_and_worrying_alert(
    fake: FakeTelegram, running: Running
) -> None:
    (question,) = say(fake, 501, "/aftercare")
    assert T("ac_ask_date") in question["text"]
    press(fake, 501, "Today")
    confirmation, day = press(fake, 501, "Evening 19:00", expect=2)
    assert "day 1 of 14" in confirmation["text"] and "19:00 (Europe/Berlin)" in confirmation["text"]
    assert day["text"].startswith("<b>Day 1 of 14</b>")
    assert "No hot water on your face (today)" in day["text"]
    (advice,) = press(fake, 501, "Swelling")
    assert advice["text"] == "Swelling goes down within days."
    (urgent,) = press(fake, 501, "Something worrying", on=day)
    assert urgent["text"].startswith("Contact your treating doctor")
    (alert,) = fake.wait_messages(STAFF_CHAT, 1)
    assert '<a href="tg://user?id=501">Anna</a>' in alert["text"]
    assert "@anna_patient" in alert["text"]
    assert "Day: 1 of 14" in alert["text"] and "Answer: Something worrying" in alert["text"]
    assert query(running.db_path, "SELECT day, answer FROM checkins WHERE user_id = 501") == [
        (1, "swelling"),
        (1, "worrying"),
    ]


def test_enrol_with_a_typed_date_after_a_refused_one(fake: FakeTelegram) -> None:
    say(fake, 502, "/start aftercare")
    (typing,) = press(fake, 502, "Another date")
    assert typing["text"] == T("ac_type_date")
    (refused,) = say(fake, 502, "1.1.20")
    assert T("ac_date_forms") in refused["text"]
    three_days_ago = local_today(datetime.now(UTC), ZONE) - timedelta(days=3)
    (asked,) = say(fake, 502, three_days_ago.strftime("%d.%m.%Y"))
    assert "At what time" in asked["text"]
    confirmation, day = say(fake, 502, "07:30", expect=2)
    assert "day 4 of 14" in confirmation["text"] and "07:30" in confirmation["text"]
    assert day["text"].startswith("<b>Day 4 of 14</b>")


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
    assert done["text"] == T("forget_done")
    assert rows_about(running.db_path, 503) == dict.fromkeys(TABLES, 0)


def test_a_blocked_patient_ends_the_course(fake: FakeTelegram, running: Running) -> None:
    fake.block(504)
    seed(running.db_path, range(504, 505))
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
    fake: FakeTelegram, running: Running
) -> None:
    refused_before = len([c for c in fake.calls_of("sendMessage") if c.status == 429])
    fake.fail("sendMessage", times=12, mode="429")
    chats = range(600, 620)
    seed(running.db_path, chats)
    for chat in chats:
        fake.wait_messages(chat, 1, timeout=30)
    fake.wait_for(
        lambda: (
            query(
                running.db_path,
                "SELECT count(*) FROM deliveries WHERE user_id >= 600 AND status = 'sent'",
            )
            == [(20,)]
        ),
        what="every delivery recorded",
    )
    assert [len(fake.messages_to(chat)) for chat in chats] == [1] * 20
    refused = len([c for c in fake.calls_of("sendMessage") if c.status == 429])
    assert refused - refused_before == 12
    assert all(fake.messages_to(c)[0]["text"].startswith("<b>Day 1 of 14") for c in chats)


def test_enrolment_survives_a_restart_half_way(fake: FakeTelegram, running: Running) -> None:
    say(fake, 505, "/aftercare")
    press(fake, 505, "2 days ago")
    running.restart()
    confirmation, day = press(fake, 505, "Morning 09:00", expect=2)
    assert "day 3 of 14" in confirmation["text"]
    assert day["text"].startswith("<b>Day 3 of 14</b>")


def test_database_is_private_and_logs_hold_no_texts(fake: FakeTelegram, running: Running) -> None:
    assert stat.S_IMODE(running.db_path.stat().st_mode) == 0o600
    assert running.stop() == 0
    output = "\n".join(running.outputs)
    assert "aftercare tick:" in output
    assert " ERROR " not in output
    for secret in (TOKEN, "Something worrying", "Swelling goes down", "bruises", "Day 1 of 14"):
        assert secret not in output
    assert [c for c in fake.calls if c.status == 400] == []


def test_messages_due_while_the_bot_was_down_go_out_at_start(tmp_path: Path) -> None:
    seed(tmp_path / "bot.db", range(700, 703))
    with serve(TOKEN) as fresh:
        # The default 30 s tick: only the first run at start-up can deliver within the wait.
        bot = start_bot(fresh, tmp_path, SOFTLIFT_FAQ=str(FAQ))
        try:
            for chat in range(700, 703):
                message = fresh.fake.wait_messages(chat, 1, timeout=10)[0]
                assert message["text"].startswith("<b>Day 1 of 14</b>")
        finally:
            assert bot.stop() == 0
