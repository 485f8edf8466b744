"""Aftercare through the real Application: commands, buttons, typed answers, alerts, /forget."""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botapi_stub import FakeTelegram, buttons
from handler_support import enrol, feed, press_label, running_app, texts, without_pacing
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.aftercare.records import EndReason
from bot.aftercare.tick import RecipientGone, RetryLater
from bot.answers.loader import load_faq
from bot.config import Settings
from bot.locale import get_locale
from bot.messages import Reply
from bot.storage.courses import CourseRepo
from bot.storage.database import sqlite_path
from bot.telegram_app import ratelimit
from bot.telegram_app.app import _post_init
from bot.telegram_app.context import App, Services
from bot.telegram_app.delivery import Delivery, telegram_send

TOKEN = "123456789:TEST-token-for-handler-tests_abcdef"
FAQ = Path(__file__).parent / "fixtures" / "aftercare.yaml"
ADMIN = 4242
STAFF_CHAT = -100500
NOW = datetime(2025, 5, 20, 10, tzinfo=UTC)  # 12:00 in Berlin, the clinic's zone
T = get_locale("en").t
PHONE = "[+00 000]"  # the clinic's in the FAQ above
TABLES = ("courses", "deliveries", "checkins", "conversations", "feedback")


@pytest.fixture
def fake() -> FakeTelegram:
    """The fake Bot API without flood limits (the end-to-end tests keep them)."""
    return FakeTelegram(TOKEN, limits=False)


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
    """The application over the aftercare fixture, the fake network and a fixed clock."""
    async with running_app(settings, load_faq(FAQ), fake, NOW) as application:
        yield application


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without waiting and no pacing: these tests send many, and the fake has no limits."""
    without_pacing(monkeypatch)


def rows_about(settings: Settings, user_id: int) -> dict[str, int]:
    """How many rows of each personal table mention the user."""
    conn = sqlite3.connect(sqlite_path(settings.database_url))
    try:
        return {
            table: conn.execute(
                f"SELECT count(*) FROM {table} WHERE user_id = ?",  # noqa: S608 - fixed names
                (user_id,),
            ).fetchone()[0]
            for table in TABLES
        }
    finally:
        conn.close()


async def test_enrol_with_buttons_and_todays_message_comes_at_once(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(1, "/aftercare"))
    (question,) = fake.messages_to(1)
    assert T("ac_ask_date") in question["text"]
    day = await enrol(app, fake, 1)
    confirmation = fake.messages_to(1)[-2]
    assert "day 1 of 14" in confirmation["text"] and "/stop" in confirmation["text"]
    assert "not watched around the clock" in confirmation["text"]
    assert day["text"].startswith("<b>Day 1 of 14</b>")  # the procedure was yesterday
    assert [b["text"] for b in buttons(day)][-1] == "Something worrying"
    assert not fake.unanswered_queries()


async def test_deep_link_and_a_typed_date_refused_then_accepted(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(2, "/start aftercare"))
    await press_label(app, fake, fake.messages_to(2)[-1], "Another date")
    assert texts(fake, 2)[-1] == T("ac_type_date")
    for wrong in ("2025/05/18", "21.05.2025", "01.04.2025"):
        await feed(app, fake.text(2, wrong))
        assert T("ac_date_forms") in texts(fake, 2)[-1]
    await feed(app, fake.text(2, "18.05.2025"))
    assert "At what time" in texts(fake, 2)[-1]
    await feed(app, fake.text(2, "08:15"))
    confirmation, day = texts(fake, 2)[-2:]
    assert "day 2 of 14" in confirmation and "08:15 (Europe/Berlin)" in confirmation
    assert day.startswith("<b>Day 2 of 14</b>")  # 18 May is two days before 20 May


async def test_a_vague_or_coming_day_is_asked_about_kindly_and_a_day_back_is_read(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: "last week", "a couple of days ago" and "in 2 days" were each "Sorry, I
    # can't read that date", "2 days back" too.
    await feed(app, fake.text(5, "/aftercare"))
    for typed in ("last week", "a couple of days ago"):
        await feed(app, fake.text(5, typed))
        asked = fake.messages_to(5)[-1]
        assert asked["text"] == f"{T('ac_date_vague')} {T('ac_date_forms')}"
        assert [b["text"] for b in buttons(asked)][:4] == [
            "Today",
            "Yesterday",
            "2 days ago",
            "3 days ago",
        ]
    await feed(app, fake.text(5, "in 2 days"))
    assert texts(fake, 5)[-1] == f"{T('ac_date_future')} {T('ac_date_forms')}"
    await feed(app, fake.text(5, "2 days back"))
    assert "At what time" in texts(fake, 5)[-1]


async def test_a_date_typed_at_the_time_question_corrects_the_date_not_the_time(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: "15.05." at the time question, a patient correcting their date, signed
    # up for 15:05 messages counted from the date given before.
    await feed(app, fake.text(4, "/aftercare"))
    await press_label(app, fake, fake.messages_to(4)[-1], "Yesterday")
    await feed(app, fake.text(4, "15.05."))
    corrected = texts(fake, 4)[-1]
    assert corrected.startswith(T("ac_date_corrected", day=15, month="May", year=2025))
    assert "At what time" in corrected
    await feed(app, fake.text(4, "9am"))
    confirmation, day = texts(fake, 4)[-2:]
    assert "day 5 of 14" in confirmation and "09:00 (Europe/Berlin)" in confirmation
    assert day.startswith("<b>Day 5 of 14</b>")
    await feed(app, fake.text(4, "/aftercare"))
    await press_label(app, fake, fake.messages_to(4)[-1], "Change time")
    await feed(app, fake.text(4, "15.05."))
    assert texts(fake, 4)[-1] == T("ac_time_is_date")


async def test_checkins_reply_and_worrying_alerts_the_staff_without_logging_it(
    app: App, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    day = await enrol(app, fake, 3)
    with caplog.at_level(logging.DEBUG, logger="bot"):
        await press_label(app, fake, day, "Bruising")
        assert texts(fake, 3)[-1] == "Arnica cream helps."
        assert fake.messages_to(STAFF_CHAT) == []
        await press_label(app, fake, day, "Something worrying")
    assert texts(fake, 3)[-1] == "Contact your treating doctor now: [+00 000]."
    (alert,) = texts(fake, STAFF_CHAT)
    assert '<a href="tg://user?id=3">Anna</a>' in alert
    assert "@anna_patient" in alert
    assert "Day: 1 of 14" in alert and "Answer: Something worrying" in alert
    # The bot's own logs (PTB's DEBUG request logs are capped at INFO by configure_logging).
    ours = " ".join(r.getMessage().lower() for r in caplog.records if r.name.startswith("bot"))
    assert "worrying" not in ours and "bruising" not in ours


async def test_red_flag_text_from_an_enrolled_patient_alerts_with_the_day(
    app: App, fake: FakeTelegram
) -> None:
    await enrol(app, fake, 4)
    await feed(app, fake.text(4, "I have blurred vision"))
    assert texts(fake, 4)[-1].startswith("Call emergency services now.")
    (alert,) = texts(fake, STAFF_CHAT)
    assert "Day: 1 of 14" in alert and "I have blurred vision" in alert


async def test_red_flag_during_enrolment_is_urgent_and_the_question_stays_open(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(5, "/aftercare"))
    await feed(app, fake.text(5, "blurry vision since this morning"))
    assert texts(fake, 5)[-1].startswith("Call emergency services now.")
    assert "Urgent message from a patient\n" in texts(fake, STAFF_CHAT)[0]
    await feed(app, fake.text(5, "19.05.2025"))
    assert "At what time" in texts(fake, 5)[-1]


async def test_a_sticker_during_enrolment_recalls_what_is_awaited(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe23: a sticker or a voice note while the date was awaited got "I can only
    # read text messages" and nothing said that a date was still awaited.
    await feed(app, fake.text(41, "/aftercare"))
    await feed(app, fake.media(41, "sticker"))
    assert texts(fake, 41)[-2:] == [T("non_text", phone=PHONE), T("ac_waiting_date")]
    await feed(app, fake.media(45, "voice"))  # no dialogue open: the note alone
    assert texts(fake, 45) == [T("non_text", phone=PHONE)]


async def test_a_photo_during_the_course_recalls_the_check_in_and_the_doctor(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe27: a patient answering "How do you feel today?" with a photo of their
    # face or a voice note got only "Please type your question in words": nothing said that
    # the check-in takes a button or words, nor where to turn if what it shows is worrying.
    await enrol(app, fake, 46)
    await feed(app, fake.media(46, "photo"))
    assert texts(fake, 46)[-2:] == [T("non_text", phone=PHONE), T("ac_waiting_checkin")]
    await feed(app, fake.text(46, "swelling"))
    assert texts(fake, 46)[-1] == "Swelling goes down within days."


async def test_a_question_asked_during_enrolment_is_answered_and_the_question_recalled(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing: while a date, time or zone was awaited, "how much does it cost?" got
    # "I can't read that date" (for up to a day) instead of an answer.
    await feed(app, fake.text(40, "/aftercare"))
    await feed(app, fake.text(40, "how much does it cost?"))
    answer, reminder = texts(fake, 40)[-2:]
    assert answer.startswith("Not covered.") and reminder == T("ac_waiting_date")
    await feed(app, fake.text(40, "how long do bruises last"))  # no "?": begins as a question
    assert texts(fake, 40)[-2].startswith("<b>Bruising</b>")
    assert texts(fake, 40)[-1] == T("ac_waiting_date")
    await feed(app, fake.text(40, "a while ago"))  # neither an answer nor a question
    assert texts(fake, 40)[-1] == f"{T('ac_date_unreadable')} {T('ac_date_forms')}"
    await feed(app, fake.text(40, "31.04.2025"))  # the form asked for, but no such day
    assert texts(fake, 40)[-1] == f"{T('ac_date_no_such_day')} {T('ac_date_forms')}"
    await feed(app, fake.text(40, "19.05.2025"))
    assert "At what time" in texts(fake, 40)[-1]
    await feed(app, fake.text(40, "can I wear makeup?"))
    assert texts(fake, 40)[-1] == T("ac_waiting_time")
    await feed(app, fake.text(40, "/timezone"))
    await feed(app, fake.text(40, "what about bruises?"))
    assert texts(fake, 40)[-1] == T("ac_waiting_zone")
    await feed(app, fake.text(40, "my vision is blurry?"))  # a red flag comes first, alone
    assert texts(fake, 40)[-1].startswith("Call emergency services now.")
    await feed(app, fake.text(40, "Europe/Paris"))  # nothing of the enrolment was lost
    assert "At what time" in texts(fake, 40)[-1] and "Europe/Paris" in texts(fake, 40)[-1]
    await feed(app, fake.text(40, "08:15"))
    assert "day 1 of 14" in texts(fake, 40)[-2] and "08:15 (Europe/Paris)" in texts(fake, 40)[-2]


async def test_faq_questions_still_answered_around_aftercare(app: App, fake: FakeTelegram) -> None:
    await feed(app, fake.text(6, "will i get bruises"))
    assert texts(fake, 6)[-1].startswith("<b>Bruising</b>")
    await enrol(app, fake, 6)
    await feed(app, fake.text(6, "how long does the procedure take"))
    assert texts(fake, 6)[-1].startswith("<b>How long it takes</b>")


async def test_status_pause_resume_timezone_cancel_and_stop(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await feed(app, fake.text(7, "/cancel"))
    assert texts(fake, 7)[-1] == T("ac_nothing_to_cancel")
    await feed(app, fake.text(7, "/aftercare"))
    await feed(app, fake.text(7, "/timezone"))
    assert "Europe/Berlin" in texts(fake, 7)[-1]
    await feed(app, fake.text(7, "/cancel"))
    assert texts(fake, 7)[-1] == T("ac_cancelled")
    await enrol(app, fake, 7)
    await feed(app, fake.text(7, "/aftercare"))
    status = fake.messages_to(7)[-1]
    assert "day 1 of 14" in status["text"] and "Next message: Wed 21.05, 09:00" in status["text"]
    await press_label(app, fake, status, "Pause")
    assert texts(fake, 7)[-1].startswith("Paused")
    await press_label(app, fake, fake.messages_to(7)[-1], "Resume")
    assert texts(fake, 7)[-1].startswith("Resumed")
    await feed(app, fake.text(7, "/timezone"))
    await press_label(app, fake, fake.messages_to(7)[-1], "America/New York")
    assert texts(fake, 7)[-1] == T("ac_time_changed", time="09:00", zone="America/New_York")
    await feed(app, fake.text(7, "/stop"))
    assert texts(fake, 7)[-1] == T("ac_stopped")
    assert rows_about(settings, 7)["courses"] == 1  # ended, kept until /forget or the purge


@pytest.mark.parametrize(
    ("typed", "answer", "at"),
    [
        ("7 o'clock", "19:00", "19:00"),
        ("at 8", "08:00", "08:00"),
        ("at 8", "evening", "20:00"),
        ("7 o'clock", "in the morning", "07:00"),
        ("at 9", "pm", "21:00"),
    ],
)
async def test_an_hour_without_am_or_pm_is_asked_morning_or_evening(
    app: App, fake: FakeTelegram, typed: str, answer: str, at: str
) -> None:
    # Found by probing (eng37): "7 o'clock" signed up for 07:00 without a word, though a patient
    # saying it of an evening message means 19:00.
    await feed(app, fake.text(71, "/aftercare"))
    await feed(app, fake.text(71, "yesterday"))
    await feed(app, fake.text(71, typed))
    hour = int(at[:2]) % 12
    first, second = f"{hour:02d}:00", f"{hour + 12:02d}:00"
    asked = fake.messages_to(71)[-1]
    assert asked["text"] == T("ac_time_which", first=first, second=second)
    assert [b["text"] for b in buttons(asked)] == [first, second, "Cancel"]
    if ":" in answer:
        await press_label(app, fake, asked, answer)
    else:  # a part of the day typed picks one
        await feed(app, fake.text(71, answer))
    assert f"at {at} (Europe/Berlin)" in texts(fake, 71)[-2]
    await feed(app, fake.text(71, "/aftercare"))
    await press_label(app, fake, fake.messages_to(71)[-1], "Change time")
    await feed(app, fake.text(71, typed))
    await press_label(app, fake, fake.messages_to(71)[-1], second)
    assert texts(fake, 71)[-1] == T("ac_time_changed", time=second, zone="Europe/Berlin")


@pytest.mark.parametrize(
    ("typed", "said"),
    [("15/05", ""), ("05/15", ""), ("05/06", "6 May 2025"), ("06/05", "6 May 2025")],
)
async def test_a_date_with_slashes_is_read_day_or_month_first_and_said_when_unclear(
    app: App, fake: FakeTelegram, typed: str, said: str
) -> None:
    # Found by probing (eng37): "15/05" was "I can't read that date" in English, read in Russian.
    # Only one order gives a day of the course; when both numbers could be the month, the
    # reply says which date it read, so that a patient can correct it.
    await feed(app, fake.text(72, f"/aftercare {typed}"))
    asked = texts(fake, 72)[-1]
    assert T("ac_ask_time", zone="Europe/Berlin") in asked
    read = T("ac_date_read", day=6, month="May", year=2025)
    assert asked.startswith(read) if said else read.split(" 6")[0] not in asked
    await feed(app, fake.text(72, "/cancel"))


async def test_a_day_of_the_week_is_read_and_the_date_it_is_said(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng38): "last Friday" was "I can't read that date"; read, the reply says
    # the date (16 May), so that a patient who meant the Friday before can correct it.
    await feed(app, fake.text(76, "/aftercare last Friday"))
    asked = texts(fake, 76)[-1]
    assert asked.startswith(T("ac_date_read", day=16, month="May", year=2025))
    assert T("ac_ask_time", zone="Europe/Berlin") in asked
    await feed(app, fake.text(76, "9am"))
    assert "day 4 of 14" in texts(fake, 76)[-2]


@pytest.mark.parametrize(
    ("begin", "leave"),
    [
        ("/aftercare", None),
        ("/aftercare", "/cancel"),
        ("/aftercare", "/stop"),
        ("/timezone", "/cancel"),  # during the sign-up /timezone asks the zone, begins nothing
        ("/timezone", "/stop"),
    ],
)
async def test_a_sign_up_begun_again_says_so_instead_of_the_introduction(
    app: App, fake: FakeTelegram, leave: str | None, begin: str
) -> None:
    # Found by probing (eng37): /aftercare during the sign-up, or after leaving it, repeated
    # what the messages are, read a moment before, and dropped the answers without a word.
    intro = T("ac_intro", days=14)
    await feed(app, fake.text(73, begin))
    assert texts(fake, 73)[-1].startswith(intro)
    if begin == "/timezone":
        await press_label(app, fake, fake.messages_to(73)[-1], "Europe/Berlin")
    await feed(app, fake.text(73, "yesterday"))
    if leave is not None:
        await feed(app, fake.text(73, leave))
    await feed(app, fake.text(73, begin))
    again = texts(fake, 73)[-1]
    assert again.startswith(T("ac_start_again")) and intro not in again
    await feed(app, fake.text(73, "/forget"))
    await feed(app, fake.text(73, begin))
    assert texts(fake, 73)[-1].startswith(intro)


@pytest.mark.parametrize(("typed", "at"), [("midnight", "00:00"), ("0330", "03:30")])
async def test_a_time_at_night_is_taken_and_said_kindly_to_be_at_night(
    app: App, fake: FakeTelegram, typed: str, at: str
) -> None:
    # Found by probing (eng38): "midnight" signed up for messages at 00:00 without a word,
    # though a message then may wake the patient or wait unread until morning.
    night = T("ac_time_at_night", time=at)
    await feed(app, fake.text(75, "/aftercare"))
    await feed(app, fake.text(75, "yesterday"))
    await feed(app, fake.text(75, typed))
    confirmation = texts(fake, 75)[-2]
    assert f"at {at} (Europe/Berlin)" in confirmation and confirmation.endswith(night)
    await feed(app, fake.text(75, "/aftercare"))
    await press_label(app, fake, fake.messages_to(75)[-1], "Change time")
    await feed(app, fake.text(75, "0900"))
    assert texts(fake, 75)[-1] == T("ac_time_changed", time="09:00", zone="Europe/Berlin")
    await feed(app, fake.text(75, "/aftercare"))
    await press_label(app, fake, fake.messages_to(75)[-1], "Change time")
    await feed(app, fake.text(75, typed))
    changed = T("ac_time_changed", time=at, zone="Europe/Berlin")
    assert texts(fake, 75)[-1] == f"{changed}\n\n{night}"


async def test_full_width_digits_and_colons_are_read_as_a_date_and_a_time(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng37): "２１：３０" (a Chinese or Japanese keyboard) was refused with
    # the forms to type a time in, though "٩:٣٠" (Arabic-Indic digits) was read.
    await feed(app, fake.text(74, "/aftercare"))
    await feed(app, fake.text(74, "１８．０５．２０２５"))
    await feed(app, fake.text(74, "２１：３０"))
    assert "at 21:30 (Europe/Berlin)" in texts(fake, 74)[-2]
    assert texts(fake, 74)[-1].startswith("<b>Day 2 of 14</b>")


async def test_cancel_of_a_new_time_or_zone_says_the_course_goes_on_as_it_was(
    app: App, fake: FakeTelegram
) -> None:
    # Found by eng35: /cancel after "Change time" or /timezone, with a course running, said
    # "Cancelled. You can start again any time with /aftercare", as if the course had ended.
    await enrol(app, fake, 29)
    await feed(app, fake.text(29, "/aftercare"))
    await press_label(app, fake, fake.messages_to(29)[-1], "Change time")
    await feed(app, fake.text(29, "/cancel"))
    kept = T("ac_change_cancelled", time="09:00", zone="Europe/Berlin")
    assert texts(fake, 29)[-1] == kept
    await feed(app, fake.text(29, "/timezone"))
    await feed(app, fake.text(29, "/cancel"))
    assert texts(fake, 29)[-1] == kept
    await feed(app, fake.text(29, "/aftercare"))
    assert "Next message: Wed 21.05, 09:00" in texts(fake, 29)[-1]


async def test_stop_during_the_sign_up_says_the_sign_up_was_stopped(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by eng36's colleague: /stop dropped the open sign-up and replied "You are not signed
    # up ... Send /aftercare to start", as if nothing had been open.
    await feed(app, fake.text(46, "/aftercare"))
    await press_label(app, fake, fake.messages_to(46)[-1], "Yesterday")
    await feed(app, fake.text(46, "/stop"))
    assert texts(fake, 46)[-1] == T("ac_sign_up_stopped")
    assert rows_about(settings, 46)["courses"] == 0
    await feed(app, fake.text(46, "9am"))  # no question open any more: a question for the FAQ
    assert rows_about(settings, 46)["courses"] == 0
    await feed(app, fake.text(46, "/stop"))
    assert texts(fake, 46)[-1] == T("ac_not_enrolled")


@pytest.mark.parametrize("leave", ["/cancel", "Cancel", "/stop"])
async def test_leaving_the_sign_up_keeps_the_zone_the_patient_chose(
    app: App, fake: FakeTelegram, settings: Settings, leave: str
) -> None:
    # Found by eng36's colleague: /cancel, then /aftercare, asked the date in the clinic's zone:
    # Tokyo, chosen during the sign-up, was lost.
    await feed(app, fake.text(47, "/aftercare"))
    await feed(app, fake.text(47, "/timezone Tokyo"))
    await feed(app, fake.text(47, leave))
    await feed(app, fake.text(47, "/aftercare"))
    await press_label(app, fake, fake.messages_to(47)[-1], "Yesterday")
    assert texts(fake, 47)[-1] == T("ac_ask_time", zone="Asia/Tokyo")
    await feed(app, fake.text(47, "/cancel"))
    await feed(app, fake.text(47, "/timezone"))  # a sign-up begun with /timezone keeps it too
    assert T("ac_ask_zone", zone="Asia/Tokyo") in texts(fake, 47)[-1]
    await feed(app, fake.text(47, "/forget"))
    assert rows_about(settings, 47)["conversations"] == 0
    await feed(app, fake.text(47, "/aftercare"))
    await press_label(app, fake, fake.messages_to(47)[-1], "Yesterday")
    assert texts(fake, 47)[-1] == T("ac_ask_time", zone="Europe/Berlin")


async def test_a_city_with_its_country_sets_the_zone_and_an_abbreviation_is_still_refused(
    app: App, fake: FakeTelegram
) -> None:
    # Found by eng36's colleague: "/timezone Berlin, Germany" and "NYC" were "I don't know
    # that time zone".
    await feed(app, fake.text(48, "/timezone Berlin, Germany"))
    assert T("ac_zone_set", zone="Europe/Berlin") in texts(fake, 48)[-1]
    await feed(app, fake.text(48, "/timezone EST"))
    assert texts(fake, 48)[-1] == T("ac_zone_abbreviation")
    await feed(app, fake.text(48, "NYC"))
    assert T("ac_zone_set", zone="America/New_York") in texts(fake, 48)[-1]


async def test_a_new_time_or_zone_for_a_paused_course_says_it_is_still_paused(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probe23: "Change time" or /timezone on a paused course answered "Done: your
    # messages now come at 19:00", and nothing came: the course stayed paused, unsaid.
    await enrol(app, fake, 44)
    await feed(app, fake.text(44, "/aftercare"))
    await press_label(app, fake, fake.messages_to(44)[-1], "Pause")
    await feed(app, fake.text(44, "/aftercare"))
    await press_label(app, fake, fake.messages_to(44)[-1], "Change time")
    await feed(app, fake.text(44, "19:00"))
    changed = fake.messages_to(44)[-1]
    assert changed["text"] == "\n".join(
        (T("ac_time_changed", time="19:00", zone="Europe/Berlin"), T("ac_still_paused"))
    )
    assert [b["text"] for b in buttons(changed)] == ["Resume"]
    await feed(app, fake.text(44, "/timezone Asia/Tokyo"))
    assert texts(fake, 44)[-1].endswith(T("ac_still_paused"))
    await press_label(app, fake, fake.messages_to(44)[-1], "Resume")
    assert texts(fake, 44)[-1].startswith("Resumed")
    await feed(app, fake.text(44, "/timezone Europe/Paris"))  # running again: no pause to mention
    assert texts(fake, 44)[-1] == T("ac_time_changed", time="19:00", zone="Europe/Paris")


@pytest.mark.parametrize(
    ("command", "done"), [("/forget", "forget_done_alerting"), ("/stop", "ac_stopped")]
)
async def test_a_stop_or_forget_asked_with_a_danger_sign_is_still_done(
    app: App, fake: FakeTelegram, command: str, done: str
) -> None:
    # The urgent reply comes first, and the patient's request about their own data is not lost.
    await enrol(app, fake, 8)
    await feed(app, fake.text(8, f"{command} blurry vision since this morning"))
    urgent, reply = texts(fake, 8)[-2:]
    assert urgent.startswith("Call emergency services now.") and reply == T(done, days=90)
    assert "Urgent message from a patient" in texts(fake, STAFF_CHAT)[0]


async def test_forget_asked_with_a_danger_sign_still_alerts_the_staff_when_the_alert_waits(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probe20: the alert of '/forget blurry vision ...' waits in the outbox whenever
    # the staff chat cannot take it at once (alerts ahead of it at the group's pace, a flood
    # wait, the bot out of the group); the deletion done after it erased it from there, and
    # the staff never heard of the danger sign.
    await enrol(app, fake, 8)
    fake.block(STAFF_CHAT)
    await feed(app, fake.text(8, "/forget blurry vision since this morning"))
    assert texts(fake, 8)[-1] == T("forget_done_alerting", days=90)  # not "any alert ... deleted"
    assert rows_about(settings, 8) == dict.fromkeys(TABLES, 0)
    fake.unblock(STAFF_CHAT)
    delivery = app.bot_data.services.delivery
    async with running_app(settings, load_faq(FAQ), fake, NOW + timedelta(minutes=11)) as again:
        again.bot_data.services.delivery.kick_alerts()
        await again.bot_data.services.delivery.idle()
        assert await again.bot_data.services.store.alerts.pending() == 0
    await delivery.idle()
    (alert,) = texts(fake, STAFF_CHAT)
    assert "Urgent message from a patient" in alert and "blurry vision" in alert


@pytest.mark.parametrize("ended_by", ["/stop", "blocking the bot"])
async def test_enrolling_again_keeps_the_zone_the_patient_chose(
    app: App, fake: FakeTelegram, ended_by: str
) -> None:
    # Found by probing: a patient in Los Angeles who stopped their course (or whose course
    # ended while they had blocked the bot) and enrolled again was asked in the clinic's zone:
    # "Today" counted in Berlin and the daily message came at 09:00 Berlin, midnight for them.
    await enrol(app, fake, 45)
    await feed(app, fake.text(45, "/timezone America/Los_Angeles"))
    if ended_by == "/stop":
        await feed(app, fake.text(45, "/stop"))
    else:
        courses = app.bot_data.services.store.courses
        course = await courses.course_for(45)
        assert course is not None
        await courses.end_course(course.id, EndReason.BLOCKED, NOW)  # as the tick does on a 403
    await feed(app, fake.text(45, "/aftercare"))
    await press_label(app, fake, fake.messages_to(45)[-1], "Yesterday")
    assert "America/Los_Angeles" in texts(fake, 45)[-1]
    await press_label(app, fake, fake.messages_to(45)[-1], "Morning 09:00")
    assert "09:00 (America/Los_Angeles)" in texts(fake, 45)[-2]


async def test_a_zone_given_with_timezone_is_taken_at_once(app: App, fake: FakeTelegram) -> None:
    # Found by probing (probe18): "/timezone Europe/Paris" ignored the zone, answered "Your time
    # zone is Europe/Berlin" and asked for it again.
    await enrol(app, fake, 9)
    await feed(app, fake.text(9, "/timezone America/New_York"))
    assert texts(fake, 9)[-1] == T("ac_time_changed", time="09:00", zone="America/New_York")
    await feed(app, fake.text(9, "/timezone Atlantis"))  # not a zone: the forms, still asked
    assert "Atlantis" not in texts(fake, 9)[-1] and "Europe/Berlin" not in texts(fake, 9)[-1]
    await feed(app, fake.text(9, "Tokyo"))
    assert texts(fake, 9)[-1] == T("ac_time_changed", time="09:00", zone="Asia/Tokyo")


async def test_a_fixed_zone_given_with_timezone_is_taken_and_said_to_have_no_summer_time(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng33): "/timezone Etc/UTC" answered "I don't know that time zone".
    await enrol(app, fake, 19)
    await feed(app, fake.text(19, "/timezone Etc/UTC"))
    changed = T("ac_time_changed", time="09:00", zone="Etc/UTC")
    fixed = T("ac_zone_fixed", zone="Etc/UTC", offset="+00:00")
    assert texts(fake, 19)[-1] == f"{changed} {fixed}"
    await feed(app, fake.text(19, "/timezone Etc/GMT-3"))
    assert "UTC+03:00" in texts(fake, 19)[-1]


async def test_timezone_before_signing_up_begins_the_sign_up_in_that_zone(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng33): "/timezone Asia/Tokyo" before /aftercare answered "You are not
    # signed up", and the zone given was lost: the patient had to find the sign-up and then
    # choose the zone again. It begins the sign-up in that zone instead.
    await feed(app, fake.text(21, "/timezone Asia/Tokyo"))
    reply = texts(fake, 21)[-1]
    assert reply.startswith(T("ac_intro", days=14))
    assert f"{T('ac_zone_set', zone='Asia/Tokyo')}\n\n{T('ac_ask_date')}" in reply
    await press_label(app, fake, fake.messages_to(21)[-1], "Yesterday")
    await press_label(app, fake, fake.messages_to(21)[-1], "Morning 09:00")
    assert "09:00 (Asia/Tokyo)" in texts(fake, 21)[-2]
    # Without a zone: what the messages are, the zone question, then the date question.
    await feed(app, fake.text(22, "/timezone"))
    assert texts(fake, 22)[-1].startswith(T("ac_intro", days=14))
    assert T("ac_ask_zone", zone="Europe/Berlin") in texts(fake, 22)[-1]
    await press_label(app, fake, fake.messages_to(22)[-1], "Asia/Dubai".replace("_", " "))
    assert texts(fake, 22)[-1] == f"{T('ac_zone_set', zone='Asia/Dubai')}\n\n{T('ac_ask_date')}"
    await feed(app, fake.text(22, "/cancel"))
    assert texts(fake, 22)[-1] == T("ac_cancelled")


def _edit(update: dict[str, Any], text: str, edit: int = 1) -> dict[str, Any]:
    """The update Telegram sends when the patient edits a message (the `edit`-th time)."""
    message = {**update["message"], "text": text, "edit_date": update["message"]["date"] + edit}
    return {"update_id": update["update_id"] + 10_000 * edit, "edited_message": message}


async def test_an_edited_enrolment_answer_is_read_again_while_it_is_the_latest(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng33): "yesterday" edited to "2 days ago" was silently ignored, and the
    # course counted from the date the patient had corrected.
    await feed(app, fake.text(23, "/aftercare"))
    answer = fake.text(23, "yesterday")
    await feed(app, answer)
    await feed(app, _edit(answer, "2 days ago"))
    assert texts(fake, 23)[-1].startswith(T("ac_edit_read"))
    assert T("ac_ask_time", zone="Europe/Berlin") in texts(fake, 23)[-1]
    await feed(app, _edit(answer, "5 weeks ago", 2))  # too old: the date question again
    assert texts(fake, 23)[-1].startswith(T("ac_edit_read"))
    assert T("ac_date_too_old", days=14) in texts(fake, 23)[-1]
    await feed(app, _edit(answer, "3 days ago", 3))
    await feed(app, fake.text(23, "9am"))
    assert texts(fake, 23)[-1].startswith("<b>Day 3 of 14</b>")
    # Enrolled: the answer is no longer the latest; the patient is told how to change the date.
    sent = len(texts(fake, 23))
    await feed(app, _edit(answer, "yesterday", 4))
    assert texts(fake, 23)[-1] == T("ac_edit_enrolled", date="17.05.2025")
    assert len(texts(fake, 23)) == sent + 1


async def test_an_edited_earlier_enrolment_answer_says_how_to_change_it(
    app: App, fake: FakeTelegram
) -> None:
    await feed(app, fake.text(24, "/aftercare"))
    date_answer = fake.text(24, "yesterday")
    await feed(app, date_answer)
    await feed(app, fake.text(24, "/timezone"))
    await feed(app, fake.text(24, "Tokyo"))
    await feed(app, _edit(date_answer, "2 days ago"))
    assert texts(fake, 24)[-1] == T("ac_edit_moved_on")
    await press_label(app, fake, fake.messages_to(24)[-2], "Morning 09:00")
    assert texts(fake, 24)[-1].startswith("<b>Day 1 of 14</b>")  # the date kept as answered


async def test_following_the_advice_for_an_edited_earlier_answer_keeps_the_zone_chosen(
    app: App, fake: FakeTelegram
) -> None:
    # Found by eng35: the advice was "send /cancel and then /aftercare again"; done so, the
    # date was asked again as at a first sign-up, in the clinic's zone: Tokyo, chosen since, was
    # lost. /aftercare alone begins the sign-up anew at the date and keeps the zone.
    await feed(app, fake.text(28, "/aftercare"))
    date_answer = fake.text(28, "yesterday")
    await feed(app, date_answer)
    await feed(app, fake.text(28, "/timezone Tokyo"))
    await feed(app, _edit(date_answer, "2 days ago"))
    for command in re.findall(r"/[a-z]+", texts(fake, 28)[-1]):
        await feed(app, fake.text(28, command))
    await feed(app, fake.text(28, "2 days ago"))
    assert texts(fake, 28)[-1] == T("ac_ask_time", zone="Asia/Tokyo")


async def test_a_date_given_with_aftercare_and_edited_is_read_again_while_it_is_the_latest(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng34): "/aftercare yesterday" edited to "/aftercare 2 days ago" was
    # silently ignored, where the same answer typed alone and edited is read again.
    command = fake.text(25, "/aftercare yesterday")
    await feed(app, command)
    await feed(app, _edit(command, "/aftercare 2 days ago"))
    assert texts(fake, 25)[-1].startswith(T("ac_edit_read"))
    assert T("ac_ask_time", zone="Europe/Berlin") in texts(fake, 25)[-1]
    await feed(app, fake.text(25, "9am"))
    assert texts(fake, 25)[-1].startswith("<b>Day 2 of 14</b>")
    await feed(app, _edit(command, "/aftercare 3 days ago", 2))  # signed up: how to change it
    assert texts(fake, 25)[-1] == T("ac_edit_enrolled", date="18.05.2025")


async def test_aftercare_again_after_a_zone_refused_the_date_keeps_the_zone_and_the_answers(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng34): a zone in which the date typed is still to come asks the date
    # again; "/aftercare 19.05.2025" then began the sign-up anew in the clinic's zone, and the
    # earlier answers were forgotten: an edit of one got no reply at all.
    await feed(app, fake.text(27, "/aftercare"))
    date_answer = fake.text(27, "20.05.2025")
    await feed(app, date_answer)
    await feed(app, fake.text(27, "/timezone"))
    zone_answer = fake.text(27, "Pago Pago")
    await feed(app, zone_answer)
    assert T("ac_date_future") in texts(fake, 27)[-1]  # 23:00 on 19 May there
    await feed(app, fake.text(27, "/aftercare 19.05.2025"))
    assert texts(fake, 27)[-1] == T("ac_ask_time", zone="Pacific/Pago_Pago")
    for answer in (date_answer, zone_answer):
        await feed(app, _edit(answer, "18.05.2025"))
        assert texts(fake, 27)[-1] == T("ac_edit_moved_on")


async def test_an_edited_new_time_or_zone_is_read_again_while_it_is_the_latest(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (eng34): "19:00" typed as the new time, then edited to "20:00", was
    # silently ignored: the messages kept coming at the time the patient had corrected.
    await enrol(app, fake, 28)
    await feed(app, fake.text(28, "/aftercare"))
    await press_label(app, fake, fake.messages_to(28)[-1], "Change time")
    new_time = fake.text(28, "19:00")
    await feed(app, new_time)
    await feed(app, _edit(new_time, "20:00"))
    changed = T("ac_time_changed", time="20:00", zone="Europe/Berlin")
    assert texts(fake, 28)[-1] == f"{T('ac_edit_read')}\n\n{changed}"
    new_zone = fake.text(28, "/timezone Asia/Tokyo")
    await feed(app, new_zone)
    await feed(app, _edit(new_zone, "/timezone Europe/Paris"))
    changed = T("ac_time_changed", time="20:00", zone="Europe/Paris")
    assert texts(fake, 28)[-1] == f"{T('ac_edit_read')}\n\n{changed}"
    course = await app.bot_data.services.store.courses.course_for(28)
    assert course is not None and (course.send_time.hour, course.timezone) == (20, "Europe/Paris")
    # No longer the latest answer: how to change it instead.
    await feed(app, _edit(new_time, "21:00", 2))
    assert texts(fake, 28)[-1] == T("ac_edit_changed", time="20:00", zone="Europe/Paris")


async def test_a_procedure_date_given_with_aftercare_is_taken_at_once(
    app: App, fake: FakeTelegram
) -> None:
    # Found by probing (probe18): "/aftercare 18.05.2025" ignored the date and asked for it.
    await feed(app, fake.text(11, "/aftercare yesterday"))
    asked_time = texts(fake, 11)[-1]
    await feed(app, fake.text(12, "/aftercare"))
    await press_label(app, fake, fake.messages_to(12)[-1], "Yesterday")
    assert asked_time == texts(fake, 12)[-1]  # the next question, as after the button
    await feed(app, fake.text(11, "9am"))
    assert texts(fake, 11)[-1].startswith("<b>Day 1 of 14</b>")
    await feed(app, fake.text(11, "/aftercare all good"))  # enrolled: the status, nothing typed
    assert "day 1 of 14" in texts(fake, 11)[-1]


async def test_a_check_in_edited_into_a_worrying_one_gets_the_advice_and_alerts_once(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing (eng32): "fine" edited to "Something worrying" got nothing at all: an
    # edit was read for red flags only, so the worried patient had no advice and the staff no
    # alert, where the same words sent anew get both.
    await enrol(app, fake, 44)
    update = fake.text(44, "fine")
    await feed(app, update)
    assert texts(fake, 44)[-1] == "Glad to hear it."
    edit = {**update["message"], "text": "Something worrying", "edit_date": 1}
    fake.push(edited_message=edit)
    await feed(app, fake.pending()[-1])
    assert texts(fake, 44)[-1] == "Contact your treating doctor now: [+00 000]."
    (alert,) = texts(fake, STAFF_CHAT)
    assert "Day: 1 of 14" in alert and "Answer: Something worrying" in alert
    assert rows_about(settings, 44)["checkins"] == 2
    sent = len(fake.messages_to(44))
    fake.push(edited_message={**edit, "text": "something worrying!", "edit_date": 2})
    await feed(app, fake.pending()[-1])
    fake.push(edited_message={**edit, "text": "Swelling", "edit_date": 3})
    await feed(app, fake.pending()[-1])
    # Edited again, or into another answer: no second advice, no second alert.
    assert len(fake.messages_to(44)) == sent and len(texts(fake, STAFF_CHAT)) == 1


async def test_a_check_in_typed_while_a_new_time_or_zone_is_asked_is_still_the_check_in(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing: after "Change time" (or /timezone) an enrolled patient's typed check-in
    # ("Something worrying", "fine") was read as a time or zone it is not: "Please type the
    # time as HH:MM", no urgent advice, no staff alert, for as long as the question stayed open.
    await enrol(app, fake, 43)
    await feed(app, fake.text(43, "/aftercare"))
    await press_label(app, fake, fake.messages_to(43)[-1], "Change time")
    await feed(app, fake.text(43, "Something worrying"))
    advice, reminder = texts(fake, 43)[-2:]
    assert advice == "Contact your treating doctor now: [+00 000]."
    assert reminder == T("ac_waiting_time")
    (alert,) = texts(fake, STAFF_CHAT)
    assert "Answer: Something worrying" in alert
    await feed(app, fake.text(43, "19:30"))  # the open question was kept
    assert texts(fake, 43)[-1] == T("ac_time_changed", time="19:30", zone="Europe/Berlin")
    await feed(app, fake.text(43, "/timezone"))
    await feed(app, fake.text(43, "fine"))
    assert texts(fake, 43)[-2:] == ["Glad to hear it.", T("ac_waiting_zone")]
    assert rows_about(settings, 43)["checkins"] == 2


async def test_forget_deletes_every_row_about_the_patient(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await feed(app, fake.text(8, "will i get bruises"))
    answer = fake.messages_to(8)[-1]
    fake.press(answer, "fb:1:bruising")
    await feed(app, fake.pending()[-1])
    day = await enrol(app, fake, 8)
    await press_label(app, fake, day, "Swelling")
    await feed(app, fake.text(8, "/timezone"))  # an open question too
    assert all(rows_about(settings, 8)[t] for t in TABLES)
    await enrol(app, fake, 9)
    await feed(app, fake.text(8, "/forget"))
    assert texts(fake, 8)[-1] == T("forget_done", days=90)
    assert rows_about(settings, 8) == dict.fromkeys(TABLES, 0)
    assert rows_about(settings, 9)["courses"] == 1  # nobody else's


async def test_forget_with_a_danger_sign_promises_no_staff_alert_when_no_staff_chat_is_set(
    settings: Settings, fake: FakeTelegram
) -> None:
    # Found by probe22: the reply said the danger sign "goes to the clinic's staff first, then
    # is deleted too" with SOFTLIFT_STAFF_CHAT_ID unset, when no alert was queued at all.
    no_staff = dataclasses.replace(settings, staff_chat_id=None)
    async with running_app(no_staff, load_faq(FAQ), fake, NOW) as app:
        await feed(app, fake.text(8, "/forget blurry vision since this morning"))
    assert texts(fake, 8)[-1] == T("forget_done", days=90)


@pytest.mark.parametrize("urgent", [False, True])
async def test_forget_tells_how_long_unanswered_texts_are_really_kept(
    settings: Settings, fake: FakeTelegram, urgent: bool
) -> None:
    # Found by probe22: the reply to /forget said the questions the bot could not answer "are
    # deleted after 90 days" whatever SOFTLIFT_UNANSWERED_DAYS keeps them for (up to 3650).
    kept_a_year = dataclasses.replace(settings, unanswered_days=365)
    async with running_app(kept_a_year, load_faq(FAQ), fake, NOW) as app:
        await feed(app, fake.text(8, "/forget blurry vision" if urgent else "/forget"))
    done = texts(fake, 8)[-1]
    assert "after 365 days" in done and "90" not in done


async def test_check_in_buttons_of_a_stopped_course_record_nothing(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing: after /stop an old day message's buttons still recorded answers.
    day = await enrol(app, fake, 42)
    await feed(app, fake.text(42, "/stop"))
    await press_label(app, fake, day, "Bruising")
    assert texts(fake, 42)[-1] == T("ac_stale")
    assert rows_about(settings, 42)["checkins"] == 0
    assert fake.messages_to(STAFF_CHAT) == []


async def test_aftercare_commands_in_a_group_point_to_the_private_chat(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    group = {"chat_type": "group", "user_id": 10}
    for command in (
        "/aftercare",
        "/forget",
        "/stop@softlift_test_bot",
        "/forget@softlift_test_bot",
    ):
        await feed(app, fake.text(-10, command, **group))
    # Found by probe23: /forget in a group was told that aftercare messages are personal.
    private, forget = T("ac_private_only"), T("forget_private_only")
    assert texts(fake, -10) == [private, forget, private, forget]
    await feed(app, fake.text(-10, "/start aftercare", **group))
    assert "not a consultation" in texts(fake, -10)[-1]
    assert rows_about(settings, 10)["conversations"] == 0


async def test_stats_count_checkins_per_day_and_answer(app: App, fake: FakeTelegram) -> None:
    for chat in (11, 12):
        day = await enrol(app, fake, chat)
        await press_label(app, fake, day, "Swelling")
    await press_label(app, fake, day, "Pain")
    await feed(app, fake.text(ADMIN, "/stats text"))
    report = texts(fake, ADMIN)[-1]
    assert "Aftercare check-ins by day:\n• Day 1: Pain 1, Swelling 2" in report


async def test_command_menu_lists_the_aftercare_commands(app: App, fake: FakeTelegram) -> None:
    await _post_init(app)
    assert [c["command"] for c in fake.commands] == [
        "start",
        "topics",
        "help",
        "aftercare",
        "timezone",
        "cancel",
        "stop",
        "forget",
    ]


async def test_a_blocked_patient_ends_the_course(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await enrol(app, fake, 13)
    fake.block(13)
    repo = app.bot_data.services.store.courses
    course = await repo.course_for(13)
    assert course is not None and course.next_due is not None
    services = app.bot_data.services
    services.clock = lambda: NOW + timedelta(days=1)
    services.delivery = Delivery(
        services.store, telegram_send(app.bot), services.clock, services.day_messages
    )
    services.delivery.kick()
    await services.delivery.idle()
    ended = await repo.course(course.id)
    assert ended is not None and ended.end_reason is not None
    assert ended.end_reason.value == "blocked"
    assert rows_about(settings, 13)["deliveries"] == 1  # only the day that was sent


class _Bot:
    """Raises one Bot API error from send_message."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), RecipientGone),
        (BadRequest("Bad Request: chat not found"), RecipientGone),
        (RetryAfter(7), RetryLater),
        (TimedOut(), RetryLater),
        (NetworkError("Bad Gateway"), RetryLater),
        (BadRequest("Bad Request: can't parse entities"), BadRequest),
    ],
)
async def test_send_maps_telegram_errors_to_the_tick(
    error: Exception, expected: type[Exception]
) -> None:
    send = telegram_send(_Bot(error))  # type: ignore[arg-type]
    with pytest.raises(expected) as raised:
        await send(1, Reply("hello"))
    if isinstance(error, RetryAfter):
        assert isinstance(raised.value, RetryLater) and raised.value.seconds == 7


