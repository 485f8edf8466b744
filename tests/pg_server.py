"""A throwaway PostgreSQL server for the tests: a private cluster in a temporary directory.

The directory is in /dev/shm when that has room (a disk busy with other work makes initdb and
CREATE DATABASE several times slower), else in the temp dir; SOFTLIFT_PG_TMPDIR overrides both.

`PostgresServer.start()` finds the server binaries, runs initdb into a fresh directory, starts
postgres on 127.0.0.1 at a free port (and a unix socket inside that directory only), waits until
it accepts connections and creates a database and a user with a password. `stop()` stops it at
once (`pg_ctl stop -m immediate`) and deletes the directory: nothing of it is meant to survive.

PostgreSQL refuses to run as root; as root the cluster belongs to an unprivileged user
(`postgres`, which Debian's package creates, else `nobody`) and its processes run as that user.
Durability is switched off (fsync, synchronous_commit, full_page_writes): a crash loses a test
database, which is thrown away anyway.

Binaries are looked for in $SOFTLIFT_PG_BINDIR, then `pg_config --bindir`, then
/usr/lib/postgresql/<newest>/bin, then PATH. scripts/ensure_postgres.sh installs them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "32MB",
    # Fewer background writes and no autovacuum surprises in a short-lived cluster.
    "autovacuum": "off",
    "checkpoint_timeout": "1h",
    "max_wal_size": "128MB",  # bounds the memory the cluster takes on a tmpfs
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "logging_collector": "off",
}
START_TIMEOUT_SECONDS = 60
PREFIX = "softlift-pg-"  # the clusters' directories: softlift-pg-* in one of base_dirs()
# A cluster in memory starts in about a third of the time and creates a database ~40 times
# faster when the disk is busy (benchmarks/bench_postgres.py); it needs well under this.
MIN_FREE_BYTES = 1 << 30
OWNER_FILE = "owner.pid"  # in each: the pid of the process that started the cluster
USER = "softlift"
DATABASE = "softlift"


class PostgresUnavailable(RuntimeError):
    """The server could not be found or started; the message says why and what to do."""


def find_bindir() -> Path:
    """The directory holding initdb, pg_ctl and postgres; PostgresUnavailable if none does."""
    candidates: list[Path] = []
    if os.environ.get("SOFTLIFT_PG_BINDIR"):
        candidates.append(Path(os.environ["SOFTLIFT_PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for directory in candidates:
        if all((directory / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: run "
        "scripts/ensure_postgres.sh (as root it installs Debian's postgresql package), or set "
        "SOFTLIFT_SKIP_POSTGRES=1 to skip the PostgreSQL tests"
    )


def base_dirs() -> list[Path]:
    """Where clusters may go: $SOFTLIFT_PG_TMPDIR, else /dev/shm (memory) and the temp dir."""
    if os.environ.get("SOFTLIFT_PG_TMPDIR"):
        return [Path(os.environ["SOFTLIFT_PG_TMPDIR"])]
    return [Path("/dev/shm"), Path(tempfile.gettempdir())]  # noqa: S108 - mkdtemp makes 0700 dirs


def cluster_base() -> Path:
    """The first of base_dirs() that is writable and has room; the temp dir as a last resort."""
    for base in base_dirs():
        with contextlib.suppress(OSError):
            if (
                os.access(base, os.W_OK | os.X_OK)
                and shutil.disk_usage(base).free >= MIN_FREE_BYTES
            ):
                return base
    return base_dirs()[-1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _server_user() -> pwd.struct_passwd | None:
    """The account to run the server as: None for the current one, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable(
        "running as root, and neither a 'postgres' nor a 'nobody' user exists to run the server"
    )


