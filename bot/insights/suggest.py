"""FAQ suggestions from grouped unanswered questions: a YAML snippet for the clinic to review."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import utils

from bot.answers.assistant import Assistant
from bot.answers.knowledge import CLINIC_SOURCE
from bot.answers.languages import faq_words
from bot.answers.loader import UNFILLED
from bot.insights.grouping import QuestionGroup
from bot.locale import on_one_line

MIN_QUESTIONS = 2  # a question asked once is left out of the snippet (counted in its header)
MAX_SCORED = 10  # a group's commonest phrasings the matcher reads to place it
MAX_PHRASINGS = 8  # phrasings offered per group: one per distinct reading, commonest first
_NOT_PHRASING = re.compile(r"[^\w\s'-]+")


class Action(StrEnum):
    """What a group's suggestion asks the clinic to do."""

    ADD = "add"  # add its phrasings to an existing entry or decline
    COVERED = "covered"  # every phrasing is already in the FAQ: nothing to paste
    NEW_DECLINE = "new_decline"  # a subject the FAQ does not have: decline it, reviewed
    NEW_ENTRY = "new_entry"  # a subject the FAQ does not have, in treatment words: answer it


@dataclass(frozen=True)
class Suggestion:
    """Where one group of unanswered questions belongs, and what to paste there."""

    group: QuestionGroup
    action: Action
    target: str | None  # the existing entry or decline (ADD, COVERED), else the nearest one
    score: float  # the matcher's confidence in `target`, 0-100
    phrasings: tuple[str, ...]  # the group's phrasings the FAQ does not have yet, FAQ style


def suggest(
    groups: Iterable[QuestionGroup], assistant: Assistant, min_questions: int = MIN_QUESTIONS
) -> tuple[Suggestion, ...]:
    """A suggestion per group of at least `min_questions` questions, in the groups' order.

    A group goes to the entry or decline the matcher ranks first for its phrasings (the
    average over its commonest phrasings, by how often each was asked) when that scores at
    least the matcher's "did you mean" level. Otherwise it becomes a new entry when the nearest
    label is an entry at half that level or more (patients ask about the treatment in words
    the FAQ lacks), else a new decline (the clinic's business, another procedure, small talk).
    Groups whose questions have no word the matcher reads are left out.
    """
    matcher = assistant.matcher
    known = {_key(q) for e in assistant.kb.entries for q in e.questions}
    known |= {_key(q) for d in assistant.kb.declines for q in d.questions}
    synonyms = {
        w for group in assistant.locale.synonyms for phrase in group for w in phrase.split()
    }
    vocabulary = frozenset([*assistant.locale.common_words, *faq_words(assistant.kb), *synonyms])
    clarify_at = matcher.tuning.clarify_at
    out: list[Suggestion] = []
    for group in groups:
        if group.language != assistant.kb.language:
            raise ValueError(
                f"a group in {group.language!r} given to the {assistant.kb.language!r} FAQ"
            )
        if group.count < min_questions:
            continue
        phrasings = _phrasings(group, assistant, known, vocabulary)
        if phrasings is None:
            continue
        target, score = _nearest(group, assistant)
        if target is not None and score >= clarify_at:
            action = Action.ADD if phrasings else Action.COVERED
        elif target is not None and target in assistant.kb.by_id and score >= clarify_at / 2:
            action = Action.NEW_ENTRY
        else:
            action = Action.NEW_DECLINE
        out.append(Suggestion(group, action, target, round(score * 100, 1), phrasings))
    return tuple(out)


def suggest_yaml(
    groups: Sequence[QuestionGroup], assistant: Assistant, min_questions: int = MIN_QUESTIONS
) -> str:
    """The reviewable YAML snippet for one FAQ file (groups in its language only)."""
    suggestions = suggest(groups, assistant, min_questions)
    kb = assistant.kb
    lines = _header(groups, suggestions, assistant, min_questions)
    additions: dict[str, list[Suggestion]] = defaultdict(list)
    for s in suggestions:
        if s.action is Action.ADD and s.target is not None:
            additions[s.target].append(s)
    lines.append("add_questions:" + ("" if additions else " {}"))
    for target, items in additions.items():
        kind = "entry" if target in kb.by_id else "decline"
        lines.append(f"  {target}:  # {kind}")
        for s in items:
            lines.append(f"    # REVIEW: {_about(s)}; score {s.score:g}")
            lines += [f"    - {_quote(p)}" for p in s.phrasings]
    declines = [s for s in suggestions if s.action is Action.NEW_DECLINE]
    entries = [s for s in suggestions if s.action is Action.NEW_ENTRY]
    number = 0
    lines.append("")
    lines.append("new_declines:" + ("" if declines else " []"))
    for s in declines:
        number += 1
        nearest = f"nearest: {s.target} (score {s.score:g})" if s.target else "nearest: none"
        lines.append(f"  # REVIEW: {_about(s)}; {nearest}")
        lines.append(f"  - id: {UNFILLED}-{number}  # name it: a-z, 0-9 and '-'")
        lines.append("    questions:")
        lines += [f"      - {_quote(p)}" for p in s.phrasings]
    lines.append("")
    lines.append("new_entries:" + ("" if entries else " []"))
    topics = ", ".join(t.id for t in kb.topics)
    sources = ", ".join((*kb.sources, CLINIC_SOURCE))
    for s in entries:
        number += 1
        lines.append(f"  # REVIEW: {_about(s)}; nearest entry: {s.target} (score {s.score:g})")
        lines.append(f"  - id: {UNFILLED}-{number}  # name it: a-z, 0-9 and '-'")
        lines.append(f"    topic: {UNFILLED}  # one of: {topics}")
        lines.append(f"    title: {UNFILLED}  # at most 40 characters: it is a button label")
        lines.append("    questions:")
        lines += [f"      - {_quote(p)}" for p in s.phrasings]
        lines.append(f"    answer: {UNFILLED}  # plain text, at most 1,000 characters")
        lines.append(f"    source: {UNFILLED}  # one or more of: {sources}")
    covered = [s for s in suggestions if s.action is Action.COVERED]
    if covered:
        lines.append("")
        lines.append("# Asked, and the FAQ has these phrasings already: nothing to paste.")
        lines.append('# (A decline\'s questions get the "not covered" reply on purpose.)')
        lines += [f"#   {s.target}: {_about(s)}" for s in covered]
    return "\n".join(lines) + "\n"


