"""The course repository on a real SQLite file: enrolment, claims, pause, stop, forget, purge."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.aftercare.conversation import Conversation, Step
from bot.aftercare.records import CourseStatus, DeliveryKind, EndReason
from bot.aftercare.schedule import follow_up_day, plan_days, shortest_follow_up_day
from bot.storage.courses import AlreadyEnrolled, CheckinCount, CourseRepo
from bot.storage.database import Database
from bot.storage.store import Store

NOW = datetime(2025, 5, 20, 10, tzinfo=UTC)  # 12:00 in Berlin
PROCEDURE = date(2025, 5, 20)
USER = 1001
OTHER = 2002
USER_TABLES = ("courses", "deliveries", "checkins", "conversations", "feedback")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh database file."""
    database = Database(tmp_path / "bot.db")
    yield database
    database.close()


@pytest.fixture
def repo(db: Database) -> CourseRepo:
    """The repository over the fresh database."""
    return CourseRepo(db)


def _enroll(repo: CourseRepo, user: int = USER, now: datetime = NOW) -> int:
    plan = plan_days(PROCEDURE, time(9), "Europe/Berlin", now, 14)
    return repo.enroll(user, user, PROCEDURE, time(9), "Europe/Berlin", plan, now).id


def _count(db: Database, sql: str, *args: object) -> int:
    return int(_column(db, sql, *args)[0])


def _column(db: Database, sql: str, *args: object) -> list[object]:
    with db.transaction() as conn:
        return [row[0] for row in conn.execute(sql, args)]


def test_enrol_stores_the_course_and_one_row_per_day(repo: CourseRepo, db: Database) -> None:
    course_id = _enroll(repo)
    course = repo.course_for(USER)
    assert course is not None and course.id == course_id
    assert course.status is CourseStatus.ACTIVE
    assert (course.procedure_date, course.send_time, course.timezone) == (
        PROCEDURE,
        time(9),
        "Europe/Berlin",
    )
    assert course.next_due == NOW
    days = _column(db, "SELECT day FROM deliveries ORDER BY day")
    assert days == list(range(15))  # the procedure day (0) and the 14 days after it


def test_one_open_course_per_patient_and_one_row_per_day(repo: CourseRepo, db: Database) -> None:
    course_id = _enroll(repo)
    with pytest.raises(AlreadyEnrolled):
        _enroll(repo)
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
        conn.execute(
            "INSERT INTO deliveries (course_id, user_id, day, kind, due_at)"
            " VALUES (?, ?, 3, 'day', ?)",
            (course_id, USER, NOW.isoformat()),
        )
    repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert _enroll(repo) != course_id


def test_a_claim_is_taken_once(repo: CourseRepo) -> None:
    _enroll(repo)
    first = repo.claim_due(NOW, 10)
    assert [d.day for d in first] == [0]
    assert first[0].chat_id == USER and first[0].timezone == "Europe/Berlin"
    assert repo.claim_due(NOW, 10) == []
    assert repo.claim_due(NOW + timedelta(days=1), 10)[0].day == 1


def test_concurrent_claims_never_share_a_row(repo: CourseRepo) -> None:
    for user in range(50):
        _enroll(repo, user)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while batch := repo.claim_due(NOW, 3):
            with lock:
                claimed.extend(d.id for d in batch)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == len(set(claimed)) == 50


def test_sent_rows_keep_the_message_id_and_the_last_one_completes(
    repo: CourseRepo, db: Database
) -> None:
    course_id = _enroll(repo)
    for offset in range(15):
        (delivery,) = repo.claim_due(NOW + timedelta(days=offset), 10)
        assert delivery.day == offset
        repo.mark_sent(delivery.id, 500 + offset, NOW + timedelta(days=offset))
    ids = _column(db, "SELECT message_id FROM deliveries ORDER BY day")
    assert ids == list(range(500, 515))
    course = repo.course(course_id)
    assert course is not None and course.status is CourseStatus.ENDED
    assert course.end_reason is EndReason.COMPLETED
    assert repo.course_for(USER) is None


