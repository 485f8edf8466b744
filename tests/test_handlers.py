"""Handler tests: real Update objects through the real Application, a fake Bot API in process."""

from __future__ import annotations

import dataclasses
import html
import logging
import re
import shutil
import signal
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botapi_stub import FakeTelegram, buttons
from handler_support import feed, running_app

from bot.answers.answer_model import model_path
from bot.answers.loader import load_faq
from bot.answers.matcher import MAX_QUESTION_CHARS
from bot.config import Settings
from bot.faqdoc import FaqError
from bot.locale import get_locale
from bot.messages import Reply
from bot.storage.database import sqlite_path
from bot.telegram_app import ratelimit
from bot.telegram_app.app import ALLOWED_UPDATES, _post_init
from bot.telegram_app.context import App
from bot.telegram_app.delivery import Delivery, telegram_send
from bot.telegram_app.render import parts

TOKEN = "123456789:TEST-token-for-handler-tests_abcdef"
FAQ = Path(__file__).parent / "fixtures" / "telegram.yaml"
ADMIN = 4242
STAFF_CHAT = -100500
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T = get_locale("en").t


@pytest.fixture
def fake() -> FakeTelegram:
    """The fake Bot API, limits on."""
    return FakeTelegram(TOKEN)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with an admin, a staff chat and a private database."""
    return Settings(
        token=TOKEN,
        faq_paths=(FAQ,),
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        admin_ids=frozenset({ADMIN}),
        staff_chat_id=STAFF_CHAT,
    )


@pytest.fixture
async def app(settings: Settings, fake: FakeTelegram) -> AsyncIterator[App]:
    """The application as production builds it, initialised, with the fake network."""
    async with running_app(settings, load_faq(FAQ), fake, NOW) as application:
        yield application


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without waiting, so failure tests stay fast."""
    monkeypatch.setattr(ratelimit, "BACKOFF_SECONDS", (0.0,))


def sent_to(fake: FakeTelegram, chat_id: int) -> list[dict[str, Any]]:
    """Messages the bot sent to one chat."""
    return fake.messages_to(chat_id)


def db_rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the bot's database."""
    conn = sqlite3.connect(sqlite_path(settings.database_url))
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


async def test_start_sends_welcome_disclaimer_and_topics(app: App, fake: FakeTelegram) -> None:
    await feed(app, fake.text(1, "/start"))
    (message,) = sent_to(fake, 1)
    assert "soft lifting" in message["text"]
    assert "not a consultation" in message["text"]
    assert [b["callback_data"] for b in buttons(message)] == ["g:procedure:0", "g:recovery:0"]


async def test_without_a_course_aftercare_commands_say_so_and_the_deep_link_welcomes(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(1, "/start aftercare"))
    note, welcome = sent_to(fake, 1)
    assert note["text"] == T("ac_unavailable")
    assert "not a consultation" in welcome["text"]
    for command in ("/aftercare", "/timezone", "/cancel", "/stop"):
        await feed(app, fake.text(2, command))
    assert [m["text"] for m in sent_to(fake, 2)] == [T("ac_unavailable")] * 4
    await press(app, fake, sent_to(fake, 2)[0], "ac:c:1:2:good")
    assert sent_to(fake, 2)[-1]["text"] == T("ac_unavailable")
    assert not fake.unanswered_queries()


async def test_help_and_topics_show_topic_buttons(app: App, fake: FakeTelegram) -> None:
    await feed(app, fake.text(1, "/help"))
    await feed(app, fake.text(1, "/topics"))
    help_message, topics_message = sent_to(fake, 1)
    assert help_message["text"] == T("help")
    assert topics_message["text"] == T("topics_header")
    assert len(buttons(topics_message)) == 2


