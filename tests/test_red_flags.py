"""Red flags in plain words: a table of sentences per category, negation, the RE2 escape hatch."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import re2
import yaml

from bot.answers.assistant import Assistant
from bot.answers.languages import Languages, load_languages
from bot.answers.loader import load_faq, parse_faq
from bot.answers.matcher import MAX_MESSAGE_CHARS, MAX_QUESTION_CHARS, Kind
from bot.answers.safety import PATTERNS_PROGRAM_LIMIT, RedFlagDetector
from bot.answers.selftest import self_test
from bot.faqdoc import FaqError

HERE = Path(__file__).parent
TABLES: dict[str, dict[str, dict[str, Any]]] = {
    language: yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    for language, name in (("en", "redflag_table.yaml"), ("ru", "redflag_table.ru.yaml"))
}
POSITIVE = [
    (lang, cat, s) for lang, t in TABLES.items() for cat, r in t.items() for s in r["positive"]
]
NEGATIVE = [
    (lang, cat, s) for lang, t in TABLES.items() for cat, r in t.items() for s in r["negative"]
]


@pytest.fixture(scope="module")
def languages() -> Languages:
    """Both shipped languages, loaded once for the module."""
    return load_languages()


@pytest.fixture(scope="module")
def assistants(assistant: Assistant) -> dict[str, Assistant]:
    """The answer engine of each shipped language."""
    return {
        "en": assistant,
        "ru": Assistant(load_faq(Path(__file__).parents[1] / "faq" / "softlifting.ru.yaml")),
    }


@pytest.mark.parametrize("language", TABLES)
def test_the_table_covers_every_category_of_the_shipped_flags(
    assistants: dict[str, Assistant], language: str
) -> None:
    assistant, table = assistants[language], TABLES[language]
    assert {f.id for f in assistant.kb.red_flags} == set(table)
    for flag in assistant.kb.red_flags:
        assert flag.emergency is table[flag.id]["emergency"], flag.id
    assert sum(len(r["positive"]) + len(r["negative"]) for r in table.values()) >= 50


@pytest.mark.parametrize(("language", "category", "sentence"), POSITIVE)
def test_danger_signs_get_the_urgent_reply(
    assistants: dict[str, Assistant], language: str, category: str, sentence: str
) -> None:
    assistant = assistants[language]
    outcome = assistant.ask(sentence)
    assert outcome.decision.kind is Kind.URGENT, outcome.decision
    hits = [f.id for f in assistant.matcher.red_flags.find_all(sentence)]
    assert category in hits
    emergency = assistant.kb.clinic.format(assistant.kb.texts.emergency)
    if TABLES[language][category]["emergency"]:
        assert emergency in outcome.reply.text


@pytest.mark.parametrize(("language", "category", "sentence"), NEGATIVE)
def test_ordinary_side_effects_negations_and_questions_are_not_urgent(
    assistants: dict[str, Assistant], language: str, category: str, sentence: str
) -> None:
    assert assistants[language].matcher.red_flags.find_all(sentence) == []


FLAG_FAQ = """
version: 1
language: en
clinic: {name: C, phone: "1", booking_url: "https://c.example", address: A, timezone: UTC}
texts: {disclaimer: D, fallback: F, urgent: U, emergency: E}
topics: [{id: t, title: T}]
entries:
  - {id: e, topic: t, title: Title, questions: [how long does it last], answer: A year., source: clinic}