def test_retry_later_waits_and_release_returns_dead_claims(repo: CourseRepo) -> None:
    _enroll(repo)
    (delivery,) = repo.claim_due(NOW, 10)
    repo.retry_later(delivery.id, NOW + timedelta(seconds=30))
    assert repo.claim_due(NOW + timedelta(seconds=29), 10) == []
    (again,) = repo.claim_due(NOW + timedelta(seconds=30), 10)
    assert again.attempts == 2
    # A process killed mid-send leaves the row claimed until its lease runs out.
    assert repo.claims.release_expired(NOW + timedelta(seconds=30)) == 0
    assert repo.claims.release_expired(NOW + timedelta(minutes=5, seconds=31)) == 1
    (claimed,) = repo.claim_due(NOW + timedelta(minutes=6), 10, "me")
    # A process stopping cleanly gives back its own claims only.
    assert repo.claims.release_owned("someone else") == 0
    assert repo.claims.release_owned("me") == 1
    assert claimed.id == delivery.id


def test_pause_holds_messages_and_resume_releases_them(repo: CourseRepo) -> None:
    course_id = _enroll(repo)
    assert repo.pause(course_id)
    assert not repo.pause(course_id)
    assert repo.claim_due(NOW + timedelta(days=3), 10) == []
    course = repo.course_for(USER)
    assert course is not None and course.status is CourseStatus.PAUSED
    assert repo.resume(course_id)
    assert [d.day for d in repo.claim_due(NOW + timedelta(days=3), 10)] == [0, 1, 2, 3]


def test_stop_drops_unsent_messages(repo: CourseRepo, db: Database) -> None:
    course_id = _enroll(repo)
    (delivery,) = repo.claim_due(NOW, 10)
    repo.mark_sent(delivery.id, 1, NOW)
    assert repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert not repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert repo.course_for(USER) is None
    assert repo.claim_due(NOW + timedelta(days=30), 10) == []
    assert _count(db, "SELECT count(*) FROM deliveries WHERE status = 'pending'") == 0


def test_change_time_moves_every_unsent_message(repo: CourseRepo) -> None:
    course_id = _enroll(repo)
    repo.change_time(course_id, time(19, 30), "America/New_York")
    course = repo.course(course_id)
    assert course is not None and course.send_time == time(19, 30)
    later = repo.claim_due(datetime(2025, 5, 21, 23, tzinfo=UTC), 10)
    # Day 0 (20 May) at 19:30 New York is 23:30 UTC; day 1 is not due before 21 May 23:30 UTC.
    assert [d.day for d in later] == [0]
    assert later[0].due_at == datetime(2025, 5, 20, 23, 30, tzinfo=UTC)


def test_follow_up_keeps_a_completed_course_completed(repo: CourseRepo) -> None:
    course_id = _enroll(repo)
    repo.end_course(course_id, EndReason.COMPLETED, NOW)
    day = follow_up_day(PROCEDURE, 9)
    assert day == 276  # 20 February 2026: a day after the course's days 0..14
    due = repo.add_follow_up(course_id, day, NOW)
    assert due == datetime(2026, 2, 20, 8, tzinfo=UTC)
    assert repo.add_follow_up(course_id, day, NOW) == due
    assert repo.course_for(USER) is None
    course = repo.course(course_id)
    assert course is not None and course.status is CourseStatus.ENDED
    assert course.follow_up_due == due
    # A new course can start meanwhile; the reminder still goes out on its day.
    _enroll(repo, USER, NOW + timedelta(days=30))
    assert [d.kind for d in repo.claim_due(due, 100)].count(DeliveryKind.FOLLOW_UP) == 1


def test_the_follow_up_never_shares_a_day_with_the_course(repo: CourseRepo, db: Database) -> None:
    # The follow-up is one more delivery row of the course, unique per (user, course, day):
    # the shortest follow-up span is still after the course's last day (faq check keeps it so).
    assert shortest_follow_up_day(1) == 28 and shortest_follow_up_day(9) > 14
    procedure = date(2025, 1, 31)
    plan = plan_days(procedure, time(9), "UTC", datetime(2025, 1, 31, 8, tzinfo=UTC), 27)
    course_id = repo.enroll(USER, USER, procedure, time(9), "UTC", plan, NOW).id
    assert repo.add_follow_up(course_id, follow_up_day(procedure, 1), NOW) is not None
    days = _column(db, "SELECT day FROM deliveries WHERE course_id = ? ORDER BY day", course_id)
    assert days == [*range(28), 28]  # days 0..27, then the follow-up on 28 February


