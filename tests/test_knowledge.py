"""The FAQ loader: the real file loads; broken files are refused with file, line and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.aftercare.day_messages import DayMessages
from bot.answers.knowledge import KnowledgeBase
from bot.answers.loader import ANSWER_LIMIT, load_faq, parse_faq
from bot.answers.selftest import self_test
from bot.faqdoc import FaqError
from bot.locale import get_locale

FIXTURES = Path(__file__).parent / "fixtures"
ALLOWED = "(allowed: {name}, {phone}, {booking_url}, {address}); write {{ and }} for literal braces"


def test_shipped_faq_is_valid_and_complete(kb: KnowledgeBase) -> None:
    assert len(kb.entries) >= 40
    assert kb.declines and kb.red_flags and kb.synonyms
    assert kb.course is not None
    for entry in kb.entries:
        assert len(entry.title) <= 40
        assert 0 < len(entry.answer) <= ANSWER_LIMIT
        assert len(entry.questions) >= 5, entry.id
        assert all(kb.entry(r) for r in entry.related)


def test_shipped_faq_passes_its_self_test(kb: KnowledgeBase) -> None:
    assert self_test(kb) == []


def test_every_topic_has_entries(kb: KnowledgeBase) -> None:
    assert all(kb.entries_in(t.id) for t in kb.topics)


def test_shipped_faq_marks_clinic_placeholders(kb: KnowledgeBase) -> None:
    assert kb.clinic.name.startswith("[")
    assert kb.clinic.phone.startswith("[")


def test_minimal_fixture_loads(minimal_text: str) -> None:
    kb = parse_faq(minimal_text, "mini.yaml")
    assert [e.id for e in kb.entries] == ["duration", "bruising"]
    assert kb.entry("duration") is not None
    assert kb.entry("nope") is None


def _error(text: str) -> str:
    with pytest.raises(FaqError) as info:
        parse_faq(text, "mini.yaml")
    return str(info.value)


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


def test_yaml_syntax_error_names_file_and_line(minimal_text: str) -> None:
    broken = minimal_text.replace("title: Bruising", "title: [Bruising")
    message = _error(broken)
    assert message.startswith("mini.yaml:")
    assert "YAML syntax error" in message


def test_unknown_key_is_named_with_its_line(minimal_text: str) -> None:
    broken = minimal_text.replace("    title: Bruising", "    title: Bruising\n    colour: blue")
    message = _error(broken)
    line = _line_of(broken, "colour: blue")
    assert f"mini.yaml:{line}: entry 'bruising': unknown key 'colour'" in message


def test_missing_field(minimal_text: str) -> None:
    broken = minimal_text.replace("    answer: Bruises can appear and fade within two weeks.\n", "")
    assert "entry 'bruising': an entry is missing 'answer'" in _error(broken)


def test_empty_answer(minimal_text: str) -> None:
    broken = minimal_text.replace("answer: It takes no more than an hour.", 'answer: "  "')
    assert "entry 'duration': 'answer' must be a non-empty text" in _error(broken)


def test_duplicate_ids(minimal_text: str) -> None:
    broken = minimal_text.replace("  - id: bruising", "  - id: duration")
    message = _error(broken)
    first = _line_of(broken, "- id: duration", 1)
    second = _line_of(broken, "- id: duration", 2)
    assert (
        f"mini.yaml:{second}: entry 'duration': duplicate id 'duration' (first used on line {first})"
        in message
    )


def test_dangling_related_id(minimal_text: str) -> None:
    broken = minimal_text.replace("related: [duration]", "related: [durration]")
    assert "entry 'bruising': related id 'durration' does not exist" in _error(broken)


def test_title_too_long(minimal_text: str) -> None:
    broken = minimal_text.replace("title: Bruising", "title: " + "B" * 41)
    assert "entry 'bruising': 'title' is 41 characters, at most 40" in _error(broken)


def test_answer_over_telegram_limit(minimal_text: str) -> None:
    broken = minimal_text.replace("It takes no more than an hour.", "x" * 4100)
    assert "answer is over Telegram's 4096 characters" in _error(broken)


def test_answer_over_house_limit(minimal_text: str) -> None:
    broken = minimal_text.replace("It takes no more than an hour.", "word " * 250)
    assert "answer is 1249 characters, at most 1000" in _error(broken)


def test_same_question_under_two_entries(minimal_text: str) -> None:
    broken = minimal_text.replace("will i get bruises", "How long does the  procedure take")
    message = _error(broken)
    assert (
        "entry 'bruising': question 'How long does the  procedure take' is also listed under 'duration'"
        in message
    )


def test_duplicate_yaml_key(minimal_text: str) -> None:
    broken = minimal_text.replace("    title: Bruising", "    title: Bruising\n    title: Bruises")
    assert "duplicate key 'title'" in _error(broken)


def test_unknown_topic_and_bad_timezone(minimal_text: str) -> None:
    broken = minimal_text.replace("topic: recovery", "topic: healing").replace(
        "Europe/Berlin", "Mars/Olympus"
    )
    message = _error(broken)
    assert "entry 'bruising': unknown topic 'healing'" in message
    assert "unknown time zone 'Mars/Olympus'" in message


def test_bad_regex_in_red_flag(minimal_text: str) -> None:
    broken = minimal_text.replace(r"\bblurr?(ed|y) vision\b", "(unclosed")
    assert "entry 'vision': pattern '(unclosed' is not a valid regular expression" in _error(broken)


def test_bad_placeholder_in_text(minimal_text: str) -> None:
    broken = minimal_text.replace("Call {name} at {phone}.", "Call {clinic_name}.")
    assert "'fallback' has an unknown placeholder {clinic_name}" in _error(broken)


def test_all_problems_reported_at_once(minimal_text: str) -> None:
    broken = minimal_text.replace("title: Bruising", "title: " + "B" * 41).replace(
        "related: [duration]", "related: [gone]"
    )
    message = _error(broken)
    assert "at most 40" in message and "'gone' does not exist" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FaqError, match="cannot read the file"):
        load_faq(tmp_path / "absent.yaml")


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(FaqError, match="must be a YAML mapping"):
        load_faq(path)


def test_aftercare_block_is_validated(minimal_text: str) -> None:
    course = """
