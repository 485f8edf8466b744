"""`faq suggest`'s snippet: where each group belongs, valid YAML, and nothing unreviewed goes live."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from bot.answers.assistant import Assistant
from bot.answers.languages import Languages, load_languages
from bot.answers.loader import parse_faq
from bot.answers.selftest import self_test
from bot.faqdoc import FaqError
from bot.insights.grouping import QuestionGroup, group_questions
from bot.insights.suggest import Action, suggest, suggest_yaml

# Groups a patient could ask that the FAQ already answers, in words it does not list.
IN_SCOPE = [
    (["will my face swell up a lot", "how puffy will i be after"], "swelling"),
    (["can i sleep face down the first nights", "is it ok to sleep on my belly"], "sleeping"),
    (["can i go to a hammam after", "is a turkish bath ok after"], "sauna"),
    (["can i fly after the injections", "is flying ok the day after"], "travel"),
    (["do you sell gift cards", "can i buy a gift card"], "discounts"),
    (["можно ли в хамам после процедуры", "когда можно в хамам"], "sauna"),
]
NOT_COVERED = ["do you have wifi", "is there free wifi", "what is the wifi password"]
TREATMENT_WORDS = ["can i get acupuncture after fillers", "is acupuncture ok after soft lifting"]


@pytest.fixture(scope="module")
def languages() -> Languages:
    """Both shipped FAQ files, as the bot loads them."""
    return load_languages()


def _groups(texts: list[str], languages: Languages, times: int = 3) -> list[QuestionGroup]:
    return list(group_questions(texts * times, languages))


def _snippet(texts: list[str], languages: Languages) -> tuple[str, dict[str, Any]]:
    groups = _groups(texts, languages)
    (language,) = {g.language for g in groups}
    text = suggest_yaml(groups, languages.assistant(language))
    return text, yaml.safe_load(text)


@pytest.mark.parametrize(("texts", "target"), IN_SCOPE)
def test_a_clearly_in_scope_group_goes_to_its_existing_entry(
    texts: list[str], target: str, languages: Languages
) -> None:
    groups = _groups(texts, languages)
    assert len(groups) == 1
    assistant = languages.assistant(groups[0].language)
    own = {q for e in assistant.kb.entries for q in e.questions}
    own |= {q for d in assistant.kb.declines for q in d.questions}
    assert not own & set(texts)  # new to the FAQ, so there is something to suggest
    _, snippet = _snippet(texts, languages)
    assert sorted(snippet["add_questions"][target]) == sorted(texts)
    assert snippet["new_declines"] == snippet["new_entries"] == []


def test_a_subject_the_faq_lacks_becomes_a_decline_stub_to_name(languages: Languages) -> None:
    text, snippet = _snippet(NOT_COVERED, languages)
    (stub,) = snippet["new_declines"]
    assert stub["id"].startswith("TODO-")
    assert sorted(stub["questions"]) == sorted(NOT_COVERED)
    assert snippet["add_questions"] == {}
    assert "# REVIEW: 9 questions" in text


def test_a_subject_in_treatment_words_becomes_an_entry_stub(languages: Languages) -> None:
    _, snippet = _snippet(TREATMENT_WORDS, languages)
    (stub,) = snippet["new_entries"]
    assert {k: v for k, v in stub.items() if k != "questions"} == {
        "id": "TODO-1",
        "topic": "TODO",
        "title": "TODO",
        "answer": "TODO",
        "source": "TODO",
    }
    assert sorted(stub["questions"]) == sorted(TREATMENT_WORDS)


def test_phrasings_the_faq_has_are_not_offered_again(languages: Languages) -> None:
    text, snippet = _snippet(["is there parking", "where can i park"], languages)
    assert snippet == {"add_questions": {}, "new_declines": [], "new_entries": []}
    assert "#   location: 6 questions" in text


def test_typos_are_not_offered_when_the_group_has_the_words_spelt_right(
    languages: Languages,
) -> None:
    texts = ["will my face swell up a lot"] * 3 + ["wil my face swel up a lot"]
    groups = list(group_questions(texts, languages))
    (item,) = suggest(groups, languages.assistant("en"))
    assert (item.action, item.target) == (Action.ADD, "swelling")
    assert item.phrasings == ("will my face swell up a lot",)
    # Words no list knows ("wifi") are no typo: only the phrasings with the fewest such words.
    groups = list(group_questions(NOT_COVERED * 2 + ["wifi pasword?"], languages))
    (item,) = suggest(groups, languages.assistant("en"))
    assert sorted(item.phrasings) == sorted(NOT_COVERED)


def test_russian_typed_in_latin_letters_is_offered_in_cyrillic(languages: Languages) -> None:
    _, snippet = _snippet(["mozhno li v hamam posle procedury"], languages)
    assert snippet["add_questions"]["sauna"] == ["можно ли в хамам после процедуры"]


def test_groups_asked_once_are_counted_in_the_header_but_left_out(
    languages: Languages,
) -> None:
    groups = list(group_questions(NOT_COVERED * 2 + ["can i bring my iguana"], languages))
    text = suggest_yaml(groups, languages.assistant("en"))
    assert "from 7 unanswered questions in" in text
    assert "iguana" not in text
    assert len(suggest(groups, languages.assistant("en"), min_questions=1)) == 2


def test_a_group_in_another_language_is_refused(languages: Languages) -> None:
    groups = list(group_questions(["сколько стоит", "сколько стоит"], languages))
    with pytest.raises(ValueError, match="'ru' given to the 'en' FAQ"):
        suggest(groups, languages.assistant("en"))


def _shipped_faq() -> dict[str, Any]:
    text = resources.files("bot.faq").joinpath("softlifting.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _load(data: dict[str, Any]) -> Assistant:
    kb = parse_faq(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "pasted.yaml")
    assert self_test(kb) == []
    return Assistant(kb)


def test_stubs_pasted_unreviewed_are_refused_by_faq_check(languages: Languages) -> None:
    _, snippet = _snippet(TREATMENT_WORDS, languages)
    _, declines = _snippet(NOT_COVERED, languages)
    data = _shipped_faq()
    data["entries"].append(snippet["new_entries"][0])
    data["declines"].append(declines["new_declines"][0])
    with pytest.raises(FaqError) as refused:
        parse_faq(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "pasted.yaml")
    problems = str(refused.value)
    assert "id 'TODO-1' must be" in problems
    assert "unknown topic 'TODO'" in problems
    assert "'title' still says TODO" in problems
    assert "'answer' still says TODO" in problems
    assert "unknown source 'TODO'" in problems
    # Named, placed and sourced, but still without an answer: refused all the same.
    entry = data["entries"][-1]
    entry.update(
        id="acupuncture", topic="procedure", title="Acupuncture after soft lifting", source="clinic"
    )
    data["declines"][-1]["id"] = "wifi"
    with pytest.raises(FaqError, match="'answer' still says TODO"):
        parse_faq(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "pasted.yaml")


def test_the_snippet_once_reviewed_passes_faq_check_and_is_answered(
    languages: Languages,
) -> None:
    _, added = _snippet(IN_SCOPE[0][0], languages)
    _, entries = _snippet(TREATMENT_WORDS, languages)
    _, declines = _snippet(NOT_COVERED, languages)
    data = _shipped_faq()
    for target, questions in added["add_questions"].items():
        entry = next(e for e in data["entries"] if e["id"] == target)
        entry["questions"] += questions
    entry = entries["new_entries"][0]
    entry.update(
        id="acupuncture", topic="procedure", title="Acupuncture after soft lifting", source="clinic"
    )
    entry["answer"] = "Ask the doctor who did your filler before acupuncture on your face."
    decline = declines["new_declines"][0]
    decline["id"] = "wifi"
    data["entries"].append(entry)
    data["declines"].append(decline)
    assistant = _load(data)
    assert assistant.ask("will my face swell up a lot").decision.entry_id == "swelling"
    assert assistant.ask("is acupuncture ok after the procedure").decision.entry_id == "acupuncture"
    assert assistant.ask("what is the wifi password").not_covered


def test_the_review_comments_quote_examples_without_direction_controls(
    languages: Languages,
) -> None:
    # An override in a patient's question reversed the rest of the comment line it is quoted on.
    asked = ["do you have \u202ewifi\u202c \u2066x\u2069\u200f", *NOT_COVERED[1:]]
    text, _ = _snippet(asked, languages)
    assert not any(c in text for c in "\u200f\u202c\u202e\u2066\u2069")
    assert 'e.g. "do you have wifi x"' in text
