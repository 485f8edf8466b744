"""Claims with a lease, for the tables that hand out work: deliveries and staff alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import String, bindparam, text

from bot.storage.database import Database, stamp

# A claim older than this belongs to a process that died mid-send; a live tick finishes a
# batch in seconds, so a generous lease never hands over a claim that is still in flight.
CLAIM_LEASE = timedelta(minutes=5)

ClaimTable = Literal["deliveries", "alerts"]


class Claims:
    """Gives claimed rows of one table back: when their lease runs out, or when their owner stops."""

    def __init__(self, db: Database, table: ClaimTable) -> None:
        self.db = db
        self.table = table

    async def release_expired(
        self, now: datetime, dead: Callable[[str], bool] | None = None
    ) -> int:
        """Put back the claims whose lease has run out, or whose process `dead` says has died."""
        async with self.db.transaction() as conn:
            owners = [
                r[0]
                for r in await conn.execute(
                    text(
                        f"SELECT DISTINCT claimed_by FROM {self.table}"  # noqa: S608 - a fixed name
                        " WHERE status = 'sending' AND claimed_by IS NOT NULL"
                    )
                )
            ]
            gone = [owner for owner in owners if dead is not None and dead(owner)]
            result = await conn.execute(
                text(
                    f"UPDATE {self.table} SET status = 'pending', claimed_by = NULL,"  # noqa: S608 - a fixed name
                    " lease_until = NULL WHERE status = 'sending'"
                    " AND (lease_until < :now OR claimed_by IN :gone)"
                ).bindparams(bindparam("gone", expanding=True, type_=String)),
                {"now": stamp(now), "gone": gone},
            )
        return result.rowcount

    async def release_owned(self, owner: str) -> int:
        """A process stopping cleanly gives back the claims it still holds."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text(
                    f"UPDATE {self.table} SET status = 'pending', claimed_by = NULL,"  # noqa: S608 - a fixed name
                    " lease_until = NULL WHERE status = 'sending' AND claimed_by = :owner"
                ),
                {"owner": owner},
            )
        return result.rowcount
