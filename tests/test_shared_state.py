"""The state every instance shares: the FAQ version and Telegram's send budget."""

from __future__ import annotations

import asyncio

from db_support import execute

from bot.storage.database import Database
from bot.storage.shared import SharedState

RATE = 28.0
BURST = 2.0


async def _server_now(db: Database) -> float:
    """The database server's clock, in the budget's seconds since the epoch."""
    now = (
        "extract(epoch from clock_timestamp())"
        if db.postgres
        else "((julianday('now') - 2440587.5) * 86400.0)"
    )
    async with db.transaction() as conn:
        return float((await conn.exec_driver_sql(f"SELECT {now}")).scalar_one())


async def test_the_budget_gives_a_burst_then_paces(db: Database) -> None:
    shared = SharedState(db)
    await execute(db, "UPDATE send_budget SET tokens = 0, updated_at = 0")  # long idle: full
    assert await shared.take_send_token(RATE, BURST) == 0.0
    assert await shared.take_send_token(RATE, BURST) == 0.0
    wait = await shared.take_send_token(RATE, BURST)
    assert 0 < wait <= 1 / RATE


async def test_a_server_clock_set_back_does_not_stop_every_send(db: Database) -> None:
    # Found by probe20: the budget's last refill is stamped by the server's clock; set back
    # by 10 minutes (a VM resumed, a clock corrected), the refill counted the time since as
    # negative: every reply and message of every instance waited 10 minutes for a token.
    shared = SharedState(db)
    ahead = await _server_now(db) + 600
    await execute(db, "UPDATE send_budget SET tokens = 0, updated_at = :at", at=ahead)
    wait = await shared.take_send_token(RATE, BURST)
    assert wait <= 1 / RATE
    for _ in range(3):  # the refill runs from now on
        if (wait := await shared.take_send_token(RATE, BURST)) == 0.0:
            break
        await asyncio.sleep(wait)
    assert wait == 0.0
