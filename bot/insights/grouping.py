"""Unanswered questions grouped by what they ask, read the way the matcher reads them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils

from bot.answers.assistant import Assistant
from bot.answers.languages import Languages

# Two questions are one when the token-set similarity of their analysed forms is at least this
# (0-100): "is there parking" and "where can i park" read "park" and "park where" (100).
SIMILAR_AT = 80
# Words that a fifth of the FAQ's entries and declines use ("can", "soft lifting", "filler",
# "how", "after") tell one question from another no better than "the" does: left out of the
# form that is compared, unless nothing else is left.
FRAME_SHARE = 0.2
# Rows of the ratio matrix scored at once: 1,024 x 10,000 one-byte scores is 10 MB.
BLOCK_ROWS = 1024


@dataclass(frozen=True)
class Phrasing:
    """One way a question was written, and how often."""

    text: str  # the commonest spelling, as patients typed it (of equals, the fewest capitals)
    count: int
    read_as: str  # as the language's assistant reads it (Russian in Latin letters: Cyrillic)


@dataclass(frozen=True)
class QuestionGroup:
    """Questions that ask the same thing, in one language."""

    language: str
    phrasings: tuple[Phrasing, ...]  # distinct phrasings, commonest first

    @property
    def count(self) -> int:
        """How many questions the group holds."""
        return sum(p.count for p in self.phrasings)

    @property
    def example(self) -> str:
        """The commonest spelling of the commonest phrasing (of equals, the fewest capitals)."""
        return self.phrasings[0].text


def group_questions(
    texts: Iterable[str], languages: Languages, similar_at: float = SIMILAR_AT
) -> tuple[QuestionGroup, ...]:
    """Group texts by similarity, each in the language it is written in; largest group first."""
    by_language: dict[str, list[str]] = defaultdict(list)
    read: dict[str, str] = {}
    for text in texts:
        detection = languages.detect(text)
        by_language[detection.language].append(text)
        read[text] = detection.text
    groups: list[QuestionGroup] = []
    for language, own in by_language.items():
        groups += group_texts(own, languages.assistant(language), similar_at, read.get)
    return _ordered(groups)


def group_texts(
    texts: Iterable[str],
    assistant: Assistant,
    similar_at: float = SIMILAR_AT,
    read_as: Callable[[str], str | None] | None = None,
) -> tuple[QuestionGroup, ...]:
    """Group texts of one language by similarity; largest group first.

    Each text is read by the assistant's analyzer (typos fixed, stems, synonyms, no stop words)
    and its frame words are dropped: texts with the same words left are one at once, and the
    distinct forms are compared with rapidfuzz's token-set ratio and clustered around leaders.
    `read_as` gives a text as the assistant reads it (from language detection), if it differs.
    """
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    reading: dict[str, str] = {}
    for text in texts:
        key = " ".join(utils.default_process(text).split())
        if not key:
            continue  # no letters or digits ("???", an emoji): nothing to group by
        spellings[key][text.strip()] += 1
        reading.setdefault(key, (read_as(text) if read_as else None) or text)
    frame = frame_words(assistant)
    analyzer = assistant.matcher.analyzer
    keys_by_form: dict[str, list[str]] = defaultdict(list)
    for key, text in reading.items():
        tokens = set(analyzer.tokens(text))
        content = tokens - frame or tokens
        # A text with no matchable word ("where is it") is grouped only with its own spelling.
        form = " ".join(sorted(content)) if content else "\0" + key
        keys_by_form[form].append(key)
    weight = {form: sum(spellings[k].total() for k in keys) for form, keys in keys_by_form.items()}
    leaders = _leaders(sorted(f for f in weight if not f.startswith("\0")), weight, similar_at)
    members: dict[str, list[str]] = defaultdict(list)
    for form in sorted(weight):
        members[leaders.get(form, form)] += keys_by_form[form]
    language = assistant.kb.language
    groups = [
        QuestionGroup(language, _phrasings(keys, spellings, reading)) for keys in members.values()
    ]
    return _ordered(groups)


def frame_words(assistant: Assistant, share: float = FRAME_SHARE) -> frozenset[str]:
    """The analysed words that at least `share` of the FAQ's entries and declines use."""
    kb = assistant.kb
    labelled = [(*e.questions, *e.keywords, e.title) for e in kb.entries]
    labelled += [(*d.questions, *d.keywords) for d in kb.declines]
    users: Counter[str] = Counter()
    for texts in labelled:
        users.update({t for text in texts for t in assistant.matcher.analyzer.tokens(text)})
    return frozenset(t for t, n in users.items() if n >= share * len(labelled))


