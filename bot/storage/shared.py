"""State every instance of the bot shares: the FAQ version and Telegram's send budget."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from bot.storage.database import Database, stamp


class SharedState:
    """The one-row tables that let instances agree: what FAQ to serve, how fast to send."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def faq_version(self) -> int:
        """The FAQ version all instances should serve (raised by each /reload)."""
        async with self.db.transaction() as conn:
            return int(await conn.scalar(text("SELECT version FROM faq_version WHERE id = 1")) or 0)

    async def raise_faq_version(self, now: datetime) -> int:
        """Tell every instance to reload its FAQ files; the new version."""
        async with self.db.transaction() as conn:
            version = await conn.scalar(
                text(
                    "UPDATE faq_version SET version = version + 1, changed_at = :at"
                    " WHERE id = 1 RETURNING version"
                ),
                {"at": stamp(now)},
            )
        return int(version or 0)

    async def take_send_token(self, rate: float, burst: float) -> float:
        """Take one send from the shared token bucket: 0.0 if taken, else seconds to wait.

        The bucket refills at `rate` a second up to `burst`, by the database server's clock,
        so instances on machines whose clocks differ still share one budget.
        """
        pg = self.db.postgres
        now = (
            "extract(epoch from clock_timestamp())"
            if pg
            else "((julianday('now') - 2440587.5) * 86400.0)"
        )
        smaller, larger = ("least", "greatest") if pg else ("min", "max")
        # No time runs backwards here: a server clock set back (a VM resumed, a clock corrected)
        # would make the refill negative and hold every send until the clock caught up.
        available = f"{smaller}(:burst, tokens + {larger}(0.0, {now} - updated_at) * :rate)"
        params = {"burst": burst, "rate": rate}
        async with self.db.transaction() as conn:
            taken = await conn.scalar(
                text(
                    f"UPDATE send_budget SET tokens = {available} - 1, updated_at = {now}"  # noqa: S608 - constants
                    f" WHERE id = 1 AND {available} >= 1 RETURNING tokens"
                ),
                params,
            )
            if taken is not None:
                return 0.0
            # Refilled up to now without taking: the next refill runs from this moment.
            tokens = await conn.scalar(
                text(
                    f"UPDATE send_budget SET tokens = {available}, updated_at = {now}"  # noqa: S608 - constants
                    " WHERE id = 1 RETURNING tokens"
                ),
                params,
            )
        return max((1.0 - float(tokens or 0.0)) / rate, 0.001)
