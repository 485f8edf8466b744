"""Turn text into matchable tokens: typos fixed, stems, synonyms and phrases, no stop words."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain, takewhile

import numpy as np
import snowballstemmer
from rapidfuzz import process, utils
from rapidfuzz.distance import OSA

from bot.locale import Locale

MIN_TYPO_LENGTH = 3
MIN_CHANGED_TYPO = 4  # shorter words are fixed for a swapped, dropped or doubled letter only
# A word cut short ("wrink", "морщ") is read as the words it begins from this length on.
MIN_CUT_SHORT = 4
# Known words a cut-short word may begin: more are too many to be one subject.
MAX_COMPLETIONS = 30
CUT_SHORT_SHARE = 0.75  # of the words it begins that must read as one subject
# Typo lookups per text, and per message across all the parts it is read in (a real message
# has a handful of unknown words; each lookup scans part of the vocabulary).
MAX_TYPO_LOOKUPS = 40
MAX_MESSAGE_TYPO_LOOKUPS = 120
CACHE_SIZE = 8192
# Fewer known words of one first letter and length than this are scanned for a typo's words one
# edit away, not looked up in a table of their texts with a letter dropped: it costs more to build.
MIN_DELETION_TABLE = 32
# Phrases (two words or more) as stems with their canonical token, by their first stem and then
# their second: a text is tried only against the phrases its own two words in a row begin.
PhraseTable = dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]
Phrase = tuple[frozenset[str], str]  # the stems a phrase needs, in any order, and its token
# A message with more possible typos than this is read in full for red flags, not first
# looked over (`possible_stems`).
QUICK_TYPO_LOOKUPS = 12


class Analyzer:
    """Turns text into matchable tokens: typos fixed, stems, synonyms, no stop words."""

    def __init__(self, locale: Locale, synonyms: Iterable[tuple[str, ...]], corpus: Iterable[str]):
        self.locale = locale
        self._stemmer = snowballstemmer.stemmer(locale.stemmer)
        # Behind `_stem_cache`, PyStemmer's own cache costs more than it saves: stemming without
        # it takes half the time.
        self._stemmer.maxCacheSize = 0
        self._stem_cache: dict[str, str] = {}
        # The last text `_read` and its reading, as one tuple (whole for any thread): a message
        # is read for red flags and then as tokens, the same text twice in a row.
        self._last_read = ("", "")
        groups = tuple(synonyms)
        corpus = list(corpus)
        phrases = [phrase for group in groups for phrase in group]
        # Each read once: the phrases' words are read again below, and the corpus's as tokens.
        read = [text.split() for text in self._read_all([*corpus, *phrases])]
        raw_words = Counter(chain.from_iterable(read))
        # Until each of the corpus's texts is first read as tokens, or `forget_corpus`.
        self._corpus_words = dict(zip(corpus, read, strict=False))
        words_by_stem: dict[str, set[str]] = defaultdict(set)
        for word, stem in zip(raw_words, self._stem_new(list(raw_words)), strict=True):
            words_by_stem[stem].add(word)
        self._exact: dict[str, str] = {}
        self._by_stem: dict[str, str] = {}
        self._phrases: PhraseTable = {}
        self._loose_phrases: PhraseTable = {}
        # A group named by a stop word folds its phrases into nothing: "quick question" says no
        # more than "question" does (and "quick" must not read as the procedure's speed).
        self._silent: set[str] = set()
        phrase_words = iter(_kept(words) for words in read[len(corpus) :])
        for group in groups:
            group_words = [next(phrase_words) for _ in group]
            canonical = "".join(self._stem(w) for w in group_words[0])
            if group[0] in locale.stopwords:
                self._silent.add(canonical)
            # Normalised as one text: a character's normal form does not depend on its neighbours.
            members = set(utils.default_process("\n".join(group)).split())
            for phrase, words in zip(group, group_words, strict=True):
                if len(words) > 1:
                    self._add_phrase(self._phrases, words, canonical)
                    content = [w for w in words if w not in locale.stopwords]
                    # "put to sleep" also matches "put me to sleep"; "make up" stays a phrase.
                    # Only words between the ends may be left out: "how much is it" must not
                    # turn every "how much" into a price.
                    inner = words[0] not in locale.stopwords and words[-1] not in locale.stopwords
                    if 1 < len(content) < len(words) and inner:
                        self._add_phrase(self._loose_phrases, content, canonical)
                    continue
                word = " ".join(words) or utils.default_process(phrase)
                self._exact[word] = canonical
                # A stem stands for the group only when no other known word shares it
                # ("expecting" must not turn "what to expect" into a pregnancy question).
                stem = self._stem(word)
                if words_by_stem[stem] <= members:
                    self._by_stem[stem] = canonical
        # One-letter words (digits) that phrases name: kept until the phrases are folded ("на 5
        # месяце", "2 полоски"), then dropped like any other one-letter word. Loose phrases are
        # folded after that, so a one-letter word of theirs is never kept for them.
        self._phrase_letters = frozenset(
            w
            for seconds in self._phrases.values()
            for options in seconds.values()
            for stems, _ in options
            for w in stems
            if len(w) == 1
        )
        # "" stands for a word no group names: a stop word that is no synonym is dropped too.
        self._silent_or_unknown = frozenset({"", *self._silent})
        for table in (self._phrases, self._loose_phrases):
            for seconds in table.values():
                for options in seconds.values():
                    options.sort(key=lambda item: len(item[0]), reverse=True)
        # Most frequent first, so that a typo equally close to two words takes the commoner one.
        # (A reversed sort keeps equally frequent words in the order they were first met.)
        self._vocabulary = sorted(raw_words, key=raw_words.__getitem__, reverse=True)
        self._known = dict.fromkeys(raw_words)  # a set, as `Locale.common_words` is
        self._sorted_known = sorted(raw_words)
        # A typo within distance d differs in length by at most d: only those words are tried.
        self._by_length: dict[int, list[str]] = defaultdict(list)
        # Known words by all but their first letter: a short typo whose one edit is at the first
        # letter is looked up here instead of among every known word of its length.
        self._by_tail: dict[str, list[str]] = defaultdict(list)
        for known in self._vocabulary:
            self._by_length[len(known)].append(known)
            self._by_tail[known[1:]].append(known)
        self._rank = dict(zip(self._vocabulary, range(len(self._vocabulary)), strict=True))
        # Least recently used first out: one message asks for the same typo several times
        # (whole, clauses, red-flag parts), and a full cache must still serve those.
        self._fix = lru_cache(maxsize=CACHE_SIZE)(self._fix_typo)
        # The known words of one first letter and length by each text they make with a letter
        # dropped (`_deletions`): most typos are one edit from a word that keeps their first
        # letter.
        self._by_deletion: dict[tuple[str, int], dict[str, str] | list[str]] = {}
        # The known words of each first letter by their length, in `_sorted_known`'s order, built
        # for a letter on first use: a typo asks for two letters and several lengths, most of
        # them with no word, and scanning the letter's words for each was a third of a lookup.
        self._by_first_letter: dict[str, dict[int, list[str]]] = {}
        # The letters of each word of `_by_length`, as `_letters` masks, built on first use.
        self._length_letters: dict[int, np.ndarray] = {}
        # By the words kept too: the red-flag check reads a text with more than one `keep`. Two
        # caches, so that the kept readings' churn never clears the plain ones.
        self._token_cache: dict[tuple[frozenset[str], str], tuple[str, ...]] = {}
        self._kept_cache: dict[tuple[frozenset[str], str], tuple[str, ...]] = {}
        # The lookups left to the message being read, per thread (None: no message open).
        self._message = threading.local()
        self._clipped = tuple(locale.clipped_endings)

    def _unclipped(self, word: str) -> str:
        """The word with the ending chat dropped put back ("seein": "seeing"), if that is a word
        and the word as typed is none."""
        if not (self._clipped and word.endswith(self._clipped)) or word in self.locale.common_words:
            return word
        for end, whole in self.locale.clipped_endings.items():
            if word.endswith(end) and len(word) > len(end) + 1:
                restored = word[: len(word) - len(end)] + whole
                if restored in self.locale.common_words:
                    return restored
        return word

    def _stem(self, word: str) -> str:
        stem = self._stem_cache.get(word)
        if stem is None:
            stem = word if word in self.locale.unstemmed else self._stemmer.stemWord(word)
            if len(self._stem_cache) < CACHE_SIZE:
                self._stem_cache[word] = stem
        return stem

    def _stem_new(self, words: list[str]) -> list[str]:
        """The stems of distinct words not stemmed yet, remembered as `_stem` remembers them."""
        # In one call to the stemmer: the FAQ's thousands of words at load.
        unstemmed = self.locale.unstemmed
        stems = [
            word if word in unstemmed else stem
            for word, stem in zip(words, self._stemmer.stemWords(words), strict=True)
        ]
        room = max(0, CACHE_SIZE - len(self._stem_cache))
        self._stem_cache.update(zip(words[:room], stems[:room], strict=True))
        return stems

    def forget_corpus(self) -> None:
        """Drop the words kept of the corpus's texts not read as tokens yet, and the tokens
        remembered of those read (the index is built)."""
        self._corpus_words.clear()
        # Thousands of FAQ texts no message repeats: kept, they were so many objects more for
        # the garbage collector to walk once the load is done.
        self._token_cache.clear()
        self._kept_cache.clear()

    def words(self, text: str) -> list[str]:
        """Normalised words as written: no typo fixing, stems or synonyms."""
        return self._words(text)

    def _read(self, text: str) -> str:
        """The text folded, without contractions' endings, lower-cased and without punctuation."""
        last, read = self._last_read
        if text == last:
            return read
        read = self.locale.fold(text)
        if self.locale.contraction is not None:
            read = self.locale.contraction.sub("", read)
        read = utils.default_process(read)
        self._last_read = (text, read)
        return read

    def words_of(self, texts: Sequence[str]) -> list[list[str]]:
        """`words` of each text, read all at once."""
        return [_kept(text.split()) for text in self._read_all(texts)]

    def read_ahead(self, texts: Iterable[str]) -> None:
        """Read texts about to be read as tokens all at once, each kept until it is."""
        unread = [text for text in dict.fromkeys(texts) if text not in self._corpus_words]
        self._corpus_words.update(
            zip(unread, [text.split() for text in self._read_all(unread)], strict=True)
        )

    def _read_all(self, texts: Sequence[str]) -> list[str]:
        """`_read` of each text, folded all at once."""
        contraction = self.locale.contraction
        return [
            utils.default_process(contraction.sub("", text) if contraction is not None else text)
            for text in self.locale.fold_all(texts)
        ]

    def _words(self, text: str) -> list[str]:
        """Normalised words; one-letter leftovers of possessives ("crow's") dropped."""
        return _kept(self._read(text).split())

    def correct(self, word: str) -> str:
        """The known word a misspelt one was meant to be, or the word itself."""
        return self._fix(word) if self._may_be_typo(word) else word

    def _may_be_typo(self, word: str) -> bool:
        """A word neither the FAQ's nor the language's, long enough to be a typo of one."""
        return not (
            word in self._known
            or word in self.locale.common_words
            or len(word) < MIN_TYPO_LENGTH
            or not word.isalpha()
        )

    def _one_edit_away(self, word: str) -> list[str]:
        """The known words one edit from a typo that keep its first letter or swap its first two."""
        # A made-up word of thousands of letters has no known word of a near length.
        if not any(self._by_length.get(size) for size in range(len(word) - 1, len(word) + 2)):
            return []
        # Such a word is the typo with a letter dropped, or the two make the same text with a
        # letter dropped from each (one added, changed, or two swapped): looked up, not scanned.
        shorter = [word[:i] + word[i + 1 :] for i in range(len(word))]
        near = {text for text in shorter if text in self._known}
        scanned: list[str] = []  # the words of no table yet (see `_deletions`): each is tried
        for letter in dict.fromkeys(word[:2]):
            for size, texts in ((len(word) + 1, [word]), (len(word), shorter)):
                table = self._deletions(letter, size)
                if isinstance(table, list):
                    scanned += table
                    continue
                for text in texts:
                    if (words := table.get(text)) is not None:
                        near.update(words.split())
        if scanned:
            tried = process.extract(word, scanned, scorer=OSA.distance, score_cutoff=1, limit=None)
            near.update(known for known, _, _ in tried)
        swapped = word[1] + word[0]
        return [
            known
            for known in near
            if (known[0] == word[0] or known.startswith(swapped))
            and OSA.distance(word, known, score_cutoff=1) == 1
        ]

    def _deletions(self, letter: str, size: int) -> dict[str, str] | list[str]:
        """The known words of a length that begin with a letter: as a list when first asked for,
        then by each text a letter dropped makes of them (the words joined by spaces)."""
        # Built only when asked for again: the few typos read at load would otherwise build
        # tables that no message may need.
        found = self._by_deletion.get((letter, size))
        if isinstance(found, dict):
            return found
        if found is None:
            words = self._of_first_letter(letter).get(size, [])
            if words:  # made-up letters and lengths must not grow the tables
                self._by_deletion[(letter, size)] = words
            return words
        if len(found) < MIN_DELETION_TABLE:
            return found
        # Texts, not lists: thousands of lists made at once set the garbage collector off.
        table: dict[str, str] = {}
        for known_word in found:
            for i in range(size):
                text = known_word[:i] + known_word[i + 1 :]
                table[text] = f"{table[text]} {known_word}" if text in table else known_word
        self._by_deletion[(letter, size)] = table
        return table

    def _of_first_letter(self, letter: str) -> dict[int, list[str]]:
        """The known words that begin with a letter, by their length."""
        found = self._by_first_letter.get(letter)
        if found is None:
            known = self._sorted_known
            start, end = bisect_left(known, letter), bisect_left(known, chr(ord(letter) + 1))
            found = defaultdict(list)
            for word in known[start:end]:
                found[len(word)].append(word)
            if found:  # a letter no known word begins must not grow the tables
                self._by_first_letter[letter] = found
        return found

    def _first_letter_typos(self, word: str) -> list[str]:
        """The known words one edit at the first letter away, shortest and then commonest first."""
        # One edit that does not keep the first letter changes, adds or drops that letter (a swap
        # of the first two is looked up with the words that keep it).
        near = {*self._by_tail.get(word[1:], ()), *self._by_tail.get(word, ())}
        if word[1:] in self._known:
            near.add(word[1:])
        return sorted(near, key=lambda known: (len(known), self._rank[known]))

    def _sharing_letters(self, word: str, limit: int) -> list[str]:
        """The known words of a near length that lack at most `limit` of the word's letters, and
        have at most `limit` it lacks, shortest and then commonest first: no others are that few
        edits away."""
        letters = np.uint64(_letters(word))
        near: list[str] = []
        for length in range(len(word) - limit, len(word) + limit + 1):
            words = self._by_length.get(length)
            if not words:
                continue
            masks = self._length_letters.get(length)
            if masks is None:
                masks = _letter_masks(words, length)
                self._length_letters[length] = masks
            close = (np.bitwise_count(masks & ~letters) <= limit) & (
                np.bitwise_count(letters & ~masks) <= limit
            )
            near += [words[i] for i in np.flatnonzero(close)]
        return near

    def _completion(self, word: str) -> str | None:
        """The commonest known word a cut-short word begins, when most it begins read as one."""
        if len(word) < MIN_CUT_SHORT:
            return None
        known = self._sorted_known
        start = bisect_left(known, word)
        after = known[start : start + MAX_COMPLETIONS + 1]
        found = list(takewhile(lambda k: k.startswith(word), after))
        if not found or len(found) > MAX_COMPLETIONS:
            return None
        readings = [
            self._exact.get(k) or self._by_stem.get(self._stem(k)) or self._stem(k) for k in found
        ]
        reading, count = Counter(readings).most_common(1)[0]
        if count < CUT_SHORT_SHARE * len(found):
            return None
        return min(
            (k for k, r in zip(found, readings, strict=True) if r == reading),
            key=self._rank.__getitem__,
        )

    def _fix_typo(self, word: str) -> str:
        fixed = self._nearest(word)
        # "tret" is "treat" with a letter dropped, but "wrink" is "wrinkles" cut short, not
        # "drink" with a letter changed, and "морщ" is "морщины", not "море".
        if fixed != word and _same_start(word, fixed) and _slip(word, fixed):
            return fixed
        return self._completion(word) or fixed

    def _nearest(self, word: str) -> str:
        limit = 1 if len(word) <= 7 else 2
        # A known word one edit away that keeps the first letter (or swaps the first two) wins
        # over any other (see below): look among those first, and among all only without one.
        found = [(known, 1) for known in self._one_edit_away(word)]
        if not found:
            near = self._first_letter_typos(word) if limit == 1 else self._sharing_letters(word, 2)
            found = [
                (known, dist)
                for known, dist, _ in process.extract(
                    word, near, scorer=OSA.distance, score_cutoff=limit, limit=10
                )
            ]
        fixed = word
        if found:
            distance = min(dist for _, dist in found)
            closest = [(cand, self._rank[cand]) for cand, dist in found if dist == distance]
            # Among equally close words prefer one that keeps the first letter, then one that a
            # dropped letter explains, then two swapped letters, then a doubled letter (not a
            # changed one), then the commoner (the vocabulary is ordered by frequency): "wthin"
            # is "within", not "thin"; "modling" is "modeling", not "molding"; "cnat" is "cant",
            # not "cat".
            best, _ = min(
                closest,
                key=lambda c: (not _same_start(word, c[0]), _kind_of_typo(word, c[0]), c[1]),
            )
            # A short word's typo must keep its first letter ("wine" is not "line"), unless it
            # is the one known word that close ("lsat" for "last").
            # A three-letter word with one letter changed is as likely another word as a typo
            # ("zal", the Russian "зал" in Latin letters, is no typo of the vision sign "zag").
            changed_short = len(word) < MIN_CHANGED_TYPO and _kind_of_typo(word, best) == 3
            if not changed_short and (
                len(word) > 5 or _same_start(word, best) or (len(closest) == 1 and distance == 1)
            ):
                fixed = best
        return fixed

    def _add_phrase(self, table: PhraseTable, words: list[str], canonical: str) -> None:
        cached, stem = self._stem_cache.get, self._stem
        stems = tuple([cached(w) or stem(w) for w in words])
        table.setdefault(stems[0], {}).setdefault(stems[1], []).append((stems, canonical))

    def _without_phrase_letters(
        self, words: list[str], stems: list[str], folded: list[bool] | None
    ) -> tuple[list[str], list[str], list[bool] | None]:
        """The words without the one-letter ones kept for phrases that no phrase took."""
        letters, exact = self._phrase_letters, self._exact
        if not letters or min(map(len, words), default=2) > 1:  # most texts: no one-letter word
            return words, stems, folded
        drop = [
            len(w) == 1 and w in letters and w not in exact and not (folded and folded[i])
            for i, w in enumerate(words)
        ]
        if not any(drop):
            return words, stems, folded
        keep = [i for i, d in enumerate(drop) if not d]
        return (
            [words[i] for i in keep],
            [stems[i] for i in keep],
            [folded[i] for i in keep] if folded is not None else None,
        )

    @staticmethod
    def _fold_phrases(
        words: list[str], stems: list[str], folded: list[bool] | None, table: PhraseTable
    ) -> tuple[list[str], list[str], list[bool] | None]:
        """Replace each phrase of `table` in the words by its canonical token.

        `stems` are the words' stems and `folded` whether each is such a token (None: none is);
        the three come back for the words after folding, a phrase's token its own stem (the
        very lists given when no phrase folds).
        """
        # Where the first phrase stands: most texts have none (many have the first two stems of
        # one, though), and the words before it stay as they are.
        size = len(words)
        starts = range(size - 1) if not table.keys().isdisjoint(stems) else range(0)
        for i in starts:
            seconds = table.get(stems[i])
            options = seconds.get(stems[i + 1]) if seconds is not None else None
            if options and _phrase_at(stems, folded, i, options) is not None:
                break
        else:
            return words, stems, folded
        out_words, out_stems = words[:i], stems[:i]
        out_folded = folded[:i] if folded is not None else [False] * i
        while i < size:
            # By the first stem, then the second: a word begins few phrases, and most none.
            seconds = table.get(stems[i])
            found = (
                _phrase_at(stems, folded, i, seconds.get(stems[i + 1], ()))
                if seconds is not None and i + 1 < size
                else None
            )
            if found is not None:
                phrase, canonical = found
                out_words.append(canonical)
                out_stems.append(canonical)
                out_folded.append(True)
                i += len(phrase)
            else:
                out_words.append(words[i])
                out_stems.append(stems[i])
                out_folded.append(folded is not None and folded[i])
                i += 1
        return out_words, out_stems, out_folded

    def _without_stop_words(
        self, words: list[str], stems: list[str], folded: list[bool] | None, keep: frozenset[str]
    ) -> tuple[list[str], list[str], list[bool] | None]:
        """The words without the stop words `keep` does not name that no group names, and
        without the tokens of silent groups (see `_fold_phrases` for the three lists)."""
        stopwords, exact, silent = self.locale.stopwords, self._exact, self._silent_or_unknown
        kept = [
            i
            for i, word in enumerate(words)
            if (
                word not in self._silent
                if folded is not None and folded[i]
                else word not in stopwords or word in keep or exact.get(word, "") not in silent
            )
        ]
        if len(kept) == len(words):
            return words, stems, folded
        return (
            [words[i] for i in kept],
            [stems[i] for i in kept],
            None if folded is None else [folded[i] for i in kept],
        )

    def silences(self, word: str) -> bool:
        """Whether questions read a word as nothing: a stop word, or one of a group a stop word
        names ("quick" of "quick question")."""
        if word in self.locale.stopwords:
            return True
        return (self._exact.get(word) or self._by_stem.get(self._stem(word))) in self._silent

    def stems(self, text: str) -> set[str]:
        """The stems of a text's words as written: no synonyms or stop words."""
        return {self._stem(word) for word in self._words(text)}

    def possible_stems(self, text: str) -> set[str] | None:
        """Every stem a text's words may be read as, whatever the reading: as written, with a
        clipped ending put back, corrected as a typo or not; None past a few possible typos."""
        forms = set(self._read(text).split())
        if self._clipped:
            forms.update([self._unclipped(word) for word in forms])
        known = self._known
        typos = [form for form in forms if form not in known and self._may_be_typo(form)]
        if len(typos) > QUICK_TYPO_LOOKUPS:  # counted before any is looked up
            return None
        forms.update(self._fix(typo) for typo in typos)
        return {self._stem_cache.get(form) or self._stem(form) for form in forms}

    def readers(
        self, tokens: frozenset[str]
    ) -> tuple[dict[str, frozenset[str]], list[Phrase], list[Phrase]]:
        """Which of `tokens` a word may be read as, by its stem; the phrases read as a word of
        a phrase read as one of them (loose phrases are folded after the others); and those."""
        by_stem: dict[str, set[str]] = defaultdict(set)
        for token in tokens:
            by_stem[token].add(token)  # a word no group names is read as its stem
        for stem, token in self._by_stem.items():
            if token in tokens:
                by_stem[stem].add(token)
        for word, token in self._exact.items():
            if token in tokens:
                by_stem[self._stem(word)].add(token)
        every = [
            (frozenset(stems), token)
            for table in (self._phrases, self._loose_phrases)
            for seconds in table.values()
            for options in seconds.values()
            for stems, token in options
        ]
        wanted = [phrase for phrase in every if phrase[1] in tokens]
        needed = {stem for stems, _ in wanted for stem in stems}
        feeding = [p for p in every if p[1] in needed and p[1] not in tokens]
        return {stem: frozenset(found) for stem, found in by_stem.items()}, feeding, wanted

    @contextmanager
    def message(self) -> Iterator[None]:
        """Read one message: its typo lookups are counted across every part it is read in."""
        if self._lookups_left() is not None:
            yield  # already inside this message (the matcher's red-flag check)
            return
        self._message.left = MAX_MESSAGE_TYPO_LOOKUPS
        self._message.fixed = {}
        try:
            yield
        finally:
            self._message.left = None
            self._message.fixed = None

    def tokens(self, text: str, keep: frozenset[str] = frozenset()) -> list[str]:
        """The matchable tokens of a text, in order (remembered: a message is read twice).

        `keep` names stop words that count all the same (a red flag's "everything went dark").
        """
        cache = self._token_cache if not keep else self._kept_cache
        key = (keep, text)
        cached = cache.get(key)
        if cached is None:
            found, complete = self._tokens(text, keep)
            cached = tuple(found)
            if complete:  # read with typos unfixed for want of lookups: not remembered
                if len(cache) >= CACHE_SIZE:
                    cache.clear()
                cache[key] = cached
        return list(cached)

    def _lookups_left(self) -> int | None:
        """The typo lookups the open message has left, or None when no message is open."""
        left: int | None = getattr(self._message, "left", None)
        return left

    def _tokens(self, text: str, keep: frozenset[str]) -> tuple[list[str], bool]:
        raw = self._corpus_words.pop(text, None)
        if raw is None:
            raw = self._read(text).split()
        # Only so many unknown words of one text, and of one message, are looked up as typos:
        # the lookup is the costly step, and a run of made-up words must not hold the bot up.
        # A word already looked up in this message is not counted again: a message is read in
        # several parts (sentences, sentences joined across a break, clauses), and a few typos
        # read in each must not use up the look-ups a sign at its end needs.
        lookups, complete = 0, True
        fixed: dict[str, str] | None = getattr(self._message, "fixed", None)
        words: list[str] = []
        known, exact, letters, clipped = (
            self._known,
            self._exact,
            self._phrase_letters,
            self._clipped,
        )
        for word in raw:
            if clipped and word.endswith(clipped):
                word = self._unclipped(word)
            if word not in known and self._may_be_typo(word):
                left = self._lookups_left()
                if fixed is not None and word in fixed:
                    word = fixed[word]
                elif lookups < MAX_TYPO_LOOKUPS and (left is None or left > 0):
                    lookups += 1
                    if left is not None:
                        self._message.left = left - 1
                    typo, word = word, self._fix(word)
                    if fixed is not None:
                        fixed[typo] = word
                else:
                    complete = False
            # One-letter words only matter when a synonym names them ("can't" -> "can t").
            if len(word) > 1 or word in exact or word in letters:
                words.append(word)
        cached_stem, stem = self._stem_cache.get, self._stem
        stems = [cached_stem(w) or stem(w) for w in words]
        if len(words) < 2:
            # A keyword or a sign's alternative, thousands at load: no phrase to fold in it.
            return self._word_tokens(words, stems, keep), complete
        # Side by side, each word with its stem and whether it is a phrase's token (None: no
        # word is yet): no tuple for each word of the thousands of texts read at load.
        words, stems, folded = self._fold_phrases(words, stems, None, self._phrases)
        words, stems, folded = self._without_phrase_letters(words, stems, folded)
        words, stems, folded = self._without_stop_words(words, stems, folded, keep)
        words, stems, folded = self._fold_phrases(words, stems, folded, self._loose_phrases)
        out: list[str] = []
        stopwords, silent, by_stem = self.locale.stopwords, self._silent, self._by_stem
        for i, word in enumerate(words):
            if folded is not None and folded[i]:
                out.append(word)
            elif mapped := exact.get(word) or by_stem.get(stems[i]):
                # "kinda", "tbh": a filler says nothing, unless asked for ("thank" in a sign).
                if mapped not in silent or word in keep:
                    out.append(mapped)
            elif word not in stopwords or word in keep:
                out.append(stems[i])
        return out, complete

    def _word_tokens(self, words: list[str], stems: list[str], keep: frozenset[str]) -> list[str]:
        """`_tokens`' steps after the stems for at most one word, which folds into no phrase."""
        if not words:
            return []
        word, stem, exact = words[0], stems[0], self._exact
        if len(word) == 1 and word in self._phrase_letters and word not in exact:
            return []
        stop = word in self.locale.stopwords and word not in keep
        if stop and exact.get(word, "") in self._silent_or_unknown:
            return []
        if mapped := exact.get(word) or self._by_stem.get(stem):
            return [mapped] if mapped not in self._silent or word in keep else []
        return [] if stop else [stem]


