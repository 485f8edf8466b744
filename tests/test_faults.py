"""Hostile input and faults: bad settings and databases refused in one line, data erased for good."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from db_support import execute, scalar
from e2e_support import free_port

from bot.answers.loader import load_faq, parse_faq
from bot.config import ConfigError, Settings
from bot.faqdoc import FaqError
from bot.storage.database import Database, DatabaseTooNew, DatabaseUnavailable, sqlite_path
from bot.storage.stats import Stats

TOKEN = "123456:ABCdefGhIJKlmNoPQRstuVWXyz0123456789"


def run_bot(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`softlift-bot run` with only the given settings; it must stop before reaching Telegram."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TELEGRAM_BOT_TOKEN": TOKEN, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], expected: str) -> None:
    """Start-up was refused with one readable line and exit code 2."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert TOKEN not in result.stderr


async def test_a_database_from_a_newer_bot_is_refused(db: Database, tmp_path: Path) -> None:
    await execute(db, "INSERT INTO migrations VALUES ('0099_from_the_future', 'now')")
    await db.close()
    again = Database(db.target)
    with pytest.raises(DatabaseTooNew, match="newer version"):
        await again.open()
    await again.close()
    result = run_bot({"DATABASE_URL": db.target.url}, tmp_path)
    assert_one_line_exit_2(result, "newer version of the bot")
    assert all(secret not in result.stderr for secret in db.target.secrets)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///:memory:", "in-memory"),
        ("sqlite:///bot.db?mode=ro", "?options"),
        ("sqlite:///bot.db#x", "?options"),
    ],
)
def test_database_urls_that_would_lose_or_misname_data_are_refused(
    url: str, expected: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=re.escape("sqlite:///path/to/file.db")):
        sqlite_path(url)
    assert_one_line_exit_2(run_bot({"DATABASE_URL": url}, tmp_path), expected)
    assert list(tmp_path.glob("bot.db*")) == []


@pytest.mark.parametrize("url", ["sqlite:///~/softlift.db", "sqlite:///~anna/data/softlift.db"])
def test_a_database_path_from_the_home_folder_sign_is_refused(url: str) -> None:
    # Found by probing: no shell expands "~" inside a URL, so the bot quietly made a folder
    # named "~" in its working directory and kept the patients' data there (where a later
    # `rm -rf ~` typed by hand would meet the home folder instead).
    with pytest.raises(ValueError, match="write the whole path") as raised:
        sqlite_path(url)
    assert "\n" not in str(raised.value)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url})


async def test_erased_rows_do_not_linger_in_the_file(tmp_path: Path) -> None:
    # Debian's SQLite already defaults to secure_delete; the bot sets it for builds that don't.
    path = tmp_path / "bot.db"
    db = Database(path)
    assert await scalar(db, "PRAGMA secure_delete") == 1
    texts = [f"question {i} with some filler words" for i in range(40)]
    texts.insert(20, "my phone is 5550199-UNIQUE-MARKER")
    for text in texts:
        await execute(
            db, "INSERT INTO unanswered (asked_at, text) VALUES ('2025-01-01', :text)", text=text
        )
    await execute(db, "DELETE FROM unanswered WHERE text LIKE '%UNIQUE-MARKER'")
    await db.close()
    files = tmp_path.glob("bot.db*")  # noqa: ASYNC240 - the test's own files, after close
    assert b"UNIQUE-MARKER" not in b"".join(p.read_bytes() for p in files)


async def test_purged_texts_do_not_linger_in_the_wal_while_the_database_is_open(
    tmp_path: Path,
) -> None:
    path, wal = tmp_path / "bot.db", tmp_path / "bot.db-wal"
    stats = Stats(Database(path), timedelta(days=90))
    now = datetime(2025, 6, 1, tzinfo=UTC)
    try:
        await stats.record_question("fallback", None, now - timedelta(days=91), "PURGE-MARKER")
        await stats.record_question("fallback", None, now, "kept question")
        assert b"PURGE-MARKER" in wal.read_bytes()  # written, not yet checkpointed
        assert await stats.purge(now) == 1
        for file in (path, wal):
            assert b"PURGE-MARKER" not in file.read_bytes(), file.name
        assert b"kept question" in path.read_bytes() + wal.read_bytes()
    finally:
        await stats.db.close()


# --- hostile or broken FAQ files -----------------------------------------------------------------

