"""Normalise a patient's question and rank the FAQ entries for it; pure, no I/O."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

from bot.knowledge import KnowledgeBase, RedFlag
from bot.locale import Locale, get_locale
from bot.safety import find_red_flag

# Score thresholds (cosine similarity, 0-1), tuned on the development question set.
ANSWER_AT = 0.50
CLARIFY_AT = 0.30
MARGIN = 0.06
CLARIFY_SPAN = 0.15
# How much of a label's score comes from its single best phrasing versus all its words together.
BEST_DOC_SHARE = 0.75
# Keywords and titles are short; a real phrasing that matches as well should win over them.
KEYWORD_FACTOR = 0.9
MAX_CANDIDATES = 3
MIN_TYPO_LENGTH = 4
TYPO_CACHE_SIZE = 4096


class Kind(StrEnum):
    """What the bot decided to do with a message."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    URGENT = "urgent"


@dataclass(frozen=True)
class Candidate:
    """An entry and how well it matched, 0-100."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class Decision:
    """The matcher's verdict on one message."""

    kind: Kind
    entry_id: str | None
    score: float
    candidates: tuple[Candidate, ...]
    red_flag: RedFlag | None = None


class Analyzer:
    """Turns text into matchable tokens: typos fixed, stems, synonyms, no stop words."""

    def __init__(self, locale: Locale, synonyms: Iterable[tuple[str, ...]], corpus: Iterable[str]):
        self.locale = locale
        groups = tuple(synonyms)
        raw_words: dict[str, int] = defaultdict(int)
        for text in (*corpus, *(phrase for group in groups for phrase in group)):
            for word in utils.default_process(text).split():
                raw_words[word] += 1
        words_by_stem: dict[str, set[str]] = defaultdict(set)
        for word in raw_words:
            words_by_stem[self._stem(word)].add(word)
        self._exact: dict[str, str] = {}
        self._by_stem: dict[str, str] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for group in groups:
            canonical = "".join(self._stems(group[0]))
            members = {w for phrase in group for w in utils.default_process(phrase).split()}
            for phrase in group:
                stems = tuple(self._stems(phrase))
                if len(stems) > 1:
                    self._phrases[stems[0]].append((stems, canonical))
                    continue
                word = utils.default_process(phrase)
                self._exact[word] = canonical
                # A stem stands for the group only when no other known word shares it
                # ("expecting" must not turn "what to expect" into a pregnancy question).
                if words_by_stem[stems[0]] <= members:
                    self._by_stem[stems[0]] = canonical
        for options in self._phrases.values():
            options.sort(key=lambda item: len(item[0]), reverse=True)
        # Most frequent first, so that a typo equally close to two words takes the commoner one.
        self._vocabulary = sorted(raw_words, key=lambda w: -raw_words[w])
        self._known = frozenset(raw_words)
        self._typos: dict[str, str] = {}

    def _stem(self, word: str) -> str:
        if word in self.locale.unstemmed:
            return word
        for suffix in self.locale.suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
        return word

    def _stems(self, text: str) -> list[str]:
        return [self._stem(w) for w in utils.default_process(text).split()]

    def _correct(self, word: str) -> str:
        """The known word a misspelt one was meant to be, or the word itself."""
        if word in self._known or len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return word
        cached = self._typos.get(word)
        if cached is not None:
            return cached
        limit = 1 if len(word) <= 7 else 2
        found = process.extractOne(word, self._vocabulary, scorer=OSA.distance, score_cutoff=limit)
        fixed = word
        # Typos rarely hit a short word's first letter; requiring it avoids "wine" -> "line".
        if found is not None and (len(word) > 5 or found[0][0] == word[0]):
            fixed = found[0]
        if len(self._typos) < TYPO_CACHE_SIZE:
            self._typos[word] = fixed
        return fixed

    def tokens(self, text: str) -> list[str]:
        """The matchable tokens of a text, in order."""
        raw = [self._correct(w) for w in utils.default_process(text).split()]
        stems = [self._stem(w) for w in raw]
        out: list[str] = []
        i = 0
        while i < len(raw):
            matched = False
            for phrase, canonical in self._phrases.get(stems[i], ()):
                if tuple(stems[i : i + len(phrase)]) == phrase:
                    out.append(canonical)
                    i += len(phrase)
                    matched = True
                    break
            if matched:
                continue
            mapped = self._exact.get(raw[i]) or self._by_stem.get(stems[i])
            if mapped:
                out.append(mapped)
            elif raw[i] not in self.locale.stopwords and len(raw[i]) > 1:
                out.append(stems[i])
            i += 1
        return out


@dataclass(frozen=True)
class _Doc:
    label: str
    norm: float
    factor: float


