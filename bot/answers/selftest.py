"""The FAQ self-test: every phrasing must reach its own entry; declines must fall back."""

from __future__ import annotations

from bot.answers.knowledge import KnowledgeBase
from bot.answers.matcher import Decision, Kind, Matcher


def _describe(decision: Decision) -> str:
    if decision.kind is Kind.URGENT and decision.red_flag is not None:
        return f"the red flag '{decision.red_flag.id}'"
    if decision.kind is Kind.ANSWER:
        return f"entry '{decision.entry_id}' (score {decision.score})"
    names = ", ".join(f"'{c.entry_id}' {c.score}" for c in decision.candidates)
    return f"{decision.kind} ({names or 'no candidates'})"


def self_test(kb: KnowledgeBase, matcher: Matcher | None = None) -> list[str]:
    """Every conflict between a phrasing and where the matcher sends it."""
    matcher = matcher or Matcher(kb)
    conflicts: list[str] = []
    for entry in kb.entries:
        for question in entry.questions:
            decision = matcher.decide(question)
            if decision.kind is not Kind.ANSWER or decision.entry_id != entry.id:
                conflicts.append(
                    f"entry '{entry.id}': question {question!r} reaches {_describe(decision)}"
                )
    for decline in kb.declines:
        for question in decline.questions:
            decision = matcher.decide(question)
            if decision.kind is Kind.ANSWER or decision.kind is Kind.URGENT:
                conflicts.append(
                    f"decline '{decline.id}': question {question!r} reaches {_describe(decision)}"
                )
    return conflicts + red_flag_conflicts(kb, matcher)


def red_flag_conflicts(kb: KnowledgeBase, matcher: Matcher) -> list[str]:
    """Each flag's examples must trigger it; its not_examples must trigger no flag at all."""
    conflicts: list[str] = []
    for flag in kb.red_flags:
        for sign, word in matcher.red_flags.reassuring_exceptions(flag):
            conflicts.append(
                f"red flag '{flag.id}': sign {sign!r}: the exception {word!r} reads as a"
                ' reassurance, so "is it normal that ...?" would never raise the sign; remove it'
            )
        for example in flag.examples:
            hits = [f.id for f in matcher.red_flags.find_all(example)]
            if flag.id not in hits:
                found = ", ".join(f"'{h}'" for h in hits) or "no red flag"
                conflicts.append(
                    f"red flag '{flag.id}': example {example!r} does not trigger it ({found})"
                )
        for example in flag.not_examples:
            hits = [f.id for f in matcher.red_flags.find_all(example)]
            if hits:
                found = ", ".join(f"'{h}'" for h in hits)
                conflicts.append(f"red flag '{flag.id}': not_example {example!r} triggers {found}")
    return conflicts
