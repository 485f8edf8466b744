"""What the end-to-end tests share: the bot process against the stub, and a time-of-day-safe zone."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from botapi_stub import BotApiStub, FakeTelegram, buttons

from bot.aftercare.schedule import local_today, plan_days
from bot.storage.courses import CourseRepo
from bot.storage.database import Database

TOKEN = "987654321:E2E-secret-token_never-printed-xyz"
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class BotProcess:
    """A running bot and where its output goes."""

    process: subprocess.Popen[bytes]
    output: Path

    def text(self) -> str:
        """Everything the bot printed so far."""
        return self.output.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, then wait for a clean exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)


def start_bot(stub: BotApiStub, tmp: Path, faq: Path, **extra: str) -> BotProcess:
    """Start `python -m bot run` against the stub; returns once it polls or serves.

    `extra` adds or overrides environment variables (SOFTLIFT_ADMIN_IDS, ...).
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": stub.base_url,
        "SOFTLIFT_FAQ": str(faq),
        "DATABASE_URL": f"sqlite:///{tmp / 'bot.db'}",
        "LOG_LEVEL": "DEBUG",
        **extra,
    }
    output = tmp / "bot-output.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    bot = BotProcess(process, output)
    stub.fake.wait_for(
        lambda: process.poll() is not None or "is up" in bot.text(), 30, "the bot to start"
    )
    assert process.poll() is None, bot.text()
    return bot


def midday_zone(now: datetime | None = None) -> str:
    """A fixed-offset IANA zone where it is 12:00-12:59 at `now` (default: this instant).

    Local midnight is then at least 11 hours away, so no test or benchmark run that uses this
    zone can see a patient's day change, whatever the wall clock says.
    """
    offset = 12 - (now or datetime.now(UTC)).astimezone(UTC).hour  # hours east of UTC: +12..-11
    if offset == 0:
        return "Etc/GMT"
    # POSIX sign convention: Etc/GMT-5 is five hours east of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


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


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def post(
    port: int, path: str, update: dict[str, Any], secret: str | None, timeout: float = 10.0
) -> int:
    """POST an update to 127.0.0.1 as Telegram would; the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, json.dumps(update), headers)
        return connection.getresponse().status
    finally:
        connection.close()


def seed_courses(database: Path | str, chats: range, zone: str) -> None:
    """Courses whose first message is due now, written straight into the database."""
    now = datetime.now(UTC)
    today = local_today(now, zone)

    async def enrol_all() -> None:
        db = Database(database)
        try:
            repo = CourseRepo(db)
            for chat in chats:
                plan = plan_days(today, clock_time(9), zone, now, 14)
                await repo.enroll(chat, chat, today, clock_time(9), zone, plan, now)
        finally:
            await db.close()

    asyncio.run(enrol_all())
