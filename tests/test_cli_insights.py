"""`softlift-bot stats` and `softlift-bot faq suggest`: the /stats and suggestions from a shell."""

from __future__ import annotations

import asyncio
import io
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from PIL import Image

from bot.cli import main
from bot.storage.database import Database
from bot.storage.store import Store

ASKED = ["is there parking", "Is there parking?", "where can i park my car", "do you have wifi"]


def seeded(path: Path) -> str:
    """A bot database with a few questions on 2026-03-31 (the clinic's day) and an old one."""

    async def seed() -> None:
        store = Store(Database(path))
        recent = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)  # 22:00 in Berlin: still March 31
        try:
            await store.stats.record_question("answer", "swelling", recent)
            for question in ASKED:
                await store.stats.record_question("fallback", None, recent, question)
            await store.stats.record_question("fallback", None, recent - timedelta(days=30), "x")
        finally:
            await store.close()

    asyncio.run(seed())
    return f"sqlite:///{path}"


def test_stats_prints_the_totals_and_writes_the_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded(tmp_path / "bot.db"))
    monkeypatch.delenv("SOFTLIFT_FAQ", raising=False)
    png = tmp_path / "chart.png"
    assert main(["stats", "--until", "2026-03-31", "--days", "7", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith(
        "Mar 25–Mar 31, 2026: questions 5 (1 answered, 0 did you mean, 4 not covered"
    )
    assert "Statistics" in out and "Last 30 days: questions 5" in out
    image = Image.open(io.BytesIO(png.read_bytes()))
    assert image.format == "PNG" and image.width == 1080


def test_faq_suggest_writes_a_snippet_per_faq_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded(tmp_path / "bot.db"))
    monkeypatch.delenv("SOFTLIFT_FAQ", raising=False)
    assert main(["faq", "suggest", "--until", "2026-04-29"]) == 0
    out = capsys.readouterr().out
    documents = list(yaml.safe_load_all(out))
    assert len(documents) == 2  # English and Russian: one snippet each
    assert "from 4 unanswered questions" in out
    assert "location:  # decline" in out and '- "where can i park my car"' in out


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/x", "DATABASE_URL must look like"),
        ("sqlite:///{tmp}/missing.db", "no database at"),
        # As `run` reads it (found in review: the commands read DATABASE_URL apart).
        ('"sqlite:///{tmp}/bot.db"', "DATABASE_URL is written in quotes"),
    ],
)
def test_a_bad_database_setting_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    message: str,
) -> None:
    monkeypatch.setenv("DATABASE_URL", url.format(tmp=tmp_path))
    for argv in (["stats"], ["faq", "suggest"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("softlift-bot: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "missing.db").exists()  # never created by a typo


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--days", "0"], "--days: must be a whole number 1-3650"),
        # str.isdigit() takes these, int() refuses them: argparse's bare "invalid _days value".
        (["--days", "²"], "--days: must be a whole number 1-3650, not '²'"),
        (["--days", "7⁰"], "--days: must be a whole number 1-3650, not '7⁰'"),
        (["--until", "31.03.2026"], "--until: must be a date as YYYY-MM-DD"),
        # In the right form but no day of the calendar: saying the form again would puzzle.
        (["--until", "2025-02-29"], "--until: 2025-02-29 is no day of the calendar"),
        (["--until", "2026-04-31"], "--until: 2026-04-31 is no day of the calendar"),
        # Found by probing: date.fromisoformat takes ISO 8601's other forms; "2026-W01" was
        # read as Monday 2025-12-29 and "20260101" passed, where the help says YYYY-MM-DD.
        (["--until", "2026-W01"], "--until: must be a date as YYYY-MM-DD, not '2026-W01'"),
        (["--until", "20260101"], "--until: must be a date as YYYY-MM-DD, not '20260101'"),
    ],
)
def test_the_period_options_are_checked(
    capsys: pytest.CaptureFixture[str], option: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["stats", *option])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_database_that_cannot_be_reached_stops_at_once_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by probing: the commands retried the connection as the running bot does (0.2 to
    # 4 s, 7.7 s in all), printing "database unreachable ...; retrying" five times before
    # the one line; `run` stops at once at start-up, and so do they now. (Port 1: refused.)
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", no_wait)
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:secret@127.0.0.1:1/softlift")
    for argv in (["stats"], ["faq", "suggest"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith("softlift-bot: cannot reach the database") and err.count("\n") == 1
        assert "secret" not in err
    assert waits == []


@pytest.mark.parametrize(
    "option",
    [
        ["--until", "9999-12-31"],  # its next midnight is past the calendar's end
        ["--until", "0001-01-05", "--days", "30"],  # its first day before the calendar's start
        ["--until", "0001-01-01", "--days", "1"],
    ],
)
def test_an_until_at_the_calendars_edges_is_refused_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    option: list[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded(tmp_path / "bot.db"))
    for command in (["stats"], ["faq", "suggest"]):
        with pytest.raises(SystemExit) as exit_:
            main([*command, *option])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert "--until: must be a date between 1970-01-01 and 9998-12-31" in err
        assert "Traceback" not in err


def test_a_chart_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded(tmp_path / "bot.db"))
    monkeypatch.delenv("SOFTLIFT_FAQ", raising=False)
    for png in (tmp_path / "no-such-dir" / "chart.png", tmp_path):
        assert main(["stats", "--until", "2026-03-31", "--png", str(png)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"softlift-bot: cannot write the chart to {png}: ")
        assert err.count("\n") == 1


@pytest.mark.parametrize(
    "content",
    [
        b"these are notes, not a database\n" * 100,  # no SQLite header
        b"SQLite format 3\x00" + b"\x07" * 4000,  # the header, then damage
    ],
)
def test_a_file_that_is_not_a_usable_database_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
) -> None:
    path = tmp_path / "bot.db"
    path.write_bytes(content)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    for argv in (["stats"], ["faq", "suggest"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"softlift-bot: cannot open the database sqlite:///{path}: ")
        assert err.count("\n") == 1
    assert path.read_bytes() == content


def test_stats_until_a_past_day_counts_nothing_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded(tmp_path / "bot.db"))
    monkeypatch.delenv("SOFTLIFT_FAQ", raising=False)
    # The seeded questions were asked on March 31: the week that ends on March 29 has none.
    assert main(["stats", "--until", "2026-03-29", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "Last 7 days: questions 0" in out and "Last 30 days: questions 1" in out
    assert "parking" not in out


# A terminal acts on these: ESC and the single-byte CSI rewrite or clear the screen, OSC 52
# writes the clipboard, BEL rings.
ESCAPES = "what about \x1b]52;c;cHduZWQ=\x07 mars \x1b[2J\x1b[1A rovers \x9b2J \x00\x7f"


def test_stats_and_suggest_print_patients_questions_without_terminal_controls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by probing: a patient's unanswered question reached the operator's terminal with its
    # escape sequences as typed, so a patient could clear the report or write the clipboard.
    async def seed() -> None:
        store = Store(Database(tmp_path / "bot.db"))
        at = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)
        try:
            for _ in range(3):
                await store.stats.record_question("fallback", None, at, ESCAPES)
        finally:
            await store.close()

    asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.delenv("SOFTLIFT_FAQ", raising=False)
    assert main(["stats", "--until", "2026-03-31", "--days", "7"]) == 0
    assert main(["faq", "suggest", "--until", "2026-04-01"]) == 0
    out = capsys.readouterr().out
    assert "mars" in out
    controls = {c for c in out if unicodedata.category(c) == "Cc"} - {"\n"}
    assert not controls
