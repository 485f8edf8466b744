"""The SQLite connection, its file permissions and the ordered schema migrations."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

# Ordered schema changes; applied once each, recorded in the `migrations` table. Append only.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_questions_and_feedback",
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL,          -- UTC ISO 8601
            kind TEXT NOT NULL,              -- answer | clarify | fallback | urgent
            entry_id TEXT                    -- the answered entry; no user id, no text
        );
        CREATE INDEX questions_asked_at ON questions (asked_at);
        CREATE TABLE unanswered (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL,
            text TEXT NOT NULL               -- a question that fell back; no user id
        );
        CREATE INDEX unanswered_asked_at ON unanswered (asked_at);
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,        -- kept only so that /forget can delete it
            entry_id TEXT NOT NULL,
            helpful INTEGER NOT NULL,
            given_at TEXT NOT NULL
        );
        CREATE INDEX feedback_user ON feedback (user_id);
        """,
    ),
    (
        "0002_aftercare",
        """
        CREATE TABLE courses (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            procedure_date TEXT NOT NULL,    -- the patient's local date, YYYY-MM-DD
            send_time TEXT NOT NULL,         -- local HH:MM
            timezone TEXT NOT NULL,          -- IANA name
            status TEXT NOT NULL,            -- active | paused | ended
            enrolled_at TEXT NOT NULL,       -- UTC ISO 8601, like every *_at below
            ended_at TEXT,
            end_reason TEXT                  -- completed | stopped | blocked
        );
        CREATE UNIQUE INDEX courses_one_open_per_user ON courses (user_id) WHERE status != 'ended';
        CREATE INDEX courses_ended_at ON courses (ended_at);
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            day INTEGER NOT NULL,            -- course day: days after the procedure (0 = its date)
            kind TEXT NOT NULL,              -- day | follow_up
            due_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | skipped
            not_before TEXT,                 -- set after a failed attempt
            claimed_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            message_id INTEGER,
            UNIQUE (user_id, course_id, day)
        );
        CREATE INDEX deliveries_due ON deliveries (status, due_at);
        CREATE INDEX deliveries_course ON deliveries (course_id);
        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            answer TEXT NOT NULL,            -- the check-in option id; no free text
            answered_at TEXT NOT NULL,
            UNIQUE (course_id, day, answer)
        );
        CREATE INDEX checkins_user ON checkins (user_id);
        CREATE TABLE conversations (
            user_id INTEGER PRIMARY KEY,     -- an unfinished aftercare conversation
            state TEXT NOT NULL,             -- JSON of bot.aftercare.Conversation
            updated_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0003_claim_leases_and_alerts",
        """
        ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;   -- the claiming process
        ALTER TABLE deliveries ADD COLUMN lease_until TEXT;  -- another may take over after this
        UPDATE deliveries SET lease_until = claimed_at WHERE status = 'sending';
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,          -- the staff alert outbox: deleted once sent
            user_id INTEGER,                 -- the patient, so that /forget erases it
            chat_id INTEGER NOT NULL,        -- the staff chat
            html TEXT NOT NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | sending
            not_before TEXT,
            claimed_by TEXT,
            lease_until TEXT,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX alerts_due ON alerts (status, id);
        CREATE INDEX alerts_user ON alerts (user_id);
        """,
    ),
    (
        "0004_patient_language",
        """
        CREATE TABLE patients (
            user_id INTEGER PRIMARY KEY,     -- the Telegram user; erased by /forget
            language TEXT NOT NULL,          -- a loaded FAQ file's language code (en, ru)
            updated_at TEXT NOT NULL
        );
        """,
    ),
)


def stamp(moment: datetime) -> str:
    """A timezone-aware instant as the stored text: UTC ISO 8601 to the second."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: stored times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def moment(text: str | None) -> datetime | None:
    """A stored time back as an aware datetime (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def _statements(script: str) -> Iterator[str]:
    """The complete SQL statements of a script, in order."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        yield pending


class DatabaseTooNew(Exception):
    """The database was migrated by a newer version of the bot; this one must not touch it."""


class AnotherPoller(Exception):
    """Another process already polls Telegram with this database."""


def hold_poller_lock(database: Path) -> IO[bytes]:
    """Take the one polling slot of a database file; keep the returned file open while polling.

    Telegram serves one getUpdates consumer per bot. An OS lock on a file beside the database
    is released by the kernel however the holder ends, so a crashed poller never blocks the next.
    """
    lock_path = database.with_name(f"{database.name}.polling")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    handle = os.fdopen(fd, "r+b")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AnotherPoller(
            f"another softlift-bot is already polling Telegram with {database}; stop it first, "
            "or run several instances in webhook mode (SOFTLIFT_WEBHOOK_URL)"
        ) from None
    return handle


def sqlite_path(url: str) -> Path:
    """The file path of a `sqlite:///path` URL; ValueError for anything else."""
    form = "DATABASE_URL must look like sqlite:///path/to/file.db"
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError(f"{form}, not {url!r}")
    path = url[len(prefix) :]
    if "?" in path or "#" in path:
        # sqlite3 would take them as part of the file name: a file called "bot.db?mode=ro".
        raise ValueError(f"{form}, without ?options or #fragments, not {url!r}")
    if path in {":memory:", ""} or path.startswith(":memory:"):
        raise ValueError(
            f"{form}: an in-memory database would lose every schedule on restart, not {url!r}"
        )
    return Path(path)


class Database:
    """One SQLite file, created private (0600), migrated on open; safe across threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            # Create the file ourselves so that it is private from its first byte.
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
            path.chmod(0o600)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        # Erased rows are overwritten, not left readable in free pages of the file.
        self._conn.execute("PRAGMA secure_delete = ON")
        self._conn.execute("PRAGMA busy_timeout = 5000")
        if str(path) != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._lock = threading.RLock()
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {row["name"] for row in conn.execute("SELECT name FROM migrations")}
            unknown = done - {name for name, _ in MIGRATIONS}
            if unknown:
                raise DatabaseTooNew(
                    f"the database {self.path} was upgraded by a newer version of the bot "
                    f"(migration {sorted(unknown)[-1]}); run that version, or restore a backup"
                )
            for name, sql in MIGRATIONS:
                if name in done:
                    continue
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, datetime('now'))", (name,)
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A serialised write transaction (BEGIN IMMEDIATE ... COMMIT or ROLLBACK)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
