"""Aftercare courses, their deliveries, check-ins and unfinished conversations; all their SQL."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import RowMapping, bindparam, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.aftercare.conversation import Conversation
from bot.aftercare.records import CourseStatus, Delivery, DeliveryKind, EndReason, PatientCourse
from bot.aftercare.schedule import day_over, local_due
from bot.storage.claims import CLAIM_LEASE, Claims
from bot.storage.database import Database, moment, stamp

RETENTION = timedelta(days=30)
CONVERSATION_RETENTION = timedelta(days=7)
# An aftercare question left unanswered this long no longer captures what the patient types.
CONVERSATION_TIMEOUT = timedelta(days=1)
# The key of a left sign-up's zone in the conversation's row (see `keep_zone`).
KEPT_ZONE = "kept_zone"

_OPEN = "status != 'ended'"
# Whether course c still wants its delivery d sent: a course sends while it is active, and a
# completed one still sends its follow-up. Asked at the claim and again right before sending.
_WANTS_SENDING = (
    "(c.status = 'active' OR (d.kind = 'follow_up' AND c.status = 'ended'"
    " AND c.end_reason = 'completed'))"
)

_COURSE_COLUMNS = """
    c.id, c.user_id, c.chat_id, c.procedure_date, c.send_time, c.timezone, c.status,
    c.enrolled_at, c.ended_at, c.end_reason, c.answer_ids, c.change_ids, c.change_step,
    (SELECT min(due_at) FROM deliveries d
      WHERE d.course_id = c.id AND d.status IN ('pending', 'sending') AND d.kind = 'day')
      AS next_due,
    (SELECT min(due_at) FROM deliveries d
      WHERE d.course_id = c.id AND d.status IN ('pending', 'sending') AND d.kind = 'follow_up')
      AS follow_up_due,
    (SELECT max(day) FROM deliveries d
      WHERE d.course_id = c.id AND d.status = 'sent' AND d.kind = 'day')
      AS last_day_sent
