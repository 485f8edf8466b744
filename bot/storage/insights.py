"""The figures behind /stats, /unanswered and the weekly digest, and the digest's weekly claim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, bindparam, text

from bot.storage.database import Database, stamp

# A digest is claimed for this long: rendering and two sends take seconds, so a live sender is
# never overtaken, and a sender that died mid-way is taken over within the hour it was due.
DIGEST_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Figures:
    """A period's raw counts, as stored: per UTC hour and outcome, per entry, per answer."""

    hours: tuple[tuple[datetime, str, int], ...]  # (the UTC hour, outcome, questions)
    asked: tuple[tuple[str, int], ...]  # (entry id, times answered), most first
    votes: tuple[tuple[str, int, int], ...]  # (entry id, 👍, 👎) given in the period
    checkins: tuple[tuple[str, int], ...]  # (check-in option id, answers), most first


class InsightsRepo:
    """Reads the clinic's figures for a period; claims and records the weekly digest."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def figures(self, start: datetime, end: datetime) -> Figures:
        """Everything /stats draws for the instants `start` (inclusive) to `end` (exclusive)."""
        span = {"start": stamp(start), "end": stamp(end)}
        async with self.db.transaction() as conn:
            # Grouped by the stored text's hour (YYYY-MM-DDTHH), the same on both databases and
            # read from the covering index alone; the caller folds hours into the clinic's days.
            hours = (
                await conn.execute(
                    text(
                        "SELECT substr(asked_at, 1, 13) AS hour, kind, count(*) AS n"
                        " FROM questions WHERE asked_at >= :start AND asked_at < :end"
                        " GROUP BY substr(asked_at, 1, 13), kind"
                    ),
                    span,
                )
            ).all()
            asked = (
                await conn.execute(
                    text(
                        "SELECT entry_id, count(*) AS n FROM questions"
                        " WHERE asked_at >= :start AND asked_at < :end AND kind = 'answer'"
                        " AND entry_id IS NOT NULL GROUP BY entry_id ORDER BY n DESC, entry_id"
                    ),
                    span,
                )
            ).all()
            votes = (
                await conn.execute(
                    text(
                        "SELECT entry_id, sum(helpful) AS yes, count(*) - sum(helpful) AS no"
                        " FROM feedback WHERE given_at >= :start AND given_at < :end"
                        " GROUP BY entry_id ORDER BY entry_id"
                    ),
                    span,
                )
            ).all()
            checkins = (
                await conn.execute(
                    text(
                        "SELECT answer, count(*) AS n FROM checkins"
                        " WHERE answered_at >= :start AND answered_at < :end"
                        " GROUP BY answer ORDER BY n DESC, answer"
                    ),
                    span,
                )
            ).all()
        return Figures(
            hours=tuple(
                (datetime.fromisoformat(r.hour).replace(tzinfo=UTC), r.kind, int(r.n))
                for r in hours
            ),
            asked=tuple((r.entry_id, int(r.n)) for r in asked),
            votes=tuple((r.entry_id, int(r.yes), int(r.no)) for r in votes),
            checkins=tuple((r.answer, int(r.n)) for r in checkins),
        )

    async def unanswered_texts(self, start: datetime, end: datetime) -> list[str]:
        """The kept texts of the questions not covered from `start` to `end` (exclusive)."""
        async with self.db.transaction() as conn:
            rows = await conn.execute(
                text(
                    "SELECT text FROM unanswered WHERE asked_at >= :start AND asked_at < :end"
                    " ORDER BY id"
                ),
                {"start": stamp(start), "end": stamp(end)},
            )
            return [r.text for r in rows]

    async def claim_digest(
        self,
        week: str,
        owner: str,
        now: datetime,
        dead: Callable[[str], bool] | None = None,
        lease: timedelta = DIGEST_LEASE,
    ) -> bool:
        """Take the week's digest for `owner`: False when it was sent or another holds it.

        The week's row is made once (the first claim wins the insert); a later claim takes it
        over only while it is unsent and its lease (or a failed send's wait) has run out, or
        its holder died.
        """
        values = {"week": week, "owner": owner, "now": stamp(now), "until": stamp(now + lease)}
        async with self.db.transaction() as conn:
            made = await conn.execute(
                text(
                    "INSERT INTO digests (week, claimed_by, lease_until)"
                    " VALUES (:week, :owner, :until) ON CONFLICT (week) DO NOTHING"
                ),
                values,
            )
            if made.rowcount == 1:
                return True
            holder = await conn.scalar(
                text("SELECT claimed_by FROM digests WHERE week = :week AND sent_at IS NULL"),
                values,
            )
            gone = [holder] if holder and dead is not None and dead(holder) else []
            taken = await conn.execute(
                text(
                    "UPDATE digests SET claimed_by = :owner, lease_until = :until"
                    " WHERE week = :week AND sent_at IS NULL AND (lease_until IS NULL"
                    " OR lease_until < :now OR claimed_by IN :gone)"
                ).bindparams(bindparam("gone", expanding=True, type_=String)),
                {**values, "gone": gone},
            )
            return taken.rowcount == 1

    async def digest_sent(self, week: str, owner: str, now: datetime) -> None:
        """Record the week's digest as delivered (by whoever holds it now): never sent again."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "UPDATE digests SET sent_at = :now, claimed_by = :owner, lease_until = NULL"
                    " WHERE week = :week"
                ),
                {"week": week, "owner": owner, "now": stamp(now)},
            )

    async def release_digest(self, week: str, owner: str, retry_at: datetime) -> None:
        """Give back an unsent claim whose send failed: tried again from `retry_at`."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "UPDATE digests SET claimed_by = NULL, lease_until = :retry"
                    " WHERE week = :week AND claimed_by = :owner AND sent_at IS NULL"
                ),
                {"week": week, "owner": owner, "retry": stamp(retry_at)},
            )

    async def release_owned(self, owner: str) -> int:
        """A process stopping cleanly gives back its unsent digest claim: the next one sends it."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text(
                    "UPDATE digests SET claimed_by = NULL, lease_until = NULL"
                    " WHERE claimed_by = :owner AND sent_at IS NULL"
                ),
                {"owner": owner},
            )
        return result.rowcount

    async def digest_weeks(self) -> list[tuple[str, bool]]:
        """Every week with a digest row and whether it was sent, oldest first."""
        async with self.db.transaction() as conn:
            rows = await conn.execute(text("SELECT week, sent_at FROM digests ORDER BY week"))
            return [(r.week, r.sent_at is not None) for r in rows]
