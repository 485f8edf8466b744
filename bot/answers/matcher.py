"""Normalise a patient's question and rank the FAQ entries for it; pure, no I/O."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import snowballstemmer
from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

from bot.answers.knowledge import KnowledgeBase, RedFlag
from bot.answers.safety import find_red_flag
from bot.locale import Locale, get_locale

MAX_CANDIDATES = 3
MIN_CLAUSE_TOKENS = 2
MIN_TYPO_LENGTH = 4
CACHE_SIZE = 8192


@dataclass(frozen=True)
class Tuning:
    """The matcher's knobs; scores are 0-1 (a weighted cosine similarity)."""

    answer_at: float = 0.50  # answer when the best entry scores at least this ...
    margin: float = 0.04  # ... and leads the runner-up by at least this
    clarify_at: float = 0.30  # below answer_at but above this: "did you mean"
    clarify_span: float = 0.15  # candidates this close to the best are offered
    best_doc_share: float = 0.75  # best single phrasing versus all of an entry's words
    long_message: int = 10  # from this many words on, clauses are scored on their own too
    keyword_factor: float = 0.9  # a real phrasing should beat a bare keyword or title
    unknown_factor: float = 0.75  # weight of a word the FAQ never uses, relative to the rarest


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
        self._stemmer = snowballstemmer.stemmer(locale.stemmer)
        self._stem_cache: dict[str, str] = {}
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
        self._loose_phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for group in groups:
            canonical = "".join(self._stem(w) for w in self._words(group[0]))
            members = {w for phrase in group for w in utils.default_process(phrase).split()}
            for phrase in group:
                words = self._words(phrase)
                if len(words) > 1:
                    self._add_phrase(self._phrases, words, canonical)
                    content = [w for w in words if w not in locale.stopwords]
                    # "put to sleep" also matches "put me to sleep"; "make up" stays a phrase.
                    if 1 < len(content) < len(words):
                        self._add_phrase(self._loose_phrases, content, canonical)
                    continue
                word = " ".join(words) or utils.default_process(phrase)
                self._exact[word] = canonical
                # A stem stands for the group only when no other known word shares it
                # ("expecting" must not turn "what to expect" into a pregnancy question).
                stem = self._stem(word)
                if words_by_stem[stem] <= members:
                    self._by_stem[stem] = canonical
        for table in (self._phrases, self._loose_phrases):
            for options in table.values():
                options.sort(key=lambda item: len(item[0]), reverse=True)
        # Most frequent first, so that a typo equally close to two words takes the commoner one.
        self._vocabulary = sorted(raw_words, key=lambda w: -raw_words[w])
        self._known = frozenset(raw_words)
        self._typos: dict[str, str] = {}

    def _stem(self, word: str) -> str:
        stem = self._stem_cache.get(word)
        if stem is None:
            stem = word if word in self.locale.unstemmed else self._stemmer.stemWord(word)
            if len(self._stem_cache) < CACHE_SIZE:
                self._stem_cache[word] = stem
        return stem

    @staticmethod
    def _words(text: str) -> list[str]:
        """Normalised words; one-letter leftovers of possessives ("crow's") dropped."""
        return [w for w in utils.default_process(text).split() if len(w) > 1 or w.isdigit()]

    def _correct(self, word: str) -> str:
        """The known word a misspelt one was meant to be, or the word itself."""
        if (
            word in self._known
            or word in self.locale.common_words
            or len(word) < MIN_TYPO_LENGTH
            or not word.isalpha()
        ):
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
        if len(self._typos) < CACHE_SIZE:
            self._typos[word] = fixed
        return fixed

    def _add_phrase(
        self, table: dict[str, list[tuple[tuple[str, ...], str]]], words: list[str], canonical: str
    ) -> None:
        stems = tuple(self._stem(w) for w in words)
        table[stems[0]].append((stems, canonical))

    @staticmethod
    def _fold_phrases(
        items: list[tuple[str, str, bool]], table: dict[str, list[tuple[tuple[str, ...], str]]]
    ) -> list[tuple[str, str, bool]]:
        """Replace each phrase of `table` in (word, stem, folded) items by its canonical token."""
        out: list[tuple[str, str, bool]] = []
        i = 0
        while i < len(items):
            for phrase, canonical in table.get(items[i][1], ()):
                span = items[i : i + len(phrase)]
                if tuple(stem for _, stem, _ in span) == phrase and not any(f for *_, f in span):
                    out.append((canonical, canonical, True))
                    i += len(phrase)
                    break
            else:
                out.append(items[i])
                i += 1
        return out

    def tokens(self, text: str) -> list[str]:
        """The matchable tokens of a text, in order."""
        raw = utils.default_process(text).split()
        # One-letter words only matter when a synonym names them ("can't" -> "can t" -> not).
        words = [w for w in map(self._correct, raw) if len(w) > 1 or w in self._exact]
        items = self._fold_phrases([(w, self._stem(w), False) for w in words], self._phrases)
        stop = self.locale.stopwords
        items = [item for item in items if item[2] or item[0] not in stop or item[0] in self._exact]
        items = self._fold_phrases(items, self._loose_phrases)
        out: list[str] = []
        for word, stem, folded in items:
            if folded:
                out.append(word)
            elif mapped := self._exact.get(word) or self._by_stem.get(stem):
                out.append(mapped)
            elif word not in stop:
                out.append(stem)
        return out


