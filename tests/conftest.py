"""Shared fixtures: the real shipped FAQ and a small test FAQ."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.answers.assistant import Assistant
from bot.answers.knowledge import KnowledgeBase
from bot.answers.loader import load_faq
from bot.storage.courses import CourseRepo
from bot.storage.database import Database
from bot.storage.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

# postgres_server, postgres_url, fresh_postgres_url, new_postgres_database and the
# sqlite/postgresql-parametrised database_url: see tests/pg_fixtures.py.
pytest_plugins = ["pg_fixtures"]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped FAQ, loaded and validated as in production."""
    return load_faq()


@pytest.fixture(scope="session")
def assistant(kb: KnowledgeBase) -> Assistant:
    """The answer engine over the shipped FAQ."""
    return Assistant(kb)


@pytest.fixture
def minimal_text() -> str:
    """A small valid FAQ file's text, for tests that break it on purpose."""
    return (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A fresh, migrated database: a SQLite file, then an empty PostgreSQL database."""
    database = Database(database_url)
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def store(db: Database) -> Store:
    """The store over a fresh database."""
    return Store(db)


@pytest.fixture
def repo(store: Store) -> CourseRepo:
    """The course repository of the store, for direct checks."""
    return store.courses
