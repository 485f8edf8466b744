"""What an enrolled patient sees of their course: the status and its buttons; pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import buttons
from bot.aftercare.records import CourseStatus, PatientCourse
from bot.aftercare.schedule import (
    FIRST_DAY,
    clamp_day,
    course_day,
    day_over,
    day_reached,
    last_date,
    local_due,
)
from bot.buttons import CourseAction
from bot.locale import Locale
from bot.messages import Button, Reply


class StatusReplies:
    """The status of a running course and the replies to its buttons."""

    def __init__(self, days: int, locale: Locale) -> None:
        self.days = days
        self.locale = locale

    def _t(self, key: str, **values: object) -> str:
        return self.locale.t(key, **values)

    def _button(self, key: str, action: CourseAction) -> Button:
        return Button(self._t(key), buttons.course(action))

    def day(self, course: PatientCourse, now: datetime) -> int:
        """The course day the patient is on, within 0..days, never before a day they received."""
        return clamp_day(self.day_reached(course, now), self.days)

    @staticmethod
    def day_reached(course: PatientCourse, now: datetime) -> int:
        """Today's course day in the course's zone, or the last day whose message went out.

        A zone set west since then puts that day in the zone's future: its buttons still count,
        a forged later day's do not.
        """
        return day_reached(course.procedure_date, now, course.timezone, course.last_day_sent)

    def status(self, course: PatientCourse, now: datetime) -> Reply:
        """Day N of the course, the next message's local time and the course buttons."""
        day = self.day(course, now)
        key = "ac_status_procedure_day" if day == FIRST_DAY else "ac_status_day"
        lines = [self._t(key, day=day, days=self.days)]
        if course.status is CourseStatus.PAUSED:
            lines.append(self._t("ac_status_paused"))
            toggle = self._button("ac_resume_button", CourseAction.RESUME)
        else:
            toggle = self._button("ac_pause_button", CourseAction.PAUSE)
            if (next_due := self._next_due(course, now)) is not None:
                lines.append(self._t("ac_status_next", when=self._local(next_due, course)))
        if course.follow_up_due is not None:
            lines.append(
                self._t("ac_status_follow_up", when=self._local(course.follow_up_due, course))
            )
        rows = (
            (
                self._button("ac_change_time_button", CourseAction.CHANGE_TIME),
                self._button("ac_change_zone_button", CourseAction.CHANGE_ZONE),
            ),
            (toggle, self._button("ac_stop_button", CourseAction.STOP)),
        )
        return Reply("\n".join(lines), buttons=rows)

    def not_enrolled(self) -> Reply:
        """For course commands from a patient without a course."""
        return Reply(self._t("ac_not_enrolled"))

    def paused(self) -> Reply:
        """After the pause button."""
        return Reply(
            self._t("ac_paused"),
            buttons=((self._button("ac_resume_button", CourseAction.RESUME),),),
        )

    def still_paused(self, changed: Reply) -> Reply:
        """A new time or zone for a paused course: it stays paused, and the resume button."""
        return Reply(
            f"{changed.text}\n{self._t('ac_still_paused')}",
            buttons=((self._button("ac_resume_button", CourseAction.RESUME),),),
        )

    def resumed(self, course: PatientCourse, now: datetime) -> Reply:
        """After the resume button: the status again."""
        status = self.status(course, now)
        return replace(status, text=f"{self._t('ac_resumed')}\n{status.text}")

    def over(self, course: PatientCourse) -> Reply:
        """After the resume button of a course whose days ran out while it was paused."""
        last = last_date(course.procedure_date, self.days)
        return Reply(self._t("ac_resumed_over", last=last.strftime("%d.%m.%Y"), days=self.days))

    def stopped(self) -> Reply:
        """After /stop or the stop button."""
        return Reply(self._t("ac_stopped"))

    def stale(self) -> Reply:
        """An outdated or forged aftercare button."""
        return Reply(self._t("ac_stale"))

    def unavailable(self) -> Reply:
        """Aftercare commands when the FAQ in use has no course."""
        return Reply(self._t("ac_unavailable"))

    def _next_due(self, course: PatientCourse, now: datetime) -> datetime | None:
        """When the next day message goes: days missed while paused are skipped by the tick."""
        due = course.next_due
        if due is not None and day_over(due, now, course.timezone):
            today = course_day(course.procedure_date, now, course.timezone)
            if today > self.days:
                return None
            due = local_due(course.procedure_date, today, course.send_time, course.timezone)
        if due is not None and course_day(course.procedure_date, due, course.timezone) > self.days:
            return None  # planned before a /reload shortened the course: the tick skips it
        # The tick sends a message due earlier on its own local day at once (after a resume, a
        # retry, or a time moved earlier than now), so it goes now, not at its passed time.
        return None if due is None else max(due, now)

    def _local(self, when: datetime, course: PatientCourse) -> str:
        """An instant as the patient's weekday, date and time, in their language."""
        local = when.astimezone(ZoneInfo(course.timezone))
        weekday = self._t("ac_weekdays").split()[local.weekday()]
        return f"{weekday} {local.strftime('%d.%m, %H:%M')} ({course.timezone})"
