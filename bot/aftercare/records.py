"""What the storage hands back about courses and their messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


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
    EXPIRED = "expired"  # resumed after its last day: its days ran out while it was paused


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
    last_day_sent: int | None = None  # the latest day whose message went out
    answer_ids: tuple[int, ...] = ()  # the messages that answered the enrolment's questions
    change_ids: tuple[int, ...] = ()  # the messages typed as a new time or zone, latest last
    change_step: str = ""  # the question the latest answered; "" once a button changed them


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
    language: str | None = None  # the patient's stored language at the claim


@dataclass(frozen=True)
class StaffAlert:
    """A worrying check-in for the clinic's staff chat (the adapter adds name and @username)."""

    user_id: int
    course_id: int | None  # None: pressed on an old message when the patient has no course
    day: int | None
    answer: str
    # The check-in option's id, so the staff see its label in their own language.
    option_id: str | None = field(default=None, compare=False)
