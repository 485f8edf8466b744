"""The course repository on a real SQLite file: enrolment, claims, pause, stop, forget, purge."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from db_support import column, execute, fail_deletes, heal_deletes, scalar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

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
def repo(db: Database) -> CourseRepo:
    """The repository over the fresh database."""
    return CourseRepo(db)


async def _enroll(repo: CourseRepo, user: int = USER, now: datetime = NOW) -> int:
    plan = plan_days(PROCEDURE, time(9), "Europe/Berlin", now, 14)
    return (await repo.enroll(user, user, PROCEDURE, time(9), "Europe/Berlin", plan, now)).id


async def _count(db: Database, sql: str, **params: object) -> int:
    return int(await scalar(db, sql, **params))


async def test_enrol_stores_the_course_and_one_row_per_day(repo: CourseRepo, db: Database) -> None:
    course_id = await _enroll(repo)
    course = await repo.course_for(USER)
    assert course is not None and course.id == course_id
    assert course.status is CourseStatus.ACTIVE
    assert (course.procedure_date, course.send_time, course.timezone) == (
        PROCEDURE,
        time(9),
        "Europe/Berlin",
    )
    assert course.next_due == NOW
    days = await column(db, "SELECT day FROM deliveries ORDER BY day")
    assert days == list(range(15))  # the procedure day (0) and the 14 days after it


async def test_one_open_course_per_patient_and_one_row_per_day(
    repo: CourseRepo, db: Database
) -> None:
    course_id = await _enroll(repo)
    with pytest.raises(AlreadyEnrolled):
        await _enroll(repo)
    with pytest.raises(IntegrityError):
        await execute(
            db,
            "INSERT INTO deliveries (course_id, user_id, day, kind, due_at)"
            " VALUES (:course, :user, 3, 'day', :due)",
            course=course_id,
            user=USER,
            due=NOW.isoformat(),
        )
    await repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert await _enroll(repo) != course_id


async def test_a_claim_is_taken_once(repo: CourseRepo) -> None:
    await _enroll(repo)
    first = await repo.claim_due(NOW, 10)
    assert [d.day for d in first] == [0]
    assert first[0].chat_id == USER and first[0].timezone == "Europe/Berlin"
    assert await repo.claim_due(NOW, 10) == []
    assert (await repo.claim_due(NOW + timedelta(days=1), 10))[0].day == 1


async def test_concurrent_claims_never_share_a_row(repo: CourseRepo) -> None:
    for user in range(50):
        await _enroll(repo, user)
    claimed: list[int] = []

    async def worker() -> None:
        while batch := await repo.claim_due(NOW, 3):
            claimed.extend(d.id for d in batch)

    await asyncio.gather(*(worker() for _ in range(8)))
    assert len(claimed) == len(set(claimed)) == 50


async def test_sent_rows_keep_the_message_id_and_the_last_one_completes(
    repo: CourseRepo, db: Database
) -> None:
    course_id = await _enroll(repo)
    for offset in range(15):
        (delivery,) = await repo.claim_due(NOW + timedelta(days=offset), 10)
        assert delivery.day == offset
        await repo.mark_sent(delivery.id, 500 + offset, NOW + timedelta(days=offset))
    ids = await column(db, "SELECT message_id FROM deliveries ORDER BY day")
    assert ids == list(range(500, 515))
    course = await repo.course(course_id)
    assert course is not None and course.status is CourseStatus.ENDED
    assert course.end_reason is EndReason.COMPLETED
    assert await repo.course_for(USER) is None


async def test_retry_later_waits_and_release_returns_dead_claims(repo: CourseRepo) -> None:
    await _enroll(repo)
    (delivery,) = await repo.claim_due(NOW, 10)
    await repo.retry_later(delivery.id, NOW + timedelta(seconds=30))
    assert await repo.claim_due(NOW + timedelta(seconds=29), 10) == []
    (again,) = await repo.claim_due(NOW + timedelta(seconds=30), 10)
    assert again.attempts == 2
    # A process killed mid-send leaves the row claimed until its lease runs out.
    assert await repo.claims.release_expired(NOW + timedelta(seconds=30)) == 0
    assert await repo.claims.release_expired(NOW + timedelta(minutes=5, seconds=31)) == 1
    (claimed,) = await repo.claim_due(NOW + timedelta(minutes=6), 10, "me")
    # A process stopping cleanly gives back its own claims only.
    assert await repo.claims.release_owned("someone else") == 0
    assert await repo.claims.release_owned("me") == 1
    assert claimed.id == delivery.id


async def test_pause_holds_messages_and_resume_releases_them(repo: CourseRepo) -> None:
    course_id = await _enroll(repo)
    assert await repo.pause(course_id)
    assert not await repo.pause(course_id)
    assert await repo.claim_due(NOW + timedelta(days=3), 10) == []
    course = await repo.course_for(USER)
    assert course is not None and course.status is CourseStatus.PAUSED
    assert await repo.resume(course_id)
    assert [d.day for d in await repo.claim_due(NOW + timedelta(days=3), 10)] == [0, 1, 2, 3]


async def test_stop_drops_unsent_messages(repo: CourseRepo, db: Database) -> None:
    course_id = await _enroll(repo)
    (delivery,) = await repo.claim_due(NOW, 10)
    await repo.mark_sent(delivery.id, 1, NOW)
    assert await repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert not await repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert await repo.course_for(USER) is None
    assert await repo.claim_due(NOW + timedelta(days=30), 10) == []
    assert await _count(db, "SELECT count(*) FROM deliveries WHERE status = 'pending'") == 0


async def test_change_time_moves_every_unsent_message(repo: CourseRepo) -> None:
    course_id = await _enroll(repo)
    await repo.change_time(course_id, time(19, 30), "America/New_York")
    course = await repo.course(course_id)
    assert course is not None and course.send_time == time(19, 30)
    later = await repo.claim_due(datetime(2025, 5, 21, 23, tzinfo=UTC), 10)
    # Day 0 (20 May) at 19:30 New York is 23:30 UTC; day 1 is not due before 21 May 23:30 UTC.
    assert [d.day for d in later] == [0]
    assert later[0].due_at == datetime(2025, 5, 20, 23, 30, tzinfo=UTC)


async def test_follow_up_keeps_a_completed_course_completed(repo: CourseRepo) -> None:
    course_id = await _enroll(repo)
    await repo.end_course(course_id, EndReason.COMPLETED, NOW)
    day = follow_up_day(PROCEDURE, 9)
    assert day == 276  # 20 February 2026: a day after the course's days 0..14
    due = await repo.add_follow_up(course_id, day, NOW)
    assert due == datetime(2026, 2, 20, 8, tzinfo=UTC)
    assert await repo.add_follow_up(course_id, day, NOW) == due
    assert await repo.course_for(USER) is None
    course = await repo.course(course_id)
    assert course is not None and course.status is CourseStatus.ENDED
    assert course.follow_up_due == due
    # A new course can start meanwhile; the reminder still goes out on its day.
    await _enroll(repo, USER, NOW + timedelta(days=30))
    assert [d.kind for d in await repo.claim_due(due, 100)].count(DeliveryKind.FOLLOW_UP) == 1


async def test_the_follow_up_never_shares_a_day_with_the_course(
    repo: CourseRepo, db: Database
) -> None:
    # The follow-up is one more delivery row of the course, unique per (user, course, day):
    # the shortest follow-up span is still after the course's last day (faq check keeps it so).
    assert shortest_follow_up_day(1) == 28 and shortest_follow_up_day(9) > 14
    procedure = date(2025, 1, 31)
    plan = plan_days(procedure, time(9), "UTC", datetime(2025, 1, 31, 8, tzinfo=UTC), 27)
    course_id = (await repo.enroll(USER, USER, procedure, time(9), "UTC", plan, NOW)).id
    assert await repo.add_follow_up(course_id, follow_up_day(procedure, 1), NOW) is not None
    days = await column(
        db, "SELECT day FROM deliveries WHERE course_id = :id ORDER BY day", id=course_id
    )
    assert days == [*range(28), 28]  # days 0..27, then the follow-up on 28 February


async def test_a_stopped_course_gets_no_follow_up(repo: CourseRepo) -> None:
    course_id = await _enroll(repo)
    await repo.end_course(course_id, EndReason.STOPPED, NOW)
    assert await repo.add_follow_up(course_id, 276, NOW) is None


async def test_checkins_are_counted_per_day_and_answer(repo: CourseRepo) -> None:
    course_id = await _enroll(repo)
    other = await _enroll(repo, OTHER)
    assert await repo.record_checkin(course_id, USER, 2, "swelling", NOW)
    assert not await repo.record_checkin(course_id, USER, 2, "swelling", NOW)
    assert not await repo.record_checkin(course_id, OTHER, 2, "good", NOW)
    assert await repo.record_checkin(other, OTHER, 2, "swelling", NOW)
    assert await repo.record_checkin(course_id, USER, 3, "worrying", NOW)
    # Given again on a later day of the patient's (Berlin: 21.05), it is new that day only.
    next_morning = NOW + timedelta(hours=20)
    assert await repo.record_checkin(course_id, USER, 3, "worrying", next_morning)
    assert not await repo.record_checkin(course_id, USER, 3, "worrying", next_morning)
    assert await repo.checkin_stats() == [
        CheckinCount(2, "swelling", 2),
        CheckinCount(3, "worrying", 1),
    ]


async def test_the_conversation_survives_a_restart(db: Database) -> None:
    state = Conversation(Step.TIME, "Europe/Berlin", date(2025, 5, 19))
    await CourseRepo(db).save_conversation(USER, state, NOW)
    await db.close()
    second = Database(db.target)
    repo = CourseRepo(second)
    assert await repo.load_conversation(USER, NOW) == state
    assert await repo.load_conversation(USER, NOW + timedelta(hours=23)) == state
    assert await repo.load_conversation(USER, NOW + timedelta(hours=25)) is None  # left a day ago
    await repo.clear_conversation(USER)
    assert await repo.load_conversation(USER, NOW) is None
    await second.close()


async def test_forget_leaves_no_row_about_the_patient(repo: CourseRepo, db: Database) -> None:
    course_id = await _enroll(repo)
    await _enroll(repo, OTHER)
    await repo.record_checkin(course_id, USER, 1, "pain", NOW)
    await repo.save_conversation(USER, Conversation(Step.DATE, "UTC"), NOW)
    for user in (USER, OTHER):
        await execute(
            db,
            "INSERT INTO feedback (user_id, entry_id, helpful, given_at)"
            " VALUES (:user, 'x', 1, :at)",
            user=user,
            at=NOW.isoformat(),
        )
    store = Store(db)
    await store.forget_user(USER)
    for table in USER_TABLES:
        sql = f"SELECT count(*) FROM {table} WHERE user_id = :user"  # noqa: S608 - fixed names
        assert await _count(db, sql, user=USER) == 0, table
    assert await _count(db, "SELECT count(*) FROM checkins") == 0
    assert await _count(db, "SELECT count(*) FROM feedback WHERE user_id = :user", user=OTHER) == 1
    assert await repo.course_for(OTHER) is not None


async def test_forget_erases_all_or_nothing(repo: CourseRepo, db: Database) -> None:
    # Found by probing: each repository erased in a transaction of its own, so a database
    # failing halfway left the rest of the patient's data while /forget said it was gone.
    course_id = await _enroll(repo)
    store = Store(db)
    await repo.record_checkin(course_id, USER, 1, "pain", NOW)
    await repo.save_conversation(USER, Conversation(Step.DATE, "UTC"), NOW)
    await store.stats.record_feedback(USER, "x", True, NOW)
    await store.alerts.enqueue(USER, -100, "<b>alert</b>", NOW)
    await store.alerts.enqueue_first(USER, 7, None, NOW)
    await store.patients.set_language(USER, "en", NOW)
    tables = (*USER_TABLES, "alerts", "patients")
    before = {t: await _count(db, f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608
    assert all(before.values()) and await _count(db, "SELECT count(*) FROM urgent_messages")
    await fail_deletes(db, "patients")  # the last to be erased
    with pytest.raises(DBAPIError, match="disk full"):
        await store.forget_user(USER)
    after = {t: await _count(db, f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608
    assert after == before
    await heal_deletes(db, "patients")
    await store.forget_user(USER)  # tried again: everything goes
    for table in (*tables, "urgent_messages"):
        assert await _count(db, f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608


async def test_purge_deletes_courses_ended_over_30_days_ago(repo: CourseRepo, db: Database) -> None:
    old = await _enroll(repo)
    recent = await _enroll(repo, OTHER)
    await repo.record_checkin(old, USER, 1, "good", NOW)
    await repo.end_course(old, EndReason.STOPPED, NOW)
    await repo.end_course(recent, EndReason.STOPPED, NOW + timedelta(days=2))
    await repo.save_conversation(3003, Conversation(Step.DATE, "UTC"), NOW)
    assert await repo.purge(NOW + timedelta(days=30)) == 0
    assert await repo.purge(NOW + timedelta(days=31)) == 1
    assert await repo.course(old) is None and await repo.course(recent) is not None
    assert await _count(db, "SELECT count(*) FROM checkins") == 0
    assert await repo.load_conversation(3003, NOW) is None


async def test_purge_also_ends_courses_paused_past_their_last_day(repo: CourseRepo) -> None:
    course_id = await _enroll(repo)
    await repo.pause(course_id)
    assert await repo.purge(NOW + timedelta(days=40)) == 0
    assert await repo.purge(NOW + timedelta(days=45)) == 1
    assert await repo.course(course_id) is None


async def test_purge_erases_a_completed_course_whose_follow_up_was_never_sent(
    repo: CourseRepo,
) -> None:
    # Found by probe22: a pending follow-up kept its course for ever. Once the FAQ has no
    # course no tick sends or skips it, so it stayed pending, and the course with it.
    course_id = await _enroll(repo)
    await repo.end_course(course_id, EndReason.COMPLETED, NOW)
    due = await repo.add_follow_up(course_id, 276, NOW)
    assert due is not None
    assert await repo.purge(due + timedelta(days=29)) == 0
    assert await repo.purge(due + timedelta(days=31)) == 1
    assert await repo.course(course_id) is None


async def test_purge_erases_a_silent_patients_language_unless_a_course_is_kept(
    repo: CourseRepo, db: Database
) -> None:
    store = Store(db, timedelta(days=90))
    await _enroll(repo)
    for user in (USER, OTHER, 3003):
        await store.patients.set_language(user, "ru", NOW)
    later = NOW + timedelta(days=60)
    assert await store.patients.language(3003, later) == "ru"  # seen: silence counts from here
    assert await store.patients.purge(NOW + timedelta(days=90)) == 0
    assert await store.patients.purge(NOW + timedelta(days=91)) == 1
    assert await column(db, "SELECT user_id FROM patients ORDER BY user_id") == [USER, 3003]


async def test_naive_times_are_refused(repo: CourseRepo) -> None:
    with pytest.raises(ValueError, match="naive"):
        await repo.claim_due(datetime(2025, 5, 20, 10), 10)  # noqa: DTZ001 - the point of the test


async def _waiting_for_a_lock(db: Database, task: asyncio.Task[object]) -> None:
    """Return once `task` waits for a row lock (or is done): a state, not a guessed delay."""
    # Polled rather than slept: on a slow machine a fixed sleep could end before the other
    # statement reached its lock, and the test would pass without testing the interleaving.
    waiting = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(6000):  # a minute at most, so a regression fails rather than hangs
        if task.done() or await scalar(db, waiting):
            return
        await asyncio.sleep(0.01)
    pytest.fail("the concurrent statement neither finished nor waited for a lock")


async def _between(
    db: Database,
    first: tuple[str, dict[str, int]],
    then: tuple[str, dict[str, int]],
    started: Callable[[], Awaitable[object]],
) -> None:
    """Run two statements in one transaction on another connection, `started` between them."""
    other = Database(db.target)
    try:
        async with other.transaction() as conn:
            await conn.execute(text(first[0]), first[1])
            task = asyncio.create_task(started())
            await _waiting_for_a_lock(db, task)
            await conn.execute(text(then[0]), then[1])
        await task  # no DeadlockDetected on either side
    finally:
        await other.close()


async def _between_a_stops_statements(
    db: Database, course_id: int, started: Callable[[], Awaitable[object]]
) -> None:
    """Run /stop's (end_course's) two statements on another connection, `started` between them."""
    await _between(
        db,
        (
            "UPDATE courses SET status = 'ended', end_reason = 'stopped' WHERE id = :id",
            {"id": course_id},
        ),
        (
            "DELETE FROM deliveries WHERE course_id = :id AND status IN ('pending', 'sending')",
            {"id": course_id},
        ),
        started,
    )


async def test_a_message_recorded_while_its_course_is_stopped_is_no_deadlock(
    repo: CourseRepo, db: Database
) -> None:
    # Found by probe20: recording a sent message locked its delivery row, then its course's;
    # /stop (end_course) locks the course, then deletes its unsent rows. At the same moment,
    # on PostgreSQL, each waited for the other until the server failed one of them.
    if not db.postgres:
        pytest.skip("SQLite has one writer at a time")
    course_id = await _enroll(repo)
    (claimed,) = await repo.claim_due(NOW, 1, "this-process")
    await _between_a_stops_statements(db, course_id, lambda: repo.mark_sent(claimed.id, 7, NOW))
    assert await _count(db, "SELECT count(*) FROM deliveries") == 0


async def test_the_purge_while_a_course_is_stopped_is_no_deadlock(
    repo: CourseRepo, db: Database
) -> None:
    # Found in review: the purge deleted a stale paused course's deliveries, then the course;
    # /stop locks the course, then deletes its unsent deliveries. At the same moment, on
    # PostgreSQL, each waited for the other until the server failed one of them.
    if not db.postgres:
        pytest.skip("SQLite has one writer at a time")
    course_id = await _enroll(repo)
    await repo.pause(course_id)
    later = NOW + timedelta(days=60)  # past the last message's day by over 30 days
    await _between_a_stops_statements(db, course_id, lambda: repo.purge(later))
    assert await _count(db, "SELECT count(*) FROM courses") == 0


async def test_forget_while_a_message_is_recorded_is_no_deadlock(
    repo: CourseRepo, db: Database
) -> None:
    # The record locks the course row, then the delivery's; /forget must take them in that
    # order too, or the two wait for each other on PostgreSQL.
    if not db.postgres:
        pytest.skip("SQLite has one writer at a time")
    course_id = await _enroll(repo)
    (claimed,) = await repo.claim_due(NOW, 1, "this-process")
    # mark_sent's statements, /forget started between them.
    await _between(
        db,
        ("SELECT id FROM courses WHERE id = :id FOR UPDATE", {"id": course_id}),
        ("UPDATE deliveries SET status = 'sent' WHERE id = :id", {"id": claimed.id}),
        lambda: Store(db).forget_user(USER),
    )
    assert await _count(db, "SELECT count(*) FROM courses") == 0