async def test_the_purge_runs_at_most_once_an_hour(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = app.bot_data.services
    purges: list[datetime] = []

    async def purge(self: CourseRepo, now: datetime) -> int:
        purges.append(now)
        return 0

    monkeypatch.setattr(CourseRepo, "purge", purge)
    moments = iter([NOW, NOW + timedelta(minutes=30), NOW + timedelta(minutes=61)])
    clock_now = [NOW]

    def clock() -> datetime:
        return clock_now[0]

    delivery = Delivery(services.store, telegram_send(app.bot), clock, services.day_messages)
    for moment in moments:
        clock_now[0] = moment
        delivery.kick()
        await delivery.idle()
    assert purges == [NOW, NOW + timedelta(minutes=61)]


async def test_an_old_course_is_purged_after_the_faq_lost_its_course(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing: the purge ran only inside the aftercare tick, which does nothing when
    # no FAQ file has a course (a clinic that dropped it): old courses and check-ins stayed.
    day = await enrol(app, fake, 8)
    await press_label(app, fake, day, "Swelling")
    await feed(app, fake.text(8, "/stop"))
    later = NOW + timedelta(days=31)
    services = app.bot_data.services
    delivery = Delivery(services.store, telegram_send(app.bot), lambda: later, lambda: None)
    delivery.kick()
    await delivery.idle()
    assert rows_about(settings, 8)["courses"] == 0
    assert rows_about(settings, 8)["checkins"] == 0


async def test_a_course_still_running_when_the_faq_lost_its_course_is_purged_after_its_days(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probe22: only ended or paused courses were purged. With no course in the FAQ
    # the tick no longer skips a running course's days, so it never ended: its rows (the
    # patient's id, procedure date and check-ins) were kept for ever.
    day = await enrol(app, fake, 9)
    await press_label(app, fake, day, "Swelling")
    services, clock = app.bot_data.services, [NOW]
    for days, kept in ((42, 1), (43, 0)):  # the last day's message is due in 12 days 21 hours
        clock[0] = NOW + timedelta(days=days)
        delivery = Delivery(services.store, telegram_send(app.bot), lambda: clock[0], lambda: None)
        delivery.kick()
        await delivery.idle()
        assert rows_about(settings, 9)["courses"] == kept
    assert rows_about(settings, 9)["checkins"] == 0 and rows_about(settings, 9)["deliveries"] == 0


async def test_a_second_process_starting_leaves_the_first_ones_claims_alone(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    await enrol(app, fake, 21)
    repo = app.bot_data.services.store.courses
    # The process already running has claimed tomorrow's message and is sending it.
    (claimed,) = await repo.claim_due(NOW + timedelta(days=1), 10, "the-running-process")
    # A new process starts on the same database (a rolling deploy).
    async with running_app(settings, load_faq(FAQ), fake, NOW) as second:
        await _post_init(second)
        second.bot_data.services.delivery.kick()
        await second.bot_data.services.delivery.idle()
    conn = sqlite3.connect(sqlite_path(settings.database_url))
    try:
        status, owner = conn.execute(
            "SELECT status, claimed_by FROM deliveries WHERE id = ?", (claimed.id,)
        ).fetchone()
    finally:
        conn.close()
    assert (status, owner) == ("sending", "the-running-process")


async def test_something_worrying_on_an_old_message_after_forget_still_gets_the_urgent_advice(
    app: App, fake: FakeTelegram
) -> None:
    # The button answered "out of date" once the course was gone: no advice, no alert.
    day = await enrol(app, fake, 22)
    await feed(app, fake.text(22, "/forget"))
    await press_label(app, fake, day, "Something worrying")
    assert texts(fake, 22)[-1] == "Contact your treating doctor now: [+00 000]."
    (alert,) = texts(fake, STAFF_CHAT)
    assert '<a href="tg://user?id=22">Anna</a>' in alert and "Answer: Something worrying" in alert
    assert "no aftercare course" in alert and "Day:" not in alert
    await press_label(app, fake, day, "Bruising")  # other stale buttons keep their note
    assert texts(fake, 22)[-1] == T("ac_stale")


@pytest.mark.parametrize("data", ["ac:c:1:1:\ud83d", "ac:\ud83d"])
async def test_a_forged_aftercare_press_with_half_a_surrogate_pair_gets_the_stale_note(
    app: App, fake: FakeTelegram, data: str
) -> None:
    # A JSON "\ud83d" delivers half a surrogate pair: buttons.parse raised UnicodeEncodeError,
    # and the error handler, asking the same data for urgent advice, raised it again, so the
    # patient got no reply at all, not even the apology.
    day = await enrol(app, fake, 24)
    sent = len(fake.messages_to(24))
    fake.press(day, data)
    await feed(app, fake.pending()[-1])
    assert texts(fake, 24)[sent:] == [T("ac_stale")]
    assert not fake.unanswered_queries()


@pytest.mark.parametrize(
    "typed",
    ["had a headache this morning but now ok", "I'm Anna Petrova, my left eye waters a lot today"],
)
async def test_a_check_in_answered_in_free_text_is_not_kept(
    app: App, fake: FakeTelegram, settings: Settings, typed: str
) -> None:
    # README: free text typed in aftercare check-ins is never stored, only the option chosen.
    # An enrolled patient answering "How do you feel today?" in their own words got the "not
    # covered" reply, and their words (a symptom, here with their name) were kept among the
    # unanswered questions that /unanswered and the weekly digest show the staff.
    day = await enrol(app, fake, 25)
    assert "How do you feel today?" in day["text"]
    await feed(app, fake.text(25, typed))
    conn = sqlite3.connect(sqlite_path(settings.database_url))
    try:
        kept = conn.execute("SELECT text FROM unanswered").fetchall()
    finally:
        conn.close()
    assert kept == []


async def test_today_then_a_zone_west_of_the_clinic_starts_the_course_that_day(
    settings: Settings, fake: FakeTelegram
) -> None:
    # 04:30 UTC is 05:30 on 4 December in Berlin but 20:30 on 3 December in Los Angeles.
    # "today" was read in Berlin and kept: the course began a day in the patient's future.
    early = datetime(2025, 12, 4, 4, 30, tzinfo=UTC)
    async with running_app(settings, load_faq(FAQ), fake, early) as app:
        for typed in ("/aftercare", "today", "/timezone", "Los Angeles", "9am"):
            await feed(app, fake.text(23, typed))
        course = await app.bot_data.services.store.courses.course_for(23)
    assert course is not None and str(course.procedure_date) == "2025-12-03"
    assert course.next_due == datetime(2025, 12, 4, 17, tzinfo=UTC)  # day 1 at 09:00 in LA
    assert any("until 17.12.2025" in t for t in texts(fake, 23))


def fail_inserts(settings: Settings, table: str) -> None:
    """Make every insert into a table fail, as a full disk would."""
    conn = sqlite3.connect(sqlite_path(settings.database_url))
    try:
        conn.execute(
            f"CREATE TRIGGER full_{table} BEFORE INSERT ON {table}"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        conn.commit()
    finally:
        conn.close()


async def test_a_database_error_logs_no_patient_text(
    app: App, fake: FakeTelegram, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probing: the database error carried the failed statement's parameters, so the
    # error log quoted the staff alert being queued: the patient's name, username and symptoms.
    await feed(app, fake.text(24, "/start"))
    fail_inserts(settings, "alerts")
    with caplog.at_level(logging.ERROR):
        await feed(app, fake.text(24, "I have blurred vision", first_name="Zelda"))
    assert "disk full" in caplog.text  # the error itself is logged
    assert "blurred" not in caplog.text
    assert "Zelda" not in caplog.text and "anna_patient" not in caplog.text


async def test_a_danger_sign_gets_the_urgent_reply_and_reaches_the_staff_when_the_database_fails(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing: when the staff alert could not be stored (a full disk), the patient who
    # wrote a danger sign got only "something went wrong", not "contact your doctor now"; and
    # then, with the urgent reply fixed, the staff chat never heard of it (the alert went only
    # through the outbox). It is now sent past the outbox.
    await feed(app, fake.text(25, "/start"))
    fail_inserts(settings, "alerts")
    await feed(app, fake.text(25, "I have blurred vision", first_name="Zelda"))
    assert texts(fake, 25)[-1].startswith("Call emergency services now.")
    assert T("error_apology") not in texts(fake, 25)
    fail_inserts(settings, "questions")
    await feed(app, fake.text(25, "will i get bruises"))  # not urgent: the usual apology
    assert texts(fake, 25)[-1] == T("error_apology")
    (alert,) = texts(fake, STAFF_CHAT)
    assert "Urgent message from a patient" in alert and "I have blurred vision" in alert
    assert '<a href="tg://user?id=25">Zelda</a>' in alert


async def test_a_danger_sign_after_a_command_gets_the_urgent_reply_alone_when_the_database_fails(
    app: App, fake: FakeTelegram, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by probing: "/help I have blurred vision" with the alert's insert failing got the
    # urgent reply from the error handler and then /help's reply as well (the handlers after
    # the failed danger check still ran); with the patient's language unreadable too, /help
    # failed in turn and the patient got the urgent reply twice.
    await feed(app, fake.text(29, "/start"))
    fail_inserts(settings, "alerts")
    await feed(app, fake.text(29, "/help I have blurred vision"))
    urgent, *after = texts(fake, 29)[1:]
    assert urgent.startswith("Call emergency services now.") and after == []
    assert len(texts(fake, STAFF_CHAT)) == 1
    # A deletion asked for with it is still done.
    await feed(app, fake.text(29, "/forget I have blurred vision"))
    assert texts(fake, 29)[-2].startswith("Call emergency services now.")
    assert texts(fake, 29)[-1].startswith("Done: I have deleted everything")

    async def unreadable(*_: object) -> str:
        raise OSError("database away")

    monkeypatch.setattr(Services, "language_of", unreadable)
    await feed(app, fake.text(30, "/help I have blurred vision"))
    assert len(texts(fake, 30)) == 1 and texts(fake, 30)[0].startswith("Call emergency")


async def test_a_group_danger_sign_sent_past_the_outbox_names_the_group(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # The alert sent past the outbox (the database failing) says where it was written too.
    await feed(app, fake.text(28, "/start"))
    fail_inserts(settings, "alerts")
    await feed(app, fake.text(-300, "/help I have blurred vision", user_id=28, chat_type="group"))
    assert texts(fake, -300)[0].startswith("Call emergency services now.")
    (alert,) = texts(fake, STAFF_CHAT)
    assert alert.startswith('👥 Written in the group "Clinic patients"')


@pytest.mark.parametrize("staff_chat", ["blocked", "no such chat", "failing"])
async def test_a_danger_sign_gets_the_urgent_reply_when_the_database_and_the_staff_chat_fail(
    app: App, fake: FakeTelegram, settings: Settings, staff_chat: str
) -> None:
    # Found by probing: with the alert's insert failing, the alert sent past the outbox to a
    # staff chat that refused it raised the transport-free "recipient gone" (or "retry later"),
    # which the error handler did not catch: the patient who wrote a danger sign got nothing.
    await feed(app, fake.text(27, "/start"))
    if staff_chat == "blocked":
        fake.block(STAFF_CHAT)
    elif staff_chat == "no such chat":
        fake.no_such_chat(STAFF_CHAT)
    else:
        fake.fail("sendMessage", times=ratelimit.MAX_RETRIES + 1, mode="500")
    fail_inserts(settings, "alerts")
    await feed(app, fake.text(27, "I have blurred vision"))
    assert texts(fake, 27)[-1].startswith("Call emergency services now.")


async def test_something_worrying_gets_the_urgent_reply_and_reaches_the_staff_when_the_database_fails(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # Found by probing: with the check-in's insert failing, "Something worrying" got only the
    # generic apology, as a danger sign typed in words did; and then no staff alert.
    day = await enrol(app, fake, 26)
    fail_inserts(settings, "checkins")
    await press_label(app, fake, day, "Something worrying")
    assert texts(fake, 26)[-1] == "Contact your treating doctor now: [+00 000]."
    await press_label(app, fake, day, "Bruising")  # not urgent: the usual apology
    assert texts(fake, 26)[-1] == T("error_apology")
    (alert,) = texts(fake, STAFF_CHAT)
    assert '<a href="tg://user?id=26">Anna</a>' in alert and "Something worrying" in alert


# Found by probing: answering the press (the spinner) failing after every retry aborted the
# press, and the alert was queued only after the patient's replies had gone, so a reply failing
# after every retry lost it; the error handler gave the urgent reply, but no alert was queued.
@pytest.mark.parametrize("failing", ["answerCallbackQuery", "sendMessage"])
async def test_something_worrying_reaches_the_staff_when_telegram_keeps_failing(
    app: App, fake: FakeTelegram, failing: str
) -> None:
    day = await enrol(app, fake, 28)
    fake.fail(failing, times=ratelimit.MAX_RETRIES + 1, mode="500")
    await press_label(app, fake, day, "Something worrying")
    assert texts(fake, 28)[-1] == "Contact your treating doctor now: [+00 000]."
    (alert,) = texts(fake, STAFF_CHAT)
    assert '<a href="tg://user?id=28">Anna</a>' in alert and "Answer: Something worrying" in alert


async def test_a_queued_alert_is_not_sent_twice_when_a_later_step_fails(
    app: App, fake: FakeTelegram, settings: Settings
) -> None:
    # The alert is queued before the reply; a failure after that (recording the question)
    # must not add a second alert sent past the outbox.
    await feed(app, fake.text(29, "/start"))
    fail_inserts(settings, "questions")
    await feed(app, fake.text(29, "I have blurred vision"))
    assert texts(fake, 29)[-1].startswith("Call emergency services now.")
    assert len(texts(fake, STAFF_CHAT)) == 1


async def test_an_aftercare_button_pressed_in_a_group_reveals_and_changes_nothing(
    app: App, fake: FakeTelegram
) -> None:
    # The bot shows aftercare buttons in private chats only; data forged onto a group message
    # must not pause someone's course, open their questions or tell the group about it.
    await enrol(app, fake, 60)
    group = {"chat_type": "supergroup", "user_id": 60}
    await feed(app, fake.text(-60, "/topics@softlift_test_bot", **group))
    menu = fake.messages_to(-60)[-1]
    for data in ("ac:p", "ac:ct", "ac:c:1:1:swelling"):
        fake.press(menu, data, user_id=60)
        await feed(app, fake.pending()[-1])
    assert texts(fake, -60)[1:] == [T("ac_private_only")] * 3
    course = await app.bot_data.services.store.courses.course_for(60)
    assert course is not None and course.status.value == "active"
    assert rows_about_conversation(app) == 0
    assert not fake.unanswered_queries()


def rows_about_conversation(app: App) -> int:
    """Whether patient 60 has an open aftercare question (0 or 1)."""
    path = sqlite_path(app.bot_data.services.settings.database_url)
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute("SELECT count(*) FROM conversations WHERE user_id = 60").fetchone()[0]
        )
    finally:
        conn.close()
