"""The tests' own PostgreSQL server (tests/pg_server.py) and its fixtures (tests/pg_fixtures.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pg_server import (
    OWNER_FILE,
    PREFIX,
    PostgresServer,
    PostgresUnavailable,
    base_dirs,
    stop_abandoned,
)

TESTS = Path(__file__).resolve().parent


def test_the_server_is_reachable_with_the_url(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql://softlift:")
    with psycopg.connect(postgres_url) as conn:
        user, database = conn.execute("SELECT current_user, current_database()").fetchone()
        assert (user, database) == ("softlift", "softlift")
        assert conn.execute("SHOW fsync").fetchone() == ("off",)


def test_it_listens_on_loopback_only(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.url) as conn:
        (addresses,) = conn.execute("SHOW listen_addresses").fetchone()
    assert addresses == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", postgres_server.port), timeout=5):
        pass


def test_the_server_does_not_run_as_root(postgres_server: PostgresServer) -> None:
    pid = int((postgres_server.data_dir / "postmaster.pid").read_text().split()[0])
    assert Path(f"/proc/{pid}").stat().st_uid != 0


def test_a_wrong_password_is_refused(postgres_server: PostgresServer) -> None:
    url = postgres_server.url.replace(postgres_server.password, "wrong")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url, connect_timeout=5)


def test_fresh_postgres_url_starts_empty(postgres_server: PostgresServer) -> None:
    url = postgres_server.reset_schema()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE leftover (id int)")
        conn.execute("INSERT INTO leftover VALUES (1)")
    # A connection left open, as a test that forgot to close its engine would.
    stale = psycopg.connect(url)
    stale.execute("SELECT * FROM leftover").fetchall()
    try:
        url = postgres_server.reset_schema()
        with psycopg.connect(url) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
            assert tables == (0,)
            conn.execute("CREATE TABLE mine (id int)")  # the test user owns the new schema
    finally:
        stale.close()


def test_new_postgres_database_is_a_database_of_its_own(
    new_postgres_database: str, postgres_url: str
) -> None:
    assert new_postgres_database != postgres_url
    with psycopg.connect(new_postgres_database) as conn:
        (name,) = conn.execute("SELECT current_database()").fetchone()
        assert name.startswith("test_")
        conn.execute("CREATE TABLE mine (id int)")


def test_database_url_names_each_backend(database_url: str) -> None:
    assert database_url.startswith(("sqlite:////", "postgresql://"))
    if database_url.startswith("postgresql://"):
        with psycopg.connect(database_url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_missing_binaries_raise_a_readable_error(tmp_path: Path) -> None:
    server = PostgresServer(bindir=tmp_path)
    with pytest.raises(PostgresUnavailable, match="initdb"):
        server.start()
    assert server.root is None  # the temporary directory is gone again


def _run_pytest(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A tiny suite that needs the server, run with the plugin in its own process."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_needs_pg.py").write_text(
        "def test_it(postgres_url):\n    assert postgres_url\n", encoding="utf-8"
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "pg_fixtures",
            "-p",
            "no:asyncio",
            "-p",
            "no:cacheprovider",
            "-rs",
            "test_needs_pg.py",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(TESTS), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def broken_bindir(tmp_path: Path) -> Path:
    """Server binaries that all fail, as a broken installation would."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("initdb", "pg_ctl", "postgres"):
        (bindir / name).write_text("#!/bin/sh\necho broken >&2\nexit 1\n", encoding="utf-8")
        (bindir / name).chmod(0o755)
    bindir.chmod(0o755)
    tmp_path.chmod(0o755)  # readable by the unprivileged user the server runs as under root
    return bindir


def test_a_server_that_cannot_start_fails_the_tests(tmp_path: Path, broken_bindir: Path) -> None:
    result = _run_pytest(
        tmp_path, {"SOFTLIFT_PG_BINDIR": str(broken_bindir), "SOFTLIFT_SKIP_POSTGRES": ""}
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the test PostgreSQL server did not start: initdb" in result.stdout
    assert "1 error" in result.stdout


def test_skipping_postgres_is_asked_for_explicitly(tmp_path: Path, broken_bindir: Path) -> None:
    result = _run_pytest(
        tmp_path, {"SOFTLIFT_PG_BINDIR": str(broken_bindir), "SOFTLIFT_SKIP_POSTGRES": "1"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SOFTLIFT_SKIP_POSTGRES is set" in result.stdout
    assert "1 skipped" in result.stdout


def test_clusters_of_killed_sessions_are_cleaned_up(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])  # its pid no longer runs once waited for
    dead.wait()
    abandoned = base_dirs()[-1] / f"{PREFIX}test-abandoned"
    running = base_dirs()[0] / f"{PREFIX}test-running"
    for root, pid in ((abandoned, dead.pid), (running, os.getpid())):
        root.mkdir(exist_ok=True)
        (root / OWNER_FILE).write_text(f"{pid}\n", encoding="ascii")
    try:
        stop_abandoned(tmp_path)
        assert not abandoned.exists()
        assert running.exists()
    finally:
        shutil.rmtree(abandoned, ignore_errors=True)
        shutil.rmtree(running, ignore_errors=True)