def _header(
    groups: Sequence[QuestionGroup],
    suggestions: Sequence[Suggestion],
    assistant: Assistant,
    min_questions: int,
) -> list[str]:
    asked = sum(g.count for g in groups)
    shown = sum(s.group.count for s in suggestions)
    kb = assistant.kb
    t = assistant.matcher.tuning
    return [
        f"# Suggestions for {kb.source} ({kb.language}) from {asked:,} unanswered questions in",
        f"# {len(groups):,} groups; {len(suggestions):,} groups of at least {min_questions} "
        f"questions ({shown:,} questions) are below.",
        "# Written by `softlift-bot faq suggest`: the FAQ file itself has not been changed.",
        "# Review every item marked REVIEW before you copy it into the FAQ file:",
        "#   add_questions: phrasings for entries and declines the FAQ already has. Keep those",
        "#     that ask what the entry answers and add them under its `questions:`.",
        "#   new_declines: subjects the FAQ does not cover. Pasted under `declines:`, the bot",
        '#     gives them its honest "not covered" reply with your contact details.',
        "#   new_entries: subjects patients ask in the words of the treatment. Write the title",
        "#     and the answer, pick the topic and the source (an article section, or clinic for",
        "#     your own facts), and paste the entry under `entries:`.",
        f"# Every {UNFILLED} must be replaced: `softlift-bot faq check` refuses an id, topic,",
        f"# title, answer or source that still says {UNFILLED}, so nothing unreviewed goes live.",
        "# A new id must go into every language's FAQ file (faq check says where it is missing).",
        f"# Scores are the matcher's, 0-100: it answers from {t.answer_at * 100:g} and asks "
        f'"did you mean" from {t.clarify_at * 100:g}.',
        "",
    ]


def _nearest(group: QuestionGroup, assistant: Assistant) -> tuple[str | None, float]:
    """The label (entry or decline) ranked first for the group, and its average score 0-1."""
    scored = group.phrasings[:MAX_SCORED]
    weight = sum(p.count for p in scored)
    totals: dict[str, float] = defaultdict(float)
    for phrasing in scored:
        for label, score in assistant.matcher.rank(phrasing.read_as):
            totals[label] += score * phrasing.count
    if not totals:
        return None, 0.0
    label = min(totals, key=lambda name: (-totals[name], name))
    return label, totals[label] / weight


def _phrasings(
    group: QuestionGroup, assistant: Assistant, known: set[str], vocabulary: frozenset[str]
) -> tuple[str, ...] | None:
    """New FAQ-style phrasings, one per distinct reading; None when no phrasing has a word.

    Only the phrasings with the fewest words unknown to the language and the FAQ are offered:
    the matcher fixes typos towards the FAQ's own words, so a misspelt copy would only teach it
    the typo.
    """
    analyzer = assistant.matcher.analyzer
    readable = [(p, frozenset(analyzer.tokens(p.read_as))) for p in group.phrasings]
    readable = [(p, tokens) for p, tokens in readable if tokens]
    if not readable:
        return None
    unknown = [_unknown_words(p.read_as, assistant, vocabulary) for p, _ in readable]
    fewest = min(unknown)
    seen: set[frozenset[str]] = set()
    out: list[str] = []
    for (phrasing, tokens), misspelt in zip(readable, unknown, strict=True):
        if misspelt > fewest:
            continue
        text = _faq_style(phrasing.read_as)
        if tokens not in seen and _key(text) not in known:
            out.append(text)
        seen.add(tokens)
        if len(out) == MAX_PHRASINGS:
            break
    return tuple(out)


def _unknown_words(text: str, assistant: Assistant, vocabulary: frozenset[str]) -> int:
    """How many of a text's words are neither the language's nor the FAQ's (typos, mostly)."""
    words = utils.default_process(assistant.locale.fold(text)).split()
    return sum(1 for w in words if w not in vocabulary and not w.isdigit())


def _faq_style(text: str) -> str:
    """A question as the FAQ writes its phrasings: lower case, no punctuation or emoji."""
    return " ".join(_NOT_PHRASING.sub(" ", text.lower()).replace("_", " ").split())


def _key(question: str) -> str:
    """The form the loader compares phrasings in (one phrasing may not repeat across entries)."""
    return " ".join(question.lower().split())


def _about(s: Suggestion) -> str:
    """How many questions a suggestion stands for, with an example (one line)."""
    # Without direction controls: an override would reverse the rest of the comment line.
    example = on_one_line(s.group.example)
    return f"{s.group.count} questions, e.g. {_quote(example)}"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)
