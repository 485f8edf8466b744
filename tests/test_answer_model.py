"""The answer model: shipped for each shipped FAQ, a second opinion, never used when stale."""

from __future__ import annotations

import importlib.util
import logging
import math
import re
from pathlib import Path

import numpy as np
import pytest

from bot.answers.answer_model import NOT_COVERED, AnswerModel, load_answer_model, model_path
from bot.answers.assistant import Assistant
from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import SHIPPED
from bot.answers.loader import load_faq, load_shipped
from bot.answers.matcher import Decision, Kind, Tuning

FIXTURES = Path(__file__).parent / "fixtures"
QUESTION = "how long does the procedure take"
# Nothing is answered by the matcher's own rules: each question gets a "did you mean".
ASKS_BACK = Tuning(answer_at=1.01, lone_candidate=False)


@pytest.fixture
def faq(tmp_path: Path) -> Path:
    """A copy of the small test FAQ, in a folder of its own."""
    path = tmp_path / "minimal.yaml"
    path.write_text((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def leaning(kb: KnowledgeBase, towards: str, logit: float = 5.0) -> None:
    """Save a model for `kb` that gives `towards` most of the probability whatever is asked."""
    labels = (*(e.id for e in kb.entries), NOT_COVERED)
    bias = [logit if label == towards else 0.0 for label in labels]
    model = AnswerModel.build(labels, ["how"], np.zeros((1, len(labels))), bias)
    model.save(model_path(kb.source), kb)


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_faq_has_its_model(name: str) -> None:
    """Retrain (make model) when the entries or declines or their phrasings change: this fails
    until then."""
    kb = load_shipped(name)
    model = load_answer_model(kb)
    assert model is not None
    assert set(model.labels) == {e.id for e in kb.entries} | {NOT_COVERED}
    shares = model.shares(["softlift"])
    assert shares.shape == (len(model.labels),) and abs(float(shares.sum()) - 1) < 1e-5


def test_a_feature_counts_once_as_in_training() -> None:
    model = AnswerModel.build(("a", "b"), ["how"], [[1.0, 0.0]], [0.0, 0.0])
    assert model.shares(["how", "how"]).tolist() == model.shares(["how"]).tolist()
    assert model.share(model.shares(["how"]), "a") > model.share(model.shares([]), "a")


@pytest.mark.parametrize(
    ("towards", "kind", "entry"),
    [
        # Sure of the matcher's second suggestion: that one is answered ("should i put some
        # cream on to bring down the puffiness" is the remedies entry, not the swelling one).
        ("bruising", Kind.ANSWER, "bruising"),
        (NOT_COVERED, Kind.CLARIFY, None),  # nothing offered it is sure of: asked back
    ],
)
def test_an_answer_the_model_all_but_rules_out_is_asked_back_or_its_reading_answered(
    faq: Path, towards: str, kind: Kind, entry: str | None
) -> None:
    kb = load_faq(faq)
    decision = Assistant(kb).matcher.decide(QUESTION)
    assert [c.entry_id for c in decision.candidates] == ["duration", "bruising"]
    assert decision.entry_id == "duration"
    leaning(kb, towards)
    decision = Assistant(load_faq(faq)).matcher.decide(QUESTION)
    assert (decision.kind, decision.entry_id) == (kind, entry)
    assert "duration" in [c.entry_id for c in decision.candidates]


@pytest.mark.parametrize(
    ("towards", "kind", "entry"),
    [
        ("duration", Kind.ANSWER, "duration"),  # sure of a candidate offered: answered
        (NOT_COVERED, Kind.CLARIFY, None),  # sure it is not covered: still only offered
    ],
)
def test_a_did_you_mean_the_model_is_sure_of_is_answered(
    faq: Path, towards: str, kind: Kind, entry: str | None
) -> None:
    kb = load_faq(faq)
    assert Assistant(kb, tuning=ASKS_BACK).matcher.decide(QUESTION).kind is Kind.CLARIFY
    leaning(kb, towards)
    decision = Assistant(load_faq(faq), tuning=ASKS_BACK).matcher.decide(QUESTION)
    assert (decision.kind, decision.entry_id) == (kind, entry)


@pytest.mark.parametrize(("uncovered", "kind"), [(0.75, Kind.CLARIFY), (0.6, Kind.ANSWER)])
def test_an_answer_the_model_reads_as_a_question_left_open_is_asked_back(
    faq: Path, uncovered: float, kind: Kind
) -> None:
    kb = load_faq(faq)
    # "Not covered" gets `uncovered`, each entry an equal share of the rest (12.5% or 20%):
    # above the veto, so only the doubt asks back.
    others = len(kb.entries)
    leaning(kb, NOT_COVERED, logit=math.log(uncovered * others / (1 - uncovered)))
    decision = Assistant(load_faq(faq)).matcher.decide(QUESTION)
    assert decision.kind is kind
    assert "duration" in [c.entry_id for c in decision.candidates]


@pytest.mark.parametrize(
    ("towards", "kind", "entry"),
    [
        ("duration", Kind.ANSWER, "duration"),  # the matcher's first suggestion: agreed
        ("bruising", Kind.CLARIFY, None),  # its second: the model alone must be surer
    ],
)
def test_a_did_you_mean_the_model_agrees_with_needs_less_certainty(
    faq: Path, towards: str, kind: Kind, entry: str | None
) -> None:
    question = "how long do the bruises take"
    kb = load_faq(faq)
    offered = Assistant(kb, tuning=ASKS_BACK).matcher.decide(question).candidates
    assert [c.entry_id for c in offered] == ["duration", "bruising"]
    leaning(kb, towards, logit=math.log(0.75 * len(kb.entries) / 0.25))  # 75%
    decision = Assistant(load_faq(faq), tuning=ASKS_BACK).matcher.decide(question)
    assert (decision.kind, decision.entry_id) == (kind, entry)


def test_in_a_long_story_a_did_you_mean_the_model_agrees_with_needs_less_certainty(
    faq: Path,
) -> None:
    # A story dilutes the words the matcher scores; the model learnt from stories.
    story = (
        "i am a busy mum of three with a job, a dog and a long commute every single day of "
        "the week, so please tell me how long does the procedure take"
    )
    kb = load_faq(faq)
    leaning(kb, "duration", logit=math.log(0.65 * len(kb.entries) / 0.35))  # 65%
    matcher = Assistant(load_faq(faq), tuning=ASKS_BACK).matcher
    assert matcher.decide(QUESTION).kind is Kind.CLARIFY
    assert (matcher.decide(story).kind, matcher.decide(story).entry_id) == (Kind.ANSWER, "duration")


@pytest.mark.parametrize(("share", "kind"), [(0.85, Kind.ANSWER), (0.75, Kind.CLARIFY)])
def test_an_entry_not_offered_is_answered_only_when_the_model_is_sure(
    faq: Path, share: float, kind: Kind
) -> None:
    # A story's last question can rank other entries ("I get a facial massage at the spa every
    # week ... How long do I need to skip it after soft lifting?" offered solarium and sauna).
    # 80% since the sixteenth round (95% before): probe16-27, each left out of training in
    # turn, gained English 12 and Russian 6 right answers for 1 and 2 wrong.
    kb = load_faq(faq)
    offered = Assistant(kb, tuning=ASKS_BACK).matcher.decide(QUESTION).candidates
    assert [c.entry_id for c in offered] == ["duration"]
    leaning(kb, "bruising", logit=math.log(share * len(kb.entries) / (1 - share)))
    decision = Assistant(load_faq(faq), tuning=ASKS_BACK).matcher.decide(QUESTION)
    assert decision.kind is kind
    assert decision.entry_id == ("bruising" if kind is Kind.ANSWER else None)


def _offered_duration_then_decided(faq: Path, question: str, share: float) -> Decision:
    """The decision once a model gives `duration` `share`; without a model it was only offered."""
    kb = load_faq(faq)
    offered = Assistant(kb).matcher.decide(question)
    assert (offered.kind, [c.entry_id for c in offered.candidates]) == (Kind.CLARIFY, ["duration"])
    leaning(kb, "duration", logit=math.log(share * len(kb.entries) / (1 - share)))
    return Assistant(load_faq(faq)).matcher.decide(question)


@pytest.mark.parametrize(
    ("share", "kind"), [(0.97, Kind.ANSWER), (0.9, Kind.CLARIFY), (0.03, Kind.CLARIFY)]
)
def test_an_entry_a_decline_narrowly_outranked_is_answered_only_when_the_model_is_sure(
    faq: Path, share: float, kind: Kind
) -> None:
    # "how many hours will i be in the chair? need to arrange a babysitter": the words are
    # shared between a subject the article leaves open (the price decline here) and the entry.
    # 95% since the seventeenth round (never before): probe16-31, each left out of training in
    # turn, gained English 11 and Russian 3 right answers for 2 and 0 wrong.
    decision = _offered_duration_then_decided(faq, "cost procedure", share)
    assert (decision.kind, decision.entry_id) == (kind, "duration" if kind is Kind.ANSWER else None)


@pytest.mark.parametrize(
    ("life", "share", "kind"),
    [("true", 0.93, Kind.ANSWER), ("true", 0.85, Kind.CLARIFY), ("false", 0.99, Kind.CLARIFY)],
)
def test_an_entry_asked_beside_a_subject_of_the_patients_life_is_answered_when_the_model_is_sure(
    faq: Path, life: str, share: float, kind: Kind
) -> None:
    # "my gym membership has a steam room i use daily, how long do i have to give that up": the
    # gym is the patient's life, not the subject asked; "the price for lips" stays a "did you
    # mean" however sure the model is (a decline not marked `life`). 90% since the seventeenth
    # round: probe16-31, each left out of training in turn, gained English 6 and Russian 4
    # right answers, none wrong.
    text = faq.read_text(encoding="utf-8").replace(
        "    keywords: [price]\n",
        f"    keywords: [price]\n  - id: gym\n    life: {life}\n    questions:\n"
        "      - can i go to the gym\n    keywords: [gym]\n",
    )
    faq.write_text(text, encoding="utf-8")
    decision = _offered_duration_then_decided(faq, "how many minutes at the gym", share)
    assert (decision.kind, decision.entry_id) == (kind, "duration" if kind is Kind.ANSWER else None)


@pytest.mark.parametrize(
    ("question", "share", "kind"),
    [
        (QUESTION, 0.93, Kind.ANSWER),
        (QUESTION, 0.85, Kind.FALLBACK),
        ("cost procedure", 0.99, Kind.FALLBACK),  # an uncovered subject: the matcher's verdict
    ],
)
def test_a_fall_back_for_want_of_a_close_entry_is_answered_when_the_model_is_sure_of_the_first(
    faq: Path, question: str, share: float, kind: Kind
) -> None:
    # "what does soft lifting target", "у вас в прайсе «3д моделирование лица» — это тот же
    # софтлифтинг?": no entry scored close enough to offer. 90% since the nineteenth round:
    # probe16-37, each left out of training in turn, gained English 1 and Russian 2 right
    # answers, none wrong.
    weak = Tuning(answer_at=1.01, lone_candidate=False, clarify_at=1.01)
    kb = load_faq(faq)
    before = Assistant(kb, tuning=weak).matcher.decide(question)
    assert before.kind is Kind.FALLBACK and before.candidates[0].entry_id == "duration"
    leaning(kb, "duration", logit=math.log(share * len(kb.entries) / (1 - share)))
    decision = Assistant(load_faq(faq), tuning=weak).matcher.decide(question)
    assert (decision.kind, decision.entry_id) == (kind, "duration" if kind is Kind.ANSWER else None)


def test_a_model_only_a_little_sure_leaves_the_did_you_mean(faq: Path) -> None:
    kb = load_faq(faq)
    leaning(kb, "duration", logit=1.0)  # about 58%: below the bar
    decision = Assistant(load_faq(faq), tuning=ASKS_BACK).matcher.decide(QUESTION)
    assert decision.kind is Kind.CLARIFY


def test_a_model_trained_for_other_entries_is_not_used(
    faq: Path, caplog: pytest.LogCaptureFixture
) -> None:
    leaning(load_faq(faq), "bruising")
    text = faq.read_text(encoding="utf-8")
    faq.write_text(text.replace("  - id: price\n", "  - id: cost\n"), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        kb = load_faq(faq)
        assistant = Assistant(kb)
    assert assistant.matcher.model is None
    assert "trained for other entries or declines" in caplog.text
    assert assistant.matcher.decide(QUESTION).entry_id == "duration"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # A phrasing moved to another entry: the model learnt it as the old entry's.
        ("      - how many minutes is the appointment\n", ""),
        ("      - will i get bruises\n", "      - will i get bruises\n      - how long to fade\n"),
        ("keywords: [minutes]", "keywords: [minutes, hour]"),
        ("title: Bruising", "title: Bruises"),
        (
            "      - how much does it cost\n",
            "      - how much does it cost\n      - any discount\n",
        ),
    ],
    ids=["phrasing-removed", "phrasing-added", "keyword", "title", "decline-phrasing"],
)
def test_a_model_trained_for_other_phrasings_is_not_used(
    faq: Path, old: str, new: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by probing: the fingerprint named only the ids, so after a doctor moved a phrasing
    # to another entry faq check (whose self-test has no model) said OK, /reload said "FAQ
    # reloaded", and the bot answered the phrasing with its old entry (32 of 40 moves tried
    # on the shipped FAQ): the model had learnt it there.
    leaning(load_faq(faq), "bruising")
    text = faq.read_text(encoding="utf-8")
    assert old in text
    faq.write_text(text.replace(old, new), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assistant = Assistant(load_faq(faq))
    assert assistant.matcher.model is None
    assert "trained for other" in caplog.text
    assert "retrain it" in caplog.text


def test_a_model_stays_in_use_when_only_answers_change(faq: Path) -> None:
    leaning(load_faq(faq), "bruising")
    text = faq.read_text(encoding="utf-8")
    faq.write_text(text.replace("It takes no more than an hour.", "About an hour."))
    assert Assistant(load_faq(faq)).matcher.model is not None


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_an_unreadable_model_is_left_out_with_a_warning(
    faq: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    model_path(faq).write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assistant = Assistant(load_faq(faq))
    assert assistant.matcher.model is None
    assert "cannot read it" in caplog.text
    assert assistant.matcher.decide(QUESTION).entry_id == "duration"


def test_every_blind_set_written_after_the_first_sealed_one_is_sealed() -> None:
    """A blind set the model's training reads measures nothing: each new one is sealed."""
    spec = importlib.util.spec_from_file_location(
        "score_heldout", Path(__file__).parent.parent / "benchmarks" / "score_heldout.py"
    )
    assert spec is not None and spec.loader is not None
    heldout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(heldout)
    number = re.compile(r"heldout_blind(\d+)_")
    first = min(int(m.group(1)) for name in heldout.SEALED if (m := number.match(name)))
    blind = [name for name in heldout.SETS if (m := number.match(name)) and int(m.group(1)) > first]
    assert blind and set(blind) <= set(heldout.SEALED)
