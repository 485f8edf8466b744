"""One FAQ file per language, checked to agree; each message answered in its own language."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

from rapidfuzz import utils

from bot import buttons
from bot.answers.answer_model import model_file
from bot.answers.assistant import Assistant, Outcome
from bot.answers.knowledge import KnowledgeBase
from bot.answers.language_detect import (
    Detection,
    LanguageDetector,
    joined_letters,
    one_alphabet,
)
from bot.answers.loader import DEFAULT_FAQ, is_shipped, load_faq, load_shipped
from bot.answers.matcher import MAX_MESSAGE_CHARS, Decision, Kind
from bot.answers.selftest import red_flag_conflicts
from bot.faqdoc import FaqError, Problem
from bot.messages import Button, Reply

# The shipped files, in order: the first (English) always, the others when they are shipped and
# load and agree with it (otherwise they are left out, and `faq check` says why).
SHIPPED = (DEFAULT_FAQ, "softlifting.ru.yaml")
# A Telegram app language to the FAQ language its users read best, when that one is loaded.
APP_LANGUAGES = {"uk": "ru", "be": "ru", "kk": "ru"}


class UnknownLanguage(ValueError):
    """A language was asked for that no loaded FAQ file has."""


class Languages:
    """One assistant per language; the first file's language is the default."""

    def __init__(
        self,
        assistants: Sequence[Assistant],
        left_out: Sequence[Problem] = (),
        detector: LanguageDetector | None = None,
    ) -> None:
        if not assistants:
            raise ValueError("at least one language is needed")
        self.assistants: Mapping[str, Assistant] = MappingProxyType(
            {a.kb.language: a for a in assistants}
        )
        self.primary = assistants[0]
        self.detector = detector or LanguageDetector(
            tuple(self.assistants),
            vocabulary={code: faq_words(a.kb) for code, a in self.assistants.items()},
        )
        # Why a shipped file other than the first was not loaded (empty when all were).
        self.left_out = tuple(left_out)

    def __contains__(self, language: object) -> bool:
        return language in self.assistants

    @property
    def codes(self) -> tuple[str, ...]:
        """The loaded languages, the default first."""
        return tuple(self.assistants)

    def models_not_used(self) -> list[str]:
        """The FAQ files whose answer model lies beside them but is not used (stale, unreadable)."""
        return [
            a.kb.source
            for a in self.assistants.values()
            if a.matcher.model is None and model_file(a.kb) is not None
        ]

    def red_flag_conflicts(self) -> list[Problem]:
        """Each language's red-flag examples its signs miss and not_examples they catch."""
        return [p for a in self.assistants.values() for p in red_flag_conflicts(a.kb, a.matcher)]

    def assistant(self, language: str | None = None) -> Assistant:
        """The assistant of a language (the default one for None)."""
        if language is None:
            return self.primary
        found = self.assistants.get(language)
        if found is None:
            raise UnknownLanguage(
                f"no FAQ file for language {language!r} (loaded: {', '.join(self.codes)})"
            )
        return found

    def for_app_language(self, code: str | None) -> str:
        """The loaded language for a Telegram app's language code ("ru", "uk", "en-GB" ...).

        The same language when it is loaded, Russian for Ukrainian, Belarusian and Kazakh apps
        when Russian is loaded, otherwise the default language.
        """
        base = (code or "").split("-")[0].lower()
        for candidate in (base, APP_LANGUAGES.get(base, "")):
            if candidate in self.assistants:
                return candidate
        return self.primary.kb.language

    def menu(self, current: str, unknown: bool = False) -> Reply:
        """The /language question, in the current language, with one button per language;
        `unknown`: after a note that the language typed with it is none of them."""
        choices = tuple(
            Button(a.locale.t("language_name"), buttons.choose_language(code))
            for code, a in self.assistants.items()
        )
        locale = self.assistant(current).locale
        menu = Reply(locale.t("language_prompt"), buttons=(choices,))
        return menu.after(locale.t("language_unknown")) if unknown else menu

    def named(self, typed: str) -> str | None:
        """The loaded language a patient typed ("ru", "Русский", "english"), or None."""
        said = typed.strip().casefold()
        for code, assistant in self.assistants.items():
            if said in (code, assistant.locale.t("language_name").casefold()):
                return code
        return None

    def chosen(self, language: str) -> Reply:
        """The confirmation of a chosen language, in that language."""
        return Reply(self.assistant(language).locale.t("language_set"))

    def detect(self, text: str, fallback: str | None = None) -> Detection:
        """The language a message goes to, and its text as that language reads it."""
        return self.detector.detect(text, fallback)

    def ask(self, text: str, language: str | None = None, fallback: str | None = None) -> Outcome:
        """Answer a message in its own language, or in `language` when one is forced.

        `fallback` decides when the text does not tell (no letters, "ok"). A red flag is never
        lost to the choice of language: when the chosen file finds none but another loaded
        language's red flags fire, that language's urgent reply is given.
        """
        text = joined_letters(one_alphabet(text[:MAX_MESSAGE_CHARS]), self.detector.is_word)
        # Before the layout is read: a Spanish "el" alone would be Russian "уд" typed in English.
        if self.detector.other_language(text) is not None:
            return self._other_language(text, language or fallback)
        text = self.detector.in_right_layout(text)
        if language is None:
            detection = self.detect(text, fallback)
        else:
            detection = Detection(self.assistant(language).kb.language, text)
        chosen = self.assistant(detection.language)
        outcome = chosen.ask(self.detector.text_for(detection.text, chosen.kb.language))
        if outcome.decision.kind is Kind.URGENT:
            return outcome
        for other in self.assistants.values():
            if other is chosen:
                continue
            other_text = self.detector.text_for(text, other.kb.language)
            # A Russian message's "38.5" is no English sign: the other language reads words.
            if self.detector.has_none_of_its_letters(other_text, other.kb.language):
                continue
            if other.matcher.red_flags.find(other_text) is not None:
                return other.ask(other_text)
        return outcome

    def _other_language(self, text: str, current: str | None) -> Outcome:
        """The reply to a message in a language no file answers ("Czy to boli?"): the languages
        the bot answers in, said in each of them, the chat's first; a red flag still urgent."""
        for assistant in self.assistants.values():
            own_text = self.detector.text_for(text, assistant.kb.language)
            if assistant.matcher.red_flags.find(own_text) is not None:
                return assistant.ask(own_text)
        chat = self.assistants.get(current or "", self.primary)
        names = ", ".join(a.locale.t("language_name") for a in self.assistants.values())
        others = [a for a in self.assistants.values() if a is not chat]
        said = [a.locale.t("other_language", languages=names) for a in (chat, *others)]
        decision = Decision(Kind.FALLBACK, None, 0.0, ())
        return Outcome(decision, Reply("\n\n".join(said)), chat.kb.language)


