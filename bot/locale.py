"""User-facing strings and matcher language data, one YAML file per language."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from itertools import accumulate
from types import MappingProxyType
from typing import Any

import yaml

# Direction marks, embeddings, overrides and isolates: they reorder how the text around them shows.
_DIRECTION_CHARS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters that show nothing: soft hyphen, zero-width spaces and joiners, direction marks,
# word joiner and invisible operators, the byte-order mark (Unicode's format characters, Cf),
# and, once NFKC has composed letters such as "й", stray accents ("поси\u0301нела").
_INVISIBLE_CHARS = f"\u00ad\u180e\u200b-\u200d{_DIRECTION_CHARS}\u2060-\u2064\u206a-\u206f\ufeff"
_ACCENT_CHARS = "\u0300-\u036f"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# Both dropped by fold, in one pass.
_HIDDEN = re.compile(f"[{_INVISIBLE_CHARS}{_ACCENT_CHARS}]")
# A letter typed four times or more is stretched for effect ("bluuuue", "нееее могу"): read once.
# Three times is likelier a doubled letter typed once more ("swellling"): read twice.
_STRETCHED = re.compile(r"([^\W\d_])\1{3,}")
_TRIPLED = re.compile(r"([^\W\d_])\1{2}")
# Any character three times: few texts have one, and this check is far cheaper than the two above.
_REPEATED = re.compile(r"(.)\1\1", re.DOTALL)
_DIRECTION = re.compile(f"[{_DIRECTION_CHARS}]")
# C0 and C1 controls: a terminal acts on them (ESC and CSI rewrite the screen, OSC 52 the clipboard).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Half of a surrogate pair, which a JSON "\ud83d" can deliver: no text, and no encoder takes it.
_SURROGATE = re.compile("[\ud800-\udfff]")
# A language code such as en or ru: the name of its locale file in bot/locales/.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# What an emoji carries that changes nothing of what it says: the text and emoji presentation
# selectors ("❤️" is "❤" + U+FE0F), the joiner and skin tones ("👍🏽").
_EMOJI_MARKS = re.compile("[\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff]")


def _unstretched(text: str) -> str:
    """The text with stretched letters read once and tripled ones twice."""
    if _REPEATED.search(text):
        return _TRIPLED.sub(r"\1\1", _STRETCHED.sub(r"\1", text))
    return text


def readable(text: str) -> str:
    """The text with lone surrogates replaced, so that every encoder and regex engine takes it."""
    return _SURROGATE.sub("\ufffd", text)


def shown_as_typed(text: str) -> str:
    """The text without direction controls, so that it shows in the order it was typed."""
    return _DIRECTION.sub("", text)


def on_one_line(text: str) -> str:
    """A patient's text as typed on one line: no direction or control characters, single spaces."""
    return " ".join(_CONTROL.sub(" ", shown_as_typed(text)).split())


def said_in_emoji(text: str, meanings: Mapping[str, str]) -> str | None:
    """The words a message of emoji alone says ("👍🏽!" is "ok"), from the locale's `emoji`;
    None when it has a letter or digit, an emoji the locale does not give, or two meanings."""
    said = None
    # Left at the first character with no meaning of its own: most messages begin with a letter.
    for char in _EMOJI_MARKS.sub("", text):
        if char.isspace() or unicodedata.category(char).startswith("P"):
            continue
        meaning = meanings.get(char)
        if meaning is None or said not in (None, meaning):
            return None
        said = meaning
    return said


