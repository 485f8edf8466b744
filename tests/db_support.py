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


async def fail_deletes(db: Database, table: str) -> None:
    """Make every delete from a table fail, as a database failing halfway would."""
    if db.postgres:
        await execute(
            db,
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql"
            " AS 'BEGIN RAISE EXCEPTION ''disk full''; END'",
        )
        await execute(
            db,
            f"CREATE TRIGGER full_{table} BEFORE DELETE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION disk_full()",
        )
        return
    await execute(
        db,
        f"CREATE TRIGGER full_{table} BEFORE DELETE ON {table}"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )


async def heal_deletes(db: Database, table: str) -> None:
    """Undo `fail_deletes`."""
    on = f" ON {table}" if db.postgres else ""
    await execute(db, f"DROP TRIGGER full_{table}{on}")