def faq_words(kb: KnowledgeBase) -> list[str]:
    """The words a FAQ file's phrasings, keywords, titles, synonyms and red flags use."""
    texts: list[str] = []
    for entry in kb.entries:
        texts += [*entry.questions, *entry.keywords, entry.title]
    for decline in kb.declines:
        texts += [*decline.questions, *decline.keywords]
    texts += [word for group in kb.synonyms for word in group]
    for flag in kb.red_flags:
        texts += [*flag.signs, *flag.unless, *flag.examples, *flag.not_examples]
    # Normalised as one text: a character's normal form does not depend on its neighbours, and
    # the line breaks between the texts read as spaces.
    return list(dict.fromkeys(utils.default_process("\n".join(texts)).split()))


def load_each(paths: Sequence[str | Path] = ()) -> list[KnowledgeBase | FaqError]:
    """Every file loaded and validated on its own, in order; () means the shipped files."""
    results: list[KnowledgeBase | FaqError] = []
    for item in paths or [name for name in SHIPPED if is_shipped(name)]:
        try:
            results.append(load_faq(item) if paths else load_shipped(str(item)))
        except FaqError as exc:
            results.append(exc)
    return results


def load_languages(paths: Sequence[str | Path] = ()) -> Languages:
    """Load one FAQ file per language; each must be valid and all must agree (FaqError).

    () means the shipped files: English, plus each other shipped language whose file loads and
    agrees with it; one that does not is left out and named in `Languages.left_out`.
    """
    with _collection_paused():
        return _load_languages(paths)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside (unless it was off already)."""
    # Loading allocates hundreds of thousands of objects that live on; the collections their
    # allocation triggers walk them (and every older object) over and over, a sixth of the load.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_languages(paths: Sequence[str | Path]) -> Languages:
    """load_languages without the collector's pause."""
    results = load_each(paths)
    if paths:
        problems = [p for r in results if isinstance(r, FaqError) for p in r.problems]
        if problems:
            raise FaqError(problems)
        kbs = [r for r in results if isinstance(r, KnowledgeBase)]
        problems = agreement_problems(kbs)
        if problems:
            raise FaqError(problems)
        return Languages([Assistant(kb) for kb in kbs])
    first = results[0]
    if isinstance(first, FaqError):
        raise first
    kbs, left_out = [first], []
    for result in results[1:]:
        problems = (
            result.problems if isinstance(result, FaqError) else agreement_problems([*kbs, result])
        )
        if problems:
            left_out += problems
        elif isinstance(result, KnowledgeBase):
            kbs.append(result)
    return Languages([Assistant(kb) for kb in kbs], left_out)


