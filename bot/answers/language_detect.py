"""Which language a message is written in; Russian typed on a Latin keyboard, back in Cyrillic.

Cyrillic text is Russian. A Latin-script message is Russian in transliteration ("skolko
derzhitsya effekt") when more of its words read as Russian words than as English ones: each
word is looked up in English's word list as written, and in Russian's after converting it to
Cyrillic with every spelling patients use (zh/j for ж, kh/h for х, ts/c for ц, y/i for ы and й,
e for э, a missing soft sign ...). A word found in both lists ("no", "to", "net") tells
nothing, one letter counts for nothing and two for half, and the Russian-only words must weigh
at least one longer word: English is never read as transliteration on the strength of its short
words. A message that tells nothing goes to the fallback language (the chat's so far).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

from bot.locale import without_marks, word_list

RUSSIAN = "ru"
ENGLISH = "en"

# Latin spellings of Russian letters, longer sequences first; the first option of each is the
# one written when a word is not in the word list. "sh" may stand for щ ("eshe"), "ts" for
# т + с ("otsutstvie") and "ia" for я ("rekomendacia") or и + а ("diabet"), so each alternative
# is tried against the word list.
TRANSLIT: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "sch": ("щ", "сч"),
    "zh": ("ж",),
    "kh": ("х",),
    "ch": ("ч",),
    "sh": ("ш", "щ"),
    "tsa": ("ца", "тса", "тся"),  # chats write "-тся" so ("nravitsa")
    "ts": ("ц", "тс"),
    "tz": ("ц",),
    "yu": ("ю",),
    "ju": ("ю",),
    "iu": ("иу", "ю"),
    "ya": ("я",),
    "ja": ("я",),
    "ia": ("иа", "я"),
    "yo": ("ё",),
    "jo": ("ё",),
    "io": ("ио", "ё"),
    "ye": ("е",),
    "je": ("е",),
    "iy": ("ий",),
    "ij": ("ий",),
    "yy": ("ый",),
    "yj": ("ый",),
    "a": ("а",),
    "b": ("б",),
    "c": ("ц", "к"),
    "d": ("д",),
    "e": ("е", "э"),
    "f": ("ф",),
    "g": ("г",),
    "h": ("х",),
    "i": ("и", "й"),
    "j": ("й", "ж"),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "q": ("к",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у",),
    "v": ("в",),
    "w": ("в", "ш"),
    "x": ("кс", "х"),
    "y": ("ы", "й"),
    "z": ("з",),
    "'": ("ь",),
}
LONGEST = max(map(len, TRANSLIT))


def fold_letters(word: str) -> str:
    """The word with the letters patients mix up or leave out folded together ("ё" as "е")."""
    # str.replace, not str.translate: several times faster on Cyrillic, and the 50,000 words of
    # the Russian word list are folded at every load.
    return (
        word.replace("ё", "е")
        .replace("э", "е")
        .replace("й", "и")
        .replace("ы", "и")
        .replace("ь", "")
        .replace("ъ", "")
    )


# Each Latin sequence with its options folded, duplicates dropped.
_FOLDED = {
    latin: tuple(dict.fromkeys(fold_letters(option) for option in options))
    for latin, options in TRANSLIT.items()
}
# The endings of English contractions ("don't", "i'm") after the apostrophe; and contractions
# typed without it, which the word list lacks ("im" would otherwise read as Russian "им").
CONTRACTION_TAILS = frozenset({"t", "s", "m", "re", "ve", "ll", "d"})
# fmt: off
ENGLISH_CONTRACTIONS = frozenset((
    "im", "ive", "id", "ill", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent",
    "cant", "wont", "youre", "youve", "theyre", "thats", "whats", "theres", "hasnt", "havent",
    "hadnt", "shouldnt", "wouldnt", "couldnt", "hes", "shes", "its", "lets", "hows",
))
# fmt: on
# A message reads as transliterated Russian when its Russian-only words weigh at least this
# (one word of three letters or more, or two shorter ones) and more than its English-only ones.
MIN_RUSSIAN = 1.0
_VOWELS = frozenset("aeiouy")
_Y_ENDINGS = frozenset({"iy", "ij", "yy", "yj"})
# A word's spellings tried before giving up: far more than any real word needs.
MAX_STEPS = 4000

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_CYRILLIC_WORD = re.compile(r"[а-яё-]+", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_CYRILLIC_OR_I = re.compile(r"[а-яёі]", re.IGNORECASE)
_LETTERS = {RUSSIAN: _CYRILLIC, ENGLISH: _LATIN}
# Latin words, with apostrophes inside or at the end ("bol'no", "ochen'", "don't"); not the
# letters of "3d" or "spf50".
_LATIN_WORD = re.compile(r"(?<![0-9a-z'])[a-z]+(?:'[a-z]+)*'?(?![0-9a-z])", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'"})
# Letters that look alike in both alphabets. A word that mixes the two ("губa пocинeлa", "my
# lір") is written in one: the one whose look-alikes explain the other's letters.
_LOOKALIKES = ("aceopxykiAEOPCXYKMHTB", "асеорхукіАЕОРСХУКМНТВ")
_TO_CYRILLIC = str.maketrans(*_LOOKALIKES)
_TO_LATIN = str.maketrans(_LOOKALIKES[1], _LOOKALIKES[0])
_WORD = re.compile(r"[^\W\d_]+")
# A Latin word, its accented letters included ("się", "¿duele" without its "¿"); for telling
# another language (`LanguageDetector.other_language`), which the ASCII words above would split.
_ANY_LATIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*", re.IGNORECASE)
_BARE = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe"})


def _other(words: str, letters: str) -> tuple[frozenset[str], str]:
    """A language's words, as a text with spaces between, and its letters."""
    return frozenset(words.split()), letters


