"""Aftercare use cases over a real database: what the Telegram handlers will call."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from db_support import scalar

from bot import buttons
from bot.aftercare.conversation import Step
from bot.aftercare.records import CourseStatus, EndReason, StaffAlert
from bot.aftercare.service import CourseService, Patient, Response
from bot.aftercare.tick import RetryLater, tick
from bot.answers.loader import load_faq
from bot.buttons import CourseAction
from bot.messages import Reply
from bot.storage.courses import CourseRepo
from bot.storage.database import Database
from bot.storage.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "aftercare.yaml"
NOW = datetime(2025, 5, 20, 10, tzinfo=UTC)  # 12:00 in Berlin, the clinic's zone
# The day the follow-up reminder asked for on day 14 is due (9 months after the procedure).
REMINDER = NOW.replace(year=2026, month=2, day=19, hour=8)
ME = Patient(77, 77)


@pytest.fixture
def service(store: Store) -> CourseService:
    """The service over the fixture course."""
    return CourseService(store, load_faq(FIXTURE))


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


async def _enrol(service: CourseService, now: datetime = NOW) -> Response:
    first = await service.open(ME, now)
    chosen = await service.press(ME, _press(first, "Yesterday"), now)
    return await service.press(ME, _press(chosen, "Morning 09:00"), now)


async def _enrol_and_receive(
    service: CourseService, inbox: Inbox, days: int, now: datetime = NOW
) -> None:
    """Enrol on `now` and receive the course's first `days` days (day 1 is that day)."""
    await _enrol(service, now)
    for offset in range(days):
        await tick(service.store, now + timedelta(days=offset), inbox, service.messages)


async def _first_day_message(service: CourseService) -> Response:
    """Enrol, then the first day's message the tick sends, with its check-in buttons."""
    await _enrol(service)
    inbox = Inbox()
    await tick(service.store, NOW, inbox, service.messages)
    return Response((inbox.messages[0],))


async def test_enrol_with_buttons_then_day_one_comes_at_once(
    service: CourseService, repo: CourseRepo
) -> None:
    done = await _enrol(service)  # the procedure was yesterday: today is day 1
    assert done.deliver_now and "day 1 of 14" in done.replies[0].text
    inbox = Inbox()
    await tick(service.store, NOW, inbox, service.messages)
    assert [m.title for m in inbox.messages] == ["Day 1 of 14"]
    assert await repo.load_conversation(ME.user_id, NOW) is None


async def test_enrol_with_a_typed_date_survives_a_restart(
    service: CourseService, tmp_path: Path
) -> None:
    await service.open(ME, NOW)
    refused = await service.text(ME, "2025/05/18", NOW)
    assert refused is not None and "DD.MM.YYYY" in refused.replies[0].text
    await service.text(ME, "18.05.2025", NOW)
    # A restart: a new database connection and service read the open question back.
    again = Store(Database(service.store.db.target))
    restarted = CourseService(again, load_faq(FIXTURE))
    state = await restarted.repo.load_conversation(ME.user_id, NOW)
    assert state is not None and state.step is Step.TIME
    done = await restarted.text(ME, "08:15", NOW)
    assert done is not None and done.deliver_now
    course = await restarted.repo.course_for(ME.user_id)
    assert course is not None
    assert (course.procedure_date, course.send_time) == (date(2025, 5, 18), time(8, 15))
    await again.close()


async def test_text_without_an_open_question_is_not_ours(service: CourseService) -> None:
    assert await service.text(ME, "does it hurt?", NOW) is None