def _phrase_at(
    stems: list[str],
    folded: list[bool] | None,
    i: int,
    options: Sequence[tuple[tuple[str, ...], str]],
) -> tuple[tuple[str, ...], str] | None:
    """The first of `options` (a phrase's stems and its token) that the stems from i on spell,
    over no phrase's token already folded."""
    for phrase, canonical in options:
        end = i + len(phrase)
        # Compared by slicing: a text is tried against many phrases.
        if tuple(stems[i:end]) == phrase and (folded is None or not any(folded[i:end])):
            return phrase, canonical
    return None


def _kept(words: list[str]) -> list[str]:
    """The words without one-letter leftovers of possessives ("crow's"); digits stay."""
    return [w for w in words if len(w) > 1 or w.isdigit()]


def _same_start(typo: str, word: str) -> bool:
    """The typo keeps the word's first letter, or only swapped its first two ("hte": "the")."""
    return typo[0] == word[0] or (len(word) > 1 and typo[:2] == word[1::-1])


def _slip(typo: str, word: str) -> bool:
    """The typo is the word with two letters swapped, one dropped or one doubled."""
    if len(typo) == len(word):
        return sorted(typo) == sorted(word) and OSA.distance(typo, word) == 1
    if len(typo) == len(word) - 1:
        return OSA.distance(typo, word) == 1
    return len(typo) == len(word) + 1 and any(
        typo[i] == typo[i + 1] and typo[:i] + typo[i + 1 :] == word for i in range(len(typo) - 1)
    )


def _kind_of_typo(typo: str, word: str) -> int:
    """How a typo came about, likeliest first: 0 a letter dropped ("modling" for "modeling", not
    "molding"), 1 two letters swapped ("cnat" for "cant", not "cat"), 2 a letter doubled or
    added, 3 a letter changed."""
    if len(typo) < len(word):
        return 0
    if len(typo) > len(word):
        return 2
    return 1 if sorted(typo) == sorted(word) else 3


def _letter_masks(words: list[str], length: int) -> np.ndarray:
    """`_letters` of each of several words of one length, as an array."""
    # A word's letters as one row of code points: thousands of words in a few array operations
    # (the first long typo of a length builds this for every known word of the length).
    codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bits = np.left_shift(np.uint64(1), (codes % 64).astype(np.uint64))
    masks: np.ndarray = np.bitwise_or.reduce(bits.reshape(len(words), length), axis=1)
    return masks


def _letters(word: str) -> int:
    """The letters a word uses, one bit each (letters that share a bit only loosen the test)."""
    mask = 0
    for letter in set(word):
        mask |= 1 << (ord(letter) % 64)
    return mask