aftercare:
  days: 3
  rules:
    - {id: hot-water, days: "1-5", text: No hot water.}
    - {id: makeup, days: "1-2", text: No makeup., short: "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"}
  daily:
    1: First day.
    2: Second day.
  checkin:
    question: How do you feel today?
    options:
      - {id: good, label: All good, reply: Glad to hear it.}
      - {id: worrying, label: Something worrying, urgent: true}
  follow_up: {after_months: 9, button: Remind me, text: Time for a check-up.}
"""
    message = _error(minimal_text + course)
    assert "entry 'hot-water': rule days must be N or N-M inside 1-3" in message
    assert "aftercare 'daily' has no note for day 3" in message
    assert "entry 'makeup': 'short' is 41 characters, at most 40" in message


@pytest.fixture
def course_text() -> str:
    """A small valid FAQ file with a 14-day course and a 9-month follow-up."""
    return (FIXTURES / "aftercare.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_fixture_loads(path: Path) -> None:
    assert load_faq(path).entries


def test_same_id_in_different_kinds_is_allowed(course_text: str) -> None:
    kb = parse_faq(course_text, "f.yaml")
    assert kb.course is not None
    assert kb.entry("bruising") and kb.course.option("bruising")


@pytest.mark.parametrize(
    ("old", "new", "ident"),
    [
        ("  - id: price", "  - id: duration", "duration"),
        ("  - id: recovery\n", "  - id: procedure\n", "procedure"),
        ("{id: swelling, label: Swelling", "{id: good, label: Swelling", "good"),
        ("{id: makeup, days", "{id: hot-water, days", "hot-water"),
        ("red_flags:\n", "red_flags:\n  - {id: vision, patterns: [blind]}\n", "vision"),
    ],
    ids=["decline-vs-entry", "topic", "check-in-option", "rule", "red-flag"],
)
def test_duplicate_ids_within_each_kind(course_text: str, old: str, new: str, ident: str) -> None:
    assert old in course_text
    broken = course_text.replace(old, new)
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    first = _line_of(broken, f"id: {ident}", 1)
    second = _line_of(broken, f"id: {ident}", 2)
    expected = (
        f"f.yaml:{second}: entry '{ident}': duplicate id '{ident}' (first used on line {first})"
    )
    assert expected in str(info.value)


def _course(text: str, days: int, months: int) -> str:
    """The fixture's course stretched to `days` days (one note each) with a new follow-up."""
    notes = "".join(f"    {day}: Note {day}.\n" for day in range(15, days + 1))
    return (
        text.replace("  days: 14\n", f"  days: {days}\n")
        .replace("  checkin:\n", f"{notes}  checkin:\n")
        .replace("after_months: 9", f"after_months: {months}")
    )


