"""Direct SQL for tests, in the one style both backends take: text() with :named parameters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot.storage.database import Database


async def execute(db: Database, sql: str, **params: Any) -> int:
    """Run one statement in its own transaction; the rows it changed."""
    async with db.transaction() as conn:
        return (await conn.execute(text(sql), params)).rowcount


async def column(db: Database, sql: str, **params: Any) -> list[Any]:
    """The first column of every row of a query."""
    async with db.transaction() as conn:
        return [row[0] for row in await conn.execute(text(sql), params)]


async def scalar(db: Database, sql: str, **params: Any) -> Any:
    """The first value of a query's first row."""
    async with db.transaction() as conn:
        return await conn.scalar(text(sql), params)
