"""Aftercare use cases over a real database: what the Telegram handlers will call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.aftercare import (
    CANCEL,
    CHANGE_TIME,
    PAUSE,
    PICK_TIME,
    RESUME,
    STOP,
    Aftercare,
    CourseStatus,
    StaffAlert,
    Step,
)
from bot.aftercare_service import AftercareService, Patient, Response
from bot.knowledge import load_faq
from bot.replies import Reply
from bot.scheduler import tick
from bot.storage.courses import CourseRepo
from bot.storage.database import Database

FIXTURE = Path(__file__).parent / "fixtures" / "aftercare.yaml"
NOW = datetime(2025, 5, 20, 10, tzinfo=UTC)  # 12:00 in Berlin, the clinic's zone
ME = Patient(77, 77)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[CourseRepo]:
    """A repository over a fresh database file."""
    db = Database(tmp_path / "bot.db")
    yield CourseRepo(db)
    db.close()


@pytest.fixture
def service(repo: CourseRepo) -> AftercareService:
    """The service over the fixture course."""
    return AftercareService(repo, Aftercare(load_faq(FIXTURE)))


def _press(response: Response, label: str) -> str:
    return next(
        b.data for r in response.replies for row in r.buttons for b in row if b.label == label
    )


class Inbox:
    """Collects what the tick sends."""

    def __init__(self) -> None:
        self.messages: list[Reply] = []

    async def __call__(self, chat_id: int, reply: Reply) -> int:
        self.messages.append(reply)
        return len(self.messages)


async def _enrol(service: AftercareService, now: datetime = NOW) -> Response:
    first = await service.open(ME, now)
    chosen = await service.button(ME, _press(first, "Yesterday"), now)
    return await service.button(ME, _press(chosen, "Morning 09:00"), now)


async def test_enrol_with_buttons_then_day_two_comes_at_once(
    service: AftercareService, repo: CourseRepo
) -> None:
    done = await _enrol(service)
    assert done.deliver_now and "day 2 of 14" in done.replies[0].text
    inbox = Inbox()
    await tick(repo, NOW, inbox, service.aftercare)
    assert [m.title for m in inbox.messages] == ["Day 2 of 14"]
    assert repo.load_conversation(ME.user_id, NOW) is None


async def test_enrol_with_a_typed_date_survives_a_restart(
    service: AftercareService, tmp_path: Path
) -> None:
    await service.open(ME, NOW)
    refused = await service.text(ME, "2025/05/18", NOW)
    assert refused is not None and "DD.MM.YYYY" in refused.replies[0].text
    await service.text(ME, "18.05.2025", NOW)
    # A restart: a new database connection and service read the open question back.
    db = Database(tmp_path / "bot.db")
    restarted = AftercareService(CourseRepo(db), service.aftercare)
    state = restarted.repo.load_conversation(ME.user_id, NOW)
    assert state is not None and state.step is Step.TIME
    done = await restarted.text(ME, "08:15", NOW)
    assert done is not None and done.deliver_now
    course = restarted.repo.course_for(ME.user_id)
    assert course is not None
    assert (course.procedure_date, course.send_time) == (date(2025, 5, 18), time(8, 15))
    db.close()


async def test_text_without_an_open_question_is_not_ours(service: AftercareService) -> None:
    assert await service.text(ME, "does it hurt?", NOW) is None


async def test_a_red_flag_is_left_to_the_urgent_path_and_the_question_stays(
    service: AftercareService, repo: CourseRepo
) -> None:
    await service.open(ME, NOW)
    assert await service.text(ME, "I have blurred vision", NOW) is None
    state = repo.load_conversation(ME.user_id, NOW)
    assert state is not None and state.step is Step.DATE


async def test_cancel_and_timezone(service: AftercareService, repo: CourseRepo) -> None:
    await service.open(ME, NOW)
    zone = await service.timezone(ME, NOW)
    assert "Europe/Berlin" in zone.replies[0].text
    back = await service.text(ME, "America/New_York", NOW)
    assert back is not None and "When was your procedure?" in back.replies[0].text
    cancelled = await service.button(ME, CANCEL, NOW)
    assert "Cancelled" in cancelled.replies[0].text
    assert repo.load_conversation(ME.user_id, NOW) is None
    assert "nothing to cancel" in (await service.cancel(ME, NOW)).replies[0].text


async def test_status_pause_resume_change_time_and_stop(
    service: AftercareService, repo: CourseRepo
) -> None:
    await _enrol(service)
    status = await service.open(ME, NOW + timedelta(hours=1))
    assert "day 2 of 14" in status.replies[0].text
    await service.button(ME, PAUSE, NOW)
    course = repo.course_for(ME.user_id)
    assert course is not None and course.status is CourseStatus.PAUSED
    resumed = await service.button(ME, RESUME, NOW)
    assert "Resumed" in resumed.replies[0].text
    asked = await service.button(ME, CHANGE_TIME, NOW)
    assert PICK_TIME + "1900" in [b.data for row in asked.replies[0].buttons for b in row]
    await service.button(ME, PICK_TIME + "1900", NOW)
    course = repo.course_for(ME.user_id)
    assert course is not None and course.send_time == time(19)
    stopped = await service.button(ME, STOP, NOW)
    assert "Stopped" in stopped.replies[0].text
    assert repo.course_for(ME.user_id) is None
    assert "not signed up" in (await service.stop(ME, NOW)).replies[0].text


async def test_checkins_reply_and_worrying_alerts_the_staff_once(
    service: AftercareService, repo: CourseRepo
) -> None:
    await _enrol(service)
    inbox = Inbox()
    await tick(repo, NOW, inbox, service.aftercare)
    day_message = Response((inbox.messages[0],))
    good = await service.button(ME, _press(day_message, "Bruising"), NOW)
    assert good.replies[0].text == "Arnica cream helps." and good.alert is None
    worrying = _press(day_message, "Something worrying")
    first = await service.button(ME, worrying, NOW)
    course = repo.course_for(ME.user_id)
    assert course is not None
    assert first.alert == StaffAlert(ME.user_id, course.id, 2, "Something worrying")
    assert "Contact your treating doctor now" in first.replies[0].text
    again = await service.button(ME, worrying, NOW)
    assert again.alert is None and "Contact your treating doctor" in again.replies[0].text
    stranger = await service.button(Patient(5, 5), worrying, NOW)
    assert "out of date" in stranger.replies[0].text
    assert [(c.day, c.answer) for c in repo.checkin_stats()] == [(2, "bruising"), (2, "worrying")]


async def test_follow_up_button_after_the_last_day(
    service: AftercareService, repo: CourseRepo
) -> None:
    await _enrol(service)
    inbox = Inbox()
    for offset in range(14):
        await tick(repo, NOW + timedelta(days=offset), inbox, service.aftercare)
    assert inbox.messages[-1].title == "Day 14 of 14"
    assert repo.course_for(ME.user_id) is None  # completed
    done = await service.button(
        ME, _press(Response((inbox.messages[-1],)), "Remind me about a follow-up visit"), NOW
    )
    assert "19.02.2026" in done.replies[0].text  # 9 months after 19 May 2025
    course = repo.course_for(ME.user_id)
    assert course is not None and course.follow_up_due is not None


async def test_forget_leaves_nothing(service: AftercareService, repo: CourseRepo) -> None:
    await _enrol(service)
    repo.forget_user(ME.user_id)
    assert repo.course_for(ME.user_id) is None
    assert repo.checkin_stats() == []
    inbox = Inbox()
    await tick(repo, NOW + timedelta(days=1), inbox, service.aftercare)
    assert inbox.messages == []
