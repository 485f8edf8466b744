"""Aftercare use cases: the course logic applied to the stored state, for any transport."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot.aftercare import (
    CHANGE_TIME,
    CHANGE_ZONE,
    PAUSE,
    PREFIX,
    RESUME,
    STOP,
    Aftercare,
    EndReason,
    Enrol,
    Reschedule,
    StaffAlert,
    Turn,
    course_day,
    follow_up_day,
    plan_days,
    read_checkin,
    read_follow_up,
)
from bot.replies import Reply
from bot.safety import find_red_flag
from bot.storage.courses import AlreadyEnrolled, CourseRepo


@dataclass(frozen=True)
class Patient:
    """Who is talking: the Telegram user and the private chat the messages go to."""

    user_id: int
    chat_id: int


@dataclass(frozen=True)
class Response:
    """The replies to send, an alert for the staff chat, and whether a message is due at once."""

    replies: tuple[Reply, ...] = ()
    alert: StaffAlert | None = None
    deliver_now: bool = False


class AftercareService:
    """Runs each aftercare command or button against the repository."""

    def __init__(self, repo: CourseRepo, aftercare: Aftercare) -> None:
        self.repo = repo
        self.aftercare = aftercare

    @staticmethod
    def handles(data: str) -> bool:
        """True for the button data this service answers."""
        return data.startswith(PREFIX)

    async def open(self, patient: Patient, now: datetime) -> Response:
        """/aftercare or /start aftercare: the status when enrolled, else the first question."""
        course = await asyncio.to_thread(self.repo.course_for, patient.user_id)
        if course is not None:
            await asyncio.to_thread(self.repo.clear_conversation, patient.user_id)
            return Response((self.aftercare.status(course, now),))
        return await self._apply(patient, self.aftercare.start(now), now)

    async def timezone(self, patient: Patient, now: datetime) -> Response:
        """/timezone: change the zone during enrolment or of the running course."""
        state = await asyncio.to_thread(self.repo.load_conversation, patient.user_id, now)
        course = await asyncio.to_thread(self.repo.course_for, patient.user_id)
        return await self._apply(patient, self.aftercare.ask_zone(state, course), now)

    async def cancel(self, patient: Patient, now: datetime) -> Response:
        """/cancel: leave the open aftercare question."""
        state = await asyncio.to_thread(self.repo.load_conversation, patient.user_id, now)
        return await self._apply(patient, self.aftercare.cancel(state), now)

    async def stop(self, patient: Patient, now: datetime) -> Response:
        """/stop or the stop button: end the course."""
        await asyncio.to_thread(self.repo.clear_conversation, patient.user_id)
        course = await asyncio.to_thread(self.repo.course_for, patient.user_id)
        if course is None:
            return Response((self.aftercare.not_enrolled(),))
        await asyncio.to_thread(self.repo.end_course, course.id, EndReason.STOPPED, now)
        return Response((self.aftercare.stopped(),))

    async def text(self, patient: Patient, text: str, now: datetime) -> Response | None:
        """The answer to typed text while an aftercare question is open; None when not ours."""
        # A red flag always gets the urgent answer from the normal path; the question stays open.
        if find_red_flag(self.aftercare.kb, text) is not None:
            return None
        state = await asyncio.to_thread(self.repo.load_conversation, patient.user_id, now)
        if state is None:
            return None
        return await self._apply(patient, self.aftercare.on_text(state, text, now), now)

    async def red_flag_alert(self, patient: Patient, now: datetime) -> StaffAlert | None:
        """A staff alert when an enrolled patient's free text was a red flag (no text in it)."""
        course = await asyncio.to_thread(self.repo.course_for, patient.user_id)
        if course is None:
            return None
        day = course_day(course.procedure_date, now, course.timezone)
        return StaffAlert(
            patient.user_id, course.id, day, self.aftercare.locale.t("ac_alert_free_text")
        )

    async def button(self, patient: Patient, data: str, now: datetime) -> Response:
        """The answer to an "ac:" button."""
        if (press := read_checkin(data)) is not None:
            return await self._checkin(patient, press.course_id, press.day, press.option_id, now)
        if (course_id := read_follow_up(data)) is not None:
            return await self._follow_up(patient, course_id, now)
        if data in (CHANGE_TIME, CHANGE_ZONE, PAUSE, RESUME, STOP):
            return await self._course_button(patient, data, now)
        state = await asyncio.to_thread(self.repo.load_conversation, patient.user_id, now)
        return await self._apply(patient, self.aftercare.on_button(state, data, now), now)

    async def _course_button(self, patient: Patient, data: str, now: datetime) -> Response:
        if data == STOP:
            return await self.stop(patient, now)
        course = await asyncio.to_thread(self.repo.course_for, patient.user_id)
        if course is None:
            return Response((self.aftercare.not_enrolled(),))
        if data == CHANGE_TIME:
            return await self._apply(patient, self.aftercare.ask_new_time(course), now)
        if data == CHANGE_ZONE:
            return await self._apply(patient, self.aftercare.ask_zone(None, course), now)
        if data == PAUSE:
            await asyncio.to_thread(self.repo.pause, course.id)
            return Response((self.aftercare.paused(),))
        await asyncio.to_thread(self.repo.resume, course.id)
        fresh = await asyncio.to_thread(self.repo.course, course.id)
        return Response((self.aftercare.resumed(fresh or course, now),))

    async def _checkin(
        self, patient: Patient, course_id: int, day: int, option_id: str, now: datetime
    ) -> Response:
        course = await asyncio.to_thread(self.repo.course, course_id)
        option = self.aftercare.course.option(option_id)
        if course is None or course.user_id != patient.user_id or option is None:
            return Response((self.aftercare.stale(),))
        first = await asyncio.to_thread(
            self.repo.record_checkin, course_id, patient.user_id, day, option_id, now
        )
        # One staff alert per worrying answer and day, however often the button is pressed.
        alert = StaffAlert(patient.user_id, course_id, day, option.label) if option.urgent else None
        return Response((self.aftercare.checkin_reply(option),), alert if first else None)

    async def _follow_up(self, patient: Patient, course_id: int, now: datetime) -> Response:
        course = await asyncio.to_thread(self.repo.course, course_id)
        months = self.aftercare.course.follow_up_months
        if course is None or course.user_id != patient.user_id or not months:
            return Response((self.aftercare.stale(),))
        day = follow_up_day(course.procedure_date, months)
        due = await asyncio.to_thread(self.repo.add_follow_up, course_id, day, now)
        if due is None:
            return Response((self.aftercare.stale(),))
        return Response((self.aftercare.follow_up_scheduled(course, due),))

    async def _apply(self, patient: Patient, turn: Turn, now: datetime) -> Response:
        """Store the conversation a turn leaves open and carry out its action."""
        if turn.state is None:
            await asyncio.to_thread(self.repo.clear_conversation, patient.user_id)
        else:
            await asyncio.to_thread(self.repo.save_conversation, patient.user_id, turn.state, now)
        action = turn.action
        if isinstance(action, Enrol):
            plan = plan_days(
                action.procedure_date,
                action.send_time,
                action.timezone,
                now,
                self.aftercare.course.days,
            )
            try:
                await asyncio.to_thread(
                    self.repo.enroll,
                    patient.user_id,
                    patient.chat_id,
                    action.procedure_date,
                    action.send_time,
                    action.timezone,
                    plan,
                    now,
                )
            except AlreadyEnrolled:
                return await self.open(patient, now)
            return Response((turn.reply,), deliver_now=True)
        if isinstance(action, Reschedule):
            course = await asyncio.to_thread(self.repo.course_for, patient.user_id)
            if course is None:
                return Response((self.aftercare.not_enrolled(),))
            await asyncio.to_thread(
                self.repo.change_time, course.id, action.send_time, action.timezone
            )
        return Response((turn.reply,))
