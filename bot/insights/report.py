"""The /unanswered text: grouped questions the FAQ did not cover, and the entries most 👎."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

from bot.insights.grouping import QuestionGroup
from bot.insights.snapshot import PERIOD_DAYS, EntryUsage

GROUPS_SHOWN = 15
EXAMPLE_CHARS = 80

Translate = Callable[..., str]


def unanswered_text(
    groups: Sequence[QuestionGroup],
    disliked: Sequence[EntryUsage],
    t: Translate,
    days: int = PERIOD_DAYS,
    shown: int = GROUPS_SHOWN,
) -> str:
    """The report: the largest groups with counts and an example, then the entries most 👎.

    `groups` as `group_questions` returns them (largest first); `disliked` as
    `snapshot.most_disliked` does. Plain text; the adapter escapes and splits it.
    """
    total = sum(g.count for g in groups)
    if not groups:
        lines = [t("unanswered_none", days=days)]
    else:
        lines = [t("unanswered_title", days=days, total=total, groups=len(groups))]
        for group in groups[:shown]:
            example = textwrap.shorten(
                " ".join(group.example.split()), EXAMPLE_CHARS, placeholder="…"
            )
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