@dataclass(frozen=True)
class _Doc:
    label: str
    norm: float
    factor: float


class Matcher:
    """The FAQ indexed for matching; `decide` is a pure function of the question."""

    def __init__(
        self, kb: KnowledgeBase, locale: Locale | None = None, tuning: Tuning | None = None
    ) -> None:
        self.kb = kb
        self.tuning = tuning or Tuning()
        self.locale = locale or get_locale(kb.language)
        self._entry_ids = frozenset(e.id for e in kb.entries)
        labelled: list[tuple[str, str, float]] = []
        for entry in kb.entries:
            labelled += [(entry.id, q, 1.0) for q in entry.questions]
            labelled += [
                (entry.id, q, self.tuning.keyword_factor) for q in (*entry.keywords, entry.title)
            ]
        for decline in kb.declines:
            labelled += [(decline.id, q, 1.0) for q in decline.questions]
            labelled += [(decline.id, q, self.tuning.keyword_factor) for q in decline.keywords]
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
        # Which labels use each token: the coverage score's index and the document frequency.
        self._label_postings: dict[str, list[str]] = defaultdict(list)
        for label in sorted(label_tokens):
            for token in label_tokens[label]:
                self._label_postings[token].append(label)
        n_labels = len(label_tokens)
        self._idf = {t: math.log(1 + n_labels / len(ls)) for t, ls in self._label_postings.items()}
        self._unknown_idf = math.log(1 + n_labels / 0.5) * self.tuning.unknown_factor
        self._docs: list[_Doc] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for label, tokens, factor in token_sets:
            if not tokens:
                continue
            norm = math.sqrt(sum(self._idf[t] ** 2 for t in tokens))
            for token in tokens:
                self._postings[token].append(len(self._docs))
            self._docs.append(_Doc(label, norm, factor))

    def _weight(self, token: str) -> float:
        if token in self._idf:
            return self._idf[token]
        if token.isdigit():
            return self._unknown_idf * self.locale.number_weight
        return self._unknown_idf

    def _score(self, tokens: frozenset[str]) -> dict[str, float]:
        """Each label's score 0-1 for a set of tokens."""
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
        share = self.tuning.best_doc_share
        return {
            label: share * score + (1 - share) * cover[label] / total
            for label, score in best.items()
        }

    def rank(self, question: str) -> list[tuple[str, float]]:
        """Every label (entry or decline) with a score 0-1, best first."""
        tokens = frozenset(self.analyzer.tokens(question))
        if not tokens:
            return []
        scores = self._score(tokens)
        if len(tokens) >= self.tuning.long_message:
            # A rambling message usually asks its question in one clause: score clauses too.
            for clause in self.locale.clause_break.split(question):
                clause_tokens = frozenset(self.analyzer.tokens(clause))
                if len(clause_tokens) >= MIN_CLAUSE_TOKENS:
                    for label, score in self._score(clause_tokens).items():
                        scores[label] = max(scores.get(label, 0.0), score)
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
        if not entries:
            return Decision(Kind.FALLBACK, None, round(top_score * 100, 1), candidates)
        t = self.tuning
        best_id, best = entries[0]
        if ranked[0][0] not in self._entry_ids:
            # An uncovered subject won; offer the entry only when it was just as close.
            if best >= t.clarify_at and top_score - best < t.margin:
                return Decision(Kind.CLARIFY, None, round(best * 100, 1), candidates[:1])
            return Decision(Kind.FALLBACK, None, round(top_score * 100, 1), candidates)
        runner_up = entries[1][1] if len(entries) > 1 else 0.0
        if best >= t.answer_at and best - runner_up >= t.margin:
            return Decision(Kind.ANSWER, best_id, round(best * 100, 1), candidates)
        if best >= t.clarify_at:
            close = tuple(
                c for c in candidates if c.score >= max(t.clarify_at, best - t.clarify_span) * 100
            )
            return Decision(Kind.CLARIFY, None, round(best * 100, 1), close)
        return Decision(Kind.FALLBACK, None, round(best * 100, 1), candidates)
