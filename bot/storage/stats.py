"""What patients asked and how helpful the answers were: recording and the admin report."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.database import Database, stamp

UNANSWERED_TEXT_LIMIT = 500
UNANSWERED_RETENTION = timedelta(days=90)
# Texts that carry a way to reach someone are never kept: an e-mail address, a link, an
# @handle, or a run of seven or more digits (a phone number, however it is spaced).
_CONTACT = re.compile(
    r"[^\s@]+@[^\s@]+\.\w+"
    r"|https?://|www\.|\bt\.me/"
    r"|(?<!\w)@\w{3,}"
    r"|(?:\d[\s().+/-]{0,3}){7,}"
)


def looks_like_contact(text: str) -> bool:
    """True when a text seems to hold contact details (phone, e-mail, link, @username)."""
    return _CONTACT.search(text) is not None


TOP_LIMIT = 5
KINDS = ("answer", "clarify", "fallback", "urgent")


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

    def record_question(
        self, kind: str, entry_id: str | None, at: datetime, unanswered_text: str | None = None
    ) -> None:
        """Record one question (kind, entry, time; no user) and, if it fell back, its text.

        The text is kept (without any user id) only when it holds no contact details.
        """
        text = (unanswered_text or "").strip()[:UNANSWERED_TEXT_LIMIT]
        if looks_like_contact(text):
            text = ""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO questions (asked_at, kind, entry_id) VALUES (?, ?, ?)",
                (stamp(at), kind, entry_id),
            )
            if text:
                conn.execute(
                    "INSERT INTO unanswered (asked_at, text) VALUES (?, ?)", (stamp(at), text)
                )

    def record_feedback(self, user_id: int, entry_id: str, helpful: bool, at: datetime) -> None:
        """Record a 👍 / 👎; a second vote by the same user on the same entry replaces the first."""
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM feedback WHERE user_id = ? AND entry_id = ?", (user_id, entry_id)
            )
            conn.execute(
                "INSERT INTO feedback (user_id, entry_id, helpful, given_at) VALUES (?, ?, ?, ?)",
                (user_id, entry_id, int(helpful), stamp(at)),
            )

    def purge(self, now: datetime) -> int:
        """Delete unanswered texts older than the retention period; how many were deleted."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM unanswered WHERE asked_at < ?",
                (stamp(now - self.unanswered_retention),),
            )
        return cursor.rowcount

    def forget_user(self, user_id: int) -> int:
        """Delete a user's feedback (the only stats row that names a user); rows deleted."""
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM feedback WHERE user_id = ?", (user_id,)).rowcount

    def report(self, now: datetime, top: int = TOP_LIMIT) -> Report:
        """Counts by kind for 7 and 30 days, top entries, feedback and frequent unanswered."""
        week = stamp(now - timedelta(days=7))
        month = stamp(now - timedelta(days=30))
        with self.db.transaction() as conn:
            by_kind = {
                since: {
                    row["kind"]: row["n"]
                    for row in conn.execute(
                        "SELECT kind, COUNT(*) AS n FROM questions WHERE asked_at >= ? "
                        "GROUP BY kind",
                        (since,),
                    )
                }
                for since in (week, month)
            }
            top_entries = [
                (row["entry_id"], row["n"])
                for row in conn.execute(
                    "SELECT entry_id, COUNT(*) AS n FROM questions "
                    "WHERE asked_at >= ? AND entry_id IS NOT NULL "
                    "GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
                    (month, top),
                )
            ]
            feedback = [
                EntryFeedback(row["entry_id"], row["yes"], row["no"])
                for row in conn.execute(
                    "SELECT entry_id, SUM(helpful) AS yes, SUM(1 - helpful) AS no FROM feedback "
                    "GROUP BY entry_id ORDER BY yes + no DESC, entry_id LIMIT ?",
                    (top * 2,),
                )
            ]
            texts = [
                row["text"]
                for row in conn.execute("SELECT text FROM unanswered WHERE asked_at >= ?", (month,))
            ]
        # Group texts that differ only in case and spacing; show the first spelling seen.
        counts: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for text in texts:
            key = " ".join(text.casefold().split())
            counts[key] += 1
            spelling.setdefault(key, text)
        unanswered = [(spelling[key], n) for key, n in counts.most_common(top)]
        return Report(
            last_7_days={kind: by_kind[week].get(kind, 0) for kind in KINDS},
            last_30_days={kind: by_kind[month].get(kind, 0) for kind in KINDS},
            top_entries=top_entries,
            feedback=feedback,
            unanswered=unanswered,
        )
