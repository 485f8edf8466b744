"""pytest plugin: PostgreSQL for the tests (tests/conftest.py registers it).

Fixtures:

- `postgres_server` (session): the running `pg_server.PostgresServer`, started once on first use
  (well under a second in /dev/shm: initdb, start, ready) and stopped at the end of the session.
- `postgres_url` (session): `postgresql://softlift:PASSWORD@127.0.0.1:PORT/softlift`, the
  session's shared database, as it is (tests that use it directly share its contents).
- `fresh_postgres_url` (function): the same database, its public schema emptied before the
  test (under a millisecond, plus dropping what the last test made): the usual clean database.
- `new_postgres_database` (function): the URL of a database of its own, created for the test
  (~20 ms) and dropped after it, for a test that needs two databases or a pristine one.
- `database_url` (function, parametrised `sqlite` / `postgresql`): a fresh SQLite file's URL
  in tmp_path, and `fresh_postgres_url`; a storage test asks for it to run on both backends.

If the server cannot be found or started, every test that uses it fails with the reason; it is
skipped only when SOFTLIFT_SKIP_POSTGRES=1 is set (or deselect with `-m "not postgresql"`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import PostgresServer, PostgresUnavailable

SKIP_VARIABLE = "SOFTLIFT_SKIP_POSTGRES"
SERVER_KEY = pytest.StashKey[PostgresServer]()


def skipping_postgres() -> bool:
    return os.environ.get(SKIP_VARIABLE, "").strip() not in {"", "0"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgresql: needs the throwaway PostgreSQL server (tests/pg_server.py)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the server, so that `-m "not postgresql"` leaves it out."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    server = terminalreporter.config.stash.get(SERVER_KEY, None)
    if server is not None:
        terminalreporter.write_line(
            f"PostgreSQL {server.version.split()[0]} test server: ready in "
            f"{server.startup_seconds:.2f} s (initdb, start, user and database)"
        )


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    if skipping_postgres():
        pytest.skip(f"PostgreSQL tests skipped: {SKIP_VARIABLE} is set")
    problem = None
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(
            f"the test PostgreSQL server did not start: {problem}\n"
            f"(set {SKIP_VARIABLE}=1 to skip the PostgreSQL tests on purpose)",
            pytrace=False,
        )
    request.config.stash[SERVER_KEY] = server
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.url


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.reset_schema()


@pytest.fixture
def new_postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url
