"""The delivery tick with an injected clock and a recording sender: no network, no sleeps."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from db_support import scalar

from bot.aftercare.day_messages import DayMessages
from bot.aftercare.records import CourseStatus, EndReason
from bot.aftercare.schedule import plan_days
from bot.aftercare.status import StatusReplies
from bot.aftercare.tick import RecipientGone, RetryLater, tick
from bot.answers.loader import load_faq
from bot.instances import died_here, instance_id
from bot.locale import get_locale
from bot.messages import Reply
from bot.storage.courses import CourseRepo
from bot.storage.database import Database, DatabaseUnavailable
from bot.storage.store import Store
from bot.telegram_app.delivery import Delivery

FIXTURE = Path(__file__).parent / "fixtures" / "aftercare.yaml"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
USER = 4242


@dataclass
class Sender:
    """Records what would go to Telegram; raises what a test asks it to."""

    sent: list[tuple[int, Reply]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    async def __call__(self, chat_id: int, reply: Reply) -> int:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, reply))
        return len(self.sent)

    def titles(self) -> list[str]:
        """The titles of the sent messages, in order."""
        return [reply.title for _, reply in self.sent]


@pytest.fixture(scope="module")
def ac() -> DayMessages:
    """The day messages over the fixture FAQ."""
    kb = load_faq(FIXTURE)
    assert kb.course is not None
    return DayMessages(kb.course, get_locale("en"), kb.clinic, kb.texts.urgent)


async def _enroll(
    repo: CourseRepo,
    now: datetime,
    procedure: date,
    zone: str = "Europe/Berlin",
    at: time = time(9),
    user: int = USER,
) -> int:
    plan = plan_days(procedure, at, zone, now, 14)
    return (await repo.enroll(user, user, procedure, at, zone, plan, now)).id


def _every(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    moment = start
    while moment <= end:
        yield moment
        moment += step


async def test_today_is_sent_at_once_after_enrolment(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 22, 16, tzinfo=BERLIN)
    await _enroll(repo, now, date(2025, 5, 20))
    send = Sender()
    report = await tick(store, now.astimezone(UTC), send, ac)
    assert report.sent == 1
    assert send.sent[0][0] == USER
    assert send.titles() == ["Day 2 of 14"]  # two days after the procedure


async def test_day_fourteen_arrives_fourteen_days_after_the_procedure(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    procedure = date(2025, 5, 20)
    enrolled = datetime(2025, 5, 20, 8, tzinfo=BERLIN)  # on the procedure day
    course_id = await _enroll(repo, enrolled, procedure)
    plan = plan_days(procedure, time(9), "Europe/Berlin", enrolled, 14)
    assert plan[-1] == (14, datetime(2025, 6, 3, 9, tzinfo=BERLIN).astimezone(UTC))
    send = Sender()
    arrived: dict[str, datetime] = {}
    for now in _every(enrolled, enrolled + timedelta(days=16), timedelta(hours=1)):
        before = len(send.sent)
        await tick(store, now.astimezone(UTC), send, ac)
        for _, reply in send.sent[before:]:
            arrived[reply.title] = now
    assert arrived["Procedure day"] == enrolled
    assert arrived["Day 14 of 14"] == datetime(2025, 6, 3, 9, tzinfo=BERLIN)
    assert arrived["Day 14 of 14"].date() - procedure == timedelta(days=14)
    assert "Two weeks are over" in send.sent[-1][1].text
    assert len(send.sent) == 15
    course = await repo.course(course_id)
    assert course is not None and course.status is CourseStatus.ENDED


@pytest.mark.parametrize(
    ("zone", "procedure"),
    [
        ("Europe/Berlin", date(2025, 3, 25)),  # summer time starts on day 5
        ("Europe/Berlin", date(2025, 10, 20)),  # and ends on day 6
        ("America/New_York", date(2025, 3, 3)),  # daylight time starts on day 6
        ("America/New_York", date(2025, 10, 27)),  # and ends on day 6
    ],
)
async def test_all_15_days_once_each_at_nine_local_across_dst(
    store: Store, repo: CourseRepo, ac: DayMessages, zone: str, procedure: date
) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(procedure, time(7), tzinfo=tz)
    await _enroll(repo, start, procedure, zone)
    send = Sender()
    sent_at: list[datetime] = []
    for now in _every(start, start + timedelta(days=16), timedelta(minutes=15)):
        before = len(send.sent)
        await tick(store, now.astimezone(UTC), send, ac)
        sent_at += [now.astimezone(tz)] * (len(send.sent) - before)
    assert send.titles() == ["Procedure day", *(f"Day {d} of 14" for d in range(1, 15))]
    assert sent_at[0] == start  # day 0 right after enrolment
    for day, moment in enumerate(sent_at[1:], start=1):
        assert moment.date() == procedure + timedelta(days=day)
        assert moment.time() == time(9)
    assert await repo.course_for(USER) is None  # completed


async def test_enrolment_late_in_the_evening(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    late = datetime(2025, 5, 20, 23, 40, tzinfo=NEW_YORK)  # already 21 May in UTC
    await _enroll(repo, late, date(2025, 5, 20), "America/New_York")
    send = Sender()
    await tick(store, late.astimezone(UTC), send, ac)
    await tick(store, datetime(2025, 5, 21, 8, 59, tzinfo=NEW_YORK).astimezone(UTC), send, ac)
    assert send.titles() == ["Procedure day"]
    await tick(store, datetime(2025, 5, 21, 9, 0, tzinfo=NEW_YORK).astimezone(UTC), send, ac)
    assert send.titles() == ["Procedure day", "Day 1 of 14"]


async def test_a_late_evening_message_goes_at_the_first_tick_after_it_however_long_the_tick(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Found by probe25: with SOFTLIFT_TICK_SECONDS=3600, a message due at 23:30 was not due
    # at the 23:00 tick, and at the midnight tick its local day had passed: every day of the
    # course was skipped.
    enrolled = datetime(2025, 5, 20, 10, tzinfo=BERLIN)
    await _enroll(repo, enrolled, date(2025, 5, 20), at=time(23, 30))
    clock = [enrolled]
    send = Sender()
    delivery = Delivery(store, send, lambda: clock[0], lambda: ac)
    for moment in _every(enrolled, datetime(2025, 5, 24, 1, tzinfo=BERLIN), timedelta(hours=1)):
        clock[0] = moment
        delivery.kick()
        await delivery.idle()
    assert send.titles() == ["Procedure day", *(f"Day {d} of 14" for d in range(1, 4))]


async def test_restart_sends_todays_late_message_and_skips_a_past_day(
    store: Store, repo: CourseRepo, ac: DayMessages, caplog: pytest.LogCaptureFixture
) -> None:
    enrolled = datetime(2025, 5, 20, 8, tzinfo=BERLIN)
    await _enroll(repo, enrolled, date(2025, 5, 20))
    send = Sender()
    await tick(store, enrolled.astimezone(UTC), send, ac)
    # The bot is down from day 0 until 22:00 on day 1: day 1 is still today, so it goes late.
    await tick(store, datetime(2025, 5, 21, 22, tzinfo=BERLIN).astimezone(UTC), send, ac)
    assert send.titles() == ["Procedure day", "Day 1 of 14"]
    # Down again until 10:00 on day 3: day 2 has passed and is skipped, day 3 goes.
    with caplog.at_level(logging.INFO, logger="bot.aftercare.tick"):
        report = await tick(
            store, datetime(2025, 5, 23, 10, tzinfo=BERLIN).astimezone(UTC), send, ac
        )
    assert (report.sent, report.skipped) == (1, 1)
    assert send.titles()[-1] == "Day 3 of 14"
    assert "day 2" in caplog.text and "local day has passed" in caplog.text
    assert "note" not in caplog.text.lower()  # ids only, no message text


async def test_pause_and_resume(store: Store, repo: CourseRepo, ac: DayMessages) -> None:
    enrolled = datetime(2025, 5, 20, 8, tzinfo=BERLIN)
    course_id = await _enroll(repo, enrolled, date(2025, 5, 20))
    send = Sender()
    await tick(store, enrolled.astimezone(UTC), send, ac)
    await repo.pause(course_id)
    for day in (21, 22):
        await tick(store, datetime(2025, 5, day, 9, tzinfo=BERLIN).astimezone(UTC), send, ac)
    assert send.titles() == ["Procedure day"]
    await repo.resume(course_id)
    report = await tick(store, datetime(2025, 5, 22, 11, tzinfo=BERLIN).astimezone(UTC), send, ac)
    assert (report.sent, report.skipped) == (1, 1)  # day 2 still today; day 1 is over
    assert send.titles() == ["Procedure day", "Day 2 of 14"]


async def test_stop_sends_nothing_more(store: Store, repo: CourseRepo, ac: DayMessages) -> None:
    enrolled = datetime(2025, 5, 20, 8, tzinfo=BERLIN)
    course_id = await _enroll(repo, enrolled, date(2025, 5, 20))
    await repo.end_course(course_id, EndReason.STOPPED, enrolled)
    send = Sender()
    for now in _every(enrolled, enrolled + timedelta(days=15), timedelta(hours=6)):
        await tick(store, now.astimezone(UTC), send, ac)
    assert send.sent == []


async def test_a_blocked_bot_ends_the_course(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    enrolled = datetime(2025, 5, 20, 8, tzinfo=UTC)
    course_id = await _enroll(repo, enrolled, date(2025, 5, 20))
    report = await tick(store, enrolled, Sender(failures=[RecipientGone()]), ac)
    assert report.ended == 1
    course = await repo.course(course_id)
    assert course is not None and course.status is CourseStatus.ENDED
    send = Sender()
    await tick(store, enrolled + timedelta(days=2), send, ac)
    assert send.sent == []


async def test_a_burst_of_429s_loses_nothing(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    for user in range(20):
        await _enroll(repo, now, date(2025, 5, 20), user=user)
    send = Sender(failures=[RetryLater(3) for _ in range(15)])
    report = await tick(store, now, send, ac)
    assert (report.sent, report.retried) == (5, 15)
    # The rate-limited rows wait for a later tick instead of being hammered again now.
    again = await tick(store, now + timedelta(seconds=2), send, ac)
    assert again.sent == 0
    await tick(store, now + timedelta(seconds=3), send, ac)
    assert sorted(chat for chat, _ in send.sent) == list(range(20))


async def test_an_unexpected_error_is_retried_by_a_later_tick(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    await _enroll(repo, now, date(2025, 5, 20))
    send = Sender(failures=[OSError("network down")])
    assert (await tick(store, now, send, ac)).retried == 1
    assert (await tick(store, now + timedelta(minutes=1), send, ac)).sent == 1


async def test_claims_of_a_killed_process_are_taken_over_when_the_lease_runs_out(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    for user in range(3):
        await _enroll(repo, now, date(2025, 5, 20), user=user)
    # The killed process had claimed two rows but never sent them.
    await repo.claim_due(now, 2, "dead-process", timedelta(minutes=5))
    send = Sender()
    await tick(store, now, send, ac, owner="new-process")
    assert len(send.sent) == 1
    # A second process running meanwhile (a rolling deploy) leaves live claims alone ...
    await tick(store, now + timedelta(minutes=4), send, ac, owner="new-process")
    assert len(send.sent) == 1
    # ... and takes them over once their lease has run out.
    await tick(store, now + timedelta(minutes=5, seconds=1), send, ac, owner="new-process")
    assert sorted(chat for chat, _ in send.sent) == [0, 1, 2]


async def test_a_claim_naming_this_host_and_pid_with_another_token_waits_for_its_lease(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Two containers sharing the host's network share its name, and each is pid 1: a claim
    # naming this host and pid may be a live sibling's, so it waits out its lease (as after a
    # container's restart) rather than be sent twice.
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    await _enroll(repo, now, date(2025, 5, 20))
    sibling = f"{socket.gethostname()}:{os.getpid()}:0badcafe"
    await repo.claim_due(now, 1, sibling, timedelta(minutes=5))
    send = Sender()
    await tick(store, now + timedelta(seconds=5), send, ac, owner=instance_id())
    assert send.sent == []
    assert not died_here(sibling)
    await tick(store, now + timedelta(minutes=6), send, ac, owner=instance_id())
    assert len(send.sent) == 1


async def test_two_processes_on_one_database_never_send_a_day_twice(
    store: Store, repo: CourseRepo, ac: DayMessages, tmp_path: Path
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    for user in range(300):
        await _enroll(repo, now, date(2025, 5, 20), user=user)
    other = Store(Database(store.db.target))  # a second process's connection
    send = Sender()
    first = tick(store, now, send, ac, owner="old", batch=20)
    second = tick(other, now + timedelta(seconds=1), send, ac, owner="new", batch=20)
    await asyncio.gather(first, second)
    await other.close()
    chats = [chat for chat, _ in send.sent]
    assert sorted(chats) == list(range(300))


async def test_many_patients_in_several_batches(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    for user in range(250):
        await _enroll(repo, now, date(2025, 5, 20), user=user)
    send = Sender()
    report = await tick(store, now, send, ac, batch=40, concurrency=5)
    assert report.sent == 250
    assert sorted(chat for chat, _ in send.sent) == list(range(250))
    assert (await tick(store, now, send, ac)).sent == 0


async def test_tick_purges_old_courses(store: Store, repo: CourseRepo, ac: DayMessages) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    course_id = await _enroll(repo, now, date(2025, 5, 20))
    await repo.end_course(course_id, EndReason.STOPPED, now)
    report = await tick(store, now + timedelta(days=31), Sender(), ac)
    assert report.purged == 1 and await repo.course(course_id) is None


async def test_the_follow_up_message_months_later(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    course_id = await _enroll(repo, now, date(2025, 5, 20))
    await repo.add_follow_up(course_id, 276, now)  # 20 February 2026: 276 days after 20 May 2025
    send = Sender()
    await tick(store, now, send, ac)
    await tick(store, datetime(2026, 2, 20, 9, tzinfo=BERLIN).astimezone(UTC), send, ac)
    assert send.sent[-1][1].text == "Time for a follow-up visit: https://example.com/book"


async def test_days_planned_before_a_reload_shortened_the_course_are_skipped(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Found by probe20: a clinic's /reload took the course from 14 days to 10; a course
    # planned for 14 got "Day 10 of 10" (and its follow-up button) five times, days 10 to 14,
    # and its status named a next message that was day 10's again.
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    course_id = await _enroll(repo, now, date(2025, 5, 20))
    course = ac.course
    shorter = DayMessages(
        replace(course, days=10, daily=course.daily[:11]), ac.locale, ac.clinic, ac.urgent_text
    )
    send = Sender()
    for day in range(11):
        await tick(store, now + timedelta(days=day, hours=1), send, shorter)
    assert send.titles()[-1] == "Day 10 of 10"
    running = await repo.course(course_id)
    assert running is not None
    status = StatusReplies(10, get_locale("en")).status(running, now + timedelta(days=10, hours=2))
    assert "Next message" not in status.text
    for day in range(11, 16):
        await tick(store, now + timedelta(days=day, hours=1), send, shorter)
    assert send.titles().count("Day 10 of 10") == 1 and len(send.sent) == 11
    ended = await repo.course(course_id)
    assert ended is not None and ended.end_reason is EndReason.COMPLETED


async def test_a_follow_up_due_while_the_bot_was_down_comes_when_it_is_back(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Found by probe20: the reminder asked for 9 months before was skipped for good when the
    # bot was down on its date (a weekend), like a day's message whose day has passed.
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    course_id = await _enroll(repo, now, date(2025, 5, 20))
    await repo.add_follow_up(course_id, 276, now)  # 20 February 2026
    send = Sender()
    await tick(store, now, send, ac)
    back = datetime(2026, 2, 23, 10, tzinfo=BERLIN).astimezone(UTC)  # the Monday after
    await tick(store, back, send, ac)
    assert send.sent[-1][1].text == "Time for a follow-up visit: https://example.com/book"
    # A week and more late it is no reminder any more.
    other = await _enroll(repo, now, date(2025, 5, 20), user=USER + 1)
    await repo.add_follow_up(other, 276, now)
    report = await tick(store, back + timedelta(days=8), send, ac)
    assert report.skipped >= 1 and send.sent[-1][0] == USER


async def test_naive_now_is_refused(store: Store, repo: CourseRepo, ac: DayMessages) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await tick(store, datetime(2025, 5, 20, 7), Sender(), ac)  # noqa: DTZ001 - on purpose


async def test_purge_can_wait_for_a_later_tick(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    course_id = await _enroll(repo, now, date(2025, 5, 20))
    await repo.end_course(course_id, EndReason.STOPPED, now)
    report = await tick(store, now + timedelta(days=31), Sender(), ac, purge=False)
    assert report.purged == 0 and await repo.course(course_id) is not None


async def test_a_stopping_tick_ends_after_the_batch_in_flight(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    for user in range(30):
        await _enroll(repo, now, date(2025, 5, 20), user=user)
    stopping = asyncio.Event()
    send = Sender()

    async def stop_after_first(chat_id: int, reply: Reply) -> int:
        stopping.set()
        return await send(chat_id, reply)

    report = await tick(store, now, stop_after_first, ac, batch=10, stopping=stopping)
    assert report.sent == 10  # the claimed batch finishes; nothing is left claimed
    assert len(await repo.claim_due(now, 100)) == 20


async def test_a_database_lost_after_the_send_loses_no_message(
    store: Store, repo: CourseRepo, ac: DayMessages, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    await _enroll(repo, now, date(2025, 5, 20))
    real_mark_sent = CourseRepo.mark_sent

    async def database_away(self: CourseRepo, *args: object) -> None:
        raise DatabaseUnavailable("cannot reach the database")

    monkeypatch.setattr(CourseRepo, "mark_sent", database_away)
    send = Sender()
    with pytest.raises(ExceptionGroup):
        await tick(store, now, send, ac, owner="this-process")
    monkeypatch.setattr(CourseRepo, "mark_sent", real_mark_sent)
    # The message went out but its record did not: the claim stays until its lease ends,
    # then the day goes again. A repeat, never a loss.
    await tick(store, now + timedelta(minutes=4), send, ac, owner="this-process")
    assert len(send.sent) == 1
    await tick(store, now + timedelta(minutes=5, seconds=1), send, ac, owner="this-process")
    assert [chat for chat, _ in send.sent] == [USER, USER]
    assert await repo.claim_due(now + timedelta(minutes=6), 10) == []


async def test_a_record_failing_for_one_message_leaves_the_batchs_other_sends_alone(
    store: Store, repo: CourseRepo, ac: DayMessages, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by probe20: one message's record failing (a deadlock with that patient's /stop on
    # PostgreSQL, a dropped connection) cancelled the batch's other sends in flight; those
    # that had reached Telegram kept their claims unrecorded and went again after the lease.
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    for user in range(3):
        await _enroll(repo, now, date(2025, 5, 20), user=user)
    real_mark_sent = CourseRepo.mark_sent
    delivered: list[int] = []

    async def first_record_fails(self: CourseRepo, delivery_id: int, *args: Any) -> None:
        if not delivered:
            delivered.append(delivery_id)
            await asyncio.sleep(0.02)  # the batch's other messages reach Telegram meanwhile
            raise DatabaseUnavailable("deadlock detected")
        await real_mark_sent(self, delivery_id, *args)

    async def slow_but_for_the_first(chat_id: int, reply: Reply) -> int:
        message_id = await send(chat_id, reply)
        if chat_id != 0:
            await asyncio.sleep(0.2)  # delivered, its answer still on the way
        return message_id

    monkeypatch.setattr(CourseRepo, "mark_sent", first_record_fails)
    send = Sender()
    with pytest.raises(ExceptionGroup):  # the tick still ends: the next one tries again
        await tick(store, now, slow_but_for_the_first, ac, owner="this-process")
    assert sorted(chat for chat, _ in send.sent) == [0, 1, 2]
    # Only the message whose record failed goes again, once its lease has run out.
    await tick(store, now + timedelta(minutes=5, seconds=1), send, ac, owner="this-process")
    assert sorted(chat for chat, _ in send.sent) == [0, 0, 1, 2]


async def test_a_long_tick_keeps_its_claims_alive_for_another_instance(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # One instance works through a backlog for longer than a lease; another starts a tick
    # meanwhile. Found by bench_instances: leases taken from the tick's start time had run out
    # while their messages were still being sent, and the other instance sent them again.
    start = datetime(2025, 5, 20, 7, tzinfo=UTC)
    for user in range(150):
        await _enroll(repo, start, date(2025, 5, 20), user=user)
    clock = [start]
    other = Store(Database(store.db.target))
    others = Sender()

    async def slow_send(chat_id: int, reply: Reply) -> int:
        clock[0] += timedelta(seconds=3)  # 100 messages: five minutes
        if len(first.sent) == 120:
            await tick(other, clock[0], others, ac, owner="instance-b", purge=False)
        return await first(chat_id, reply)

    first = Sender()
    await tick(
        store, start, slow_send, ac, owner="instance-a", concurrency=1, clock=lambda: clock[0]
    )
    await other.close()
    assert others.sent == []
    assert sorted(chat for chat, _ in first.sent) == list(range(150))


async def test_stop_forget_and_pause_hold_a_message_already_claimed(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Found by probing the running bot: after "/forget ... no more messages", that day's
    # message, claimed a moment before in the same batch, still arrived.
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    courses = [await _enroll(repo, now, date(2025, 5, 20), user=user) for user in range(10)]
    sent = Sender()

    async def send(chat_id: int, reply: Reply) -> int:
        if not sent.sent:  # while the first goes out, three patients change their minds
            await repo.end_course(courses[5], EndReason.STOPPED, now)
            await store.forget_user(6)
            await repo.pause(courses[7])
        return await sent(chat_id, reply)

    report = await tick(store, now, send, ac, concurrency=1)
    assert sorted(chat for chat, _ in sent.sent) == [0, 1, 2, 3, 4, 8, 9]
    assert report.dropped == 3
    await repo.resume(courses[7])
    await tick(store, now + timedelta(minutes=1), sent, ac)
    assert sorted(chat for chat, _ in sent.sent) == [0, 1, 2, 3, 4, 7, 8, 9]


async def _handed_over(
    store: Store,
    ac: DayMessages,
    late_outcome: Exception | None,
    taker_outcome: Exception | None,
    late_answers_first: bool = True,
) -> Sender:
    """Instance a's send outlasts its lease and b takes the claim over; a's answer comes back
    while b sends, or after b is done. Each outcome None when sent. What reached the patient."""
    now = datetime(2025, 5, 20, 7, tzinfo=UTC)
    await _enroll(store.courses, now, date(2025, 5, 20))
    delivered = Sender()
    a_sending, b_sending = asyncio.Event(), asyncio.Event()
    a_done, b_done = asyncio.Event(), asyncio.Event()

    async def late(chat_id: int, reply: Reply) -> int:
        a_sending.set()
        await (b_sending if late_answers_first else b_done).wait()
        if late_outcome is not None:
            raise late_outcome
        return await delivered(chat_id, reply)

    async def taker(chat_id: int, reply: Reply) -> int:
        b_sending.set()
        if late_answers_first:
            await a_done.wait()
        if taker_outcome is not None:
            raise taker_outcome
        return await delivered(chat_id, reply)

    async def instance_a() -> None:
        try:
            await tick(store, now, late, ac, owner="instance-a", purge=False)
        finally:
            a_done.set()

    async def instance_b() -> None:
        await a_sending.wait()
        later = now + timedelta(minutes=5, seconds=1)  # a's lease has run out
        try:
            await tick(other, later, taker, ac, owner="instance-b", purge=False)
        finally:
            b_done.set()

    other = Store(Database(store.db.target))
    try:
        await asyncio.gather(instance_a(), instance_b())
    finally:
        await other.close()
    # Every later tick, after any wait has run out.
    await tick(store, now + timedelta(minutes=10), delivered, ac, owner="instance-c")
    return delivered


async def test_a_late_retry_leaves_the_claim_another_instance_took_over(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Found by probe25: a's retry, recorded after its lease had passed to b, put b's claim
    # back; b's record of the message it sent then found nothing to record, and the day went
    # again at the next tick.
    delivered = await _handed_over(store, ac, late_outcome=RetryLater(1), taker_outcome=None)
    assert [chat for chat, _ in delivered.sent] == [USER]
    assert await repo.claim_due(datetime(2025, 5, 20, 8, tzinfo=UTC), 10) == []


async def test_a_late_send_is_recorded_when_the_instance_that_took_it_over_put_it_back(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Found by probe25: a's message went, but its record came after its lease had passed to b,
    # whose own send failed and put it back: a's record found no claim, and the day went twice.
    delivered = await _handed_over(
        store, ac, late_outcome=None, taker_outcome=RetryLater(1), late_answers_first=False
    )
    assert [chat for chat, _ in delivered.sent] == [USER]


async def test_a_late_send_leaves_the_record_to_the_instance_holding_the_claim(
    store: Store, repo: CourseRepo, ac: DayMessages
) -> None:
    # Found by probe25: a's record, after its lease had passed to b, finished b's claim with
    # a's message id; b's record of what it sent found nothing to record.
    delivered = await _handed_over(store, ac, late_outcome=None, taker_outcome=None)
    assert len(delivered.sent) == 2  # both were in flight: b's claim was a's lease run out
    # The record is the holder's: the message id of b's send (a's was the first sent).
    assert await scalar(store.db, "SELECT message_id FROM deliveries WHERE day = 0") == 2
