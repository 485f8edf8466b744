"""A request in words to stop the messages or delete one's data points to /stop and /forget.

Found by probing: "delete my data" got "the article doesn't cover that" (and the request was
kept among the unanswered questions the staff read), "stop" the contraindications, "forget me"
the aftercare rules, while the daily messages went on.
"""

from __future__ import annotations

import pytest

from bot.answers.languages import Languages, load_languages
from bot.answers.matcher import Kind


@pytest.fixture(scope="module")
def languages() -> Languages:
    """Both shipped languages, each message answered in its own."""
    return load_languages()


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("delete my data", "en"),
        ("Please delete all my data!", "en"),
        ("forget me", "en"),
        ("stop", "en"),
        ("STOP", "en"),
        ("unsubscribe", "en"),
        ("stop sending me messages please", "en"),
        ("opt out", "en"),
        ("удалите мои данные", "ru"),
        ("Удалите, пожалуйста, все мои данные", "ru"),
        ("стоп", "ru"),
        ("отпишите меня", "ru"),
        ("хватит присылать сообщения", "ru"),
        ("забудьте меня", "ru"),
        # Found by probe9: asked how, or as a wish, these got "not covered" and were kept
        # among the unanswered questions the staff read.
        ("how do I delete my data", "en"),
        ("how can i delete my personal data?", "en"),
        ("I want my data deleted", "en"),
        ("I'd like to delete my data", "en"),
        ("как удалить мои данные?", "ru"),
        ("хочу удалить свои данные", "ru"),
        # Found by probe22: "пожалуйста" between commas was read only before "все", and these
        # plain ways to ask got "not covered" and were kept for the staff to read.
        ("удалите, пожалуйста, мои данные", "ru"),
        ("удалите меня", "ru"),
        ("удалите всё обо мне", "ru"),
        ("удалите мой аккаунт", "ru"),
        ("delete my account", "en"),
        ("please erase everything you have about me", "en"),
        ("delete all information about me", "en"),
        ("remove me please", "en"),
    ],
)
def test_a_request_to_stop_or_delete_ones_data_points_to_the_commands(
    languages: Languages, message: str, language: str
) -> None:
    outcome = languages.ask(message)
    assert outcome.language == language
    assert outcome.decision.kind is Kind.FALLBACK and not outcome.not_covered, outcome
    assert outcome.reply.text == languages.assistant(language).locale.t("privacy_request_reply")
    assert "/stop" in outcome.reply.text and "/forget" in outcome.reply.text


@pytest.mark.parametrize(
    "message",
    [
        "when can I stop using arnica",
        "how do I stop the swelling",
        "stop, my lip is blue",
        "can you delete my data and also how long does it last",
        "стоп, губа посинела",
    ],
)
def test_questions_and_danger_signs_that_say_stop_are_not_such_requests(
    languages: Languages, message: str
) -> None:
    outcome = languages.ask(message)
    assert "/forget" not in outcome.reply.text, outcome