def _leaders(forms: Sequence[str], weight: Mapping[str, int], similar_at: float) -> dict[str, str]:
    """Each form's group leader: the most central form similar enough to it.

    Leader clustering, not connected components: a form joins a leader only when it is close to
    that leader itself, so a chain of small steps cannot join two different questions. Leaders
    are taken in order of the questions they are close to (their own and their neighbours'),
    so "park" leads "car park", "free park" and "park where" rather than one of them.
    """
    neighbours = similar_pairs(forms, similar_at)
    reach = [
        weight[f] + sum(weight[forms[j]] for j in near)
        for f, near in zip(forms, neighbours, strict=True)
    ]
    leader: dict[str, str] = {}
    for index in sorted(range(len(forms)), key=lambda i: (-reach[i], -weight[forms[i]], forms[i])):
        form = forms[index]
        if form in leader:
            continue
        leader[form] = form
        for other in neighbours[index]:
            leader.setdefault(forms[other], form)
    return leader


def similar_pairs(forms: Sequence[str], similar_at: float) -> list[set[int]]:
    """For each form (sorted distinct words), the others whose token-set ratio reaches similar_at.

    The same pairs as the whole token-set ratio matrix, in a fraction of its time. Of two forms
    that share no word the token-set ratio is the plain ratio of the two (sorted) strings, which
    rapidfuzz scores in SIMD batches: one `process.cdist` over all pairs, block by block, finds
    those; and the plain ratio never exceeds the token-set ratio, so no pair is lost. Only
    forms that share a word then need the slower token-set ratio, each against those alone.
    """
    neighbours: list[set[int]] = [set() for _ in forms]
    for start in range(0, len(forms), BLOCK_ROWS):
        scores = process.cdist(
            forms[start : start + BLOCK_ROWS],
            forms,
            scorer=fuzz.ratio,
            score_cutoff=similar_at,
            dtype=np.uint8,
            workers=-1,
        )
        rows, cols = np.nonzero(scores)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            if start + row != col:
                neighbours[start + row].add(col)
    postings: dict[str, list[int]] = defaultdict(list)
    for index, form in enumerate(forms):
        for word in form.split():
            postings[word].append(index)
    for index, form in enumerate(forms):
        later = {j for word in form.split() for j in postings[word] if j > index}
        candidates = sorted(later - neighbours[index])
        if not candidates:
            continue
        scores = process.cdist(
            [form],
            [forms[j] for j in candidates],
            scorer=fuzz.token_set_ratio,
            score_cutoff=similar_at,
            dtype=np.uint8,
        )[0]
        for k in np.nonzero(scores)[0].tolist():
            neighbours[index].add(candidates[k])
            neighbours[candidates[k]].add(index)
    return neighbours


def _phrasings(
    keys: Iterable[str], spellings: dict[str, Counter[str]], reading: dict[str, str]
) -> tuple[Phrasing, ...]:
    """A group's distinct phrasings, commonest first, each with its commonest spelling."""
    found = [
        Phrasing(
            min(spellings[k], key=lambda s: (-spellings[k][s], _capitals(s), s)),
            spellings[k].total(),
            reading[k],
        )
        for k in keys
    ]
    return tuple(sorted(found, key=lambda p: (-p.count, _capitals(p.text), p.text)))


def _capitals(text: str) -> int:
    """How many capital letters a text has: of two as common, the one with fewer reads better."""
    # Capitals sort before lower case, so an alphabetical tie-break alone shows "HOW MUCH?".
    return sum(1 for c in text if c.isupper())


def _ordered(groups: Iterable[QuestionGroup]) -> tuple[QuestionGroup, ...]:
    """Largest group first, then by example, so that equal input gives equal output."""
    return tuple(sorted(groups, key=lambda g: (-g.count, g.language, g.example)))