def without_marks(text: str) -> str:
    """The text with its letters' accents left out: "São Paulo" as "Sao Paulo"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def spaced(text: str) -> str:
    """The text with invisible characters read as spaces ("губа\u200bпосинела": two words)."""
    return _INVISIBLE.sub(" ", text)


@dataclass(frozen=True)
class DateWords:
    """Words a patient may type for a procedure date, a time of day or a time zone (enrolment)."""

    days_ago: tuple[tuple[str, int], ...] = ()  # ("вчера", 1): a word and how many days ago
    # What follows a number of days or weeks, and the days in one: ("недели назад", 7).
    n_days_ago: tuple[tuple[str, int], ...] = ()
    numbers: tuple[tuple[str, int], ...] = ()  # ("три", 3): "три дня назад" as "3 дня назад"
    months: tuple[tuple[str, int], ...] = ()  # ("марта", 3)
    date_fillers: tuple[str, ...] = ()  # "of" of "15th of March"
    ordinals: tuple[str, ...] = ()  # "го" of "18-го мая": a day's ordinal ending, read past
    vague: tuple[str, ...] = ()  # "last week", "пару дней назад": no one day, so it is asked
    ahead_words: tuple[str, ...] = ()  # "in" of "in 2 days", "через" of "через неделю"
    # What follows a number of days or weeks to come, and the days in one: ("weeks", 7).
    n_days_ahead: tuple[tuple[str, int], ...] = ()
    weekdays: tuple[tuple[str, int], ...] = ()  # ("friday", 4): Monday is 0
    weekday_prefixes: tuple[str, ...] = ()  # "on" of "on Friday", "в" of "в пятницу"
    last_words: tuple[str, ...] = ()  # "last" of "last Friday": before today, a week ago if today
    day_parts: tuple[str, ...] = ()  # "evening" of "yesterday evening": nothing more of the date
    year_words: tuple[str, ...] = ()  # "года" of "15 марта 2025 года"
    day_month: bool = False  # "15.03" without a year: this year, or last year if still to come
    slash_dates: bool = False  # "15/03/2025" read as "15.03.2025" (where the day comes first)
    # "15/03" and "03/15": day or month first, whichever order makes a day the course can have
    # (where both orders are written).
    slash_either: bool = False
    time_prefixes: tuple[str, ...] = ()  # "в" of "в 9 утра"
    hour_words: tuple[tuple[str, int], ...] = ()  # ("ночи", 20): the hour that part begins at
    hour_suffixes: tuple[str, ...] = ()  # "часов" of "в 10 часов", "h" of "19h": the hour as typed
    named_times: tuple[tuple[str, int], ...] = ()  # ("noon", 12): a time of day by its name
    # "o'clock" of "7 o'clock", "at" of "at 7": a bare hour of 1-12 said so is morning or evening.
    twelve_hour_words: tuple[str, ...] = ()
    zones: tuple[tuple[str, str], ...] = ()  # ("москва", "Europe/Moscow"): cities in this language
    city_words: tuple[str, ...] = ()  # "city" of "Ho Chi Minh City", "г" of "г. Москва"
    countries: tuple[tuple[str, str], ...] = ()  # ("россия", "RU"): after a city and a comma
    # ("ca", "US"): a state or province after a city and a comma ("San Francisco, CA")
    regions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CheckinWords:
    """How a check-in answer typed instead of pressed is read ("it's getting worse")."""

    # Words that leave what an answer says unchanged: "I feel", "today", "getting" ("getting
    # worse" is "worse"). Lower case, "ё" as "е", as `said_words` gives them.
    fillers: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()  # "not", "не": "not worse" is no worsening
    hypotheticals: frozenset[str] = frozenset()  # "could", "могло": "could be worse" is none
    question_opener: re.Pattern[str] | None = None  # "is it bad ...", "что хуже ...": a question
    # A message of emoji alone read as these words ("🙂": "fine"); see `said_in_emoji`.
    emoji: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _emoji_meanings(self) -> Mapping[str, str]:
        """`emoji` as a mapping, made once: it is read for every message."""
        return MappingProxyType(dict(self.emoji))

    def in_words(self, text: str) -> str:
        """The text, or the words its emoji alone say ("😢" is "unwell")."""
        if not self.emoji:
            return text
        return said_in_emoji(text, self._emoji_meanings) or text

    def core(self, said: str) -> str:
        """Said words (see `said_words`) without the fillers."""
        return " ".join(w for w in said.split() if w not in self.fillers)

    def negates(self, word: str) -> bool:
        """Whether a said word is a negation ("not", "don't", "isnt", "не")."""
        return word.endswith("n't") or word.replace("'", "") in self.negations

    def asks(self, text: str) -> bool:
        """Whether the text is a question: it holds a "?" or begins as a question does."""
        if "?" in text:  # "нормально?" asks whether something is normal
            return True
        opener = self.question_opener.match(text) if self.question_opener else None
        # "как-то плохо", "что-то не так": a hyphen makes the question word another word.
        return opener is not None and not text[opener.end() :].startswith("-")


def _said(word: object) -> str:
    return str(word).casefold().replace("ё", "е")


def _checkin_words(
    raw: Mapping[str, Any] | None,
    matching: Mapping[str, Any],
    opener: re.Pattern[str] | None,
    emoji: Mapping[str, Any] | None,
) -> CheckinWords:
    negation = str(matching["negation"])
    groups = matching.get("synonyms", ())
    negations = next((g for g in groups if g and str(g[0]) == negation), [negation])
    return CheckinWords(
        fillers=frozenset(_said(w) for w in (raw or {}).get("fillers") or ()),
        negations=frozenset(_said(w) for w in negations if " " not in str(w)),
        hypotheticals=frozenset(_said(w) for w in (raw or {}).get("hypotheticals") or ()),
        question_opener=opener,
        emoji=tuple((_EMOJI_MARKS.sub("", str(k)), str(v)) for k, v in (emoji or {}).items()),
    )


def _date_words(raw: Mapping[str, Any] | None) -> DateWords:
    raw = raw or {}

    def pairs(key: str) -> tuple[tuple[str, int], ...]:
        return tuple((str(k).lower(), int(v)) for k, v in (raw.get(key) or {}).items())

    def words(key: str) -> tuple[str, ...]:
        return tuple(str(w).lower() for w in raw.get(key) or ())

    def names(key: str) -> tuple[tuple[str, str], ...]:
        return tuple((str(k), str(v)) for k, v in (raw.get(key) or {}).items())

    return DateWords(
        days_ago=pairs("days_ago"),
        n_days_ago=pairs("n_days_ago"),
        numbers=pairs("numbers"),
        months=pairs("months"),
        date_fillers=words("date_fillers"),
        ordinals=words("ordinals"),
        vague=tuple(w.replace("ё", "е") for w in words("vague")),
        ahead_words=words("ahead_words"),
        n_days_ahead=pairs("n_days_ahead"),
        weekdays=pairs("weekdays"),
        weekday_prefixes=words("weekday_prefixes"),
        last_words=words("last_words"),
        day_parts=tuple(w.replace("ё", "е") for w in words("day_parts")),
        year_words=words("year_words"),
        day_month=bool(raw.get("day_month", False)),
        slash_dates=bool(raw.get("slash_dates", False)),
        slash_either=bool(raw.get("slash_either", False)),
        time_prefixes=words("time_prefixes"),
        hour_words=pairs("hour_words"),
        hour_suffixes=words("hour_suffixes"),
        named_times=pairs("named_times"),
        twelve_hour_words=words("twelve_hour_words"),
        zones=names("zones"),
        city_words=words("city_words"),
        countries=names("countries"),
        regions=tuple(
            (str(name), str(code))
            for code, region_names in (raw.get("regions") or {}).items()
            for name in region_names
        ),
    )


@dataclass(frozen=True)
class CalmFrame:
    """A kind of sentence ("will it hurt a lot?") and the words of the signs it does not raise."""

    pattern: re.Pattern[str]
    words: frozenset[str]
    # Read on the whole message, for every sentence of it ("I break out in hives from every
    # cream. Can I still have it?": the question that makes the history one is a sentence after).
    whole: bool = False
    # Read on the whole message: a sentence's frame does not count when it matches ("... it
    # passed, all normal. And now the spots are back": the sign is told again in the next one).
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Locale:
    """Strings and word lists of one language."""

    language: str
    stopwords: frozenset[str]
    greetings: frozenset[str]
    thanks: frozenset[str]
    stemmer: str
    unstemmed: frozenset[str]
    clipped_endings: Mapping[str, str]  # a chat spelling's ending and the word's ("seein": "ing")
    synonyms: tuple[tuple[str, ...], ...]
    number_weight: float
    people: frozenset[str]  # who a patient asks for or tells of ("my wife", "муж")
    people_weight: float
    clause_break: re.Pattern[str]
    sentence_break: re.Pattern[str]
    negation: str
    negation_break: re.Pattern[str]
    negation_after: re.Pattern[str] | None
    negation_list: re.Pattern[str] | None
    # The answer to a question the message asks itself ("fever? no"): see RedFlagDetector.
    answered_no: re.Pattern[str] | None
    sign_fillers: frozenset[str]
    reassurance: frozenset[str]
    likeness: frozenset[str]  # words a comparison follows ("like a burn"): see RedFlagDetector
    wellbeing: frozenset[str]  # words around a reassurance in "I'm all fine": "all", "feel"
    unwell: re.Pattern[str] | None  # a whole message saying one is not well ("getting worse")
    # A whole message asking to stop the messages or delete one's data ("delete my data").
    privacy_request: re.Pattern[str] | None
    contraction: re.Pattern[str] | None  # a contraction's ending, read as no word ("they're")
    example_of: re.Pattern[str] | None
    # A question that asks about what was told before it ("... is it safe for me?").
    refers_back: re.Pattern[str] | None
    # "... or is it only for wrinkles?": what is named after it is a contrast, not asked.
    contrast_only: re.Pattern[str] | None
    # A question that names the procedure itself ("how long does soft lifting last").
    names_procedure: re.Pattern[str] | None
    # A word that turns from another treatment to this one ("botox didn't hurt, but ...").
    contrast: re.Pattern[str] | None
    # A question that asks the same of this procedure ("after botox no sauna for a day. same
    # here?"): the other treatment is only what it is compared with.
    compared_here: re.Pattern[str] | None
    # Sentences that ask what the procedure is like or what it can fix, each with the words of
    # the signs such a sentence does not raise ("will it hurt like hell?": pain is part of it).
    calm_frames: tuple[CalmFrame, ...]
    question_opener: re.Pattern[str] | None  # how a question begins ("how soon can i")
    folds: Mapping[int, str]
    # A set of words, kept as a mapping's keys: the garbage collector walks each item of a set,
    # and this one's 50,000 at every collection of the objects loaded with it (a dict of strings
    # it never walks at all).
    common_words: Mapping[str, None]
    messages: Mapping[str, str]
    dates: DateWords = DateWords()
    checkin: CheckinWords = CheckinWords()

    def fold(self, text: str) -> str:
        """The text with letters patients use interchangeably made one ("ё" as "е").

        Compatibility forms are read as the letters they show ("ｗｈｉｔｅ", "𝐰𝐡𝐢𝐭𝐞"),
        invisible characters and stray accents are dropped ("b\u200blue") and stretched letters
        are read once ("bluuuue"): typed or pasted text must not hide a word.
        """
        # ASCII text is NFKC already and has no invisible characters or accents.
        ascii_text = text.isascii()
        if not ascii_text:
            if not unicodedata.is_normalized("NFKC", text):
                text = unicodedata.normalize("NFKC", text)
            if self._may_fold.search(text) is None:
                return _unstretched(text)  # most texts: nothing to drop or map
            text = _HIDDEN.sub("", text)
        text = _unstretched(text)
        # ... and none of the characters `folds` maps (emoji, "ё") when none of them is ASCII:
        # most of a FAQ's English texts are spared the search.
        if not self.folds or (ascii_text and not self._folds_ascii):
            return text
        return text.translate(self.folds) if self._folded.search(text) else text

    def fold_all(self, texts: Sequence[str]) -> list[str]:
        """`fold` of each text: those it would change found in one pass over all of them."""
        # The FAQ's 10,000 texts at every load: most are left as they are, and looking for what
        # folds in all of them at once spares each text its own searches. A line break is no
        # letter, no character `_HIDDEN` drops and a boundary NFKC never composes across, so a
        # text's part of the joined text is folded as the text alone is.
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1 or not (
            joined.isascii()
            or (unicodedata.is_normalized("NFKC", joined) and not _HIDDEN.search(joined))
        ):
            return [self.fold(text) for text in texts]
        # Where a character repeats or one that `folds` maps stands: only those texts change.
        found = [match.start() for match in _REPEATED.finditer(joined)]
        for char in map(chr, self.folds):
            at = joined.find(char)
            while at != -1:
                found.append(at)
                at = joined.find(char, at + 1)
        if not found:
            return list(texts)
        ends = list(accumulate(len(text) + 1 for text in texts))
        changed = {bisect_right(ends, at) for at in found}
        return [self.fold(text) if i in changed else text for i, text in enumerate(texts)]

    @cached_property
    def _folded(self) -> re.Pattern[str]:
        """Any character `folds` maps: searching for one is cheaper than translating every text."""
        return re.compile("[" + "".join(re.escape(chr(char)) for char in self.folds) + "]")

    @cached_property
    def _may_fold(self) -> re.Pattern[str]:
        """Any character `fold` drops or maps, or any past the BMP: one search rules them out."""
        # The characters past the BMP that `folds` maps (emoji) as one range: listed one by one
        # (as in `_folded`), each character of a text was compared with every one of them.
        bmp = "".join(re.escape(chr(char)) for char in self.folds if char <= 0xFFFF)
        return re.compile(f"[{_INVISIBLE_CHARS}{_ACCENT_CHARS}{bmp}\U00010000-\U0010ffff]")

    @cached_property
    def _folds_ascii(self) -> bool:
        """Whether `folds` maps any ASCII character."""
        return any(char < 128 for char in self.folds)

    def greets(self, words: Sequence[str]) -> bool:
        """Whether the words hold a greeting: a word of `greetings`, or one of its phrases."""
        if not self.greetings.isdisjoint(words):
            return True
        said = f" {' '.join(words)} "
        return any(f" {phrase} " in said for phrase in self.greetings if " " in phrase)

    def in_words(self, text: str) -> str:
        """The text, or the words its emoji alone say ("🙏" is "thanks")."""
        return self.checkin.in_words(text)

    def t(self, key: str, **values: Any) -> str:
        """The message `key`, with its placeholders filled in."""
        text = self.messages[key]
        return text.format(**values) if values else text


def _optional_pattern(matching: Mapping[str, Any], key: str) -> re.Pattern[str] | None:
    """A locale's optional regular expression, case-insensitive, or None when it has none."""
    pattern = matching.get(key)
    return re.compile(str(pattern), re.IGNORECASE) if pattern else None


