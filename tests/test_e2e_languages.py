"""End to end: Russian and English speakers against the real `softlift-bot run` with both files.

One bot process serves the module; every test uses its own chats. The shipped files are copied
with the clinic's zone set to one where it is midday when the module starts (see
`midday_zone`), so no enrolment can see the patient's day change, whatever the wall clock says.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botapi_stub import BotApiStub, FakeTelegram, buttons, serve
from e2e_support import TOKEN, BotProcess, midday_zone, press, start_bot

from bot.locale import get_locale

FAQ_DIR = Path(__file__).parent.parent / "faq"
SHIPPED = {
    "softlifting.yaml": "timezone: Europe/Berlin",
    "softlifting.ru.yaml": "timezone: Europe/Berlin",
}
STAFF_CHAT = -100888
EN, RU = get_locale("en").t, get_locale("ru").t
RU_WELCOME = "Здравствуйте! Я помощник клиники"
RU_URGENT = "То, что вы описываете, может требовать помощи врача"
RU_TOPICS = ["Процедура", "Результат", "Побочные эффекты и восстановление", "Кому подходит"]
RU_EFFECT = "Результат держится примерно 9–12 месяцев"
RED_FLAG = "у меня температура и губа синяя"


@pytest.fixture(scope="module")
def zone() -> str:
    """The clinic's zone: one where it is 12:00-12:59 now, so local midnight is hours away."""
    return midday_zone()