async def test_answer_is_html_escaped_with_related_and_feedback_and_recorded(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await feed(app, fake.text(1, "how long does the procedure take"))
    (message,) = sent_to(fake, 1)
    assert message["text"].startswith("<b>How long it takes</b>\n\n")
    assert "&lt; 60 minutes" in message["text"]
    data = [b["callback_data"] for b in buttons(message)]
    assert data == ["e:bruising", "e:pain-during", "fb:1:duration", "fb:0:duration"]
    assert db_rows(settings, "SELECT * FROM questions") == [
        (1, "2025-03-01T12:00:00+00:00", "answer", "duration")
    ]
    assert db_rows(settings, "SELECT * FROM unanswered") == []


async def test_clarify_offers_candidates_and_the_button_answers(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(1, "does it hurt"))
    (clarify,) = sent_to(fake, 1)
    assert clarify["text"] == T("clarify_header")
    data = [b["callback_data"] for b in buttons(clarify)]
    assert set(data) == {"e:pain-during", "e:pain-after", "none"}
    query_id = await press(app, fake, clarify, "e:pain-after")
    assert query_id in fake.answered
    assert sent_to(fake, 1)[-1]["text"].startswith("<b>Pain afterwards</b>")


async def test_topic_button_edits_the_menu_in_place(app: App, fake: FakeTelegram) -> None:
    await feed(app, fake.text(1, "/topics"))
    (menu,) = sent_to(fake, 1)
    await press(app, fake, menu, "g:recovery:0")
    (edited,) = sent_to(fake, 1)
    assert edited["edited"] == 1
    assert edited["text"] == "Recovery: choose a question"
    assert [b["callback_data"] for b in buttons(edited)][:2] == ["e:pain-after", "e:bruising"]
    assert not fake.unanswered_queries()


async def test_all_topics_under_the_not_covered_reply_keeps_the_clinics_contact(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe27: "All topics" under the honest "not covered" reply edited that reply
    # into the topic menu, so the clinic's phone and the "Book a visit" button it had just
    # given the patient vanished from the chat.
    await feed(app, fake.text(1, "what about mars rovers"))
    await press(app, fake, sent_to(fake, 1)[0], "tp")
    kept, menu = sent_to(fake, 1)
    assert "+00 000" in kept["text"] and "edited" not in kept
    assert next(b.get("url") for b in buttons(kept)) == "https://example.com/book"
    assert menu["text"] == T("topics_header")
    # A topic's page is a menu: its "All topics" still turns it back into the topics, in place.
    await press(app, fake, menu, "g:recovery:0")
    await press(app, fake, sent_to(fake, 1)[1], "tp")
    assert [m["text"] for m in sent_to(fake, 1)][1:] == [T("topics_header")]
    assert not fake.unanswered_queries()


async def press(app: App, fake: FakeTelegram, message: dict[str, Any], data: str) -> str:
    """Press a button on a bot message and process the callback query."""
    query_id = fake.press(message, data)
    await feed(app, fake.pending()[-1])
    return query_id


@pytest.mark.parametrize(
    "data",
    [
        "e:no-such-entry",
        "g:nope:0",
        "g:recovery:9",
        "xyz",
        "fb:1:gone",
        # A JSON "\ud83d" delivers half a surrogate pair: the vote check and the language
        # button parsed it raw (UnicodeEncodeError, the apology, a press never answered).
        "e:\ud83d",
        "fb:1:\ud83d",
        "\udc00",
        "lang:\ud83d",
    ],
)
async def test_stale_or_forged_press_gets_polite_answer(
    app: App, fake: FakeTelegram, data: str
) -> None:
    await feed(app, fake.text(1, "/topics"))
    await press(app, fake, sent_to(fake, 1)[0], data)
    assert sent_to(fake, 1)[-1]["text"] == T("stale_button")
    assert not fake.unanswered_queries()


async def test_a_question_with_half_a_surrogate_pair_is_answered_once_and_counted(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # The engine reads such text (it is made readable), but the question's record stored it as
    # it came: sqlite3 cannot encode half a surrogate pair, so the patient got the answer and
    # then the generic apology, and the question was neither counted nor kept.
    await feed(app, fake.text(1, "what about \ud83d mars rovers"))
    (message,) = sent_to(fake, 1)
    assert "Clinic &lt;Test&gt; &amp; Co" in message["text"]
    assert db_rows(settings, "SELECT kind FROM questions") == [("fallback",)]


async def test_feedback_is_stored_thanked_and_its_row_removed(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await feed(app, fake.text(1, "will i get bruises"))
    answer = sent_to(fake, 1)[0]
    await press(app, fake, answer, "fb:0:bruising")
    await press(app, fake, answer, "fb:1:bruising")
    (call, _) = fake.calls_of("answerCallbackQuery")
    assert call.params["text"] == T("feedback_thanks")
    assert [b["callback_data"] for b in buttons(sent_to(fake, 1)[0])] == ["e:duration"]
    assert db_rows(settings, "SELECT user_id, entry_id, helpful FROM feedback") == [
        (1, "bruising", 1)
    ]


async def test_fallback_stores_text_without_user(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await feed(app, fake.text(1, "what about mars rovers"))
    (message,) = sent_to(fake, 1)
    assert "Clinic &lt;Test&gt; &amp; Co" in message["text"]
    assert next(b.get("url") for b in buttons(message)) == "https://example.com/book"
    assert db_rows(settings, "SELECT asked_at, text FROM unanswered") == [
        ("2025-03-01T12:00:00+00:00", "what about mars rovers")
    ]
    assert db_rows(settings, "SELECT kind, entry_id FROM questions") == [("fallback", None)]


async def test_small_talk_is_not_counted_as_a_question_the_faq_did_not_cover(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probe25: "hi", "thanks!" and "ok" were recorded as questions that fell back, so
    # /stats counted every greeting and thank-you as "not covered" (a chatty month's chart
    # read as a FAQ missing a third of what was asked), while /unanswered, which keeps only
    # the questions, listed none of them.
    for text in ("hi", "thanks!", "ok", "🙂", "what about mars rovers"):
        await feed(app, fake.text(1, text))
    assert len(sent_to(fake, 1)) == 5
    assert db_rows(settings, "SELECT kind FROM questions") == [("fallback",)]
    assert db_rows(settings, "SELECT text FROM unanswered") == [("what about mars rovers",)]


async def test_no_row_with_a_patients_id_tells_when_an_unanswered_text_was_asked(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probe22: the kept text of a question has no user id ("nothing links them to
    # the patient"), but the patient's language row, keyed by their Telegram id, was stamped
    # in the same second as the message that first wrote or refreshed it: joined on the time,
    # it named who asked it. It keeps the day alone now, all the silence purge needs.
    services, clock = app.bot_data.services, [NOW + timedelta(minutes=17, seconds=42)]
    services.clock = lambda: clock[0]
    await feed(app, fake.text(1, "what about mars rovers"))
    clock[0] += timedelta(days=2, hours=3)  # the row's day-old last-seen time is refreshed
    await feed(app, fake.text(1, "what about moon rovers"))
    asked = {at for (at,) in db_rows(settings, "SELECT asked_at FROM unanswered")}
    assert len(asked) == 2
    for row in db_rows(settings, "SELECT * FROM patients"):
        assert not asked & set(row), row


async def test_urgent_answers_and_alerts_staff_with_name_username_and_text(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(7, "I have a fever <b>help</b>", first_name="Eve & Co"))
    (reply,) = sent_to(fake, 7)
    assert reply["text"] == "Contact your treating doctor now: +00 000."
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert '<a href="tg://user?id=7">Eve &amp; Co</a>' in alert["text"]
    assert "@anna_patient" in alert["text"]
    assert "I have a fever &lt;b&gt;help&lt;/b&gt;" in alert["text"]


async def test_the_staff_alert_is_kept_before_the_patient_is_answered(
    app: App, fake: FakeTelegram
) -> None:
    # The reply to the patient fails (here: they blocked the bot at once; in production the
    # process may die right after the reply): the alert must already be in the outbox.
    fake.block(8)
    await feed(app, fake.text(8, "I have a fever since this morning"))
    assert sent_to(fake, 8) == []
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert "I have a fever since this morning" in alert["text"]


@pytest.mark.parametrize(
    "text",
    [
        "/help I have a fever since this morning",
        "/start I have a fever since this morning",
        "/I have a fever since this morning",
        "/help@softlift_test_bot I have a fever",
    ],
)
async def test_a_danger_sign_typed_after_a_command_gets_the_urgent_reply_and_the_alert(
    app: App, fake: FakeTelegram, settings: Settings, text: str
) -> None:
    await feed(app, fake.text(8, text))
    assert [m["text"] for m in sent_to(fake, 8)] == ["Contact your treating doctor now: +00 000."]
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert "I have a fever" in alert["text"]
    assert db_rows(settings, "SELECT kind FROM questions") == [("urgent",)]


@pytest.mark.parametrize(
    "text", ["/help I have a fever", "/start@softlift_test_bot I have a fever"]
)
async def test_a_danger_sign_after_a_command_the_bot_answers_in_a_group_is_urgent(
    app: App, fake: FakeTelegram, text: str
) -> None:
    # A plain /help in a group is answered (it is ours unless it names another bot), so the
    # danger sign typed after it is read too.
    await feed(app, fake.text(-300, text, user_id=9, chat_type="group"))
    assert [m["text"] for m in sent_to(fake, -300)] == [
        "Contact your treating doctor now: +00 000."
    ]
    assert len(sent_to(fake, STAFF_CHAT)) == 1


async def test_a_danger_sign_in_a_group_alerts_the_staff_with_the_group(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: an alert for a danger sign in a patients' group read as one from a
    # private chat (name, username, words), so the staff did not know where to look or that
    # the patient may not read a private message from the clinic's account first.
    await feed(app, fake.text(8, "I have a fever since this morning"))
    await feed(app, fake.text(-300, "/help I have a fever", user_id=9, chat_type="group"))
    said = "@softlift_test_bot I have a fever"
    await feed(app, fake.text(-1001234567890, said, user_id=10, chat_type="supergroup"))
    private, group, supergroup = (m["text"] for m in sent_to(fake, STAFF_CHAT))
    assert "group" not in private
    assert group.startswith('👥 Written in the group "Clinic patients", not in a private chat')
    assert "https://" not in group  # a basic group's messages have no link
    first, *_ = supergroup.splitlines()
    assert first.startswith('👥 Written in the group "Clinic patients"')
    assert re.search(r": https://t\.me/c/1234567890/\d+$", first)


@pytest.mark.parametrize("text", ["/help@other_bot I have a fever", "/weather I have a fever"])
async def test_a_command_for_another_bot_in_a_group_is_left_alone(
    app: App, fake: FakeTelegram, text: str
) -> None:
    await feed(app, fake.text(-300, text, user_id=9, chat_type="group"))
    assert sent_to(fake, -300) == [] and sent_to(fake, STAFF_CHAT) == []


@pytest.mark.parametrize("text", ["/help", "/help me please", "/start aftercare", "/topics"])
async def test_a_command_without_a_danger_sign_is_only_the_command(
    app: App, fake: FakeTelegram, settings: Settings, text: str
) -> None:
    await feed(app, fake.text(8, text))
    assert len(sent_to(fake, 8)) >= 1
    assert sent_to(fake, STAFF_CHAT) == []
    assert db_rows(settings, "SELECT kind FROM questions") == []


def database_bytes(settings: Settings) -> dict[str, bytes]:
    """The bytes of the bot's database file and of its WAL, read while the bot runs."""
    path = sqlite_path(settings.database_url)
    wal = path.with_name(f"{path.name}-wal")
    return {"db": path.read_bytes(), "wal": wal.read_bytes() if wal.exists() else b""}


@pytest.mark.parametrize("delivered", [False, True], ids=["forget", "alert-delivered"])
async def test_erased_alerts_do_not_linger_in_the_wal_while_the_bot_runs(
    app: App, fake: FakeTelegram, settings: Settings, delivered: bool
) -> None:
    marker, username = b"qz-marker-5118", b"qz_user_5118"
    if not delivered:
        fake.block(STAFF_CHAT)  # the alert waits in the outbox until /forget erases it
    await feed(app, fake.text(21, "I have a fever qz-marker-5118", username="qz_user_5118"))
    if delivered:  # and deleted from the outbox
        assert "qz-marker-5118" in sent_to(fake, STAFF_CHAT)[-1]["text"]
    else:
        assert marker in database_bytes(settings)["wal"]  # written, not yet checkpointed
        await feed(app, fake.text(21, "/forget"))
    assert db_rows(settings, "SELECT count(*) FROM alerts") == [(0,)]
    for name, data in database_bytes(settings).items():
        assert marker not in data and username not in data, name


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "video", "location", "document"])
async def test_non_text_messages_get_a_friendly_line(
    app: App, fake: FakeTelegram, kind: str
) -> None:
    await feed(app, fake.media(1, kind))
    assert [m["text"] for m in sent_to(fake, 1)] == [T("non_text", phone="+00 000")]


@pytest.mark.parametrize("kind", ["photo", "voice"])
async def test_a_photo_or_voice_note_outside_a_course_points_to_the_doctor_in_one_message(
    app: App, fake: FakeTelegram, kind: str
) -> None:
    # Found by probing: a photo of a swollen lip or a voice note from a patient with no course
    # got only "please type your question in words", not where to turn if it was worrying (a
    # patient in a course was told).
    await feed(app, fake.media(1, kind))
    (reply,) = sent_to(fake, 1)
    assert "treating doctor" in reply["text"] and "+00 000" in reply["text"]


@pytest.mark.parametrize("text", ["👍🙂", "?!", "   "])
async def test_emoji_only_or_empty_asks_for_words_and_stores_no_text(
    app: App, fake: FakeTelegram, settings: Settings, text: str
) -> None:
    await feed(app, fake.text(1, text))
    assert sent_to(fake, 1)[0]["text"] == T("empty_message")
    assert db_rows(settings, "SELECT * FROM unanswered") == []


async def test_over_long_message_is_read_in_part(app: App, fake: FakeTelegram) -> None:
    await feed(app, fake.text(1, "will i get bruises " + "x" * 5000))
    note, answer = sent_to(fake, 1)
    assert note["text"] == T("too_long", limit=MAX_QUESTION_CHARS)
    assert answer["text"].startswith("<b>Bruises &amp; &lt;swelling&gt;</b>")


async def test_an_over_long_urgent_message_gets_the_urgent_reply_alone(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: "I read the first 2000 characters" went first, although red flags read
    # the whole message, and the urgent reply waited behind it.
    await feed(app, fake.text(1, "x " * 1500 + "I have a fever"))
    (reply,) = sent_to(fake, 1)
    assert reply["text"] == "Contact your treating doctor now: +00 000."


async def test_groups_answer_only_commands_mentions_and_replies(
    app: App, fake: FakeTelegram
) -> None:
    group = {"chat_type": "group", "user_id": 5}
    await feed(app, fake.text(-1, "will i get bruises", **group))
    await feed(app, fake.text(-1, "/help@other_bot", **group))
    await feed(app, fake.text(-1, "/frobnicate", **group))
    assert sent_to(fake, -1) == []
    await feed(app, fake.text(-1, "@softlift_test_bot will i get bruises", **group))
    await feed(app, fake.text(-1, "/help@softlift_test_bot", **group))
    await feed(app, fake.text(-1, "/frobnicate@softlift_test_bot", **group))
    await feed(app, fake.text(-1, "/topics", **group))
    bot_message = sent_to(fake, -1)[0]
    await feed(
        app, fake.text(-1, "how long does the procedure take", reply_to=bot_message, **group)
    )
    texts = [m["text"] for m in sent_to(fake, -1)]
    assert texts[0].startswith("<b>Bruises")
    assert texts[1:4] == [T("help"), T("unknown_command"), T("topics_header")]
    assert texts[4].startswith("<b>How long it takes")


async def test_a_group_question_deleted_before_its_reply_still_gets_the_answer(
    app: App, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probing (eng32): in a group a reply quotes the question, and Telegram refuses to
    # quote a message deleted meanwhile (by the patient, or an admin tidying the group while
    # the reply waited for the group's pace): the answer failed with "message to be replied
    # not found", an error was logged and the group got "something went wrong" instead.
    group = {"chat_type": "group", "user_id": 5}
    update = fake.text(-1, "@softlift_test_bot will i get bruises", **group)
    fake.delete(update["message"])
    await feed(app, update)
    (answer,) = sent_to(fake, -1)
    assert answer["text"].startswith("<b>Bruises")
    assert "failed" not in caplog.text


async def test_a_photo_in_a_group_whose_caption_mentions_the_bot_is_answered(
    app: App, fake: FakeTelegram
) -> None:
    # The mention is in the caption's entities, not the text's: the group filter read only
    # the text's, so a photo of a danger sign addressed to the bot got nothing at all.
    group = {"chat_type": "group", "user_id": 5}
    await feed(app, fake.media(-1, "photo", caption="look, I have a fever", **group))
    assert sent_to(fake, -1) == []
    await feed(app, fake.media(-1, "photo", caption="@softlift_test_bot I have a fever", **group))
    (reply,) = sent_to(fake, -1)
    assert reply["text"] == "Contact your treating doctor now: +00 000."
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert "I have a fever" in alert["text"]


async def test_the_mention_is_removed_as_written_after_letters_that_grow_in_lower_case(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: the @mention was found in the lower-cased text and cut from the text as
    # written; "İ" lower-cases to two characters, so the cut fell later (a danger sign lost its
    # first words), or past the end, where nothing was cut and the loop never ended: twenty
    # "İ" before the bot's name froze the whole bot, every patient's replies with it.
    def overdue(_signum: int, _frame: object) -> None:
        raise TimeoutError("the message was never answered")

    # Again every second after the first: the error handler reads the text once more.
    previous = signal.signal(signal.SIGALRM, overdue)
    signal.setitimer(signal.ITIMER_REAL, 20, 1)
    try:
        await feed(app, fake.text(1, "İ" * 20 + "@softlift_test_bot"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert sent_to(fake, 1)[-1]["text"] == T("empty_message")
    group = {"chat_type": "group", "user_id": 5}
    said = "İ" * 10 + "@softlift_test_bot my vision is blurry"
    await feed(app, fake.text(-1, said, **group))
    (reply,) = sent_to(fake, -1)
    assert reply["text"].endswith("Contact your treating doctor now: +00 000.")


async def test_stats_text_for_admin_and_unknown_command_for_others(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(1, "will i get bruises"))
    await feed(app, fake.text(1, "how much does it cost"))
    await feed(app, fake.text(1, "how much does it COST "))
    await press(app, fake, sent_to(fake, 1)[0], "fb:1:bruising")
    await feed(app, fake.text(1, "/stats text"))
    assert sent_to(fake, 1)[-1]["text"] == T("unknown_command")
    await feed(app, fake.text(ADMIN, "/stats text"))
    (report,) = sent_to(fake, ADMIN)
    text = report["text"]
    assert text.startswith("<b>Statistics</b>")
    assert "Last 7 days: questions 3 (answered 1, clarified 0, fell back 2, urgent 0)" in text
    assert "• Bruises &amp; &lt;swelling&gt;: 1" in text
    assert "• Bruises &amp; &lt;swelling&gt;: 👍 1 / 👎 0" in text
    assert "• how much does it cost: 2" in text


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
@pytest.mark.parametrize(
    "command", ["/unanswered", "/stats text", "/stats", "/stats@softlift_test_bot text"]
)
async def test_staff_reports_in_a_group_reveal_nothing(
    app: App, fake: FakeTelegram, chat_type: str, command: str
) -> None:
    await feed(app, fake.text(1, "how much does it cost"))  # a patient's text, stored
    await feed(app, fake.text(-7, command, user_id=ADMIN, chat_type=chat_type))
    await feed(app, fake.text(-7, command, user_id=1, chat_type=chat_type))
    in_group = sent_to(fake, -7)
    assert not any("photo" in m or "cost" in m.get("text", "") for m in in_group)
    assert [m["text"] for m in in_group][:1] == [T("staff_private_only")]
    assert [m["text"] for m in in_group][1:] in ([], [T("unknown_command")])  # not an admin
    await feed(app, fake.text(ADMIN, command))
    assert sent_to(fake, ADMIN)  # the report still comes in the admin's private chat


async def test_reload_works_in_a_group_it_shows_no_patient_data(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(-7, "/reload", user_id=ADMIN, chat_type="group"))
    assert sent_to(fake, -7)[-1]["text"].startswith("FAQ reloaded: 4 entries")


async def test_reload_keeps_old_faq_on_error_and_swaps_on_success(
    app: App, fake: FakeTelegram, settings: Settings, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ.read_text().replace("related: [duration]", "related: [nowhere]"))
    _serve_from(app, settings, faq)
    await feed(app, fake.text(ADMIN, "/reload"))
    assert "nowhere" in sent_to(fake, ADMIN)[-1]["text"]
    assert T("reload_failed", errors="").strip() in sent_to(fake, ADMIN)[-1]["text"]
    await feed(app, fake.text(ADMIN, "will i get bruises"))
    assert sent_to(fake, ADMIN)[-1]["text"].startswith("<b>Bruises")
    faq.write_text(FAQ.read_text().replace("title: Bruises & <swelling>", "title: Bruising"))
    await feed(app, fake.text(ADMIN, "/reload"))
    assert sent_to(fake, ADMIN)[-1]["text"].startswith("FAQ reloaded: 4 entries")
    await feed(app, fake.text(ADMIN, "will i get bruises"))
    assert sent_to(fake, ADMIN)[-1]["text"].startswith("<b>Bruising</b>")
    await feed(app, fake.text(1, "/reload"))
    assert sent_to(fake, 1)[-1]["text"] == T("unknown_command")


@pytest.mark.parametrize(
    "typed",
    ["/delete", "/unsubscribe", "/forget_me", "/Delete_My_Data", "/optout@softlift_test_bot"],
)
async def test_a_command_asking_to_delete_or_unsubscribe_points_to_forget_and_stop(
    app: App, fake: FakeTelegram, typed: str
) -> None:
    # Found by probing (eng38): "/delete" and "/unsubscribe" got "I don't know that command.
    # Try /help", which names neither /forget nor /stop, while "delete my data" typed points
    # to both.
    await feed(app, fake.text(5, typed))
    assert [m["text"] for m in sent_to(fake, 5)] == [T("privacy_request_reply")]
    await feed(app, fake.text(5, "/deletion_log"))
    assert sent_to(fake, 5)[-1]["text"] == T("unknown_command")


@pytest.mark.parametrize("typed", ["/reload faq/other.yaml", "/reload@softlift_test_bot now"])
async def test_reload_with_words_after_it_says_it_takes_none_and_reloads_nothing(
    app: App, fake: FakeTelegram, settings: Settings, tmp_path: Path, typed: str
) -> None:
    # Found by probing (eng38): "/reload faq/other.yaml" re-read the configured files and said
    # "FAQ reloaded" as if it had read the path typed; an admin believed the other file served.
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ.read_text().replace("title: Bruises & <swelling>", "title: Bruising"))
    _serve_from(app, settings, faq)
    await feed(app, fake.text(ADMIN, typed))
    assert [m["text"] for m in sent_to(fake, ADMIN)] == [T("reload_usage")]
    await feed(app, fake.text(ADMIN, "will i get bruises"))
    assert sent_to(fake, ADMIN)[-1]["text"].startswith("<b>Bruises")  # the old file serves


async def test_a_reload_with_many_problems_shows_the_first_ones_in_one_message(
    app: App, fake: FakeTelegram, settings: Settings, tmp_path: Path
) -> None:
    # Found by probing: every problem was sent, split into Telegram messages: 600 problems
    # (a block pasted twice, a key renamed in every entry) made a dozen messages, at a group's
    # 18 a minute in the staff chat, where urgent alerts wait behind them in the same queue.
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ.read_text() + "".join(f"stray{i}: x\n" for i in range(600)))
    _serve_from(app, settings, faq)
    before = len(sent_to(fake, ADMIN))
    await feed(app, fake.text(ADMIN, "/reload"))
    (shown,) = [m["text"] for m in sent_to(fake, ADMIN)[before:]]
    assert T("reload_failed", errors="").strip() in shown
    assert "unknown key 'stray0'" in shown  # the first problems, with file and line
    assert "faq check" in shown and "more" in shown  # where to see the rest
    assert len(shown) <= 4096


def _serve_from(app: App, settings: Settings, faq: Path) -> None:
    """Point the app's settings at one FAQ file, with ADMIN as its staff."""
    app.bot_data.services.settings = Settings(
        token=TOKEN,
        faq_paths=(faq,),
        database_url=settings.database_url,
        admin_ids=frozenset({ADMIN}),
    )


async def _reload_from(app: App, fake: FakeTelegram, settings: Settings, faq: Path) -> str:
    """The admin's /reload of the app from one FAQ file: the reply shown."""
    _serve_from(app, settings, faq)
    await feed(app, fake.text(ADMIN, "/reload"))
    return str(sent_to(fake, ADMIN)[-1]["text"])


async def test_a_reload_says_which_red_flag_examples_disagree_with_their_signs(
    app: App, fake: FakeTelegram, settings: Settings, tmp_path: Path
) -> None:
    # Found by probing: a doctor who added a danger message the signs do not catch, or a calm
    # one they do, and sent /reload read only "FAQ reloaded": faq check alone says so.
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        FAQ.read_text()
        .replace("examples: [I have a fever]", "examples: [I have a fever, my temperature is 39]")
        .replace("not_examples: [no fever at all]", "not_examples: [hay fever season again]")
    )
    shown = await _reload_from(app, fake, settings, faq)
    assert shown.startswith("FAQ reloaded: 4 entries")
    lines = FAQ.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "examples: [I have a fever]" in text)
    assert f"{faq}:{line}: red flag 'fever': example 'my temperature is 39' does not" in shown
    assert "not_example 'hay fever season again' triggers 'fever'" in shown


async def test_a_reload_says_which_faq_questions_a_red_flag_now_catches(
    app: App, fake: FakeTelegram, settings: Settings, tmp_path: Path
) -> None:
    # Found by probing: a sign written too broadly ("injection") turned the FAQ's own questions
    # into urgent replies, and /reload said only "FAQ reloaded"; faq check alone named them.
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ.read_text().replace("signs: [fever]", "signs: [fever, injection]"))
    shown = await _reload_from(app, fake, settings, faq)
    assert shown.startswith("FAQ reloaded: 4 entries")
    assert (
        "entry 'pain-after': question 'does it hurt after the injection' reaches the red " in shown
    )
    assert "flag 'fever': reword it, or give the sign that catches it an exception" in shown


async def test_a_reload_says_when_the_answer_model_beside_the_file_is_not_used(
    app: App, fake: FakeTelegram, settings: Settings, tmp_path: Path
) -> None:
    # A doctor's edit makes the model beside the file stale: it is set aside (answers on the
    # words alone) and /reload said only "FAQ reloaded".
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ.read_text())
    shipped = Path(__file__).parent.parent / "faq" / "softlifting.yaml"
    shutil.copy(model_path(shipped), model_path(faq))  # trained for another file
    shown = await _reload_from(app, fake, settings, faq)
    assert shown.startswith("FAQ reloaded: 4 entries")
    assert f"The answer model beside {faq} was trained for an earlier version" in shown
    assert "make model" in shown


async def test_a_reload_on_one_instance_reaches_the_others_at_their_next_tick(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ.read_text())
    shared = Settings(
        token=TOKEN,
        faq_paths=(faq,),
        database_url=f"sqlite:///{tmp_path / 'shared.db'}",
        admin_ids=frozenset({ADMIN}),
    )
    async with (
        running_app(shared, load_faq(faq), fake, NOW) as first,
        running_app(shared, load_faq(faq), fake, NOW) as second,
    ):
        faq.write_text(FAQ.read_text().replace("title: Bruises & <swelling>", "title: Bruising"))
        await feed(first, fake.text(ADMIN, "/reload"))
        other = second.bot_data.services
        assert other.assistant().kb.entry("bruising").title != "Bruising"  # not yet
        assert await other.follow_reloads()  # what the other instance's tick does
        assert other.assistant().kb.entry("bruising").title == "Bruising"
        assert not await other.follow_reloads()  # once


def test_long_reply_is_split_on_paragraphs_within_the_limit() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 300 for i in range(10))
    pieces = parts(Reply(text, title="Title <x>"))
    assert len(pieces) > 1
    assert pieces[0].html.startswith("<b>Title &lt;x&gt;</b>\n\n")
    assert all(len(p.html) <= 4096 for p in pieces)
    assert all(p.keyboard is None for p in pieces)


async def test_transient_failures_are_retried_and_the_reply_arrives(
    app: App, fake: FakeTelegram
) -> None:
    fake.fail("sendMessage", times=1, mode="500")
    await feed(app, fake.text(1, "/help"))
    fake.fail("sendMessage", times=1, mode="timeout")
    await feed(app, fake.text(1, "/topics"))
    assert [m["text"] for m in sent_to(fake, 1)] == [T("help"), T("topics_header")]


async def test_error_handler_logs_ids_not_text_and_apologises(
    app: App, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("sendMessage", times=ratelimit.MAX_RETRIES + 1, mode="500")
    with caplog.at_level(logging.INFO):
        update = fake.text(3, "will i get bruises secretword")
        await feed(app, update)
    assert sent_to(fake, 3)[-1]["text"] == T("error_apology")
    assert f"update {update['update_id']} in chat 3 failed" in caplog.text
    assert "secretword" not in caplog.text
    assert TOKEN not in caplog.text


async def test_command_menu_is_registered_and_a_refusal_only_warns(
    app: App, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    await _post_init(app)
    assert [c["command"] for c in fake.commands] == ["start", "topics", "help", "forget"]
    fake.fail("setMyCommands", times=ratelimit.MAX_RETRIES + 1, mode="500")
    await _post_init(app)
    assert "could not register the command menu" in caplog.text


def test_callback_data_over_64_bytes_never_reaches_telegram() -> None:
    from bot.messages import Button

    reply = Reply("x", buttons=((Button("ok", "e:ok"), Button("long", "e:" + "x" * 80)),))
    (part,) = parts(reply)
    assert part.keyboard is not None
    assert [b.callback_data for b in part.keyboard.inline_keyboard[0]] == ["e:ok"]


def test_log_filter_masks_the_token_in_messages_arguments_and_tracebacks() -> None:
    from bot.telegram_app.logging_setup import SecretMaskFilter

    mask = SecretMaskFilter([TOKEN])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "url %s", (f"/bot{TOKEN}/x",), (type(exc), exc, None)
        )
    assert mask.filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert "[secret]" in formatted


@pytest.mark.parametrize("placeholder", ["{name.first}", "{name[x]}", "{nme}"])
async def test_reload_shows_the_admin_the_line_faq_check_prints(
    app: App, fake: FakeTelegram, settings: Settings, tmp_path: Path, placeholder: str
) -> None:
    faq = tmp_path / "faq.yaml"
    original = FAQ.read_text()
    broken = original.replace('fallback: "', f'fallback: "{placeholder} ', 1)
    assert broken != original
    faq.write_text(broken)
    shown = await _reload_from(app, fake, settings, faq)
    with pytest.raises(FaqError) as raised:  # what `faq check` prints, one line
        load_faq(faq)
    assert len(str(raised.value).splitlines()) == 1
    assert html.escape(str(raised.value), quote=False) in shown
    assert T("error_apology") not in shown


async def test_a_photo_caption_with_a_danger_sign_gets_the_urgent_reply_and_alert(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.media(8, "photo", caption="look, I have a fever since the morning"))
    (reply,) = sent_to(fake, 8)
    assert reply["text"] == "Contact your treating doctor now: +00 000."
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert "I have a fever since the morning" in alert["text"]
    await feed(app, fake.media(9, "photo", caption="will i get bruises"))
    assert sent_to(fake, 9)[0]["text"].startswith("<b>Bruises")
    await feed(app, fake.media(10, "photo"))
    assert sent_to(fake, 10)[0]["text"] == T("non_text", phone="+00 000")


async def test_an_album_gets_one_reply_not_one_note_per_photo(app: App, fake: FakeTelegram) -> None:
    # Found by probe27: Telegram delivers an album (three photos of a lip, one caption) as a
    # message per photo; the captioned one got the urgent reply, and each other photo then
    # "I can only read text messages. Please type your question in words." under it.
    album = [fake.media(8, "photo", caption="look, I have a fever since the morning")]
    album += [fake.media(8, "photo"), fake.media(8, "photo")]
    later = [fake.media(8, "photo"), fake.media(8, "photo", caption="will i get bruises")]
    for update in [*album, fake.media(8, "photo"), *later]:
        update["message"]["media_group_id"] = "album-1" if update in album else "album-2"
        await feed(app, update)
    sent = [m["text"] for m in sent_to(fake, 8)]
    assert sent[:2] == [
        "Contact your treating doctor now: +00 000.",
        T("non_text", phone="+00 000"),
    ]
    assert len(sent) == 3 and sent[2].startswith("<b>Bruises")  # a caption is always read
    assert len(sent_to(fake, STAFF_CHAT)) == 1


async def test_the_staff_alert_quotes_the_message_without_direction_controls(
    app: App, fake: FakeTelegram
) -> None:
    # A right-to-left override makes the quote read backwards in the staff chat, and lets a
    # patient dress up how the alert reads. Found by probing the running bot.
    await feed(app, fake.text(7, "\u202e" * 100 + "I have a fever \u2066x\u2069 \u200f"))
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert not any(c in alert["text"] for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069\u200f")
    assert "I have a fever x" in alert["text"]


async def test_the_staff_alert_shows_the_patients_name_without_direction_controls(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: the quote lost its direction controls but the name kept them, so a
    # hostile name ("\u202e" and text) reversed the rest of the alert's name line.
    await feed(
        app, fake.text(7, "I have a fever", first_name="\u202eEve\u202c \u2066x\u2069\u200e")
    )
    await feed(app, fake.text(8, "I have a fever too", first_name="\u202e\u200f\u2067"))
    first, second = (m["text"] for m in sent_to(fake, STAFF_CHAT))
    for alert in (first, second):
        assert not any(c in alert for c in "\u061c\u200e\u200f\u202a\u202c\u202e\u2066\u2067\u2069")
    assert '<a href="tg://user?id=7">Eve x</a>' in first
    # A name made of controls alone shows as no name, not as an empty (invisible) link.
    assert f'<a href="tg://user?id=8">{T("no_name")}</a>' in second


async def test_colleagues_replying_to_an_alert_in_the_staff_group_are_no_patients(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing: a reply to the bot's alert is addressed to the bot, so a colleague's
    # "calling her now, fever and pus" got the urgent reply in the staff group, a new alert
    # about the colleague, and staff texts counted among the patients' questions.
    await feed(app, fake.text(31, "I have a fever since this morning"))
    (alert,) = sent_to(fake, STAFF_CHAT)
    doctor: dict[str, Any] = {"user_id": 77, "chat_type": "supergroup", "reply_to": alert}
    reply = fake.text(STAFF_CHAT, "calling her now, fever and pus is an infection", **doctor)
    await feed(app, reply)
    await feed(app, _edited(reply, "calling her now: fever, pus, her lip is blue"))
    await feed(app, fake.text(STAFF_CHAT, "how much does a consultation cost", **doctor))
    await feed(app, fake.media(STAFF_CHAT, "photo", "@softlift_test_bot lip is blue", user_id=77))
    assert sent_to(fake, STAFF_CHAT) == [alert]
    assert db_rows(settings, "SELECT kind FROM questions") == [("urgent",)]
    assert db_rows(settings, "SELECT count(*) FROM unanswered") == [(0,)]
    await feed(app, fake.text(STAFF_CHAT, "/reload", user_id=ADMIN, chat_type="supergroup"))
    assert sent_to(fake, STAFF_CHAT)[-1]["text"].startswith("FAQ reloaded")  # commands still work


async def test_the_staff_group_stays_no_patients_chat_after_it_becomes_a_supergroup(
    app: App, fake: FakeTelegram
) -> None:
    # An upgraded group gets a new id: colleagues there were read as patients again until the
    # operator set the new id and restarted (found by probing).
    supergroup = STAFF_CHAT - 1_000_000_000_000
    moved = fake.text(STAFF_CHAT, "x", chat_type="group")
    del moved["message"]["text"]
    moved["message"]["migrate_to_chat_id"] = supergroup
    await feed(app, moved)
    doctor: dict[str, Any] = {"user_id": 77, "chat_type": "supergroup"}
    await feed(app, fake.text(supergroup, "@softlift_test_bot calling her now, fever", **doctor))
    assert sent_to(fake, supergroup) == []


async def test_a_staff_supergroup_learnt_from_an_alert_is_no_patients_chat(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probe25: a group upgraded while the bot was down (or whose migration message
    # another instance received) is learnt from the refused alert, which then goes to the
    # supergroup; a colleague replying to it there got the urgent reply and alerted the staff
    # about themselves, as the staff group's filter still named only the old id.
    supergroup = STAFF_CHAT - 1_000_000_000_000
    fake.migrate(STAFF_CHAT, supergroup)
    await feed(app, fake.text(31, "I have a fever since this morning"))
    (alert,) = sent_to(fake, supergroup)
    doctor: dict[str, Any] = {"user_id": 77, "chat_type": "supergroup", "reply_to": alert}
    await feed(app, fake.text(supergroup, "calling her now, fever and pus", **doctor))
    assert sent_to(fake, supergroup) == [alert]
    assert db_rows(settings, "SELECT kind FROM questions") == [("urgent",)]


async def test_a_staff_group_upgraded_while_the_bot_was_down_is_learnt_at_start(
    settings: Settings, fake: FakeTelegram
) -> None:
    # Found by probing: until an alert was refused, a colleague in the new supergroup was a
    # patient. A staff chat that is a supergroup already is not asked about.
    supergroup = STAFF_CHAT - 1_000_000_000_000
    fake.migrate(STAFF_CHAT, supergroup)
    async with running_app(settings, load_faq(FAQ), fake, NOW) as app:
        await _post_init(app)
        doctor: dict[str, Any] = {"user_id": 77, "chat_type": "supergroup"}
        await feed(
            app, fake.text(supergroup, "@softlift_test_bot calling her now, fever", **doctor)
        )
    assert sent_to(fake, supergroup) == []
    moved = dataclasses.replace(settings, staff_chat_id=supergroup)
    async with running_app(moved, load_faq(FAQ), fake, NOW) as app:
        await _post_init(app)
    assert [c.params["chat_id"] for c in fake.calls_of("getChatMemberCount")] == [STAFF_CHAT]


def _edited(update: dict[str, Any], text: str, edit: int = 1) -> dict[str, Any]:
    """The update Telegram sends when the patient edits a message (the `edit`-th time)."""
    date = update["message"]["date"] + 60 * edit
    message = {**update["message"], "text": text, "edit_date": date}
    return {"update_id": update["update_id"] + 10_000 * edit, "edited_message": message}


async def test_a_danger_sign_edited_into_a_message_gets_the_urgent_reply_and_alert(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing the running bot: edits were never delivered, so a patient who edited
    # "my lip is fine" into "my lip is blue" got nothing.
    first = fake.text(7, "how long does swelling last")
    await feed(app, first)
    await feed(app, _edited(first, "how long does swelling last, I have a fever since morning"))
    replies = sent_to(fake, 7)
    assert replies[-1]["text"] == "Contact your treating doctor now: +00 000."
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert "I have a fever since morning" in alert["text"]


async def test_a_danger_sign_edited_in_after_a_command_the_bot_answers_in_a_group_is_urgent(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe27: a plain "/help" in a group is answered, and "/help I have a fever"
    # sent there is urgent, but the same words edited into that "/help" were never read:
    # edits were read only in messages that named the bot, replied to it or were private.
    first = fake.text(-300, "/help", user_id=9, chat_type="group")
    other = fake.text(-300, "/help@other_bot", user_id=9, chat_type="group")
    for update in (first, other):
        await feed(app, update)
        await feed(app, _edited(update, f"{update['message']['text']} I have a fever since noon"))
    assert [m["text"] for m in sent_to(fake, -300)] == [
        T("help"),
        "Contact your treating doctor now: +00 000.",
    ]
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert "I have a fever since noon" in alert["text"]


async def test_an_urgent_message_edited_twice_alerts_the_staff_once(
    app: App, fake: FakeTelegram
) -> None:
    first = fake.text(7, "I have a fever since morning")
    await feed(app, first)
    await feed(app, _edited(first, "I have a fever since this morning"))
    await feed(app, _edited(first, "I have a fever since this morning, 38.5", edit=2))
    (reply,) = sent_to(fake, 7)
    assert reply["text"] == "Contact your treating doctor now: +00 000."
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert "I have a fever since morning" in alert["text"]


async def test_after_forget_an_edit_of_an_older_message_alerts_nobody_and_keeps_nothing(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing (eng33): /forget erased which messages had been urgent, so an edit of an
    # old urgent message raised the staff alert again: the forgotten conversation acted on. A
    # danger sign in it still gets the advice (it keeps nothing), and a new message is as any.
    first = fake.text(7, "I have a fever since morning")
    await feed(app, first)
    await feed(app, fake.text(7, "/forget"))
    await feed(app, _edited(first, "I have a fever since this morning"))
    await feed(app, _edited(first, "I have a fever since this morning, my vision is blurry", 2))
    await feed(app, _edited(first, "how long does swelling last", 3))
    urgent = "Contact your treating doctor now: +00 000."
    assert [m["text"] for m in sent_to(fake, 7)] == [
        urgent,
        T("forget_done", days=90),
        urgent,
        f"Call emergency services now.\n\n{urgent}",
    ]
    assert len(sent_to(fake, STAFF_CHAT)) == 1  # the alert sent before /forget only
    assert db_rows(settings, "SELECT count(*) FROM urgent_messages") == [(0,)]
    assert db_rows(settings, "SELECT count(*) FROM alerts") == [(0,)]
    await feed(app, fake.text(7, "I have a fever since noon"))
    assert len(sent_to(fake, STAFF_CHAT)) == 2


async def test_after_forget_an_old_message_edited_again_gets_the_urgent_text_once_per_level(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing (eng34): after /forget each further edit of an old message that still
    # named a danger sign got the urgent text again, as no mark of it may be stored.
    first = fake.text(7, "how long does swelling last")
    await feed(app, first)
    forget = fake.text(7, "/forget")
    await feed(app, forget)
    sent = len(sent_to(fake, 7))
    await feed(app, _edited(first, "I have a fever since morning"))
    await feed(app, _edited(first, "I have a fever since this morning", 2))
    await feed(app, _edited(first, "I have a fever since morning, my vision is blurry", 3))
    await feed(app, _edited(first, "fever since morning, my vision is blurry now", 4))
    await feed(app, _edited(first, "I have a fever since morning", 5))
    urgent = "Contact your treating doctor now: +00 000."
    assert [m["text"] for m in sent_to(fake, 7)[sent:]] == [
        urgent,
        f"Call emergency services now.\n\n{urgent}",
    ]
    assert not sent_to(fake, STAFF_CHAT)
    assert db_rows(settings, "SELECT count(*) FROM urgent_messages") == [(0,)]
    assert db_rows(settings, "SELECT chat_id, through_message_id FROM forgotten_chats") == [
        (7, forget["message"]["message_id"])
    ]


async def test_an_urgent_message_edited_into_an_emergency_alerts_the_staff_once_more(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: "my lip is a bit blue" edited to add "and I can't breathe" got no
    # second alert (one per message), so the staff never learnt it became an emergency.
    first = fake.text(7, "I have a fever since morning")
    await feed(app, first)
    await feed(app, _edited(first, "I have a fever since morning, my vision is blurry"))
    await feed(app, _edited(first, "fever since morning, my vision is blurry now", edit=2))
    await feed(app, _edited(first, "I have a fever since morning", edit=3))
    urgent = "Contact your treating doctor now: +00 000."
    assert [m["text"] for m in sent_to(fake, 7)] == [
        urgent,
        f"Call emergency services now.\n\n{urgent}",
    ]
    first_alert, second_alert = (m["text"] for m in sent_to(fake, STAFF_CHAT))
    assert T("alert_emergency") not in first_alert
    assert second_alert.startswith(T("alert_emergency_edited"))
    assert "my vision is blurry" in second_alert


async def test_an_emergency_says_so_in_its_alert(app: App, fake: FakeTelegram) -> None:
    await feed(app, fake.text(7, "my vision is blurry"))
    (alert,) = sent_to(fake, STAFF_CHAT)
    assert alert["text"].startswith(T("alert_emergency"))


async def test_a_calm_message_edited_urgent_alerts_once(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    first = fake.text(7, "how long does swelling last")
    await feed(app, first)
    await feed(app, _edited(first, "how long does swelling last, I have a fever"))
    await feed(app, _edited(first, "how long does swelling last? I have a fever", edit=2))
    replies = [m["text"] for m in sent_to(fake, 7)]
    assert replies[1:] == ["Contact your treating doctor now: +00 000."]  # after the answer
    assert len(sent_to(fake, STAFF_CHAT)) == 1
    message_id = first["message"]["message_id"]
    # Only which message it was, when, and whether an emergency: never its text.
    assert db_rows(settings, "SELECT * FROM urgent_messages") == [
        (7, message_id, "2025-03-01T12:00:00+00:00", 0)
    ]


async def test_a_restart_between_edits_does_not_alert_twice(
    settings: Settings, fake: FakeTelegram
) -> None:
    first = fake.text(7, "I have a fever since morning")
    async with running_app(settings, load_faq(FAQ), fake, NOW) as before:
        await feed(before, first)
    async with running_app(settings, load_faq(FAQ), fake, NOW) as after:
        await feed(after, _edited(first, "I have a fever since this morning"))
    assert len(sent_to(fake, 7)) == 1
    assert len(sent_to(fake, STAFF_CHAT)) == 1


async def test_forget_erases_the_record_of_an_urgent_message(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    first = fake.text(7, "I have a fever since morning")
    await feed(app, first)
    await feed(app, fake.text(8, "I have a fever too"))
    await feed(app, fake.text(7, "/forget"))
    assert db_rows(settings, "SELECT chat_id FROM urgent_messages") == [(8,)]
    # Only the chat's id and the /forget message's id are left, which is enough to tell that
    # the edit is of the forgotten conversation: the staff do not hear of it again.
    assert db_rows(settings, "SELECT chat_id FROM forgotten_chats") == [(7,)]
    await feed(app, _edited(first, "I have a fever since this morning"))
    assert len(sent_to(fake, STAFF_CHAT)) == 2


async def test_the_hourly_purge_erases_the_records_of_urgent_messages(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await feed(app, fake.text(7, "I have a fever since morning"))
    services, clock_now = app.bot_data.services, [NOW]
    delivery = Delivery(services.store, telegram_send(app.bot), lambda: clock_now[0], lambda: None)
    for days, left in ((7, [(1,)]), (8, [(0,)])):
        clock_now[0] = NOW + timedelta(days=days)
        delivery.kick()
        await delivery.idle()
        assert db_rows(settings, "SELECT count(*) FROM urgent_messages") == left


async def test_the_hourly_purge_deletes_alerts_no_staff_chat_took_in_a_month(
    app: App, fake: FakeTelegram, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probe22: an alert waiting for a staff chat that refuses the bot quoted the
    # patient's danger sign in the database for ever; the log says how many went, never what.
    fake.no_such_chat(STAFF_CHAT)
    await feed(app, fake.text(7, "I have a fever since morning"))
    services, clock_now = app.bot_data.services, [NOW]
    delivery = Delivery(services.store, telegram_send(app.bot), lambda: clock_now[0], lambda: None)
    with caplog.at_level(logging.INFO, logger="bot"):
        for days, left in ((29, [(1,)]), (31, [(0,)])):
            clock_now[0] = NOW + timedelta(days=days)
            delivery.kick()
            await delivery.idle()
            assert db_rows(settings, "SELECT count(*) FROM alerts") == left
    said = [r.getMessage() for r in caplog.records if "no staff chat took" in r.getMessage()]
    assert len(said) == 1 and "SOFTLIFT_STAFF_CHAT_ID" in said[0] and "fever" not in caplog.text


async def test_an_ordinary_edit_gets_no_second_answer(app: App, fake: FakeTelegram) -> None:
    first = fake.text(7, "how long does swelling last")
    await feed(app, first)
    await feed(app, _edited(first, "how long does the swelling last?"))
    assert len(sent_to(fake, 7)) == 1


def test_edits_are_asked_of_telegram() -> None:
    assert "edited_message" in ALLOWED_UPDATES


async def test_a_staff_group_upgraded_to_a_supergroup_still_gets_every_alert(
    app: App, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram moves a group to a new id when it becomes a supergroup (an admin changing its
    # settings is enough); the old id then answers 400 with the new one.
    supergroup = -1001234567890
    fake.migrate(STAFF_CHAT, supergroup)
    await feed(app, fake.text(31, "I have a fever since this morning"))
    await feed(app, fake.text(32, "I have a fever and chills"))
    alerts = [m["text"] for m in sent_to(fake, supergroup)]
    assert len(alerts) == 2 and "since this morning" in alerts[0] and "chills" in alerts[1]
    assert await app.bot_data.services.store.alerts.pending() == 0
    # The log tells the operator the new id, never what the patients wrote.
    assert f"SOFTLIFT_STAFF_CHAT_ID={supergroup}" in caplog.text and "fever" not in caplog.text


async def _two_alerts_refused(
    settings: Settings,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    minutes: tuple[int, ...],
) -> list[str]:
    """Two danger messages while the staff chat refuses them, retried at `minutes`: both alerts
    still wait, and the log lines that say the chat cannot be reached are returned."""
    clock = [NOW]
    with caplog.at_level(logging.INFO, logger="bot"):
        async with running_app(settings, load_faq(FAQ), fake, lambda: clock[0]) as bot:
            delivery = bot.bot_data.services.delivery
            await feed(bot, fake.text(33, "I have a fever since this morning"))
            await feed(bot, fake.text(34, "I have a fever and chills"))
            for minute in minutes:
                clock[0] = NOW + timedelta(minutes=minute)
                delivery.kick_alerts()
                await delivery.idle()
            assert await bot.bot_data.services.store.alerts.pending() == 2
    return [r.getMessage() for r in caplog.records if "cannot be reached" in r.getMessage()]


async def test_a_mistyped_staff_chat_is_logged_once_and_its_alerts_wait_for_the_right_one(
    settings: Settings, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probing: Telegram's "chat not found" was logged as "failed (BadRequest)" on
    # every try, every 30 s, without saying which setting to check.
    fake.no_such_chat(STAFF_CHAT)
    said = await _two_alerts_refused(settings, fake, caplog, (1, 11, 22))
    assert len(said) == 1 and "SOFTLIFT_STAFF_CHAT_ID" in said[0] and str(STAFF_CHAT) in said[0]
    assert "fever" not in caplog.text and "chills" not in caplog.text
    assert "failed (BadRequest)" not in caplog.text
    fixed = dataclasses.replace(settings, staff_chat_id=-100777)  # the operator fixes it
    async with running_app(fixed, load_faq(FAQ), fake, NOW + timedelta(minutes=40)) as second:
        second.bot_data.services.delivery.kick_alerts()
        await second.bot_data.services.delivery.idle()
        assert await second.bot_data.services.store.alerts.pending() == 0
    assert len(sent_to(fake, -100777)) == 2


async def _alert_left_waiting(settings: Settings, fake: FakeTelegram) -> None:
    """A danger message while the staff chat refuses the bot: its alert waits in the outbox."""
    async with running_app(settings, load_faq(FAQ), fake, NOW) as first:
        await feed(first, fake.text(33, "I have a fever since this morning"))
        await first.bot_data.services.delivery.idle()


async def test_alerts_go_at_once_to_the_staff_chat_fixed_right_after_the_log_said_so(
    settings: Settings, fake: FakeTelegram
) -> None:
    # Found by probe20: the log asks the operator to check the setting and restart; restarted
    # within 10 minutes of the refusal, the urgent alerts still waited out its retry pause.
    fake.no_such_chat(STAFF_CHAT)
    await _alert_left_waiting(settings, fake)
    fixed = dataclasses.replace(settings, staff_chat_id=-100777)  # the operator fixes it
    later = NOW + timedelta(minutes=2)
    async with running_app(fixed, load_faq(FAQ), fake, later) as second:
        second.bot_data.services.delivery.kick_alerts()
        await second.bot_data.services.delivery.idle()
        assert await second.bot_data.services.store.alerts.pending() == 0
    (alert,) = sent_to(fake, -100777)
    assert "since this morning" in alert["text"]


async def test_alerts_waiting_for_a_wrong_staff_chat_go_to_the_one_set_after_a_restart(
    settings: Settings, fake: FakeTelegram
) -> None:
    fake.block(STAFF_CHAT)  # the bot was never added to that chat, or the id was mistyped
    await _alert_left_waiting(settings, fake)
    assert sent_to(fake, STAFF_CHAT) == []
    fixed = dataclasses.replace(settings, staff_chat_id=-100777)  # the operator fixes it
    later = NOW + timedelta(minutes=11)
    async with running_app(fixed, load_faq(FAQ), fake, later) as second:
        second.bot_data.services.delivery.kick_alerts()
        await second.bot_data.services.delivery.idle()
        assert await second.bot_data.services.store.alerts.pending() == 0
    (alert,) = sent_to(fake, -100777)
    assert "since this morning" in alert["text"]


async def test_alerts_waiting_for_a_staff_chat_no_longer_set_are_sent_nowhere(
    settings: Settings, fake: FakeTelegram
) -> None:
    # Found by probe22: with SOFTLIFT_STAFF_CHAT_ID unset ("leave it unset for no alerts"),
    # alerts still waiting for the chat set before (one that refused the bot then) went to
    # that chat as soon as it took the bot: a patient's name, @username and danger sign sent
    # to a chat the clinic no longer names, a group of others, perhaps of patients.
    fake.block(STAFF_CHAT)
    await _alert_left_waiting(settings, fake)
    unset = dataclasses.replace(settings, staff_chat_id=None)  # the operator turns alerts off
    fake.unblock(STAFF_CHAT)  # and the old chat now takes the bot (someone added it)
    async with running_app(unset, load_faq(FAQ), fake, NOW + timedelta(minutes=11)) as second:
        second.bot_data.services.delivery.kick_alerts()
        await second.bot_data.services.delivery.idle()
    assert sent_to(fake, STAFF_CHAT) == []


async def test_a_group_that_became_a_supergroup_meanwhile_still_gets_the_urgent_reply(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe21: a group upgraded to a supergroup while a danger sign in it was being
    # answered refuses its old id; the urgent reply, and then the apology, went to the old id
    # and failed, and the patient was left with no reply at all.
    fake.migrate(-1, -1001)
    group = {"chat_type": "group", "user_id": 5}
    await feed(app, fake.text(-1, "@softlift_test_bot I have a fever", **group))
    assert [m["text"] for m in sent_to(fake, -1001)] == [
        "Contact your treating doctor now: +00 000."
    ]
    assert len(sent_to(fake, STAFF_CHAT)) == 1


async def test_a_menu_button_on_a_message_the_bot_cannot_edit_sends_the_menu_anew(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe21: Telegram gives a press on a message the bot can no longer reach (deleted,
    # or too old) as a message dated 0; editing it in place failed, and a topics or "next page"
    # press got "something went wrong" instead of the menu.
    await feed(app, fake.text(1, "/topics"))
    menu = sent_to(fake, 1)[0]
    gone = {"message_id": menu["message_id"] + 100, "date": 0, "chat": menu["chat"]}
    await press(app, fake, gone, "tp")
    await press(app, fake, gone, "g:procedure:0")
    topics, page = sent_to(fake, 1)[1:]
    assert topics["text"] == T("topics_header") and len(buttons(topics)) == 2
    assert "e:duration" in [b["callback_data"] for b in buttons(page)]
    assert not fake.unanswered_queries()


async def test_a_staff_chat_where_the_bot_may_not_write_is_logged_once_with_the_setting(
    settings: Settings, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probe21: a staff group where the bot is a member without the right to send
    # (restricted, or members may not write) answers 400 "not enough rights"; it was logged
    # as "staff alert N failed (BadRequest)" for every alert every 30 s, never saying which
    # chat or setting to check, unlike a chat that does not exist.
    fake.mute(STAFF_CHAT)
    said = await _two_alerts_refused(settings, fake, caplog, (1, 11))
    assert len(said) == 1 and "SOFTLIFT_STAFF_CHAT_ID" in said[0] and str(STAFF_CHAT) in said[0]
    assert "not enough rights" in said[0].lower()
    assert "failed (BadRequest)" not in caplog.text and "fever" not in caplog.text


@pytest.mark.parametrize("reason", ["have no rights to send a message", "TOPIC_CLOSED"])
async def test_a_staff_chat_refusing_the_bot_in_other_words_is_logged_once_with_the_setting(
    settings: Settings, fake: FakeTelegram, caplog: pytest.LogCaptureFixture, reason: str
) -> None:
    # Found by probe25: Telegram says "have no rights to send a message" to a bot restricted in
    # a group, and "TOPIC_CLOSED" when a forum's General topic is closed; each alert was
    # logged as "failed (BadRequest)" every 30 s for 30 days, never naming the setting.
    fake.mute(STAFF_CHAT, reason)
    said = await _two_alerts_refused(settings, fake, caplog, (1, 11))
    assert len(said) == 1 and "SOFTLIFT_STAFF_CHAT_ID" in said[0]
    assert reason.lower() in said[0].lower()
    assert "failed (BadRequest)" not in caplog.text and "fever" not in caplog.text


async def test_in_a_forum_group_a_button_is_answered_in_the_topic_it_was_pressed_in(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe21: a reply to a message went to its topic, but the answer to a button
    # press (and the error handler's urgent reply) was sent to the chat alone, which in a
    # supergroup with topics is the "General" topic, away from the patient's conversation.
    update = fake.text(
        -100777, "@softlift_test_bot will i get bruises", chat_type="supergroup", user_id=5
    )
    update["message"].update(message_thread_id=42, is_topic_message=True)
    await feed(app, update)
    (answer,) = sent_to(fake, -100777)
    assert answer.get("message_thread_id") == 42
    await press(app, fake, answer, "e:duration")
    assert sent_to(fake, -100777)[-1]["text"].startswith("<b>How long it takes")
    assert sent_to(fake, -100777)[-1].get("message_thread_id") == 42
    # The error handler's reply (here the apology) goes to the topic too.
    fake.fail("sendMessage", times=ratelimit.MAX_RETRIES + 1, mode="500")
    update = fake.text(
        -100777, "@softlift_test_bot will i get bruises", chat_type="supergroup", user_id=6
    )
    update["message"].update(message_thread_id=42, is_topic_message=True)
    await feed(app, update)
    apology = sent_to(fake, -100777)[-1]
    assert apology["text"] == T("error_apology") and apology.get("message_thread_id") == 42
