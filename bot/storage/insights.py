"""The figures behind /stats, /unanswered and the weekly digest, and the digest's weekly claim."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, bindparam, text

from bot.storage.database import Database, stamp

# A digest is claimed for this long: rendering and its sends take seconds, so a live sender is
# never overtaken, and a sender that died mid-way is taken over within the hour it was due.
DIGEST_LEASE = timedelta(minutes=10)
# A LIMIT that keeps every row, in both databases (PostgreSQL's LIMIT ALL is no SQLite syntax).
UNLIMITED = 2**62
# The period's questions per UTC hour, outcome and entry, in one pass over the index
# `questions_by_hour` (migration 0006) in its own order: the hour bounds find the range, the
# exact instants trim it. Rows: about 24 x 30 hours times the outcomes and entries asked.
HOURLY_SQL = (
    "SELECT substr(asked_at, 1, 13) AS hour, kind, entry_id, count(*) AS n FROM questions"
    " WHERE substr(asked_at, 1, 13) >= :first_hour AND substr(asked_at, 1, 13) <= :last_hour"
    " AND asked_at >= :start AND asked_at < :end"
    " GROUP BY substr(asked_at, 1, 13), kind, entry_id"
)


def hour(moment: datetime) -> str:
    """The stored text's hour of an instant: YYYY-MM-DDTHH in UTC."""
    return stamp(moment)[:13]


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
        span = {
            "start": stamp(start),
            "end": stamp(end),
            "first_hour": hour(start),
            "last_hour": hour(end - timedelta(seconds=1)),
        }
        async with self.db.transaction() as conn:
            rows = (await conn.execute(text(HOURLY_SQL), span)).all()
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
        # Summed by plain text first: a month has tens of thousands of (hour, outcome, entry)
        # rows but only some 720 hours to parse.
        hours: Counter[tuple[str, str]] = Counter()
        asked: Counter[str] = Counter()
        for hour_text, kind, entry_id, n in rows:
            hours[hour_text, kind] += n
            if kind == "answer" and entry_id is not None:
                asked[entry_id] += n
        return Figures(
            hours=tuple(
                (datetime.fromisoformat(h).replace(tzinfo=UTC), kind, int(n))
                for (h, kind), n in sorted(hours.items())
            ),
            asked=tuple((e, int(n)) for e, n in sorted(asked.items(), key=lambda i: (-i[1], i[0]))),
            votes=tuple((r.entry_id, int(r.yes), int(r.no)) for r in votes),
            checkins=tuple((r.answer, int(r.n)) for r in checkins),
        )

    async def unanswered_texts(
        self, start: datetime, end: datetime, latest: int | None = None
    ) -> list[str]:
        """The kept texts of the questions not covered from `start` to `end` (exclusive), in
        the order asked; only the `latest` ones when given."""
        async with self.db.transaction() as conn:
            rows = await conn.execute(
                text(
                    "SELECT text FROM unanswered WHERE asked_at >= :start AND asked_at < :end"
                    " ORDER BY id DESC LIMIT :latest"
                ),
                {"start": stamp(start), "end": stamp(end), "latest": latest or UNLIMITED},
            )
            return [r.text for r in rows][::-1]

    async def count_unanswered(self, start: datetime, end: datetime) -> int:
        """How many kept texts of questions not covered there are from `start` to `end`."""
        async with self.db.transaction() as conn:
            count = await conn.scalar(
                text(
                    "SELECT count(*) FROM unanswered WHERE asked_at >= :start AND asked_at < :end"
                ),
                {"start": stamp(start), "end": stamp(end)},
            )
            return int(count or 0)

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

    async def digest_parts_sent(self, week: str) -> int:
        """How many of the week's digest messages the staff chat already has."""
        async with self.db.transaction() as conn:
            sent = await conn.scalar(
                text("SELECT parts_sent FROM digests WHERE week = :week"), {"week": week}
            )
        return int(sent or 0)

    async def digest_part_sent(self, week: str, owner: str, parts: int) -> None:
        """Record that the staff chat has the first `parts` messages of the week's digest."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "UPDATE digests SET parts_sent = :parts"
                    " WHERE week = :week AND claimed_by = :owner AND sent_at IS NULL"
                ),
                {"week": week, "owner": owner, "parts": parts},
            )

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
