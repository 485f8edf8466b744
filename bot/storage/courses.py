"""Aftercare courses, their deliveries, check-ins and unfinished conversations; all their SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.aftercare.conversation import Conversation
from bot.aftercare.records import CourseStatus, Delivery, DeliveryKind, EndReason, PatientCourse
from bot.aftercare.schedule import local_due
from bot.storage.claims import CLAIM_LEASE, Claims
from bot.storage.database import Database, moment, stamp

RETENTION = timedelta(days=30)
CONVERSATION_RETENTION = timedelta(days=7)
# An aftercare question left unanswered this long no longer captures what the patient types.
CONVERSATION_TIMEOUT = timedelta(days=1)

_OPEN = "status != 'ended'"

_COURSE_COLUMNS = """
    c.id, c.user_id, c.chat_id, c.procedure_date, c.send_time, c.timezone, c.status,
    c.enrolled_at, c.ended_at, c.end_reason,
    (SELECT min(due_at) FROM deliveries d
      WHERE d.course_id = c.id AND d.status IN ('pending', 'sending') AND d.kind = 'day')
      AS next_due,
    (SELECT min(due_at) FROM deliveries d
      WHERE d.course_id = c.id AND d.status IN ('pending', 'sending') AND d.kind = 'follow_up')
      AS follow_up_due
