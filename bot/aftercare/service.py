"""Aftercare use cases: the course logic applied to the stored state, for any transport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot import buttons
from bot.aftercare.conversation import (
    ENROLMENT_PRESSES,
    Conversation,
    Enrol,
    Enrolment,
    Leave,
    Reschedule,
    Step,
    Turn,
    hhmm,
)
from bot.aftercare.course import CheckinOption, Course
from bot.aftercare.day_messages import DayMessages
from bot.aftercare.records import CourseStatus, EndReason, PatientCourse, StaffAlert
from bot.aftercare.schedule import FIRST_DAY, course_day, follow_up_day, plan_days
from bot.aftercare.status import StatusReplies
from bot.answers.knowledge import KnowledgeBase
from bot.buttons import CourseAction
from bot.locale import Locale, get_locale
from bot.messages import Reply
from bot.storage.courses import AlreadyEnrolled
from bot.storage.store import Store

# Days after the last one on which a typed check-in answer still counts for it.
LAST_ANSWER_DAYS = 1


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
    # The text was a question of the patient's own, not the awaited answer: the FAQ answers
    # it, then these replies recall the open question.
    asked: bool = False

    def first_as(self, change: Callable[[Reply], Reply]) -> Response:
        """The response with its first reply changed ("I read your edited answer" before it)."""
        first, *rest = self.replies
        return replace(self, replies=(change(first), *rest))


class CourseService:
    """Runs each aftercare command or button against the store."""

    def __init__(self, store: Store, kb: KnowledgeBase, locale: Locale | None = None) -> None:
        if kb.course is None:
            raise ValueError(f"{kb.source} has no aftercare course")
        self.store = store
        self.repo = store.courses
        self.course: Course = kb.course
        self.locale = locale or get_locale(kb.language)
        self.enrolment = Enrolment(self.course, self.locale, kb.clinic.timezone, kb.clinic.phone)
        self.messages = DayMessages(self.course, self.locale, kb.clinic, kb.texts.urgent)
        self.status = StatusReplies(self.course.days, self.locale)

    @classmethod
    def for_faq(cls, store: Store, kb: KnowledgeBase) -> CourseService | None:
        """The service over a FAQ's course; None when the FAQ has no aftercare block."""
        return cls(store, kb) if kb.course is not None else None

    async def open(
        self,
        patient: Patient,
        now: datetime,
        typed: str | None = None,
        message_id: int | None = None,
    ) -> Response:
        """/aftercare or /start aftercare: the status when enrolled, else the first question.

        `typed`: a procedure date given with the command ("/aftercare 18.05"), read as the
        answer to the first question; an enrolled patient gets the status. `message_id`: the
        command's message, kept as that answer's (an edit of it is read again, as `text` says).
        """
        course = await self.repo.course_for(patient.user_id)
        if course is not None:
            await self.repo.clear_conversation(patient.user_id)
            return Response((self.status.status(course, now),))
        # A sign-up begun anew ("/aftercare 19.05" after a zone refused the date) keeps its
        # zone, and the ids of its answers: an edit of one is told how to change it.
        state = await self.repo.load_conversation(patient.user_id, now)
        kept = replace(state, before=None) if state is not None else None
        asked = await self._apply(
            patient, await self._first_question(patient, now, state), now, kept
        )
        return await self._typed_answer(patient, asked, typed, now, message_id)

    async def _first_question(
        self, patient: Patient, now: datetime, state: Conversation | None
    ) -> Turn:
        """A new enrolment's first question: the procedure date, in the zone of the sign-up
        already open, else of the last course, else the clinic's."""
        zone, again = await self._begun(patient, state)
        return self.enrolment.start(now, zone, again)

    async def _begun(self, patient: Patient, state: Conversation | None) -> tuple[str | None, bool]:
        """The zone a new sign-up begins in (the open one's, else the one kept from a sign-up
        left, else the last course's, if any) and whether it is begun again (one open or just
        left)."""
        if state is not None:
            return state.timezone, True
        # A patient enrolling again (after /cancel, /stop, or a course ended) keeps the zone
        # they chose.
        kept = await self.repo.kept_zone(patient.user_id)
        if kept is not None:
            return kept, True
        last = await self.repo.last_course(patient.user_id)
        return (last.timezone if last is not None else None), False

    async def reads_opening(self, patient: Patient, text: str, now: datetime) -> bool:
        """Whether this language reads text typed with /aftercare ("/aftercare вчера") as the
        procedure date; False for an enrolled patient, who gets the status."""
        if await self.repo.course_for(patient.user_id) is not None:
            return False
        state = await self.repo.load_conversation(patient.user_id, now)
        return self._answers((await self._first_question(patient, now, state)).state, text, now)

    async def timezone(
        self,
        patient: Patient,
        now: datetime,
        typed: str | None = None,
        message_id: int | None = None,
    ) -> Response:
        """/timezone: change the zone during enrolment or of the running course.

        `typed`: a zone given with the command ("/timezone Europe/Paris"), read as the answer;
        `message_id`: the command's message, as for `open`.
        """
        state = await self.repo.load_conversation(patient.user_id, now)
        course = await self.repo.course_for(patient.user_id)
        turn = self.enrolment.ask_zone(state, course)
        if turn is None:
            return await self._sign_up_at_zone(patient, typed, now, message_id)
        asked = await self._apply(patient, turn, now, state)
        return await self._typed_answer(patient, asked, typed, now, message_id)

    async def _sign_up_at_zone(
        self, patient: Patient, typed: str | None, now: datetime, message_id: int | None
    ) -> Response:
        """/timezone before signing up: the sign-up begins, in the zone given with it, if any
        (a zone is for the aftercare messages only: "not signed up" lost the one typed)."""
        zone, again = await self._begun(patient, None)
        turn = self.enrolment.start_at_zone(zone, again)
        asked = await self._apply(patient, turn, now)
        answered = None
        if typed is not None:
            answered = await self.text(patient, typed, now, message_id)
        if answered is None or answered.asked:
            return asked
        return answered.first_as(lambda first: self.enrolment.introduced(first, again))

    async def _typed_answer(
        self,
        patient: Patient,
        asked: Response,
        typed: str | None,
        now: datetime,
        message_id: int | None,
    ) -> Response:
        """The question just asked, or the reply to text typed with its command, read as the
        answer (the question again with the accepted forms when it cannot be read)."""
        if typed is None:
            return asked
        return await self.text(patient, typed, now, message_id) or asked

    async def cancel(self, patient: Patient, now: datetime) -> Response:
        """/cancel: leave the open aftercare question."""
        state = await self.repo.load_conversation(patient.user_id, now)
        return await self._apply(patient, self.enrolment.cancel(state), now)

    async def stop(self, patient: Patient, now: datetime) -> Response:
        """/stop or the stop button: end the course, or the sign-up."""
        state = await self.repo.load_conversation(patient.user_id, now)
        # "No more aftercare messages" covers an earlier course's follow-up reminder too.
        reminders = await self.repo.cancel_follow_ups(patient.user_id)
        course = await self.repo.course_for(patient.user_id)
        left = self.enrolment.stop_sign_up(state) if course is None else None
        if left is not None:
            return await self._apply(patient, left, now)
        if state is not None:  # a new time or zone of the course; a left sign-up's zone stays
            await self.repo.clear_conversation(patient.user_id)
        if course is None:
            if reminders:
                return Response((self.status.stopped(),))
            return Response((self.status.not_enrolled(),))
        await self.repo.end_course(course.id, EndReason.STOPPED, now)
        return Response((self.status.stopped(),))

    async def text(
        self, patient: Patient, text: str, now: datetime, message_id: int | None = None
    ) -> Response | None:
        """The answer to typed text that is ours: an open question's, or a check-in answered
        in words ("all good"); None for any other text (see `Response.asked` for a question).

        `message_id`: the message typed, kept as the open question's latest answer when it is one.
        """
        state = await self.repo.load_conversation(patient.user_id, now)
        if state is None:
            return await self._typed_checkin(patient, text, now)
        turn = self.enrolment.read(state, text, now)
        if turn is None:
            # Not the open question's answer: a check-in of the running course ("getting
            # worse" while a new time is asked) is answered, and the question recalled.
            checkin = await self._typed_checkin(patient, text, now)
            if checkin is not None:
                return replace(checkin, replies=(*checkin.replies, self.enrolment.reminder(state)))
            turn = self.enrolment.unread(state, text, now)
        if turn is None:  # a question of the patient's own: the open question stays as it was
            return self._recalled(state)
        return await self._apply(patient, turn, now, state, message_id)

    async def reminder(self, patient: Patient, now: datetime) -> Response | None:
        """The open aftercare question asked again (after a sticker, say), else the check-in's
        (a photo of the face answers no button) while the course takes answers; else None."""
        state = await self.repo.load_conversation(patient.user_id, now)
        if state is not None:
            return self._recalled(state)
        if await self._answering(patient, now) is None:
            return None
        # The clinic's phone for anything worrying is in the "I read text" line before this.
        return Response((Reply(self.locale.t("ac_waiting_checkin")),), asked=True)

    def _recalled(self, state: Conversation) -> Response:
        """The open question asked again, and left open."""
        return Response((self.enrolment.reminder(state),), asked=True)

    async def may_answer_checkin(self, patient: Patient, text: str, now: datetime) -> bool:
        """Whether typed text that asks nothing may be a check-in in the patient's own words."""
        if self.locale.checkin.asks(text):
            return False
        return await self._answering(patient, now) is not None

    async def reads(self, patient: Patient, text: str, now: datetime) -> bool:
        """Whether this language reads typed text as the open question's answer ("вчера")."""
        return self._answers(await self.repo.load_conversation(patient.user_id, now), text, now)

    def _answers(self, state: Conversation | None, text: str, now: datetime) -> bool:
        """Whether the text reads as the answer to the question a conversation asks."""
        return state is not None and self.enrolment.read(state, text, now) is not None

    def says_checkin(self, text: str) -> bool:
        """Whether this language reads the text as a check-in answer ("getting worse")."""
        return self.course.option_said(text, self.locale.checkin) is not None

    async def edited(
        self, patient: Patient, message_id: int, text: str, now: datetime
    ) -> Response | None:
        """An edited message: the open question's latest answer read again; an earlier answer
        of the enrolment told how to change it; a check-in edited into a worrying one; None for
        any other edit, which gets no second answer."""
        state = await self.repo.load_conversation(patient.user_id, now)
        if (
            state is not None
            and state.before is not None
            and state.answer_ids[-1:] == (message_id,)
        ):
            return await self._answered_again(patient, state, state.before, text, now)
        if state is not None and message_id in state.answer_ids:
            return Response((Reply(self.locale.t("ac_edit_moved_on")),))
        course = await self.repo.course_for(patient.user_id)
        if course is not None and message_id in course.answer_ids:
            when = course.procedure_date.strftime("%d.%m.%Y")
            return Response((Reply(self.locale.t("ac_edit_enrolled", date=when)),))
        if course is not None and message_id in course.change_ids:
            return await self._change_edited(patient, course, state, message_id, text, now)
        return await self.edited_checkin(patient, text, now)

    async def _change_edited(
        self,
        patient: Patient,
        course: PatientCourse,
        state: Conversation | None,
        message_id: int,
        text: str,
        now: datetime,
    ) -> Response | None:
        """A new time or zone edited: read again while it is the latest answer and no question
        is open, as the sign-up's is; an earlier one told how to change them."""
        if state is None and course.change_step and course.change_ids[-1] == message_id:
            asked = Conversation(
                Step(course.change_step), course.timezone, send_time=course.send_time
            )
            answered = replace(asked, answer_ids=(message_id,))
            return await self._answered_again(patient, answered, asked, text, now)
        at = hhmm(course.send_time)
        return Response((Reply(self.locale.t("ac_edit_changed", time=at, zone=course.timezone)),))

    async def _answered_again(
        self, patient: Patient, state: Conversation, before: Conversation, text: str, now: datetime
    ) -> Response | None:
        """The latest answer, edited, read in the state it answered, as if typed anew then."""
        before = replace(before, answer_ids=state.answer_ids[:-1])
        turn = self.enrolment.on_text(before, text, now)
        if turn is None:  # edited into a question of the patient's own: no second answer
            return None
        response = await self._apply(patient, turn, now, before, state.answer_ids[-1])
        read_again = self.locale.t("ac_edit_read")
        return response.first_as(lambda first: first.after(read_again))

    async def edited_checkin(self, patient: Patient, text: str, now: datetime) -> Response | None:
        """A message edited into a worrying check-in answer ("fine" to "getting worse"), recorded:
        its advice and the staff alert, as when typed anew, the first time that day; None for
        any other edit, which gets no second answer."""
        option = self.course.option_said(text, self.locale.checkin)
        if option is None or not option.urgent:
            return None
        response = await self._recorded(patient, option, now)
        return response if response is not None and response.alert is not None else None

    async def _typed_checkin(self, patient: Patient, text: str, now: datetime) -> Response | None:
        """The check-in answered in words, recorded; None when the text is none or no course
        takes it."""
        option = self.course.option_said(text, self.locale.checkin)
        return await self._recorded(patient, option, now) if option is not None else None

    async def _recorded(
        self, patient: Patient, option: CheckinOption, now: datetime
    ) -> Response | None:
        """A check-in answer recorded for the course that takes it; None when none does."""
        course = await self._answering(patient, now)
        if course is None:
            return None
        return await self._record(patient, course, self.status.day(course, now), option, now)

    async def _answering(self, patient: Patient, now: datetime) -> PatientCourse | None:
        """The course a typed check-in answer is for: the open one, or one that just completed."""
        course = await self.repo.course_for(patient.user_id)
        if course is None:
            course = await self.repo.last_completed(patient.user_id)
        return course if course is not None and self._takes_answers(course, now) else None

    def _takes_answers(self, course: PatientCourse, now: datetime) -> bool:
        """Whether a course still takes check-in answers: not stopped, and its days not long over."""
        if course.status is CourseStatus.ENDED and course.end_reason is not EndReason.COMPLETED:
            return False
        # The last day's message completes the course as it goes out, yet asks how the patient
        # feels: its answer may come that day or the next morning. A course paused past its
        # end (or running late) takes answers no longer than a completed one would.
        day = course_day(course.procedure_date, now, course.timezone)
        return day <= self.course.days + LAST_ANSWER_DAYS

    def _days_over(self, course: PatientCourse, now: datetime) -> bool:
        """Whether the course's last day has passed in its zone (nothing is left to send)."""
        return course_day(course.procedure_date, now, course.timezone) > self.course.days

    async def red_flag_alert(self, patient: Patient, now: datetime) -> StaffAlert | None:
        """A staff alert when an enrolled patient's free text was a red flag (no text in it)."""
        course = await self.repo.course_for(patient.user_id)
        if course is None:
            return None
        day = self.status.day(course, now)
        return StaffAlert(patient.user_id, course.id, day, self.locale.t("ac_alert_free_text"))

    async def _unrecorded_alert(
        self, patient: Patient, option: CheckinOption, now: datetime
    ) -> StaffAlert:
        """The alert for a worrying answer that no course of the patient's can record."""
        course = await self.repo.course_for(patient.user_id)
        if course is None:
            return StaffAlert(patient.user_id, None, None, option.label, option.id)
        day = self.status.day(course, now)
        return StaffAlert(patient.user_id, course.id, day, option.label, option.id)

    def for_staff(self, alert: StaffAlert) -> StaffAlert:
        """The alert with its check-in answer in this service's language (the staff's)."""
        option = self.course.option(alert.option_id) if alert.option_id else None
        return replace(alert, answer=option.label) if option is not None else alert

    def urgent_advice(self, data: str) -> Reply | None:
        """The advice for a worrying check-in button, which needs no record: None for others."""
        press = buttons.parse(data)
        option = self.course.option(press.option_id) if isinstance(press, buttons.Checkin) else None
        return self.messages.checkin_reply(option) if option is not None and option.urgent else None

    async def press(self, patient: Patient, data: str, now: datetime) -> Response:
        """The answer to an aftercare button; a stale or forged one gets the polite note."""
        press = buttons.parse(data)
        if isinstance(press, buttons.Checkin):
            return await self._checkin(patient, press, now)
        if isinstance(press, buttons.FollowUp):
            return await self._follow_up(patient, press.course_id, now)
        if isinstance(press, buttons.Course):
            return await self._course_button(patient, press.action, now)
        state = await self.repo.load_conversation(patient.user_id, now)
        if isinstance(press, buttons.Cancel):
            return await self._apply(patient, self.enrolment.cancel(state), now)
        if state is None or not isinstance(press, ENROLMENT_PRESSES):
            return Response((self.status.stale(),))
        return await self._apply(patient, self.enrolment.on_press(state, press, now), now, state)

    async def _course_button(
        self, patient: Patient, action: CourseAction, now: datetime
    ) -> Response:
        if action is CourseAction.STOP:
            return await self.stop(patient, now)
        course = await self.repo.course_for(patient.user_id)
        if course is None:
            return Response((self.status.not_enrolled(),))
        if action is CourseAction.CHANGE_TIME:
            return await self._apply(patient, self.enrolment.ask_new_time(course), now)
        if action is CourseAction.CHANGE_ZONE:
            turn = self.enrolment.ask_zone(None, course)
            return await self._apply(patient, turn, now) if turn else Response()
        if action is CourseAction.PAUSE:
            await self.repo.pause(course.id)
            return Response((self.status.paused(),))
        if course.status is CourseStatus.PAUSED and self._days_over(course, now):
            # Nothing is left to send: the tick would skip every day left and call it completed.
            await self.repo.end_course(course.id, EndReason.EXPIRED, now)
            return Response((self.status.over(course),))
        await self.repo.resume(course.id)
        fresh = await self.repo.course(course.id)
        # Today's message, its time passed while paused, goes at once, as the status says.
        return Response((self.status.resumed(fresh or course, now),), deliver_now=True)

    async def _checkin(self, patient: Patient, press: buttons.Checkin, now: datetime) -> Response:
        course = await self.repo.course(press.course_id)
        option = self.course.option(press.option_id)
        if option is None:
            return Response((self.status.stale(),))
        if (
            course is None
            or course.user_id != patient.user_id
            or not FIRST_DAY <= press.day <= self.course.days
            or press.day > self.status.day_reached(course, now)
            or not self._takes_answers(course, now)
        ):
            if not option.urgent:
                return Response((self.status.stale(),))
            # Forgotten, purged, over or never this patient's: a worried patient still gets the
            # advice, and the staff still hear of it, though nothing can be recorded.
            alert = await self._unrecorded_alert(patient, option, now)
            return Response((self.messages.checkin_reply(option),), alert)
        return await self._record(patient, course, press.day, option, now)

    async def _record(
        self,
        patient: Patient,
        course: PatientCourse,
        day: int,
        option: CheckinOption,
        now: datetime,
    ) -> Response:
        """Keep a check-in answer; its advice, and the staff alert for a new worrying one."""
        first = await self.repo.record_checkin(course.id, patient.user_id, day, option.id, now)
        # One staff alert per worrying answer and day it is given, however often it is given.
        alert = StaffAlert(patient.user_id, course.id, day, option.label, option.id)
        return Response(
            (self.messages.checkin_reply(option),), alert if first and option.urgent else None
        )

    async def _follow_up(self, patient: Patient, course_id: int, now: datetime) -> Response:
        course = await self.repo.course(course_id)
        months = self.course.follow_up_months
        if (
            course is None
            or course.user_id != patient.user_id
            or not months
            # Offered on the last day only: a forged press before it is no answer to that offer.
            or self.status.day_reached(course, now) < self.course.days
        ):
            return Response((self.status.stale(),))
        day = follow_up_day(course.procedure_date, months)
        due = await self.repo.add_follow_up(course_id, day, now)
        if due is None:
            return Response((self.status.stale(),))
        return Response((self.messages.follow_up_scheduled(course, due),))

    async def _apply(
        self,
        patient: Patient,
        turn: Turn,
        now: datetime,
        prior: Conversation | None = None,
        answer_id: int | None = None,
    ) -> Response:
        """Store the conversation a turn leaves open and carry out its action.

        `prior`: the conversation the turn answered; `answer_id`: the message typed as its
        answer (None for a button), which becomes the latest answer.
        """
        answer_ids = prior.answer_ids if prior is not None else ()
        if answer_id is not None:
            answer_ids = (*answer_ids, answer_id)
        if isinstance(turn.action, Leave):
            await self.repo.keep_zone(patient.user_id, turn.action.timezone, now)
        elif turn.state is None:
            await self.repo.clear_conversation(patient.user_id)
        else:
            before = None
            if prior is not None and answer_id is not None:
                before = replace(prior, answer_ids=(), before=None)
            state = replace(turn.state, answer_ids=answer_ids, before=before)
            await self.repo.save_conversation(patient.user_id, state, now)
        action = turn.action
        if isinstance(action, Enrol):
            plan = plan_days(
                action.procedure_date, action.send_time, action.timezone, now, self.course.days
            )
            try:
                await self.repo.enroll(
                    patient.user_id,
                    patient.chat_id,
                    action.procedure_date,
                    action.send_time,
                    action.timezone,
                    plan,
                    now,
                    answer_ids,
                )
            except AlreadyEnrolled:
                return await self.open(patient, now)
            return Response((turn.reply,), deliver_now=True)
        if isinstance(action, Reschedule):
            course = await self.repo.course_for(patient.user_id)
            if course is None or course.status is CourseStatus.ENDED:
                return Response((self.status.not_enrolled(),))
            answer = None
            if prior is not None and answer_id is not None:
                answer = (prior.step.value, answer_id)
            await self.repo.change_time(course.id, action.send_time, action.timezone, answer)
            if course.status is CourseStatus.PAUSED:  # "now come at 19:00" would promise them
                return Response((self.status.still_paused(turn.reply),))
            # A time moved earlier than now makes today's message due at once.
            return Response((turn.reply,), deliver_now=True)
        return Response((turn.reply,))