@cache
def get_locale(language: str) -> Locale:
    """Load the locale file shipped for a language (cached: it never changes at run time)."""
    missing = f"no locale file for language {language[:40]!r}"
    if not LANGUAGE_CODE.fullmatch(language):  # a path, or a name too long for a file
        raise ValueError(missing)
    try:
        raw = resources.files("bot.locales").joinpath(f"{language}.yaml").read_text("utf-8")
    except FileNotFoundError:
        raise ValueError(missing) from None
    data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
    common = MappingProxyType(dict.fromkeys(word_list(language)))
    matching = data["matching"]
    # How a question begins: a long message's question (matcher) and no check-in answer (course).
    opener = _optional_pattern(matching, "question_opener")
    return Locale(
        language=language,
        stopwords=frozenset(
            str(w).lower() for key in ("stopwords", "greetings", "thanks") for w in matching[key]
        ),
        greetings=frozenset(str(w).lower() for w in matching["greetings"]),
        thanks=frozenset(str(w).lower() for w in matching["thanks"]),
        stemmer=str(matching["stemmer"]),
        unstemmed=frozenset(str(w) for w in matching.get("unstemmed", ())),
        clipped_endings=MappingProxyType(
            {str(k): str(v) for k, v in matching.get("clipped_endings", {}).items()}
        ),
        synonyms=tuple(tuple(str(w) for w in g) for g in matching.get("synonyms", ())),
        number_weight=float(matching["number_weight"]),
        people=frozenset(str(w).lower() for w in matching.get("people", ())),
        people_weight=float(matching.get("people_weight", 1.0)),
        clause_break=re.compile(str(matching["clause_break"]), re.IGNORECASE),
        sentence_break=re.compile(str(matching["sentence_break"]), re.IGNORECASE),
        negation=str(matching["negation"]),
        negation_break=re.compile(str(matching["negation_break"]), re.IGNORECASE),
        negation_after=_optional_pattern(matching, "negation_after"),
        negation_list=_optional_pattern(matching, "negation_list"),
        answered_no=_optional_pattern(matching, "answered_no"),
        sign_fillers=frozenset(str(w).lower() for w in matching.get("sign_fillers", ())),
        reassurance=frozenset(str(w).lower() for w in matching.get("reassurance", ())),
        likeness=frozenset(str(w).lower() for w in matching.get("likeness", ())),
        wellbeing=frozenset(str(w).lower() for w in matching.get("wellbeing", ())),
        unwell=_optional_pattern(matching, "unwell"),
        privacy_request=_optional_pattern(matching, "privacy_request"),
        contraction=_optional_pattern(matching, "contraction"),
        example_of=_optional_pattern(matching, "example_of"),
        refers_back=_optional_pattern(matching, "refers_back"),
        contrast_only=_optional_pattern(matching, "contrast_only"),
        names_procedure=_optional_pattern(matching, "names_procedure"),
        contrast=_optional_pattern(matching, "contrast"),
        compared_here=_optional_pattern(matching, "compared_here"),
        calm_frames=tuple(
            CalmFrame(
                re.compile(str(frame["pattern"]), re.IGNORECASE),
                frozenset(str(w).lower() for w in frame.get("words", ())),
                bool(frame.get("whole", False)),
                re.compile(str(frame["unless"]), re.IGNORECASE) if "unless" in frame else None,
            )
            for frame in matching.get("calm_frames", ())
        ),
        question_opener=opener,
        folds=MappingProxyType(
            str.maketrans({str(k): str(v) for k, v in matching.get("folds", {}).items()})
        ),
        common_words=common,
        messages=MappingProxyType({str(k): str(v) for k, v in data["ui"].items()}),
        dates=_date_words(data.get("dates")),
        checkin=_checkin_words(data.get("checkin"), matching, opener, data.get("emoji")),
    )