class Matcher:
    """The FAQ indexed for matching; `decide` is a pure function of the question."""

    def __init__(self, kb: KnowledgeBase, locale: Locale | None = None) -> None:
        self.kb = kb
        self.locale = locale or get_locale(kb.language)
        self._entry_ids = frozenset(e.id for e in kb.entries)
        labelled: list[tuple[str, str, float]] = []
        for entry in kb.entries:
            labelled += [(entry.id, q, 1.0) for q in entry.questions]
            labelled += [(entry.id, q, KEYWORD_FACTOR) for q in (*entry.keywords, entry.title)]
        for decline in kb.declines:
            labelled += [(decline.id, q, 1.0) for q in decline.questions]
            labelled += [(decline.id, q, KEYWORD_FACTOR) for q in decline.keywords]
        self.analyzer = Analyzer(
            self.locale, (*self.locale.synonyms, *kb.synonyms), (text for _, text, _ in labelled)
        )
        token_sets = [
            (label, frozenset(self.analyzer.tokens(text)), factor)
            for label, text, factor in labelled
        ]
        label_tokens: dict[str, set[str]] = defaultdict(set)
        for label, tokens, _ in token_sets:
            label_tokens[label] |= tokens
        df: dict[str, int] = defaultdict(int)
        for tokens in label_tokens.values():
            for token in tokens:
                df[token] += 1
        n_labels = len(label_tokens)
        self._idf = {t: math.log(1 + n_labels / n) for t, n in df.items()}
        self._unknown_idf = math.log(1 + n_labels / 0.5)
        self._docs: list[_Doc] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for label, tokens, factor in token_sets:
            if not tokens:
                continue
            norm = math.sqrt(sum(self._idf[t] ** 2 for t in tokens))
            for token in tokens:
                self._postings[token].append(len(self._docs))
            self._docs.append(_Doc(label, norm, factor))
        self._label_postings: dict[str, list[str]] = {
            t: sorted(label for label, tokens in label_tokens.items() if t in tokens) for t in df
        }

    def _weight(self, token: str) -> float:
        if token in self._idf:
            return self._idf[token]
        if token.isdigit():
            return self._unknown_idf * self.locale.number_weight
        return self._unknown_idf

    def rank(self, question: str) -> list[tuple[str, float]]:
        """Every label (entry or decline) with a score 0-1, best first."""
        tokens = frozenset(self.analyzer.tokens(question))
        if not tokens:
            return []
        weights = {t: self._weight(t) ** 2 for t in tokens}
        q_norm = math.sqrt(sum(weights.values()))
        dots: dict[int, float] = defaultdict(float)
        cover: dict[str, float] = defaultdict(float)
        for token, w2 in weights.items():
            for doc_index in self._postings.get(token, ()):
                dots[doc_index] += w2
            for label in self._label_postings.get(token, ()):
                cover[label] += w2
        best: dict[str, float] = defaultdict(float)
        for doc_index, dot in dots.items():
            doc = self._docs[doc_index]
            cosine = doc.factor * dot / (q_norm * doc.norm)
            if cosine > best[doc.label]:
                best[doc.label] = cosine
        total = q_norm**2
        scores = {
            label: BEST_DOC_SHARE * score + (1 - BEST_DOC_SHARE) * cover[label] / total
            for label, score in best.items()
        }
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    def decide(self, question: str) -> Decision:
        """Answer, clarify, fall back or raise the alarm for one message."""
        flag = find_red_flag(self.kb, question)
        ranked = self.rank(question)
        entries = [(label, s) for label, s in ranked if label in self._entry_ids]
        candidates = tuple(
            Candidate(label, round(s * 100, 1)) for label, s in entries[:MAX_CANDIDATES]
        )
        top_score = ranked[0][1] if ranked else 0.0
        if flag is not None:
            return Decision(Kind.URGENT, None, 100.0, candidates, flag)
        if not entries or ranked[0][0] not in self._entry_ids:
            return Decision(Kind.FALLBACK, None, round(top_score * 100, 1), candidates)
        best_id, best = entries[0]
        runner_up = entries[1][1] if len(entries) > 1 else 0.0
        if best >= ANSWER_AT and best - runner_up >= MARGIN:
            return Decision(Kind.ANSWER, best_id, round(best * 100, 1), candidates)
        if best >= CLARIFY_AT:
            close = tuple(
                c for c in candidates if c.score >= max(CLARIFY_AT, best - CLARIFY_SPAN) * 100
            )
            return Decision(Kind.CLARIFY, None, round(best * 100, 1), close)
        return Decision(Kind.FALLBACK, None, round(best * 100, 1), candidates)
