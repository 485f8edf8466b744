"""The FAQ loader: the real file loads; broken files are refused with file, line and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from bot.aftercare.day_messages import DayMessages
from bot.answers.knowledge import KnowledgeBase
from bot.answers.loader import ANSWER_LIMIT, load_faq, load_shipped, parse_faq
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


def test_a_control_character_is_named_with_its_line(minimal_text: str) -> None:
    # Found by probing: a vertical tab pasted from a word processor (its line break) was
    # reported on line 1 with a character position, and the admin had to count characters.
    broken = minimal_text.replace("title: Bruising", "title: Bruis\vng")
    message = _error(broken)
    line = broken[: broken.index("\v")].count("\n") + 1
    assert message.startswith(f"mini.yaml:{line}: ")
    assert "U+000B" in message
    assert "position" not in message


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("      - how long do bruises last", "\t- how long do bruises last", "a tab"),
        ("      - how long do bruises last", "      -\thow long do bruises last", "a tab"),
        ("    title: Bruising", "     title: Bruising", "indentation"),
        ("    title: Bruising", "   title: Bruising", "indentation"),
        ("    title: Bruising", "    title: Bruising: what to expect", "': ' in quotes"),
        ("    title: Bruising", "    title: @Bruising", "begin with '@': put it in quotes"),
    ],
    ids=["tab-indent", "tab-after-dash", "key-too-far", "key-too-near", "colon", "at-sign"],
)
def test_a_yaml_mistake_names_its_entry_and_how_to_fix_it(
    minimal_text: str, old: str, new: str, hint: str
) -> None:
    # Found by probing: faq check, start-up and /reload gave libyaml's own words ("found
    # character that cannot start any token", "did not find expected key") and no entry.
    broken = minimal_text.replace(old, new)
    message = _error(broken)
    line = _line_of(broken, new.strip())
    assert message.startswith(f"mini.yaml:{line}: entry 'bruising': YAML syntax error: ")
    assert hint in message


def test_a_repeated_anchor_or_an_unknown_alias_says_what_is_wrong(minimal_text: str) -> None:
    # Found by probing: libyaml's words alone, "YAML syntax error: second occurrence" and
    # "found undefined alias", named neither the anchor's other line nor how to fix it.
    first = _line_of(minimal_text, "title: ")
    twice = minimal_text.replace("title: ", "title: &t ", 2)
    message = _error(twice)
    assert message.startswith(f"mini.yaml:{_line_of(twice, '&t', 2)}: ")
    assert f"defined twice (first on line {first})" in message
    unknown = minimal_text.replace("    title: Bruising", "    title: *bruising")
    message = _error(unknown)
    line = _line_of(unknown, "*bruising")
    assert message.startswith(f"mini.yaml:{line}: entry 'bruising': YAML syntax error: ")
    assert "no &name above it" in message


def test_an_unclosed_quote_is_named_where_it_opens(minimal_text: str) -> None:
    broken = minimal_text.replace("    title: Bruising", '    title: "Bruising')
    message = _error(broken)
    line = _line_of(broken, 'title: "Bruising')
    assert message.startswith(f"mini.yaml:{line}: ")
    assert "entry 'bruising'" in message and "closing quote" in message


def test_an_unclosed_quote_mid_file_is_named_where_it_opens() -> None:
    # Found by probing (probe16): the quote ran on to the next quoted phrasing and the error
    # named that line, eleven lines later, in the next entry.
    shipped = (Path(__file__).parent.parent / "faq" / "softlifting.yaml").read_text("utf-8")
    lines = shipped.splitlines()
    opened = next(
        i for i, line in enumerate(lines) if line.startswith('      - "') and line.endswith('"')
    )
    lines[opened] = lines[opened][:-1]
    with pytest.raises(FaqError) as info:
        parse_faq("\n".join(lines), "softlifting.yaml")
    assert str(info.value).startswith(f"softlifting.yaml:{opened + 1}: ")
    assert "no closing quote" in str(info.value)


@pytest.mark.parametrize(
    ("item", "joined"),
    [
        ("      - how long do bruises last", "will i get bruises - how long do bruises last"),
        ("      - how many minutes is the appointment", "take - how many minutes"),
    ],
)
def test_a_list_item_indented_too_far_is_not_joined_to_the_one_above(
    minimal_text: str, item: str, joined: str
) -> None:
    # Found by probing: one space too many before a "- " made YAML read the item as the rest of
    # the one above, and the file loaded with one phrasing "will i get bruises - how long do
    # bruises last"; in a red flag's signs two signs became one that needs all their words.
    broken = minimal_text.replace(item, " " + item)
    message = _error(broken)
    line = _line_of(broken, item.strip())
    assert message.startswith(f"mini.yaml:{line}: ")
    assert joined in message
    assert "line its '-' up with the one above" in message


def test_unknown_key_is_named_with_its_line(minimal_text: str) -> None:
    broken = minimal_text.replace("    title: Bruising", "    title: Bruising\n    colour: blue")
    message = _error(broken)
    line = _line_of(broken, "colour: blue")
    assert f"mini.yaml:{line}: entry 'bruising': unknown key 'colour'" in message


@pytest.mark.parametrize(
    ("old", "new", "owner", "meant"),
    [
        ("    examples: [my vision", "    exemples: [my vision", "vision", "examples"),
        ("    not_examples: [my", "    not_exemples: [my", "vision", "not_examples"),
        (
            "    questions:\n      - how much",
            "    question:\n      - how much",
            "price",
            "questions",
        ),
        ("    title: Recovery", "    titel: Recovery", "recovery", "title"),
        ("    title: Bruising", "    titel: Bruising", "bruising", "title"),
    ],
    ids=["flag-examples", "flag-not-examples", "decline-questions", "topic-title", "entry-title"],
)
def test_a_mistyped_key_is_one_problem_naming_its_owner_and_the_key_meant(
    minimal_text: str, old: str, new: str, owner: str, meant: str
) -> None:
    # Found by probing: 'not_exemples:' in a red flag gave two lines naming no flag ("a red
    # flag is missing 'not_examples'" on the flag's first line, "unknown key 'not_exemples' in
    # a red flag" on its own), and the same for a decline, a topic and the aftercare's parts.
    assert old in minimal_text
    broken = minimal_text.replace(old, new)
    with pytest.raises(FaqError) as raised:
        parse_faq(broken, "mini.yaml")
    (problem,) = raised.value.problems
    typo = new.split(":")[0].strip()
    assert (problem.line, problem.entry) == (_line_of(broken, f"{typo}:"), owner)
    assert problem.message.startswith(f"unknown key '{typo}'")
    assert f"did you mean '{meant}'?" in problem.message


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("yes", "the id is read by YAML as a yes/no value, not as text: put it in quotes"),
        ("off", "the id is read by YAML as a yes/no value, not as text: put it in quotes"),
        ("42", "the id is read by YAML as a number, not as text: put it in quotes"),
        ("0x1f", "the id is read by YAML as a number, not as text: put it in quotes"),
        ("2024-01-01", "the id is read by YAML as a date, not as text: put it in quotes"),
        ("", "the id is empty"),
        ("[bruising]", "the id must be text, not a list"),
    ],
)
def test_an_id_yaml_reads_as_no_text_says_so(minimal_text: str, written: str, problem: str) -> None:
    # Found by probing: `id: yes` was refused as "id True must be 1-32 characters of a-z, 0-9
    # and '-'", `id: 42` as "id 42 must be ... 0-9 ..." (which it is), `id: 0x1f` as "id 31",
    # a date as "id datetime.date(2024, 1, 1)" and an empty one as "id None".
    broken = minimal_text.replace("  - id: bruising", f"  - id: {written}")
    error = _error(broken)
    assert f"mini.yaml:{_line_of(minimal_text, '- id: bruising')}: {problem}" in error, error
    assert "True" not in error and "None" not in error and "datetime" not in error


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


@pytest.mark.parametrize("value", ['"price\\n"', "|\n      price"])
def test_an_id_ending_in_a_line_break_is_refused(minimal_text: str, value: str) -> None:
    # Found by probing: the id pattern's "$" also matches before a final line break, so the
    # decline loaded as 'price\n', which no other language's file, button or report names.
    broken = minimal_text.replace("  - id: price", f"  - id: {value}")
    assert "must be 1-32 characters of a-z, 0-9 and '-'" in _error(broken)


def test_dangling_related_id(minimal_text: str) -> None:
    broken = minimal_text.replace("related: [duration]", "related: [durration]")
    assert "entry 'bruising': related id 'durration' does not exist" in _error(broken)


def test_an_id_named_twice_in_related_is_refused(minimal_text: str) -> None:
    # Found by probing (probe16): "related: [duration, duration]" loaded as it was.
    broken = minimal_text.replace("related: [duration]", "related: [duration, duration]")
    assert "entry 'bruising': 'related' names duration twice: once is enough" in _error(broken)


def test_a_phrasing_longer_than_a_patient_types_is_refused(minimal_text: str) -> None:
    # Found by probing (probe16): a pasted paragraph loaded as one phrasing of any length.
    pasted = "how long does it take " * 14  # 308 characters
    broken = minimal_text.replace(
        "      - how many minutes is the appointment", f"      - {pasted}"
    )
    message = _error(broken)
    assert message.startswith(f"mini.yaml:{_line_of(broken, pasted.strip())}: entry 'duration': ")
    assert "at most 300" in message and "put longer text in the answer" in message


@pytest.mark.parametrize(
    ("covers", "message"),
    [
        ("[bruising, durration]", "entry 'duration': covers id 'durration' does not exist"),
        ("[bruising, duration]", "entry 'duration': an entry cannot name itself in 'covers'"),
        ("[bruising]", "entry 'duration': 'covers' names at least two entries"),
        ("[bruising, bruising]", "entry 'duration': 'covers' names bruising twice"),
    ],
)
def test_covers_names_two_other_entries(minimal_text: str, covers: str, message: str) -> None:
    broken = minimal_text.replace(
        "related: [bruising]", f"related: [bruising]\n    covers: {covers}"
    )
    assert message in _error(broken)


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


@pytest.mark.parametrize(
    "group",
    [
        "  - [bruise, bruising, hematoma, ~]",
        "  - - bruise\n    - bruising\n    -\n    - hematoma",
        "  - [bruise, bruising, '  ']",
        "  - [bruise, bruising, [hematoma]]",
    ],
    ids=["null", "blank-item", "spaces", "nested-list"],
)
def test_a_synonym_that_is_no_word_is_refused(minimal_text: str, group: str) -> None:
    # Found by probing: an empty item (a "-" left behind, "~") was read as the word "none", so
    # "none of these help" read as "bruise of these help"; a nested list as "['hematoma']".
    broken = minimal_text.replace("  - [bruise, bruising, hematoma]", group)
    message = _error(broken)
    line = _line_of(broken, group.splitlines()[0].strip())
    assert message.startswith(f"mini.yaml:{line}: ")
    assert "an empty or non-text word" in message


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
    path = tmp_path / "absent.yaml"
    with pytest.raises(FaqError, match="cannot read the file") as raised:
        load_faq(path)
    # Found by probe24: "absent.yaml:0: cannot read the file" named a line 0 no editor has.
    assert str(raised.value).startswith(f"{path}: cannot read the file")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_character_saved_in_another_encoding_is_named_with_its_line(
    tmp_path: Path, minimal_text: str, encoding: str
) -> None:
    # Found by probing: one "é" saved by an editor in Windows-1252 gave "clinic.yaml:0: the file
    # is not UTF-8 text", and the doctor had 50 (or 4,800) lines to search.
    text = minimal_text.replace("title: Bruising", "title: Bruisé")
    path = tmp_path / "clinic.yaml"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(FaqError) as raised:
        load_faq(path)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(path), _line_of(text, "title: Bruisé"))
    assert "0xE9" in problem.message and "save the file as UTF-8" in problem.message


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(FaqError, match="must be a YAML mapping"):
        load_faq(path)


SRC = "source: Side effects"


def test_aftercare_block_is_validated(minimal_text: str) -> None:
    course = f"""