"""


class AlreadyEnrolled(Exception):
    """The patient already has a course that has not ended."""


@dataclass(frozen=True)
class CheckinCount:
    """How often one answer was given on one course day."""

    day: int
    answer: str
    count: int


def _ids(stored: str) -> tuple[int, ...]:
    """Message ids stored as "12,15" ("" for none)."""
    return tuple(int(i) for i in stored.split(",") if i)


def _course(row: RowMapping) -> PatientCourse:
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
        last_day_sent=row["last_day_sent"],
        answer_ids=_ids(row["answer_ids"]),
        change_ids=_ids(row["change_ids"]),
        change_step=row["change_step"],
    )


class CourseRepo:
    """Stores courses and their deliveries; the database is the schedule's source of truth."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.claims = Claims(db, "deliveries")

    async def _course_where(self, where: str, params: dict[str, Any]) -> PatientCourse | None:
        async with self.db.transaction() as conn:
            row = (
                (
                    await conn.execute(
                        text(f"SELECT {_COURSE_COLUMNS} FROM courses c WHERE {where}"),  # noqa: S608 - constants
                        params,
                    )
                )
                .mappings()
                .first()
            )
        return _course(row) if row else None

    # courses

    async def enroll(
        self,
        user_id: int,
        chat_id: int,
        procedure_date: date,
        send_time: time,
        timezone: str,
        plan: Iterable[tuple[int, datetime]],
        now: datetime,
        answer_ids: tuple[int, ...] = (),
    ) -> PatientCourse:
        """Start a course with one delivery per planned (day, due time); AlreadyEnrolled if open.

        `answer_ids`: the messages that answered the enrolment's questions."""
        try:
            async with self.db.transaction() as conn:
                course_id = await conn.scalar(
                    text(
                        "INSERT INTO courses (user_id, chat_id, procedure_date, send_time,"
                        " timezone, status, enrolled_at, answer_ids) VALUES (:user, :chat,"
                        " :procedure, :send_time, :zone, 'active', :at, :answers)"
                        " RETURNING id"
                    ),
                    {
                        "user": user_id,
                        "chat": chat_id,
                        "procedure": procedure_date.isoformat(),
                        "send_time": send_time.strftime("%H:%M"),
                        "zone": timezone,
                        "at": stamp(now),
                        "answers": ",".join(map(str, answer_ids)),
                    },
                )
                rows = [
                    {"course": course_id, "user": user_id, "day": day, "due": stamp(due)}
                    for day, due in plan
                ]
                if rows:
                    await conn.execute(
                        text(
                            "INSERT INTO deliveries (course_id, user_id, day, kind, due_at)"
                            " VALUES (:course, :user, :day, 'day', :due)"
                        ),
                        rows,
                    )
        except IntegrityError:
            raise AlreadyEnrolled(user_id) from None
        course = await self.course(int(course_id or 0))
        if course is None:
            raise RuntimeError("the new course vanished")
        return course

    async def course(self, course_id: int) -> PatientCourse | None:
        """A course by id, ended or not."""
        return await self._course_where("c.id = :id", {"id": course_id})

    async def course_for(self, user_id: int) -> PatientCourse | None:
        """The patient's course that has not ended, or None."""
        return await self._course_where(f"c.user_id = :user AND c.{_OPEN}", {"user": user_id})

    async def last_completed(self, user_id: int) -> PatientCourse | None:
        """The patient's most recently completed course (every message sent), or None."""
        # The newest course: a patient has one open course at a time, so a later one ended
        # later. Not by ended_at, which a follow-up sent months later moves (for retention).
        return await self._course_where(
            "c.user_id = :user AND c.status = 'ended' AND c.end_reason = 'completed'"
            " ORDER BY c.id DESC LIMIT 1",
            {"user": user_id},
        )

    async def last_course(self, user_id: int) -> PatientCourse | None:
        """The patient's newest course, running or ended (stopped, completed, unreachable)."""
        return await self._course_where(
            "c.user_id = :user ORDER BY c.id DESC LIMIT 1", {"user": user_id}
        )

    async def pause(self, course_id: int) -> bool:
        """Hold the course's messages; False when it is not active."""
        return await self._set_status(course_id, CourseStatus.ACTIVE, CourseStatus.PAUSED)

    async def resume(self, course_id: int) -> bool:
        """Send the course's messages again (days missed meanwhile are skipped by the tick)."""
        return await self._set_status(course_id, CourseStatus.PAUSED, CourseStatus.ACTIVE)

    async def _set_status(self, course_id: int, old: CourseStatus, new: CourseStatus) -> bool:
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text("UPDATE courses SET status = :new WHERE id = :id AND status = :old"),
                {"new": new.value, "id": course_id, "old": old.value},
            )
        return result.rowcount == 1

    async def end_course(self, course_id: int, reason: EndReason, now: datetime) -> bool:
        """End the course and drop its unsent messages; False when it had already ended."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text(
                    "UPDATE courses SET status = 'ended', ended_at = :at, end_reason = :reason"  # noqa: S608
                    f" WHERE id = :id AND {_OPEN}"
                ),
                {"at": stamp(now), "reason": reason.value, "id": course_id},
            )
            await conn.execute(
                text(
                    "DELETE FROM deliveries WHERE course_id = :id"
                    " AND status IN ('pending', 'sending')"
                ),
                {"id": course_id},
            )
        return result.rowcount == 1

    async def cancel_follow_ups(self, user_id: int) -> int:
        """Drop the patient's follow-up reminders still to come (a claimed one too); how many."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text(
                    "DELETE FROM deliveries WHERE user_id = :user AND kind = 'follow_up'"
                    " AND status IN ('pending', 'sending')"
                ),
                {"user": user_id},
            )
        return result.rowcount

    async def change_time(
        self,
        course_id: int,
        send_time: time,
        timezone: str,
        answer: tuple[str, int] | None = None,
    ) -> None:
        """Move every unsent message of the course to the new local time and zone.

        `answer`: the question and the message typed as its answer; None for a button."""
        async with self.db.transaction() as conn:
            procedure_text = await conn.scalar(
                text(f"SELECT procedure_date FROM courses WHERE id = :id{self.db.lock_rows()}"),  # noqa: S608
                {"id": course_id},
            )
            if procedure_text is None:
                return
            procedure = date.fromisoformat(procedure_text)
            step, appended = answer if answer is not None else ("", "")
            await conn.execute(
                text(
                    "UPDATE courses SET send_time = :send_time, timezone = :zone,"
                    " change_step = :step, change_ids = CASE WHEN :appended = '' THEN change_ids"
                    " WHEN change_ids = '' THEN :appended"
                    " ELSE change_ids || ',' || :appended END WHERE id = :id"
                ),
                {
                    "send_time": send_time.strftime("%H:%M"),
                    "zone": timezone,
                    "step": step,
                    "appended": str(appended),
                    "id": course_id,
                },
            )
            pending = (
                await conn.execute(
                    text(
                        "SELECT id, day FROM deliveries"
                        " WHERE course_id = :id AND status = 'pending'"
                    ),
                    {"id": course_id},
                )
            ).all()
            if pending:
                await conn.execute(
                    text("UPDATE deliveries SET due_at = :due WHERE id = :id"),
                    [
                        {
                            "due": stamp(local_due(procedure, r.day, send_time, timezone)),
                            "id": r.id,
                        }
                        for r in pending
                    ],
                )

    async def add_follow_up(self, course_id: int, day: int, now: datetime) -> datetime | None:
        """Schedule the follow-up reminder on `day`; its due time, or None if not possible."""
        async with self.db.transaction() as conn:
            course = (
                (
                    await conn.execute(
                        text(
                            "SELECT user_id, procedure_date, send_time, timezone, status,"  # noqa: S608
                            f" end_reason FROM courses WHERE id = :id{self.db.lock_rows()}"
                        ),
                        {"id": course_id},
                    )
                )
                .mappings()
                .first()
            )
            if course is None:
                return None
            existing = await conn.scalar(
                text("SELECT due_at FROM deliveries WHERE course_id = :id AND kind = 'follow_up'"),
                {"id": course_id},
            )
            if existing is not None:
                return moment(existing)
            ended = course["status"] == CourseStatus.ENDED.value
            if ended and course["end_reason"] != EndReason.COMPLETED.value:
                return None
            due = local_due(
                date.fromisoformat(course["procedure_date"]),
                day,
                time.fromisoformat(course["send_time"]),
                course["timezone"],
            )
            await conn.execute(
                text(
                    "INSERT INTO deliveries (course_id, user_id, day, kind, due_at)"
                    " VALUES (:course, :user, :day, 'follow_up', :due)"
                ),
                {"course": course_id, "user": course["user_id"], "day": day, "due": stamp(due)},
            )
        return due

    # deliveries

    async def claim_due(
        self, now: datetime, limit: int, owner: str = "", lease: timedelta = CLAIM_LEASE
    ) -> list[Delivery]:
        """Atomically claim up to `limit` due messages for `owner` until the lease runs out.

        On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so instances claiming at
        the same moment take different rows instead of waiting for each other.
        """
        at = stamp(now)
        async with self.db.transaction() as conn:
            ids = [
                r[0]
                for r in await conn.execute(
                    text(
                        "UPDATE deliveries SET status = 'sending', claimed_at = :at,"  # noqa: S608
                        " claimed_by = :owner, lease_until = :lease, attempts = attempts + 1"
                        " WHERE id IN (SELECT d.id FROM deliveries d JOIN courses c"
                        "  ON c.id = d.course_id"
                        "  WHERE d.status = 'pending' AND d.due_at <= :at"
                        f"  AND {_WANTS_SENDING}"
                        "  AND (d.not_before IS NULL OR d.not_before <= :at)"
                        # Lock only the delivery rows: courses are read, many deliveries share one.
                        "  ORDER BY d.due_at, d.id LIMIT :limit"
                        f"{self.db.lock_rows(skip_locked=True, of='d')})"
                        " RETURNING id"
                    ),
                    {"at": at, "owner": owner, "lease": stamp(now + lease), "limit": limit},
                )
            ]
            if not ids:
                return []
            rows = (
                (
                    await conn.execute(
                        text(
                            "SELECT d.id, d.course_id, d.user_id, c.chat_id, d.day, d.kind,"
                            " d.due_at, c.timezone, d.attempts, p.language FROM deliveries d"
                            " JOIN courses c ON c.id = d.course_id"
                            " LEFT JOIN patients p ON p.user_id = d.user_id"
                            " WHERE d.id IN :ids ORDER BY d.due_at, d.id"
                        ).bindparams(bindparam("ids", expanding=True)),
                        {"ids": ids},
                    )
                )
                .mappings()
                .all()
            )
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

    async def still_to_send(self, delivery_id: int, owner: str) -> bool:
        """True while a claimed message is still ours to send and its course still wants it.

        Asked right before sending: a batch is claimed at once and sent over seconds, and
        meanwhile the patient may /stop, /forget or pause, or a lease may have passed on.
        """
        async with self.db.transaction() as conn:
            found = await conn.scalar(
                text(
                    "SELECT 1 FROM deliveries d JOIN courses c ON c.id = d.course_id"  # noqa: S608 - constants
                    " WHERE d.id = :id AND d.status = 'sending' AND d.claimed_by = :owner"
                    f" AND {_WANTS_SENDING}"
                ),
                {"id": delivery_id, "owner": owner},
            )
        return found is not None

    async def release_claim(self, delivery_id: int, owner: str) -> None:
        """Give back one claim of ours without sending (a paused course sends it on resume)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "UPDATE deliveries SET status = 'pending', claimed_at = NULL,"
                    " claimed_by = NULL, lease_until = NULL"
                    " WHERE id = :id AND status = 'sending' AND claimed_by = :owner"
                ),
                {"id": delivery_id, "owner": owner},
            )

    async def mark_sent(
        self, delivery_id: int, message_id: int, now: datetime, owner: str = ""
    ) -> bool:
        """Record a sent message; the course is completed when nothing is left to send.

        False when `owner` no longer held the claim: its lease ran out during the send and
        another instance holds it now, whose record it is. A message put back meanwhile (the
        other's send failed) is recorded as sent all the same: it went, and must not go again.
        """
        return await self._finish(delivery_id, "sent", now, message_id, owner)

    async def mark_skipped(self, delivery_id: int, now: datetime, owner: str = "") -> bool:
        """Record a message not sent because its local day had passed; False if not our claim."""
        return await self._finish(delivery_id, "skipped", now, None, owner)

    async def _finish(
        self, delivery_id: int, status: str, now: datetime, message_id: int | None, owner: str
    ) -> bool:
        held = "(status = 'sending' AND claimed_by = :owner)"
        unclaimed = " OR status = 'pending'" if status == "sent" else ""
        async with self.db.transaction() as conn:
            course_id = await conn.scalar(
                text("SELECT course_id FROM deliveries WHERE id = :id"), {"id": delivery_id}
            )
            if course_id is None:
                return False
            # Two instances finishing the course's last two messages at once: this lock orders
            # them, so the second sees the first's result and ends the course.
            await self._lock_courses(conn, [course_id])
            recorded = await conn.scalar(
                text(
                    "UPDATE deliveries SET status = :status, sent_at = :at, message_id = :message"  # noqa: S608 - constants
                    f" WHERE id = :id AND ({held}{unclaimed}) RETURNING id"
                ),
                {
                    "status": status,
                    "at": stamp(now),
                    "message": message_id,
                    "id": delivery_id,
                    "owner": owner,
                },
            )
            if recorded is None:
                return False
            # The follow-up months later never holds the course open: asked for before the
            # last day's message is recorded (its answer lost, it is sent again), it would.
            left = await conn.scalar(
                text(
                    "SELECT 1 FROM deliveries WHERE course_id = :id AND kind = 'day'"
                    " AND status IN ('pending', 'sending')"
                ),
                {"id": course_id},
            )
            if left is None:
                # The retention period runs from the last message, a late follow-up included.
                await conn.execute(
                    text(
                        "UPDATE courses SET status = 'ended', ended_at = :at,"
                        " end_reason = coalesce(end_reason, :reason) WHERE id = :id"
                    ),
                    {"at": stamp(now), "reason": EndReason.COMPLETED.value, "id": course_id},
                )
        return True

    async def retry_later(self, delivery_id: int, not_before: datetime, owner: str = "") -> bool:
        """Put a claimed message back to be sent by a later tick; False if not our claim."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                text(
                    "UPDATE deliveries SET status = 'pending', not_before = :not_before,"
                    " claimed_at = NULL, claimed_by = NULL, lease_until = NULL"
                    " WHERE id = :id AND status = 'sending' AND claimed_by = :owner"
                ),
                {"not_before": stamp(not_before), "id": delivery_id, "owner": owner},
            )
        return result.rowcount == 1

    async def record_checkin(
        self, course_id: int, user_id: int, day: int, answer: str, now: datetime
    ) -> bool:
        """Store a patient's own check-in answer; False if not theirs or given that local day."""
        async with self.db.transaction() as conn:
            # The course row's lock orders two presses at once: the second sees the first's.
            zone = await conn.scalar(
                text(
                    "SELECT timezone FROM courses WHERE id = :id AND user_id = :user"  # noqa: S608
                    f"{self.db.lock_rows()}"
                ),
                {"id": course_id, "user": user_id},
            )
            if zone is None:
                return False
            key = {"course": course_id, "day": day, "answer": answer}
            given = await conn.scalar(
                text(
                    "SELECT answered_at FROM checkins"
                    " WHERE course_id = :course AND day = :day AND answer = :answer"
                ),
                key,
            )
            if given is None:
                result = await conn.execute(
                    text(
                        "INSERT INTO checkins (course_id, user_id, day, answer, answered_at)"
                        " VALUES (:course, :user, :day, :answer, :at) ON CONFLICT DO NOTHING"
                    ),
                    {**key, "user": user_id, "at": stamp(now)},
                )
                return result.rowcount == 1
            answered = moment(given)
            if answered is None or not day_over(answered, now, zone):
                return False
            # Given again on a later day ("Something worrying" pressed again on an older
            # message): new that day, and that day's repeats are counted from now.
            await conn.execute(
                text(
                    "UPDATE checkins SET answered_at = :at"
                    " WHERE course_id = :course AND day = :day AND answer = :answer"
                ),
                {**key, "at": stamp(now)},
            )
        return True

    async def checkin_stats(self) -> list[CheckinCount]:
        """How often each answer was given, per course day."""
        async with self.db.transaction() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT day, answer, count(*) AS n FROM checkins GROUP BY day, answer"
                        " ORDER BY day, answer"
                    )
                )
            ).all()
        return [CheckinCount(r.day, r.answer, r.n) for r in rows]

    # the unfinished conversation

    async def save_conversation(self, user_id: int, state: Conversation, now: datetime) -> None:
        """Keep the open aftercare question of a patient."""
        await self._save_state(user_id, state.to_json(), now)

    async def keep_zone(self, user_id: int, zone: str, now: datetime) -> None:
        """Keep the zone of a sign-up the patient left, for the next; no question is open."""
        # In the conversation's row: /forget and the purge erase it with the rest, and a new
        # sign-up or an enrolment replaces it. No "step": `load_conversation` reads no question.
        await self._save_state(user_id, json.dumps({KEPT_ZONE: zone}), now)

    async def kept_zone(self, user_id: int) -> str | None:
        """The zone of the sign-up the patient left last, until the purge; None if none is."""
        async with self.db.transaction() as conn:
            state = await conn.scalar(
                text("SELECT state FROM conversations WHERE user_id = :user"), {"user": user_id}
            )
        try:
            zone = json.loads(state).get(KEPT_ZONE) if state else None
        except (ValueError, AttributeError):
            return None
        return zone if isinstance(zone, str) else None

    async def _save_state(self, user_id: int, state: str, now: datetime) -> None:
        """Write the patient's conversation row."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text(
                    "INSERT INTO conversations (user_id, state, updated_at)"
                    " VALUES (:user, :state, :at) ON CONFLICT (user_id) DO UPDATE"
                    " SET state = excluded.state, updated_at = excluded.updated_at"
                ),
                {"user": user_id, "state": state, "at": stamp(now)},
            )

    async def load_conversation(self, user_id: int, now: datetime) -> Conversation | None:
        """The patient's open aftercare question, or None (also when it was left a day ago, or
        only a left sign-up's zone is kept)."""
        async with self.db.transaction() as conn:
            state = await conn.scalar(
                text(
                    "SELECT state FROM conversations WHERE user_id = :user AND updated_at >= :since"
                ),
                {"user": user_id, "since": stamp(now - CONVERSATION_TIMEOUT)},
            )
        return Conversation.from_json(state) if state else None

    async def clear_conversation(self, user_id: int) -> None:
        """Forget the patient's open aftercare question."""
        async with self.db.transaction() as conn:
            await conn.execute(
                text("DELETE FROM conversations WHERE user_id = :user"), {"user": user_id}
            )

    async def _lock_courses(self, conn: AsyncConnection, ids: list[int]) -> None:
        """Lock the courses' rows before any of their deliveries' or check-ins' (caller's)."""
        # The order /stop, /forget, a new time, a check-in and a record all keep: the other
        # order waits for such a one while it waits for the course (a deadlock on PostgreSQL).
        await conn.execute(
            text(f"SELECT id FROM courses WHERE id IN :ids{self.db.lock_rows()}").bindparams(  # noqa: S608
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )

    # privacy

    async def erase_user(self, conn: AsyncConnection, user_id: int) -> None:
        """Delete the patient's courses, deliveries, check-ins and open question (caller's)."""
        # The courses' rows first, the order a record, /stop and a new time lock them in: the
        # other order waits for such a one while it waits for the course (a deadlock).
        await conn.execute(
            text(f"SELECT id FROM courses WHERE user_id = :user{self.db.lock_rows()}"),  # noqa: S608
            {"user": user_id},
        )
        for table in ("checkins", "deliveries", "courses", "conversations"):
            await conn.execute(
                text(f"DELETE FROM {table} WHERE user_id = :user"),  # noqa: S608 - fixed names
                {"user": user_id},
            )

    async def purge(self, now: datetime) -> int:
        """Delete courses ended, or not ended but past their last message, over 30 days ago."""
        cutoff = stamp(now - RETENTION)
        async with self.db.transaction(erasing=True) as conn:
            stale = [
                r[0]
                for r in await conn.execute(
                    text(
                        # A follow-up still to send keeps it, unless it was due before the
                        # cutoff: no tick sent or skipped it (the FAQ has no course any more).
                        "SELECT id FROM courses c WHERE status = 'ended' AND ended_at < :cutoff"
                        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.course_id = c.id"
                        "  AND d.status IN ('pending', 'sending') AND d.due_at >= :cutoff)"
                        # Paused past its last message, or running with its days long over
                        # (no FAQ course any more, so no tick skips them and ends it).
                        " UNION SELECT c.id FROM courses c WHERE c.status != 'ended'"
                        " AND coalesce((SELECT max(due_at) FROM deliveries d"
                        "  WHERE d.course_id = c.id), c.enrolled_at) < :cutoff"
                    ),
                    {"cutoff": cutoff},
                )
            ]
            if stale:
                await self._lock_courses(conn, stale)
                for table, column in (
                    ("checkins", "course_id"),
                    ("deliveries", "course_id"),
                    ("courses", "id"),
                ):
                    await conn.execute(
                        text(f"DELETE FROM {table} WHERE {column} IN :ids").bindparams(  # noqa: S608 - fixed names
                            bindparam("ids", expanding=True)
                        ),
                        {"ids": stale},
                    )
            await conn.execute(
                text("DELETE FROM conversations WHERE updated_at < :cutoff"),
                {"cutoff": stamp(now - CONVERSATION_RETENTION)},
            )
        return len(stale)
