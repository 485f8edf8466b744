"""The /stats chart as one PNG sized for a phone, and its one-line caption."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.insights.snapshot import KINDS, Insights

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# 1080 px wide, as a phone shows a photo across its screen; as tall as the rows need, so that
# each panel gets the whole width. Positions are in pixels from the top.
WIDTH_PX = 1080
DPI = 100
LEFT_PX = 90
RIGHT_PX = 40
HEADER_PX = 190  # the title, the period and the outcome legend
DAYS_PX = 520
DAYS_GAP_PX = 120  # the day labels under the bars
SECTION_PX = 90  # a panel's own title and the space above it
ROW_PX = 80  # a name and its bar
BOTTOM_PX = 30
# Text sizes in points at 100 dpi (1 pt = 1.39 px): large, as a phone shrinks the 1080 px to fit.
TITLE_PT = 26
TEXT_PT = 19
SMALL_PT = 17
TOP_ENTRIES = 6
NAME_WIDTH = 60  # characters of an entry's or answer's name above its bar
# Okabe-Ito colours: told apart with the common colour-vision deficiencies too.
COLOURS = {
    "answer": "#0072B2",
    "clarify": "#E69F00",
    "fallback": "#999999",
    "urgent": "#D55E00",
    "helpful": "#009E73",
    "not_helpful": "#D55E00",
    "checkin": "#56B4E9",
}

Translate = Callable[..., str]


@dataclass(frozen=True)
class ChartLabels:
    """Every word drawn on the chart, in the staff language."""

    title: str
    period: str
    kinds: tuple[str, str, str, str]  # in the order of KINDS
    entries: str
    helpful: str
    not_helpful: str
    checkins: str
    none: str
    asked: Callable[[int], str]
    day: Callable[[date], str]

    @classmethod
    def from_locale(cls, t: Translate, insights: Insights) -> ChartLabels:
        """The labels from a locale's `t` (Locale.t), with the period of `insights`."""
        return cls(
            title=t("insights_chart_title"),
            period=t("insights_chart_period", start=_since(insights, t), end=insights.end),
            kinds=(
                t("insights_chart_answer"),
                t("insights_chart_clarify"),
                t("insights_chart_fallback"),
                t("insights_chart_urgent"),
            ),
            entries=t("insights_chart_entries"),
            helpful=t("insights_chart_helpful"),
            not_helpful=t("insights_chart_not_helpful"),
            checkins=t("insights_chart_checkins"),
            none=t("insights_chart_none"),
            asked=lambda count: t("insights_chart_asked", count=count),
            day=lambda day: t("insights_chart_day", day=day),
        )


def render_png(insights: Insights, labels: ChartLabels) -> bytes:
    """The chart as PNG bytes: questions per day by outcome, top entries' votes, check-ins.

    Uses only matplotlib's object API on the Agg canvas (no pyplot, no global state), so it may
    run in a worker thread beside the event loop and beside another rendering.
    """
    entry_rows = max(len(insights.top_entries[:TOP_ENTRIES]), 1)
    checkin_rows = max(len(insights.checkins), 1)
    height = (
        HEADER_PX
        + DAYS_PX
        + DAYS_GAP_PX
        + 2 * SECTION_PX
        + (entry_rows + checkin_rows) * ROW_PX
        + BOTTOM_PX
    )
    # Imported here, not with the module: every command (ask, faq check) would pay its half
    # second, and its warnings about an unwritable home folder, to draw no chart.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)

    def axes(top: int, size: int) -> Axes:
        width = WIDTH_PX - LEFT_PX - RIGHT_PX
        box = (LEFT_PX / WIDTH_PX, 1 - (top + size) / height, width / WIDTH_PX, size / height)
        return figure.add_axes(box)

    figure.text(
        0.5,
        1 - 20 / height,
        labels.title,
        ha="center",
        va="top",
        fontsize=TITLE_PT,
        fontweight="bold",
    )
    figure.text(0.5, 1 - 70 / height, labels.period, ha="center", va="top", fontsize=TEXT_PT)
    _days(axes(HEADER_PX, DAYS_PX), insights, labels)
    top = HEADER_PX + DAYS_PX + DAYS_GAP_PX + SECTION_PX
    _entries(axes(top, entry_rows * ROW_PX), insights, labels)
    top += entry_rows * ROW_PX + SECTION_PX
    _checkins(axes(top, checkin_rows * ROW_PX), insights, labels)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def caption(insights: Insights, t: Translate) -> str:
    """The chart's one-line caption with the period's totals."""
    helpful, not_helpful = insights.votes
    return t(
        "insights_caption",
        start=_since(insights, t),
        end=insights.end,
        total=insights.questions,
        **{kind: insights.total(kind) for kind in KINDS},
        helpful=helpful,
        not_helpful=not_helpful,
        checkins=insights.checkin_total,
    )