aftercare:
  days: 3
  rules:
    - {{id: hot-water, days: "1-5", {SRC}, text: No hot water.}}
    - {{id: makeup, days: "0-2", {SRC}, text: No makeup., short: "{"m" * 41}"}}
    - {{id: sun, days: "4-", {SRC}, text: SPF.}}
  daily:
    0: {{{SRC}, text: Procedure day.}}
    1: {{{SRC}, text: First day.}}
    2: Second day.
    4: {{{SRC}, text: Fourth day.}}
  checkin:
    question: How do you feel today?
    options:
      - {{id: good, label: All good, {SRC}, reply: Glad to hear it.}}
      - {{id: worrying, label: Something worrying, urgent: true}}
  follow_up: {{after_months: 9, button: Remind me, {SRC}, text: Time for a check-up.}}
"""
    text = minimal_text + course
    message = _error(text)
    inside = "rule days must be N, N-M or N- (from day N on, no end) inside 0-3"
    assert f"mini.yaml:{_line_of(text, 'id: hot-water')}: entry 'hot-water': {inside}" in message
    assert f"mini.yaml:{_line_of(text, 'id: sun')}: entry 'sun': {inside}" in message
    assert "entry 'makeup': 'short' is 41 characters, at most 40" in message
    line = _line_of(text, "2: Second day.")
    assert (
        f"mini.yaml:{line}: the note for day 2 must be a mapping with its source: "
        "2: {text: ..., source: ...}" in message
    )
    assert "aftercare 'daily' has no note for day 3" in message
    assert f"mini.yaml:{_line_of(text, '4: {')}: aftercare 'daily' day 4 is outside 0-3" in message


@pytest.mark.parametrize("key", ["²", "1²", "٣"])
def test_an_aftercare_day_in_other_digits_is_named_not_a_traceback(
    course_text: str, key: str
) -> None:
    # Found by probing: str.isdigit() takes "²", which int() refuses: `faq check`, the start
    # and /reload stopped with a ValueError traceback instead of naming the line.
    text = course_text.replace("\n    0: {", f'\n    "{key}": {{', 1)
    assert text != course_text
    message = _error(text)
    assert f"aftercare 'daily' day {key} is outside 0-" in message
    assert f"mini.yaml:{_line_of(text, key + chr(34) + ': {')}:" in message


@pytest.mark.parametrize("days", ["9" * 5000, "0-" + "9" * 5000])
def test_a_rule_day_too_long_for_a_number_is_named_not_a_traceback(
    course_text: str, days: str
) -> None:
    # Found by probing: int() refuses over 4,300 digits, so a rule's days of 5,000 nines
    # stopped faq check, the start and /reload with a ValueError traceback.
    text = course_text.replace('{id: hot-water, days: "0"', f'{{id: hot-water, days: "{days}"', 1)
    assert text != course_text
    message = _error(text)
    assert f"mini.yaml:{_line_of(text, 'id: hot-water')}: entry 'hot-water': rule days" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/book now",
        "https://[your booking page]",
        "https://",
        "https:///book",
        "https://example.com:99999/book",
        "https://example.com/\tbook",
        'https://example.com/"book"',
    ],
)
def test_a_booking_url_no_button_can_open_is_named_with_its_line(
    minimal_text: str, url: str
) -> None:
    # Found by probing: any text after https:// became the URL of the "Book a visit" button,
    # which Telegram refuses (BUTTON_URL_INVALID) with the whole message: every "not covered"
    # reply failed into the apology, without the clinic's phone, and the follow-up was lost.
    text = minimal_text.replace("booking_url: https://example.com/book", f"booking_url: '{url}'")
    assert text != minimal_text
    message = _error(text)
    line = _line_of(text, "booking_url:")
    assert f"mini.yaml:{line}: clinic 'booking_url' must be a web address" in message


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("www.example.com/book", "https://www.example.com/book"),
        ("example.com", "https://example.com"),
        ("t.me/clinic_bot", "https://t.me/clinic_bot"),
        ("HTTPS://example.com/book", "https://example.com/book"),
        ("Http://example.com", "http://example.com"),
    ],
)
def test_a_booking_url_without_its_https_is_named_with_the_fix(
    minimal_text: str, url: str, written: str
) -> None:
    # Found by probing: only a booking_url that begins with https:// or http:// becomes the
    # "Book a visit" button; "www.clinic.com/book" loaded as plain text and every "not covered"
    # reply lost its button, with nothing to tell the clinic why.
    text = minimal_text.replace("booking_url: https://example.com/book", f"booking_url: '{url}'")
    message = _error(text)
    line = _line_of(text, "booking_url:")
    assert message.startswith(f"mini.yaml:{line}: clinic 'booking_url' '{url}' is a web address")
    assert f"write '{written}'" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/book?x=1#top",
        "https://пример.рф/запись",
        "book at the desk",
        "book@example.com",
        "+49 30 1234567",
    ],
)
def test_a_booking_url_a_button_can_open_or_a_plain_text_loads(minimal_text: str, url: str) -> None:
    text = minimal_text.replace("booking_url: https://example.com/book", f"booking_url: '{url}'")
    assert parse_faq(text, "mini.yaml").clinic.booking_url == url


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


def test_a_typed_check_in_answer_belongs_to_one_option(course_text: str) -> None:
    # A typed "fine" must not be two answers at once, nor a `says` item no answer at all.
    old = "{id: worrying, label: Something worrying, urgent: true}"
    assert old in course_text
    broken = course_text.replace(
        old, '{id: worrying, label: Something worrying, urgent: true, says: ["Fine!", "…"]}'
    )
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    assert "check-in options 'good' and 'worrying' both answer 'fine'" in str(info.value)
    assert "entry 'worrying': 'says' item '…' has no words" in str(info.value)


@pytest.mark.parametrize("empty", ["[]", "", "null"])
def test_a_check_in_without_options_is_refused(course_text: str, empty: str) -> None:
    # Found by probing: it loaded, and every day's message asked "How do you feel today?" with
    # nothing to press and no typed answer it could read.
    start = course_text.index("    options:\n")
    end = course_text.index("  follow_up:")
    broken = course_text[:start] + f"    options: {empty}\n" + course_text[end:]
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    line = _line_of(broken, "    options:")
    assert str(info.value) == (
        f"f.yaml:{line}: aftercare 'checkin' 'options' must list at least one answer, as in "
        "{id: good, label: All good, reply: ..., source: ...}"
    )


@pytest.mark.parametrize("value", ['"true"', "1", "urgent"])
def test_a_check_in_urgency_that_is_no_boolean_is_refused(course_text: str, value: str) -> None:
    # Found by probe24: a quoted "true" was read as not urgent, so the worrying answer would
    # alert no staff; the doctor was told the option "needs a 'reply' unless it is urgent".
    broken = course_text.replace("urgent: true", f"urgent: {value}", 1)
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    line = _line_of(broken, f"urgent: {value}")
    assert f"f.yaml:{line}: entry 'worrying': 'urgent' must be true or false" in str(info.value)


def _course(text: str, days: int, months: int) -> str:
    """The fixture's course stretched to `days` days (one note each) with a new follow-up."""
    notes = "".join(
        f"    {day}: {{source: Side effects, text: Note {day}.}}\n" for day in range(15, days + 1)
    )
    return (
        text.replace("  days: 14\n", f"  days: {days}\n")
        .replace("  checkin:\n", f"{notes}  checkin:\n")
        .replace("after_months: 9", f"after_months: {months}")
    )


