"""The admin reports as text: /stats text, and /unanswered (grouped questions, the most 👎)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

from bot.answers.knowledge import KnowledgeBase
from bot.insights.grouping import QuestionGroup
from bot.insights.snapshot import PERIOD_DAYS, EntryUsage
from bot.locale import Locale, on_one_line
from bot.messages import Reply
from bot.storage.courses import CheckinCount
from bot.storage.stats import Report

GROUPS_SHOWN = 15
EXAMPLE_CHARS = 80

Translate = Callable[..., str]


def unanswered_text(
    groups: Sequence[QuestionGroup],
    disliked: Sequence[EntryUsage],
    t: Translate,
    days: int = PERIOD_DAYS,
    shown: int = GROUPS_SHOWN,
    total: int | None = None,
) -> str:
    """The report: the largest groups with counts and an example, then the entries most 👎.

    `groups` as `group_questions` returns them (largest first); `disliked` as
    `snapshot.most_disliked` does; `total` the period's questions when only the latest were
    grouped. Plain text; the adapter escapes and splits it.
    """
    grouped = sum(g.count for g in groups)
    total = max(total or 0, grouped)
    if not groups:
        lines = [t("unanswered_none", days=days)]
    else:
        lines = [t("unanswered_title", days=days, total=total, groups=len(groups))]
        if total > grouped:
            lines.append(t("unanswered_latest", grouped=grouped))
        for group in groups[:shown]:
            example = one_line(group.example)
            ways = len(group.phrasings)
            key = "unanswered_group_ways" if ways > 1 else "unanswered_group_line"
            lines.append(t(key, count=group.count, example=example, ways=ways))
        rest = groups[shown:]
        if rest:
            lines.append(t("unanswered_more", groups=len(rest), count=sum(g.count for g in rest)))
    lines.append("")
    if disliked:
        lines.append(t("unanswered_disliked_title"))
        lines += [
            t(
                "unanswered_disliked_line",
                label=e.label,
                not_helpful=e.not_helpful,
                votes=e.votes,
                share=round(e.not_helpful_share * 100),
            )
            for e in disliked
        ]
    else:
        lines.append(t("unanswered_disliked_none"))
    return "\n".join(lines)


def one_line(text: str, width: int = EXAMPLE_CHARS) -> str:
    """A patient's text on one line of at most `width` characters, cut at a word if it can be."""
    # Without direction controls: an override would reverse the line and the report after it.
    flat = on_one_line(text)
    short = textwrap.shorten(flat, width, placeholder="…")
    # shorten drops a first word longer than the line whole: "…" alone would show nothing.
    return flat[: width - 1] + "…" if short == "…" != flat else short


def stats_reply(
    report: Report, kb: KnowledgeBase, locale: Locale, checkins: Sequence[CheckinCount] = ()
) -> Reply:
    """The /stats report as a reply; check-in counts per day and answer when there is a course."""

    def title(entry_id: str) -> str:
        entry = kb.entry(entry_id)
        return entry.title if entry else entry_id

    def period(days: int, counts: dict[str, int]) -> str:
        return locale.t("stats_period", days=days, total=sum(counts.values()), **counts)

    def section(header: str, lines: list[str]) -> str:
        return "\n".join([locale.t(header), *(lines or [locale.t("stats_none")])])

    count_line = "stats_count_line"
    sections = [
        period(7, report.last_7_days),
        period(30, report.last_30_days),
        section(
            "stats_top_entries",
            [locale.t(count_line, label=title(e), count=n) for e, n in report.top_entries],
        ),
        section(
            "stats_feedback",
            [
                locale.t(
                    "stats_feedback_line",
                    label=title(f.entry_id),
                    helpful=f.helpful,
                    not_helpful=f.not_helpful,
                )
                for f in report.feedback
            ],
        ),
        section(
            "stats_unanswered",
            [locale.t(count_line, label=one_line(text), count=n) for text, n in report.unanswered],
        ),
    ]
    if kb.course is not None or checkins:
        sections.append(section("stats_checkins", _checkin_lines(checkins, kb, locale)))
    return Reply("\n\n".join(sections), title=locale.t("stats_title"))


def _checkin_lines(
    checkins: Sequence[CheckinCount], kb: KnowledgeBase, locale: Locale
) -> list[str]:
    """One line per course day: each answer's label and how often it was given."""
    labels = {o.id: o.label for o in kb.course.checkin_options} if kb.course else {}
    by_day: dict[int, list[str]] = {}
    for count in checkins:
        label = labels.get(count.answer, count.answer)
        by_day.setdefault(count.day, []).append(
            locale.t("stats_checkin_answer", label=label, count=count.count)
        )
    return [
        locale.t("stats_checkin_line", day=day, answers=", ".join(answers))
        for day, answers in sorted(by_day.items())
    ]