def _since(insights: Insights, t: Translate) -> str:
    """The period's first day, with its year when that is not the last day's ("Dec 05, 2025")."""
    key = "insights_chart_day" if insights.start.year == insights.end.year else "insights_date_year"
    return t(key, day=insights.start)


def _style(ax: Axes, title: str) -> None:
    ax.set_title(title, fontsize=TEXT_PT + 2, loc="left", pad=20)
    ax.tick_params(labelsize=SMALL_PT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _note(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=TEXT_PT, transform=ax.transAxes)


def _none(ax: Axes, text: str) -> None:
    _note(ax, text)
    ax.set_axis_off()


def _days(ax: Axes, insights: Insights, labels: ChartLabels) -> None:
    """Stacked bars: one per day, one colour per outcome."""
    _style(ax, "")
    positions = list(range(len(insights.days)))
    bottom = [0] * len(positions)
    for kind, name in zip(KINDS, labels.kinds, strict=True):
        heights = [d.count(kind) for d in insights.days]
        ax.bar(positions, heights, bottom=bottom, color=COLOURS[kind], label=name, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=4,
        fontsize=SMALL_PT,
        frameon=False,
        handlelength=1.0,
        columnspacing=1.0,
        handletextpad=0.4,
    )
    ticks = positions[::7] if positions else []
    ax.set_xticks(ticks, [labels.day(insights.days[i].day) for i in ticks])
    ax.set_xlim(-0.6, max(len(positions), 1) - 0.4)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if not insights.questions:
        ax.set_ylim(0, 1)
        ax.set_yticks([0])
        _note(ax, labels.none)  # the empty axes stay: the days still show


def _entries(ax: Axes, insights: Insights, labels: ChartLabels) -> None:
    """A bar per top entry: helpful and not helpful, with how often it was asked."""
    from matplotlib.patches import Patch

    _style(ax, labels.entries)
    entries = insights.top_entries[:TOP_ENTRIES]
    if not entries:
        _none(ax, labels.none)
        return
    _labelled_bars(
        ax,
        [e.label for e in entries],
        [
            ((e.helpful, COLOURS["helpful"]), (e.not_helpful, COLOURS["not_helpful"]))
            for e in entries
        ],
        [f"{e.helpful} / {e.not_helpful} · {labels.asked(e.asked)}" for e in entries],
    )
    ax.legend(
        handles=[
            Patch(color=COLOURS["helpful"], label=labels.helpful),
            Patch(color=COLOURS["not_helpful"], label=labels.not_helpful),
        ],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        fontsize=SMALL_PT,
        frameon=False,
        handlelength=1.0,
    )


def _checkins(ax: Axes, insights: Insights, labels: ChartLabels) -> None:
    """A bar per check-in answer: how often it was given."""
    _style(ax, labels.checkins)
    if not insights.checkins:
        _none(ax, labels.none)
        return
    _labelled_bars(
        ax,
        [label for label, _ in insights.checkins],
        [((n, COLOURS["checkin"]),) for _, n in insights.checkins],
        [str(n) for _, n in insights.checkins],
    )


def _labelled_bars(
    ax: Axes,
    names: Sequence[str],
    segments: Sequence[Sequence[tuple[int, str]]],
    notes: Sequence[str],
) -> None:
    """Horizontal bars, each with its name on a line above it, so both get the full width."""
    widest = max((sum(n for n, _ in row) for row in segments), default=0) or 1
    for row, (name, parts, note) in enumerate(zip(names, segments, notes, strict=True)):
        left = 0
        for count, colour in parts:
            ax.barh(row, count, left=left, color=colour, height=0.4)
            left += count
        # The FAQ's words as written: "$300 or $500" is prices, not matplotlib's math.
        ax.text(0, row - 0.24, _short(name), va="bottom", fontsize=TEXT_PT, parse_math=False)
        ax.text(left + widest * 0.015, row, note, va="center", fontsize=SMALL_PT)
    ax.set_ylim(len(names) - 0.6, -0.6)
    ax.set_xlim(0, widest * 1.5)
    ax.set_axis_off()


def _short(name: str) -> str:
    """A name cut to one line of the chart."""
    return textwrap.shorten(name, NAME_WIDTH, placeholder="…")