# Day N is N days after the procedure: 31 January + 1 month is 28 February, day 28.
@pytest.mark.parametrize(("days", "months", "first"), [(60, 1, 28), (28, 1, 28), (60, 2, 59)])
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


@pytest.mark.parametrize(("days", "months"), [(27, 1), (58, 2), (60, 3)])
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
    "daily": ("text: Day two note.}", "text: 'TEXT'}", "the note for day 2", None),
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
        course_text.replace("text: Day five note.}", "text: 'Call {phone} {{any time}}.'}")
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


# --- provenance: every text names the article section it restates -----------------------------

ARTICLE_SECTIONS = (
    "Introduction",
    "Method Definition",
    "Principle of the procedure",
    "Softlift Procedure",
    "Indication for appointment",
    "Expected results",
    "Side effects",
    "Postulates of the rehabilitation period",
    "The result after the Softlift procedure",
)
MISSING = "has no 'source': name the article section(s) it restates, or write 'source: clinic'"


def test_shipped_faq_names_an_article_section_for_every_text(kb: KnowledgeBase) -> None:
    assert kb.sources == ARTICLE_SECTIONS
    assert kb.course is not None
    texts = kb.provenance()
    # every answer, rule, daily note, check-in reply and the follow-up text
    non_urgent = [o for o in kb.course.checkin_options if not o.urgent]
    expected = len(kb.entries) + len(kb.course.rules) + kb.course.days + 1 + len(non_urgent) + 1
    assert len(texts) == expected
    for what, sources in texts:
        assert sources, what
        assert set(sources) <= set(ARTICLE_SECTIONS), what
    assert kb.clinic_texts() == ()