@pytest.mark.parametrize(("days", "months", "first"), [(60, 1, 29), (29, 1, 29), (60, 2, 60)])
def test_course_reaching_the_follow_up_day_is_refused(
    course_text: str, days: int, months: int, first: int
) -> None:
    broken = _course(course_text, days, months)
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    line = _line_of(broken, f"  days: {days}")
    assert str(info.value) == (
        f"f.yaml:{line}: aftercare 'days' ({days}) must end before the follow-up, "
        f"which can fall on day {first} after {months} month(s)"
    )


@pytest.mark.parametrize(("days", "months"), [(28, 1), (59, 2), (60, 3)])
def test_course_ending_before_the_follow_up_loads(course_text: str, days: int, months: int) -> None:
    course = parse_faq(_course(course_text, days, months), "f.yaml").course
    assert course is not None
    assert (course.days, course.follow_up_months) == (days, months)


# Each place a text is formatted with the clinic's details: (old, new with TEXT, what, entry).
PLACES = {
    "fallback": (
        'fallback: "Not covered. Call {name} at {phone}."',
        "fallback: 'TEXT'",
        "'fallback'",
        None,
    ),
    "urgent": (
        'urgent: "Contact your treating doctor now: {phone}."',
        "urgent: 'TEXT'",
        "'urgent'",
        None,
    ),
    "reply": ("reply: Glad to hear it.}", "reply: 'TEXT'}", "'reply'", "good"),
    "follow-up": (
        'text: "Time for a follow-up visit: {booking_url}"',
        "text: 'TEXT'",
        "follow_up 'text'",
        None,
    ),
    "daily": ("    2: Day two note.", "    2: 'TEXT'", "the note for day 2", None),
    "rule": ("text: No decorative makeup}", "text: 'TEXT'}", "'text'", "makeup"),
    "short": (
        "text: No sauna or steam room}",
        "text: No sauna, short: 'TEXT'}",
        "'short'",
        "sauna",
    ),
}
FAULTS = {
    "{nme}": "an unknown placeholder {nme}",
    "{name.first}": "a placeholder {name.first} with attribute or index access",
    "{name[x]}": "a placeholder {name[x]} with attribute or index access",
    "{}": "a positional placeholder {}",
    "{0}": "a positional placeholder {0}",
    "{name!r}": "a placeholder {name!r} with a conversion or format spec",
    "{name:>30}": "a placeholder {name:>30} with a conversion or format spec",
    "call } now": "a { or } that is not a placeholder",
    "call {name now": "a { or } that is not a placeholder",
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("place", PLACES)
def test_bad_placeholder_is_refused_where_clinic_details_are_filled_in(
    course_text: str, place: str, fault: str
) -> None:
    old, new, what, entry = PLACES[place]
    assert old in course_text
    broken = course_text.replace(old, new.replace("TEXT", f"Marker {fault}"))
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    where = f"f.yaml:{_line_of(broken, 'Marker')}: " + (f"entry '{entry}': " if entry else "")
    assert str(info.value) == f"{where}{what} has {FAULTS[fault]} {ALLOWED}"


def test_course_texts_get_the_clinic_details_and_literal_braces(course_text: str) -> None:
    text = (
        course_text.replace("    5: Day five note.", "    5: 'Call {phone} {{any time}}.'")
        .replace("text: No sauna or steam room}", "text: 'No sauna, ask {name}'}")
        .replace("text: No massage or pressure on the face}", "text: x, short: 'No {address}'}")
    )
    kb = parse_faq(text, "f.yaml")
    assert kb.course is not None
    messages = DayMessages(kb.course, get_locale(kb.language), kb.clinic, kb.texts.urgent)
    day_five = messages.day_message(1, 5).text
    assert "Call [+00 000] {any time}." in day_five
    assert "No sauna, ask [Test clinic]" in day_five
    assert "No [Street]" in day_five
    assert "{" not in day_five.replace("{any time}", "")


def test_entry_answers_are_shown_as_written(minimal_text: str) -> None:
    text = minimal_text.replace("It takes no more than an hour.", "'Up to {an hour}, {nme}.'")
    entry = parse_faq(text, "mini.yaml").entry("duration")
    assert entry is not None and entry.answer == "Up to {an hour}, {nme}."
