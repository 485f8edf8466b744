"""Every kind of button's data: one builder per kind and one parser; Telegram allows 64 bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from bot.locale import readable

# Prefixes are short and stable: buttons already shown in chats must keep working.
AFTERCARE_PREFIX = "ac:"
LANGUAGE_PREFIX = "lang:"
DATA_LIMIT = 64

_ID = r"[a-z0-9][a-z0-9-]{0,31}"
_ENTRY = re.compile(rf"e:({_ID})")
_GROUP = re.compile(rf"g:({_ID}):(\d{{1,3}})")
_VOTE = re.compile(rf"fb:([01]):({_ID})")
_DATE = re.compile(r"ac:d:(\d{4}-\d{2}-\d{2})")
_TIME = re.compile(r"ac:t:([01]\d|2[0-3])([0-5]\d)")
_ZONE = re.compile(r"ac:z:([A-Za-z0-9_+\-/]{1,50})")
_CHECKIN = re.compile(rf"ac:c:(\d{{1,12}}):(\d{{1,3}}):({_ID})")
_FOLLOW_UP = re.compile(r"ac:f:(\d{1,12})")
_LANGUAGE = re.compile(r"lang:([a-z]{2,3})")


class CourseAction(StrEnum):
    """The buttons under an enrolled patient's status; the value is the button data."""

    CHANGE_TIME = "ac:ct"
    CHANGE_ZONE = "ac:cz"
    PAUSE = "ac:p"
    RESUME = "ac:r"
    STOP = "ac:s"


@dataclass(frozen=True)
class ShowEntry:
    """Show one FAQ entry."""

    entry_id: str


@dataclass(frozen=True)
class ShowTopics:
    """Show the topic list."""


@dataclass(frozen=True)
class ShowGroup:
    """Show one page of a topic's entries."""

    topic_id: str
    page: int


@dataclass(frozen=True)
class Vote:
    """A 👍 or 👎 on an entry."""

    entry_id: str
    helpful: bool


@dataclass(frozen=True)
class NoneOfThese:
    """None of the "did you mean" candidates."""


@dataclass(frozen=True)
class PickDate:
    """A procedure date offered as a button."""

    day: date


@dataclass(frozen=True)
class OtherDate:
    """The patient will type the procedure date."""


@dataclass(frozen=True)
class PickTime:
    """A send time offered as a button."""

    at: time


@dataclass(frozen=True)
class PickZone:
    """A time zone offered as a button (checked against the zone database by the course)."""

    zone: str


@dataclass(frozen=True)
class Cancel:
    """Leave the open aftercare question."""


@dataclass(frozen=True)
class Checkin:
    """An answer to "how do you feel today?"."""

    course_id: int
    day: int
    option_id: str


@dataclass(frozen=True)
class FollowUp:
    """Ask for the follow-up reminder months later."""

    course_id: int


@dataclass(frozen=True)
class Course:
    """A button under the status of a running course."""

    action: CourseAction


@dataclass(frozen=True)
class ChooseLanguage:
    """The patient's choice of language (/language)."""

    language: str


Press = (
    ShowEntry
    | ShowTopics
    | ShowGroup
    | Vote
    | NoneOfThese
    | PickDate
    | OtherDate
    | PickTime
    | PickZone
    | Cancel
    | Checkin
    | FollowUp
    | Course
    | ChooseLanguage
)

_FIXED: dict[str, Press] = {
    "tp": ShowTopics(),
    "none": NoneOfThese(),
    "ac:d:other": OtherDate(),
    "ac:x": Cancel(),
    **{action.value: Course(action) for action in CourseAction},
}
_FIXED_DATA = {press: data for data, press in _FIXED.items()}


def entry(entry_id: str) -> str:
    """Data of a button that shows an entry."""
    return f"e:{entry_id}"


def topics() -> str:
    """Data of the "all topics" button."""
    return _FIXED_DATA[ShowTopics()]


def group(topic_id: str, page: int) -> str:
    """Data of a button that shows a page of a topic."""
    return f"g:{topic_id}:{page}"


def vote(entry_id: str, helpful: bool) -> str:
    """Data of a 👍 / 👎 button."""
    return f"fb:{int(helpful)}:{entry_id}"


def none_of_these() -> str:
    """Data of the "none of these" button."""
    return _FIXED_DATA[NoneOfThese()]


def pick_date(day: date) -> str:
    """Data of a procedure date button."""
    return f"ac:d:{day.isoformat()}"


def other_date() -> str:
    """Data of the "another date" button."""
    return _FIXED_DATA[OtherDate()]


def pick_time(at: time) -> str:
    """Data of a send time button."""
    return f"ac:t:{at.strftime('%H%M')}"


def pick_zone(zone: str) -> str:
    """Data of a time zone button."""
    return f"ac:z:{zone}"


def cancel() -> str:
    """Data of the cancel button."""
    return _FIXED_DATA[Cancel()]


def checkin(course_id: int, day: int, option_id: str) -> str:
    """Data of a check-in answer button."""
    return f"ac:c:{course_id}:{day}:{option_id}"


def follow_up(course_id: int) -> str:
    """Data of the follow-up reminder button."""
    return f"ac:f:{course_id}"


def course(action: CourseAction) -> str:
    """Data of a button under the course status."""
    return action.value


def choose_language(language: str) -> str:
    """Data of a /language button."""
    return f"{LANGUAGE_PREFIX}{language}"


def is_aftercare(data: str) -> bool:
    """True for the data of an aftercare button."""
    return data.startswith(AFTERCARE_PREFIX)


def parse(data: str) -> Press | None:
    """What a button's data asks for; None for data no button of this bot carries."""
    # Forged data may hold half a surrogate pair (a JSON "\ud83d"), which no encoder takes.
    data = readable(data)
    if len(data.encode()) > DATA_LIMIT:
        return None
    if (fixed := _FIXED.get(data)) is not None:
        return fixed
    if m := _ENTRY.fullmatch(data):
        return ShowEntry(m.group(1))
    if m := _GROUP.fullmatch(data):
        return ShowGroup(m.group(1), int(m.group(2)))
    if m := _VOTE.fullmatch(data):
        return Vote(m.group(2), m.group(1) == "1")
    if m := _TIME.fullmatch(data):
        return PickTime(time(int(m.group(1)), int(m.group(2))))
    if m := _ZONE.fullmatch(data):
        return PickZone(m.group(1))
    if m := _CHECKIN.fullmatch(data):
        return Checkin(int(m.group(1)), int(m.group(2)), m.group(3))
    if m := _FOLLOW_UP.fullmatch(data):
        return FollowUp(int(m.group(1)))
    if m := _LANGUAGE.fullmatch(data):
        return ChooseLanguage(m.group(1))
    if m := _DATE.fullmatch(data):
        try:
            return PickDate(date.fromisoformat(m.group(1)))
        except ValueError:
            return None
    return None