# (text to remove, what the message calls it, the line it names, entry)
WITHOUT_SOURCE = {
    "answer": ("    source: Softlift Procedure\n", "the answer", "- id: duration", "duration"),
    "rule": (
        "source: Postulates of the rehabilitation period, text: No decorative makeup}",
        "the rule",
        "id: makeup",
        "makeup",
    ),
    "daily": (
        "    3: {source: Postulates of the rehabilitation period, text: Day three note.}",
        "the note for day 3",
        "    3: {",
        None,
    ),
    "reply": (
        "{id: pain, label: Pain, source: Side effects, reply:",
        "the reply",
        "id: pain",
        "pain",
    ),
    "follow-up": ("    source: Expected results\n", "follow_up 'text'", "after_months: 9", None),
}


@pytest.mark.parametrize("place", WITHOUT_SOURCE)
def test_a_text_without_a_source_is_refused_with_file_and_line(
    course_text: str, place: str
) -> None:
    old, what, marker, entry = WITHOUT_SOURCE[place]
    assert course_text.count(old) == 1
    stripped = {
        "rule": "text: No decorative makeup}",
        "daily": "    3: {text: Day three note.}",
        "reply": "{id: pain, label: Pain, reply:",
    }
    broken = course_text.replace(old, stripped.get(place, ""))
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    where = f"f.yaml:{_line_of(broken, marker)}: " + (f"entry '{entry}': " if entry else "")
    assert str(info.value).startswith(f"{where}{what} {MISSING}"), str(info.value)
    assert len(info.value.problems) == 1


