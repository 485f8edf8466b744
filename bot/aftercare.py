"""The aftercare course: enrolment questions, what is due when, day messages and check-ins; pure."""

from __future__ import annotations

import json
import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.knowledge import CheckinOption, Course, CourseRule, KnowledgeBase
from bot.locale import Locale, get_locale
from bot.replies import Button, Reply

# Button data, all starting with "ac:" (Telegram allows 64 bytes of callback data).
PREFIX = "ac:"
PICK_DATE = "ac:d:"  # + YYYY-MM-DD: the date the button stood for when it was shown
OTHER_DATE = "ac:d:other"
PICK_TIME = "ac:t:"  # + HHMM
PICK_ZONE = "ac:z:"  # + IANA name
CANCEL = "ac:x"
CHECKIN = "ac:c:"  # + course id:day:option id
FOLLOW_UP = "ac:f:"  # + course id
CHANGE_TIME = "ac:ct"
CHANGE_ZONE = "ac:cz"
PAUSE = "ac:p"
RESUME = "ac:r"
STOP = "ac:s"

DATE_CHOICES = (
    (0, "ac_today"),
    (1, "ac_yesterday"),
    (2, "ac_2_days_ago"),
    (3, "ac_3_days_ago"),
)
TIME_CHOICES = (("ac_morning", time(9)), ("ac_midday", time(13)), ("ac_evening", time(19)))
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
CHECKIN_COLUMNS = 2

_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")


# --- reading what the patient typed ----------------------------------------------------------


class Refusal(StrEnum):
    """Why a typed procedure date is not accepted; the value is the locale key of the answer."""

    UNREADABLE = "ac_date_unreadable"
    FUTURE = "ac_date_future"
    TOO_OLD = "ac_date_too_old"


def parse_date(text: str) -> date | None:
    """A date typed as DD.MM.YYYY, D.M.YY or YYYY-MM-DD, or None."""
    text = text.strip()
    if match := _DOTTED_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_procedure_date(text: str, today: date, max_days_ago: int) -> date | Refusal:
    """The procedure date typed by the patient, or why it is refused."""
    when = parse_date(text)
    if when is None:
        return Refusal.UNREADABLE
    if when > today:
        return Refusal.FUTURE
    if (today - when).days > max_days_ago:
        return Refusal.TOO_OLD
    return when


def parse_time(text: str) -> time | None:
    """A time of day typed as HH:MM (or H:MM, HH.MM), or None."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


@cache
def _zone_names() -> dict[str, str]:
    """Lower-case zone names, and unambiguous city names, to the IANA name."""
    names = sorted(n for n in available_timezones() if not n.startswith(("posix/", "right/")))
    lookup = {n.lower(): n for n in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    for city, matches in cities.items():
        if len(matches) == 1:
            lookup.setdefault(city, matches[0])
    return lookup


def parse_zone(text: str) -> str | None:
    """The IANA time zone a patient typed ("Europe/Berlin", "berlin", "New York"), or None."""
    return _zone_names().get("_".join(text.split()).lower())


# --- the schedule ------------------------------------------------------------------------------


def local_due(procedure: date, day: int, at: time, zone: str) -> datetime:
    """The UTC instant of local time `at` on course day `day` (day 1 is the procedure date)."""
    local = datetime.combine(procedure + timedelta(days=day - 1), at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def local_today(now: datetime, zone: str) -> date:
    """The patient's calendar date at the instant `now`."""
    return now.astimezone(ZoneInfo(zone)).date()


def course_day(procedure: date, now: datetime, zone: str) -> int:
    """The course day number at `now` in the patient's zone (day 1 is the procedure date)."""
    return (local_today(now, zone) - procedure).days + 1


def day_over(due_at: datetime, now: datetime, zone: str) -> bool:
    """True when the patient's local day of `due_at` has passed at `now`."""
    return local_today(now, zone) > local_today(due_at, zone)


def plan_days(
    procedure: date, at: time, zone: str, now: datetime, days: int
) -> tuple[tuple[int, datetime], ...]:
    """(day, due UTC) for the rest of the course: today's day at once, the others at `at`."""
    # A patient enrolling after the last day still gets the last day's message (and its
    # follow-up offer) rather than nothing.
    first = min(max(course_day(procedure, now, zone), 1), days)
    later = tuple((d, local_due(procedure, d, at, zone)) for d in range(first + 1, days + 1))
    return ((first, now.astimezone(UTC)), *later)


