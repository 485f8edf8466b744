"""The enrolment conversation: procedure date, send time and time zone, one question at a time."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot import buttons
from bot.aftercare.course import Course, said_words
from bot.aftercare.inputs import (
    Refusal,
    check_procedure_date,
    counts_back,
    fixed_offset,
    is_abbreviation,
    is_offset,
    names_a_date,
    names_weekday,
    order_unclear,
    parse_zone,
    read_procedure_date,
    seen,
    time_readings,
)
from bot.aftercare.records import CourseStatus, PatientCourse
from bot.aftercare.schedule import FIRST_DAY, clamp_day, course_day, last_date, local_today
from bot.locale import Locale
from bot.messages import Button, Reply, button_rows

DATE_CHOICES = (
    (0, "ac_today"),
    (1, "ac_yesterday"),
    (2, "ac_2_days_ago"),
    (3, "ac_3_days_ago"),
)
TIME_CHOICES = (("ac_morning", time(9)), ("ac_midday", time(13)), ("ac_evening", time(19)))
# A daily message before this may wake the patient or wait unread until morning: taken (a
# night-shift patient may mean it), and said kindly.
NIGHT_ENDS = time(6)
COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Asia/Dubai",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)


class Step(StrEnum):
    """The open question of an aftercare conversation."""

    DATE = "date"
    TIME = "time"
    ZONE = "zone"
    NEW_TIME = "new_time"
    NEW_ZONE = "new_zone"


@dataclass(frozen=True)
class Conversation:
    """An unfinished aftercare conversation; stored so that it survives a restart."""

    step: Step
    timezone: str
    procedure_date: date | None = None
    send_time: time | None = None
    back_to: Step | None = None
    # When a date counted back from today ("today", "3 days ago", a date button) was read: a
    # time zone chosen afterwards reads it again as that zone's day.
    read_at: datetime | None = None
    # The message ids of the typed answers so far, the latest last, and the state the latest
    # was read in when it was typed (not pressed): an edit of it is read there again.
    answer_ids: tuple[int, ...] = ()
    before: Conversation | None = None
    # The times an hour typed may mean ("7 o'clock": 07:00, 19:00), asked which: "evening"
    # typed next picks one.
    readings: tuple[time, ...] = ()

    def to_json(self) -> str:
        """The state as JSON text for storage."""
        return json.dumps(
            {
                "step": self.step.value,
                "timezone": self.timezone,
                "procedure_date": self.procedure_date.isoformat() if self.procedure_date else None,
                "send_time": self.send_time.strftime("%H:%M") if self.send_time else None,
                "back_to": self.back_to.value if self.back_to else None,
                "read_at": self.read_at.isoformat() if self.read_at else None,
                "answer_ids": list(self.answer_ids),
                "before": self.before.to_json() if self.before else None,
                "readings": [at.strftime("%H:%M") for at in self.readings],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Conversation | None:
        """The state stored as JSON, or None when it cannot be read (it is then dropped)."""
        try:
            raw = json.loads(text)
            return cls(
                step=Step(raw["step"]),
                timezone=str(raw["timezone"]),
                procedure_date=date.fromisoformat(raw["procedure_date"])
                if raw.get("procedure_date")
                else None,
                send_time=time.fromisoformat(raw["send_time"]) if raw.get("send_time") else None,
                back_to=Step(raw["back_to"]) if raw.get("back_to") else None,
                read_at=_aware(raw["read_at"]) if raw.get("read_at") else None,
                answer_ids=tuple(int(i) for i in raw.get("answer_ids") or ()),
                before=cls.from_json(raw["before"]) if raw.get("before") else None,
                readings=tuple(time.fromisoformat(at) for at in raw.get("readings") or ()),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _aware(text: str) -> datetime:
    """A stored instant; one without its offset is unreadable."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError("an instant without its offset")
    return when


@dataclass(frozen=True)
class Enrol:
    """The answers are complete: enrol the patient."""

    procedure_date: date
    send_time: time
    timezone: str


@dataclass(frozen=True)
class Reschedule:
    """An enrolled patient chose a new send time or time zone."""

    send_time: time
    timezone: str


@dataclass(frozen=True)
class Leave:
    """The patient left the sign-up: keep the zone it was in for their next one."""

    timezone: str