@cache
def city_zones() -> tuple[tuple[str, str], ...]:
    """Every shipped locale's city names with their zones: "Москва" is read in any chat."""
    return tuple(pair for dates in _every_locales_dates() for pair in dates.zones)


@cache
def city_words() -> frozenset[str]:
    """Every shipped locale's words that say a name is a city's ("city", "город")."""
    return frozenset(word for dates in _every_locales_dates() for word in dates.city_words)


@cache
def country_names() -> tuple[tuple[str, str], ...]:
    """Every shipped locale's country names, and its states' and provinces', with their
    countries' ISO codes ("Россия", "RU"; "CA", "US")."""
    return tuple(
        pair for dates in _every_locales_dates() for pair in (*dates.countries, *dates.regions)
    )


def _every_locales_dates() -> list[DateWords]:
    """The date words of every shipped locale, by language."""
    files = resources.files("bot.locales").iterdir()
    languages = sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))
    return [get_locale(language).dates for language in languages]


@cache
def word_list(language: str) -> tuple[str, ...]:
    """The language's commonest words (`<language>.words`), most frequent first; () if none."""
    words = resources.files("bot.locales").joinpath(f"{language}.words")
    if not words.is_file():
        return ()
    text = words.read_text("utf-8")
    lines = text.splitlines()
    if lines and text.count("#") == lines[0].count("#"):
        # No "#" past the first line (the shipped lists' header): no other line is a comment,
        # and the 50,000 words need no test each.
        return tuple(filter(None, lines[1:] if lines[0].startswith("#") else lines))
    return tuple([w for w in lines if w and w[0] != "#"])