def follow_up_day(procedure: date, months: int) -> int:
    """The course day number of the same date `months` calendar months after the procedure."""
    index = procedure.month - 1 + months
    year, month = procedure.year + index // 12, index % 12 + 1
    when = date(year, month, min(procedure.day, monthrange(year, month)[1]))
    return (when - procedure).days + 1


# --- what the storage hands back ---------------------------------------------------------------


class CourseStatus(StrEnum):
    """Where a patient's course stands."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class EndReason(StrEnum):
    """Why a course ended."""

    COMPLETED = "completed"
    STOPPED = "stopped"
    BLOCKED = "blocked"


class DeliveryKind(StrEnum):
    """A day's message or the follow-up reminder months later."""

    DAY = "day"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True)
class PatientCourse:
    """One patient's course as stored."""

    id: int
    user_id: int
    chat_id: int
    procedure_date: date
    send_time: time
    timezone: str
    status: CourseStatus
    enrolled_at: datetime
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    next_due: datetime | None = None
    follow_up_due: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """One claimed message to send."""

    id: int
    course_id: int
    user_id: int
    chat_id: int
    day: int
    kind: DeliveryKind
    due_at: datetime
    timezone: str
    attempts: int


# --- the enrolment conversation ----------------------------------------------------------------


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

    def to_json(self) -> str:
        """The state as JSON text for storage."""
        return json.dumps(
            {
                "step": self.step.value,
                "timezone": self.timezone,
                "procedure_date": self.procedure_date.isoformat() if self.procedure_date else None,
                "send_time": self.send_time.strftime("%H:%M") if self.send_time else None,
                "back_to": self.back_to.value if self.back_to else None,
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
            )
        except (ValueError, KeyError, TypeError):
            return None


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
class Turn:
    """The reply to one step, the conversation to keep (None ends it) and what to do."""

    reply: Reply
    state: Conversation | None
    action: Enrol | Reschedule | None = None


@dataclass(frozen=True)
class CheckinPress:
    """A check-in button: which course, day and option."""

    course_id: int
    day: int
    option_id: str


@dataclass(frozen=True)
class StaffAlert:
    """A worrying check-in for the clinic's staff chat (the adapter adds name and @username)."""

    user_id: int
    course_id: int
    day: int
    answer: str


def read_checkin(data: str) -> CheckinPress | None:
    """The check-in a button carries, or None."""
    if not data.startswith(CHECKIN):
        return None
    parts = data[len(CHECKIN) :].split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return CheckinPress(int(parts[0]), int(parts[1]), parts[2])


def read_follow_up(data: str) -> int | None:
    """The course id a follow-up button carries, or None."""
    rest = data[len(FOLLOW_UP) :] if data.startswith(FOLLOW_UP) else ""
    return int(rest) if rest.isdigit() else None


def _hhmm(at: time) -> str:
    return at.strftime("%H:%M")


class Aftercare:
    """Builds every aftercare reply from the FAQ's course and the locale's strings."""

    def __init__(self, kb: KnowledgeBase, locale: Locale | None = None) -> None:
        if kb.course is None:
            raise ValueError(f"{kb.source} has no aftercare course")
        self.kb = kb
        self.course: Course = kb.course
        self.locale = locale or get_locale(kb.language)

    def _t(self, key: str, **values: object) -> str:
        return self.locale.t(key, **values)

    def _clinic_text(self, template: str) -> str:
        try:
            return template.format(**self.kb.clinic.fields())
        except (KeyError, IndexError, ValueError):
            return template

    def _cancel_row(self) -> tuple[Button, ...]:
        return (Button(self._t("ac_cancel_button"), CANCEL),)

    # enrolment

    def start(self, now: datetime) -> Turn:
        """The first question of a new enrolment, in the clinic's time zone."""
        state = Conversation(Step.DATE, self.kb.clinic.timezone)
        question = self._date_question(state, now)
        text = f"{self._t('ac_intro', days=self.course.days)}\n\n{question.text}"
        return Turn(replace(question, text=text), state)

    def _date_question(self, state: Conversation, now: datetime) -> Reply:
        today = local_today(now, state.timezone)
        buttons = [
            Button(self._t(key), f"{PICK_DATE}{(today - timedelta(days=ago)).isoformat()}")
            for ago, key in DATE_CHOICES
        ]
        rows = (
            (buttons[0], buttons[1]),
            (buttons[2], buttons[3]),
            (Button(self._t("ac_other_date"), OTHER_DATE),),
            self._cancel_row(),
        )
        return Reply(self._t("ac_ask_date"), buttons=rows)

    def _time_question(self, state: Conversation) -> Reply:
        choices = tuple(
            Button(self._t(key), f"{PICK_TIME}{at.strftime('%H%M')}") for key, at in TIME_CHOICES
        )
        text = self._t("ac_ask_time", zone=state.timezone)
        return Reply(text, buttons=(choices, self._cancel_row()))

    def _zone_question(self, state: Conversation) -> Reply:
        zones = [
            self.kb.clinic.timezone,
            *(z for z in COMMON_ZONES if z != self.kb.clinic.timezone),
        ]
        buttons = [Button(z.replace("_", " "), f"{PICK_ZONE}{z}") for z in zones]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        return Reply(
            self._t("ac_ask_zone", zone=state.timezone), buttons=(*rows, self._cancel_row())
        )

    def question(self, state: Conversation, now: datetime) -> Reply:
        """The open question of a conversation, asked again."""
        if state.step is Step.DATE:
            return self._date_question(state, now)
        if state.step in (Step.TIME, Step.NEW_TIME):
            return self._time_question(state)
        return self._zone_question(state)

    def on_text(self, state: Conversation, text: str, now: datetime) -> Turn:
        """The answer to something typed while a question is open."""
        if state.step is Step.DATE:
            max_ago = self.course.days
            result = read_procedure_date(text, local_today(now, state.timezone), max_ago)
            if isinstance(result, Refusal):
                refusal = self._t(result.value, days=max_ago)
                forms = self._t("ac_date_forms")
                reply = self._date_question(state, now)
                return Turn(replace(reply, text=f"{refusal} {forms}"), state)
            return self._date_chosen(state, result)
        if state.step in (Step.TIME, Step.NEW_TIME):
            at = parse_time(text)
            if at is None:
                reply = self._time_question(state)
                return Turn(replace(reply, text=self._t("ac_time_unreadable")), state)
            return self._time_chosen(state, at, now)
        zone = parse_zone(text)
        if zone is None:
            reply = self._zone_question(state)
            return Turn(replace(reply, text=self._t("ac_zone_unreadable")), state)
        return self._zone_chosen(state, zone, now)

    def on_button(self, state: Conversation | None, data: str, now: datetime) -> Turn:
        """The answer to a question's button; a stale one re-asks the open question."""
        if data == CANCEL:
            return self.cancel(state)
        if state is None:
            return Turn(self.stale(), None)
        if state.step is Step.DATE and data == OTHER_DATE:
            return Turn(Reply(self._t("ac_type_date"), buttons=(self._cancel_row(),)), state)
        if state.step is Step.DATE and data.startswith(PICK_DATE):
            return self.on_text(state, data[len(PICK_DATE) :], now)
        if state.step in (Step.TIME, Step.NEW_TIME) and data.startswith(PICK_TIME):
            raw = data[len(PICK_TIME) :]
            at = parse_time(f"{raw[:2]}:{raw[2:]}")
            if at is not None:
                return self._time_chosen(state, at, now)
        if state.step in (Step.ZONE, Step.NEW_ZONE) and data.startswith(PICK_ZONE):
            zone = parse_zone(data[len(PICK_ZONE) :])
            if zone is not None:
                return self._zone_chosen(state, zone, now)
        return Turn(self.question(state, now), state)

    def _date_chosen(self, state: Conversation, when: date) -> Turn:
        nxt = replace(state, step=Step.TIME, procedure_date=when)
        return Turn(self._time_question(nxt), nxt)

    def _time_chosen(self, state: Conversation, at: time, now: datetime) -> Turn:
        if state.step is Step.NEW_TIME:
            reply = Reply(self._t("ac_time_changed", time=_hhmm(at), zone=state.timezone))
            return Turn(reply, None, Reschedule(at, state.timezone))
        if state.procedure_date is None:
            restart = replace(state, step=Step.DATE)
            return Turn(self._date_question(restart, now), restart)
        enrol = Enrol(state.procedure_date, at, state.timezone)
        return Turn(self.confirmation(enrol, now), None, enrol)

    def _zone_chosen(self, state: Conversation, zone: str, now: datetime) -> Turn:
        if state.step is Step.NEW_ZONE:
            at = state.send_time or TIME_CHOICES[0][1]
            reply = Reply(self._t("ac_time_changed", time=_hhmm(at), zone=zone))
            return Turn(reply, None, Reschedule(at, zone))
        back = replace(state, step=state.back_to or Step.DATE, timezone=zone, back_to=None)
        question = self.question(back, now)
        text = f"{self._t('ac_zone_set', zone=zone)}\n\n{question.text}"
        return Turn(replace(question, text=text), back)

    def cancel(self, state: Conversation | None) -> Turn:
        """/cancel: leave the open question."""
        key = "ac_cancelled" if state is not None else "ac_nothing_to_cancel"
        return Turn(Reply(self._t(key)), None)

    def ask_zone(self, state: Conversation | None, course: PatientCourse | None) -> Turn:
        """/timezone: during enrolment, or for an enrolled patient's course."""
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
        return Turn(self.not_enrolled(), None)

    def ask_new_time(self, course: PatientCourse) -> Turn:
        """The "change the time" button of the status."""
        state = Conversation(Step.NEW_TIME, course.timezone, send_time=course.send_time)
        return Turn(self._time_question(state), state)

    def confirmation(self, enrol: Enrol, now: datetime) -> Reply:
        """What will come, when, for how long, how to stop, and who watches the messages."""
        day = min(max(course_day(enrol.procedure_date, now, enrol.timezone), 1), self.course.days)
        last = enrol.procedure_date + timedelta(days=self.course.days - 1)
        text = self._t(
            "ac_enrolled",
            day=day,
            days=self.course.days,
            time=_hhmm(enrol.send_time),
            zone=enrol.timezone,
            last=last.strftime("%d.%m.%Y"),
            phone=self.kb.clinic.phone,
        )
        return Reply(text)

    # the enrolled patient

    def status(self, course: PatientCourse, now: datetime) -> Reply:
        """Day N of the course, the next message's local time and the course buttons."""
        day = min(max(course_day(course.procedure_date, now, course.timezone), 1), self.course.days)
        lines = [self._t("ac_status_day", day=day, days=self.course.days)]
        if course.status is CourseStatus.PAUSED:
            lines.append(self._t("ac_status_paused"))
            toggle = Button(self._t("ac_resume_button"), RESUME)
        else:
            toggle = Button(self._t("ac_pause_button"), PAUSE)
            if course.next_due is not None:
                lines.append(self._t("ac_status_next", when=self._local(course.next_due, course)))
        if course.follow_up_due is not None:
            lines.append(
                self._t("ac_status_follow_up", when=self._local(course.follow_up_due, course))
            )
        rows = (
            (
                Button(self._t("ac_change_time_button"), CHANGE_TIME),
                Button(self._t("ac_change_zone_button"), CHANGE_ZONE),
            ),
            (toggle, Button(self._t("ac_stop_button"), STOP)),
        )
        return Reply("\n".join(lines), buttons=rows)

    def _local(self, when: datetime, course: PatientCourse) -> str:
        local = when.astimezone(ZoneInfo(course.timezone))
        return f"{local.strftime('%a %d.%m, %H:%M')} ({course.timezone})"

    def not_enrolled(self) -> Reply:
        """For course commands from a patient without a course."""
        return Reply(self._t("ac_not_enrolled"))

    def paused(self) -> Reply:
        """After the pause button."""
        return Reply(
            self._t("ac_paused"), buttons=((Button(self._t("ac_resume_button"), RESUME),),)
        )

    def resumed(self, course: PatientCourse, now: datetime) -> Reply:
        """After the resume button: the status again."""
        status = self.status(course, now)
        return replace(status, text=f"{self._t('ac_resumed')}\n{status.text}")

    def stopped(self) -> Reply:
        """After /stop or the stop button."""
        return Reply(self._t("ac_stopped"))

    def stale(self) -> Reply:
        """An outdated aftercare button."""
        return Reply(self._t("ac_stale"))

    # messages

    def day_message(self, course_id: int, day: int) -> Reply:
        """Day `day`'s note, the rules in force and the check-in question with its buttons."""
        parts = [self.course.note(day), *self._reminders(day)]
        parts.append(self.course.checkin_question)
        options = [
            Button(o.label, f"{CHECKIN}{course_id}:{day}:{o.id}")
            for o in self.course.checkin_options
        ]
        rows = [
            tuple(options[i : i + CHECKIN_COLUMNS]) for i in range(0, len(options), CHECKIN_COLUMNS)
        ]
        if day == self.course.days and self.course.follow_up_months:
            rows.append((Button(self.course.follow_up_button, f"{FOLLOW_UP}{course_id}"),))
        title = self._t("ac_day_title", day=day, days=self.course.days)
        return Reply("\n\n".join(parts), title, tuple(rows))

    def _reminders(self, day: int) -> list[str]:
        """Rules that start or end today in full, one rotating focus rule, the rest by name.

        Day 1 lists every rule in full; later days would otherwise repeat the same block.
        """
        rules = self.course.rules_for(day)
        if not rules:
            return []
        changing = [r for r in rules if day in (1, r.first_day, r.last_day)]
        ongoing = [r for r in rules if r not in changing]
        focus = [ongoing.pop(day % len(ongoing))] if ongoing else []
        lines = [self._t("ac_rules_header")]
        lines += [f"• {rule.text} ({self._rule_span(rule, day)})" for rule in (*changing, *focus)]
        parts = ["\n".join(lines)]
        for last_day in sorted({r.last_day for r in ongoing}):
            names = "; ".join(r.short for r in ongoing if r.last_day == last_day)
            parts.append(self._t("ac_rules_still", day=last_day, rules=names))
        return parts

    def _rule_span(self, rule: CourseRule, day: int) -> str:
        """How long a rule still applies, as seen on `day`."""
        if rule.first_day == rule.last_day:
            return self._t("ac_rule_today_only")
        if rule.last_day == day:
            return self._t("ac_rule_last_day")
        return self._t("ac_rule_until", day=rule.last_day)

    def follow_up_message(self) -> Reply:
        """The reminder months later, with the booking button when the clinic has one."""
        url = self.kb.clinic.booking_url
        rows = (
            ((Button(self._t("ac_book_button"), url=url),),)
            if url.startswith(("https://", "http://"))
            else ()
        )
        return Reply(self._clinic_text(self.course.follow_up_text), buttons=rows)

    def message_for(self, delivery: Delivery) -> Reply:
        """The message a claimed delivery carries."""
        if delivery.kind is DeliveryKind.FOLLOW_UP:
            return self.follow_up_message()
        return self.day_message(delivery.course_id, min(delivery.day, self.course.days))

    def checkin_option(self, press: CheckinPress) -> CheckinOption | None:
        """The option a check-in button names, if it still exists and the day is in the course."""
        if not 1 <= press.day <= self.course.days:
            return None
        return self.course.option(press.option_id)

    def checkin_reply(self, option: CheckinOption) -> Reply:
        """The advice for a check-in answer; the FAQ's urgent text for a worrying one."""
        if option.urgent:
            return Reply(self._clinic_text(self.kb.texts.urgent))
        return Reply(self._clinic_text(option.reply))

    def follow_up_scheduled(self, course: PatientCourse, due: datetime) -> Reply:
        """After the follow-up button."""
        local = due.astimezone(ZoneInfo(course.timezone))
        return Reply(self._t("ac_follow_up_set", date=local.strftime("%d.%m.%Y")))


def _render(reply: Reply) -> str:
    rows = [" ".join(f"[{b.label}]" for b in row) for row in reply.buttons]
    return "\n".join([reply.plain(), *rows])


def preview(kb: KnowledgeBase) -> str:
    """Every day of the course as a patient would receive it, then the follow-up reminder."""
    if kb.course is None:
        return f"{kb.source}: no aftercare course in this FAQ file\n"
    aftercare = Aftercare(kb)
    rule = "=" * 60
    blocks = [
        f"{rule}\n{_render(aftercare.day_message(0, day))}" for day in range(1, kb.course.days + 1)
    ]
    if kb.course.follow_up_months:
        title = aftercare.locale.t("ac_follow_up_title", months=kb.course.follow_up_months)
        blocks.append(f"{rule}\n{title}\n\n{_render(aftercare.follow_up_message())}")
    return "\n\n".join(blocks) + "\n"