async def test_a_typed_checkin_answer_counts_like_its_button(
    service: CourseService, repo: CourseRepo
) -> None:
    # Patients answer "how do you feel today?" in words; "all good" got an answer about
    # something else and "Something worrying" no alert. Found by probing the running bot.
    assert await service.text(ME, "All good", NOW) is None  # not enrolled: the FAQ's to answer
    await _enrol(service)
    good = await service.text(ME, "all good!", NOW)
    assert good is not None and good.replies[0].text == "Glad to hear it." and good.alert is None
    said = await service.text(ME, "I'm fine 😊", NOW)
    assert said is not None and said.replies[0].text == "Glad to hear it."
    worrying = await service.text(ME, "something worrying", NOW)
    course = await repo.course_for(ME.user_id)
    assert course is not None and worrying is not None
    assert worrying.alert == StaffAlert(ME.user_id, course.id, 1, "Something worrying")
    assert "Contact your treating doctor now" in worrying.replies[0].text
    assert await service.text(ME, "is all good normal for day 2?", NOW) is None
    assert await service.text(ME, "fine?", NOW) is None  # a question, not an answer
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [(1, "good"), (1, "worrying")]


async def test_cancel_and_timezone(service: CourseService, repo: CourseRepo) -> None:
    await service.open(ME, NOW)
    zone = await service.timezone(ME, NOW)
    assert "Europe/Berlin" in zone.replies[0].text
    back = await service.text(ME, "America/New_York", NOW)
    assert back is not None and "When was your procedure?" in back.replies[0].text
    cancelled = await service.press(ME, buttons.cancel(), NOW)
    assert "Cancelled" in cancelled.replies[0].text
    assert await repo.load_conversation(ME.user_id, NOW) is None
    assert "nothing to cancel" in (await service.cancel(ME, NOW)).replies[0].text


async def test_status_pause_resume_change_time_and_stop(
    service: CourseService, repo: CourseRepo
) -> None:
    await _enrol(service)
    status = await service.open(ME, NOW + timedelta(hours=1))
    assert "day 1 of 14" in status.replies[0].text
    await service.press(ME, buttons.course(CourseAction.PAUSE), NOW)
    course = await repo.course_for(ME.user_id)
    assert course is not None and course.status is CourseStatus.PAUSED
    resumed = await service.press(ME, buttons.course(CourseAction.RESUME), NOW)
    assert "Resumed" in resumed.replies[0].text
    asked = await service.press(ME, buttons.course(CourseAction.CHANGE_TIME), NOW)
    assert buttons.pick_time(time(19)) in [b.data for row in asked.replies[0].buttons for b in row]
    await service.press(ME, buttons.pick_time(time(19)), NOW)
    course = await repo.course_for(ME.user_id)
    assert course is not None and course.send_time == time(19)
    stopped = await service.press(ME, buttons.course(CourseAction.STOP), NOW)
    assert "Stopped" in stopped.replies[0].text
    assert await repo.course_for(ME.user_id) is None
    assert "not signed up" in (await service.stop(ME, NOW)).replies[0].text


async def test_resuming_after_days_away_shows_the_next_message_that_will_go(
    service: CourseService,
) -> None:
    # Paused on 20.05, resumed on 23.05 at noon: the days missed meanwhile are skipped by the
    # tick, so the next message is today's, at once. It said "Wed 21.05" (found by probing).
    await _enrol(service)
    await service.press(ME, buttons.course(CourseAction.PAUSE), NOW)
    later = NOW + timedelta(days=3)
    resumed = await service.press(ME, buttons.course(CourseAction.RESUME), later)
    assert "Next message: Fri 23.05, 12:00 (Europe/Berlin)" in resumed.replies[0].text
    evening = await service.open(ME, later + timedelta(hours=8))  # today's still goes, at once
    assert "Next message: Fri 23.05, 20:00" in evening.replies[0].text


async def test_checkins_reply_and_worrying_alerts_the_staff_once(
    service: CourseService, repo: CourseRepo
) -> None:
    day_message = await _first_day_message(service)
    good = await service.press(ME, _press(day_message, "Bruising"), NOW)
    assert good.replies[0].text == "Arnica cream helps." and good.alert is None
    worrying = _press(day_message, "Something worrying")
    first = await service.press(ME, worrying, NOW)
    course = await repo.course_for(ME.user_id)
    assert course is not None
    assert first.alert == StaffAlert(ME.user_id, course.id, 1, "Something worrying")
    assert "Contact your treating doctor now" in first.replies[0].text
    again = await service.press(ME, worrying, NOW)
    assert again.alert is None and "Contact your treating doctor" in again.replies[0].text
    # Someone else's button: the advice, an alert about who pressed it, and nothing recorded.
    stranger = await service.press(Patient(5, 5), worrying, NOW)
    assert "Contact your treating doctor now" in stranger.replies[0].text
    assert stranger.alert == StaffAlert(5, None, None, "Something worrying")
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [
        (1, "bruising"),
        (1, "worrying"),
    ]


