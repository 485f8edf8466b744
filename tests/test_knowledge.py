"""The FAQ loader: the real file loads; broken files are refused with file, line and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.knowledge import KnowledgeBase
from bot.answers.loader import ANSWER_LIMIT, load_faq, parse_faq
from bot.answers.selftest import self_test
from bot.faqdoc import FaqError


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
        f"mini.yaml:{second}: entry 'duration': duplicate id (first used on line {first})"
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
    assert "'fallback' has a bad placeholder" in _error(broken)


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
