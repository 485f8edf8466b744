"""Unanswered questions grouped by what they ask, through the real FAQ files' analyzers."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rapidfuzz import fuzz, process, utils

from bot.answers.assistant import Assistant
from bot.answers.languages import Languages, load_languages
from bot.insights.grouping import (
    Phrasing,
    QuestionGroup,
    frame_words,
    group_questions,
    group_texts,
    similar_pairs,
)

# Each row: phrasings of one question that must end up in one group, and what makes them differ.
TOGETHER = [
    pytest.param(
        ["how long does the swelling last", "how lnog does the swelling last", "how long does the swellign last"],
        id="typos",
    ),
    pytest.param(
        ["can i drink wine after", "can i drink alcohol after the procedure", "alcohol after soft lifting"],
        id="synonyms",
    ),
    # (not "come with me": a synonym phrase folds only in its own order)
    pytest.param(["can my husband stay in the waiting room", "in the waiting room can my husband stay?"], id="word-order"),
    pytest.param(
        ["is there parking", "where can i park", "Where can I park my car?"], id="fewer-words"
    ),
    pytest.param(["Do you have WiFi?", "do you have wifi", "is there wifi"], id="case-punctuation"),
    pytest.param(["do you do botox", "can i get botox too", "botox?"], id="declined-subject"),
    pytest.param(
        ["можно ли пить вино после", "можно ли пить вино посе", "mozhno li pit vino"],
        id="ru-typo-translit",
    ),
    pytest.param(["skolko stoit", "сколько стоит", "сколько стоит?"], id="ru-translit"),
    pytest.param(
        ["есть ли парковка", "парковка есть?", "есть ли парковка у клиники"], id="ru-word-order"
    ),
    pytest.param(["можно прийти с собакой", "с собакой можно прийти?"], id="ru-word-order-2"),
]  # fmt: skip
# Different questions that share words, or none: each must stay in a group of its own.
APART = [
    "do you sell gift cards",
    "where is the clinic",
    "clinic opening hours",
    "can i go to the sauna after",
    "can i bring my dog",
    "есть ли подарочные сертификаты",
    "можно ли в сауну после",
]


@pytest.fixture(scope="module")
def languages() -> Languages:
    """Both shipped FAQ files, as the bot loads them."""
    return load_languages()


def _same(a: str, b: str) -> bool:
    """One phrasing: the same words, whatever the case and punctuation."""
    return utils.default_process(a) == utils.default_process(b)


def _group_of(groups: tuple[QuestionGroup, ...], text: str) -> QuestionGroup:
    return next(g for g in groups if any(_same(p.text, text) for p in g.phrasings))


@pytest.mark.parametrize("phrasings", TOGETHER)
def test_phrasings_of_one_question_form_one_group(
    phrasings: list[str], languages: Languages
) -> None:
    groups = group_questions([*phrasings, *APART], languages)
    group = _group_of(groups, phrasings[0])
    assert all(_group_of(groups, text) is group for text in phrasings), groups
    assert group.count == len(phrasings)


def test_different_questions_stay_apart_even_when_they_share_words(
    languages: Languages,
) -> None:
    rows = [row.values[0] for row in TOGETHER]
    groups = group_questions([t for row in rows for t in row] + APART, languages)
    for text in APART:
        assert _group_of(groups, text).count == 1
    assert len(groups) == len(rows) + len(APART)


def test_each_language_is_grouped_on_its_own(languages: Languages) -> None:
    groups = group_questions(["can i drink wine after", "можно ли пить вино после"], languages)
    assert sorted(g.language for g in groups) == ["en", "ru"]


def test_largest_group_first_with_counts_and_the_commonest_spelling(
    languages: Languages,
) -> None:
    texts = (
        ["is there parking?"] * 3
        + ["Is there parking"] * 2
        + ["where can i park"]
        + ["do you sell gift cards"] * 2
        + ["can i bring my dog"]
    )
    groups = group_questions(texts, languages)
    assert [g.count for g in groups] == [6, 2, 1]
    parking = groups[0]
    # "is there parking?" and "Is there parking" are one phrasing, shown as most often typed.
    assert parking.phrasings[0] == Phrasing("is there parking?", 5, "is there parking?")
    assert parking.example == "is there parking?"
    assert parking.phrasings[1].text == "where can i park"
    assert [g.example for g in groups[1:]] == ["do you sell gift cards", "can i bring my dog"]


def test_of_spellings_and_phrasings_asked_as_often_the_example_has_the_fewest_capitals(
    languages: Languages,
) -> None:
    # Found by probing: ties went to the alphabetically first, and capitals sort before
    # lower case, so "IS THERE PARKING?" was shown for a group typed as often in lower case.
    texts = ["IS THERE PARKING?", "is there parking?", "Where Can I Park", "where can i park"]
    (group,) = group_questions(texts, languages)
    assert group.example == "is there parking?"
    assert [p.text for p in group.phrasings] == ["is there parking?", "where can i park"]
    (gift,) = group_questions(["Gift Cards?", "do you sell gift cards"], languages)
    assert gift.example == "do you sell gift cards"


def test_texts_without_letters_are_left_out_and_stop_words_only_group_by_spelling(
    assistant: Assistant,
) -> None:
    groups = group_texts(
        ["???", "🙂", "", "where is it", "Where is it?", "what about it"], assistant
    )
    found = sorted((utils.default_process(g.example), g.count) for g in groups)
    assert found == [("what about it", 1), ("where is it", 2)]


def test_russian_in_latin_letters_is_read_in_cyrillic(languages: Languages) -> None:
    (group,) = group_questions(["skolko stoit"], languages)
    assert group.language == "ru"
    assert group.phrasings[0].read_as == "сколько стоит"


def test_words_most_entries_use_are_not_what_tells_questions_apart(
    assistant: Assistant,
) -> None:
    frame = frame_words(assistant)
    assert {"can", "softlift", "filler", "after"} <= frame
    assert not {"park", "alcohol", "swell", "price"} & frame


def test_similar_pairs_are_exactly_those_of_the_whole_token_set_matrix() -> None:
    rng = random.Random(5)
    words = ["park", "car", "price", "lip", "wine", "alcohol", "swell", "sauna", "gift", "card"]
    words += ["parc", "prise", "wines", "gifts"]  # near spellings: similar without a shared word
    forms = sorted(
        {" ".join(sorted(set(rng.sample(words, rng.randint(1, 3))))) for _ in range(300)}
    )
    full = process.cdist(forms, forms, scorer=fuzz.token_set_ratio, score_cutoff=80)
    expected = [set(np.nonzero(row)[0].tolist()) - {i} for i, row in enumerate(full)]
    assert similar_pairs(forms, 80) == expected
    assert sum(map(len, expected)) > 100  # the check is not vacuous