BOMB = """
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _doubling_bomb(levels: int) -> str:
    lines = ['x0: &x0 ["lol", "lol"]']
    lines += [f"x{n}: &x{n} [*x{n - 1}, *x{n - 1}]" for n in range(1, levels)]
    return "\n".join(lines) + f"\nentries: [{{id: *x{levels - 1}}}]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOMB + "entries: [{id: *i}]\n", "expand to more than 200,000 values"),
        ("x: &x 1\nl: [" + ", ".join(["*x"] * 150) + "]\n", "more than 100 aliases"),
        (_doubling_bomb(40), "expand to more than 200,000 values"),
        ("entries: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 30 levels"),
        # Found by probing: an alias inside its own anchor crashed faq check, start-up and
        # /reload with a RecursionError traceback.
        ("entries: &e [{id: x, related: *e}]\n", "an alias inside the value it names"),
    ],
    ids=["billion-laughs", "many-aliases", "doubling-aliases", "deep-nesting", "self-alias"],
)
def test_yaml_bombs_are_refused_with_one_line(text: str, expected: str) -> None:
    with pytest.raises(FaqError) as raised:
        parse_faq(text, "bomb.yaml")
    (problem,) = raised.value.problems
    assert problem.file == "bomb.yaml" and expected in problem.message


@pytest.mark.parametrize(
    "value",
    ["2025-02-30", "9" * 5000, "!!int abc", "!!bool maybe", "!!timestamp soon", "!!seq abc"],
    ids=["no-such-day", "5000-digits", "int-tag", "bool-tag", "timestamp-tag", "seq-tag"],
)
def test_a_value_yaml_cannot_build_is_refused_with_its_line(value: str) -> None:
    # Found by probing: each crashed faq check and start-up with a traceback (ValueError,
    # KeyError, AttributeError) and /reload with the generic apology instead of file and line.
    with pytest.raises(FaqError) as raised:
        parse_faq(f"version: 1\nlanguage: en\nclinic:\n  name: {value}\n", "odd.yaml")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == ("odd.yaml", 4)
    assert "quotes" in problem.message and len(problem.message) < 200


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write("entries:\n")
        line = "  - {id: x, questions: [" + ", ".join(["padding"] * 50) + "]}\n"
        for _ in range(20_000):
            out.write(line)
    with pytest.raises(FaqError, match="at most 4 MB"):
        load_faq(path)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "faq", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and "at most 4 MB" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_file_without_a_size_is_read_only_up_to_the_limit() -> None:
    # Found by probing: `--faq /dev/zero` (a device, a pipe: no size to check first) was read
    # whole, until the kernel killed the process for its memory.
    with pytest.raises(FaqError, match="at most 4 MB"):
        load_faq("/dev/zero")


@pytest.mark.parametrize(
    ("version", "expected"),
    [("2", "needs a newer bot"), ("0", "unknown format"), ("'one'", "whole number")],
)
def test_the_format_version_is_checked(minimal_text: str, version: str, expected: str) -> None:
    text = minimal_text.replace("version: 1", f"version: {version}", 1)
    assert text != minimal_text
    with pytest.raises(FaqError, match=expected):
        parse_faq(text, "v.yaml")


# --- a database that is away, or the wrong one ---------------------------------------------------


def test_an_unreachable_postgresql_stops_start_up_in_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    url = f"postgresql://bot:hunter2-secret@127.0.0.1:{free_port()}/clinic"
    result = run_bot({"DATABASE_URL": url}, tmp_path)
    assert_one_line_exit_2(result, "cannot reach the database postgresql://bot:***@127.0.0.1")
    assert "hunter2-secret" not in result.stderr


def test_a_wrong_password_stops_start_up_in_one_line(postgres_url: str, tmp_path: Path) -> None:
    user, _, rest = postgres_url.partition("://")[2].partition(":")
    wrong = f"postgresql://{user}:not-the-password@{rest.partition('@')[2]}"
    result = run_bot({"DATABASE_URL": wrong}, tmp_path)
    assert_one_line_exit_2(result, "password authentication failed")
    assert "not-the-password" not in result.stderr


def test_a_file_that_is_not_a_database_stops_start_up_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.write_text("these are notes, not a database\n" * 100, encoding="utf-8")
    result = run_bot({"DATABASE_URL": f"sqlite:///{path}"}, tmp_path)
    assert_one_line_exit_2(result, "cannot open the database")


async def test_a_database_that_stays_away_is_retried_then_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"postgresql://bot:hunter2-secret@127.0.0.1:{free_port()}/clinic"
    db = Database(url, connect_backoff=(0.0, 0.0))
    with pytest.raises(DatabaseUnavailable, match="cannot reach") as raised:
        await db.open()
    await db.close()
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    assert "hunter2-secret" not in str(raised.value) + caplog.text