# Languages patients may write in that no FAQ file answers: common words of each (written
# without accents, as they are looked up) and the letters only it writes among these. A message
# in one of them gets, instead of an answer, the languages the bot answers in. Words a Russian
# patient typing in Latin letters may write ("siniaki", "dobry den", "efekt", "mozna") are left
# out; those both write ("boli", "jest") count, but each message also needs a word that is
# neither English nor a common Russian one (see `OTHER_ANCHOR_RANK`).
# fmt: off
OTHER_LANGUAGES: dict[str, tuple[frozenset[str], str]] = {
    "pl": _other("""
        czy nie jest sie ile jaki jaka jakie jakim kiedy dlaczego gdzie bardzo boli bolesne
        bolesny bol zabieg zabiegu zabiegi moge mozesz jestem bedzie bede przez tylko juz tez
        albo oraz ktory ktora ktore ktorych kosztuje koszt cena dlugo trwa utrzymuje twarz
        twarzy policzki opuchlizna obrzek hialuronowy wypelniacz wypelniacze dziekuje prosze
        dzien czesc witam mam mnie mi moj moja moje jego jej nich pozniej przed zrobic
        zrobienie robi dziala wiecej mniej troche mozliwe musze trzeba swoje swoj
        """, "ąćęłńśźż"),
    "es": _other("""
        el los las una unos unas que del por para con sin como cuanto cuanta cuantos cuantas
        cuando donde porque pero muy mas tambien duele dolor doloroso dolorosa procedimiento
        tratamiento despues antes puedo puede tengo tiene hay esta estan estoy soy cuesta precio
        dura cara labios acido hialuronico hinchazon moretones hematomas gracias hola buenos
        buenas dias tardes noches hacer hace mucho poco cual cuales quiero necesito
        """, "ñ¿¡"),
    "de": _other("""
        der die das ist ein eine einen einem nicht und oder wie was wann warum wo lange tut weh
        schmerzhaft schmerzen schmerz nach vor behandlung kann ich mich mir sie wir ihr mit ohne
        fur auf aus bei zum zur noch schon auch nur sehr gesicht lippen kosten kostet halt
        danke hallo bitte guten tag nein gibt sind bin habe hat haben wird werden darf muss soll
        sollte welche kein keine wieviel viel eingriff
        """, "äöüß"),
    "fr": _other("""
        le les une des du est ce que qui quoi comment combien pourquoi quand je tu il elle nous
        vous ils ca mal fait faire apres avant avec sans pour sur dans pas oui merci bonjour
        douleur visage levres coute prix dure peux puis peut etre tres aussi mon ma mes
        traitement procedure
        """, "œ"),
    "it": _other("""
        il gli una che di del della non come quanto quanti quando perche dove fa male dolore
        dopo prima posso sono ho hanno con senza per molto anche grazie ciao buongiorno viso
        labbra costa dura trattamento procedura fanno
        """, ""),
    "pt": _other("""
        os uma que do da dos das em no na por para com sem como quanto quando porque onde doi
        dor depois antes posso nao sim obrigado obrigada ola rosto labios custa dura
        procedimento tratamento muito tambem eu meu minha voce
        """, "ãõ"),
}
# fmt: on
# Every word and letter of those languages: a message with none of them is none of theirs.
_OTHER_WORDS = frozenset().union(*(known for known, _ in OTHER_LANGUAGES.values()))
_OTHER_LETTERS = frozenset("".join(letters for _, letters in OTHER_LANGUAGES.values()))


