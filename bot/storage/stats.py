"""What patients asked and how helpful the answers were: recording and the admin report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.contact import looks_like_contact
from bot.storage.database import Database, stamp, storable

UNANSWERED_TEXT_LIMIT = 500
UNANSWERED_RETENTION = timedelta(days=90)

TOP_LIMIT = 5
KINDS = ("answer", "clarify", "fallback", "urgent")


# A question asked from :since up to :until (exclusive). Its hour (`substr(asked_at, 1, 13)`) is bounded as
# well as its instant so that both databases read the questions from `questions_by_hour`.
_ASKED_IN_PERIOD = (
    "asked_at >= :since AND asked_at < :until"
    " AND substr(asked_at, 1, 13) >= substr(:since, 1, 13)"
    " AND substr(asked_at, 1, 13) <= substr(:until, 1, 13)"
)


@dataclass(frozen=True)
class EntryFeedback:
    """How many 👍 and 👎 one entry received."""

    entry_id: str
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class Report:
    """The figures /stats shows."""

    last_7_days: dict[str, int]
    last_30_days: dict[str, int]
    top_entries: list[tuple[str, int]]
    feedback: list[EntryFeedback]
    unanswered: list[tuple[str, int]]


class Stats:
    """Records questions, unanswered texts and feedback; all their SQL lives here."""

    def __init__(
        self, db: Database, unanswered_retention: timedelta = UNANSWERED_RETENTION
    ) -> None:
        self.db = db
        self.unanswered_retention = unanswered_retention

    async def record_question(
        self, kind: str, entry_id: str | None, at: datetime, unanswered_text: str | None = None
    ) -> None:
        """Record one question (kind, entry, time; no user) and, if it fell back, its text.

        The text is kept (without any user id) only when it holds no contact details.
        """
        asked = storable(unanswered_text or "").strip()
        text_kept = asked[:UNANSWERED_TEXT_LIMIT]
        # The whole text is judged: contact details the cut splits no longer look like them.
        # The part kept as well, since the purge judges what is stored ("2023-202" is a number).
        if looks_like_contact(asked) or (text_kept != asked and looks_like_contact(text_kept)):
            text_kept = ""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "INSERT INTO questions (asked_at, kind, entry_id) VALUES (:at, :kind, :entry)"
                ),
                {"at": stamp(at), "kind": kind, "entry": entry_id},
            )
            if text_kept:
                await conn.execute(
                    text("INSERT INTO unanswered (asked_at, text) VALUES (:at, :text)"),
                    {"at": stamp(at), "text": text_kept},
                )

    async def record_feedback(
        self, user_id: int, entry_id: str, helpful: bool, at: datetime
    ) -> None:
        """Record a 👍 / 👎; a second vote by the same user on the same entry replaces the first."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "INSERT INTO feedback (user_id, entry_id, helpful, given_at)"
                    " VALUES (:user, :entry, :helpful, :at) ON CONFLICT (user_id, entry_id)"
                    " DO UPDATE SET helpful = excluded.helpful, given_at = excluded.given_at"
                ),
                {"user": user_id, "entry": entry_id, "helpful": int(helpful), "at": stamp(at)},
            )

    async def purge(self, now: datetime) -> int:
        """Delete unanswered texts past their retention or holding contact details; how many.

        Votes go after the same retention: each keeps a patient's id (for /forget).
        """
        cutoff = {"cutoff": stamp(now - self.unanswered_retention)}
        async with self.db.transaction(erasing=True) as conn:
            await conn.execute(text("DELETE FROM feedback WHERE given_at < :cutoff"), cutoff)
            result = await conn.execute(
                text("DELETE FROM unanswered WHERE asked_at < :cutoff"), cutoff
            )
            # Texts kept under an older, narrower rule (before an upgrade, or by an instance
            # still running the old version) go as soon as this rule sees contact details.
            rows = await conn.execute(text("SELECT id, text FROM unanswered"))
            contact = [{"id": row.id} for row in rows if looks_like_contact(row.text)]
            if contact:
                await conn.execute(text("DELETE FROM unanswered WHERE id = :id"), contact)
        return result.rowcount + len(contact)

    @staticmethod
    async def erase_user(conn: AsyncConnection, user_id: int) -> int:
        """Delete a user's feedback, the only stats row naming a user (caller's transaction)."""
        result = await conn.execute(
            text("DELETE FROM feedback WHERE user_id = :user"), {"user": user_id}
        )
        return result.rowcount

    async def report(
        self, week: datetime, month: datetime, end: datetime, top: int = TOP_LIMIT
    ) -> Report:
        """Counts by kind since `week` and `month`, then the month's top entries and unanswered
        questions, and the votes: all before `end`, the first instant the report leaves out.

        The caller gives the clinic's calendar days, as the /stats chart counts them; a row
        dated from `end` on (`stats --until` a past day) is no question of those days.
        """
        until = stamp(end)
        async with self.db.transaction() as conn:
            by_kind: list[dict[str, int]] = []
            for since in (stamp(week), stamp(month)):
                rows = await conn.execute(
                    text(
                        f"SELECT kind, COUNT(*) AS n FROM questions WHERE {_ASKED_IN_PERIOD}"  # noqa: S608
                        " GROUP BY kind"
                    ),
                    {"since": since, "until": until},
                )
                by_kind.append({row.kind: row.n for row in rows})
            top_entries = [
                (row.entry_id, row.n)
                for row in await conn.execute(
                    text(
                        "SELECT entry_id, COUNT(*) AS n FROM questions"  # noqa: S608
                        f" WHERE {_ASKED_IN_PERIOD} AND entry_id IS NOT NULL"
                        " GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT :top"
                    ),
                    {"since": stamp(month), "until": until, "top": top},
                )
            ]
            feedback = [
                EntryFeedback(row.entry_id, int(row.yes), int(row.no))
                for row in await conn.execute(
                    text(
                        "SELECT entry_id, SUM(helpful) AS yes, SUM(1 - helpful) AS no"
                        " FROM feedback WHERE given_at < :until GROUP BY entry_id"
                        " ORDER BY SUM(helpful) + SUM(1 - helpful) DESC, entry_id LIMIT :top"
                    ),
                    {"until": until, "top": top * 2},
                )
            ]
            texts = [
                row.text
                for row in await conn.execute(
                    text(
                        "SELECT text FROM unanswered WHERE asked_at >= :since AND asked_at < :until"
                    ),
                    {"since": stamp(month), "until": until},
                )
            ]
        # Group texts that differ only in case and spacing; show the first spelling seen.
        counts: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for asked in texts:
            key = " ".join(asked.casefold().split())
            counts[key] += 1
            spelling.setdefault(key, asked)
        unanswered = [(spelling[key], n) for key, n in counts.most_common(top)]
        return Report(
            last_7_days={kind: by_kind[0].get(kind, 0) for kind in KINDS},
            last_30_days={kind: by_kind[1].get(kind, 0) for kind in KINDS},
            top_entries=top_entries,
            feedback=feedback,
            unanswered=unanswered,
        )