@dataclass(frozen=True)
class Turn:
    """The reply to one step, the conversation to keep (None ends it) and what to do."""

    reply: Reply
    state: Conversation | None
    action: Enrol | Reschedule | Leave | None = None


def _reread(when: date, state: Conversation, zone: str) -> date:
    """The state's procedure date as `zone` reads it: a date counted back moves with the zone."""
    if state.read_at is None:
        return when
    return when + (local_today(state.read_at, zone) - local_today(state.read_at, state.timezone))


def hhmm(at: time) -> str:
    """A time of day as HH:MM."""
    return at.strftime("%H:%M")


EnrolmentPress = buttons.PickDate | buttons.OtherDate | buttons.PickTime | buttons.PickZone
ENROLMENT_PRESSES = (buttons.PickDate, buttons.OtherDate, buttons.PickTime, buttons.PickZone)


class Enrolment:
    """Asks the enrolment questions and reads their answers; pure."""

    def __init__(self, course: Course, locale: Locale, clinic_zone: str, clinic_phone: str) -> None:
        self.course = course
        self.locale = locale
        self.clinic_zone = clinic_zone
        self.clinic_phone = clinic_phone

    def _t(self, key: str, **values: object) -> str:
        return self.locale.t(key, **values)

    def _cancel_row(self) -> tuple[Button, ...]:
        return (Button(self._t("ac_cancel_button"), buttons.cancel()),)

    def start(self, now: datetime, zone: str | None = None, again: bool = False) -> Turn:
        """The first question of a new enrolment, in `zone` (the patient's last) or the clinic's;
        `again`: the patient has just begun one (see `introduced`)."""
        state = Conversation(Step.DATE, zone or self.clinic_zone)
        return Turn(self.introduced(self._date_question(state, now), again), state)

    def start_at_zone(self, zone: str | None = None, again: bool = False) -> Turn:
        """A new enrolment begun with /timezone: the zone question, then the date's."""
        state = Conversation(Step.ZONE, zone or self.clinic_zone, back_to=Step.DATE)
        return Turn(self.introduced(self._zone_question(state), again), state)

    def introduced(self, reply: Reply, again: bool = False) -> Reply:
        """A new enrolment's first reply, after what the aftercare messages are; begun again
        (one open or just left), after a line saying so: the patient has read what they are."""
        if again:
            return reply.after(self._t("ac_start_again"))
        return reply.after(self._t("ac_intro", days=self.course.days))

    def _date_question(self, state: Conversation, now: datetime) -> Reply:
        today = local_today(now, state.timezone)
        choices = [
            Button(self._t(key), buttons.pick_date(today - timedelta(days=ago)))
            for ago, key in DATE_CHOICES
        ]
        rows = (
            *button_rows(choices, 2),
            (Button(self._t("ac_other_date"), buttons.other_date()),),
            self._cancel_row(),
        )
        return Reply(self._t("ac_ask_date"), buttons=rows)

    def _time_question(self, state: Conversation) -> Reply:
        choices = tuple(Button(self._t(key), buttons.pick_time(at)) for key, at in TIME_CHOICES)
        text = self._t("ac_ask_time", zone=state.timezone)
        return Reply(text, buttons=(choices, self._cancel_row()))

    def _offered_zones(self) -> list[str]:
        """The zones the zone question offers as buttons: the clinic's first."""
        return [self.clinic_zone, *(z for z in COMMON_ZONES if z != self.clinic_zone)]

    def _zone_question(self, state: Conversation) -> Reply:
        choices = [Button(z.replace("_", " "), buttons.pick_zone(z)) for z in self._offered_zones()]
        return Reply(
            self._t("ac_ask_zone", zone=state.timezone),
            buttons=(*button_rows(choices, 2), self._cancel_row()),
        )

    def question(self, state: Conversation, now: datetime) -> Reply:
        """The open question of a conversation, asked again."""
        if state.step is Step.DATE:
            return self._date_question(state, now)
        if state.step in (Step.TIME, Step.NEW_TIME):
            return self._time_question(state)
        return self._zone_question(state)

    def on_text(self, state: Conversation, text: str, now: datetime) -> Turn | None:
        """The answer to something typed while a question is open; a button's label is the button.

        None when the text is no answer but a question of the patient's own, for the FAQ.
        """
        turn = self.read(state, text, now)
        return turn if turn is not None else self.unread(state, text, now)

    def unread(self, state: Conversation, text: str, now: datetime) -> Turn | None:
        """The turn for typed text the open question cannot `read`: the question asked again
        with the accepted forms, or None when the text is a question of the patient's own, for
        the FAQ."""
        text = seen(text)
        if self.locale.checkin.asks(text):
            return None
        return self._unreadable(state, text, now)

    def read(self, state: Conversation, text: str, now: datetime) -> Turn | None:
        """The turn for text read as the open question's answer; None when it cannot be read."""
        text = seen(text)
        press = self._label_typed(state, text, now)
        if isinstance(press, buttons.Cancel):
            return self.cancel(state)
        if press is not None:
            return self.on_press(state, press, now)
        if state.step is Step.DATE:
            today = local_today(now, state.timezone)
            days, words = self.course.days, self.locale.dates
            read = read_procedure_date(text, today, days, words)
            if read is Refusal.UNREADABLE:
                return None
            turn = self._date_read(state, read, now, now if counts_back(text, words) else None)
            said = order_unclear(text, words) or names_weekday(text, words)
            return self._date_said(turn, read) if said else turn
        if state.step in (Step.TIME, Step.NEW_TIME):
            if names_a_date(text, local_today(now, state.timezone), self.locale.dates):
                return self._date_at_time_question(state, text, now)
            return self._time_read(state, self._times(state, text), now)
        zone = None if is_abbreviation(text) else parse_zone(text)
        return None if zone is None else self._zone_chosen(state, zone, now)

    def _unreadable(self, state: Conversation, text: str, now: datetime) -> Turn:
        """The open question again, saying which forms it takes."""
        if state.step is Step.DATE:
            return self._date_refused(state, Refusal.UNREADABLE, now)
        if state.step in (Step.TIME, Step.NEW_TIME):
            reply = self._time_question(state)
            return Turn(replace(reply, text=self._t("ac_time_unreadable")), state)
        why = "ac_zone_unreadable"
        if is_offset(text):
            why = "ac_zone_offset"
        elif is_abbreviation(text):
            why = "ac_zone_abbreviation"
        return Turn(replace(self._zone_question(state), text=self._t(why)), state)

    def reminder(self, state: Conversation) -> Reply:
        """One line recalling the open question, after a question of the patient's own."""
        if state.step is Step.DATE:
            return Reply(self._t("ac_waiting_date"))
        if state.step in (Step.TIME, Step.NEW_TIME):
            return Reply(self._t("ac_waiting_time"))
        return Reply(self._t("ac_waiting_zone"))

    def _label_typed(
        self, state: Conversation, text: str, now: datetime
    ) -> EnrolmentPress | buttons.Cancel | None:
        """The open question's button whose label the text is ("another date"), if any."""
        said = said_words(text)
        labels = (b for row in self.question(state, now).buttons for b in row)
        data = next((b.data for b in labels if said and said_words(b.label) == said), None)
        press = buttons.parse(data) if data else None
        return press if isinstance(press, (*ENROLMENT_PRESSES, buttons.Cancel)) else None

    def on_press(self, state: Conversation, press: EnrolmentPress, now: datetime) -> Turn:
        """The answer to a question's button; a button of another question re-asks this one."""
        if state.step is Step.DATE and isinstance(press, buttons.OtherDate):
            return Turn(Reply(self._t("ac_type_date"), buttons=(self._cancel_row(),)), state)
        if state.step is Step.DATE and isinstance(press, buttons.PickDate):
            # The buttons count back from today ("Today", "Yesterday").
            today = local_today(now, state.timezone)
            read = check_procedure_date(press.day, today, self.course.days)
            return self._date_read(state, read, now, now)
        if state.step in (Step.TIME, Step.NEW_TIME) and isinstance(press, buttons.PickTime):
            return self._time_chosen(state, press.at, now)
        # Only a zone a button offers: forged data could carry "EST", which typed is refused.
        if (
            state.step in (Step.ZONE, Step.NEW_ZONE)
            and isinstance(press, buttons.PickZone)
            and press.zone in self._offered_zones()
        ):
            return self._zone_chosen(state, press.zone, now)
        return Turn(self.question(state, now), state)

    def _date_read(
        self, state: Conversation, result: date | Refusal, now: datetime, read_at: datetime | None
    ) -> Turn:
        if isinstance(result, Refusal):
            return self._date_refused(state, result, now)
        nxt = replace(state, step=Step.TIME, procedure_date=result, read_at=read_at)
        return Turn(self._time_question(nxt), nxt)

    def _date_said(self, turn: Turn, read: date | Refusal) -> Turn:
        """The turn saying first which date it read ("05/06": 6 May, not 5 June)."""
        if isinstance(read, Refusal):
            return turn
        month = self._t("ac_months").split()[read.month - 1]
        said = self._t("ac_date_read", day=read.day, month=month, year=read.year)
        return replace(turn, reply=turn.reply.after(said))

    def _date_refused(
        self, state: Conversation, refusal: Refusal, now: datetime, before: str = ""
    ) -> Turn:
        """The date question again, saying why the date was refused; the date is dropped."""
        again = Conversation(Step.DATE, state.timezone)
        why = f"{self._t(refusal.value, days=self.course.days)} {self._t('ac_date_forms')}"
        reply = self._date_question(again, now)
        return Turn(replace(reply, text=f"{before}{why}"), again)

    def _date_at_time_question(self, state: Conversation, text: str, now: datetime) -> Turn:
        """A date typed to the time question ("15.05."): in the sign-up, the procedure date
        corrected and the time asked again; for a running course, how to change its date."""
        if state.step is Step.NEW_TIME:
            return Turn(replace(self._time_question(state), text=self._t("ac_time_is_date")), state)
        today = local_today(now, state.timezone)
        read = read_procedure_date(text, today, self.course.days, self.locale.dates)
        if isinstance(read, Refusal):
            return self._date_refused(state, read, now)
        corrected = replace(state, procedure_date=read, read_at=None, readings=())
        month = self._t("ac_months").split()[read.month - 1]
        said = self._t("ac_date_corrected", day=read.day, month=month, year=read.year)
        return Turn(self._time_question(corrected).after(said), corrected)

    def _times(self, state: Conversation, text: str) -> tuple[time, ...]:
        """The times typed; after "07:00 or 19:00?", a part of the day alone ("evening", "pm")
        picks one."""
        readings = time_readings(text, self.locale.dates)
        if readings or not state.readings:
            return readings
        hour = state.readings[0].hour % 12 or 12
        return time_readings(f"{hour} {text}", self.locale.dates)

    def _time_read(
        self, state: Conversation, readings: tuple[time, ...], now: datetime
    ) -> Turn | None:
        """The time typed; for an hour that may be morning or evening, which one, asked."""
        if len(readings) == 1:
            return self._time_chosen(state, readings[0], now)
        if not readings:
            return None
        first, second = (hhmm(at) for at in readings)
        choices = tuple(Button(hhmm(at), buttons.pick_time(at)) for at in readings)
        text = self._t("ac_time_which", first=first, second=second)
        which = replace(state, readings=readings)
        return Turn(Reply(text, buttons=(choices, self._cancel_row())), which)

    def _time_chosen(self, state: Conversation, at: time, now: datetime) -> Turn:
        turn = self._time_taken(state, at, now)
        if at >= NIGHT_ENDS or turn.action is None:
            return turn
        night = self._t("ac_time_at_night", time=hhmm(at))
        return replace(turn, reply=replace(turn.reply, text=f"{turn.reply.text}\n\n{night}"))

    def _time_taken(self, state: Conversation, at: time, now: datetime) -> Turn:
        if state.step is Step.NEW_TIME:
            reply = Reply(self._t("ac_time_changed", time=hhmm(at), zone=state.timezone))
            return Turn(reply, None, Reschedule(at, state.timezone))
        if state.procedure_date is None:
            restart = replace(state, step=Step.DATE)
            return Turn(self._date_question(restart, now), restart)
        today = local_today(now, state.timezone)
        checked = check_procedure_date(state.procedure_date, today, self.course.days)
        if isinstance(checked, Refusal):  # the question stayed open past midnight, or longer
            return self._date_refused(state, checked, now)
        enrol = Enrol(state.procedure_date, at, state.timezone)
        return Turn(self.confirmation(enrol, now), None, enrol)

    def _with_offset(self, text: str, zone: str) -> str:
        """The text, and for a zone of no place ("Etc/GMT-3") what its offset is all year."""
        offset = fixed_offset(zone)
        return (
            text
            if offset is None
            else f"{text} {self._t('ac_zone_fixed', zone=zone, offset=offset)}"
        )

    def _zone_chosen(self, state: Conversation, zone: str, now: datetime) -> Turn:
        if state.step is Step.NEW_ZONE:
            at = state.send_time or TIME_CHOICES[0][1]
            changed = self._t("ac_time_changed", time=hhmm(at), zone=zone)
            return Turn(Reply(self._with_offset(changed, zone)), None, Reschedule(at, zone))
        back = replace(state, step=state.back_to or Step.DATE, timezone=zone, back_to=None)
        zone_set = self._with_offset(self._t("ac_zone_set", zone=zone), zone)
        if state.procedure_date is not None:
            # The date given before must be in the past in the patient's own zone.
            when = _reread(state.procedure_date, state, zone)
            checked = check_procedure_date(when, local_today(now, zone), self.course.days)
            if isinstance(checked, Refusal):
                return self._date_refused(back, checked, now, f"{zone_set}\n\n")
            back = replace(back, procedure_date=checked)
        question = self.question(back, now)
        return Turn(question.after(zone_set), back)

    def cancel(self, state: Conversation | None) -> Turn:
        """/cancel: leave the open question; a running course's change keeps what it had."""
        if state is None:
            return Turn(Reply(self._t("ac_nothing_to_cancel")), None)
        if state.step in (Step.NEW_TIME, Step.NEW_ZONE) and state.send_time is not None:
            at = hhmm(state.send_time)
            return Turn(Reply(self._t("ac_change_cancelled", time=at, zone=state.timezone)), None)
        return self._left(state, "ac_cancelled") or Turn(Reply(self._t("ac_cancelled")), None)

    def stop_sign_up(self, state: Conversation | None) -> Turn | None:
        """/stop during the sign-up: it is left; None when no sign-up is open."""
        return self._left(state, "ac_sign_up_stopped")

    def _left(self, state: Conversation | None, key: str) -> Turn | None:
        """The sign-up left with the reply `key`, its zone kept; None when none is open."""
        # The patient chose the zone: /aftercare again must not ask in the clinic's instead.
        if state is None or state.step not in (Step.DATE, Step.TIME, Step.ZONE):
            return None
        return Turn(Reply(self._t(key)), None, Leave(state.timezone))

    def ask_zone(self, state: Conversation | None, course: PatientCourse | None) -> Turn | None:
        """/timezone during enrolment or for a running course; None when there is neither."""
        if state is not None and state.step not in (Step.ZONE, Step.NEW_ZONE):
            nxt = replace(state, step=Step.ZONE, back_to=state.step)
            if state.step is Step.NEW_TIME:
                nxt = replace(state, step=Step.NEW_ZONE)
            return Turn(self._zone_question(nxt), nxt)
        if state is not None:
            return Turn(self._zone_question(state), state)
        if course is not None and course.status is not CourseStatus.ENDED:
            nxt = Conversation(Step.NEW_ZONE, course.timezone, send_time=course.send_time)
            return Turn(self._zone_question(nxt), nxt)
        return None

    def ask_new_time(self, course: PatientCourse) -> Turn:
        """The "change the time" button of the status."""
        state = Conversation(Step.NEW_TIME, course.timezone, send_time=course.send_time)
        return Turn(self._time_question(state), state)

    def confirmation(self, enrol: Enrol, now: datetime) -> Reply:
        """What will come, when, for how long, how to stop, and who watches the messages."""
        days = self.course.days
        day = clamp_day(course_day(enrol.procedure_date, now, enrol.timezone), days)
        last = last_date(enrol.procedure_date, days)
        today_key = "ac_enrolled_procedure_day" if day == FIRST_DAY else "ac_enrolled_day"
        # Enrolled on the last day, today's message is the only one: no daily messages to promise.
        key = "ac_enrolled_last_day" if day == days else "ac_enrolled"
        text = self._t(
            key,
            today=self._t(today_key, day=day, days=days),
            time=hhmm(enrol.send_time),
            zone=enrol.timezone,
            last=last.strftime("%d.%m.%Y"),
            phone=self.clinic_phone,
        )
        return Reply(text)
