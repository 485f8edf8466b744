"""The database: SQLite (the embedded default) or PostgreSQL behind one async engine; migrations."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.locale import readable

log = logging.getLogger(__name__)

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
    (
        "0005_shared_state",
        """
        DELETE FROM feedback WHERE id NOT IN (
            SELECT max(id) FROM feedback GROUP BY user_id, entry_id
        );
        CREATE UNIQUE INDEX feedback_one_vote ON feedback (user_id, entry_id);
        CREATE TABLE faq_version (
            id INTEGER PRIMARY KEY,          -- one row: what every instance of the bot serves
            version INTEGER NOT NULL,        -- raised by /reload; each instance's tick follows it
            changed_at TEXT NOT NULL
        );
        INSERT INTO faq_version (id, version, changed_at) VALUES (1, 0, '1970-01-01T00:00:00+00:00');
        CREATE TABLE send_budget (
            id INTEGER PRIMARY KEY,          -- one row: Telegram's per-bot send budget, shared
            tokens DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL  -- seconds since the epoch, the server's clock
        );
        INSERT INTO send_budget (id, tokens, updated_at) VALUES (1, 0, 0);
        """,
    ),
    (
        "0006_insights_and_digest",
        """
        -- /stats counts a month of questions per hour from this index alone, in its order:
        -- no sort of a million rows (SQLite had to sort them with an index on asked_at).
        CREATE INDEX questions_by_hour ON questions ((substr(asked_at, 1, 13)), kind, entry_id, asked_at);
        DROP INDEX questions_asked_at;
        CREATE INDEX checkins_answered_at ON checkins (answered_at);
        CREATE TABLE digests (
            week TEXT PRIMARY KEY,           -- ISO week in the clinic's zone, e.g. 2026-W49
            claimed_by TEXT,                 -- the process sending it
            lease_until TEXT,                -- another may take over after this
            sent_at TEXT                     -- set once the staff chat has it: never sent again
        );
        """,
    ),
    (
        "0007_urgent_messages",
        """
        -- A patient's message already judged urgent: its staff alert was queued with this row,
        -- in one transaction, so an edit of it that is still urgent alerts nobody again.
        CREATE TABLE urgent_messages (
            chat_id INTEGER NOT NULL,        -- the patient's chat (their user id when private)
            message_id INTEGER NOT NULL,     -- never the text
            judged_at TEXT NOT NULL,         -- the purge erases the row after URGENT_RETENTION
            PRIMARY KEY (chat_id, message_id)
        );
        CREATE INDEX urgent_messages_judged_at ON urgent_messages (judged_at);
        """,
    ),
    (
        "0008_digest_parts",
        """
        -- How many of a week's digest messages (the chart, then the report's parts) the staff
        -- chat has: a failed send is tried again from the first it lacks, never the whole digest.
        ALTER TABLE digests ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    (
        "0009_urgent_message_level",
        """
        -- 1 once the message's alert was an emergency's: an urgent message edited into an
        -- emergency alerts the staff once more, an edit at the same level never. A mark made
        -- before this reads as urgent, so an emergency edit of it may alert again: the safe way.
        ALTER TABLE urgent_messages ADD COLUMN emergency INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    (
        "0010_forgotten_chats",
        """
        -- A private chat whose patient sent /forget: its messages up to that one are the
        -- forgotten conversation, and an edit of one alerts the staff no more (its urgent mark
        -- went with the rest). Erased after the urgent marks' retention, as they are.
        CREATE TABLE forgotten_chats (
            chat_id INTEGER NOT NULL,        -- the patient's private chat (their user id)
            through_message_id INTEGER NOT NULL,  -- the /forget message; never a text
            forgotten_at TEXT NOT NULL,
            PRIMARY KEY (chat_id)
        );
        CREATE INDEX forgotten_chats_at ON forgotten_chats (forgotten_at);
        """,
    ),
    (
        "0011_enrolment_answers",
        """
        -- The ids of the messages that answered the enrolment's questions ("12,15"; never their
        -- text): an edit of one after the enrolment is told how to change the date.
        ALTER TABLE courses ADD COLUMN answer_ids TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0012_change_answers",
        """
        -- The ids of the messages typed as a new time or zone of the course ("31,40"; never
        -- their text), the latest last, and the question the latest answered ('new_time' or
        -- 'new_zone'; '' once a button changed them since): an edit of it is read again, an
        -- edit of an earlier one told how to change them.
        ALTER TABLE courses ADD COLUMN change_ids TEXT NOT NULL DEFAULT '';
        ALTER TABLE courses ADD COLUMN change_step TEXT NOT NULL DEFAULT '';
        """,
    ),
)


