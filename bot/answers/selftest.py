"""The FAQ self-test: every phrasing must reach its own entry; declines must fall back."""

from __future__ import annotations

from bot.answers.knowledge import KnowledgeBase
from bot.answers.matcher import MAX_MESSAGE_CHARS, Decision, Kind, Matcher
from bot.faqdoc import Problem

# What to change, by where a phrasing went instead.
_URGENT_FIX = "reword it, or give the sign that catches it an exception ('!word')"
_ENTRY_FIX = {
    Kind.ANSWER: "reword it with words only this entry's phrasings use, or move it to that "
    "entry if that is what it asks",
}
_ENTRY_FIX_ELSE = "reword it with words of this entry, or add them to its keywords"
_DECLINE_FIX = {
    Kind.ANSWER: "reword it with the words of the subject the article does not cover, "
    "or leave it out",
}


def _describe(decision: Decision) -> str:
    if decision.kind is Kind.ANSWER:
        return f"entry '{decision.entry_id}' (score {decision.score})"
    names = ", ".join(f"'{c.entry_id}' {c.score}" for c in decision.candidates)
    return f"{decision.kind} ({names or 'no candidates'})"


def self_test(kb: KnowledgeBase, matcher: Matcher | None = None) -> list[Problem]:
    """Every conflict between a phrasing and where the matcher sends it, with its line."""
    matcher = matcher or Matcher(kb)
    conflicts: list[Problem] = []
    # A phrasing a red flag catches, named after the others as `red_flag_conflicts` names it;
    # the decision has read the flag already.
    caught: list[Problem] = []
    for entry in kb.entries:
        for question in entry.questions:
            decision = matcher.decide(question)
            if decision.red_flag is not None:
                caught.append(_caught(kb, "entry", entry.id, question, decision.red_flag.id))
            elif decision.kind is not Kind.ANSWER or decision.entry_id != entry.id:
                fix = _ENTRY_FIX.get(decision.kind, _ENTRY_FIX_ELSE)
                conflicts.append(
                    _conflict(
                        kb,
                        ("question", entry.id, question, "entry"),
                        f"entry '{entry.id}': question {question!r} reaches "
                        f"{_describe(decision)}: {fix}",
                    )
                )
    for decline in kb.declines:
        for question in decline.questions:
            decision = matcher.decide(question)
            if decision.red_flag is not None:
                caught.append(_caught(kb, "decline", decline.id, question, decision.red_flag.id))
            elif decision.kind is Kind.ANSWER:
                conflicts.append(
                    _conflict(
                        kb,
                        ("question", decline.id, question, "entry"),
                        f"decline '{decline.id}': question {question!r} reaches "
                        f"{_describe(decision)}: {_DECLINE_FIX[decision.kind]}",
                    )
                )
    return conflicts + caught + _flag_conflicts(kb, matcher)


def red_flag_conflicts(kb: KnowledgeBase, matcher: Matcher) -> list[Problem]:
    """Each flag's examples must trigger it; its not_examples and the FAQ's own questions no
    flag at all (a sign written too broadly on /reload makes them urgent)."""
    caught = [
        _caught(kb, kind, owner, question, flag.id)
        for owner, kind, questions in [
            *((e.id, "entry", e.questions) for e in kb.entries),
            *((d.id, "decline", d.questions) for d in kb.declines),
        ]
        for question in questions
        if (flag := matcher.red_flags.find(question[:MAX_MESSAGE_CHARS])) is not None
    ]
    return caught + _flag_conflicts(kb, matcher)


def _caught(kb: KnowledgeBase, kind: str, owner: str, question: str, flag_id: str) -> Problem:
    """A phrasing of an entry or decline that a red flag catches: it would get the urgent reply."""
    return _conflict(
        kb,
        ("question", owner, question, "entry"),
        f"{kind} '{owner}': question {question!r} reaches the red flag '{flag_id}': {_URGENT_FIX}",
    )


def _flag_conflicts(kb: KnowledgeBase, matcher: Matcher) -> list[Problem]:
    """Each flag's signs that cannot work as written, and its examples the signs disagree with."""
    conflicts: list[Problem] = []
    for flag in kb.red_flags:
        for sign, word in matcher.red_flags.reassuring_exceptions(flag):
            why = (
                f'the exception {word!r} reads as a reassurance, so "is it normal that ...?" '
                "would never raise the sign: remove it"
            )
            conflicts.append(_sign_conflict(kb, flag.id, sign, why))
        for sign, folded in matcher.red_flags.folded_words(flag):
            why = (
                f"messages read {', '.join(map(repr, folded))} side by side as synonym phrases, "
                "so the sign never matches them so written: join them with '_' "
                f"({folded[0].replace(' ', '_')!r}) to mean the phrase, leave them out, or use "
                "a pattern"
            )
            conflicts.append(_sign_conflict(kb, flag.id, sign, why))
        for example in flag.examples:
            hits = [f.id for f in matcher.red_flags.find_all(example)]
            if flag.id not in hits:
                found = ", ".join(f"'{h}'" for h in hits) or "no red flag"
                conflicts.append(
                    _conflict(
                        kb,
                        ("example", flag.id, example, "red flag"),
                        f"red flag '{flag.id}': example {example!r} does not trigger it "
                        f"({found}): add a sign that catches it, or change the example",
                    )
                )
        for example in flag.not_examples:
            hits = [f.id for f in matcher.red_flags.find_all(example)]
            if hits:
                found = ", ".join(f"'{h}'" for h in hits)
                conflicts.append(
                    _conflict(
                        kb,
                        ("not_example", flag.id, example, "red flag"),
                        f"red flag '{flag.id}': not_example {example!r} triggers {found}: give "
                        "the sign that catches it an exception ('!word') or an 'unless' word, "
                        "or change the not_example",
                    )
                )
    return conflicts


def _sign_conflict(kb: KnowledgeBase, flag_id: str, sign: str, why: str) -> Problem:
    """A conflict on the line of a flag's sign: what is wrong with it and how to mend it."""
    return _conflict(
        kb, ("sign", flag_id, sign, "red flag"), f"red flag '{flag_id}': sign {sign!r}: {why}"
    )


def _conflict(kb: KnowledgeBase, where: tuple[str, str, str, str], message: str) -> Problem:
    """A conflict on the line of its phrasing or example (else of its entry or flag)."""
    kind, owner, text, owner_kind = where
    line = kb.places.line(kind, f"{owner}\n{text}", kb.places.line(owner_kind, owner))
    return Problem(kb.source, line, message)