@pytest.mark.parametrize(
    ("old", "new", "marker", "entry"),
    [
        (
            "    source: Softlift Procedure\n",
            "    source: Softlift procedur\n",
            "source: Softlift procedur",
            "duration",
        ),
        (
            "    source: [Side effects, Postulates of the rehabilitation period]\n",
            "    source:\n      - Side effects\n      - Postulates of rehabilitation\n",
            "- Postulates of rehabilitation",
            "bruising",
        ),
        (
            "label: Bruising, source: Postulates of the rehabilitation period,",
            "label: Bruising, source: the internet,",
            "source: the internet",
            "bruising",
        ),
    ],
    ids=["answer", "one-of-a-list", "check-in-reply"],
)
def test_an_unknown_source_is_refused_with_file_and_line(
    course_text: str, old: str, new: str, marker: str, entry: str
) -> None:
    assert course_text.count(old) == 1
    broken = course_text.replace(old, new)
    with pytest.raises(FaqError) as info:
        parse_faq(broken, "f.yaml")
    name = marker.split(": ", 1)[-1].removeprefix("- ")
    declared = _line_of(broken, "sources: [")
    assert str(info.value) == (
        f"f.yaml:{_line_of(broken, marker)}: entry '{entry}': unknown source '{name}': "
        f"use one of the sections under 'sources' (line {declared}) or 'clinic'"
    )


