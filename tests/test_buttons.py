"""Button data: every builder's data parses back to what it was built from; forged data does not."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot import buttons
from bot.buttons import CourseAction


@pytest.mark.parametrize(
    ("data", "press"),
    [
        (buttons.entry("swelling"), buttons.ShowEntry("swelling")),
        (buttons.topics(), buttons.ShowTopics()),
        (buttons.group("procedure", 2), buttons.ShowGroup("procedure", 2)),
        (buttons.vote("pain", True), buttons.Vote("pain", True)),
        (buttons.vote("pain", False), buttons.Vote("pain", False)),
        (buttons.none_of_these(), buttons.NoneOfThese()),
        (buttons.pick_date(date(2025, 5, 20)), buttons.PickDate(date(2025, 5, 20))),
        (buttons.other_date(), buttons.OtherDate()),
        (buttons.pick_time(time(9, 30)), buttons.PickTime(time(9, 30))),
        (buttons.pick_zone("America/New_York"), buttons.PickZone("America/New_York")),
        (buttons.cancel(), buttons.Cancel()),
        (buttons.checkin(12, 3, "all-good"), buttons.Checkin(12, 3, "all-good")),
        (buttons.follow_up(12), buttons.FollowUp(12)),
        *((buttons.course(a), buttons.Course(a)) for a in CourseAction),
        (buttons.choose_language("ru"), buttons.ChooseLanguage("ru")),
    ],
)
def test_every_kind_round_trips(data: str, press: buttons.Press) -> None:
    assert buttons.parse(data) == press
    assert len(data.encode()) <= buttons.DATA_LIMIT


@pytest.mark.parametrize(
    "data",
    [
        "",
        "zzz",
        "e:",
        "e:Bad Id",
        "g:procedure:x",
        "g:procedure:-1",
        "fb:2:pain",
        "ac:d:2025-13-40",
        "ac:t:2460",
        "ac:t:9",
        "ac:c:1:2",
        "ac:c:x:1:good",
        "ac:c:1:999999:good",
        "ac:f:",
        "ac:z:../../etc",
        "e:" + "a" * 70,
        "lang:",
        "lang:RU",
        "lang:russian",
    ],
)
def test_forged_data_parse_to_nothing(data: str) -> None:
    assert buttons.parse(data) is None


def test_aftercare_buttons_share_one_prefix() -> None:
    aftercare = [buttons.cancel(), buttons.checkin(1, 1, "x"), buttons.course(CourseAction.STOP)]
    assert all(buttons.is_aftercare(d) for d in aftercare)
    assert not buttons.is_aftercare(buttons.entry("pain"))
