"""The /unanswered text: largest groups first with counts and examples, then the most 👎."""

from __future__ import annotations

import re
from pathlib import Path

from bot.answers.loader import load_faq
from bot.insights.grouping import Phrasing, QuestionGroup
from bot.insights.report import stats_reply, unanswered_text
from bot.insights.snapshot import EntryUsage, most_disliked
from bot.locale import get_locale
from bot.storage.stats import KINDS, Report


def _group(*phrasings: tuple[str, int]) -> QuestionGroup:
    return QuestionGroup("en", tuple(Phrasing(text, n, text) for text, n in phrasings))


GROUPS = [
    _group(("is there parking?", 5), ("where can i park", 2)),
    _group(("do you have wifi", 3)),
    _group(("can i bring my dog", 1)),
]
ENTRIES = [
    EntryUsage("bruising", "Bruising", 40, helpful=6, not_helpful=4),
    EntryUsage("pain", "Does it hurt?", 30, helpful=9, not_helpful=0),
    EntryUsage("swelling", "Swelling", 20, helpful=1, not_helpful=3),
]


def test_groups_with_counts_and_examples_then_the_most_disliked_entries_with_their_share() -> None:
    text = unanswered_text(GROUPS, most_disliked(ENTRIES), get_locale("en").t, shown=2)
    assert text.splitlines() == [
        "Not covered in the last 30 days: questions 11, groups 3",
        "• 7× “is there parking?” (2 ways of asking)",
        "• 3× “do you have wifi”",
        "… more groups: 1 (questions: 1)",
        "",
        "Most 👎:",
        "• Bruising: 👎 4 of 10 (40%)",
        "• Swelling: 👎 3 of 4 (75%)",
    ]


def test_nothing_to_report_says_so_in_the_staff_language() -> None:
    text = unanswered_text([], [], get_locale("ru").t)
    assert text.splitlines() == ["За последние 30 дн. вопросов без ответа нет.", "", "👎 пока нет."]


def test_an_example_whose_first_word_is_over_the_width_is_cut_not_dropped() -> None:
    # Found by probing: textwrap.shorten drops a first word longer than the line whole, so a
    # question without spaces (a pasted link, Chinese) was shown to the staff as "…" alone.
    question = "请问软提升手术后多久可以洗脸" * 10
    text = unanswered_text([_group((question, 2))], [], get_locale("en").t)
    line = text.splitlines()[1]
    assert line.startswith("• 2× “请问软提升手术后多久可以洗脸请问") and line.endswith("…”")


def test_stats_text_shows_each_unanswered_question_on_one_short_line() -> None:
    # Found by probing: /stats text listed the stored texts whole (up to 500 characters), and a
    # question typed over several lines broke the report into paragraphs of its own.
    none = dict.fromkeys(KINDS, 0)
    asked = "what about mars rovers\n\nand jupiter " + "moons " * 80
    report = Report(none, none, [], [], [(asked, 2)])
    kb = load_faq(Path(__file__).parent / "fixtures" / "telegram.yaml")
    text = stats_reply(report, kb, get_locale("en")).text
    section = text.split("\n\n")[-1].splitlines()
    assert section[0] == get_locale("en").t("stats_unanswered")
    (line,) = section[1:]
    assert line.startswith("• what about mars rovers and jupiter moons") and line.endswith(": 2")
    assert len(line) <= 100


def test_one_question_in_one_group_reads_without_a_plural_slip() -> None:
    # "1 questions in 1 groups", "… and 1 more groups (1 questions)" (found by probing).
    one = [GROUPS[0], GROUPS[-1]]
    text = unanswered_text(one, [], get_locale("en").t, shown=1)
    assert not re.search(r"\b1 (more )?groups\b|\b1 questions\b", text), text