def test_a_stopped_course_gets_no_follow_up(repo: CourseRepo) -> None:
    course_id = _enroll(repo)
    repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert repo.add_follow_up(course_id, 276, NOW) is None


def test_checkins_are_counted_per_day_and_answer(repo: CourseRepo) -> None:
    course_id = _enroll(repo)
    other = _enroll(repo, OTHER)
    assert repo.record_checkin(course_id, USER, 2, "swelling", NOW)
    assert not repo.record_checkin(course_id, USER, 2, "swelling", NOW)
    assert not repo.record_checkin(course_id, OTHER, 2, "good", NOW)
    assert repo.record_checkin(other, OTHER, 2, "swelling", NOW)
    assert repo.record_checkin(course_id, USER, 3, "worrying", NOW)
    assert repo.checkin_stats() == [
        CheckinCount(2, "swelling", 2),
        CheckinCount(3, "worrying", 1),
    ]


def test_the_conversation_survives_a_restart(tmp_path: Path) -> None:
    state = Conversation(Step.TIME, "Europe/Berlin", date(2025, 5, 19))
    first = Database(tmp_path / "bot.db")
    CourseRepo(first).save_conversation(USER, state, NOW)
    first.close()
    second = Database(tmp_path / "bot.db")
    repo = CourseRepo(second)
    assert repo.load_conversation(USER, NOW) == state
    assert repo.load_conversation(USER, NOW + timedelta(hours=23)) == state
    assert repo.load_conversation(USER, NOW + timedelta(hours=25)) is None  # left a day ago
    repo.clear_conversation(USER)
    assert repo.load_conversation(USER, NOW) is None
    second.close()


async def test_forget_leaves_no_row_about_the_patient(repo: CourseRepo, db: Database) -> None:
    course_id = _enroll(repo)
    _enroll(repo, OTHER)
    repo.record_checkin(course_id, USER, 1, "pain", NOW)
    repo.save_conversation(USER, Conversation(Step.DATE, "UTC"), NOW)
    with db.transaction() as conn:
        for user in (USER, OTHER):
            conn.execute(
                "INSERT INTO feedback (user_id, entry_id, helpful, given_at) VALUES (?, 'x', 1, ?)",
                (user, NOW.isoformat()),
            )
    store = Store(db)
    await store.forget_user(USER)
    for table in USER_TABLES:
        sql = f"SELECT count(*) FROM {table} WHERE user_id = ?"  # noqa: S608 - fixed names
        assert _count(db, sql, USER) == 0, table
    assert _count(db, "SELECT count(*) FROM checkins") == 0
    assert _count(db, "SELECT count(*) FROM feedback WHERE user_id = ?", OTHER) == 1
    assert repo.course_for(OTHER) is not None


def test_purge_deletes_courses_ended_over_30_days_ago(repo: CourseRepo, db: Database) -> None:
    old = _enroll(repo)
    recent = _enroll(repo, OTHER)
    repo.record_checkin(old, USER, 1, "good", NOW)
    repo.end_course(old, EndReason.STOPPED, NOW)
    repo.end_course(recent, EndReason.STOPPED, NOW + timedelta(days=2))
    repo.save_conversation(3003, Conversation(Step.DATE, "UTC"), NOW)
    assert repo.purge(NOW + timedelta(days=30)) == 0
    assert repo.purge(NOW + timedelta(days=31)) == 1
    assert repo.course(old) is None and repo.course(recent) is not None
    assert _count(db, "SELECT count(*) FROM checkins") == 0
    assert repo.load_conversation(3003, NOW) is None


def test_purge_also_ends_courses_paused_past_their_last_day(repo: CourseRepo) -> None:
    course_id = _enroll(repo)
    repo.pause(course_id)
    assert repo.purge(NOW + timedelta(days=40)) == 0
    assert repo.purge(NOW + timedelta(days=45)) == 1
    assert repo.course(course_id) is None


def test_naive_times_are_refused(repo: CourseRepo) -> None:
    with pytest.raises(ValueError, match="naive"):
        repo.claim_due(datetime(2025, 5, 20, 10), 10)  # noqa: DTZ001 - the point of the test
