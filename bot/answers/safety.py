"""Red flags: signs in a message that need a doctor now; their data, validation and detection.

A flag is described in plain words a doctor can read and extend: each sign ("skin turned
white", "can't breathe") is matched through the same analyzer as questions (typos, stems,
synonyms), its words in any order with a few words between, within one sentence. A sign after
a negation ("no fever", "it isn't blue") does not count. Regular expressions remain as an
escape hatch and run on RE2, whose matching time is linear in the message's length.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import re2

from bot.answers.analyzer import Analyzer, Phrase
from bot.faqdoc import Checker, Map, Seq
from bot.locale import CheckinWords, get_locale, readable, spaced

# A sign's words may have this many other words between them, in all.
SIGN_GAP = 5
# A sign's exceptions ("see not !result/difference": "can't see the result" asks about results)
# count between its words and this many words either side of them, within the same part of
# the sentence ("the pain is awful, I'm scared something is wrong": the fear is no exception).
EXCEPTION_REACH = 2
# A negation right before a sign (or inside it) cancels it: "no fever", "lip is not blue".
# Reaching further would also cancel "not sure, but my lip is blue".
NEGATION_REACH = 1
# How near a negation makes a reassurance no reassurance, either side ("нормально ... не могу").
REASSURANCE_NEGATED = 2
PATTERN_LIMIT = 500
# A word's characters in a pattern's `\w`: digits, "_", and the Latin and Cyrillic letters.
_WORD_CHARS = r"0-9A-Za-z_\x{0400}-\x{04FF}"
# An alternative of a sign's word ("a/b/c") that is empty or has no letter or digit ("skin//white").
_NO_WORD = re.compile(r"(?:^|/)[^\w/]*(?:/|$)")
# A list's item: a line that begins with a bullet or a number ("- fever ❌", "2) pain").
_ITEM = re.compile(r"\s*(?:[-–—•*·▪●]|\d{1,2}[.)])\s")
# RE2's time is linear in the message's length, and grows with the pattern's compiled size too:
# ".{0,1000}z" (size 9,005) took 0.26 s on a 4,096-character message, ten patterns like
# ".{0,1000}.{0,1000}.{0,1000}z" eight seconds. The shipped patterns are at most 1,369 (English)
# and 1,724 (Russian), 19,970 and 19,967 in all, at the file's limit: a new pattern needs a sign
# in plain words to give way. They take well under a millisecond; at these limits a message
# takes tens of milliseconds at most.
PATTERN_PROGRAM_LIMIT = 2_000
PATTERNS_PROGRAM_LIMIT = 20_000  # all of a file's patterns: each runs on every message
# A sentence of this many words or fewer is a fragment the next one goes on with ("Lip. White.").
FRAGMENT_WORDS = 3
# A sentence of this many words or fewer after a longer one says more of it ("... lip. grey").
AFTERTHOUGHT_WORDS = 2
# At most this many breaks are read across in a row, and at most this many such readings made.
FRAGMENT_RUN = 3
MAX_JOINED_READINGS = 40
# A negation reaches this many items of a list ("no fever or chills or redness or pus").
NEGATED_ITEMS = 8


@dataclass(frozen=True)
class RedFlag:
    """Signs that need a doctor now, in plain words, with what they must and must not catch."""

    id: str
    emergency: bool
    signs: tuple[str, ...]
    unless: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


def parse_red_flags(c: Checker, doc: Map, language: str) -> tuple[RedFlag, ...]:
    """The red_flags block: signs in plain words, examples, not_examples, RE2 patterns."""
    try:
        locale = get_locale(language)
        fillers, checkin = locale.sign_fillers, locale.checkin
    except ValueError:  # no locale: the file's header is refused for it already
        fillers, checkin = frozenset(), CheckinWords()
    flags: list[RedFlag] = []
    cost = 0  # the program size of the file's patterns so far
    for item, _line in c.items(doc, "red_flags"):
        flag = c.mapping(
            item,
            item.line,
            "a red flag",
            ("id", "signs", "examples", "not_examples"),
            ("emergency", "unless", "patterns"),
        )
        if flag is None:
            continue
        fid = c.ids.claim(flag.get("id"), flag.lines.get("id", flag.line), "red flag")
        emergency = flag.get("emergency", False)
        if not isinstance(emergency, bool):
            c.add(flag.lines["emergency"], "'emergency' must be true or false", fid)
        for kind in ("example", "not_example"):  # for the self-test's conflicts
            for text, line in _texts(flag, f"{kind}s"):
                c.place(kind, f"{fid}\n{text}", line)
        for sign, line in _texts(flag, "signs"):
            c.place("sign", f"{fid}\n{sign}", line)
            if problem := _sign_problem(sign, fillers, checkin):
                c.add(line, f"sign {sign!r} {problem}", fid)
        patterns = c.texts(flag, "patterns", fid, required=False)
        for pattern, line in _texts(flag, "patterns"):
            problem, size = _pattern_problem(pattern)
            if not problem and cost <= PATTERNS_PROGRAM_LIMIT < cost + size:
                problem = (
                    f"is too costly to run on every message with the patterns before it (RE2 "
                    f"program size {cost + size:,}, at most {PATTERNS_PROGRAM_LIMIT:,} in all): "
                    "write some of the signs in plain words instead"
                )
            cost += size
            if problem:
                c.add(line, f"pattern {pattern!r} {problem}", fid)
        flags.append(
            RedFlag(
                fid,
                emergency is True,
                c.texts(flag, "signs", fid, required=True),
                c.texts(flag, "unless", fid, required=False),
                c.texts(flag, "examples", fid, required=True),
                c.texts(flag, "not_examples", fid, required=True),
                patterns,
            )
        )
    return tuple(flags)


def _texts(block: Map, key: str) -> list[tuple[str, int]]:
    """The text items of a list, each with its line (`Checker.texts` reports the others)."""
    value = block.get(key)
    if not isinstance(value, Seq):
        return []
    return [
        (item.strip(), line)
        for item, line in zip(value, value.lines, strict=True)
        if isinstance(item, str) and item.strip()
    ]


def _sign_words(sign: str) -> list[tuple[bool, list[str]]]:
    """Each word of a sign in plain words: whether it names exceptions ("!a/b"), and its
    alternatives ("a/b")."""
    return [(word.startswith("!"), word.removeprefix("!").split("/")) for word in sign.split()]


def _sign_problem(sign: str, fillers: frozenset[str], checkin: CheckinWords) -> str:
    """Why a sign in plain words cannot work as written, or "" when it can.

    The analyzer reads an empty alternative, a lone "!" and a linking word as nothing: such a
    sign would silently catch other messages than the doctor wrote ("skin//white" is "skin or
    white", every message about skin), or none at all.
    """
    words = sign.split()
    for word in words:
        if word == "!":
            return "has a lone '!': write the exception right after it, as in 'fever !hay'"
        if _NO_WORD.search(word.removeprefix("!")) is None:
            continue
        if "" in word.removeprefix("!").split("/"):
            return (
                f"has an empty alternative in {word!r}: write a word on each side of "
                "every '/', as in 'lip/lips turned blue'"
            )
        return (
            f"has no word in {word!r}: write the words a patient would use, as in 'lip turned blue'"
        )
    said = [word for word in words if word[0] != "!"]
    if not said:
        return (
            "names only exceptions ('!'): begin it with the words of the sign, as in 'fever !hay'"
        )
    if not any(alt.lower() not in fillers for word in said for alt in word.split("/")):
        return (
            "has only linking words, which every sign may leave out: name what the patient "
            "describes, as in 'lip turned blue'"
        )
    meant = [alt.lower() for word in said for alt in word.split("/") if alt.lower() not in fillers]
    if all(checkin.negates(alt) for alt in meant):
        # A negation counts only next to the words it negates ("breathe not"): alone, never.
        return (
            "has only a negation, which counts only beside the words it negates: name them, "
            "as in 'breathe not'"
        )
    return ""


def _letters_of_any_alphabet(pattern: str) -> str:
    """The pattern with `\\w` and `\\W` read as a letter of any alphabet the bot reads or not.

    RE2's `\\w` is ASCII: `(^|[^\\w])морозит` found "морозит" inside "заморозить", since a
    Cyrillic letter is no `\\w` to it.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped == "w":
                out.append(_WORD_CHARS if in_class else f"[{_WORD_CHARS}]")
            elif escaped == "W" and not in_class:
                out.append(f"[^{_WORD_CHARS}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            # A "]" first in a class ("[]a]", "[^]a]") is one of its characters.
            start = i + 1 + (pattern[i + 1 : i + 2] == "^")
            if pattern[start : start + 1] == "]":
                out.append(pattern[i + 1 : start + 1])
                i = start + 1
                continue
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _pattern_problem(pattern: str) -> tuple[str, int]:
    """Why an escape-hatch pattern cannot be used ("" when it can), and its program size."""
    if len(pattern) > PATTERN_LIMIT:
        return f"is longer than {PATTERN_LIMIT} characters", 0
    try:
        compiled = re2.compile(_letters_of_any_alphabet(pattern), _options())
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        return (
            f"is not a regular expression RE2 accepts ({reason}); look-arounds and "
            "back-references are not supported: write the sign in plain words instead"
        ), 0
    size = int(compiled.programsize)
    if compiled.search("") is not None:
        # "lip turned blue|": found in every message, which would all get the urgent reply.
        return (
            "matches an empty message, so every message would trigger the red flag: look for "
            "a '|' with nothing on one side, or a whole pattern made optional with '?' or '*'"
        ), size
    if size > PATTERN_PROGRAM_LIMIT:
        return (
            f"is too costly to run on every message (RE2 program size {size:,}, at most "
            f"{PATTERN_PROGRAM_LIMIT:,}): make its counted repeats such as {{0,1000}} shorter, "
            "or write the sign in plain words"
        ), size
    return "", size