@dataclass
class PostgresServer:
    """One private cluster; use start() and stop(), or `with PostgresServer() as server:`."""

    bindir: Path = field(default_factory=find_bindir)
    root: Path | None = None
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)
    startup_seconds: float = 0.0  # initdb + start + ready + the user and its database
    version: str = ""
    _databases: int = 0
    _admin: dict[str, psycopg.Connection[Any]] = field(default_factory=dict, repr=False)

    @property
    def data_dir(self) -> Path:
        assert self.root is not None, "the server is not started"
        return self.root / "data"

    @property
    def url(self) -> str:
        """The test database, as DATABASE_URL takes it."""
        return self.database_url(DATABASE)

    def database_url(self, name: str) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{name}"

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        return (
            f"host=127.0.0.1 port={self.port} dbname={dbname} user=postgres "
            f"password={self.admin_password} connect_timeout=10"
        )

    def admin(self, dbname: str = "postgres") -> psycopg.Connection[Any]:
        """The superuser's connection to a database, opened once (a connection costs ~6 ms)."""
        conn = self._admin.get(dbname)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.admin_conninfo(dbname), autocommit=True)
            self._admin[dbname] = conn
        return conn

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, args: list[str], *, timeout: float = START_TIMEOUT_SECONDS) -> str:
        return _run(args, cwd=self.root, timeout=timeout)

    def start(self) -> None:
        began = time.perf_counter()
        stop_abandoned(self.bindir)
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=cluster_base()))
        (self.root / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.perf_counter() - began

    def _start(self) -> None:
        assert self.root is not None
        user = _server_user()
        if user is not None:
            os.chown(self.root, user.pw_uid, user.pw_gid)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.admin_password + "\n", encoding="utf-8")
        if user is not None:
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        self._run(
            [
                str(self.bindir / "initdb"),
                "--pgdata",
                str(self.data_dir),
                "--username=postgres",
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]
        )
        pwfile.unlink()
        settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{self.root}'"}
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/pg_server.py: a throwaway cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # A port taken between free_port() and the server's bind fails the start: try another.
        for attempt in range(3):
            self.port = free_port()
            try:
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "start",
                        "--pgdata",
                        str(self.data_dir),
                        "--wait",
                        f"--timeout={START_TIMEOUT_SECONDS}",
                        "--silent",
                        f"--log={self.root / 'server.log'}",
                        f"--options=-p {self.port}",
                    ]
                )
                break
            except PostgresUnavailable as exc:
                log = self.root / "server.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                if attempt == 2 or "already in use" not in tail:
                    raise PostgresUnavailable(f"{exc}\nserver log:\n{tail}") from None
        conn = self.admin()
        self.version = str(conn.execute("SHOW server_version").fetchone()[0])
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                sql.Identifier(USER), sql.Literal(self.password)
            )
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0").format(
                sql.Identifier(DATABASE), sql.Identifier(USER)
            )
        )

    def reset_schema(self, name: str = DATABASE) -> str:
        """Empty a database's public schema (under 1 ms when empty); returns the database's URL.

        Connections other tests left open to it are closed first, so that none holds a lock.
        """
        conn = self.admin(name)
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.execute(
            sql.SQL(
                "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public AUTHORIZATION {}"
            ).format(sql.Identifier(USER))
        )
        return self.database_url(name)

    def create_database(self, name: str | None = None) -> str:
        """A new empty database owned by the test user (~20 ms); returns its URL.

        FILE_COPY copies template0's files (a checkpoint, cheap with fsync off): about twice
        as fast in memory as the default WAL_LOG strategy, which writes every page to the WAL.
        """
        self._databases += 1
        name = name or f"test_{self._databases}"
        self.admin().execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(USER)
            )
        )
        return self.database_url(name)

    def drop_database(self, url_or_name: str) -> None:
        """Drop a database, closing whatever connections a test left open to it."""
        name = url_or_name.rsplit("/", 1)[-1]
        conn = self._admin.pop(name, None)
        if conn is not None:
            conn.close()
        self.admin().execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def stop(self) -> None:
        """Stop the server at once and delete its directory; safe to call twice."""
        for conn in self._admin.values():
            conn.close()
        self._admin.clear()
        if self.root is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(PostgresUnavailable):
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "stop",
                        "--pgdata",
                        str(self.data_dir),
                        "--mode=immediate",
                        "--wait",
                        "--silent",
                    ],
                    timeout=30,
                )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


def _run(args: list[str], *, cwd: Path | None, timeout: float = START_TIMEOUT_SECONDS) -> str:
    """Run a server program (as the server's user); PostgresUnavailable with its output."""
    user = _server_user()
    try:
        done = subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=cwd,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"{Path(args[0]).name} failed: {exc}") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise PostgresUnavailable(
            f"{Path(args[0]).name} exited with {done.returncode}: {output[-2000:]}"
        )
    return done.stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_abandoned(bindir: Path) -> None:
    """Stop and delete the clusters of test sessions that were killed before they could.

    Each cluster's directory names the process that started it; when that process is gone,
    nothing else will ever stop its server.
    """
    for root in (root for base in base_dirs() for root in base.glob(f"{PREFIX}*")):
        with contextlib.suppress(OSError, ValueError):
            owner = int((root / OWNER_FILE).read_text(encoding="ascii"))
            if owner == os.getpid() or _alive(owner):
                continue
            if (root / "data" / "postmaster.pid").exists():
                with contextlib.suppress(PostgresUnavailable):
                    _run(
                        [
                            str(bindir / "pg_ctl"),
                            "stop",
                            "--pgdata",
                            str(root / "data"),
                            "--mode=immediate",
                            "--wait",
                            "--silent",
                        ],
                        cwd=None,
                        timeout=30,
                    )
            shutil.rmtree(root, ignore_errors=True)