red_flags:
  - id: lips
    emergency: false
    signs: [lip/lips turned blue/white]
    examples: [my lip turned blue]
    not_examples: [my lip isn't blue]
    patterns: [PATTERN]
"""


def _faq(pattern: str) -> str:
    return FLAG_FAQ.replace("PATTERN", pattern)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("my lip turned blue", True),
        ("my lips are going blue!!", True),
        ("my lipp turned bleu", True),  # typos in short words
        ("blue is my lip", True),  # word order
        ("my lip is kind of a strange blue colour", True),  # words in between
        ("my lip is not blue", False),
        ("no blue lips at all", False),
        ("not sure why, but my lip is blue", True),
        ("what if my lip turns white?", True),  # a question about a danger sign
        ("I bought a blue dress for the party", False),
    ],
)
def test_signs_are_matched_through_the_question_analyzer(message: str, urgent: bool) -> None:
    assistant = Assistant(parse_faq(_faq("zzzzz"), "f.yaml"))
    assert (assistant.ask(message).decision.kind is Kind.URGENT) is urgent, message


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("меня морозит с утра", True),
        ("морозит", True),
        ("на сколько заморозить абонемент после уколов?", False),  # inside a longer word
        ("холодильник сам разморозит", False),
    ],
)
def test_a_patterns_word_character_is_a_letter_of_any_alphabet(message: str, urgent: bool) -> None:
    # RE2's \w is ASCII: "(^|[^\w])морозит" found "морозит" inside "заморозить", a Cyrillic
    # letter being no \w to it.
    faq = _faq(r"'(^|[^\w])морозит(\W|$)'").replace("my lip turned blue]", "меня морозит]")
    assistant = Assistant(parse_faq(faq, "f.yaml"))
    assert (assistant.ask(message).decision.kind is Kind.URGENT) is urgent, message


def test_a_text_read_with_other_kept_words_is_read_again(languages: Languages) -> None:
    # The analyzer remembered a text's tokens by the text alone, whatever words were kept: the
    # red-flag check reads a short piece with its signs' words kept, then the sentence with the
    # likeness words too, and got the first reading back without "like".
    analyzer = languages.assistant("en").matcher.analyzer
    text = "blisters like a sunburn qzx"
    assert "like" not in analyzer.tokens(text, frozenset({"qzx"}))
    assert "like" in analyzer.tokens(text, frozenset({"qzx", "like"}))


def test_patterns_run_on_a_linear_time_engine(tmp_path: Path) -> None:
    # Nested quantifiers take exponential time on Python's backtracking engine (a message of
    # forty e's would take hours); RE2 answers in linear time. The subprocess bounds the wait.
    faq = tmp_path / "faq.yaml"
    faq.write_text(_faq("'(e+)+z'"), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        from bot.answers.assistant import Assistant
        from bot.answers.loader import load_faq
        assistant = Assistant(load_faq({str(faq)!r}))
        print(assistant.ask("e" * 2000 + "!").decision.kind)
        print(assistant.ask("e" * 40 + "z").decision.kind)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["fallback", "urgent"]


def _many_words(count: int) -> list[str]:
    """Plain English words a sign may name, none of them a stop word or a linking word."""
    path = Path(__file__).parents[1] / "bot" / "locales" / "en.words"
    words = path.read_text(encoding="utf-8").split()[2000:]
    return [word for word in words if word.isalpha() and len(word) > 5][:count]


def test_a_sign_is_tried_once_a_sentence_and_only_when_it_has_all_its_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Found by probing: a sign was looked for word by word once for each alternative of its
    # first word that the message named, whether or not the message had its other words. A
    # clinic's sign of 300 alternatives and 100 words made one 4,096-character message take
    # 46 s; 3,000 signs of four words sharing 20 alternatives, 6.6 s (the shipped ones, 0.03 s).
    words = _many_words(310)
    sign = "/".join(words[:300]) + " " + " ".join(words[300:309])
    text = FLAG_FAQ.replace(
        "signs: [lip/lips turned blue/white]", f"signs: [lip/lips turned blue/white, {sign}]"
    ).replace("    patterns: [PATTERN]\n", "")
    assistant = Assistant(parse_faq(text, "f.yaml"))
    tried: list[object] = []
    matches = RedFlagDetector._matches

    def counted(self: RedFlagDetector, *args: Any) -> bool:
        tried.append(args[0])
        return matches(self, *args)

    monkeypatch.setattr(RedFlagDetector, "_matches", counted)
    message = " ".join(words[i % 300] for i in range(600))[:4096]
    assert assistant.ask(message).decision.kind is not Kind.URGENT
    assert tried == []  # no sentence has the sign's last nine words
    whole = " ".join([*words[:3], *words[300:309]])
    assert assistant.ask(whole).decision.kind is Kind.URGENT
    assert len(tried) == 1  # three of its first word's alternatives, one try


@pytest.mark.parametrize("pattern", ["'(?!bruise)blue'", "'(a)\\1'", "'(unclosed'"])
def test_patterns_re2_cannot_run_are_refused_at_load(pattern: str) -> None:
    with pytest.raises(FaqError, match="not a regular expression RE2 accepts") as raised:
        parse_faq(_faq(pattern), "f.yaml")
    assert raised.value.problems[0].line == 15  # the patterns line


@pytest.mark.parametrize(
    "pattern",
    ["'.{0,1000}.{0,1000}.{0,1000}z'", "'(?:x|y|.{0,200}){5}z'", "'.{0,700}z'"],
)
def test_a_pattern_too_costly_to_run_on_every_message_is_refused_at_load(pattern: str) -> None:
    # Found by probing: RE2's time is linear in the message, but grows with the pattern's size
    # too. The first pattern took 0.5 s on each 4,096-character message (eight seconds for ten
    # such patterns), where the shipped ones take well under a millisecond.
    with pytest.raises(FaqError, match="too costly to run on every message") as raised:
        parse_faq(_faq(pattern), "f.yaml")
    (problem,) = raised.value.problems
    assert (problem.line, problem.entry) == (15, "lips")
    assert "{0,1000}" in problem.message  # what to shorten


def test_patterns_too_costly_together_are_refused_at_load_not_with_a_traceback(
    tmp_path: Path,
) -> None:
    # Found by probing: each pattern was checked alone, and a flag's patterns are compiled as
    # one. Together these were too large for RE2, and faq check, start-up and /reload stopped
    # with a traceback (re2.error: pattern too large); fewer of them made every message slow.
    patterns = ", ".join(f"'.{{0,190}}z{i}'" for i in range(300))
    faq = tmp_path / "faq.yaml"
    faq.write_text(FLAG_FAQ.replace("[PATTERN]", f"[{patterns}]"), encoding="utf-8")
    with pytest.raises(FaqError) as raised:
        load_languages([faq])
    (problem,) = raised.value.problems
    assert (problem.file, problem.line, problem.entry) == (str(faq), 15, "lips")
    assert "too costly to run on every message" in problem.message
    assert "20,000 in all" in problem.message


def test_patterns_at_the_size_limit_are_all_tried_on_a_long_message() -> None:
    # All flags' patterns run through one RE2 filter, which runs each pattern whose words the
    # message has: at the file's limit each must still be found on a long message.
    patterns = [f".{{0,220}}z{i}q" for i in range(9)]
    assert sum(re2.compile(p).programsize for p in patterns) > 0.85 * PATTERNS_PROGRAM_LIMIT
    listed = ", ".join(f"'{p}'" for p in patterns)
    assistant = Assistant(parse_faq(FLAG_FAQ.replace("[PATTERN]", f"[{listed}]"), "f.yaml"))
    noise = " ".join(f"z{i % 10}x" for i in range(1_000))[:3_900]
    for i in range(9):
        assert assistant.ask(f"{noise} z{i}q").decision.kind is Kind.URGENT, i
    assert assistant.ask(noise).decision.kind is not Kind.URGENT


@pytest.mark.parametrize("pattern", ["'lip turned blue|'", "'(?:lip went blue)?'", "'^'"])
def test_a_pattern_that_matches_any_message_is_refused_at_load(pattern: str) -> None:
    # Found by probing: a '|' left at the end made every message urgent once the bot started
    # or was reloaded; only faq check noticed, through the not_examples.
    with pytest.raises(FaqError, match="matches an empty message") as raised:
        parse_faq(_faq(pattern), "f.yaml")
    assert raised.value.problems[0].line == 15


@pytest.mark.parametrize(
    ("sign", "expected"),
    [
        # One slot "skin or white": every message about skin would have been urgent.
        ("skin//white", "an empty alternative in 'skin//white'"),
        ("lip/ blue", "an empty alternative in 'lip/'"),
        ("fever !/hay", "an empty alternative in '!/hay'"),
        ("fever !", "a lone '!'"),
        ("'!hay'", "only exceptions"),
        ("turned", "only linking words"),
        ("is/are", "only linking words"),
        # A negation counts only beside the words it negates: alone it never matched.
        ("not", "only a negation"),
        ("can't/not", "only a negation"),
        ("'??? ...'", "no word in '???'"),
        ("'lip ~/blue'", "no word in '~/blue'"),
    ],
)
def test_a_sign_that_cannot_work_as_written_is_refused_at_load(sign: str, expected: str) -> None:
    # Found by probing: each loaded silently (faq check, start-up, /reload); the analyzer
    # dropped the empty alternative, the '!' or the whole sign, which then caught another set of
    # messages than the doctor wrote, or none at all.
    text = FLAG_FAQ.replace(
        "signs: [lip/lips turned blue/white]", f"signs: [lip/lips turned blue/white, {sign}]"
    ).replace("    patterns: [PATTERN]\n", "")
    with pytest.raises(FaqError) as raised:
        parse_faq(text, "f.yaml")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line, problem.entry) == ("f.yaml", 12, "lips")
    assert expected in problem.message
    assert " as in '" in problem.message  # how to fix it


def test_a_sign_beginning_with_an_exception_is_named_with_how_to_fix_it() -> None:
    # YAML reads an unquoted "!hay fever" as a tag: the message said only "could not determine
    # a constructor for the tag '!hay'".
    text = FLAG_FAQ.replace(
        "signs: [lip/lips turned blue/white]", "signs:\n      - lip blue\n      - !hay fever"
    )
    with pytest.raises(FaqError) as raised:
        parse_faq(text, "f.yaml")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == ("f.yaml", 14)
    assert "'!hay fever'" in problem.message
    assert "quotes" in problem.message and "fever !hay" in problem.message


def _faq_check(faq: Path, text: str) -> subprocess.CompletedProcess[str]:
    """`faq check` run on `text` written to `faq`."""
    faq.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", "faq", "check", str(faq)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_faq_check_verifies_examples_and_not_examples(tmp_path: Path) -> None:
    wrong = (
        _faq("zzzzz")
        .replace("examples: [my lip turned blue]", "examples: [my nose is cold]")
        .replace("not_examples: [my lip isn't blue]", "not_examples: [my lips are white]")
    )
    faq = tmp_path / "faq.yaml"
    result = _faq_check(faq, wrong)
    assert result.returncode == 1
    assert "example 'my nose is cold' does not trigger it" in result.stdout
    assert "not_example 'my lips are white' triggers 'lips'" in result.stdout


def test_faq_check_refuses_an_exception_that_reads_as_a_reassurance() -> None:
    # "!usually" folded into "normal" silenced fainting in "is it normal that I passed out?".
    faq = FLAG_FAQ.replace(
        "signs: [lip/lips turned blue/white]", "signs: ['lip/lips blue !always/fine/tattoo']"
    ).replace("    patterns: [PATTERN]\n", "")
    conflicts = self_test(parse_faq(faq, "f.yaml"))
    assert [(c.line, c.message) for c in conflicts] == [
        (
            12,  # the signs line
            "red flag 'lips': sign 'lip/lips blue !always/fine/tattoo': the exception 'fine' "
            'reads as a reassurance, so "is it normal that ...?" would never raise the sign: '
            "remove it",
        )
    ]


def test_faq_check_names_sign_words_that_messages_read_as_one_phrase() -> None:
    # Found by redflag_probe_s: "skin breaking/broken down" never matched, because a message's
    # "breaking down" is read as the synonym phrase for the filler wearing off.
    faq = (
        FLAG_FAQ.replace("texts:", "synonyms:\n  - [wear off, breaking down, broken down]\ntexts:")
        .replace("signs: [lip/lips turned blue/white]", "signs: ['skin breaking/broken down']")
        .replace("examples: [my lip turned blue]", "examples: [the skin is breaking down]")
        .replace("    patterns: [PATTERN]\n", "")
    )
    conflicts = self_test(parse_faq(faq, "f.yaml"))
    assert [(c.line, c.message) for c in conflicts] == [
        (
            14,  # the signs line
            "red flag 'lips': sign 'skin breaking/broken down': messages read 'breaking down', "
            "'broken down' side by side as synonym phrases, so the sign never matches them so "
            "written: join them with '_' ('breaking_down') to mean the phrase, leave them out, "
            "or use a pattern",
        ),
        (
            15,  # ... and so the example it was written for is missed
            "red flag 'lips': example 'the skin is breaking down' does not trigger it (no red "
            "flag): add a sign that catches it, or change the example",
        ),
    ]
    joined = faq.replace("'skin breaking/broken down'", "'skin breaking_down/broken_down'")
    assert self_test(parse_faq(joined, "f.yaml")) == []
    matcher = Assistant(parse_faq(joined, "f.yaml")).matcher
    assert matcher.decide("the skin on my chin is breaking down").kind is Kind.URGENT


def test_faq_check_names_the_line_of_each_example_in_conflict_and_how_to_fix_it(
    tmp_path: Path,
) -> None:
    # Found by probing: a conflict named the flag and the example but no line, in a file of
    # 4,800 lines, and not what to change.
    wrong = (
        _faq("zzzzz")
        .replace(
            "examples: [my lip turned blue]",
            "examples:\n      - my lip turned blue\n      - my nose is cold",
        )
        .replace(
            "not_examples: [my lip isn't blue]",
            "not_examples:\n      - my lip isn't blue\n      - my lips are white",
        )
    )
    faq = tmp_path / "faq.yaml"
    result = _faq_check(faq, wrong)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    missed = f"{faq}:15: red flag 'lips': example 'my nose is cold' does not trigger it"
    caught = f"{faq}:18: red flag 'lips': not_example 'my lips are white' triggers 'lips'"
    assert any(line.startswith(missed) and "add a sign" in line for line in lines), lines
    assert any(line.startswith(caught) and "exception" in line for line in lines), lines


STOPWORD_FAQ = FLAG_FAQ.replace(
    "signs: [lip/lips turned blue/white]", "signs: [everything/things dark/black, lip blue]"
).replace("    patterns: [PATTERN]\n", "")


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("everything went dark for a moment", True),  # "everything" is a stop word
        ("things look dark on my left side", True),
        ("a dark spot on my cheek", False),  # the sign needs both its words
        ("everything is fine. dark chocolate is my weakness", False),  # another sentence
    ],
)
def test_a_sign_may_name_a_stop_word(message: str, urgent: bool) -> None:
    assistant = Assistant(parse_faq(STOPWORD_FAQ, "f.yaml"))
    assert (assistant.ask(message).decision.kind is Kind.URGENT) is urgent, message
    # The stop word still counts for nothing when a question is matched.
    assert "everything" not in assistant.matcher.analyzer.tokens(message)


SILENT_FAQ = FLAG_FAQ.replace(
    "signs: [lip/lips turned blue/white]", "signs: [trying breathe, lip blue]"
).replace("    patterns: [PATTERN]\n", "")


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("trying to breathe through the swelling", True),
        ("it hurts when i'm trying to breathe", True),
        ("breathe in and relax, the doctor said", False),  # the sign needs both its words
        ("is breathing through my nose normal?", False),
    ],
)
def test_a_sign_may_name_a_word_questions_read_as_nothing(message: str, urgent: bool) -> None:
    # Found by probing: "quick" belonged to a synonym group questions read as nothing ("quick
    # question"), and the sign dropped it without a word: "quick swelling" became "swelling",
    # and every message about swelling got the urgent reply. README: such words count.
    # ("trying" of "i'm trying to ..." is such a word; "quick" is read since "is it quick?"
    # asks how long the procedure takes.)
    assistant = Assistant(parse_faq(SILENT_FAQ, "f.yaml"))
    assert (assistant.ask(message).decision.kind is Kind.URGENT) is urgent, message
    assert assistant.matcher.analyzer.tokens("trying") == []  # questions still ignore it


EXCEPTION_FAQ = FLAG_FAQ.replace(
    "signs: [lip/lips turned blue/white]", "signs: ['see not !result/difference', lip blue]"
).replace("    patterns: [PATTERN]\n", "")


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("i can't see out of my left eye", True),
        ("i can't see any difference yet", False),  # the exception right after the sign
        ("a week on and the result i don't see it", False),  # ... or right before it
        ("i can't see, is that the result of the filler?", True),  # ... but not past a comma
        ("i can't see the result", False),
        ("the result is fine but my lip is blue", True),  # another sign has no exception
        ("i can't see properly since this morning and the result looks odd", True),  # far off
    ],
)
def test_a_sign_may_name_exceptions(message: str, urgent: bool) -> None:
    assistant = Assistant(parse_faq(EXCEPTION_FAQ, "f.yaml"))
    assert (assistant.ask(message).decision.kind is Kind.URGENT) is urgent, message


# A danger sign told at the end of a long story (Telegram allows 4,096 characters) is read even
# though only the first 2,000 characters are matched against the FAQ.
@pytest.mark.parametrize(
    ("story", "sign"),
    [
        (
            "I had my cheeks done on Monday and the doctor was really nice. ",
            "Now my lip turned white and I can't breathe.",
        ),
        (
            "Я сделала процедуру в понедельник, врач была очень внимательная. ",
            "Сейчас губа посинела и не могу дышать.",
        ),
    ],
)
def test_a_sign_after_the_matched_part_of_a_long_message_is_urgent(
    languages: Languages, story: str, sign: str
) -> None:
    text = story * (2100 // len(story)) + sign
    assert len(text) > MAX_QUESTION_CHARS and len(text) <= MAX_MESSAGE_CHARS
    outcome = languages.ask(text)
    assert outcome.decision.kind is Kind.URGENT, outcome.decision
    assert outcome.decision.red_flag is not None and outcome.decision.red_flag.emergency


# Half of a surrogate pair (a JSON "\ud83d" delivers one) is no reason to lose an urgent reply.
@pytest.mark.parametrize("text", ["my lip is blue \ud83d", "губа посинела \udc00", "\ud800"])
def test_a_lone_surrogate_neither_crashes_nor_hides_a_sign(languages: Languages, text: str) -> None:
    outcome = languages.ask(text)
    assert (outcome.decision.kind is Kind.URGENT) is (text != "\ud800")


# Chat style cuts a danger sign into pieces: a pause ("..."), Enter pressed mid-thought, or a
# fragment of a few words ("Lip. White."). Found by probing the running bot.
@pytest.mark.parametrize(
    "text",
    [
        "i can't... breathe",
        "vision... blurry",
        "i can't\nbreathe",
        "temperature\n39",
        "upper lip. white. cold.",
        "Face. Drooping. Right side. Since 20 min",
        "my lip!!! it's blue",
        "my lip? it's blue",
        "it is getting so hard to... breathe properly",
        "не могу... дышать",
        "не могу\nдышать",
        "верхняя губа\nсиняя",
        "губа... посинела",
    ],
)
def test_a_sign_split_by_a_pause_a_line_break_or_a_fragment_is_urgent(
    languages: Languages, text: str
) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


@pytest.mark.parametrize(
    "text",
    [
        "My lips are fine. Blue eyeshadow ok after?",
        "No fever.\nJust a bit of swelling, normal?",
        "Breathing fine... just swollen lips",
    ],
)
def test_joined_pieces_do_not_invent_a_sign(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is not Kind.URGENT


# Letters of the other alphabet that look the same, a word typed in Latin letters among
# Cyrillic ones, fullwidth transliteration: found by probing the running bot.
@pytest.mark.parametrize(
    "text",
    [
        "губa пocинeлa",  # four Latin look-alikes
        "my lір is bluе",  # Cyrillic і, р and е in English words
        "guba посинела",
        "gubа посинела",  # Latin with one Cyrillic а, then Cyrillic
        "ｇｕｂａ ｐｏｓｉｎｅｌａ",
    ],
)
def test_mixed_alphabets_do_not_hide_a_sign(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


# Found by probing the running bot: "-tsa" is how chats spell "-тся" in Latin letters ("v glazah
# dvoitsa" read "двойца"), and "дышат" is "дышать" with its soft sign dropped, a real word
# of its own that no typo fix reaches.
@pytest.mark.parametrize(
    "text",
    ["v glazah dvoitsa", "u menya vse dvoitsa v glazah", "не могу дышат", "не могу дышат помогите"],
)
def test_chat_spellings_do_not_hide_a_sign(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


# A word spelt out letter by letter ("b l u e"), found by probing the running bot: the letters
# are read as the word when the FAQ knows it, so that single-letter words stay apart.
@pytest.mark.parametrize(
    "text",
    [
        "my lip is b l u e",
        "l i p  i s  b l u e",
        "губа с т а л а  с и н е й",
        "can't b r e a t h e",
        "my lip is b-l-u-e",
        "my lip is b.l.u.e",
    ],
)
def test_a_word_spelt_out_letter_by_letter_is_read(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


@pytest.mark.parametrize("text", ["а я в шоке, как долго держится?", "is it a b c easy?"])
def test_single_letter_words_are_not_joined(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is not Kind.URGENT
    assert languages.ask(text).decision.kind is not Kind.FALLBACK or "b c" in text


# What the procedure will be like, asked ahead of it, raises no pain or swelling sign: found in
# blind6 ("does it hurt like hell, im a total wimp") and common before a first visit.
@pytest.mark.parametrize(
    "text",
    [
        "does it hurt like hell, im a total wimp when it comes to needles",
        "will it be extremely painful?",
        "will my face balloon up after?",
        "будет ужасно больно?",
        "а будет адски больно или терпимо?",
        "на процедуре будет адски больно?",
        "а боль будет усиливаться?",
        "will i get a fever after?",
    ],
)
def test_asking_ahead_about_pain_is_no_sign(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is not Kind.URGENT


@pytest.mark.parametrize(
    "text",
    [
        "it hurts like hell, will it stop?",
        "does it still hurt like hell after 3 days for everyone?",
        "is it bad that my eyes and neck are swelling really fast?",
        "болит адски, будет ли легче?",
        "болит адски уже второй день, будет ли легче?",
        # ... and these with a question about what is usual.
        "will this severe pain go away",
        "how bad does the pain usually get because i have unbearable pain",
        "how often do people faint, I fainted twice",
        "насколько больно это обычно, у меня адская боль",
    ],
)
def test_pain_felt_now_stays_a_sign_when_asked_about(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


# What the procedure can fix is a look the patient has, found by probing the running bot
# ("can you fix droopy eyelids" got the vision emergency); a look that changed stays a sign.
@pytest.mark.parametrize(
    "text",
    [
        "can you fix droopy eyelids",
        "can filler fix a crooked smile?",
        "можно ли исправить опущенные веки",
        "у меня бледные губы, можно сделать ярче",
    ],
)
def test_asking_what_it_can_fix_is_no_sign(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is not Kind.URGENT


@pytest.mark.parametrize(
    "text",
    [
        "my smile went crooked after the filler, can you fix it",
        "my eyelid is drooping since this morning, can you fix it?",
        "улыбка стала кривая после укола, можно исправить?",
        # A second probe of the running bot silenced these with a question about a fix.
        "my eyelid droops, can you fix it",
        "one side of my face is drooping can you help with that",
        "half my face drooped, could you correct it",
        "лицо перекосило, можно исправить?",
        "веко опустилось, можно исправить?",
        "одна сторона лица опустилась, можно подтянуть?",
    ],
)
def test_a_look_that_changed_stays_a_sign_when_a_fix_is_asked(
    languages: Languages, text: str
) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


# Chat typed fast on a phone: short lines, a typo or two in each. Every word is read again in
# each line break the detector reads across, so counting a typo once per reading spent the
# message's typo look-ups long before the last lines (found by probing: "clarify", no alarm).
FAST_TYPED = [
    "hi dcotor",
    "sorry to bohter you",
    "my husabnd cooekd",
    "ate smoe suop",
    "ate smoe sopu",
    "watcehd tv",
    "wetn to bed earyl",
    "thne i wnet hmoe",
    "it wetn well i thnik",
    "she was vrey knid",
    "in my lpis and flods",
    "i had filelr yetserday",
    "i had filelr yestedray",
    "watchde tv",
    "i had fillre yesterdya",
]


@pytest.mark.parametrize("sign", ["and i cnat\nbreathe", "my vison\nis blury", "my lpi\nis bleu"])
def test_a_sign_after_many_typos_is_still_read(sign: str) -> None:
    languages = load_languages()  # fresh: no reading of an earlier test remembered
    outcome = languages.ask("\n".join([*FAST_TYPED, sign]))
    assert outcome.decision.kind is Kind.URGENT, outcome.decision


# A long story typed with Enter after every few words: a sign cut by the break after the
# fortieth line was read in neither piece (found by probing).
CHAT_LINES = [
    "hi doctor",
    "sorry to bother you",
    "i had filler yesterday",
    "in my lips and folds",
    "with doctor anna",
    "it went well i think",
    "she was very kind",
    "then i went home",
    "took a nap",
    "ate some soup",
]


@pytest.mark.parametrize(
    "sign", ["and now my lip\nis turning blue", "i can't\nbreathe properly", "губа\nпосинела"]
)
def test_a_sign_cut_by_a_line_break_late_in_a_long_message_is_urgent(
    languages: Languages, sign: str
) -> None:
    outcome = languages.ask("\n".join([*CHAT_LINES * 5, sign]))
    assert outcome.decision.kind is Kind.URGENT, outcome.decision


# "No" answering the bot or a worried thought, then the sign, with no comma: "no my lip is blue"
# negated the lip (found by probing). "No" never negates "my", "the", "i" or "it".
@pytest.mark.parametrize(
    "text",
    [
        "no my lip is blue",
        "no the skin is white",
        "no my vision is blurry",
        "no my throat is swelling",
        "no i have a fever",
        "no there is pus",
        "no - my lip is blue",
        "no no no my lip is white",
        "нет моя губа посинела",
        "неа губа синяя",
        "нет мое лицо перекосило",
    ],
)
def test_a_no_that_answers_negates_no_sign_after_it(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


@pytest.mark.parametrize(
    "text",
    [
        "no my lip isn't blue",
        "no i don't have a fever",
        "no it is not white",
        "no fever",
        "нет у меня температуры",
        "неа, температуры нет",
    ],
)
def test_a_no_that_answers_keeps_the_negations_after_it(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is not Kind.URGENT


# "Not ok" says the patient is not fine; the "not" is spent on "ok" and negates no sign after it
# ("not ok my lip is blue" read as "not ... lip blue"; found by probing).
@pytest.mark.parametrize(
    "text",
    [
        "not ok my lip is blue",
        "im not ok my lip is white",
        "it's not ok my lip is blue",
        "not okay my vision is blurry",
        # "great" was dropped as a filler, so the "not" reached the throat (found by probing).
        "not great my throat is swelling",
        "не ок губа синяя",
    ],
)
def test_a_negated_reassurance_negates_no_sign_after_it(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is Kind.URGENT


@pytest.mark.parametrize("text", ["i'm ok, no fever", "all ok not blue at all", "ok no pus"])
def test_a_reassurance_keeps_the_negation_after_it(languages: Languages, text: str) -> None:
    assert languages.ask(text).decision.kind is not Kind.URGENT


def test_the_quick_look_never_passes_over_a_message_the_full_reading_flags(
    languages: Languages, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Most messages name no sign in full, and are not read sentence by sentence: the quick look
    # over every way their words may be read must never pass over one the full reading flags.
    texts = {lang: [s for _, cat, s in (*POSITIVE, *NEGATIVE) if _ == lang] for lang in TABLES}
    for lang, assistant in languages.assistants.items():
        texts[lang] += [t for flag in assistant.kb.red_flags for t in flag.examples]
        texts[lang] += [t for flag in assistant.kb.red_flags for t in flag.not_examples]
    quick = {
        lang: [[f.id for f in languages.assistant(lang).matcher.red_flags.find_all(t)] for t in ts]
        for lang, ts in texts.items()
    }
    skipped = sum(
        not languages.assistant(lang).matcher.red_flags._may_have_a_sign(t)
        for lang, ts in texts.items()
        for t in ts
    )
    assert skipped > 200  # calm ones passed over (274 of the rows and examples)
    assert not languages.assistant("en").matcher.red_flags._may_have_a_sign("how long does it last")
    monkeypatch.setattr(RedFlagDetector, "_may_have_a_sign", lambda self, text: True)
    for lang, ts in texts.items():
        detector = languages.assistant(lang).matcher.red_flags
        assert [[f.id for f in detector.find_all(t)] for t in ts] == quick[lang], lang


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_bots_own_texts_raise_no_red_flag(languages: Languages, language: str) -> None:
    # A patient may forward or paste an answer back: "High temperatures are a separate rule"
    # and «Ограничьте высокие температуры» read as a fever once.
    kb = languages.assistants[language].kb
    texts = [e.answer for e in kb.entries]
    if kb.course is not None:
        texts += [r.text for r in kb.course.rules] + [d.text for d in kb.course.daily]
    urgent = [t for t in texts if languages.ask(t, language).decision.kind is Kind.URGENT]
    assert not urgent


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("у сына температура 38.5 😷 можно перенести запись?", False),
        ("у меня 38.5", True),
        ("у меня температура 38.5", True),
        ("i have 38.5 since this morning", True),
        ("38.9", True),
    ],
)
def test_another_language_reads_only_a_text_with_its_letters(
    languages: Languages, text: str, urgent: bool
) -> None:
    """A Russian message's "38.5" is no English sign: the English flags see no English word."""
    assert (languages.ask(text).decision.kind is Kind.URGENT) is urgent


@pytest.mark.parametrize(
    "text",
    [
        "In the consent form it says possible complications include vascular occlusion, skin"
        " necrosis and loss of vision. How common is that? I haven't had the procedure yet, my"
        " appointment is next Tuesday.",
        "I read online that a fever of 38.5 after filler means infection. I don't have anything"
        " like that, just curious how often it happens.",
    ],
)
def test_a_message_that_leaves_every_sign_alone_leaves_the_patterns_alone(
    languages: Languages, text: str
) -> None:
    """A procedure not had yet, or signs read about and denied: no pattern fires either."""
    assert languages.ask(text).decision.kind is not Kind.URGENT