def _by_first_stem(phrases: list[Phrase]) -> dict[str, list[Phrase]]:
    """Phrases listed under one of the stems each needs."""
    listed: dict[str, list[Phrase]] = defaultdict(list)
    for phrase in phrases:
        listed[min(phrase[0])].append(phrase)
    return dict(listed)


def _options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # a refused pattern is reported as a FAQ problem, not on stderr
    return options


@dataclass(frozen=True, eq=False)  # told apart by identity: one sign, tried once a sentence
class _Sign:
    """A sign as slots of alternative tokens ("lip/skin turned blue/white": two slots)."""

    flag: RedFlag
    slots: tuple[frozenset[str], ...]
    exceptions: frozenset[str] = frozenset()
    # The locale's calm frames that leave it alone ("will it hurt like hell?" for a pain sign).
    frames: frozenset[int] = frozenset()

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of every slot."""
        return frozenset().union(*self.slots)


class RedFlagDetector:
    """Finds the red flags a message describes; built once per FAQ with the question analyzer."""

    def __init__(self, flags: Iterable[RedFlag], analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.flags = tuple(flags)
        locale = analyzer.locale
        self.negation = _one_token(analyzer, locale.negation)
        fillers = {t for word in locale.sign_fillers for t in analyzer.tokens(word)}
        # A sign may name a word questions read as nothing ("everything went dark", "talking
        # funny", "quick swelling"): those count. Dropped, "quick swelling" was "swelling".
        # Each alternative read once: most are in several signs.
        alternatives = dict.fromkeys(
            alt
            for flag in self.flags
            for text in flag.signs
            for alt in text.replace("/", " ").split()
        )
        named = {word for words in analyzer.words_of(list(alternatives)) for word in words}
        # The alternatives as `_sign` reads them as tokens, read all at once.
        analyzer.read_ahead(
            alt
            for flag in self.flags
            for text in flag.signs
            for _exception, alts in _sign_words(text)
            for alt in alts
        )
        self._keep = frozenset(
            word
            for word in named - locale.sign_fillers
            if word in locale.stopwords or analyzer.silences(word)
        )
        # "my throat is fine and my lips are swollen": a sign spanning "fine" is two things.
        self.reassurance = frozenset(
            t for word in locale.reassurance for t in analyzer.tokens(word, frozenset([word]))
        )
        self._keep |= {w for w in locale.reassurance if w in locale.stopwords}
        # "blisters like from a burn": what follows a likeness word is a comparison, not a cause,
        # so it is no exception. Those the signs do not keep are read only to mark the next word.
        self._likeness = frozenset(
            t for word in locale.likeness for t in analyzer.tokens(word, frozenset([word]))
        )
        self._likeness_only = frozenset(
            t
            for word in locale.likeness - self._keep
            for t in analyzer.tokens(word, frozenset([word]))
        )
        self._reading_keep = self._keep | locale.likeness
        self._frame_words = [
            frozenset(t for word in frame.words for t in analyzer.tokens(word))
            for frame in locale.calm_frames
        ]
        self._signs: dict[str, list[_Sign]] = defaultdict(list)
        # What the signs are about ("lip", "throat", "vision"): the first word of each sign.
        self._subjects: set[str] = set()
        # Every word of each flag's signs: "дышать не тяжело" negates "тяжело", a word of
        # another of the flag's signs, not the breathing.
        self._flag_words: dict[str, set[str]] = defaultdict(set)
        self._unless: dict[str, frozenset[str]] = {}
        # Every flag's patterns in one RE2 filter (the package has no types): a pass over a
        # message for the words each pattern cannot match without tells which patterns to run.
        # One set of all the patterns took three times as long on a new message, building its
        # machine's states for text it had not seen; a search per flag, 18 times as long.
        self._patterns = re2.Filter()
        self._pattern_flags: list[str] = []
        for flag in self.flags:
            for text in flag.signs:
                sign = self._sign(flag, text, fillers)
                if sign is not None:
                    for token in sign.slots[0]:
                        self._signs[token].append(sign)
                    self._subjects |= sign.slots[0]
                    self._flag_words[flag.id].update(t for slot in sign.slots for t in slot)
            self._unless[flag.id] = frozenset(
                t for w in flag.unless for t in analyzer.tokens(w, frozenset([w]))
            )
            for pattern in flag.patterns:
                self._patterns.Add(_letters_of_any_alphabet(pattern), _options())
                self._pattern_flags.append(flag.id)
        self._patterns.Compile()
        # Every word of every sign: a piece of a message with none cannot help complete one.
        self._sign_words = frozenset(t for words in self._flag_words.values() for t in words)
        # What the words of a message may be read as, to tell at a glance that no sign can be
        # complete in any of its sentences: most messages are then not read sentence by sentence.
        self._readers, feeding, wanted = analyzer.readers(self._sign_words)
        self._phrases = tuple(_by_first_stem(phrases) for phrases in (feeding, wanted))

    def _sign(self, flag: RedFlag, text: str, fillers: set[str]) -> _Sign | None:
        """A sign's slots: each word, or each "a/b/c" set of alternatives, is one slot.

        A word written "!a/b" names exceptions instead: the sign does not count when one of them
        comes between its words or right next to them ("see not !result": "can't see the result").
        An alternative written with "_" is a phrase ("!fear_of_needles"): the analyzer reads "_" as
        a space, so it folds like the FAQ's synonyms do.
        """
        slots: list[frozenset[str]] = []
        exceptions: set[str] = set()
        for exception, alternatives in _sign_words(text):
            options = frozenset(
                t
                for alt in alternatives
                for t in self.analyzer.tokens(alt, self._keep)
                if t not in fillers
            )
            if exception:
                exceptions |= options
            elif options and options not in slots:
                slots.append(options)
        if not slots:
            return None
        # A frame that names no words leaves every sign alone ("... years ago").
        frames = frozenset(
            i
            for i, words in enumerate(self._frame_words)
            if not words or any(words.intersection(slot) for slot in slots)
        )
        return _Sign(flag, tuple(slots), frozenset(exceptions), frames)

    def reassuring_exceptions(self, flag: RedFlag) -> list[tuple[str, str]]:
        """Each (sign, word) whose exception reads as a reassurance ("usually" as "normal").

        Such an exception silences the sign in "is it normal that ...?", the way patients ask.
        """
        return [
            (text, alt)
            for text in flag.signs
            for exception, alternatives in _sign_words(text)
            if exception
            for alt in alternatives
            if self.reassurance.intersection(self.analyzer.tokens(alt, self._keep))
        ]

    def folded_words(self, flag: RedFlag) -> list[tuple[str, list[str]]]:
        """Each sign with the next words ("a b") that a message reads as one synonym phrase.

        "skin breaking/broken down": "breaking down" is the FAQ's phrase for the filler wearing
        off, so a message saying it has no "breaking" and no "down" left, and the sign, read
        word by word, never matches it.
        """
        found: list[tuple[str, list[str]]] = []
        tokens = self.analyzer.tokens
        for text in flag.signs:
            words = [alts for exception, alts in _sign_words(text) if not exception]
            folded = [
                f"{a} {b}"
                for first, second in itertools.pairwise(words)
                for a, b in itertools.product(first, second)
                if "_" not in a + b
                and len(tokens(f"{a} {b}", self._keep))
                < len(tokens(a, self._keep) + tokens(b, self._keep))
            ]
            if folded:
                found.append((text, folded))
        return found

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every token some sign names ("fever", "vision", "pale")."""
        return frozenset(
            t
            for signs in self._signs.values()
            for sign in signs
            for slot in sign.slots
            for t in slot
        )

    def find(self, text: str) -> RedFlag | None:
        """The red flag a message describes, emergencies first, or None."""
        hits = self.find_all(text)
        return next((f for f in hits if f.emergency), hits[0] if hits else None)

    def find_all(self, text: str) -> list[RedFlag]:
        """Every red flag the message describes, in the FAQ's order."""
        with self.analyzer.message():
            return self._find_all(text)

    def _find_all(self, text: str) -> list[RedFlag]:
        hit: set[str] = set()
        locale = self.analyzer.locale
        text = readable(text)
        whole = " ".join(text.split())
        patterned = {self._pattern_flags[i] for i in self._patterns.Match(whole) or ()}
        # The whole-message frames: read only for a message with a pattern or a sign's every word.
        calm_message: set[int] | None = None
        if patterned:
            calm_message = self._calm_message(whole)
            # A message that leaves every sign alone ("I haven't had it yet") leaves the
            # patterns alone too: they name no words a frame could leave alone one by one.
            if all(self._frame_words[i] for i in calm_message):
                hit.update(patterned)
        # An invisible character may sit inside a word ("b\u200blue", read as one word) or stand
        # for a space ("губа\u200bпосинела"): both readings are looked at.
        other = spaced(text)
        if not self._may_have_a_sign(text if other == text else f"{text} {other}"):
            return [flag for flag in self.flags if flag.id in hit]
        sentences = self._readings(text)
        if other != text:
            sentences += self._readings(other)
        for sentence in sentences:
            sentence = locale.fold(sentence)  # "fever ❌" is "fever no"
            if locale.negation_after is not None:
                # "температуры нет" says what "нет температуры" says.
                sentence = locale.negation_after.sub(r"\2 \1", sentence)
            if locale.negation_list is not None:
                # "no chills or fever" says "no chills, no fever"; each pass reaches one more
                # item of a longer list ("no fever or chills or redness or pus").
                for _ in range(NEGATED_ITEMS):
                    spread = locale.negation_list.sub(r"\1 \2, \1 ", sentence)
                    if spread == sentence:
                        break
                    sentence = spread
            tokens, segments, likened = self._tokens(sentence)
            # A sign is listed under each word of its first slot: tried once, however many of
            # them the sentence names, and looked for word by word only when it has them all.
            present = set(tokens)
            signs = dict.fromkeys(s for first in present for s in self._signs.get(first, ()))
            calm: set[int] | None = None  # read only for a sentence with a sign's every word
            for sign in signs:
                if sign.flag.id in hit or any(slot.isdisjoint(present) for slot in sign.slots):
                    continue
                if calm_message is None:
                    calm_message = self._calm_message(whole)
                if calm is None:
                    # "Will it be extremely painful?" asks what the procedure is like, and pain
                    # is part of it; "can you fix droopy eyelids" asks about a look: no sign of a
                    # complication.
                    calm = calm_message | {
                        i
                        for i, frame in enumerate(locale.calm_frames)
                        if not frame.whole
                        and frame.pattern.search(sentence)
                        and not (frame.unless and frame.unless.search(whole))
                    }
                if not sign.frames.isdisjoint(calm):
                    continue
                if self._matches(sign, tokens, segments, likened):
                    hit.add(sign.flag.id)
        return [flag for flag in self.flags if flag.id in hit]

    def _calm_message(self, whole: str) -> set[int]:
        """The locale's calm frames read on the whole message that it matches."""
        frames = self.analyzer.locale.calm_frames
        return {i for i, frame in enumerate(frames) if frame.whole and frame.pattern.search(whole)}

    def _may_have_a_sign(self, text: str) -> bool:
        """Whether some sign has a word of each slot among all the ways the text's words may be
        read (any order, any sentence, typos fixed or not): False means none can be found."""
        stems = self.analyzer.possible_stems(text)
        if stems is None:
            return True  # too many unknown words to look over quickly: read it in full
        tokens = {t for stem in stems for t in self._readers.get(stem, ())}
        for phrases in self._phrases:
            found = {
                token for stem in stems for need, token in phrases.get(stem, ()) if need <= stems
            }
            stems |= found
            tokens |= found
        return any(
            all(not slot.isdisjoint(tokens) for slot in sign.slots)
            for first in tokens
            for sign in self._signs.get(first, ())
        )

    def _readings(self, text: str) -> list[str]:
        """The text's sentences, and each joined to the next where its break ends no thought.

        A pause ("i can't... breathe"), Enter pressed mid-sentence ("i can't\nbreathe") or a
        fragment of a few words ("Lip. White.", "my lip!!! it's blue") cuts a sign in two.
        """
        pieces: list[str] = []
        marks: list[str] = []
        joins: list[bool] = []
        start = 0
        for found in self.analyzer.locale.sentence_break.finditer(text):
            piece, mark = text[start : found.start()], found.group()
            pieces.append(piece)
            marks.append(mark)
            joins.append(".." in mark or not mark.strip("\n") or self._fragment(piece))
            start = found.end()
        pieces.append(text[start:])
        for i in range(len(joins)):
            if _ITEM.match(pieces[i]) and _ITEM.match(pieces[i + 1]):
                # Two items of a list are two things ("- swelling going down\n- fever ❌"); a line
                # before a list ("Lip:\n- white") still goes on into its first item.
                joins[i] = False
            else:
                # A word or two after the break goes on with the sentence before it: "look at
                # this spot above my lip. grey", «пятнышко над губой. серое».
                joins[i] = joins[i] or self._afterthought(pieces[i + 1])
        for i, answered in enumerate(self._answered_no(pieces, marks)):
            if answered:
                # "fever? no": the question is answered; it is read neither alone nor joined.
                pieces[i] = ""
                joins[i] = False
                if i:
                    joins[i - 1] = False
                if i + 1 < len(joins):
                    joins[i + 1] = False  # "No, none." is no sentence cut short either
        # From each break that ends no thought, on through the breaks after it that end none
        # either ("Face. Drooping. Right side.").
        spans: list[tuple[int, int]] = []
        for first in range(len(joins)):
            last = first
            while last < len(joins) and joins[last] and last - first < FRAGMENT_RUN:
                last += 1
            if last > first:
                spans.append((first, last))
        # A real message has a few such breaks; a wall of fragments is read only so far across.
        # Past that, the joins that bring words of signs from two pieces together come first: a
        # long story typed with Enter after every few words may end "i can't\nbreathe".
        if len(spans) > MAX_JOINED_READINGS:
            signed = [
                not self._sign_words.isdisjoint(self.analyzer.tokens(piece, self._keep))
                for piece in pieces
            ]
            spans.sort(key=lambda span: sum(signed[span[0] : span[1] + 1]) < 2)
        return pieces + [
            " ".join(pieces[first : last + 1]) for first, last in spans[:MAX_JOINED_READINGS]
        ]

    def _answered_no(self, pieces: list[str], marks: list[str]) -> list[bool]:
        """For each piece, whether it is a question the next piece answers no ("fever? no");
        `marks` are the breaks after each piece but the last.

        The answer counts when it says all is fine, or when it is short and the message then
        asks on, says all is fine or ends ("fever? no. chills? no"): "lip white? no. it's grey
        and cold" goes on about the lip.
        """
        answer = self.analyzer.locale.answered_no
        answered = [False] * len(pieces)
        if answer is None:
            return answered
        for i, mark in enumerate(marks):
            if "?" not in mark or answer.match(pieces[i + 1]) is None:
                continue
            after = pieces[i + 2].strip() if i + 2 < len(pieces) else ""
            ends = not after or (i + 2 < len(marks) and "?" in marks[i + 2]) or self._fine(after)
            short = len(pieces[i + 1].split()) <= FRAGMENT_WORDS
            answered[i] = self._fine(pieces[i + 1]) or (short and ends)
        return answered

    def _fine(self, piece: str) -> bool:
        """Whether a piece has a reassuring word ("normal", "fine", «нормально»)."""
        return not self.reassurance.isdisjoint(self.analyzer.tokens(piece, self._keep))

    def _afterthought(self, piece: str) -> bool:
        """A word or two that says more of the sentence before it ("... above my lip. grey")."""
        return 0 < len(piece.split()) <= AFTERTHOUGHT_WORDS and not self._fine(piece)

    def _fragment(self, piece: str) -> bool:
        """A few words the next sentence goes on with; "all fine." is a thought of its own."""
        return len(piece.split()) <= FRAGMENT_WORDS and not self._fine(piece)

    def _tokens(self, sentence: str) -> tuple[list[str], list[int], frozenset[int]]:
        """The sentence's tokens, for each the number of its negation segment, and the places
        of those right after a likeness word ("like", "как")."""
        tokens: list[str] = []
        segments: list[int] = []
        likened: set[int] = set()
        for number, part in enumerate(self.analyzer.locale.negation_break.split(sentence)):
            # Kept stop words count even misspelt ("thannk you"): a typo is corrected first.
            for token in self.analyzer.tokens(part, self._reading_keep):
                if token in self._likeness:
                    likened.add(len(tokens) + (token not in self._likeness_only))
                    if token in self._likeness_only:
                        continue
                tokens.append(token)
                segments.append(number)
        return tokens, segments, frozenset(likened)

    def _matches(
        self, sign: _Sign, tokens: list[str], segments: list[int], likened: frozenset[int]
    ) -> bool:
        """Every slot filled close together, and not after a negation."""
        width = len(sign.slots) + SIGN_GAP
        for start, token in enumerate(tokens):
            if not any(token in slot for slot in sign.slots):
                continue
            window = tokens[start : start + width]
            found = [
                next((i for i, t in enumerate(window) if t in slot), -1) for slot in sign.slots
            ]
            if -1 in found:
                continue
            end = start + max(found)
            if sign.exceptions and self._excepted(sign, tokens, segments, likened, start, end):
                continue
            # The flag's `unless` words between the sign's words describe an ordinary side
            # effect ("skin looks dull and grey"); before or after it they say something else
            # ("so tired, and my lip went blue").
            if self._unless[sign.flag.id].intersection(tokens[start + 1 : end]):
                continue
            if self._reassured(tokens, start, end):
                continue
            said = [window[i] == self.negation for i in found]
            used = [start + i for i in found]
            if any(said):
                # A negative sign ("breathe not"): its "not" must be next to its other words,
                # and must not belong to another of the flag's words ("дышать не тяжело").
                if self._next_to(used, said, segments) and not self._negates_other(
                    sign, tokens, used, said
                ):
                    return True
            elif not self._negated(tokens, segments, start, set(used)):
                return True
        return False

    @staticmethod
    def _next_to(found: list[int], said: list[bool], segments: list[int]) -> bool:
        """The negation that fills a slot is next to another slot's word, in the same part."""
        # "can't see", not "I see fine, nothing is blurry, not worried" nor "честно говоря, чтоб
        # не испортили".
        negations = [i for i, negation in zip(found, said, strict=True) if negation]
        others = [i for i, negation in zip(found, said, strict=True) if not negation]
        return any(
            abs(n - o) <= NEGATION_REACH + 1 and segments[n] == segments[o]
            for n in negations
            for o in others
        )

    @staticmethod
    def _excepted(
        sign: _Sign,
        tokens: list[str],
        segments: list[int],
        likened: frozenset[int],
        start: int,
        end: int,
    ) -> bool:
        """One of the sign's exceptions between its words, or next to them in the same part;
        one compared to ("blisters like a burn") is none, unless it is a word of the sign too."""

        def counts(i: int) -> bool:
            return tokens[i] in sign.exceptions and (i not in likened or tokens[i] in sign.words)

        if any(counts(i) for i in range(start, end + 1)):
            return True
        before = range(max(0, start - EXCEPTION_REACH), start)
        after = range(end + 1, min(len(tokens), end + 1 + EXCEPTION_REACH))
        return any(
            counts(i) and segments[i] == segments[edge]
            for edge, span in ((start, before), (end, after))
            for i in span
        )

    def _negates_other(
        self, sign: _Sign, tokens: list[str], found: list[int], said: list[bool]
    ) -> bool:
        """The sign's "not" comes right before a word of another sign of its flag."""
        words = self._flag_words[sign.flag.id]
        return any(
            n + 1 < len(tokens) and tokens[n + 1] in words and tokens[n + 1] not in sign.words
            for n, negation in zip(found, said, strict=True)
            if negation
        )

    def _reassured(self, tokens: list[str], start: int, end: int) -> bool:
        """A reassuring word between the sign's words, said of something else than the sign.

        "My throat is fine and my lips are swollen": after "fine" comes another subject, the
        lips. "My lip looks ok but it's turning white" names none: the lip is not fine. A
        reassurance with a negation beside it reassures nobody: "not fine", "can't lift my leg
        normally" ("ногу нормально поднять не могу").
        """
        return any(
            tokens[i] in self.reassurance
            and self.negation not in tokens[max(i - REASSURANCE_NEGATED, 0) : i]
            and self.negation not in tokens[i + 1 : i + 1 + REASSURANCE_NEGATED]
            and self._subjects.intersection(tokens[i + 1 : end])
            for i in range(start + 1, end)
        )

    def _negated(self, tokens: list[str], segments: list[int], start: int, used: set[int]) -> bool:
        """A negation shortly before the sign, or right before one of its words, in its part."""
        # "lip is not blue"; in "the mouth hangs, i can't smile" the "not" belongs to a word the
        # sign did not use. Stop words kept for signs do not count towards the reach: "I don't
        # have blisters". A reassurance does: in "not ok my lip is blue" "not" is said of "ok".
        first, reach = start, NEGATION_REACH
        while first > 0 and reach > 0:
            first -= 1
            reach -= tokens[first] not in self._keep or tokens[first] in self.reassurance
        if any(
            tokens[i] == self.negation and segments[i] == segments[start]
            for i in range(first, start)
        ):
            return True
        return any(
            tokens[i - 1] == self.negation and segments[i - 1] == segments[i]
            for i in used
            if i > start
        )


def _one_token(analyzer: Analyzer, word: str) -> str:
    tokens = analyzer.tokens(word)
    if len(tokens) != 1:
        raise ValueError(f"the locale's negation word {word!r} must be one token, not {tokens}")
    return tokens[0]
