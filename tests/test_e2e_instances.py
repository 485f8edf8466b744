"""Several instances on one PostgreSQL database, as compose.yaml runs them, with real processes.

Two bots in webhook mode behind a round-robin proxy (nginx's part), the Bot API stub on
127.0.0.1: a patient's updates land on either bot, a bot killed with SIGKILL mid-delivery
loses nobody's message, the two keep to one send budget, and a second long-polling bot on
the same database is refused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from botapi_stub import BotApiStub, FakeTelegram, buttons, serve
from e2e_support import (
    FIXTURES,
    TOKEN,
    BotProcess,
    free_port,
    midday_zone,
    post,
    seed_courses,
    start_bot,
)
from lb_proxy import RoundRobin, proxy

FAQ = FIXTURES / "aftercare.yaml"
SECRET = "instances-secret_1"
HOOK_PATH = "/telegram/webhook"
FIRST_PATIENT = 7_000
# Generous: two bots and PostgreSQL share a busy CI machine; a pass takes seconds.
WAIT = 60.0


@pytest.fixture
def stub() -> Iterator[BotApiStub]:
    """A fresh Bot API stub for each test."""
    with serve(TOKEN) as running:
        yield running


def start_instance(stub: BotApiStub, tmp: Path, name: str, url: str, port: int) -> BotProcess:
    """One bot in webhook mode on `port`, sharing the database at `url`."""
    home = tmp / name
    home.mkdir()
    return start_bot(
        stub,
        home,
        FAQ,
        DATABASE_URL=url,
        SOFTLIFT_WEBHOOK_URL=f"https://bot.example.com{HOOK_PATH}",
        SOFTLIFT_WEBHOOK_LISTEN="127.0.0.1",
        SOFTLIFT_WEBHOOK_PORT=str(port),
        SOFTLIFT_WEBHOOK_SECRET=SECRET,
        SOFTLIFT_TICK_SECONDS="0.2",
    )


class Telegram:
    """Posts the stub's updates to the proxy, as Telegram posts them to the webhook URL."""

    def __init__(self, fake: FakeTelegram, port: int) -> None:
        self.fake = fake
        self.port = port

    def text(self, chat: int, text: str) -> None:
        """A patient types a message."""
        assert post(self.port, HOOK_PATH, self.fake.text(chat, text), SECRET, WAIT) == 200

    def press(self, chat: int, label: str) -> None:
        """A patient presses a button of the last message the bot sent to the chat."""
        message = self.fake.messages_to(chat)[-1]
        data = next(b["callback_data"] for b in buttons(message) if b["text"] == label)
        self.fake.press(message, data)
        assert post(self.port, HOOK_PATH, self.fake.pending()[-1], SECRET, WAIT) == 200


@pytest.fixture
def two_bots(
    stub: BotApiStub, tmp_path: Path, fresh_postgres_url: str
) -> Iterator[tuple[Telegram, RoundRobin, list[BotProcess]]]:
    """Two bots on one database behind the proxy; both must stop cleanly, logs free of errors."""
    ports = [free_port(), free_port()]
    bots = [
        start_instance(stub, tmp_path, f"bot{n}", fresh_postgres_url, port)
        for n, port in enumerate(ports, 1)
    ]
    try:
        with proxy(ports) as (proxy_port, backends):
            yield Telegram(stub.fake, proxy_port), backends, bots
    finally:
        for bot in bots:
            if bot.process.poll() is None:
                assert bot.stop() == 0, bot.text()
    for bot in bots:
        assert " ERROR " not in bot.text() and TOKEN not in bot.text()


def test_updates_spread_over_two_bots_and_a_conversation_moves_between_them(
    two_bots: tuple[Telegram, RoundRobin, list[BotProcess]],
) -> None:
    telegram, backends, _ = two_bots
    fake = telegram.fake
    for chat in range(100, 140):
        telegram.text(chat, "will i get bruises")
    for chat in range(100, 140):
        assert "Bruises can appear" in fake.wait_messages(chat, 1, timeout=WAIT)[0]["text"]
    # Each step of an enrolment lands on the other bot: the state lives in the database.
    telegram.text(200, "/aftercare")
    fake.wait_messages(200, 1, timeout=WAIT)
    telegram.press(200, "Today")
    fake.wait_messages(200, 2, timeout=WAIT)
    telegram.press(200, "Morning 09:00")
    # After 09:00 in the clinic's zone the day's message comes too, maybe from the other bot
    # and before the confirmation: wait for the confirmation wherever it lands.
    fake.wait_for(
        lambda: any("procedure day (day 0 of 14)" in m["text"] for m in fake.messages_to(200)),
        WAIT,
        "the enrolment's confirmation",
    )
    assert len(backends.answered) == 2 and min(backends.answered.values()) >= 20


def test_a_bot_killed_mid_delivery_loses_no_patient_and_both_keep_one_budget(
    stub: BotApiStub, tmp_path: Path, fresh_postgres_url: str
) -> None:
    fake = stub.fake
    patients = range(FIRST_PATIENT, FIRST_PATIENT + 300)
    seed_courses(fresh_postgres_url, patients, midday_zone())

    def received() -> Counter[int]:
        return Counter(m["chat"]["id"] for m in list(fake.sent) if m["chat"]["id"] in patients)

    bots = [
        start_instance(stub, tmp_path, f"bot{n}", fresh_postgres_url, free_port()) for n in (1, 2)
    ]
    try:
        fake.wait_for(lambda: len(received()) >= 150, 60, "half the patients")
        os.kill(bots[0].process.pid, signal.SIGKILL)  # mid-delivery: claims left behind
        bots[0].process.wait(timeout=20)
        fake.wait_for(lambda: len(received()) == len(patients), 120, "every patient")
    finally:
        assert bots[1].stop() == 0, bots[1].text()
    counts = received()
    repeats = sum(n - 1 for n in counts.values())
    # Only a message in flight at the kill can go twice: at most one tick's concurrency.
    assert set(counts) == set(patients) and repeats <= 8
    # One budget for both: each on its own would send 28 a second, together over Telegram's
    # 30 (with the shared budget off this test saw 34 a second and five 429s).
    assert fake.too_many_requests == 0
    assert "database: " in bots[1].text() and " ERROR " not in bots[1].text()


def test_a_second_poller_on_the_same_database_is_refused(
    stub: BotApiStub, tmp_path: Path, fresh_postgres_url: str
) -> None:
    (tmp_path / "first").mkdir()
    first = start_bot(stub, tmp_path / "first", FAQ, DATABASE_URL=fresh_postgres_url)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(tmp_path),
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": stub.base_url,
                "SOFTLIFT_FAQ": str(FAQ),
                "DATABASE_URL": fresh_postgres_url,
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        assert first.stop() == 0
    assert second.returncode == 2, second.stderr
    refusal = [line for line in second.stderr.splitlines() if line.startswith("softlift-bot:")]
    assert len(refusal) == 1 and "webhook mode" in refusal[0], second.stderr
    assert "Traceback" not in second.stderr
    password = fresh_postgres_url.split(":")[2].split("@")[0]
    assert password not in second.stderr
