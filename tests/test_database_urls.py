"""DATABASE_URL at its edges: never a password shown, never a foreign file touched.

Found by probing the running bot (probe branch): a password in the query string, after an
unsupported driver or unencoded in the URL reached the start-up line; and the file a wrong
SQLite URL named was made 0600 (or overwritten) before start-up refused it.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from bot.answers.languages import Languages, load_languages
from bot.storage.database import (
    MIGRATIONS,
    SQLITE_HEADER,
    AnotherPoller,
    Database,
    DatabaseUrl,
    parse_database_url,
)
from bot.telegram_app.runner import check_database, run

TOKEN = "987654321:E2E-secret-token_never-printed-xyz"


@pytest.fixture(scope="module")
def languages() -> Languages:
    """The shipped FAQ files."""
    return load_languages(())


def _start(languages: Languages, url: str) -> tuple[int, str]:
    err = io.StringIO()
    code = run(languages, env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url}, err=err)
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql+asyncpg://bot:Top/Secret@db/softlift", "Top/Secret"),
        ("postgresql+asyncpg://bot:Top@Secret@db/softlift", "Secret"),
        ("postgresql://bot:x@db:TopSecret9@db.example/softlift", "TopSecret9"),
        ("postgresql://bot@127.0.0.1:1/softlift?password=TopSecretQ", "TopSecretQ"),
        ("postgresql://bot@127.0.0.1:1/softlift?sslmode=require&sslpassword=TopSecretQ", "TopSecretQ"),
        ("mysql://bot:TopSecretM@db/softlift", "TopSecretM"),
    ],
)  # fmt: skip
def test_a_bad_or_unreachable_url_never_shows_the_password(
    languages: Languages, url: str, password: str
) -> None:
    code, err = _start(languages, url)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert password not in err, err
    assert "DATABASE_URL" in err or "cannot reach the database" in err, err


def test_a_password_with_an_unencoded_at_sign_is_refused_without_showing_any_of_it(
    languages: Languages,
) -> None:
    # Found by probing: the URL was read up to the password's first @ and the rest taken for the
    # server, so "Top@Secret9" stopped start-up with "cannot reach the database
    # postgresql://bot:***@Secret9@db.example..." (in the log too, at every outage): half the
    # password shown, and a host lookup blamed instead of the @.
    code, err = _start(languages, "postgresql://bot:Top@Secret9@db.example:5432/softlift")
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "Secret9" not in err and "%40" in err, err


def test_a_port_that_is_not_a_number_names_the_setting(languages: Languages) -> None:
    code, err = _start(languages, "postgresql://bot:pw@db:abc/softlift")
    assert code == 2 and "DATABASE_URL is not a valid URL" in err, err


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bot:Caf\udce9Secret@db/softlift",  # "é" from a .env saved as Latin-1
        "postgresql://b\udce9t:pw@db/softlift",
        "postgresql://bot:pw@db/s\udce9",
    ],
)
def test_a_url_with_bytes_that_are_not_utf8_names_the_setting(url: str) -> None:
    # Found by probing: the only line was Python's "'utf-8' codec can't encode character
    # '\udce9' in position 3: surrogates not allowed", naming neither the setting nor a fix.
    with pytest.raises(ValueError, match="DATABASE_URL") as raised:
        parse_database_url(url)
    assert "UTF-8" in str(raised.value) and "Secret" not in str(raised.value)


def test_every_password_in_the_url_is_masked_in_the_log() -> None:
    url = parse_database_url("postgresql://bot:One@db/softlift?password=Two&sslpassword=Three")
    assert sorted(url.secrets) == ["One", "Three", "Two"]
    assert "One" not in url.display and "Two" not in url.display and "Three" not in url.display


def test_a_file_that_is_not_a_database_keeps_its_mode_and_bytes(
    languages: Languages, tmp_path: Path
) -> None:
    for size in (15, 4000):  # SQLite would take over a file under 512 bytes
        other = tmp_path / f"notes-{size}.txt"
        other.write_text("x" * size)
        other.chmod(0o644)
        code, err = _start(languages, f"sqlite:///{other}")
        assert code == 2 and "is not a database" in err, err
        assert other.stat().st_mode & 0o777 == 0o644 and other.read_text() == "x" * size


def test_a_pipe_or_a_device_is_refused_without_waiting_for_it(
    languages: Languages, tmp_path: Path
) -> None:
    # Found by probing: a named pipe at the database's path was opened and read for its header,
    # which waits for a writer: start-up (and `stats`) hung without a word.
    pipe = tmp_path / "bot.db"
    os.mkfifo(pipe)

    def end_any_wait() -> None:  # should the pipe be read again: a failure, not a hang
        time.sleep(10)
        with contextlib.suppress(OSError):  # no reader waits: nothing to end
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=end_any_wait, daemon=True).start()
    for path in (pipe, Path("/dev/null")):
        code, err = _start(languages, f"sqlite:///{path}")
        assert code == 2 and "is not a regular file" in err, err
        assert len(err.splitlines()) == 1, err


def test_a_symlink_to_another_file_leaves_the_target_alone(
    languages: Languages, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("not a database\n" * 10)
    target.chmod(0o644)
    (tmp_path / "bot.db").symlink_to(target)
    code, _ = _start(languages, f"sqlite:///{tmp_path / 'bot.db'}")
    assert code == 2 and target.stat().st_mode & 0o777 == 0o644


async def test_the_bots_own_database_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.db"
    assert await check_database(f"sqlite:///{path}") == list_of_migrations()
    assert path.read_bytes().startswith(SQLITE_HEADER)
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    path.chmod(0o644)  # (an operator's copy, say)
    assert await check_database(f"sqlite:///{path}") == []
    assert path.stat().st_mode & 0o777 == 0o600


async def test_a_database_the_bot_may_read_but_not_write_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file of mode 0400 or on a read-only mount: SQLite opens it read-only, the migrations
    # (none to apply) and BEGIN IMMEDIATE pass, and the bot served with every write failing:
    # each patient's question got the apology, no course could start. mode=ro is SQLite's
    # own read-only opening (tests run as root, whom a file's mode does not stop).
    path = tmp_path / "bot.db"
    assert await check_database(f"sqlite:///{path}") == list_of_migrations()
    before = path.read_bytes()
    read_only = URL.create("sqlite+aiosqlite", database=f"file:{path}?mode=ro", query={"uri": "1"})
    monkeypatch.setattr(DatabaseUrl, "driver_url", lambda self: read_only)
    # A string is the one line `run` prints before it exits with 2, before Telegram is asked.
    refused = await check_database(f"sqlite:///{path}")
    assert isinstance(refused, str)
    assert "cannot write to the database" in refused and "readonly" in refused
    assert "\n" not in refused
    assert path.read_bytes() == before


async def test_a_write_ahead_log_left_beside_a_readable_database_is_made_private_too(
    tmp_path: Path,
) -> None:
    # A database copied or created world-readable, then a crash (or kill -9): SQLite leaves
    # <db>-wal and <db>-shm with the file's mode. The start-up made the database 0600 but left
    # them 0644, so the log of patients' rows stayed readable by everyone while the bot ran.
    path = tmp_path / "bot.db"
    assert await check_database(f"sqlite:///{path}") == list_of_migrations()
    _die_with_a_write_in_the_wal(path)
    for leftover in _modes(tmp_path):
        (tmp_path / leftover).chmod(0o644)
    db = Database(f"sqlite:///{path}")
    try:
        await db.open()
        modes = _modes(tmp_path)
    finally:
        await db.close()
    assert modes == {"bot.db": 0o600, "bot.db-wal": 0o600, "bot.db-shm": 0o600}


def _die_with_a_write_in_the_wal(path: Path) -> None:
    """Write a row and die before SQLite can fold its WAL into the file (as kill -9 would)."""
    code = (
        "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " c.execute(\"INSERT INTO unanswered (asked_at, text) VALUES ('2025-01-01', 'my lip')\");"
        " c.commit(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert (path.parent / f"{path.name}-wal").stat().st_size > 0


def _modes(directory: Path) -> dict[str, int]:
    return {f.name: f.stat().st_mode & 0o777 for f in directory.glob("bot.db*")}


def list_of_migrations() -> list[str]:
    return [name for name, _ in MIGRATIONS]


async def test_instance_locks_are_given_back_at_once_not_when_the_server_notices(
    database_url: str,
) -> None:
    # Found by a red CI run: a refused poller kept the shared lock it probed with in a pooled
    # connection, and a clean stop left the release to the server noticing the closed socket,
    # so a poller started right after webhook instances stopped could be refused.
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's")
    watcher, webhook, poller = (Database(database_url) for _ in range(3))

    async def advisory_locks() -> int:
        async with watcher.engine.connect() as conn:
            count = await conn.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            )
            return int(count or 0)

    try:
        await webhook.hold_instance_lock(polling=False)
        with pytest.raises(AnotherPoller):
            await poller.hold_instance_lock(polling=True)
        assert await advisory_locks() == 1  # the webhook instance's alone
        await webhook.close()
        assert await advisory_locks() == 0
        await poller.hold_instance_lock(polling=True)
        assert await advisory_locks() == 1
    finally:
        for db in (watcher, webhook, poller):
            await db.close()


async def test_one_poller_alone_or_webhook_instances_together(database_url: str) -> None:
    # Found by probing: a poller started beside webhook instances deleted their webhook and
    # took their updates; a webhook instance beside a poller would make Telegram refuse it.
    first, second, third, fourth = (Database(database_url) for _ in range(4))
    try:
        await first.hold_instance_lock(polling=False)
        await second.hold_instance_lock(polling=False)  # webhook instances share
        with pytest.raises(AnotherPoller, match="webhook mode already run"):
            await third.hold_instance_lock(polling=True)
        await first.close()
        await second.close()
        await third.hold_instance_lock(polling=True)
        with pytest.raises(AnotherPoller, match="a softlift-bot is polling"):
            await fourth.hold_instance_lock(polling=False)
        with pytest.raises(AnotherPoller, match="already polling"):
            await fourth.hold_instance_lock(polling=True)
    finally:
        for db in (first, second, third, fourth):
            await db.close()