def test_without_declared_sources_only_clinic_is_allowed(minimal_text: str) -> None:
    text = minimal_text.replace(
        "sources: [Softlift Procedure, Side effects, Postulates of the rehabilitation period]\n", ""
    )
    message = _error(text.replace("source: Softlift Procedure", "source: clinic"))
    assert "entry 'duration'" not in message
    assert (
        f"mini.yaml:{_line_of(text, 'source: [Side effects')}: entry 'bruising': unknown source "
        "'Side effects': use a section listed under 'sources' (the file declares none) or 'clinic'"
    ) in message


def test_clinic_need_not_and_may_not_be_declared(minimal_text: str) -> None:
    text = minimal_text.replace(
        "sources: [Softlift Procedure,", "sources: [clinic, Softlift Procedure,"
    )
    assert "'clinic' is always allowed as a source: do not list it" in _error(text)
    twice = minimal_text.replace(
        "sources: [Softlift Procedure,", "sources: [Side effects, Softlift Procedure,"
    )
    assert "source 'Side effects' is listed twice" in _error(twice)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        ("Book at [Test clinic]; it takes an hour.", "name '[Test clinic]'"),
        ("It takes an hour. Ask us: [+00 000].", "phone '[+00 000]'"),
        ("It takes an hour at [Street].", "address '[Street]'"),
    ],
)
def test_an_answer_naming_the_clinic_is_marked_as_the_clinics_own(
    minimal_text: str, answer: str, named: str
) -> None:
    # Found by probing: an answer telling the clinic's own name, phone or address loaded with
    # 'source: Softlift Procedure' alone, so faq check listed no text of the clinic's own for
    # its doctor to review.
    text = minimal_text.replace("It takes no more than an hour.", f"'{answer}'")
    message = _error(text)
    line = _line_of(text, answer)
    assert message.startswith(f"mini.yaml:{line}: entry 'duration': the answer names the clinic")
    assert named in message and "add 'clinic' to its source" in message
    marked = text.replace("source: Softlift Procedure", "source: [Softlift Procedure, clinic]")
    assert parse_faq(marked, "mini.yaml").clinic_texts() == ("entry 'duration'",)