Dialect = Literal["sqlite", "postgresql"]
# Two instances starting at once migrate one after the other (any constant key will do).
_MIGRATION_LOCK = 5_301_001
_POLLER_LOCK = 5_301_002
# A connection that cannot be made is tried again this many times, waiting longer each time.
CONNECT_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)
# What a server that is away (or a dropped connection) raises through the driver.
_UNREACHABLE = (OperationalError, InterfaceError, OSError)
POSTGRES_POOL_SIZE = 10  # and as many again for bursts (SQLAlchemy's max_overflow)
# The longest query (/stats over a million questions) takes well under a second.
STATEMENT_TIMEOUT_MS = 60_000


def stamp(moment: datetime) -> str:
    """A timezone-aware instant as the stored text: UTC ISO 8601 to the second."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: stored times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def moment(text: str | None) -> datetime | None:
    """A stored time back as an aware datetime (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def storable(text: str) -> str:
    """A patient's text as both databases store it: no NUL (PostgreSQL's refusal), readable."""
    # Half a surrogate pair (a JSON "\ud83d") is no text: neither driver can encode it.
    return readable(text).replace("\x00", "")


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


def _for_postgres(statement: str) -> str:
    """A migration statement in PostgreSQL's words: 64-bit ids (Telegram's user ids need them)."""
    statement = statement.replace(
        "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    )
    return re.sub(r"\bINTEGER\b", "BIGINT", statement)


class DatabaseTooNew(Exception):
    """The database was migrated by a newer version of the bot; this one must not touch it."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; the message is one readable line."""


class DatabaseUnreadable(DatabaseUnavailable):
    """The database is there but cannot be used: a file that is not one, damaged, no access."""


class AnotherPoller(Exception):
    """Another process already polls Telegram with this database."""


ANOTHER_POLLER = (
    "another softlift-bot is already polling Telegram with {where}; stop it first, "
    "or run several instances in webhook mode (SOFTLIFT_WEBHOOK_URL)"
)
WEBHOOKS_RUNNING = (
    "softlift-bot instances in webhook mode already run with {where}: a polling bot would "
    "delete their webhook and take their updates; start this one in webhook mode too"
)
POLLER_RUNNING = (
    "a softlift-bot is polling Telegram with {where}: stop it before starting instances in "
    "webhook mode (Telegram serves a bot either by polling or by webhook)"
)


@dataclass(frozen=True)
class DatabaseUrl:
    """A checked DATABASE_URL: a SQLite file or a PostgreSQL server."""

    url: str
    dialect: Dialect
    path: Path | None = None  # the SQLite file

    @property
    def secrets(self) -> list[str]:
        """Every password the URL holds (libpq also takes them as query options), to mask."""
        if self.path is not None:
            return []
        url = make_url(self.url)
        found = [url.password or "", *(_query_values(url, name) for name in SECRET_OPTIONS)]
        return [secret for secret in found if secret]

    @property
    def display(self) -> str:
        """The URL as it may be shown and logged: no password, no options (they may hold one)."""
        if self.path is not None:
            return self.url
        return make_url(self.url).set(query={}).render_as_string(hide_password=True)

    def driver_url(self) -> URL:
        """The URL with the async driver SQLAlchemy uses for it."""
        if self.path is not None:
            return URL.create("sqlite+aiosqlite", database=str(self.path))
        return make_url(self.url).set(drivername="postgresql+psycopg")


_URL_FORMS = "sqlite:///path/to/file.db or postgresql://user:password@host:5432/database"


# libpq options that carry a password: never shown, masked in the log.
SECRET_OPTIONS = ("password", "sslpassword")


def _query_values(url: URL, name: str) -> str:
    value = url.query.get(name)
    return value if isinstance(value, str) else ",".join(value or ())


def parse_database_url(value: str) -> DatabaseUrl:
    """A DATABASE_URL checked; ValueError with a readable line for anything else.

    The line never quotes a PostgreSQL URL: a malformed one may hold the password anywhere.
    """
    scheme = value.partition(":")[0].lower()
    if scheme.startswith(("postgres", "mysql", "mariadb", "oracle", "mssql")):
        if not scheme.startswith("postgres"):
            raise ValueError(f"DATABASE_URL must look like {_URL_FORMS}: SQLite or PostgreSQL")
        if scheme not in {"postgresql", "postgres", "postgresql+psycopg"}:
            raise ValueError(
                f"DATABASE_URL must look like {_URL_FORMS}: the bot brings its own driver "
                "(psycopg 3), so write postgresql:// without +driver"
            )
        if not _is_utf8(value):
            # A byte of another encoding ("é" in a .env saved as Latin-1) reaches Python as a
            # lone surrogate, which no URL or driver can encode.
            raise ValueError(
                "DATABASE_URL holds characters that are not UTF-8 text (a file of settings "
                "saved in another encoding?): save it as UTF-8 or percent-encode them (%C3%A9)"
            )
        try:
            url = make_url(value)
            url.port  # noqa: B018 - a port that is not a number fails here, not later
            # A password ends at its first @ and the rest reads as the server ("Top@Secret9@db"):
            # no host name has an @, and the part before it is the password's own tail.
            valid = "@" not in (url.host or "")
        except (ArgumentError, ValueError):
            valid = False
        if not valid:
            raise ValueError(
                f"DATABASE_URL is not a valid URL: it must look like {_URL_FORMS}, with @ : / "
                "and % in the user name or password written as %40 %3A %2F %25"
            ) from None
        if not url.host and not url.query.get("host"):
            raise ValueError(f"DATABASE_URL names no server: it must look like {_URL_FORMS}")
        if not url.database:
            raise ValueError(f"DATABASE_URL names no database: it must look like {_URL_FORMS}")
        return DatabaseUrl(url.set(drivername="postgresql").render_as_string(False), "postgresql")
    return DatabaseUrl(value, "sqlite", sqlite_path(value))


def _is_utf8(text: str) -> bool:
    """Whether a text from the environment was valid UTF-8 (no lone surrogates in it)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def sqlite_path(url: str) -> Path:
    """The file path of a `sqlite:///path` URL; ValueError for anything else."""
    form = f"DATABASE_URL must look like {_URL_FORMS}"
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        shown = repr(url) if "@" not in url else "a URL of another kind"
        raise ValueError(f"{form}, not {shown}")
    path = url[len(prefix) :]
    if "?" in path or "#" in path:
        # sqlite3 would take them as part of the file name: a file called "bot.db?mode=ro".
        raise ValueError(f"{form}, without ?options or #fragments, not {url!r}")
    if path in {":memory:", ""} or path.startswith(":memory:"):
        raise ValueError(
            f"{form}: an in-memory database would lose every schedule on restart, not {url!r}"
        )
    if path.startswith("~"):
        # No shell expands it here: the data would go to a folder named "~" in the working one.
        raise ValueError(
            f"{form}: ~ is not the home folder inside a URL; write the whole path, like "
            f"sqlite:////home/you/softlift.db, not {url!r}"
        )
    return Path(path)


def make_url_safe(value: str) -> str:
    """A text that may quote a URL, as it may be shown: passwords in it are hidden."""
    value = re.sub(r"(//[^/:@\s]*:)\S*@", r"\1***@", value)
    return re.sub(r"\b((?:ssl)?password=)[^&\s]*", r"\1***", value)


SQLITE_HEADER = b"SQLite format 3\x00"


def _prepare_sqlite_file(path: Path, shown: str) -> None:
    """Create the database file private (0600), or check that an existing one is SQLite's.

    A file that is not a database is refused before anything touches it: DATABASE_URL may
    name the wrong file (by a typo, a symlink) and its mode and bytes must stay as they were.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # Created by us, private from its first byte; O_EXCL: never someone else's file.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
        return
    except FileExistsError:
        pass
    if not path.is_file():
        # A pipe would wait for a writer for ever (a device such as /dev/stdin, for input).
        raise DatabaseUnreadable(
            f"cannot open the database {shown}: it exists and is not a regular file, so not"
            " a database; it was left untouched"
        )
    with path.open("rb") as existing:
        header = existing.read(len(SQLITE_HEADER))
    private = not path.stat().st_mode & 0o077
    # Empty and private: created by an earlier start that stopped before its first write.
    if header != SQLITE_HEADER and not (header == b"" and private):
        raise DatabaseUnreadable(
            f"cannot open the database {shown}: the file exists and is not a database"
            " (no SQLite header); it was left untouched"
        )
    # The bot's own database made private again, and the write-ahead log a crash left beside
    # it: SQLite creates that with the file's mode, and it holds rows not yet in the file.
    for own in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if own.stat().st_mode & 0o077:
                own.chmod(0o600)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions itself: `transaction()` says BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # Erased rows are overwritten, not left readable in free pages of the file.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    # In WAL mode NORMAL survives any crash of the process (only a power cut can take the last
    # commits); FULL would sync the disk on every commit, twice per message sent.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _empty_wal(conn: Connection) -> None:
    # secure_delete overwrites a deleted row in the page's new version, but the WAL keeps the
    # old versions (the row as it was) until a checkpoint; TRUNCATE copies the new ones into
    # the file and cuts the WAL to nothing. It must run outside a transaction.
    cursor = conn.connection.cursor()
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is not None and row[0]:
        # Another process (softlift-bot stats) is reading: the next erase or purge empties it.
        log.warning("the WAL could not be emptied now: a reader holds it")


def _on_sqlite_begin(conn: Any) -> None:
    # Take the write lock at the start: two writers never deadlock upgrading a read lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One database, migrated on first use; every query goes through `transaction()`."""

    def __init__(
        self,
        target: DatabaseUrl | Path | str,
        connect_backoff: tuple[float, ...] = CONNECT_BACKOFF_SECONDS,
    ) -> None:
        if isinstance(target, Path):
            target = DatabaseUrl(f"sqlite:///{target}", "sqlite", target)
        elif isinstance(target, str):
            target = parse_database_url(target)
        self.target = target
        self.dialect: Dialect = target.dialect
        self.path = target.path
        self.connect_backoff = connect_backoff
        self.engine: AsyncEngine = self._engine()
        # Round trips, for the log at close and the benchmarks: statements and commits.
        self.statements = 0
        self.commits = 0
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._count_statement)
        event.listen(self.engine.sync_engine, "commit", self._count_commit)
        self._ready = False
        self._opening = asyncio.Lock()
        self._poller: _InstanceLock | None = None

    def _engine(self) -> AsyncEngine:
        if self.path is not None:
            # SQLite serialises writers anyway: one connection keeps them in order, and a
            # caller waits for it on the event loop, not in a busy loop inside the driver.
            engine = create_async_engine(
                self.target.driver_url(),
                pool_size=1,
                max_overflow=0,
                pool_timeout=120,
                hide_parameters=True,  # an error's text must not quote what patients wrote
            )
            event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
            event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
            return engine
        return create_async_engine(
            self.target.driver_url(),
            pool_size=POSTGRES_POOL_SIZE,
            pool_pre_ping=True,
            hide_parameters=True,
            connect_args={
                "connect_timeout": 10,
                "application_name": "softlift-bot",
                # A server that silently stops answering must not hold a handler for ever.
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
                "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            },
        )

    def _count_statement(self, *_: Any) -> None:
        self.statements += 1

    def _count_commit(self, *_: Any) -> None:
        self.commits += 1

    @property
    def postgres(self) -> bool:
        """True on PostgreSQL, where claims use row locks (FOR UPDATE SKIP LOCKED)."""
        return self.dialect == "postgresql"

    def lock_rows(self, skip_locked: bool = False, of: str | None = None) -> str:
        """The row-locking clause for a SELECT: empty on SQLite, whose writer lock covers it.

        `of`: lock only that table's rows in a join (its alias).
        """
        if not self.postgres:
            return ""
        table = f" OF {of}" if of else ""
        return f" FOR UPDATE{table}{' SKIP LOCKED' if skip_locked else ''}"

    async def open(self) -> list[str]:
        """Create a SQLite file private (0600), connect and migrate; the migrations applied.

        Raises DatabaseTooNew, DatabaseUnavailable (away), or DatabaseUnreadable for anything
        else that stops it (a damaged file, no permission): one readable line each.
        """
        async with self._opening:
            if self._ready:
                return []
            try:
                if self.path is not None:
                    _prepare_sqlite_file(self.path, self.target.display)
                async with self._begin() as conn:
                    applied = await self._migrate(conn)
            except (DatabaseTooNew, DatabaseUnavailable):
                raise
            except Exception as exc:
                raise DatabaseUnreadable(
                    f"cannot open the database {self.target.display}: {reason_of(exc)}"
                ) from exc
            self._ready = True
            return applied

    async def check_writable(self) -> None:
        """DatabaseUnreadable unless this process may write to the database.

        A SQLite file of mode 0400 or on a read-only mount opens read-only, and a read-only
        server or role reads too: with no migration to apply nothing else writes at start-up,
        and the bot would serve with every patient's message failing.
        """
        try:
            async with self._begin() as conn:
                # A write that changes nothing (SQLite's BEGIN IMMEDIATE passes read-only).
                await conn.exec_driver_sql("DELETE FROM migrations WHERE name = ''")
        except DatabaseUnavailable:
            raise
        except Exception as exc:
            raise DatabaseUnreadable(
                f"cannot write to the database {self.target.display}: {reason_of(exc)}"
            ) from exc

    async def _migrate(self, conn: AsyncConnection) -> list[str]:
        if self.postgres:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        await conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await conn.exec_driver_sql("SELECT name FROM migrations")}
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            raise DatabaseTooNew(
                f"the database {self.target.display} was upgraded by a newer version of the bot "
                f"(migration {sorted(unknown)[-1]}); run that version, or restore a backup"
            )
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            applied.append(name)
            for statement in _statements(sql):
                await conn.exec_driver_sql(_for_postgres(statement) if self.postgres else statement)
            await conn.execute(
                text("INSERT INTO migrations (name, applied_at) VALUES (:name, :at)"),
                {"name": name, "at": stamp(datetime.now(UTC))},
            )
        return applied

    @asynccontextmanager
    async def transaction(self, *, erasing: bool = False) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back when it raises.

        `erasing`: the block deletes patients' data, so on SQLite the WAL is emptied after it.
        """
        if not self._ready:
            await self.open()
        async with self._begin(erasing) as conn:
            yield conn

    @asynccontextmanager
    async def _begin(self, erasing: bool = False) -> AsyncIterator[AsyncConnection]:
        conn = await self._connect()
        try:
            async with conn.begin():
                yield conn
            if erasing and self.path is not None:
                await conn.run_sync(_empty_wal)
        finally:
            await conn.close()

    async def _connect(self) -> AsyncConnection:
        """A pooled connection; a server that is briefly away is tried again with back-off."""
        for wait in (*self.connect_backoff, None):
            try:
                return await self.engine.connect()
            except _UNREACHABLE as exc:
                if wait is None:
                    raise DatabaseUnavailable(
                        f"cannot reach the database {self.target.display}: {reason_of(exc)}"
                    ) from exc
                log.warning(
                    "database unreachable (%s); retrying in %.1f s", type(exc).__name__, wait
                )
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def hold_instance_lock(self, polling: bool) -> None:
        """Register this process with the database until `close()`; AnotherPoller if refused.

        Telegram serves a bot either to one getUpdates consumer or by webhook: a poller takes
        the lock alone, webhook instances share it. The lock dies with its holder (a file lock
        on SQLite, a session advisory lock on PostgreSQL), so a crashed bot never blocks.
        """
        if self._poller is None:
            self._poller = await _InstanceLock.take(self, polling)

    async def close(self) -> None:
        """Give back the polling slot and close every connection."""
        if self._poller is not None:
            await self._poller.release()
            self._poller = None
        await self.engine.dispose()
        if self.statements:
            log.info("database: %d statements in %d transactions", self.statements, self.commits)


def reason_of(exc: BaseException) -> str:
    """The first line of a driver's error, without the URL or the password."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first = (str(inner).strip().splitlines() or [type(inner).__name__])[0]
    return make_url_safe(first)


class _InstanceLock:
    """Who serves Telegram with this database: one poller alone, or webhook instances together."""

    def __init__(self, handle: IO[bytes] | None, conn: AsyncConnection | None) -> None:
        self._handle = handle
        self._conn = conn

    @classmethod
    async def take(cls, db: Database, polling: bool) -> _InstanceLock:
        where = db.target.display
        if db.path is not None:
            return cls(_flock(db.path, where, polling), None)
        conn = await db._connect()
        mine, theirs = ("", "_shared") if polling else ("_shared", "")
        got = await conn.scalar(text(f"SELECT pg_try_advisory_lock{mine}(:k)"), {"k": _POLLER_LOCK})
        if not got and polling:
            # Refused: by another poller, or by webhook instances (they would let us share).
            webhooks = await conn.scalar(
                text(f"SELECT pg_try_advisory_lock{theirs}(:k)"), {"k": _POLLER_LOCK}
            )
        await conn.commit()
        if not got:
            # The connection goes back to the pool, its session alive: give back the shared
            # lock the probe may have taken, now, not when the pool closes it.
            await _unlock_all(conn)
            raise AnotherPoller(_refusal(polling, polling and bool(webhooks)).format(where=where))
        return cls(None, conn)

    async def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._conn is not None:
            await _unlock_all(self._conn)


async def _unlock_all(conn: AsyncConnection) -> None:
    """Give back the session's advisory locks at once, then the connection to the pool."""
    # A closed socket only releases them when the server notices, a moment later; a broken
    # connection is closed all the same (its session, and its locks, end with it).
    try:
        await conn.execute(text("SELECT pg_advisory_unlock_all()"))
        await conn.commit()
    except _UNREACHABLE as exc:
        log.warning("could not give back the instance lock (%s)", type(exc).__name__)
        await conn.invalidate()
    finally:
        await conn.close()


def _refusal(polling: bool, webhooks_running: bool) -> str:
    if not polling:
        return POLLER_RUNNING
    return WEBHOOKS_RUNNING if webhooks_running else ANOTHER_POLLER


def _flock(database: Path, where: str, polling: bool) -> IO[bytes]:
    lock_path = database.with_name(f"{database.name}.polling")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    handle = os.fdopen(fd, "r+b")
    try:
        fcntl.flock(handle, (fcntl.LOCK_EX if polling else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        webhooks = False
        if polling:
            with contextlib.suppress(BlockingIOError):
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                webhooks = True
        handle.close()
        raise AnotherPoller(_refusal(polling, webhooks).format(where=where)) from None
    return handle
