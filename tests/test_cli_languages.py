"""The command line with several languages: ask, chat, course preview and faq check."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.locale import get_locale

FIXTURES = Path(__file__).parent / "fixtures"
EN = FIXTURES / "minimal.yaml"
RU = FIXTURES / "minimal.ru.yaml"
BOTH = f"{EN},{RU}"
MIXED = [
    "how long does the procedure take",
    "сколько длится процедура",
    "skolko dlitsya procedura",
    "",
    "will i get bruises",
    "budut li sinyaki",
]


def cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    stdin: str = "",
    env_faq: str | None = None,
) -> tuple[int, str, str]:
    """Run `softlift-bot ARGS` in this process: exit code, stdout, stderr."""
    if env_faq is None:
        monkeypatch.delenv("SOFTLIFT_FAQ", raising=False)
    else:
        monkeypatch.setenv("SOFTLIFT_FAQ", env_faq)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_ask_answers_each_line_in_its_own_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        monkeypatch, capsys, "ask", "--json", "--faq", BOTH, "-", stdin="\n".join(MIXED)
    )
    assert code == 0
    found = rows(out)
    assert [r["question"] for r in found] == MIXED
    assert [r["language"] for r in found] == ["en", "ru", "ru", "en", "en", "ru"]
    assert [r["entry"] for r in found] == [
        "duration",
        "duration",
        "duration",
        None,
        "bruising",
        "bruising",
    ]
    assert "Процедура" in str(found[2]["text"]) and "no more than an hour" in str(found[0]["text"])


def test_lang_forces_one_language_for_every_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        monkeypatch, capsys, "ask", "--json", "--lang", "ru", "--faq", BOTH, "-",
        stdin="\n".join(MIXED),
    )  # fmt: skip
    assert code == 0
    found = rows(out)
    assert {r["language"] for r in found} == {"ru"}
    assert [r["entry"] for r in found] == [None, "duration", "duration", None, None, "bruising"]
    assert found[3]["text"] == get_locale("ru").t("empty_message")


def test_one_question_prints_the_reply_in_its_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(monkeypatch, capsys, "ask", "--faq", BOTH, "bolno li, budut li sinyaki")
    assert code == 0
    assert out.startswith("Синяки\n")


def test_an_unknown_lang_stops_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(monkeypatch, capsys, "ask", "--lang", "de", "--faq", BOTH, "hi")
    assert code == 2 and not out
    assert err == "softlift-bot: no FAQ file for language 'de' (loaded: en, ru)\n"


def test_a_russian_only_clinic_answers_everything_in_russian(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        monkeypatch, capsys, "ask", "--json", "-", stdin="\n".join(MIXED), env_faq=str(RU)
    )
    assert code == 0
    found = rows(out)
    assert {r["language"] for r in found} == {"ru"}
    assert [r["entry"] for r in found] == [None, "duration", "duration", None, None, "bruising"]


def test_chat_answers_each_line_in_its_language_and_presses_in_the_last_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["will i get bruises", "skolko dlitsya procedura", "1", "/quit"]
    code, out, _ = cli(monkeypatch, capsys, "chat", "--faq", BOTH, stdin="\n".join(lines))
    assert code == 0
    en, ru = get_locale("en"), get_locale("ru")
    assert out.startswith(en.t("console_intro"))
    assert "Bruises can appear" in out
    assert "Процедура занимает не больше часа." in out
    # Button 1 of the Russian answer is its related entry, shown in Russian.
    assert "Синяки могут появиться" in out
    assert out.rstrip().endswith(ru.t("console_bye"))


def test_chat_with_lang_speaks_only_that_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["how long does the procedure take", "/topics"]
    code, out, _ = cli(
        monkeypatch, capsys, "chat", "--lang", "ru", "--faq", BOTH, stdin="\n".join(lines)
    )
    assert code == 0
    ru = get_locale("ru")
    assert out.startswith(ru.t("console_intro"))
    assert "Об этом статья не говорит" in out and "Процедура" in out
    assert out.rstrip().endswith(ru.t("console_bye"))


def with_course(tmp_path: Path, source: Path, note: str) -> Path:
    daily = "\n".join(f"    {d}: {{source: Side effects, text: {note} {d}.}}" for d in range(3))
    text = (
        source.read_text(encoding="utf-8")
        + f"""aftercare:
  days: 2
  rules:
    - {{id: sauna, days: "0-1", source: Side effects, text: {note} sauna}}
  daily:
{daily}
  checkin:
    question: {note}?
    options:
      - {{id: good, label: {note} good, source: Side effects, reply: {note} reply.}}
  follow_up: {{after_months: 9, button: {note} remind, source: Side effects, text: "{note} visit"}}
"""
    )
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def test_course_preview_prints_the_course_of_the_chosen_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    files = f"{with_course(tmp_path, EN, 'English')},{with_course(tmp_path, RU, 'Русский')}"
    code, out, _ = cli(monkeypatch, capsys, "course", "preview", "--faq", files)
    assert code == 0 and "English 1." in out and "Русский" not in out
    code, out, _ = cli(monkeypatch, capsys, "course", "preview", "--lang", "ru", "--faq", files)
    assert code == 0 and "Русский 1." in out and "English" not in out


def test_faq_check_prints_one_line_per_file_and_one_for_all(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(monkeypatch, capsys, "faq", "check", str(EN), str(RU))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{EN}: 2 entries, 1 declines") and lines[0].endswith(": OK")
    assert lines[1].startswith(f"{RU}: 2 entries, 1 declines") and lines[1].endswith(": OK")
    assert lines[2] == f"{EN}, {RU}: 2 languages (en, ru) agree: OK"
    code, out_by_option, _ = cli(monkeypatch, capsys, "faq", "check", "--faq", BOTH)
    assert (code, out_by_option) == (0, out)


def test_faq_check_names_the_file_that_differs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ru = tmp_path / "ru.yaml"
    ru.write_text(RU.read_text(encoding="utf-8").replace("id: vision", "id: sight"), "utf-8")
    code, out, err = cli(monkeypatch, capsys, "faq", "check", str(EN), str(ru))
    assert code == 1
    assert f"{ru}:" in err and "red flag 'vision' is missing" in err
    assert out.splitlines()[-1] == f"{EN}, {ru}: 2 languages (en, ru) agree: 2 difference(s)"


def test_faq_check_reports_a_broken_file_and_still_checks_the_other(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ru = tmp_path / "ru.yaml"
    ru.write_text(
        RU.read_text(encoding="utf-8").replace("topic: recovery", "topic: nowhere"), "utf-8"
    )
    code, out, err = cli(monkeypatch, capsys, "faq", "check", "--faq", f"{EN},{ru}")
    assert code == 1
    assert f"{ru}:" in err and "unknown topic 'nowhere'" in err
    assert out.splitlines() == [line for line in out.splitlines() if line.startswith(f"{EN}:")]
    assert out.strip().endswith(": OK")


def test_ask_in_a_real_process_with_two_languages() -> None:
    env = {**os.environ, "SOFTLIFT_FAQ": BOTH}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        input="skolko dlitsya procedura\nhow long does the procedure take\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = rows(result.stdout)
    assert [(r["language"], r["entry"]) for r in found] == [("ru", "duration"), ("en", "duration")]
