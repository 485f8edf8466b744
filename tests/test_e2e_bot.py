"""End to end: the real `softlift-bot run` process against the Bot API stub on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botapi_stub import (
    CHAT_BURST,
    CHAT_PER_SECOND,
    OVERALL_PER_SECOND,
    BotApiStub,
    FakeTelegram,
    buttons,
    serve,
)
from e2e_support import FIXTURES, TOKEN, BotProcess, free_port, post, wait_for_port
from e2e_support import start_bot as start_any_bot

from bot.answers.matcher import MAX_QUESTION_CHARS
from bot.locale import get_locale
from bot.telegram_app import ratelimit

FAQ = FIXTURES / "telegram.yaml"
ADMIN = 31337
STAFF_CHAT = -100777
T = get_locale("en").t


def start_bot(stub: BotApiStub, tmp: Path, **extra: str) -> BotProcess:
    """The bot with this module's FAQ, admin and staff chat."""
    admins = {"SOFTLIFT_ADMIN_IDS": str(ADMIN), "SOFTLIFT_STAFF_CHAT_ID": str(STAFF_CHAT)}
    return start_any_bot(stub, tmp, FAQ, **admins, **extra)


@pytest.fixture(scope="module")
def stub() -> Iterator[BotApiStub]:
    """The Bot API stub, shared by the module's tests."""
    with serve(TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def bot(stub: BotApiStub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """The bot process in polling mode."""
    process = start_bot(stub, tmp_path_factory.mktemp("bot"))
    stub.fake.wait_for(lambda: stub.fake.calls_of("getUpdates"), 10, "polling")
    yield process
    # Every test of the module ran against this bot: it must stop cleanly and have printed
    # neither the token nor a request Telegram refused.
    assert not stub.fake.unanswered_queries()
    assert process.stop() == 0
    output = process.text()
    assert "is up" in output
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert [c for c in stub.fake.calls if c.status == 400] == []


@pytest.fixture
def fake(stub: BotApiStub, bot: BotProcess) -> FakeTelegram:
    """The stub's state, with the bot running."""
    return stub.fake


def test_start_registers_commands_and_welcomes(fake: FakeTelegram) -> None:
    assert [c["command"] for c in fake.commands] == ["start", "topics", "help", "forget"]
    assert fake.calls_of("deleteWebhook")
    fake.text(101, "/start")
    (welcome,) = fake.wait_messages(101, 1)
    assert "not a consultation" in welcome["text"]
    assert [b["callback_data"] for b in buttons(welcome)] == ["g:procedure:0", "g:recovery:0"]


def test_question_gets_the_answer(fake: FakeTelegram) -> None:
    fake.text(102, "how long does the procedure take")
    (answer,) = fake.wait_messages(102, 1)
    assert answer["text"].startswith("<b>How long it takes</b>")
    assert "fb:1:duration" in [b["callback_data"] for b in buttons(answer)]


def test_topic_button_edits_the_menu_and_is_answered(fake: FakeTelegram) -> None:
    fake.text(103, "/topics")
    (menu,) = fake.wait_messages(103, 1)
    query = fake.press(menu, "g:recovery:0")
    fake.wait_for(lambda: query in fake.answered, what="the press to be answered")
    fake.wait_for(lambda: fake.messages_to(103)[0].get("edited"), what="the edit")
    assert fake.messages_to(103)[0]["text"] == "Recovery: choose a question"


def test_clarify_and_its_button(fake: FakeTelegram) -> None:
    fake.text(104, "does it hurt")
    (clarify,) = fake.wait_messages(104, 1)
    assert clarify["text"] == T("clarify_header")
    query = fake.press(clarify, "e:pain-during")
    answer = fake.wait_messages(104, 2)[1]
    assert answer["text"].startswith("<b>Pain during the procedure</b>")
    fake.wait_for(lambda: query in fake.answered, what="the press to be answered")


def test_fallback_non_text_and_over_long(fake: FakeTelegram) -> None:
    fake.text(105, "what about mars rovers")
    assert "Not covered" in fake.wait_messages(105, 1)[0]["text"]
    fake.media(106, "sticker")
    assert fake.wait_messages(106, 1)[0]["text"] == T("non_text", phone="+00 000")
    fake.text(107, "will i get bruises " + "y" * 5000)
    note, answer = fake.wait_messages(107, 2)
    assert note["text"] == T("too_long", limit=MAX_QUESTION_CHARS)
    assert answer["text"].startswith("<b>Bruises &amp; &lt;swelling&gt;</b>")


def test_stale_button_gets_a_polite_answer(fake: FakeTelegram) -> None:
    fake.text(108, "/topics")
    (menu,) = fake.wait_messages(108, 1)
    query = fake.press(menu, "e:deleted-long-ago")
    assert fake.wait_messages(108, 2)[1]["text"] == T("stale_button")
    fake.wait_for(lambda: query in fake.answered, what="the press to be answered")


def test_stats_for_admin_only_as_a_chart_or_text(fake: FakeTelegram) -> None:
    fake.text(189, "what about mars rovers")
    fake.wait_messages(189, 1)
    fake.text(109, "/stats")
    assert fake.wait_messages(109, 1)[0]["text"] == T("unknown_command")
    fake.text(ADMIN, "/stats")
    (chart,) = fake.wait_messages(ADMIN, 1)
    # Uploaded as multipart/form-data over HTTP, as Telegram receives it.
    assert chart["png"].startswith(b"\x89PNG") and chart["photo"][0]["width"] == 1080
    assert "not covered" in chart["caption"]
    fake.text(ADMIN, "/stats text")
    report = fake.wait_messages(ADMIN, 2)[1]
    assert report["text"].startswith("<b>Statistics</b>")
    assert "Last 7 days:" in report["text"]
    assert "what about mars rovers" in report["text"]


def test_urgent_alerts_the_staff_chat(fake: FakeTelegram) -> None:
    fake.text(110, "I have a fever", first_name="Maria", username="maria_k")
    assert fake.wait_messages(110, 1)[0]["text"].startswith("Contact your treating doctor")
    (alert,) = fake.wait_messages(STAFF_CHAT, 1)
    assert "Maria" in alert["text"]
    assert "@maria_k" in alert["text"]
    assert "I have a fever" in alert["text"]


def test_server_errors_429_and_lost_answers_never_stop_the_bot(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    fake.fail("getUpdates", times=2, mode="500")
    fake.text(111, "/help")
    assert fake.wait_messages(111, 1, timeout=15)[0]["text"] == T("help")
    fake.fail("sendMessage", times=1, mode="502")
    fake.text(112, "/help")
    fake.wait_messages(112, 1)
    fake.fail("sendMessage", times=1, mode="429")
    fake.text(113, "/help")
    fake.wait_messages(113, 1)
    # The connection closes without an answer (what a time-out looks like, without the wait).
    fake.fail("sendMessage", times=1, mode="drop")
    fake.text(114, "/help")
    fake.wait_messages(114, 1)
    assert bot.process.poll() is None
    assert [len(fake.messages_to(chat)) for chat in range(111, 115)] == [1, 1, 1, 1]
    assert "retry 1" in bot.text()


def test_a_reply_repeats_only_when_its_answer_was_lost(fake: FakeTelegram) -> None:
    lost_before = len(fake.lost_after_delivery())
    fake.fail("sendMessage", times=1, mode="drop", delivered=True)
    fake.text(115, "/help")
    first, second = fake.wait_messages(115, 2)
    assert first["text"] == second["text"] == T("help")
    lost = fake.lost_after_delivery()[lost_before:]
    assert [int(call.params["chat_id"]) for call in lost] == [115]


def test_the_bots_pace_leaves_a_second_of_slack_under_the_stubs_limits() -> None:
    # Design, not timing: what the bot may send at once plus one more second at its rate
    # (requests reaching the stub up to a second late, as on a busy machine) still fits the
    # stub's buckets, so the burst test below cannot fail for want of CPU.
    slack = 1.0
    assert ratelimit.OVERALL_BURST + ratelimit.OVERALL_RATE * slack <= OVERALL_PER_SECOND
    assert ratelimit.OVERALL_RATE < OVERALL_PER_SECOND
    pace = ratelimit.PRIVATE_CHAT
    assert pace.burst + pace.per_second * slack <= CHAT_BURST
    assert pace.per_second <= CHAT_PER_SECOND


def test_bursts_stay_under_telegrams_limits(fake: FakeTelegram) -> None:
    before = fake.too_many_requests
    for i in range(7):
        fake.text(120, f"will i get bruises {i}")
    for user in range(200, 260):
        fake.text(user, "how long does the procedure take")
    fake.wait_messages(120, 7, timeout=20)
    for user in range(200, 260):
        fake.wait_messages(user, 1, timeout=20)
    assert fake.too_many_requests == before
    texts = [m["text"] for m in fake.messages_to(120)]
    assert all(t.startswith("<b>Bruises") for t in texts)


def start_webhook_bot(hooked: BotApiStub, tmp_path: Path, port: int, path: str) -> BotProcess:
    """A bot in webhook mode on `port` at `path`, once it has set its webhook and listens."""
    bot = start_bot(
        hooked,
        tmp_path,
        SOFTLIFT_WEBHOOK_URL=f"https://bot.example.com{path}",
        SOFTLIFT_WEBHOOK_LISTEN="127.0.0.1",
        SOFTLIFT_WEBHOOK_PORT=str(port),
        SOFTLIFT_WEBHOOK_SECRET="hook-secret_1",
    )
    try:
        hooked.fake.wait_for(lambda: hooked.fake.webhook_url, what="setWebhook")
        wait_for_port(port)
    except BaseException:
        bot.stop()
        raise
    return bot


def test_webhook_mode_refuses_requests_without_the_secret(tmp_path: Path, stub: BotApiStub) -> None:
    with serve(TOKEN) as hooked:
        port = free_port()
        bot = start_webhook_bot(hooked, tmp_path, port, "/tg-hook")
        try:
            assert hooked.fake.webhook_url == "https://bot.example.com/tg-hook"
            message = hooked.fake.user_message(301)
            update = {"update_id": 1, "message": {**message, "text": "will i get bruises"}}
            assert post(port, "/tg-hook", update, None) == 403
            assert post(port, "/tg-hook", update, "wrong") == 403
            assert hooked.fake.messages_to(301) == []
            assert post(port, "/tg-hook", update, "hook-secret_1") == 200
            assert hooked.fake.wait_messages(301, 1)[0]["text"].startswith("<b>Bruises")
        finally:
            assert bot.stop() == 0
        assert "hook-secret_1" not in bot.text()
        assert TOKEN not in bot.text()


@pytest.mark.parametrize(
    ("path", "lookalike"),
    [("/tg(hook", "/tghook"), ("/tg-hook[1]", "/tg-hook1"), ("/tg.hook", "/tgxhook")],
)
def test_a_webhook_path_is_served_as_written_not_as_a_pattern(
    tmp_path: Path, path: str, lookalike: str
) -> None:
    # Found by probing: the path was a regular expression to the web server, so "(" stopped
    # start-up with a traceback, "[1]" served another path (every update refused) and "." any
    # character.
    with serve(TOKEN) as hooked:
        port = free_port()
        bot = start_webhook_bot(hooked, tmp_path, port, path)
        try:
            message = hooked.fake.user_message(302)
            update = {"update_id": 1, "message": {**message, "text": "will i get bruises"}}
            assert post(port, lookalike, update, "hook-secret_1") == 404
            assert post(port, path, update, "hook-secret_1") == 200
            assert hooked.fake.wait_messages(302, 1)[0]["text"].startswith("<b>Bruises")
        finally:
            assert bot.stop() == 0


def test_startup_survives_server_errors(tmp_path: Path) -> None:
    with serve(TOKEN) as flaky:
        flaky.fake.fail("getMe", times=2, mode="500")
        flaky.fake.fail("setMyCommands", times=10, mode="500")
        started = time.monotonic()
        bot = start_bot(flaky, tmp_path)
        try:
            flaky.fake.text(401, "/help")
            assert flaky.fake.wait_messages(401, 1)[0]["text"] == T("help")
            assert "could not register the command menu" in bot.text()
        finally:
            assert bot.stop() == 0
        assert time.monotonic() - started < 30