"""


class AlreadyEnrolled(Exception):
    """The patient already has a course that has not ended."""


@dataclass(frozen=True)
class CheckinCount:
    """How often one answer was given on one course day."""

    day: int
    answer: str
    count: int


def _course(row: sqlite3.Row) -> PatientCourse:
    enrolled = moment(row["enrolled_at"])
    if enrolled is None:
        raise ValueError(f"course {row['id']} has no enrolment time")
    return PatientCourse(
        id=row["id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        procedure_date=date.fromisoformat(row["procedure_date"]),
        send_time=time.fromisoformat(row["send_time"]),
        timezone=row["timezone"],
        status=CourseStatus(row["status"]),
        enrolled_at=enrolled,
        ended_at=moment(row["ended_at"]),
        end_reason=EndReason(row["end_reason"]) if row["end_reason"] else None,
        next_due=moment(row["next_due"]),
        follow_up_due=moment(row["follow_up_due"]),
    )


class CourseRepo:
    """Stores courses and their deliveries; the database is the schedule's source of truth."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.claims = Claims(db, "deliveries")

    # courses

    def enroll(
        self,
        user_id: int,
        chat_id: int,
        procedure_date: date,
        send_time: time,
        timezone: str,
        plan: Iterable[tuple[int, datetime]],
        now: datetime,
    ) -> PatientCourse:
        """Start a course with one delivery per planned (day, due time); AlreadyEnrolled if open."""
        with self.db.transaction() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO courses (user_id, chat_id, procedure_date, send_time, timezone,"
                    " status, enrolled_at) VALUES (?, ?, ?, ?, ?, 'active', ?)",
                    (
                        user_id,
                        chat_id,
                        procedure_date.isoformat(),
                        send_time.strftime("%H:%M"),
                        timezone,
                        stamp(now),
                    ),
                )
            except sqlite3.IntegrityError:
                raise AlreadyEnrolled(user_id) from None
            course_id = cursor.lastrowid
            conn.executemany(
                "INSERT INTO deliveries (course_id, user_id, day, kind, due_at)"
                " VALUES (?, ?, ?, 'day', ?)",
                [(course_id, user_id, day, stamp(due)) for day, due in plan],
            )
        course = self.course(course_id or 0)
        if course is None:
            raise RuntimeError("the new course vanished")
        return course

    def course(self, course_id: int) -> PatientCourse | None:
        """A course by id, ended or not."""
        with self.db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COURSE_COLUMNS} FROM courses c WHERE c.id = ?",  # noqa: S608 - constant
                (course_id,),
            ).fetchone()
        return _course(row) if row else None

    def course_for(self, user_id: int) -> PatientCourse | None:
        """The patient's course that has not ended, or None."""
        with self.db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COURSE_COLUMNS} FROM courses c WHERE c.user_id = ? AND c.{_OPEN}",  # noqa: S608 - constants
                (user_id,),
            ).fetchone()
        return _course(row) if row else None

    def pause(self, course_id: int) -> bool:
        """Hold the course's messages; False when it is not active."""
        return self._set_status(course_id, CourseStatus.ACTIVE, CourseStatus.PAUSED)

    def resume(self, course_id: int) -> bool:
        """Send the course's messages again (days missed meanwhile are skipped by the tick)."""
        return self._set_status(course_id, CourseStatus.PAUSED, CourseStatus.ACTIVE)

    def _set_status(self, course_id: int, old: CourseStatus, new: CourseStatus) -> bool:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE courses SET status = ? WHERE id = ? AND status = ?",
                (new.value, course_id, old.value),
            )
        return cursor.rowcount == 1

    def end_course(self, course_id: int, reason: EndReason, now: datetime) -> bool:
        """End the course and drop its unsent messages; False when it had already ended."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                f"UPDATE courses SET status = 'ended', ended_at = ?, end_reason = ?"  # noqa: S608 - constant
                f" WHERE id = ? AND {_OPEN}",
                (stamp(now), reason.value, course_id),
            )
            conn.execute(
                "DELETE FROM deliveries WHERE course_id = ? AND status IN ('pending', 'sending')",
                (course_id,),
            )
        return cursor.rowcount == 1

    def change_time(self, course_id: int, send_time: time, timezone: str) -> None:
        """Move every unsent message of the course to the new local time and zone."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT procedure_date FROM courses WHERE id = ?", (course_id,)
            ).fetchone()
            if row is None:
                return
            procedure = date.fromisoformat(row["procedure_date"])
            conn.execute(
                "UPDATE courses SET send_time = ?, timezone = ? WHERE id = ?",
                (send_time.strftime("%H:%M"), timezone, course_id),
            )
            pending = conn.execute(
                "SELECT id, day FROM deliveries WHERE course_id = ? AND status = 'pending'",
                (course_id,),
            ).fetchall()
            conn.executemany(
                "UPDATE deliveries SET due_at = ? WHERE id = ?",
                [
                    (stamp(local_due(procedure, r["day"], send_time, timezone)), r["id"])
                    for r in pending
                ],
            )

    def add_follow_up(self, course_id: int, day: int, now: datetime) -> datetime | None:
        """Schedule the follow-up reminder on `day`; its due time, or None if not possible."""
        with self.db.transaction() as conn:
            course = conn.execute(
                "SELECT user_id, procedure_date, send_time, timezone, status, end_reason"
                " FROM courses"
                " WHERE id = ?",
                (course_id,),
            ).fetchone()
            if course is None:
                return None
            existing = conn.execute(
                "SELECT due_at FROM deliveries WHERE course_id = ? AND kind = 'follow_up'",
                (course_id,),
            ).fetchone()
            if existing is not None:
                return moment(existing["due_at"])
            ended = course["status"] == CourseStatus.ENDED.value
            if ended and course["end_reason"] != EndReason.COMPLETED.value:
                return None
            due = local_due(
                date.fromisoformat(course["procedure_date"]),
                day,
                time.fromisoformat(course["send_time"]),
                course["timezone"],
            )
            conn.execute(
                "INSERT INTO deliveries (course_id, user_id, day, kind, due_at)"
                " VALUES (?, ?, ?, 'follow_up', ?)",
                (course_id, course["user_id"], day, stamp(due)),
            )
        return due

    # deliveries

    def claim_due(
        self, now: datetime, limit: int, owner: str = "", lease: timedelta = CLAIM_LEASE
    ) -> list[Delivery]:
        """Atomically claim up to `limit` due messages for `owner` until the lease runs out."""
        at = stamp(now)
        # A course sends while it is active; a completed one still sends its follow-up.
        with self.db.transaction() as conn:
            ids = [
                r["id"]
                for r in conn.execute(
                    "UPDATE deliveries SET status = 'sending', claimed_at = ?,"
                    " claimed_by = ?, lease_until = ?, attempts = attempts + 1"
                    " WHERE id IN (SELECT d.id FROM deliveries d JOIN courses c"
                    "  ON c.id = d.course_id"
                    "  WHERE d.status = 'pending' AND d.due_at <= ?"
                    "  AND (c.status = 'active' OR (d.kind = 'follow_up' AND c.status = 'ended'"
                    "  AND c.end_reason = 'completed'))"
                    "  AND (d.not_before IS NULL OR d.not_before <= ?)"
                    "  ORDER BY d.due_at, d.id LIMIT ?)"
                    " RETURNING id",
                    (at, owner, stamp(now + lease), at, at, limit),
                ).fetchall()
            ]
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            rows = conn.execute(
                "SELECT d.id, d.course_id, d.user_id, c.chat_id, d.day, d.kind, d.due_at,"  # noqa: S608 - placeholders only
                " c.timezone, d.attempts, p.language FROM deliveries d"
                " JOIN courses c ON c.id = d.course_id"
                " LEFT JOIN patients p ON p.user_id = d.user_id"
                f" WHERE d.id IN ({marks}) ORDER BY d.due_at, d.id",
                ids,
            ).fetchall()
        return [
            Delivery(
                id=r["id"],
                course_id=r["course_id"],
                user_id=r["user_id"],
                chat_id=r["chat_id"],
                day=r["day"],
                kind=DeliveryKind(r["kind"]),
                due_at=datetime.fromisoformat(r["due_at"]),
                timezone=r["timezone"],
                attempts=r["attempts"],
                language=r["language"],
            )
            for r in rows
        ]

    def mark_sent(self, delivery_id: int, message_id: int, now: datetime) -> None:
        """Record a sent message; the course is completed when nothing is left to send."""
        self._finish(delivery_id, "sent", now, message_id)

    def mark_skipped(self, delivery_id: int, now: datetime) -> None:
        """Record a message not sent because its local day had passed."""
        self._finish(delivery_id, "skipped", now, None)

    def _finish(self, delivery_id: int, status: str, now: datetime, message_id: int | None) -> None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE deliveries SET status = ?, sent_at = ?, message_id = ?"
                " WHERE id = ? AND status = 'sending' RETURNING course_id",
                (status, stamp(now), message_id, delivery_id),
            ).fetchone()
            if row is None:
                return
            left = conn.execute(
                "SELECT 1 FROM deliveries WHERE course_id = ? AND status IN ('pending', 'sending')",
                (row["course_id"],),
            ).fetchone()
            if left is None:
                # The retention period runs from the last message, a late follow-up included.
                conn.execute(
                    "UPDATE courses SET status = 'ended', ended_at = ?,"
                    " end_reason = coalesce(end_reason, ?) WHERE id = ?",
                    (stamp(now), EndReason.COMPLETED.value, row["course_id"]),
                )

    def retry_later(self, delivery_id: int, not_before: datetime) -> None:
        """Put a claimed message back to be sent by a later tick."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET status = 'pending', not_before = ?, claimed_at = NULL,"
                " claimed_by = NULL, lease_until = NULL WHERE id = ? AND status = 'sending'",
                (stamp(not_before), delivery_id),
            )

    def record_checkin(
        self, course_id: int, user_id: int, day: int, answer: str, now: datetime
    ) -> bool:
        """Store a check-in answer of the patient's own course; False if repeated or not theirs."""
        with self.db.transaction() as conn:
            owner = conn.execute(
                "SELECT 1 FROM courses WHERE id = ? AND user_id = ?", (course_id, user_id)
            ).fetchone()
            if owner is None:
                return False
            cursor = conn.execute(
                "INSERT OR IGNORE INTO checkins (course_id, user_id, day, answer, answered_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (course_id, user_id, day, answer, stamp(now)),
            )
        return cursor.rowcount == 1

    def checkin_stats(self) -> list[CheckinCount]:
        """How often each answer was given, per course day."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT day, answer, count(*) AS n FROM checkins GROUP BY day, answer"
                " ORDER BY day, answer"
            ).fetchall()
        return [CheckinCount(r["day"], r["answer"], r["n"]) for r in rows]

    # the unfinished conversation

    def save_conversation(self, user_id: int, state: Conversation, now: datetime) -> None:
        """Keep the open aftercare question of a patient."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO conversations (user_id, state, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET state = excluded.state,"
                " updated_at = excluded.updated_at",
                (user_id, state.to_json(), stamp(now)),
            )

    def load_conversation(self, user_id: int, now: datetime) -> Conversation | None:
        """The patient's open aftercare question, or None (also when it was left a day ago)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT state FROM conversations WHERE user_id = ? AND updated_at >= ?",
                (user_id, stamp(now - CONVERSATION_TIMEOUT)),
            ).fetchone()
        return Conversation.from_json(row["state"]) if row else None

    def clear_conversation(self, user_id: int) -> None:
        """Forget the patient's open aftercare question."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))

    # privacy

    def forget_user(self, user_id: int) -> None:
        """Delete the patient's courses, messages, check-in answers and open questions."""
        with self.db.transaction() as conn:
            for table in ("checkins", "deliveries", "courses", "conversations"):
                conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))  # noqa: S608 - fixed names

    def purge(self, now: datetime) -> int:
        """Delete courses ended (or paused past their last message) over 30 days ago."""
        cutoff = stamp(now - RETENTION)
        with self.db.transaction() as conn:
            stale = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM courses c WHERE status = 'ended' AND ended_at < ?"
                    " AND NOT EXISTS (SELECT 1 FROM deliveries d"
                    "  WHERE d.course_id = c.id AND d.status IN ('pending', 'sending'))"
                    " UNION SELECT c.id FROM courses c WHERE c.status = 'paused'"
                    " AND (SELECT max(due_at) FROM deliveries d WHERE d.course_id = c.id) < ?",
                    (cutoff, cutoff),
                ).fetchall()
            ]
            for course_id in stale:
                conn.execute("DELETE FROM checkins WHERE course_id = ?", (course_id,))
                conn.execute("DELETE FROM deliveries WHERE course_id = ?", (course_id,))
                conn.execute("DELETE FROM courses WHERE id = ?", (course_id,))
            conn.execute(
                "DELETE FROM conversations WHERE updated_at < ?",
                (stamp(now - CONVERSATION_RETENTION),),
            )
        return len(stale)