@pytest.mark.parametrize("placeholder", ["{phone}", "{booking_url}", "{name}", "{address}"])
def test_a_clinic_placeholder_in_an_answer_is_refused(minimal_text: str, placeholder: str) -> None:
    # Found by probing: answers are shown as written, so patients read "Call {phone}" as is.
    text = minimal_text.replace("It takes no more than an hour.", f"'Call {placeholder}.'")
    text = text.replace("source: Softlift Procedure", "source: [Softlift Procedure, clinic]")
    message = _error(text)
    line = _line_of(text, f"'Call {placeholder}.'")
    assert message.startswith(f"mini.yaml:{line}: entry 'duration': ")
    assert f"a patient would read {placeholder}" in message


def test_source_clinic_marks_the_clinics_own_facts(course_text: str) -> None:
    text = course_text.replace("    source: Softlift Procedure\n", "    source: clinic\n").replace(
        '{id: massage, days: "0-13", source: Postulates of the rehabilitation period,',
        '{id: massage, days: "0-13", source: [Postulates of the rehabilitation period, clinic],',
    )
    kb = parse_faq(text, "f.yaml")
    assert kb.entry("duration") is not None
    assert kb.entry("duration").sources == ("clinic",)  # type: ignore[union-attr]
    assert kb.clinic_texts() == ("entry 'duration'", "rule 'massage'")
    assert parse_faq(course_text, "f.yaml").clinic_texts() == ()


