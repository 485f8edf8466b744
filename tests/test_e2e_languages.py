"""End to end: a Russian speaker against the real `softlift-bot run` with both shipped files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botapi_stub import FakeTelegram, serve
from e2e_support import TOKEN, start_bot

FAQ_DIR = Path(__file__).parent.parent / "faq"
STAFF_CHAT = -100888


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeTelegram]:
    """The stub and the bot over the English and Russian files, a staff chat set."""
    with serve(TOKEN) as stub:
        faq = f"{FAQ_DIR / 'softlifting.yaml'},{FAQ_DIR / 'softlifting.ru.yaml'}"
        bot = start_bot(
            stub,
            tmp_path,
            FAQ_DIR / "softlifting.yaml",
            SOFTLIFT_FAQ=faq,
            SOFTLIFT_STAFF_CHAT_ID=str(STAFF_CHAT),
        )
        try:
            yield stub.fake
        finally:
            assert bot.stop() == 0


def test_a_russian_speaker_gets_russian_start_answers_and_urgent_reply(
    fake: FakeTelegram,
) -> None:
    fake.wait_for(lambda: len(fake.calls_of("setMyCommands")) == 3, 10, "the menus")
    fake.text(301, "/start", language_code="ru")
    (welcome,) = fake.wait_messages(301, 1)
    assert welcome["text"].startswith("Здравствуйте!")
    fake.text(301, "skolko derzhitsya effekt", language_code="ru")
    answer = fake.wait_messages(301, 2)[-1]
    assert "Результат держится примерно 9–12 месяцев" in answer["text"]
    fake.text(301, "у меня температура и губа синяя", language_code="ru")
    urgent = fake.wait_messages(301, 3)[-1]
    assert urgent["text"].startswith("То, что вы описываете, может требовать помощи врача")
    (alert,) = fake.wait_messages(STAFF_CHAT, 1)
    assert alert["text"].startswith("⚠️ Urgent message from a patient")
    assert "у меня температура и губа синяя" in alert["text"]