# --- agreement across languages ---------------------------------------------------------------


def agreement_problems(kbs: Sequence[KnowledgeBase]) -> list[Problem]:
    """Where each file differs from the first: the same ids, topics, links and course."""
    problems: list[Problem] = []
    reference = kbs[0] if kbs else None
    languages: dict[str, str] = {}
    for kb in kbs:
        if kb.language in languages:
            problems.append(
                Problem(
                    kb.source,
                    kb.places.line("section", "language"),
                    f"language '{kb.language}' is also the language of {languages[kb.language]}: "
                    "give one file per language",
                )
            )
        languages.setdefault(kb.language, kb.source)
        if reference is not None and kb is not reference:
            problems += _Comparison(reference, kb).problems
    return problems


class _Comparison:
    """The differences of one language's file from the reference (the first file)."""

    def __init__(self, reference: KnowledgeBase, other: KnowledgeBase) -> None:
        self.ref = reference
        self.other = other
        self.problems: list[Problem] = []
        for kind, ids in _ids(reference).items():
            self._same_ids(kind, ids, _ids(other)[kind])
        self._clinic()
        self._entries()
        self._red_flags()
        self._course()

    def _add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.other.source, line, message))

    def _where(self, kb: KnowledgeBase, kind: str, key: str) -> str:
        return f"{kb.source}:{kb.places.line(_place_kind(kind), key)}"

    def _same_ids(self, kind: str, ref_ids: Iterable[str], ids: Iterable[str]) -> None:
        """The same ids of one kind in both files: each missing or extra one named."""
        section, plural = _KINDS[kind]
        ref_list, own = list(ref_ids), set(ids)
        section_line = self.other.places.line("section", section)
        for ident in ref_list:
            if ident not in own:
                self._add(
                    section_line,
                    f"{kind} '{ident}' is missing ({self._where(self.ref, kind, ident)} has it): "
                    f"each language's file needs the same {plural}",
                )
        for ident in sorted(own - set(ref_list)):
            self._add(
                self.other.places.line(_place_kind(kind), ident, section_line),
                f"{kind} '{ident}' is not in {self.ref.source}: "
                f"each language's file needs the same {plural}",
            )

    def _clinic(self) -> None:
        """The same time zone: one clinic's, the default of every patient's aftercare messages
        and of the staff's days, whatever language a patient writes in."""
        own, ref = self.other.clinic.timezone, self.ref.clinic.timezone
        if own != ref:
            self._add(
                self.other.places.line("clinic", "timezone"),
                f"the clinic's time zone is {own!r} here but {ref!r} in "
                f"{self.ref.source}:{self.ref.places.line('clinic', 'timezone')}: "
                "one clinic has one time zone in every language's file",
            )

    def _entries(self) -> None:
        """Each shared entry in the same topic, related to and covering the same entries."""
        for entry in self.other.entries:
            ref = self.ref.entry(entry.id)
            if ref is None:
                continue
            if entry.topic != ref.topic:
                self._add(
                    self.other.places.line("entry topic", entry.id),
                    f"entry '{entry.id}' is in topic '{entry.topic}' here but in '{ref.topic}' "
                    f"in {self.ref.source}:{self.ref.places.line('entry topic', entry.id)}",
                )
            for key, verb, to in (("related", "is related to", "to "), ("covers", "covers", "")):
                own, theirs = getattr(entry, key), getattr(ref, key)
                if set(own) != set(theirs):
                    self._add(
                        self.other.places.line(key, entry.id),
                        f"entry '{entry.id}' {verb} {_listed(own)} here but {to}"
                        f"{_listed(theirs)} in "
                        f"{self.ref.source}:{self.ref.places.line(key, entry.id)}",
                    )

    def _red_flags(self) -> None:
        """Each shared red flag an emergency in both files or in neither."""
        ref_flags = {f.id: f for f in self.ref.red_flags}
        for flag in self.other.red_flags:
            ref = ref_flags.get(flag.id)
            if ref is not None and flag.emergency != ref.emergency:
                self._add(
                    self.other.places.line("red flag", flag.id),
                    f"red flag '{flag.id}' has emergency: {str(flag.emergency).lower()} here but "
                    f"{str(ref.emergency).lower()} in {self._where(self.ref, 'red flag', flag.id)}",
                )

    def _course(self) -> None:
        """The same course: length, rules and their days, check-in options, follow-up."""
        ref, own = self.ref.course, self.other.course
        if ref is None or own is None:
            if ref is not own:
                has, lacks = (self.ref, "here") if own is None else (self.other, self.ref.source)
                self._add(
                    self.other.places.line("section", "aftercare"),
                    f"{has.source} has an aftercare course but {lacks} has none: "
                    "each language's file needs the same course",
                )
            return
        days_line = self.other.places.line("section", "aftercare.days")
        if own.days != ref.days:
            self._add(
                days_line,
                f"the aftercare course has {own.days} days here but {ref.days} in "
                f"{self.ref.source}:{self.ref.places.line('section', 'aftercare.days')}",
            )
        if own.follow_up_months != ref.follow_up_months:
            self._add(
                self.other.places.line("section", "aftercare.follow_up", days_line),
                f"the follow-up comes after {own.follow_up_months} month(s) here but "
                f"{ref.follow_up_months} in {self.ref.source}",
            )
        self._same_ids("rule", [r.id for r in ref.rules], [r.id for r in own.rules])
        ref_rules = {r.id: r for r in ref.rules}
        for rule in own.rules:
            other_rule = ref_rules.get(rule.id)
            if other_rule is None:
                continue
            if (rule.first_day, rule.last_day) != (other_rule.first_day, other_rule.last_day):
                self._add(
                    self.other.places.line("rule", rule.id),
                    f"rule '{rule.id}' covers days {_span(rule.first_day, rule.last_day)} here "
                    f"but {_span(other_rule.first_day, other_rule.last_day)} in "
                    f"{self._where(self.ref, 'rule', rule.id)}",
                )
        self._same_ids(
            "check-in option",
            [o.id for o in ref.checkin_options],
            [o.id for o in own.checkin_options],
        )
        ref_options = {o.id: o for o in ref.checkin_options}
        for option in own.checkin_options:
            other_option = ref_options.get(option.id)
            if other_option is not None and option.urgent != other_option.urgent:
                self._add(
                    self.other.places.line("check-in option", option.id),
                    f"check-in option '{option.id}' is {_urgent(option.urgent)} here but "
                    f"{_urgent(other_option.urgent)} in "
                    f"{self._where(self.ref, 'check-in option', option.id)}",
                )


# Each kind of id: the section that lists them and their name in a problem.
_KINDS = {
    "topic": ("topics", "topics"),
    "entry": ("entries", "entries"),
    "decline": ("declines", "declines"),
    "red flag": ("red_flags", "red flags"),
    "rule": ("aftercare.rules", "aftercare rules"),
    "check-in option": ("aftercare.checkin.options", "check-in options"),
}


def _ids(kb: KnowledgeBase) -> dict[str, list[str]]:
    """The ids of the top-level lists, by kind, in file order."""
    return {
        "topic": [t.id for t in kb.topics],
        "entry": [e.id for e in kb.entries],
        "decline": [d.id for d in kb.declines],
        "red flag": [f.id for f in kb.red_flags],
    }


def _place_kind(kind: str) -> str:
    """Declines share the entries' ids, so their lines are kept under "entry"."""
    return "entry" if kind == "decline" else kind


def _listed(ids: Iterable[str]) -> str:
    return "[" + ", ".join(sorted(ids)) + "]"


def _span(first: int, last: int | None) -> str:
    return f"{first}-" if last is None else f"{first}-{last}" if last != first else str(first)


def _urgent(urgent: bool) -> str:
    return "urgent" if urgent else "not urgent"