async def test_follow_up_button_after_the_last_day(
    service: CourseService, repo: CourseRepo
) -> None:
    inbox = Inbox()
    await _enrol_and_receive(service, inbox, 14)
    assert inbox.messages[-1].title == "Day 14 of 14"
    assert await repo.course_for(ME.user_id) is None  # completed
    done = await service.press(
        ME, _press(Response((inbox.messages[-1],)), "Remind me about a follow-up visit"), NOW
    )
    assert "19.02.2026" in done.replies[0].text  # 9 months after 19 May 2025
    # The finished course stays finished: no "day 14 of 14" status for months.
    assert await repo.course_for(ME.user_id) is None
    assert "When was your procedure?" in (await service.open(ME, NOW)).replies[0].text


async def test_a_follow_up_press_forged_before_the_last_day_is_stale(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probe21: the follow-up is offered on the last day only, yet a press forged with
    # one's own course id on day 1 set the reminder, months ahead, for a course just begun.
    inbox = Inbox()
    await _enrol_and_receive(service, inbox, 1)
    course = await repo.course_for(ME.user_id)
    assert course is not None
    done = await service.press(ME, buttons.follow_up(course.id), NOW + timedelta(days=1))
    assert done.replies[0].text.startswith("Sorry, that button is out of date")
    follow_ups = "SELECT count(*) FROM deliveries WHERE kind = 'follow_up'"
    assert await scalar(repo.db, follow_ups) == 0


async def test_a_follow_up_asked_before_the_last_day_is_recorded_lets_the_course_complete(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing: the last day's message reached the patient but Telegram's answer was
    # lost, so it stayed due; its follow-up button, pressed meanwhile, kept the course open
    # for the 9 months to the reminder ("day 14 of 14", no new enrolment).
    inbox = Inbox()
    await _enrol_and_receive(service, inbox, 13)
    last_day = NOW + timedelta(days=13)

    async def answer_lost(chat_id: int, reply: Reply) -> int:
        inbox.messages.append(reply)
        raise RetryLater

    await tick(service.store, last_day, answer_lost, service.messages)
    assert inbox.messages[-1].title == "Day 14 of 14"
    button = _press(Response((inbox.messages[-1],)), "Remind me about a follow-up visit")
    assert "19.02.2026" in (await service.press(ME, button, last_day)).replies[0].text
    await tick(service.store, last_day + timedelta(minutes=5), inbox, service.messages)
    assert inbox.messages[-1].title == "Day 14 of 14"  # sent again: its answer was lost
    assert await repo.course_for(ME.user_id) is None  # completed
    assert "When was your procedure?" in (await service.open(ME, last_day)).replies[0].text
    await tick(service.store, REMINDER, inbox, service.messages)
    assert "follow-up visit" in inbox.messages[-1].text


async def test_forget_leaves_nothing(service: CourseService, repo: CourseRepo) -> None:
    await _enrol(service)
    await service.store.forget_user(ME.user_id)
    assert await repo.course_for(ME.user_id) is None
    assert await repo.checkin_stats() == []
    inbox = Inbox()
    await tick(service.store, NOW + timedelta(days=1), inbox, service.messages)
    assert inbox.messages == []


async def _complete_with_follow_up(service: CourseService, inbox: Inbox) -> None:
    """Enrol, receive all 14 days and ask for the follow-up reminder."""
    await _enrol_and_receive(service, inbox, 14)
    last = Response((inbox.messages[-1],))
    await service.press(ME, _press(last, "Remind me about a follow-up visit"), NOW)


async def _sent_on_the_reminders_day(
    service: CourseService, inbox: Inbox, purge: bool = False
) -> int:
    """How many messages a tick on the follow-up reminder's day sends."""
    sent_before = len(inbox.messages)
    await tick(service.store, REMINDER, inbox, service.messages, purge=purge)
    return len(inbox.messages) - sent_before


async def test_the_follow_up_never_reopens_a_finished_course(
    service: CourseService, repo: CourseRepo
) -> None:
    inbox = Inbox()
    await _complete_with_follow_up(service, inbox)
    later = NOW + timedelta(days=40)
    # A new procedure a month later: enrolment is open, and the end of it keeps the reminder.
    await _enrol(service, later)
    new_course = await repo.course_for(ME.user_id)
    assert new_course is not None and new_course.procedure_date == date(2025, 6, 28)
    await repo.end_course(new_course.id, EndReason.EXPIRED, later)
    # An urgent message in between is not "day 56 of 14": the patient has no open course.
    assert await service.red_flag_alert(ME, later) is None
    # Purging in between keeps the course that still owes its reminder.
    await repo.purge(NOW + timedelta(days=200))
    # The tick purges too, and keeps the course whose reminder it is about to send.
    assert await _sent_on_the_reminders_day(service, inbox, purge=True) == 1
    assert "follow-up visit" in inbox.messages[-1].text
    # Afterwards the old course is purged 30 days after the reminder went out.
    assert await repo.purge(REMINDER + timedelta(days=31)) >= 1


async def test_stop_after_the_course_cancels_the_follow_up_reminder(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probe20: /stop after the last day told the patient they were not signed up for
    # aftercare messages, and the reminder asked for came 9 months later all the same (the
    # course's data kept until 30 days after it); only /forget could stop it.
    inbox = Inbox()
    await _complete_with_follow_up(service, inbox)
    later = NOW + timedelta(days=20)
    stopped = await service.stop(ME, later)
    assert "won't get any more aftercare messages" in stopped.replies[0].text
    assert "not signed up" in (await service.stop(ME, later)).replies[0].text
    assert await _sent_on_the_reminders_day(service, inbox) == 0
    # Nothing is owed now: the course goes 30 days after it ended, not after the reminder.
    assert await repo.purge(NOW + timedelta(days=45)) == 1


async def test_stop_in_a_second_course_cancels_the_first_courses_reminder_too(
    service: CourseService, repo: CourseRepo
) -> None:
    # /stop answers "you won't get any more aftercare messages"; with a second course running,
    # it ended that course but the first one's follow-up reminder still came months later.
    inbox = Inbox()
    await _complete_with_follow_up(service, inbox)
    later = NOW + timedelta(days=40)
    await _enrol(service, later)
    stopped = await service.stop(ME, later)
    assert "won't get any more aftercare messages" in stopped.replies[0].text
    assert await _sent_on_the_reminders_day(service, inbox) == 0


@pytest.mark.parametrize("day", [999, 15, -1, 2, 5])
async def test_a_forged_check_in_day_is_refused(
    service: CourseService, repo: CourseRepo, day: int
) -> None:
    await _enrol(service)  # today is day 1 of the course
    course = await repo.course_for(ME.user_id)
    assert course is not None
    forged = await service.press(ME, buttons.checkin(course.id, day, "good"), NOW)
    assert "out of date" in forged.replies[0].text and forged.alert is None
    assert await repo.checkin_stats() == []


async def test_a_procedure_day_check_in_is_day_zero(
    service: CourseService, repo: CourseRepo
) -> None:
    first = await service.open(ME, NOW)
    chosen = await service.press(ME, _press(first, "Today"), NOW)
    done = await service.press(ME, _press(chosen, "Morning 09:00"), NOW)
    assert "Today is your procedure day (day 0 of 14)" in done.replies[0].text
    inbox = Inbox()
    await tick(service.store, NOW, inbox, service.messages)
    assert [m.title for m in inbox.messages] == ["Procedure day"]
    course = await repo.course_for(ME.user_id)
    assert course is not None
    answered = await service.press(ME, buttons.checkin(course.id, 0, "good"), NOW)
    assert answered.replies[0].text == "Glad to hear it."
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [(0, "good")]


async def test_an_alert_after_the_last_day_names_the_last_day(
    service: CourseService, repo: CourseRepo
) -> None:
    await _enrol(service)
    await service.press(ME, buttons.course(CourseAction.PAUSE), NOW)
    alert = await service.red_flag_alert(ME, NOW + timedelta(days=40))
    assert alert is not None and alert.day == 14


async def test_something_worrying_on_a_purged_course_gets_the_advice_and_alerts(
    service: CourseService, repo: CourseRepo
) -> None:
    # The button said "out of date" once the course data was purged, 30 days after its end.
    day_message = await _first_day_message(service)
    await service.stop(ME, NOW)
    assert await repo.purge(NOW + timedelta(days=31)) == 1
    later = NOW + timedelta(days=31)
    worrying = await service.press(ME, _press(day_message, "Something worrying"), later)
    assert "Contact your treating doctor now" in worrying.replies[0].text
    assert worrying.alert == StaffAlert(ME.user_id, None, None, "Something worrying")
    bruising = await service.press(ME, _press(day_message, "Bruising"), later)
    assert "out of date" in bruising.replies[0].text and bruising.alert is None
    # Enrolled again meanwhile: the alert names the day of the course that is running.
    await _enrol(service, later)
    course = await repo.course_for(ME.user_id)
    again = await service.press(ME, _press(day_message, "Something worrying"), later)
    assert course is not None and "Contact your treating doctor now" in again.replies[0].text
    assert again.alert == StaffAlert(ME.user_id, course.id, 1, "Something worrying")


async def test_check_in_buttons_of_a_course_that_is_over_record_nothing(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing: the buttons of a stopped course, or of one long completed, still
    # recorded answers.
    day_message = await _first_day_message(service)
    bruising, worrying = (
        _press(day_message, label) for label in ("Bruising", "Something worrying")
    )
    await service.stop(ME, NOW)
    stale = await service.press(ME, bruising, NOW)
    assert "out of date" in stale.replies[0].text and stale.alert is None
    # A worried patient still gets the advice and the staff hear of it; nothing is recorded.
    urgent = await service.press(ME, worrying, NOW)
    assert "Contact your treating doctor now" in urgent.replies[0].text
    assert urgent.alert == StaffAlert(ME.user_id, None, None, "Something worrying")
    assert await repo.checkin_stats() == []
    inbox = Inbox()
    later = NOW + timedelta(days=20)
    await _enrol_and_receive(service, inbox, 14, later)  # procedure 19 May + 20 days
    assert await repo.course_for(ME.user_id) is None  # completed
    last = Response((inbox.messages[-1],))
    evening = later + timedelta(days=13, hours=8)  # the last day's answer, that evening
    answered = await service.press(ME, _press(last, "Bruising"), evening)
    assert answered.replies[0].text == "Arnica cream helps."
    over = await service.press(ME, _press(last, "Swelling"), evening + timedelta(days=7))
    assert "out of date" in over.replies[0].text
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [(14, "bruising")]


@pytest.mark.parametrize("day", [999, 15, 2, 5])
async def test_a_forged_worrying_day_still_gets_the_advice(
    service: CourseService, repo: CourseRepo, day: int
) -> None:
    await _enrol(service)
    course = await repo.course_for(ME.user_id)
    assert course is not None
    forged = await service.press(ME, buttons.checkin(course.id, day, "worrying"), NOW)
    assert "Contact your treating doctor now" in forged.replies[0].text
    assert forged.alert == StaffAlert(ME.user_id, course.id, 1, "Something worrying")
    assert await repo.checkin_stats() == []


SHIPPED = Path(__file__).parent.parent / "faq"


@pytest.mark.parametrize(
    ("name", "worse", "question"),
    [
        ("softlifting.yaml", "swelling getting worse", "what is worse, bruises or swelling?"),
        ("softlifting.ru.yaml", "отёк становится хуже", "что хуже, синяки или отёк?"),
    ],
)
async def test_worsening_typed_in_the_shipped_course_is_something_worrying(
    store: Store, repo: CourseRepo, name: str, worse: str, question: str
) -> None:
    # "swelling getting worse" got the calm swelling answer, "getting worse" one about sagging.
    service = CourseService(store, load_faq(SHIPPED / name))
    await service.open(ME, NOW)
    await service.text(ME, "18.05.2025", NOW)
    await service.text(ME, "09:00", NOW)
    said = await service.text(ME, worse, NOW)
    course = await repo.course_for(ME.user_id)
    assert said is not None and course is not None and said.alert is not None
    assert (said.alert.course_id, said.alert.day) == (course.id, 2)
    worrying = service.course.option("worrying")
    assert worrying is not None
    assert said.replies == (service.messages.checkin_reply(worrying),)
    assert await service.text(ME, question, NOW) is None


async def test_a_typed_answer_to_the_last_days_question_counts_after_the_course_completes(
    service: CourseService, repo: CourseRepo
) -> None:
    # The last message completes the course as it goes out: "not good" typed in answer to its
    # "how do you feel today?" got an FAQ answer (several problems in one session), no alert.
    # (The fixture's worrying option has only its label to type.)
    inbox = Inbox()
    await _enrol_and_receive(service, inbox, 14)
    assert await repo.course_for(ME.user_id) is None  # completed
    evening = NOW + timedelta(days=13, hours=8)
    said = await service.text(ME, "Something worrying", evening)
    assert said is not None and said.alert is not None and said.alert.day == 14
    assert "Contact your treating doctor now" in said.replies[0].text
    # The next day too (answered in the morning); a week later it is no answer any more.
    assert await service.text(ME, "fine", evening + timedelta(days=1)) is not None
    assert await service.text(ME, "Something worrying", evening + timedelta(days=7)) is None
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [
        (14, "good"),
        (14, "worrying"),
    ]


async def test_the_status_after_moving_the_time_earlier_shows_todays_message_going_now(
    service: CourseService,
) -> None:
    # Found by probing (probe11): evening messages, moved to the morning at 15:00 while
    # today's was still to come. Today's goes at once, as after a resume, yet the status
    # said "Next message: Wed 21.05, 09:00", six hours in the past.
    first = await service.open(ME, NOW)
    chosen = await service.press(ME, _press(first, "Yesterday"), NOW)
    await service.press(ME, _press(chosen, "Evening 19:00"), NOW)
    inbox = Inbox()
    await tick(service.store, NOW, inbox, service.messages)
    afternoon = NOW + timedelta(days=1, hours=3)  # Wed 21.05, 15:00 in Berlin: day 2
    await service.press(ME, buttons.course(CourseAction.CHANGE_TIME), afternoon)
    await service.press(ME, buttons.pick_time(time(9)), afternoon)
    status = await service.open(ME, afternoon)
    assert "Next message: Wed 21.05, 15:00 (Europe/Berlin)" in status.replies[0].text
    await tick(service.store, afternoon, inbox, service.messages)
    assert [m.title for m in inbox.messages] == ["Day 1 of 14", "Day 2 of 14"]


async def test_something_worrying_pressed_again_on_yesterdays_message_alerts_the_staff(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing (probe11): worried on day 1 (the staff alerted), worse the next morning
    # before day 2's message, the patient presses "Something worrying" on the latest message
    # they have, day 1's. They got the urgent reply but the staff heard nothing: the press
    # counted as day 1's answer again. Typed ("something worrying") at that moment it alerts,
    # and so does the same button of a stopped course, every time.
    day_message = await _first_day_message(service)
    worrying = _press(day_message, "Something worrying")
    assert (await service.press(ME, worrying, NOW)).alert is not None
    next_morning = NOW + timedelta(hours=19)  # Wed 21.05, 07:00 in Berlin: day 2
    again = await service.press(ME, worrying, next_morning)
    assert "Contact your treating doctor now" in again.replies[0].text
    course = await repo.course_for(ME.user_id)
    assert course is not None
    assert again.alert is not None and again.alert.course_id == course.id


async def test_an_older_courses_follow_up_leaves_the_newest_course_its_last_answer(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing (probe11): a second procedure's course ends on the day the first one's
    # follow-up reminder goes. Sending the reminder moved the first course's end to that
    # moment, so it became the patient's "most recently completed" course, and "Something
    # worrying" typed that evening to the new course's last question was no answer: no
    # advice from the course, nothing recorded, no staff alert.
    inbox = Inbox()
    await _enrol_and_receive(service, inbox, 14)  # procedure 19.05.2025, mornings
    last = Response((inbox.messages[-1],))
    await service.press(ME, _press(last, "Remind me about a follow-up visit"), NOW)
    reminder_day = datetime(2026, 2, 19, 7, tzinfo=UTC)  # 08:00 in Berlin
    await service.open(ME, reminder_day)
    await service.text(ME, "05.02.2026", reminder_day)  # day 14 of the new course today
    await service.press(ME, buttons.pick_time(time(9)), reminder_day)
    await tick(service.store, reminder_day, inbox, service.messages)
    assert inbox.messages[-1].title == "Day 14 of 14"
    new = await repo.last_completed(ME.user_id)  # completed as its last message went
    await tick(service.store, reminder_day + timedelta(hours=1), inbox, service.messages)
    assert "follow-up visit" in inbox.messages[-1].text  # the first course's reminder
    evening = reminder_day + timedelta(hours=11)
    said = await service.text(ME, "Something worrying", evening)
    assert new is not None and said is not None
    assert said.alert == StaffAlert(ME.user_id, new.id, 14, "Something worrying")
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [(14, "worrying")]


async def _enrolled_in_tokyo(service: CourseService) -> Inbox:
    """Enrolled from Tokyo (procedure 19.05, day messages at 09:00), day 1 delivered."""
    await service.open(ME, NOW)
    await service.timezone(ME, NOW)
    await service.text(ME, "Asia/Tokyo", NOW)
    await service.text(ME, "yesterday", NOW)  # 19.05 in Tokyo: today (20.05) is day 1
    await service.text(ME, "09:00", NOW)
    inbox = Inbox()
    await tick(service.store, NOW, inbox, service.messages)
    return inbox


async def test_a_check_in_button_of_a_received_message_counts_after_moving_west(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing (probe11): a patient in Tokyo gets day 2 at 09:00 (00:00 UTC), flies
    # to Los Angeles, where it is 17:00 the day before, and sets that zone. The buttons of
    # the message just received then said "out of date" (its day was "in the future" of the
    # new zone), and "Something worrying" on it was not recorded.
    inbox = await _enrolled_in_tokyo(service)
    morning = datetime(2025, 5, 21, 0, 5, tzinfo=UTC)  # 09:05 in Tokyo, 17:05 (20.05) in LA
    await tick(service.store, morning, inbox, service.messages)
    assert [m.title for m in inbox.messages] == ["Day 1 of 14", "Day 2 of 14"]
    await service.timezone(ME, morning)
    await service.text(ME, "Los Angeles", morning)
    course = await repo.course_for(ME.user_id)
    assert course is not None and course.timezone == "America/Los_Angeles"
    day_two = Response((inbox.messages[-1],))
    answered = await service.press(ME, _press(day_two, "Bruising"), morning)
    assert answered.replies[0].text == "Arnica cream helps."
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [(2, "bruising")]


async def test_after_moving_west_the_day_received_stays_the_day_of_status_and_typed_answers(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing: day 2 received in Tokyo, then the zone set to Los Angeles (the day
    # before there): the status went back to "day 1", and "something worrying" typed about
    # day 2 was recorded as day 1, where the same answer given the day before made it no news:
    # no staff alert.
    inbox = await _enrolled_in_tokyo(service)
    first = await service.text(ME, "something worrying", NOW)
    assert first is not None and first.alert is not None and first.alert.day == 1
    morning = datetime(2025, 5, 21, 0, 5, tzinfo=UTC)  # 09:05 in Tokyo, 17:05 (20.05) in LA
    await tick(service.store, morning, inbox, service.messages)
    assert [m.title for m in inbox.messages] == ["Day 1 of 14", "Day 2 of 14"]
    await service.timezone(ME, morning)
    await service.text(ME, "Los Angeles", morning)
    status = await service.open(ME, morning)
    assert status.replies[0].text.startswith("Aftercare: day 2 of 14")
    again = await service.text(ME, "something worrying", morning)
    assert again is not None and again.alert is not None and again.alert.day == 2
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [
        (1, "worrying"),
        (2, "worrying"),
    ]


async def test_a_course_paused_past_its_end_takes_answers_only_as_a_completed_one_would(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing (probe11): a course paused and left past its last day kept taking
    # check-ins until its purge, "all good" typed on day 41 recorded as day 14. A completed
    # course takes them until the day after its last day, and so does a paused one now.
    day_message = await _first_day_message(service)  # procedure 19.05: today is day 1
    await service.press(ME, buttons.course(CourseAction.PAUSE), NOW)
    day_after_last = NOW + timedelta(days=14)  # 03.06 in Berlin: day 15
    said = await service.text(ME, "fine", day_after_last)
    assert said is not None and said.replies[0].text == "Glad to hear it."
    later = NOW + timedelta(days=40)  # day 41
    assert await service.text(ME, "all good", later) is None
    stale = await service.press(ME, _press(day_message, "Bruising"), later)
    assert "out of date" in stale.replies[0].text and stale.alert is None
    # A worried patient still gets the advice and the staff hear of it; nothing is recorded.
    worrying = await service.press(ME, _press(day_message, "Something worrying"), later)
    assert "Contact your treating doctor now" in worrying.replies[0].text
    assert worrying.alert is not None
    assert [(c.day, c.answer) for c in await repo.checkin_stats()] == [(14, "good")]


async def test_resuming_a_course_paused_past_its_end_says_its_days_are_over(
    service: CourseService, repo: CourseRepo
) -> None:
    # Found by probing (probe11): resumed on day 21, the course said "Resumed. day 14 of 14"
    # (with no next message), and the next tick skipped every day left and marked it
    # completed, though nothing after the pause was sent.
    inbox = Inbox()
    await _enrol_and_receive(service, inbox, 1)  # procedure 19.05: day 1 received
    await service.press(ME, buttons.course(CourseAction.PAUSE), NOW)
    course = await repo.course_for(ME.user_id)
    assert course is not None
    later = NOW + timedelta(days=20)  # 09.06 in Berlin: day 21
    resumed = await service.press(ME, buttons.course(CourseAction.RESUME), later)
    text = resumed.replies[0].text
    assert "Resumed" not in text and "day 14 of 14" not in text
    assert "your aftercare course ended on 02.06.2025" in text
    assert "no more messages will come" in text
    await tick(service.store, later, inbox, service.messages)
    assert [m.title for m in inbox.messages] == ["Day 1 of 14"]
    ended = await repo.course(course.id)
    assert ended is not None and ended.status is CourseStatus.ENDED
    assert ended.end_reason is not None and ended.end_reason is not EndReason.COMPLETED
    assert await repo.course_for(ME.user_id) is None


async def test_enrolling_on_the_last_day_promises_no_days_that_will_not_come(
    service: CourseService,
) -> None:
    # Found by probing (probe11): enrolled on day 14, the confirmation promised "one message a
    # day at 09:00 (Europe/Berlin) until 20.05.2025", today, though nothing follows today's.
    await service.open(ME, NOW)
    await service.text(ME, "06.05.2025", NOW)  # 14 days before 20.05: today is day 14
    done = await service.text(ME, "09:00", NOW)
    assert done is not None and done.deliver_now
    text = done.replies[0].text
    assert "Today is day 14 of 14 after your procedure" in text
    assert "one message a day" not in text and "until" not in text
    assert "no more daily messages come after it" in text
    assert "not watched around the clock" in text
    inbox = Inbox()
    await tick(service.store, NOW, inbox, service.messages)
    await tick(service.store, NOW + timedelta(days=1), inbox, service.messages)
    assert [m.title for m in inbox.messages] == ["Day 14 of 14"]