@pytest.fixture(scope="module")
def faq(zone: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """SOFTLIFT_FAQ: the shipped English and Russian files, both clinics in `zone`."""
    folder = tmp_path_factory.mktemp("faq")
    paths = []
    for name, line in SHIPPED.items():
        text = (FAQ_DIR / name).read_text(encoding="utf-8")
        assert text.count(line) == 1, name
        path = folder / name
        path.write_text(text.replace(line, f"timezone: {zone}"), encoding="utf-8")
        paths.append(str(path))
    return ",".join(paths)


@pytest.fixture(scope="module")
def stub() -> Iterator[BotApiStub]:
    """The Bot API stub for this module."""
    with serve(TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def bot(
    stub: BotApiStub, faq: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    """The bot over both languages, a staff chat set and a 0.2 s aftercare tick."""
    tmp = tmp_path_factory.mktemp("languages")
    process = start_bot(
        stub,
        tmp,
        Path(faq.split(",")[0]),
        SOFTLIFT_FAQ=faq,
        SOFTLIFT_STAFF_CHAT_ID=str(STAFF_CHAT),
        SOFTLIFT_TICK_SECONDS="0.2",
    )
    stub.fake.wait_for(lambda: stub.fake.calls_of("getUpdates"), 10, "polling")
    yield process
    # Every test of the module ran against this bot: it must stop cleanly, and its log must
    # hold no error, token or patient's text.
    assert process.stop() == 0
    output = process.text()
    assert "is up" in output and "aftercare tick:" in output
    assert " ERROR " not in output
    for secret in (TOKEN, RED_FLAG, "вчера", "в 9 утра", "Здравствуйте"):
        assert secret not in output
    assert [c for c in stub.fake.calls if c.status == 400] == []
    assert not stub.fake.unanswered_queries()


@pytest.fixture
def fake(stub: BotApiStub, bot: BotProcess) -> FakeTelegram:
    """The stub's state, with the bot running."""
    return stub.fake


def say(
    fake: FakeTelegram, chat: int, text: str, expect: int = 1, language_code: str | None = None
) -> list[dict[str, Any]]:
    """Send a text from a user whose app is in `language_code`; wait for `expect` more messages."""
    count = len(fake.messages_to(chat))
    fake.text(chat, text, language_code=language_code)
    return fake.wait_messages(chat, count + expect)[count:]


def labels(message: dict[str, Any]) -> list[str]:
    """The labels of a message's buttons."""
    return [b["text"] for b in buttons(message)]


def press_answer(fake: FakeTelegram, query_id: str) -> str:
    """The text the bot showed when it answered a button press."""
    (call,) = [
        c
        for c in fake.calls_of("answerCallbackQuery")
        if c.params.get("callback_query_id") == query_id and c.status == 200
    ]
    return str(call.params.get("text") or "")


def staff_alert(fake: FakeTelegram, user_id: int) -> dict[str, Any]:
    """The staff alert about one patient (other tests' alerts may come before or after it)."""
    link = f'href="tg://user?id={user_id}"'
    return fake.wait_for(  # type: ignore[no-any-return]
        lambda: next((m for m in fake.messages_to(STAFF_CHAT) if link in m["text"]), None),
        what=f"the staff alert about {user_id}",
    )


def test_commands_are_registered_in_both_languages(fake: FakeTelegram) -> None:
    fake.wait_for(lambda: len(fake.calls_of("setMyCommands")) == 6, 10, "the menus")
    calls = fake.calls_of("setMyCommands")
    # uk, be and kk apps are answered in Russian, and see its menu.
    assert [c.params.get("language_code") for c in calls] == [None, "en", "ru", "uk", "be", "kk"]
    russian = {c["command"]: c["description"] for c in calls[2].params["commands"]}
    assert russian["language"] == RU("command_language")
    assert all(c.params["commands"] == calls[2].params["commands"] for c in calls[3:])


def test_a_russian_welcome_question_and_its_buttons(fake: FakeTelegram) -> None:
    (welcome,) = say(fake, 301, "/start", language_code="ru")
    assert welcome["text"].startswith(RU_WELCOME)
    assert labels(welcome)[: len(RU_TOPICS)] == RU_TOPICS
    # A topic button turns the welcome into that topic's questions, in place.
    press(fake, 301, "Процедура", expect=0, on=welcome)
    edited = fake.wait_for(
        lambda: fake.messages_to(301)[0].get("edited") and fake.messages_to(301)[0]
    )
    assert edited["text"].startswith(RU("group_header", title="Процедура"))
    assert labels(edited)[-1] == RU("more_topics")

    (answer,) = say(fake, 301, "skolko derzhitsya effekt", language_code="ru")
    assert RU_EFFECT in answer["text"]
    assert answer["text"].endswith(RU("helpful_prompt"))
    related = [label for label in labels(answer) if label not in ("👍", "👎")]
    assert related, labels(answer)
    (other,) = press(fake, 301, related[0], on=answer)
    assert other["text"].startswith(f"<b>{related[0]}</b>")
    assert other["text"].endswith(RU("helpful_prompt"))

    data = next(b["callback_data"] for b in buttons(answer) if b["text"] == "👍")
    query = fake.press(answer, data)
    fake.wait_for(lambda: query in fake.answered, what="the 👍 answered")
    assert press_answer(fake, query) == RU("feedback_thanks")


def test_a_russian_red_flag_gets_the_russian_urgent_reply_and_a_staff_alert(
    fake: FakeTelegram,
) -> None:
    (urgent,) = say(fake, 302, RED_FLAG, language_code="ru")
    assert urgent["text"].startswith(RU_URGENT)
    alert = staff_alert(fake, 302)
    assert alert["text"].startswith("⚠️ Urgent message from a patient")  # staff read English
    assert RED_FLAG in alert["text"]


def test_russian_enrolment_with_typed_date_and_time_then_a_russian_check_in(
    fake: FakeTelegram, zone: str
) -> None:
    (question,) = say(fake, 303, "/aftercare", language_code="ru")
    assert RU("ac_ask_date") in question["text"]
    assert RU("ac_yesterday") in labels(question)
    (asked,) = say(fake, 303, "вчера", language_code="ru")
    assert asked["text"].startswith("В какое время присылать")
    assert f"часовой пояс: {zone}" in asked["text"]
    confirmation, day = say(fake, 303, "в 9 утра", expect=2, language_code="ru")
    assert f"в 09:00 ({zone})" in confirmation["text"]
    assert RU("ac_enrolled_day", day=1, days=14) in confirmation["text"]
    # 09:00 has passed in the clinic's midday zone: day 1's message goes out at once.
    assert day["text"].startswith("<b>День 1 из 14</b>")
    assert RU("ac_rules_header") in day["text"]
    assert "Всё хорошо" in labels(day) and "Что-то беспокоит" in labels(day)
    (reply,) = press(fake, 303, "Всё хорошо", on=day)
    assert reply["text"].startswith("Замечательно! Продолжайте соблюдать правила")


def test_language_switches_a_russian_speaker_to_english(fake: FakeTelegram) -> None:
    (welcome,) = say(fake, 304, "/start", language_code="ru")
    assert welcome["text"].startswith(RU_WELCOME)
    (menu,) = say(fake, 304, "/language", language_code="ru")
    assert menu["text"] == RU("language_prompt")
    assert labels(menu) == ["English", "Русский"]
    (done,) = press(fake, 304, "English", on=menu)
    assert done["text"] == EN("language_set")
    (answer,) = say(fake, 304, "how long does the effect last", language_code="ru")
    assert "9-12 months" in answer["text"]
    assert answer["text"].endswith(EN("helpful_prompt"))
    assert {"👍", "👎"} <= set(labels(answer))
    (topics,) = say(fake, 304, "/topics", language_code="ru")
    assert topics["text"] == EN("topics_header")


def test_an_english_speaker_in_parallel_gets_english_throughout(fake: FakeTelegram) -> None:
    english, russian = 305, 306
    # Both patients write at once; each gets their own language.
    fake.text(english, "/start", language_code="en")
    fake.text(russian, "/start", language_code="ru")
    fake.text(english, "how long does the effect last", language_code="en")
    fake.text(russian, "сколько держится эффект", language_code="en")
    fake.text(english, "I have a fever and my lip turned blue", language_code="en")
    fake.text(russian, RED_FLAG, language_code="en")
    welcome, answer, urgent = fake.wait_messages(english, 3)
    ru_welcome, ru_answer, ru_urgent = fake.wait_messages(russian, 3)
    assert welcome["text"].startswith("Hello! I'm the")
    assert "Процедура" not in labels(welcome)
    assert "9-12 months" in answer["text"] and answer["text"].endswith(EN("helpful_prompt"))
    assert urgent["text"].startswith("What you describe may need medical attention")
    assert ru_welcome["text"].startswith(RU_WELCOME)
    assert RU_EFFECT in ru_answer["text"]
    assert ru_urgent["text"].startswith(RU_URGENT)

    assert RED_FLAG in staff_alert(fake, russian)["text"]
    assert "lip turned blue" in staff_alert(fake, english)["text"]


def test_an_english_enrolment_beside_a_russian_one_stays_english(
    fake: FakeTelegram, zone: str
) -> None:
    english, russian = 307, 308
    fake.text(english, "/aftercare", language_code="en")
    fake.text(russian, "/aftercare", language_code="ru")
    (question,) = fake.wait_messages(english, 1)
    (ru_question,) = fake.wait_messages(russian, 1)
    assert EN("ac_ask_date") in question["text"]
    assert RU("ac_ask_date") in ru_question["text"]
    # No date in either language: refused in the patient's own ("вчера" would be read in
    # Russian, and the conversation would go on in it; so would "на прошлой неделе", which
    # Russian now asks about).
    (refused,) = say(fake, english, "когда-то", language_code="en")
    assert EN("ac_date_unreadable") in refused["text"]
    fake.text(russian, "вчера", language_code="ru")
    (asked,) = press(fake, english, "Yesterday", on=question)
    assert "At what time" in asked["text"] and zone in asked["text"]
    fake.text(russian, "в 9 утра", language_code="ru")
    confirmation, day = press(fake, english, "Morning 09:00", expect=2)
    assert f"09:00 ({zone})" in confirmation["text"]
    assert day["text"].startswith("<b>Day 1 of 14</b>")
    assert "All good" in labels(day)
    (reply,) = press(fake, english, "All good", on=day)
    assert not any("\u0400" <= ch <= "\u04ff" for ch in reply["text"])
    ru_day = fake.wait_messages(russian, 4)[-1]
    assert ru_day["text"].startswith("<b>День 1 из 14</b>")
