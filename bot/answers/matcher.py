"""Normalise a patient's question and rank the FAQ entries for it; pure, no I/O."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import islice
from operator import itemgetter

import numpy as np

from bot.answers.analyzer import CACHE_SIZE, Analyzer
from bot.answers.answer_model import NOT_COVERED, AnswerModel
from bot.answers.knowledge import KnowledgeBase
from bot.answers.safety import RedFlag, RedFlagDetector
from bot.locale import Locale, get_locale, spaced

MAX_CANDIDATES = 3
# How far past a clause break a question's opening word is looked for ("... ?  how long"): a
# longer run of marks opens no question, and the pattern's scan of it would grow with the message.
OPENER_REACH = 100
# A message is matched on this many characters (enough for any real question), and read for
# red flags as far as Telegram lets a message go: a danger sign told at the end of a long story
# must not be cut off.
MAX_QUESTION_CHARS = 2000
MAX_MESSAGE_CHARS = 4096
MIN_CLAUSE_TOKENS = 2
# "?" sentences judged apart at most: a message of a thousand questions must stay cheap.
MAX_QUESTIONS_JUDGED = 3
# A clause this short with a negation or a reassuring word only says what is fine ("no fever").
CALM_CLAUSE_TOKENS = 4
# A word names an entry when that many of its phrasings use it ("lips", not the "worse" of one
# of them), and no more entries and declines than this use it ("after", "work" name nothing).
NAMING_PHRASINGS = 3
NAMING_LABELS = 10
# "Everything is fine with me, thanks": longer than this, a message says more than how one is.
FINE_WORDS = 6
# "No fever, no pus, no redness, all fine": a list of signs said to be absent may run longer.
ABSENT_LIST_WORDS = 16
# "I feel much worse today": longer than this, a message says what is wrong, or asks.
MAX_UNWELL_CHARS = 40
# Emoji and other marks: left out, a greeting's decoration is no word of a question.
_NOT_A_WORD = re.compile(r"[^\w\s'-]")
_DIGIT = re.compile(r"\d")
# A number with an ordinal ending or a unit ("4th", "4й", "30s", "5ml"): a number, not a subject.
_NUMBER_WORD = re.compile(r"\d+[^\W\d_]{1,3}")
# Marks that end a clause told before a question ("i'm a flight attendant, how much time off").
_CLAUSE_MARK = re.compile(r"[,;:\u2014\u2013]+|\s-\s")


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
    clause_answer_at: float = 0.85  # a long message's clause this clear is judged on its own
    # Rules that can be switched off one by one, so that each is measured (benchmarks/ablate.py).
    last_question: bool = True  # a long message is judged by its last question's clauses
    covering: bool = True  # two indications get the entry that covers them
    calm_clauses: bool = True  # "no fever", "vision fine" are left out of the scoring
    examples: bool = True  # "like mesotherapy" is an example, not a subject the question asks
    lone_candidate: bool = True  # a lone candidate that explains the question is answered ...
    lone_answer_at: float = 0.40  # ... from this score on
    lone_margin: float = 0.10  # ... when this far ahead of the runner-up
    lone_coverage: float = 0.60  # ... and its words carry this share of the question's weight
    two_questions: bool = True  # "how long does it take and does it hurt" gets both answers ...
    subject_idf: float = 2.0  # ... when each half has a word this rare ("when", "how long": no)
    question_sentence: bool = True  # a clear "...?" sentence decides a message left unanswered
    told_aside: bool = True  # an uncovered subject told before a question the entry answers
    second_opinion: bool = True  # the answer model (answer_model.py) checks each decision ...
    model_veto: float = 0.10  # ... an answer it gives less than this is asked back ...
    model_uncovered: float = 0.7  # ... as is one it gives less than model_doubt when it gives
    model_doubt: float = 0.2  # ... "not covered" at least model_uncovered ...
    model_answer_at: float = 0.8  # ... and a suggestion it gives this much is answered ...
    model_agree_at: float = 0.7  # ... or this much when it is the matcher's first suggestion,
    model_story_at: float = 0.6  # ... or this much in a message of story_words words or more
    model_unoffered_at: float = 0.8  # ... and an entry not offered at all, this much
    model_outranked_at: float = 0.95  # ... and one a decline only narrowly outranked, this
    model_life_at: float = 0.9  # ... and one asked beside a subject of the patient's life, this
    life_fallback: bool = True  # ... also when a subject of the patient's life won outright
    model_weak_at: float = 0.9  # ... and the first entry of a fall-back for want of a close one
    story_words: int = 25


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
    also: str | None = None  # a second entry, when the message asks two questions
    # The message's other question is one the article does not cover ("how much is it").
    other_not_covered: bool = False
    # Decided by a rule that reads the message's parts (an uncovered subject, two questions, the
    # question sentence, two indications): the answer model, which reads it whole, defers ...
    by_rule: bool = False
    # ... except when a subject the article does not cover outranked the one entry offered by
    # less than the margin, or when the subject it found in the question is only one of the
    # patient's life (a decline marked `life`: the gym, a trip): then it reads what is asked.
    outranked: bool = False
    life: bool = False
    # A fall-back only for want of a close enough entry (no uncovered subject was found).
    weak: bool = False


class Matcher:
    """The FAQ indexed for matching; `decide` is a pure function of the question."""

    def __init__(
        self,
        kb: KnowledgeBase,
        locale: Locale | None = None,
        tuning: Tuning | None = None,
        model: AnswerModel | None = None,
    ) -> None:
        self.kb = kb
        self.model = model
        self.tuning = tuning or Tuning()
        self.locale = locale or get_locale(kb.language)
        # Each text's clause breaks, remembered: a message is split into clauses two or three
        # times (its asked words, two questions, a long message's clauses).
        self._break_cache: dict[str, tuple[tuple[int, int, bool], ...]] = {}
        self._entry_ids = frozenset(e.id for e in kb.entries)
        self._related = {e.id: frozenset(e.related) for e in kb.entries}
        labelled: list[tuple[str, str, float]] = []
        for entry in kb.entries:
            labelled += [(entry.id, q, 1.0) for q in entry.questions]
            labelled += [
                (entry.id, q, self.tuning.keyword_factor) for q in (*entry.keywords, entry.title)
            ]
        for decline in kb.declines:
            labelled += [(decline.id, q, 1.0) for q in decline.questions]
            labelled += [(decline.id, q, self.tuning.keyword_factor) for q in decline.keywords]
        # Red-flag signs and examples join the vocabulary, so that typos are fixed towards them.
        flag_texts = [t for f in kb.red_flags for t in (*f.signs, *f.examples, *f.unless)]
        self.analyzer = Analyzer(
            self.locale,
            (*self.locale.synonyms, *kb.synonyms),
            [*(text for _, text, _ in labelled), *flag_texts],
        )
        self.red_flags = RedFlagDetector(kb.red_flags, self.analyzer)
        # The detector's words for "not" and "fine" are the calm clauses' too.
        self._negation = frozenset([self.red_flags.negation])
        self._reassurance = self.red_flags.reassurance
        self._signs = self.red_flags.vocabulary - self._negation
        token_sets = [
            (label, frozenset(self.analyzer.tokens(text)), factor)
            for label, text, factor in labelled
        ]
        label_tokens: dict[str, set[str]] = defaultdict(set)
        for label, tokens, _ in token_sets:
            label_tokens[label] |= tokens
        self._label_tokens = {label: frozenset(ts) for label, ts in label_tokens.items()}
        self._uncovered = self._uncovered_subjects(kb)
        self._life_subjects = self._life_only(kb)
        self._life_declines = frozenset(d.id for d in kb.declines if d.life)
        self._entry_vocab = frozenset(
            t for label, ts in self._label_tokens.items() if label in self._entry_ids for t in ts
        )
        # Which labels use each token: the coverage score's index and the document frequency.
        self._label_postings: dict[str, list[str]] = defaultdict(list)
        for label in sorted(label_tokens):
            for token in label_tokens[label]:
                self._label_postings[token].append(label)
        self._together = self._named_together(kb)
        n_labels = len(label_tokens)
        self._idf = {t: math.log(1 + n_labels / len(ls)) for t, ls in self._label_postings.items()}
        self._people = frozenset(t for w in self.locale.people for t in self.analyzer.tokens(w))
        self._unknown_idf = math.log(1 + n_labels / 0.5) * self.tuning.unknown_factor
        # Each phrasing's label, factor and norm, side by side.
        doc_labels: list[str] = []
        doc_factors: list[float] = []
        doc_norms: list[float] = []
        postings: dict[str, list[int]] = defaultdict(list)
        # Each token's square once, not once for each of its thousands of phrasings.
        squares = {t: idf**2 for t, idf in self._idf.items()}
        # A label's phrasings that read as the same tokens score alike but for their factor: one
        # phrasing with the largest factor stands for them all (a fifth of the phrasings).
        docs_by_tokens: dict[tuple[str, frozenset[str]], int] = {}
        # Each label's phrasings side by side: its best one is then one `reduceat` run, from
        # one of `starts` to the next.
        starts: list[int] = []
        for label, tokens, factor in sorted(token_sets, key=itemgetter(0)):
            if not tokens:
                continue
            doc = docs_by_tokens.setdefault((label, tokens), len(doc_labels))
            if doc < len(doc_labels):
                doc_factors[doc] = max(doc_factors[doc], factor)
                continue
            for token in tokens:
                postings[token].append(doc)
            if not doc_labels or doc_labels[-1] != label:
                starts.append(doc)
            doc_labels.append(label)
            doc_factors.append(factor)
            # fsum: the same norm whatever order the set gives its tokens in (see `_weights`).
            doc_norms.append(math.sqrt(math.fsum(map(squares.__getitem__, tokens))))
        # The index as arrays, so that a question is scored in a few vector operations. Each
        # label with phrasings has one run of them, in the order of the labels: a label without
        # any uses no token and never scores.
        self._run_starts = np.array(starts, dtype=np.intp)
        run_labels = [doc_labels[i] for i in starts]
        self._run_labels = np.array(run_labels, dtype=object)
        run_index = {label: i for i, label in enumerate(run_labels)}
        self._doc_scale = np.array(doc_factors) / np.array(doc_norms)
        # Each token's phrasings, and then its labels' runs past the phrasings, as one array: a
        # question's token adds its weight to both in one step (`_score`).
        docs = len(doc_labels)
        self._docs = docs
        self._index = {
            t: np.array(
                [*ix, *(docs + run_index[label] for label in self._label_postings[t])],
                dtype=np.intp,
            )
            for t, ix in postings.items()
        }
        self.analyzer.forget_corpus()

    def _uncovered_subjects(self, kb: KnowledgeBase) -> frozenset[str]:
        """Tokens that name a subject the article does not cover ("price", "botox", "insurance").

        Each is a decline's keyword of one word (or one the synonyms fold into one token, such as
        "how much is it") that no entry uses; a keyword that is one word only once its stop words
        are gone ("sign up") says too little on its own.
        """
        # Titles speak in the bot's voice ("Choosing your doctor" is the patient's own doctor),
        # so only how patients ask counts here.
        answered = {
            t
            for e in kb.entries
            for q in (*e.questions, *e.keywords)
            for t in self.analyzer.tokens(q)
        }
        uncovered: set[str] = set()
        for decline in kb.declines:
            for keyword in decline.keywords:
                tokens = self.analyzer.tokens(keyword)
                if len(tokens) != 1 or tokens[0] in answered:
                    continue
                if len(keyword.split()) == 1 or tokens[0] not in self.analyzer.stems(keyword):
                    uncovered.add(tokens[0])
        return frozenset(uncovered)

    def _life_only(self, kb: KnowledgeBase) -> frozenset[str]:
        """The uncovered subjects only declines marked `life` name ("gym", "trip", "diet")."""
        named: dict[str, set[bool]] = defaultdict(set)
        for decline in kb.declines:
            for keyword in decline.keywords:
                for token in self.analyzer.tokens(keyword):
                    named[token].add(decline.life)
        return frozenset(t for t in self._uncovered if named.get(t) == {True})

    def _named_together(
        self, kb: KnowledgeBase
    ) -> dict[str, tuple[str, dict[str, frozenset[str]]]]:
        """For each entry another one `covers`: that entry, and the words naming each it covers.

        A covered entry is named by the words several of its questions use ("lips", "hollow"),
        never by a word common all over the FAQ ("after", "work").
        """
        together: dict[str, tuple[str, dict[str, frozenset[str]]]] = {}
        for entry in kb.entries:
            if not entry.covers:
                continue
            naming = {
                eid: frozenset(
                    t
                    for t, uses in self._entry_words(kb, eid).items()
                    if uses >= NAMING_PHRASINGS
                    and len(self._label_postings.get(t, ())) <= NAMING_LABELS
                )
                for eid in entry.covers
            }
            for eid in (entry.id, *entry.covers):
                together[eid] = (entry.id, naming)
        return together

    def _entry_words(self, kb: KnowledgeBase, entry_id: str) -> Counter[str]:
        """The tokens of how patients ask an entry, each with how many phrasings use it."""
        entry = kb.by_id[entry_id]
        return Counter(
            t
            for text in (*entry.questions, *entry.keywords)
            for t in set(self.analyzer.tokens(text))
        )

    def _covering(self, best_id: str, question: str, ranked: list[tuple[str, float]]) -> str | None:
        """The entry that answers a question naming two or more of the entries it covers.

        The two must be named in different clauses ("my folds and my thin lips"): within one
        ("my cheeks lack volume") a word shared in passing names nothing. `ranked`: the
        question's labels and scores.
        """
        found = self._together.get(best_id)
        if found is None:
            return None
        covering, naming = found
        scores = dict(ranked)
        if self.locale.contrast_only is not None:
            # "is dryness something it addresses, or is it only for wrinkles?" asks about dryness.
            question = self.locale.contrast_only.sub("", question)
        floor = self.tuning.clarify_at
        named: list[tuple[set[str], set[str]]] = []
        for words, *_ in self._clauses(question):
            present = set(words)
            here = {
                e for e, words in naming.items() if words & present and scores.get(e, 0) >= floor
            }
            if here:
                named.append((present, here))
        # Each clause is read on its own only when two name different entries: it is rare.
        if not _names_two(best_id, [here for _, here in named]):
            return None
        kept = [here for present, here in named if self._clause_names(present, here)]
        return covering if _names_two(best_id, kept) else None

    def _clause_names(self, words: set[str], named: set[str]) -> bool:
        """Whether a clause on its own is about one of the entries its words name.

        "since menopause my skin is so dry": "since" is a word of the weight-loss entry's
        questions ("hollow since I lost weight"), but the clause is about mature skin.
        """
        scores = self._score(frozenset(words))
        return bool(scores) and max(scores, key=scores.__getitem__) in named

    def says_all_is_fine(self, text: str) -> bool:
        """A message that only says all is fine ("all good", "I'm fine!"); no question."""
        size = len(text.split())
        opener = self.locale.question_opener
        # "is it sore like a tattoo or not really" begins as a question: it reports nothing.
        if "?" in text or size > ABSENT_LIST_WORDS or (opener and opener.match(text)):
            return False
        words = set(self.analyzer.words(text))
        fine = self.locale.reassurance
        if size <= FINE_WORDS and words & fine and words <= fine | self.locale.wellbeing:
            return True
        # "no fever", "no temperature, no pus": only danger signs said to be absent.
        clauses = [words for words, *_ in self._clauses(text) if words]
        # In a longer list each item is short ("no pus"); "all fine" may close it.
        short = size <= FINE_WORDS or all(len(words) <= 3 for words in clauses)
        absent = [words for words in clauses if not self._reassurance.issuperset(words)]
        return bool(absent) and short and all(self._says_absent(words) for words in absent)

    def _says_absent(self, clause: list[str]) -> bool:
        """A short clause saying a danger sign is absent ("no fever", "температуры нет")."""
        if len(clause) > CALM_CLAUSE_TOKENS or self._negation.isdisjoint(clause[:1] + clause[-1:]):
            return False
        named = [t for t in clause if t not in self._negation]
        return bool(named) and not self._names_entry(named)

    def says_unwell(self, text: str) -> bool:
        """A message that only says one is not well ("getting worse", "не очень"); no question."""
        unwell = self.locale.unwell
        return unwell is not None and len(text) <= MAX_UNWELL_CHARS and bool(unwell.match(text))

    def only_numbers(self, text: str) -> bool:
        """A message of numbers alone ("45", "+7 999 123 45 67"): not one word ("мне только 24")."""
        if not _DIGIT.search(text):
            return False  # most messages: no need to read their words
        words = self.analyzer.words(text)
        return bool(words) and all(word.isdigit() for word in words)

    def only_greets(self, text: str) -> bool:
        """A greeting or thanks with emoji ("good morning ☀️"): the emoji only decorates it."""
        if "?" in text:
            return False
        written = _NOT_A_WORD.sub(" ", text[:MAX_QUESTION_CHARS])
        said = self.analyzer.words(written)
        polite = self.locale.greets(said) or not self.locale.thanks.isdisjoint(said)
        return polite and not self.analyzer.tokens(written)

    def says_only_no(self, text: str) -> bool:
        """A bare "no" ("no no no", "нет"): an answer to something, no question."""
        if "?" in text:
            return False
        words = self.analyzer.words(text[:MAX_QUESTION_CHARS])
        return bool(words) and all(self._is_negation(word) for word in words)

    def _is_negation(self, word: str) -> bool:
        """A word that says no and nothing else ("no", "not", "нет")."""
        tokens = self.analyzer.tokens(word)
        return bool(tokens) and self._negation.issuperset(tokens)

    def _names_entry(self, words: list[str]) -> bool:
        """Whether words name something an entry answers, other than a danger sign."""
        return any(w in self._entry_vocab and w not in self._signs for w in words)

    def _explained(self, label: str, tokens: frozenset[str]) -> float:
        """The share of a question's weight that a label's own words carry, 0-1."""
        weights = self._weights(tokens)
        total = sum(weights.values())
        own = self._label_tokens.get(label, frozenset())
        return sum(w for t, w in weights.items() if t in own) / total if total else 0.0

    def _siblings(self, first: str, second: str) -> bool:
        """Two entries that name each other as related: either answers what the other does."""
        return first in self._related.get(second, ()) and second in self._related.get(first, ())

    def _weights(self, tokens: frozenset[str]) -> dict[str, float]:
        """Each token's squared weight, in a fixed order."""
        # A set's order follows the process's string hashes, and the same floats summed in
        # another order differ in the last bit: a tie could break another way after a restart.
        return {t: self._weight(t) ** 2 for t in sorted(tokens)}

    def _weight(self, token: str) -> float:
        if token in self._idf:
            return self._idf[token]
        if token.isdigit() or _NUMBER_WORD.fullmatch(token):
            return self._unknown_idf * self.locale.number_weight
        if token in self._people:  # a person the FAQ never names is no unknown subject
            return self._unknown_idf * self.locale.people_weight
        return self._unknown_idf

    def _score(self, tokens: frozenset[str]) -> dict[str, float]:
        """Each label's score 0-1 for a set of tokens."""
        weights = self._weights(tokens)
        total = sum(weights.values())
        # Each phrasing's dot product with the question, and then each label's cover.
        docs = self._docs
        sums = np.zeros(docs + len(self._run_labels))
        for token, w2 in weights.items():
            found = self._index.get(token)
            if found is not None:
                sums[found] += w2
        dots, cover = sums[:docs], sums[docs:]
        # The best phrasing of each label: its cosine, times the phrasing's factor.
        np.multiply(dots, self._doc_scale, out=dots)
        best = np.maximum.reduceat(dots, self._run_starts)
        best /= math.sqrt(total)
        share = self.tuning.best_doc_share
        scored = best.nonzero()[0]
        values = share * best[scored] + (1 - share) * cover[scored] / total
        # As Python lists first: reading a NumPy array item by item is slow. The labels come in
        # order, as the runs are (`_rank` relies on it).
        return dict(zip(self._run_labels[scored].tolist(), values.tolist(), strict=True))

    def rank(self, question: str) -> list[tuple[str, float]]:
        """Every label (entry or decline) with a score 0-1, best first."""
        return self._rank(question, self._asked_tokens(question))[0]

    def _asked_tokens(self, question: str) -> frozenset[str]:
        """The message's tokens, without short clauses that only say what is fine or absent.

        "no fever, not hot, just a bit of swelling, normal?" asks about swelling: "fever" and
        "hot" would pull it towards other entries. Kept whole when fewer than two words would
        remain, unless several things were said to be absent or fine ("не белеет, не синеет,
        просто припухло"): then the one word left is what is asked.
        """
        return frozenset(self._asked_words(question))

    def _asked_words(self, question: str) -> Sequence[str]:
        """The tokens `_asked_tokens` keeps, in order."""
        tokens = self.analyzer.tokens(question)
        clauses = self._clauses(question)
        kept = [
            c
            for c, asks, text in clauses
            if not (self.tuning.calm_clauses and self._calm_clause(c, asks, text))
        ]
        if len(kept) == len(clauses):
            return tokens
        rest = [t for clause in kept for t in clause]
        if len(set(rest)) >= MIN_CLAUSE_TOKENS or (rest and len(clauses) - len(kept) > 1):
            return rest
        return tokens

    def _clauses(self, text: str) -> list[tuple[list[str], bool, str]]:
        """Each clause's tokens, whether a question mark ends it, and its text."""
        out: list[tuple[list[str], bool, str]] = []
        start = 0
        for end, after, asks in (*self._breaks(text), (len(text), len(text), False)):
            clause = text[start:end]
            out.append((self.analyzer.tokens(clause), asks, clause))
            start = after
        return out

    def _breaks(self, text: str) -> tuple[tuple[int, int, bool], ...]:
        """Where each clause break of a text starts and ends, and whether it has a "?"."""
        found = self._break_cache.get(text)
        if found is None:
            found = tuple(
                (b.start(), b.end(), "?" in b.group())
                for b in self.locale.clause_break.finditer(text)
            )
            if len(self._break_cache) >= CACHE_SIZE:
                self._break_cache.clear()
            self._break_cache[text] = found
        return found

    def _calm_clause(self, clause: list[str], asks: bool, text: str) -> bool:
        """A short clause that only says something is absent or fine."""
        # "no fever", "never heard of it", "температуры нет", "everything looks fine", "vision
        # fine". "Can I wear makeup normally?" asks: in a question only a danger sign said to
        # be fine is calm. One that begins as a question asks whatever ends it: "is some pain
        # after normal, like the sore arm after a shot?" asks about pain.
        if not clause or len(clause) > CALM_CLAUSE_TOKENS:
            return False
        if clause[0] in self._negation:
            calm = not self._names_entry(clause[1:])
        elif len(clause) == 2 and clause[-1] in self._negation and not asks:
            calm = True  # "температуры нет", "боли нет"; "можно или нет?" asks
        else:
            calm = (
                len(clause) > 1
                and clause[-1] in self._reassurance
                and (not asks or bool(self._signs.intersection(clause)))
            )
        # The opening read last, only for a clause calm by its words: most are not.
        opener = self.locale.question_opener
        return calm and (opener is None or opener.match(text) is None)

    def _rank(
        self, question: str, tokens: frozenset[str]
    ) -> tuple[list[tuple[str, float]], dict[str, frozenset[str]]]:
        """The ranking, and for each label scored on one clause of a long message its tokens."""
        if not tokens:
            return [], {}
        scores = self._score(tokens)
        from_clause: dict[str, frozenset[str]] = {}
        if len(tokens) >= self.tuning.long_message:
            # A rambling message usually asks its question in one clause: score clauses too,
            # those of its last question when it has one ("...my sister said she had to change
            # that. how long do i have to suffer?": the sister's clause is not what is asked).
            asked = _last_question_text(question) if self.tuning.last_question else None
            for words, asks, text in self._clauses(asked or question):
                if self.tuning.calm_clauses and self._calm_clause(words, asks, text):
                    continue  # "no bumps" is not what a long message asks
                clause_tokens = frozenset(words)
                if len(clause_tokens) >= MIN_CLAUSE_TOKENS:
                    for label, score in self._score(clause_tokens).items():
                        if score > scores.get(label, 0.0):
                            scores[label] = score
                            from_clause[label] = clause_tokens
        # Best first, ties by label: by label, then stably by score (no key tuple per label).
        # `_score` gives the labels in order; only a clause's may add some after them.
        by_label = sorted(scores.items()) if from_clause else scores.items()
        ranked = sorted(by_label, key=itemgetter(1), reverse=True)
        return ranked, from_clause

    def _without_examples(self, text: str) -> str:
        """The text without the examples it gives ("skin deep like mesotherapy")."""
        example = self.locale.example_of if self.tuning.examples else None
        return example.sub(_dropped_example, text) if example else text

    def _named_subjects(self, text: str, stated: frozenset[str]) -> frozenset[str]:
        """The message's tokens without the examples it gives and what it says is absent."""
        # "skin deep like mesotherapy": mesotherapy illustrates; "no rash": rash is not asked.
        # `stated` are the text's own asked tokens, already worked out for the ranking.
        plain = self._without_examples(text)
        return stated if plain == text else self._asked_tokens(plain)

    def _last_question(self, text: str, unmarked: bool = False) -> frozenset[str] | None:
        """The tokens of a message's last sentence that ends in a question mark, if any.

        `unmarked`: or, without one, of its last sentence when it begins as a question does.
        """
        asked = _last_question_text(text, self.locale.question_opener if unmarked else None)
        tokens = frozenset(self.analyzer.tokens(asked)) if asked else frozenset()
        return tokens if len(tokens) >= MIN_CLAUSE_TOKENS else None

    def decide(self, question: str) -> Decision:
        """Answer, clarify, fall back or raise the alarm for one message."""
        with self.analyzer.message():
            return self._decide(question)

    def _decide(self, question: str) -> Decision:
        flag = self.red_flags.find(question[:MAX_MESSAGE_CHARS])
        question = question[:MAX_QUESTION_CHARS]
        other = spaced(question)
        if other != question and len(question.split()) == 1 and len(other.split()) > 1:
            # "does\u200bit\u200bhurt": words joined only by invisible characters are words (the
            # red flags read both ways; in a sentence with spaces one inside a word is dropped).
            question = other
        # Read once: for the ranking, and again by the answer model.
        asked = self._asked_words(question)
        decision = self._judge(question, frozenset(asked))
        if flag is not None:
            return Decision(Kind.URGENT, None, 100.0, decision.candidates, flag)
        if self.only_numbers(question):
            # "45", "+7 999 123 45 67": an age or a phone number alone asks no entry's question.
            return Decision(Kind.FALLBACK, None, 0.0, ())
        story = len(question.split()) >= self.tuning.story_words
        return self._second_opinion(asked, self._settle(question, decision), story)

    def _settle(self, question: str, decision: Decision) -> Decision:
        """The whole message's decision, or the clearer one of its questions."""
        both = self._both_questions(question) if self.tuning.two_questions else None
        if both is not None:
            return both
        if decision.kind is not Kind.ANSWER and self.tuning.question_sentence:
            return self._clear_question(question) or decision
        return decision

    def _second_opinion(self, asked: Sequence[str], decision: Decision, story: bool) -> Decision:
        """The answer model's check: it can ask back an answer, or answer a "did you mean".

        Shared words are weak evidence on their own; the model learnt from questions worded the
        way patients word them. An answer it all but rules out, or doubts while it reads the
        question as one the article leaves open, is asked back ("did you mean"); a "did you
        mean" whose candidate it is sure of is answered, one asked back so too, and so is an
        entry not offered at all that it is all but certain of. In a `story` (a long message)
        the matcher's scores are diluted by what is told around the question, and a suggestion
        the model agrees with needs less certainty. A fall-back only for want of a close enough
        entry is answered with the first entry when the model is sure of it ("what does soft
        lifting target"); one for an uncovered subject stands. A rule's decision stands, unless a decline
        only narrowly outranked the entry offered or the uncovered subject is one of the
        patient's life (`_sure_of_offered`).
        """
        t = self.tuning
        if self.model is None or not t.second_opinion:
            return decision
        if decision.by_rule:
            if decision.outranked:
                return self._sure_of_offered(self.model, asked, decision, t.model_outranked_at)
            if decision.life and decision.kind is Kind.FALLBACK:
                return self._sure_of_any(self.model, asked, decision, t.model_life_at)
            if decision.life:
                return self._sure_of_offered(self.model, asked, decision, t.model_life_at)
            return decision
        if decision.kind is Kind.FALLBACK and not (decision.weak and decision.candidates):
            return decision  # an uncovered subject, or no entry close: the matcher's verdict
        model = self.model
        shares = model.shares(asked)
        if decision.kind is Kind.ANSWER:
            share = model.share(shares, decision.entry_id or "")
            # "what gauge cannula do you use": the words are the cannula entry's, the question
            # is one the model learnt the article leaves open.
            doubted = (
                share < t.model_doubt and model.share(shares, NOT_COVERED) >= t.model_uncovered
            )
            if share >= t.model_veto and not doubted:
                return decision
            # Asked back, it is a "did you mean" like any other: "should i put some cream on to
            # bring down the puffiness" is the remedies entry the matcher ranked second.
            decision = Decision(Kind.CLARIFY, None, decision.score, decision.candidates)
        if decision.kind is Kind.FALLBACK and decision.weak and decision.candidates:
            closest = decision.candidates[0]
            if model.share(shares, closest.entry_id) >= t.model_weak_at:
                return Decision(Kind.ANSWER, closest.entry_id, closest.score, decision.candidates)
        if decision.kind is not Kind.CLARIFY:
            return decision  # a fall-back is the matcher's verdict: an uncovered subject, a story
        best = int(shares.argmax())
        label = model.labels[best]
        offered = {c.entry_id: c.score for c in decision.candidates[:MAX_CANDIDATES]}
        # Two readings that agree need less certainty than the model overruling the matcher's
        # order ("how often do infections happen" is no question about repeat sessions).
        first = decision.candidates[0].entry_id if decision.candidates else None
        needed = t.model_agree_at if label == first else t.model_answer_at
        if story:
            # "...I can only fall asleep on my stomach, I've done it for 40 years. Is that a
            # problem after soft lifting?": the sleeping entry offered, and the model's reading.
            needed = min(needed, t.model_story_at)
        if label != NOT_COVERED and label in offered and shares[best] >= needed:
            return Decision(Kind.ANSWER, label, offered[label], decision.candidates)
        # "I get a facial massage at the spa every week ... How long do I need to skip it
        # after soft lifting?": the last question's words ranked other entries; the model
        # learnt from whole stories.
        if label not in (NOT_COVERED, *offered) and shares[best] >= t.model_unoffered_at:
            return Decision(Kind.ANSWER, label, decision.score, decision.candidates)
        return decision

    def _sure_of_offered(
        self, model: AnswerModel, asked: Sequence[str], decision: Decision, needed: float
    ) -> Decision:
        """A rule's one offered entry, answered when the model gives it `needed` or more.

        "how many hours will i be in the chair? need to arrange a babysitter" (a decline narrowly
        first), "my gym membership has a steam room i use daily, how long do i have to give that
        up" (the gym is the patient's life): the words are shared between a subject the article
        leaves open and the entry, and the model learnt which one is asked.
        """
        if not decision.candidates:
            return decision
        entry = decision.candidates[0]
        if model.share(model.shares(asked), entry.entry_id) >= needed:
            return Decision(Kind.ANSWER, entry.entry_id, entry.score, decision.candidates)
        return decision

    def _sure_of_any(
        self, model: AnswerModel, asked: Sequence[str], decision: Decision, needed: float
    ) -> Decision:
        """The entry the model gives `needed` or more, answered in place of a fall-back."""
        shares = model.shares(asked)
        best = int(shares.argmax())
        label = model.labels[best]
        if label not in self._entry_ids or shares[best] < needed:
            return decision
        offered = {c.entry_id: c.score for c in decision.candidates}
        return Decision(Kind.ANSWER, label, offered.get(label, decision.score), decision.candidates)

    def _clear_question(self, question: str) -> Decision | None:
        """The answer to a sentence ending in "?" that alone is clearly one entry's question.

        "is it botox? i really don't want a frozen face", "... всегда в сауну хожу. через
        сколько после уколов можно в сауну?": the remark around the question blurred it.
        """
        end, judged = question.find("?"), 0
        while end != -1 and judged < MAX_QUESTIONS_JUDGED:
            start = _sentence_start(question, end)
            told_before = bool(question[:start].strip())
            asked = question[start:end]
            # After a story a one-word question leans on what was told ("есть смысл?"), unless
            # its word names a subject of its own ("... дочке 19. в таком возрасте можно?").
            if (
                len(self.analyzer.tokens(asked)) >= MIN_CLAUSE_TOKENS
                or (not told_before and question[end:].strip(" ?!"))
                or self._names_subject(asked)
            ) and not (told_before and self._asks_about_told(question[:start], asked)):
                part, judged = self._judge(asked), judged + 1
                if self._clear(part):
                    return replace(part, by_rule=True)
            end = question.find("?", end + 1)
        return None

    def _told_aside(self, question: str, best_id: str) -> bool:
        """The subject the article leaves open is only told before a question the entry answers."""
        aside = self._aside_question(question)
        return aside is not None and aside[0] == best_id and aside[1] >= self.tuning.clarify_at

    def _aside_question(self, question: str, named: bool = False) -> tuple[str, float] | None:
        """What the question after a subject the article leaves open asks, if it asks alone.

        "i'm a flight attendant, how much time off do i need after softlifting?", "parking by
        the clinic is max 90 minutes. enough for the procedure itself?": the job and the parking
        say why the patient asks, the question's last clause alone asks the entry's question.
        "I have lupus, is it safe for me?" leans on what was told and is no such question.
        `named`: the question must name the procedure, for a message whose subject is one the
        article leaves open ("I want microneedling, how long is the recovery?" is about that;
        "threads took 2.5 hours, and how long is soft lifting?" asks about this one). The best
        label of the question's last clause, and its score.
        """
        if not self.tuning.told_aside:
            return None
        asked = _last_question_text(question, self.locale.question_opener)
        if asked is None:
            return None
        start = question.rfind(asked)
        # Only a mark ends what is told: "botox and soft lifting on the same day?" asks both.
        breaks = [b for b in _CLAUSE_MARK.finditer(asked) if asked[b.end() :].strip()]
        if breaks:
            start, asked = start + breaks[-1].end(), asked[breaks[-1].end() :]
        if not self._names_procedure(asked):
            # "botox never bruised me, but after this one will I?": what follows the turn to
            # this procedure asks, its question ("is that expected?") leans on it.
            turn = self._turn_to_this(question)
            if turn is not None:
                start, asked = turn, question[turn:]
        told = question[:start]
        tokens = frozenset(self.analyzer.tokens(asked))
        if (
            not told.strip()
            or (len(tokens) < MIN_CLAUSE_TOKENS and not self._names_subject(asked))
            or not self._uncovered.isdisjoint(tokens)
            or self._asks_about_told(told, asked)
            or (named and not self._names_procedure(asked))
        ):
            return None
        ranked = self.rank(asked)
        return ranked[0] if ranked else None

    def _turn_to_this(self, question: str) -> int | None:
        """Where the message's last turn from something else to this procedure begins."""
        contrast = self.locale.contrast
        if contrast is None:
            return None
        turns = [found.start() for found in contrast.finditer(question)]
        if not turns or not self._names_procedure(question[turns[-1] :]):
            return None
        return turns[-1]

    def _compared_here(self, question: str) -> bool:
        """Whether the message's question asks the same of this procedure ("same here?"), or
        asks of this procedure alone after telling of another ("botox sorted my frown line.
        can soft lifting do the lines around my eyes?")."""
        asked = _last_question_text(question, self.locale.question_opener)
        here = self.locale.compared_here
        if here is not None and here.search((asked or question).strip()) is not None:
            return True
        # The question mark is not part of the question's text: "..., а после этого можно?" is
        # one sentence as much as "..., а после этого можно" is.
        if asked is not None and asked.strip() == question.strip().rstrip("?!.… "):
            # One sentence: its last clause is the question ("after botox I put makeup on at
            # once, and after this one?"), the clauses before it what the other did.
            clauses = self.locale.clause_break.split(asked.strip())
            asked = clauses[-1] if len(clauses) > 1 else None
        return (
            asked is not None
            and self._names_procedure(asked)
            and self._uncovered.isdisjoint(self.analyzer.tokens(asked))
        )

    def _without_words(self, text: str, tokens: frozenset[str]) -> str:
        """The text without the words that read as one of the tokens."""
        return " ".join(w for w in text.split() if tokens.isdisjoint(self.analyzer.tokens(w)))

    def _names_procedure(self, text: str) -> bool:
        """Whether a text names the procedure itself ("soft lifting", "this treatment")."""
        names = self.locale.names_procedure
        return names is not None and names.search(text) is not None

    def _asks_about_told(self, told: str, asked: str) -> bool:
        """The question asks about a subject the article does not cover, told before it.

        "I've got lupus. is it safe for me?" is no question about safety in general.
        """
        refers = self.locale.refers_back
        if refers is None or not refers.search(asked):
            return False
        return not self._uncovered.isdisjoint(self.analyzer.tokens(told))

    def _both_questions(self, question: str) -> Decision | None:
        """Two answers for a message that asks two questions each clearly answered apart.

        "how long does it take and does it hurt", "сколько длится и больно ли": each half is
        judged on its own; both must be answered as clearly as a clause judged alone, and by
        different entries.
        """
        parts = self._two_questions(question)
        if parts is None:
            return None
        if not all(self._names_subject(part) for part in parts):
            return None  # "можно в солярий? и когда": the second half asks nothing of its own
        first, second = (self._judge(part) for part in parts)
        if self._clear(first) and self._clear(second):
            if first.entry_id == second.entry_id:
                return None
            return replace(first, also=second.entry_id, by_rule=True)
        # "how much does it cost and how long does it last": one half the article answers, the
        # other is a subject it does not cover. The answer is given, the other half named; the
        # answer model, reading the whole, still checks it ("what concentration is the filler,
        # how many mg per ml" narrows one subject down to a detail the article leaves open).
        for answered, other in ((first, parts[1]), (second, parts[0])):
            if self._clear(answered) and self._clearly_uncovered(other):
                return replace(answered, other_not_covered=True)
        return None

    def _clearly_uncovered(self, question: str) -> bool:
        """Whether a decline, a subject the article does not cover, clearly wins a question."""
        ranked = self.rank(question)
        return (
            bool(ranked)
            and ranked[0][0] not in self._entry_ids
            and (ranked[0][1] >= self.tuning.clause_answer_at)
        )

    def _clear(self, decision: Decision) -> bool:
        """An answer as clear as a clause judged on its own (decision scores are 0-100)."""
        return decision.kind is Kind.ANSWER and decision.score >= self.tuning.clause_answer_at * 100

    def _names_subject(self, text: str) -> bool:
        """Whether a text has a word rarer than question words, one that names what is asked."""
        return any(self._weight(t) >= self.tuning.subject_idf for t in self.analyzer.tokens(text))

    def _two_questions(self, question: str) -> tuple[str, str] | None:
        """The message's two halves where a question ends and another one begins, if any."""
        opener = self.locale.question_opener
        if opener is None:
            return None
        for start, end, asks in self._breaks(question):
            if not opener.match(question, end, end + OPENER_REACH):
                continue
            before, after = question[:start], question[end:]
            last = before[_sentence_start(before, len(before)) :]
            if asks or opener.match(last, 0, OPENER_REACH):
                return before, after
        return None

    def _judge(self, question: str, stated: frozenset[str] | None = None) -> Decision:
        """The decision on a message that raised no red flag (answer, clarify or fall back).

        `stated`: the message's asked tokens, when already read.
        """
        stated = self._asked_tokens(question) if stated is None else stated
        named = self._named_subjects(question, stated)
        if self._uncovered.intersection(stated - named):
            # "top ups like with botox": an uncovered subject given as an example does not
            # rank either; a comparison's word ("look like a hamster") still does.
            question, stated = self._without_examples(question), named
        elif not self._uncovered.isdisjoint(stated) and self._compared_here(question):
            # "after botox they said no sauna for a day. same here?": botox is what this
            # procedure is compared with; the sauna is asked, when an answer says so clearly.
            compared = self._judge(
                self._without_words(question, self._uncovered), stated - self._uncovered
            )
            # Not the entry covering two subjects: the one told before is often only what the
            # other treatment did ("botox sorted my frown line, but my cheeks went hollow").
            if compared.kind is Kind.ANSWER and not compared.by_rule:
                return compared
        ranked, from_clause = self._rank(question, stated)
        # The best few entries are all that is read of them: most labels score a little.
        ids = self._entry_ids
        entries = list(islice((item for item in ranked if item[0] in ids), MAX_CANDIDATES))
        candidates = tuple(Candidate(label, round(s * 100, 1)) for label, s in entries)
        top_score = ranked[0][1] if ranked else 0.0
        if not entries:
            return Decision(Kind.FALLBACK, None, round(top_score * 100, 1), candidates)
        t = self.tuning
        best_id, best = entries[0]
        if ranked[0][0] not in self._entry_ids:
            # An uncovered subject won. Told before a question about this procedure, past it
            # only an answer's certainty counts: a fall-back says more than a "did you mean"
            # about a refund.
            aside = self._aside_question(question, named=True)
            if aside is None or aside[0] not in self._entry_ids or aside[1] < t.answer_at:
                # Offer the entry only when it was just as close.
                if best >= t.clarify_at and top_score - best < t.margin:
                    return _offered(best, candidates, outranked=True)
                # A subject of the patient's life ("pick up my kids at 3") may only say why
                # an entry's question is asked ("will i be done in time"): the model reads it.
                life = t.life_fallback and ranked[0][0] in self._life_declines
                return Decision(
                    Kind.FALLBACK,
                    None,
                    round(top_score * 100, 1),
                    candidates,
                    by_rule=life,
                    life=life,
                )
            if aside[0] != best_id:
                return Decision(Kind.ANSWER, aside[0], round(aside[1] * 100, 1), candidates)
        runner_up = entries[1][1] if len(entries) > 1 else 0.0
        # In a long message a clause that alone clearly asks one entry decides ("... my sister
        # says fillers look fake. but what i really want to know is how long it lasts").
        clause = from_clause.get(best_id)
        asked = clause if clause is not None and best >= t.clause_answer_at else None
        if asked is None and from_clause and t.last_question:
            # A long story asks in its last question ("... half the price of the clinics. what
            # should i look for when picking someone?"): a subject named on the way is no question.
            asked = self._last_question(question)
        # Only what is asked names the subject: "... can't walk around with a bare face. how
        # soon can i put my foundation back on" asks about makeup, not about coming bare-faced.
        subject = asked
        if subject is None and from_clause and t.last_question:
            unmarked = self._last_question(question, unmarked=True)
            if unmarked and self._explained(best_id, unmarked) >= t.lone_coverage:
                subject = unmarked
        uncovered = self._uncovered.intersection(subject or named)
        if uncovered and not self._told_aside(question, best_id):
            # "the price for lips", "photos of nasolabial folds": the entry is only the object
            # of a question the article does not answer. Offer it, never assert it.
            if best >= t.clarify_at:
                return _offered(best, candidates, life=uncovered <= self._life_subjects)
            return Decision(Kind.FALLBACK, None, round(top_score * 100, 1), candidates)
        covering = self._covering(best_id, question, ranked) if t.covering else None
        if covering is not None and best >= t.clarify_at:
            return Decision(Kind.ANSWER, covering, round(best * 100, 1), candidates, by_rule=True)
        # Two entries that name each other as related answer each other's questions ("does it
        # wear off after a year": how long it lasts, repeating it): a close runner-up among
        # them is no reason to ask back.
        if best >= t.answer_at and (
            best - runner_up >= t.margin or self._siblings(best_id, entries[1][0])
        ):
            return Decision(Kind.ANSWER, best_id, round(best * 100, 1), candidates)
        # Below answer_at, a lone candidate well ahead of the rest that explains most of the
        # question's words is answered: the evidence is that the entry answers this question.
        if (
            t.lone_candidate
            and best >= t.lone_answer_at
            and best - runner_up >= t.lone_margin
            and self._explained(best_id, asked or stated) >= t.lone_coverage
        ):
            return Decision(Kind.ANSWER, best_id, round(best * 100, 1), candidates)
        if best >= t.clarify_at:
            close = tuple(
                c for c in candidates if c.score >= max(t.clarify_at, best - t.clarify_span) * 100
            )
            return Decision(Kind.CLARIFY, None, round(best * 100, 1), close)
        return Decision(Kind.FALLBACK, None, round(best * 100, 1), candidates, weak=True)


