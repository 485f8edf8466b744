"""Red-flag detection: signs in a message that need a doctor now; pure."""

from __future__ import annotations

from bot.answers.knowledge import KnowledgeBase, RedFlag


def find_red_flag(kb: KnowledgeBase, text: str) -> RedFlag | None:
    """The first red flag whose pattern the message matches, emergencies first."""
    folded = " ".join(text.lower().split())
    hits = [flag for flag in kb.red_flags if any(p.search(folded) for p in flag.patterns)]
    if not hits:
        return None
    return next((f for f in hits if f.emergency), hits[0])
