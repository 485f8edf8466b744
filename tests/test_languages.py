"""Several FAQ files, one per language: loading, agreement across files, routing by language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import languages as languages_module
from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import UnknownLanguage, agreement_problems, load_languages
from bot.answers.loader import parse_faq
from bot.answers.matcher import Kind
from bot.config import Settings, resolve_faq_path
from bot.faqdoc import FaqError
from bot.locale import get_locale

FIXTURES = Path(__file__).parent / "fixtures"
EN = FIXTURES / "minimal.yaml"
RU = FIXTURES / "minimal.ru.yaml"


def course(days: int = 2, sauna_days: str = "0-1", worrying_urgent: bool = True) -> str:
    """A small aftercare block to append to either fixture (the texts need not be Russian)."""
    daily = "\n".join(
        f"    {day}: {{source: Softlift Procedure, text: Note {day}.}}" for day in range(days + 1)
    )
    urgent = "urgent: true" if worrying_urgent else "reply: Call us., source: clinic"
    return f"""aftercare:
  days: {days}
  rules:
    - {{id: sauna, days: "{sauna_days}", source: Side effects, text: No sauna}}
  daily:
{daily}
  checkin:
    question: How do you feel?
    options:
      - {{id: good, label: All good, source: Side effects, reply: Good.}}
      - {{id: worrying, label: Something worrying, {urgent}}}
  follow_up:
    after_months: 9
    button: Remind me
    source: Side effects
    text: "Time for a follow-up: {{booking_url}}"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` (maybe several lines) first starts."""
    return text[: text.index(needle)].count("\n") + 1


def problems(tmp_path: Path, ru_text: str, en_text: str | None = None) -> list[str]:
    en = write(tmp_path, "en.yaml", en_text or EN.read_text(encoding="utf-8"))
    ru = write(tmp_path, "ru.yaml", ru_text)
    with pytest.raises(FaqError) as raised:
        load_languages([en, ru])
    return [str(p) for p in raised.value.problems]


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cli", "env", "expected"),
    [
        (None, {}, ()),
        (None, {"SOFTLIFT_FAQ": "  "}, ()),
        (None, {"SOFTLIFT_FAQ": "faq/softlifting.ru.yaml"}, (Path("faq/softlifting.ru.yaml"),)),
        (None, {"SOFTLIFT_FAQ": "a.yaml, b.ru.yaml,"}, (Path("a.yaml"), Path("b.ru.yaml"))),
        ("c.yaml,d.yaml", {"SOFTLIFT_FAQ": "a.yaml"}, (Path("c.yaml"), Path("d.yaml"))),
    ],
)
def test_faq_paths_are_comma_separated_and_the_option_wins(
    cli: str | None, env: dict[str, str], expected: tuple[Path, ...]
) -> None:
    assert resolve_faq_path(cli, env) == expected


def test_settings_keep_every_path_and_give_the_first_as_faq_path() -> None:
    token = "123456789:AAExampleTokenForTests_0123456789abc"
    env = {"TELEGRAM_BOT_TOKEN": token, "SOFTLIFT_FAQ": "a.yaml,b.ru.yaml"}
    settings = Settings.from_env(env)
    assert settings.faq_paths == (Path("a.yaml"), Path("b.ru.yaml"))
    assert settings.faq_path == Path("a.yaml")
    assert Settings.from_env(env, "c.ru.yaml").faq_paths == (Path("c.ru.yaml"),)
    shipped = Settings.from_env({"TELEGRAM_BOT_TOKEN": token})
    assert (shipped.faq_paths, shipped.faq_path) == ((), None)


# --- loading ----------------------------------------------------------------------------------


def test_two_languages_load_with_the_first_as_default() -> None:
    languages = load_languages([EN, RU])
    assert languages.codes == ("en", "ru")
    assert languages.primary.kb.language == "en"
    assert languages.assistant("ru").kb.source == str(RU)
    with pytest.raises(UnknownLanguage, match=r"'de'.*loaded: en, ru"):
        languages.assistant("de")


def test_the_shipped_files_agree_on_the_clinics_time_zone() -> None:
    # Found by probing (eng33): English said Europe/Berlin, Russian Europe/Moscow: one clinic's
    # patients got their aftercare messages by two clocks, by the language they wrote in.
    shipped = Path(__file__).parents[1] / "faq"
    languages = load_languages([shipped / "softlifting.yaml", shipped / "softlifting.ru.yaml"])
    assert languages.codes == ("en", "ru")
    zones = {a.kb.clinic.timezone for a in languages.assistants.values()}
    assert zones == {"Europe/Berlin"}


def test_a_russian_only_configuration_answers_everything_in_russian() -> None:
    languages = load_languages([RU])
    assert languages.codes == ("ru",)
    for text, entry in [
        ("сколько длится процедура", "duration"),
        ("skolko dlitsya procedura", "duration"),
        ("how long does the procedure take", None),
    ]:
        outcome = languages.ask(text)
        assert outcome.language == "ru"
        assert outcome.decision.entry_id == entry


def test_each_file_is_validated_on_its_own_first(tmp_path: Path) -> None:
    broken = RU.read_text(encoding="utf-8").replace("related: [duration]", "related: [nowhere]")
    found = problems(tmp_path, broken)
    assert found == [
        f"{tmp_path / 'ru.yaml'}:{line_of(broken, 'nowhere')}: entry 'bruising': "
        "related id 'nowhere' does not exist"
    ]


def test_a_missing_entry_names_the_file_that_lacks_it_and_where_the_other_has_it(
    tmp_path: Path,
) -> None:
    en_text = EN.read_text(encoding="utf-8")
    ru_text = RU.read_text(encoding="utf-8")
    start = ru_text.index("  - id: bruising")
    end = ru_text.index("declines:")
    ru_text = ru_text[:start] + ru_text[end:]
    ru_text = ru_text.replace("related: [bruising]", "related: []").replace("    related: []\n", "")
    found = problems(tmp_path, ru_text)
    assert found == [
        f"{tmp_path / 'ru.yaml'}:{line_of(ru_text, 'entries:')}: entry 'bruising' is missing "
        f"({tmp_path / 'en.yaml'}:{line_of(en_text, 'id: bruising')} has it): "
        "each language's file needs the same entries",
        f"{tmp_path / 'ru.yaml'}:{line_of(ru_text, 'id: duration')}: entry 'duration' is related "
        f"to [] here but to [bruising] in {tmp_path / 'en.yaml'}:{line_of(en_text, 'related: [bruising]')}",
    ]


def test_an_entry_covering_other_entries_in_one_language_only_is_named(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[1] / "faq"
    en_text = (shipped / "softlifting.yaml").read_text(encoding="utf-8")
    ru_text = (shipped / "softlifting.ru.yaml").read_text(encoding="utf-8")
    covering = next(e for e in parse_faq(en_text, "en.yaml").entries if e.covers)
    # Only that entry's own `covers:` line goes.
    at = ru_text.index("covers:", ru_text.index(f"id: {covering.id}\n"))
    ru_text = ru_text[: ru_text.rfind("\n", 0, at) + 1] + ru_text[ru_text.index("\n", at) + 1 :]
    found = problems(tmp_path, ru_text, en_text)
    assert found == [
        f"{tmp_path / 'ru.yaml'}:{line_of(ru_text, f'id: {covering.id}')}: entry '{covering.id}' "
        f"covers [] here but [{', '.join(sorted(covering.covers))}] in "
        f"{tmp_path / 'en.yaml'}:{line_of(en_text, 'covers:')}"
    ]


def test_an_extra_id_names_its_own_line(tmp_path: Path) -> None:
    ru_text = RU.read_text(encoding="utf-8").replace(
        "      - сколько стоит процедура\n",
        "      - сколько стоит процедура\n  - id: booking\n    questions: [как записаться]\n",
    )
    found = problems(tmp_path, ru_text)
    assert found == [
        f"{tmp_path / 'ru.yaml'}:{line_of(ru_text, 'id: booking')}: decline 'booking' is not in "
        f"{tmp_path / 'en.yaml'}: each language's file needs the same declines"
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("recovery", "healing", "topics:", "topic 'recovery' is missing"),
        ("recovery", "healing", "id: healing", "topic 'healing' is not in"),
        ("recovery", "healing", "topic: healing", "entry 'bruising' is in topic 'healing'"),
        (
            "    topic: recovery\n",
            "    topic: procedure\n",
            "topic: procedure\n    title: Синяки",
            "entry 'bruising' is in topic 'procedure' here but in 'recovery'",
        ),
        ("  - id: vision\n", "  - id: sight\n", "red_flags:", "red flag 'vision' is missing"),
        (
            "emergency: true",
            "emergency: false",
            "id: vision",
            "red flag 'vision' has emergency: false here but true",
        ),
        ("language: ru", "language: en", "language: en", "language 'en' is also the language of"),
        # Found by probing (eng33): the shipped files said Europe/Berlin and Europe/Moscow, so a
        # patient's aftercare messages came by another clock for the language they wrote in.
        (
            "timezone: Europe/Berlin",
            "timezone: Europe/Moscow",
            "timezone: Europe/Moscow",
            "the clinic's time zone is 'Europe/Moscow' here but 'Europe/Berlin' in",
        ),
    ],
)
def test_every_difference_is_named_in_the_file_that_differs(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    ru_text = RU.read_text(encoding="utf-8")
    assert old in ru_text
    ru_text = ru_text.replace(old, new)
    found = problems(tmp_path, ru_text)
    where = f"{tmp_path / 'ru.yaml'}:{line_of(ru_text, needle)}: "
    assert any(p.startswith(where) and message in p for p in found), found


@pytest.mark.parametrize(
    ("ru_course", "message"),
    [
        (course(days=3), "the aftercare course has 3 days here but 2 in"),
        (course(sauna_days="0-2"), "rule 'sauna' covers days 0-2 here but 0-1 in"),
        (course(worrying_urgent=False), "check-in option 'worrying' is not urgent here but urgent"),
        (course().replace("id: sauna", "id: steam"), "rule 'sauna' is missing"),
        ("", "has an aftercare course but here has none"),
    ],
)
def test_the_course_must_agree(tmp_path: Path, ru_course: str, message: str) -> None:
    en_text = EN.read_text(encoding="utf-8") + course()
    found = problems(tmp_path, RU.read_text(encoding="utf-8") + ru_course, en_text)
    assert any(message in p for p in found), found
    assert all(p.startswith(f"{tmp_path / 'ru.yaml'}:") for p in found)


def test_agreeing_courses_load(tmp_path: Path) -> None:
    en = write(tmp_path, "en.yaml", EN.read_text(encoding="utf-8") + course())
    ru = write(tmp_path, "ru.yaml", RU.read_text(encoding="utf-8") + course())
    assert load_languages([en, ru]).assistant("ru").kb.course is not None


def test_agreement_of_one_file_is_empty() -> None:
    kb = parse_faq(EN.read_text(encoding="utf-8"), "en.yaml")
    assert agreement_problems([kb]) == []


# --- the shipped default ------------------------------------------------------------------------


def test_the_default_leaves_out_a_shipped_language_that_does_not_agree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = {
        "softlifting.yaml": EN.read_text(encoding="utf-8"),
        "softlifting.ru.yaml": RU.read_text(encoding="utf-8").replace("id: vision", "id: sight"),
    }

    def shipped(name: str) -> KnowledgeBase:
        return parse_faq(texts[name], f"faq/{name}")

    monkeypatch.setattr(languages_module, "is_shipped", lambda name: name in texts)
    monkeypatch.setattr(languages_module, "load_shipped", shipped)
    languages = load_languages()
    assert languages.codes == ("en",)
    assert any("faq/softlifting.ru.yaml" in str(p) for p in languages.left_out)

    texts["softlifting.ru.yaml"] = RU.read_text(encoding="utf-8")
    languages = load_languages()
    assert languages.codes == ("en", "ru") and not languages.left_out

    del texts["softlifting.ru.yaml"]
    assert load_languages().codes == ("en",)


# --- answering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "entry"),
    [
        ("how long does the procedure take", "en", "duration"),
        ("сколько длится процедура", "ru", "duration"),
        ("skolko dlitsya procedura", "ru", "duration"),
        ("budut li sinyaki", "ru", "bruising"),
        ("will i get bruises", "en", "bruising"),
        # Russian typed without switching the keyboard from English.
        ("crjkmrj lkbncz ghjwtlehf?", "ru", "duration"),
        (",elen kb cbyzrb", "ru", "bruising"),
    ],
)
def test_each_message_is_answered_in_its_own_language(text: str, language: str, entry: str) -> None:
    outcome = load_languages([EN, RU]).ask(text)
    assert (outcome.language, outcome.decision.entry_id) == (language, entry)


def test_a_forced_language_answers_in_it_and_reads_translit() -> None:
    languages = load_languages([EN, RU])
    assert languages.ask("skolko dlitsya procedura", language="ru").decision.entry_id == "duration"
    forced = languages.ask("how long does the procedure take", language="ru")
    assert forced.language == "ru" and forced.decision.kind is Kind.FALLBACK
    with pytest.raises(UnknownLanguage):
        languages.ask("hello", language="de")


@pytest.mark.parametrize("text", ["Czy to boli?", "¿Duele el procedimiento?", "Tut es weh?"])
def test_a_message_in_another_language_gets_the_languages_answered_in(text: str) -> None:
    languages = load_languages([EN, RU])
    outcome = languages.ask(text, fallback="ru")
    lines = [
        get_locale(code).t("other_language", languages="English, Русский") for code in ("ru", "en")
    ]
    assert outcome.reply.text == "\n\n".join(lines)  # the chat's language first
    assert outcome.decision.kind is Kind.FALLBACK and not outcome.not_covered
    assert outcome.language == "ru"  # the chat's, kept
    assert languages.ask(text).reply.text == "\n\n".join(reversed(lines))
    # A forced language (`ask --lang ru`) answers the same.
    assert languages.ask(text, language="ru").reply.text == outcome.reply.text


def test_a_message_in_another_language_to_one_loaded_language_names_it_alone() -> None:
    outcome = load_languages([RU]).ask("Czy to boli?")
    assert outcome.reply.text == get_locale("ru").t("other_language", languages="Русский")


def test_text_that_does_not_tell_follows_the_fallback() -> None:
    languages = load_languages([EN, RU])
    assert languages.ask("").language == "en"
    assert languages.ask("", fallback="ru").language == "ru"
    assert languages.ask("🙂", fallback="ru").language == "ru"
    assert languages.ask("ok", fallback="ru").language == "ru"
    assert languages.ask("ok").language == "en"


def test_a_red_flag_in_another_loaded_language_is_never_lost() -> None:
    languages = load_languages([EN, RU])
    for text, forced in [("my vision is blurry", "ru"), ("у меня мутное зрение", "en")]:
        outcome = languages.ask(text, language=forced)
        assert outcome.decision.kind is Kind.URGENT
        assert outcome.language != forced
    outcome = languages.ask("u menya mutnoe zrenie")
    assert (outcome.language, outcome.decision.kind) == ("ru", Kind.URGENT)