def test_faq_check_counts_the_clinics_own_texts(
    course_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(
        course_text.replace("    source: Softlift Procedure\n", "    source: clinic\n"),
        encoding="utf-8",
    )
    assert cli.main(["faq", "check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: the clinic's own (source: clinic): entry 'duration'"
    assert out[-1].endswith(", 28 sourced texts (1 the clinic's own): OK"), out[-1]


def test_an_open_ended_rule_has_no_last_day(course_text: str) -> None:
    course = parse_faq(course_text, "f.yaml").course
    assert course is not None
    sun = next(r for r in course.rules if r.id == "sun")
    assert (sun.first_day, sun.last_day) == (0, None)
    assert all(sun in course.rules_for(day) for day in range(course.days + 1))
    makeup = next(r for r in course.rules if r.id == "makeup")
    assert (makeup.first_day, makeup.last_day) == (0, 2)


@pytest.mark.parametrize("value", ["yes please", "1", "[true]"])
def test_a_decline_marked_life_must_say_true_or_false(minimal_text: str, value: str) -> None:
    text = minimal_text.replace(
        "    keywords: [price]\n", f"    keywords: [price]\n    life: {value}\n"
    )
    assert text != minimal_text
    message = _error(text)
    assert f"mini.yaml:{_line_of(text, 'life: ')}: entry 'price': 'life' must be true or false" in (
        message
    )


def test_a_decline_marked_life_loads_as_one() -> None:
    kb = load_shipped("softlifting.yaml")
    life = {d.id for d in kb.declines if d.life}
    assert {"travel", "sport", "diet"} <= life and not {"price", "botox"} & life


@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        # Found by probing: each stopped `faq check` and start-up with a traceback.
        ("timezone: Europe/Berlin", "timezone: Europe", "unknown time zone 'Europe'"),
        ("timezone: Europe/Berlin", "timezone: " + "x" * 300, "unknown time zone 'xxx"),
        ("language: en", "language: " + "x" * 300, "no locale for language 'xxx"),
        ("synonyms:", "synonyms: 5\nold_synonyms:", "'synonyms' must be a list of word lists"),
        ("synonyms:", "synonyms: {a: 1}\nold_synonyms:", "'synonyms' must be a list of word"),
        # Found by probing: a path found a locale file, and the file passed as language
        # '../locales/en', which no /language button nor setting can name.
        ("language: en", "language: ../locales/en", "no locale for language '../locales/en'"),
        # Found by probing: accepted, so the clinic's zone was the host's own (localtime) or
        # counted leap seconds (right/), and the Docker image, which has neither, refused at
        # start-up a file `faq check` had passed.
        ("timezone: Europe/Berlin", "timezone: localtime", "'localtime' names no place's time"),
        ("timezone: Europe/Berlin", "timezone: posixrules", "'posixrules' names no place's"),
        ("timezone: Europe/Berlin", "timezone: right/UTC", "'right/UTC' names no place's time"),
        ("timezone: Europe/Berlin", "timezone: posix/Europe/Berlin", "like Europe/Berlin"),
        ("timezone: Europe/Berlin", "timezone: Factory", "'Factory' names no place's time"),
        # Found by eng35: accepted, so a New York clinic's "EST" (UTC-5 all year) put its
        # default zone an hour off all summer, an abbreviation a patient is asked to replace.
        ("timezone: Europe/Berlin", "timezone: EST", "'EST' is an abbreviation"),
        ("timezone: Europe/Berlin", "timezone: CET", "like Europe/Berlin"),
    ],
)
def test_a_malformed_header_value_is_a_problem_not_a_crash(
    minimal_text: str, line: str, replacement: str, expected: str
) -> None:
    broken = minimal_text.replace(line, replacement, 1)
    message = _error(broken)
    number = _line_of(broken, replacement.splitlines()[0])
    assert message.startswith(f"mini.yaml:{number}: ") and expected in message