def _dropped_example(match: re.Match[str]) -> str:
    """A match of `example_of` without its group `example` when it has one, else a space."""
    if "example" not in match.re.groupindex or match.group("example") is None:
        return " "
    start, end = match.span("example")
    whole = match.group(0)
    return f"{whole[: start - match.start()]} {whole[end - match.start() :]}"


def _names_two(best_id: str, named: list[set[str]]) -> bool:
    """Whether two clauses each name one of two different entries ("hollow cheeks | fine lines").

    "lines between nose | and mouth": every clause names the best entry, one subject.
    """
    if len(named) < 2 or all(best_id in here for here in named):
        return False
    return any(
        a != b
        for i, one in enumerate(named)
        for other in named[i + 1 :]
        for a in one
        for b in other
    )


def _offered(
    best: float, candidates: tuple[Candidate, ...], outranked: bool = False, life: bool = False
) -> Decision:
    """A rule's "did you mean" of the best entry alone (see `Decision.outranked` and `life`)."""
    return Decision(
        Kind.CLARIFY,
        None,
        round(best * 100, 1),
        candidates[:1],
        by_rule=True,
        outranked=outranked,
        life=life,
    )


def _last_question_text(text: str, opener: re.Pattern[str] | None = None) -> str | None:
    """The words of a message's last sentence that ends in a question mark, if any.

    Without one, its last sentence when `opener` finds it begins as a question does ("... how
    soon can i put my foundation back on"): chat questions often go without the mark.
    """
    # Searched backwards from each "?": a regular expression for it rescans the text from
    # every position, which a long message without a "?" makes quadratic.
    end = text.rfind("?")
    while end != -1:
        start = _sentence_start(text, end)
        if start < end:
            return text[start:end]
        end = text.rfind("?", 0, end)
    if opener is None:
        return None
    last = text.rstrip(" .!\n\t")
    start = max(last.rfind(mark) for mark in ".!\n") + 1
    if start > 0 and opener.match(last, start):
        return last[start:]
    return None


def _sentence_start(text: str, end: int) -> int:
    """Where the sentence that runs up to `end` begins: after the last ".", "!", "?" or newline.

    A point between digits ends no sentence: "threads took 2.5 hours, how long is yours?".
    """
    start = max(text.rfind(mark, 0, end) for mark in "!?\n")
    dot = text.rfind(".", 0, end)
    while dot > start and text[dot - 1 : dot].isdigit() and text[dot + 1 : dot + 2].isdigit():
        dot = text.rfind(".", 0, dot)
    return max(start, dot) + 1
