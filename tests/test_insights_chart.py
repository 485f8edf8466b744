"""The /stats chart: the snapshot's figures, the PNG drawn from them, and its caption."""

from __future__ import annotations

import io
import struct
import threading
from datetime import date, timedelta

import numpy as np
import pytest
from matplotlib.image import imread

from bot.insights.chart import WIDTH_PX, ChartLabels, caption, render_png
from bot.insights.snapshot import (
    DayCounts,
    EntryUsage,
    Insights,
    fill_days,
    most_disliked,
    period,
)
from bot.locale import get_locale

END = date(2026, 3, 31)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 300 * 1024


def _insights() -> Insights:
    """A month of made-up but plausible figures."""
    start, end = period(END)
    rows = [
        (start + timedelta(days=i), kind, (i * step) % 11 + base)
        for i in range(30)
        for kind, step, base in (("answer", 3, 8), ("clarify", 5, 1), ("fallback", 7, 2))
    ]
    rows += [(END, "urgent", 2), (END - timedelta(days=9), "urgent", 1)]
    entries = (
        EntryUsage("how-long-lasts", "How long the result lasts", 64, 20, 3),
        EntryUsage("bruising", "Bruising", 41, 12, 9),
        EntryUsage("pain", "Does it hurt?", 30, 15, 0),
        EntryUsage("swelling", "Swelling after soft lifting, and how long it lasts", 22, 4, 6),
    )
    checkins = (("All good", 140), ("Swelling", 38), ("Bruising", 17), ("Something worrying", 2))
    return Insights(start, end, fill_days(rows, start, end), entries, checkins)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which follows the signature."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_fill_days_gives_every_day_of_the_period_with_zeros_for_missing_ones() -> None:
    start, end = period(END, 5)
    rows = [
        (END, "answer", 3),
        (END, "answer", 2),
        (END, "urgent", 1),
        (start, "fallback", 4),
        (start - timedelta(days=1), "answer", 99),  # before the period: ignored
    ]
    days = fill_days(rows, start, end)
    assert [d.day for d in days] == [start + timedelta(days=i) for i in range(5)]
    assert days[0] == DayCounts(start, fallback=4)
    assert days[-1] == DayCounts(END, answer=5, urgent=1)
    assert [d.total for d in days] == [4, 0, 0, 0, 6]


def test_fill_days_refuses_an_unknown_outcome_and_a_backwards_period() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        fill_days([(END, "maybe", 1)], END, END)
    with pytest.raises(ValueError, match="ends before"):
        fill_days([], END, END - timedelta(days=1))


def test_totals_add_up_over_days_outcomes_votes_and_checkins() -> None:
    insights = _insights()
    assert insights.questions == sum(
        insights.total(k) for k in DayCounts.__dataclass_fields__ if k != "day"
    )
    assert insights.total("urgent") == 3
    assert insights.votes == (51, 18)
    assert insights.checkin_total == 197


def test_most_disliked_entries_come_with_their_share_of_thumbs_down() -> None:
    worst = most_disliked(_insights().top_entries)
    assert [e.entry_id for e in worst] == ["bruising", "swelling", "how-long-lasts"]
    assert worst[0].not_helpful_share == pytest.approx(9 / 21)
    assert worst[1].not_helpful_share == pytest.approx(0.6)
    assert EntryUsage("x", "X", 3).not_helpful_share == 0.0


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_chart_is_a_phone_sized_png_that_is_not_blank(language: str) -> None:
    insights = _insights()
    png = render_png(insights, ChartLabels.from_locale(get_locale(language).t, insights))
    width, height = _png_size(png)
    assert width == WIDTH_PX
    assert 1.2 * width < height < 2.5 * width  # tall: one panel above the other
    assert 20_000 < len(png) < MAX_PNG_BYTES
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (height, width)
    colours = np.unique(pixels.reshape(-1, pixels.shape[2])[:, :3], axis=0)
    assert len(colours) > 20  # bars of several colours and anti-aliased text, not one flat fill


def test_an_empty_period_still_renders_with_its_frame() -> None:
    start, end = period(END)
    empty = Insights(start, end, fill_days([], start, end))
    png = render_png(empty, ChartLabels.from_locale(get_locale("en").t, empty))
    width, _height = _png_size(png)
    assert width == WIDTH_PX
    assert len(png) < MAX_PNG_BYTES


def test_dollar_signs_in_titles_and_labels_are_drawn_as_written() -> None:
    # Found by probing: matplotlib read text between two "$" as math, so an entry titled
    # "Is it $300 or $500?" lost its dollars, and "Cost: $_$" failed /stats and every digest.
    start, end = period(END)
    for name in ("Is it $300 or $500?", "Cost: $_$", r"Top-up $\frac{1}{$ ml"):
        odd = Insights(
            start,
            end,
            fill_days([(END, "answer", 3)], start, end),
            (EntryUsage("e", name, 3, 2, 1),),
            ((name, 4),),
        )
        png = render_png(odd, ChartLabels.from_locale(get_locale("en").t, odd))
        assert _png_size(png)[0] == WIDTH_PX


def test_two_threads_render_at_once_and_get_the_same_picture() -> None:
    insights = _insights()
    labels = ChartLabels.from_locale(get_locale("en").t, insights)
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(render_png(insights, labels)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert results[0] == results[1] == results[2]


def test_a_period_over_a_new_year_names_both_years() -> None:
    # Found by probing (probe17): "stats --days 3650" was captioned "Jan 03–Dec 31", a year.
    start, end = date(2016, 12, 25), date(2026, 12, 31)
    insights = Insights(start, end, fill_days([], start, end))
    assert caption(insights, get_locale("en").t).startswith("Dec 25, 2016–Dec 31, 2026: ")
    assert caption(insights, get_locale("ru").t).startswith("25.12.2016–31.12.2026: ")
    labels = ChartLabels.from_locale(get_locale("en").t, insights)
    assert labels.period == "Dec 25, 2016 to Dec 31, 2026"


def test_the_caption_is_one_line_with_the_totals_in_each_language() -> None:
    insights = _insights()
    english = caption(insights, get_locale("en").t)
    assert "\n" not in english
    assert english.startswith("Mar 02–Mar 31, 2026: ")
    assert f"questions {insights.questions}" in english
    assert f"{insights.total('fallback')} not covered" in english
    assert "👍 51 / 👎 18" in english
    assert "check-ins 197" in english
    russian = caption(insights, get_locale("ru").t)
    assert "\n" not in russian
    assert f"вопросов — {insights.questions}" in russian
