"""What patients asked and how helpful the answers were: recording and the admin report."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import re2
from sqlalchemy import text

from bot.storage.database import Database, stamp

UNANSWERED_TEXT_LIMIT = 500
UNANSWERED_RETENTION = timedelta(days=90)

# Texts that carry a way to reach someone are never kept. One RE2 search, whose time is linear
# in the text (Python's engine retries near misses from every position: quadratic or worse).
# Letters and digits of the alphabets patients write in (Unicode's \pL makes the automaton
# outgrow RE2's memory budget, and it falls back to its slower engine).
_ALNUM = "0-9A-Za-zЁА-яё"
_END = rf"(?:[^{_ALNUM}_]|$)"
# Top-level domains of addresses and links typed without http; those that are also words
# ("June.By the way", "come at 5. me and my sister") count only in lower case.
_TLD = (
    r"(?:(?i:com|ru|net|org|info|biz|io|su|рф|ua|kz|uz|de|eu)"
    rf"|me|by|co|tv|pro|app|site|online|link|ai|ly|cc){_END}"
)
# "@" and "." as people write them to slip past filters: "(at)", " at ", "собака", "точка".
_AT = r"(?:\s*[(\[{<]\s*(?:at|собака)\s*[)\]}>]\s*|\s+(?:at|собака|собачка)\s+)"
_DOT = r"(?:\.|\s+\.\s+|\s*[(\[{<]\s*(?:dot|точка)\s*[)\]}>]\s*|\s+(?:dot|точка)\s+)"
_NETWORK = (
    r"instagram|insta|inst|ig|telegram|tg|whatsapp|viber|vk|vkontakte|facebook|fb|tiktok|skype"
    r"|snapchat|twitter|nick|username"
)
_NETWORK_RU = (
    r"инстаграмм?[а-я]{0,2}|инста|телеграмм?[а-я]{0,2}|телег[аеуи]|тг|вотсап[а-я]{0,2}"
    r"|ватсап[а-я]{0,2}|вацап[а-я]{0,2}|вайбер[а-я]{0,2}|вк|вконтакте|фейсбук[а-я]{0,2}"
    r"|тикток[а-я]{0,2}|скайп[а-я]{0,2}|ник"
)
_AFTER_NETWORK = rf"(?:^|[^{_ALNUM}_])(?:{{}})[\s:=–—-]+(?:(?:is|это)[\s:=–—-]+)?@?"
_CONTACT_RULES = (
    # An e-mail address, its "@" spaced out or in words.
    rf"[^\s@]+@[^\s@]+\.[{_ALNUM}_]",
    rf"(?i:[a-z0-9._%+-]+\s*@\s*[a-z0-9-]+(?:\s*\.\s*[a-z0-9-]+)*\s*\.\s*){_TLD}",
    rf"(?i:[a-z0-9._%+-]+{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}){_TLD}",
    # A link, with or without http or www ("vk.com/id1", "t.me/anna", "клиника.рф").
    r"(?i:https?://|www\.)",
    rf"[{_ALNUM}]\.{_TLD}",
    # An @username.
    rf"@[{_ALNUM}_]{{3,}}",
    # A handle after the network's name: one with "_" or digits in it ("telegram anna_k",
    # "my instagram anna85ivanova"), or any Latin word after a Russian name ("инстаграм anna").
    "(?i:"
    + _AFTER_NETWORK.format(_NETWORK)
    + r"[a-z0-9.]*(?:[a-z][a-z0-9.]*_|_[a-z0-9._]*[a-z]|[a-z]{2}[a-z.]*[0-9]{2}))",
    "(?i:" + _AFTER_NETWORK.format(_NETWORK_RU) + r"[a-z][a-z0-9._]{2})",
    # A run of seven or more digits: a phone number, however it is spaced.
    r"(?:\d[\s().+/-]{0,3}){7,}",
)


def _contact_options() -> Any:
    options = re2.Options()
    options.never_capture = True
    return options


_CONTACT = re2.compile("|".join(f"(?:{rule})" for rule in _CONTACT_RULES), _contact_options())


def looks_like_contact(text: str) -> bool:
    """True when a text seems to hold contact details (phone, e-mail, link, @username, handle)."""
    # NFKC folds look-alikes ("＠", full-width letters); splitting folds every kind of space.
    return _CONTACT.search(" ".join(unicodedata.normalize("NFKC", text).split())) is not None


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

    async def record_question(
        self, kind: str, entry_id: str | None, at: datetime, unanswered_text: str | None = None
    ) -> None:
        """Record one question (kind, entry, time; no user) and, if it fell back, its text.

        The text is kept (without any user id) only when it holds no contact details.
        """
        text_kept = (unanswered_text or "").strip()[:UNANSWERED_TEXT_LIMIT]
        if looks_like_contact(text_kept):
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
        """Delete unanswered texts past their retention or holding contact details; how many."""
        async with self.db.transaction(erasing=True) as conn:
            result = await conn.execute(
                text("DELETE FROM unanswered WHERE asked_at < :cutoff"),
                {"cutoff": stamp(now - self.unanswered_retention)},
            )
            # Texts kept under an older, narrower rule (before an upgrade, or by an instance
            # still running the old version) go as soon as this rule sees contact details.
            rows = await conn.execute(text("SELECT id, text FROM unanswered"))
            contact = [{"id": row.id} for row in rows if looks_like_contact(row.text)]
            if contact:
                await conn.execute(text("DELETE FROM unanswered WHERE id = :id"), contact)
        return result.rowcount + len(contact)

    async def forget_user(self, user_id: int) -> int:
        """Delete a user's feedback (the only stats row that names a user); rows deleted."""
        async with self.db.transaction(erasing=True) as conn:
            result = await conn.execute(
                text("DELETE FROM feedback WHERE user_id = :user"), {"user": user_id}
            )
        return result.rowcount

    async def report(self, now: datetime, top: int = TOP_LIMIT) -> Report:
        """Counts by kind for 7 and 30 days, top entries, feedback and frequent unanswered.

        The questions' hour (`substr(asked_at, 1, 13)`) is bounded as well as their instant so
        that both databases read them from the index `questions_by_hour`.
        """
        week = stamp(now - timedelta(days=7))
        month = stamp(now - timedelta(days=30))
        async with self.db.transaction() as conn:
            by_kind: dict[str, dict[str, int]] = {}
            for since in (week, month):
                rows = await conn.execute(
                    text(
                        "SELECT kind, COUNT(*) AS n FROM questions WHERE asked_at >= :since"
                        " AND substr(asked_at, 1, 13) >= substr(:since, 1, 13) GROUP BY kind"
                    ),
                    {"since": since},
                )
                by_kind[since] = {row.kind: row.n for row in rows}
            top_entries = [
                (row.entry_id, row.n)
                for row in await conn.execute(
                    text(
                        "SELECT entry_id, COUNT(*) AS n FROM questions"
                        " WHERE asked_at >= :since AND entry_id IS NOT NULL"
                        " AND substr(asked_at, 1, 13) >= substr(:since, 1, 13)"
                        " GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT :top"
                    ),
                    {"since": month, "top": top},
                )
            ]
            feedback = [
                EntryFeedback(row.entry_id, int(row.yes), int(row.no))
                for row in await conn.execute(
                    text(
                        "SELECT entry_id, SUM(helpful) AS yes, SUM(1 - helpful) AS no"
                        " FROM feedback GROUP BY entry_id"
                        " ORDER BY SUM(helpful) + SUM(1 - helpful) DESC, entry_id LIMIT :top"
                    ),
                    {"top": top * 2},
                )
            ]
            texts = [
                row.text
                for row in await conn.execute(
                    text("SELECT text FROM unanswered WHERE asked_at >= :since"), {"since": month}
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
            last_7_days={kind: by_kind[week].get(kind, 0) for kind in KINDS},
            last_30_days={kind: by_kind[month].get(kind, 0) for kind in KINDS},
            top_entries=top_entries,
            feedback=feedback,
            unanswered=unanswered,
        )