def _bare(word: str) -> str:
    """A word as the languages' lists are written: without accents ("się" as "sie")."""
    bare = word.translate(_BARE)
    return bare if bare.isascii() else without_marks(bare)


# A word read as Russian in Latin letters is a common Russian word, which tells no other language
# apart, when its Russian reading is at most this far down the word list ("boli", "боли", is;
# "czy", read as "цзы", and "nie", "ние", are not).
OTHER_ANCHOR_RANK = 20000


def one_alphabet(text: str) -> str:
    """The text as it shows: plain letters ("ｇｕｂａ"), each word in one alphabet ("губa")."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    if not (_LATIN.search(text) and _CYRILLIC_OR_I.search(text)):
        return text
    return _WORD.sub(_unmixed, text)


# Three or more single letters with one space, dot or hyphen between ("b l u e", "b-l-u-e").
_SPELT_OUT = re.compile(
    r"(?<![\w'’])[^\W\d_](?P<sep>[ .\-])[^\W\d_](?:(?P=sep)[^\W\d_])+(?![\w'’])"
)


def joined_letters(text: str, known: Callable[[str], bool]) -> str:
    """The text with each word spelt out letter by letter joined, when it is a `known` word."""
    if " " not in text:
        return text

    def join(match: re.Match[str]) -> str:
        word = match.group(0).replace(match.group("sep"), "")
        return word if known(word) else match.group(0)

    return _SPELT_OUT.sub(join, text)


# The Russian letters on the same keys of the English keyboard: "ghbdtn" is "привет" typed
# without switching the layout ("б", "ю", "ж", "э", "х", "ъ", "ё" sit on ",.;'[]`").
_LAYOUT = str.maketrans("qwertyuiop[]asdfghjkl;'zxcvbnm,.`", "йцукенгшщзхъфывапролджэячсмитьбюё")
# A run of those keys with a letter in it; punctuation at its end may be meant as punctuation.
_LAYOUT_WORD = re.compile(r"(?<![\w;'\[\],.`])[a-z;'\[\],.`]*[a-z][a-z;'\[\],.`]*", re.IGNORECASE)
_TRAILING = re.compile(r"[,.]+$")
# Words typed in the wrong layout it takes to read a message so (one will do when the message
# has no English word at all: "ghbdtn").
MIN_LAYOUT_WORDS = 2


def _unmixed(match: re.Match[str]) -> str:
    word = match.group(0)
    latin, cyrillic = _LATIN.findall(word), _CYRILLIC_OR_I.findall(word)
    if not (latin and cyrillic):
        return word
    # Into the alphabet whose look-alikes explain every letter of the other, the larger share
    # first: "lір" can only be Latin ("l" has no Cyrillic twin).
    to_cyrillic = all(letter in _LOOKALIKES[0] for letter in latin)
    to_latin = all(letter in _LOOKALIKES[1] for letter in cyrillic)
    if to_cyrillic and (len(cyrillic) >= len(latin) or not to_latin):
        return word.translate(_TO_CYRILLIC)
    return word.translate(_TO_LATIN) if to_latin else word


class Transliterator:
    """Latin-script Russian back to Cyrillic, spelt as in the Russian word list where it can."""

    def __init__(self, russian_words: Iterable[str]) -> None:
        words = list(russian_words)
        # Lower-cased and folded as one text, not word by word: the 50,000 words are read at
        # every load. A word with a line break of its own would be split apart, so such a list
        # is read word by word.
        joined = "\n".join(words).lower()
        lowered = joined.split("\n")
        if len(lowered) == len(words):
            folded = fold_letters(joined).split("\n")
        else:
            lowered = [word.lower() for word in words]
            folded = [fold_letters(word) for word in lowered]
        # Most frequent first: a folded form's rank is its first place in the list (written
        # last, from the end), where its commonest spelling stands.
        self._lowered = tuple(lowered)
        self._ranks = dict(zip(reversed(folded), range(len(folded) - 1, -1, -1), strict=True))
        self._sorted = sorted(self._ranks)
        self._cache: dict[str, str | None] = {}

    def _has_prefix(self, prefix: str) -> bool:
        index = bisect_left(self._sorted, prefix)
        return index < len(self._sorted) and self._sorted[index].startswith(prefix)

    def lookup(self, word: str) -> str | None:
        """The commonest Russian word a Latin word may spell ("bolno" -> "больно"), else None."""
        word = word.lower()
        if word in self._cache:
            return self._cache[word]
        found: str | None = None
        found_rank = len(self._lowered)
        stack = [(0, "")]
        seen: set[tuple[int, str]] = set()
        steps = 0
        while stack and steps < MAX_STEPS:
            steps += 1
            at, prefix = stack.pop()
            if at == len(word):
                rank = self._ranks.get(prefix)
                if rank is not None and rank < found_rank:
                    found, found_rank = self._lowered[rank], rank
                continue
            for size in range(min(LONGEST, len(word) - at), 0, -1):
                for option in _FOLDED.get(word[at : at + size], ()):
                    state = (at + size, prefix + option)
                    if state not in seen and (not option or self._has_prefix(state[1])):
                        seen.add(state)
                        stack.append(state)
        if len(self._cache) < 8192:
            self._cache[word] = found
        return found

    def rank(self, word: str) -> int | None:
        """How far down the word list the Russian word a Latin word may spell is, else None."""
        found = self.lookup(word)
        return None if found is None else self._ranks[fold_letters(found)]

    def knows(self, word: str) -> bool:
        """Whether a Cyrillic word is in the Russian word list (letters patients mix folded)."""
        return fold_letters(word.lower()) in self._ranks

    def known_in_cyrillic(self, text: str) -> str:
        """The text with each Latin word the Russian word list knows written in Cyrillic."""

        def convert(match: re.Match[str]) -> str:
            word = match.group(0)
            return self.lookup(word) or word

        return _LATIN_WORD.sub(convert, text.translate(_APOSTROPHES))

    def to_cyrillic(self, text: str) -> str:
        """The text with every Latin word written in Cyrillic; everything else kept."""

        def convert(match: re.Match[str]) -> str:
            word = match.group(0)
            return self.lookup(word) or spell(word)

        return _LATIN_WORD.sub(convert, text.translate(_APOSTROPHES))


def spell(word: str) -> str:
    """A Latin word in Cyrillic sequence by sequence, longer ones first ("shchi" -> "щи")."""
    lower = word.lower()
    out: list[str] = []
    at = 0
    while at < len(lower):
        for size in range(min(LONGEST, len(lower) - at), 0, -1):
            chunk = lower[at : at + size]
            options = TRANSLIT.get(chunk)
            # "iya" is и + я, not ий + а ("anesteziya").
            if options and not (
                chunk in _Y_ENDINGS and lower[at + size : at + size + 1] in _VOWELS
            ):
                break
        else:
            out.append(lower[at])
            at += 1
            continue
        letter = options[0]
        # An "i" between a vowel and a consonant (or the end) is й: "proidet", "kakoi".
        if (
            chunk == "i"
            and at
            and lower[at - 1] in _VOWELS
            and lower[at + 1 : at + 2] not in _VOWELS
        ):
            letter = "й"
        out.append(letter)
        at += size
    return "".join(out)


@dataclass(frozen=True)
class Detection:
    """The language a message goes to, and its text as that language's assistant reads it."""

    language: str
    text: str
    translit: bool = False  # the text was Russian in Latin letters, now written in Cyrillic


class LanguageDetector:
    """Picks one of the loaded languages for each message; pure, word look-ups cached."""

    def __init__(
        self,
        languages: Sequence[str],
        english_words: Iterable[str] | None = None,
        russian_words: Iterable[str] | None = None,
        vocabulary: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """`english_words` and `russian_words` (most frequent first) default to the shipped
        bot/locales/en.words and ru.words; `vocabulary` adds each FAQ file's own words
        ("софтлифтинг", "nasolabial"), which a list of common words lacks.
        """
        if not languages:
            raise ValueError("at least one language is needed")
        self.languages = tuple(languages)
        extra = vocabulary or {}
        english = word_list(ENGLISH) if english_words is None else english_words
        # Keys of a dict, not a set: see `Locale.common_words`.
        self._english = dict.fromkeys(chain(english, extra.get(ENGLISH, ()), ENGLISH_CONTRACTIONS))
        self._translit: Transliterator | None = None
        if RUSSIAN in self.languages:
            russian = word_list(RUSSIAN) if russian_words is None else russian_words
            own = (w for w in extra.get(RUSSIAN, ()) if _CYRILLIC_WORD.fullmatch(w))
            self._translit = Transliterator(chain(russian, own))

    def _english_word(self, word: str) -> bool:
        if word in self._english or word.replace("'", "") in self._english:
            return True
        head, _, tail = word.partition("'")
        return head in self._english and tail in CONTRACTION_TAILS

    def is_word(self, word: str) -> bool:
        """Whether a word is a common or FAQ word of a loaded language."""
        word = word.lower()
        if _CYRILLIC_WORD.fullmatch(word):
            return self._translit is not None and self._translit.knows(word)
        return self._english_word(word)

    def in_right_layout(self, text: str) -> str:
        """The text with Russian typed on the English layout ("crjkmrj lth;bncz") in Cyrillic.

        A word is read so only when it is no English word and its Cyrillic twin is a Russian
        one; the message only when such words outnumber its English ones.
        """
        if self._translit is None or not _LATIN.search(text):
            return text
        found: dict[str, str] = {}
        english = 0
        for match in _LAYOUT_WORD.finditer(text):
            run = match.group(0)
            if self._english_word(run.lower().strip(",.;'[]`")):
                english += 1
                continue
            # A comma or dot at the end is "б" or "ю" ("vj." is "мою"), or punctuation.
            for word in dict.fromkeys((run, _TRAILING.sub("", run))):
                cyrillic = word.lower().translate(_LAYOUT)
                if len(cyrillic) > 1 and self._translit.knows(cyrillic):
                    found[run] = cyrillic + run[len(word) :]
                    break
        if len(found) <= english or (len(found) < MIN_LAYOUT_WORDS and english):
            return text
        return _LAYOUT_WORD.sub(lambda match: found.get(match.group(0), match.group(0)), text)

    def translit_score(self, text: str) -> tuple[float, float]:
        """(Russian, English): the weight of the Latin words that read as only one of the two."""
        if self._translit is None:
            return 0.0, 0.0
        russian = english = 0.0
        for match in _LATIN_WORD.finditer(text.translate(_APOSTROPHES)):
            word = match.group(0).lower()
            letters = len(word.replace("'", ""))
            # One letter tells nothing ("a", "i", "v"); two letters tell a little ("rf", "ml").
            weight = 0.0 if letters < 2 else 0.5 if letters == 2 else 1.0
            is_english = self._english_word(word)
            is_russian = self._translit.lookup(word) is not None
            if is_russian and not is_english:
                russian += weight
            elif is_english and not is_russian:
                english += weight
        return russian, english

    def reads_as(self, text: str) -> str | None:
        """What the text reads as: Russian (Cyrillic or transliterated), English, or None."""
        cyrillic = len(_CYRILLIC.findall(text))
        latin = len(_LATIN.findall(text))
        if cyrillic > latin:
            return RUSSIAN
        if latin == 0 or self._translit is None:
            return ENGLISH if latin else None
        russian, english = self.translit_score(text)
        if russian >= MIN_RUSSIAN and russian > english:
            return RUSSIAN
        return ENGLISH if english > russian else None

    def other_language(self, text: str) -> str | None:
        """The language, none of the loaded ones, a Latin-script message is clearly written in
        ("Czy to boli?": "pl"), else None.

        Its words (or letters: "ñ", "ł") must weigh at least one word of three letters or more,
        more than the English-only and Russian-only words beside them, and one of them must be
        neither an English word nor a common Russian one.
        """
        if _CYRILLIC.search(text):
            return None
        words = [w.lower() for w in _ANY_LATIN_WORD.findall(text.translate(_APOSTROPHES))]
        if not words:
            return None
        bares = [_bare(word) for word in words]
        if all(
            bare not in _OTHER_WORDS and _OTHER_LETTERS.isdisjoint(word)
            for word, bare in zip(words, bares, strict=True)
        ):
            return None  # no word of any of them, as in most messages: nothing to weigh
        read = [self._read_for_other(word, bare) for word, bare in zip(words, bares, strict=True)]
        best, best_weight = None, 0.0
        for code, (known, letters) in OTHER_LANGUAGES.items():
            if code in self.languages:
                continue
            theirs = english = russian = shared = 0.0
            anchored = False
            for word, (bare, weight, is_english, is_russian, common) in zip(
                words, read, strict=True
            ):
                if bare in known or (letters and any(c in letters for c in word)):
                    theirs += weight
                    anchored = anchored or not (is_english or common)
                elif is_english and not is_russian:
                    english += weight
                elif is_russian and not is_english:
                    russian += weight
                elif is_english:
                    shared += weight  # "is", "to": either loaded language's
            # "Buenos dias! is it painful?": a greeting in another language before a question in
            # a loaded one; the words either loaded language has count for the question.
            if (
                anchored
                and theirs >= MIN_RUSSIAN
                and theirs > max(english, russian) + shared
                and theirs > best_weight
            ):
                best, best_weight = code, theirs
        return best

    def _read_for_other(self, word: str, bare: str) -> tuple[str, float, bool, bool, bool]:
        """A word without accents (`bare`), its weight, whether it is English, Russian in Latin
        letters, and a common Russian word."""
        letters = len(bare.replace("'", ""))
        weight = 0.0 if letters < 2 else 0.5 if letters == 2 else 1.0
        if not word.isascii():
            return bare, weight, False, False, False
        rank = self._translit.rank(word) if self._translit is not None else None
        common = rank is not None and rank <= OTHER_ANCHOR_RANK
        return bare, weight, self._english_word(word), rank is not None, common

    def detect(self, text: str, fallback: str | None = None) -> Detection:
        """The loaded language a message goes to, and its text for that language.

        `fallback` (say, the language of the chat so far) decides when the text does not:
        no letters, or Latin words that read as much Russian as English ("da", "ok").
        """
        reads = self.reads_as(text) if len(self.languages) > 1 or self._translit else None
        if reads in self.languages:
            language = str(reads)
        elif fallback in self.languages:
            language = str(fallback)
        elif reads is None and ENGLISH in self.languages and _LATIN.search(text):
            language = ENGLISH  # Latin words that tell nothing are likelier English
        else:
            language = self.languages[0]
        converted = self._in_cyrillic(text, reads) if language == RUSSIAN else text
        return Detection(language, converted, translit=converted != text)

    def has_none_of_its_letters(self, text: str, language: str) -> bool:
        """Whether the text has letters but none of the language's alphabet: no word to read."""
        own = _LETTERS.get(language)
        return own is not None and not own.search(text) and any(c.isalpha() for c in text)

    def text_for(self, text: str, language: str) -> str:
        """The text as one language's assistant reads it: transliterated Russian in Cyrillic."""
        if language != RUSSIAN:
            return text
        return self._in_cyrillic(text, self.reads_as(text))

    def _in_cyrillic(self, text: str, reads: str | None) -> str:
        """Latin-script text that may be Russian written in Cyrillic; any other text as it is."""
        if self._translit is None or reads == ENGLISH or not _LATIN.search(text):
            return text
        if len(_LATIN.findall(text)) > len(_CYRILLIC.findall(text)):
            return self._translit.to_cyrillic(text)
        # Mostly Cyrillic: a Latin word that is a Russian one ("guba посинела") is read in
        # Cyrillic; any other (a brand, "SPF") stays as written.
        return self._translit.known_in_cyrillic(text)
