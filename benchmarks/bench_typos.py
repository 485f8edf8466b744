"""Typos in short words: how often a dropped, doubled or swapped letter is fixed, and that real
words are never "corrected".

Run: .venv/bin/python benchmarks/bench_typos.py

For every word of 4-6 letters in the FAQ's own vocabulary, each single-letter typo of the three
kinds (dropped, doubled, two neighbours swapped) that is not itself a real word of the language
is fed to the analyzer; it counts as fixed when the analyzer reads it as the original word.
Then 5,000 real words of the language that the FAQ never uses are fed in: none may change.
"""

from __future__ import annotations

import random

from rapidfuzz import utils

from bot.answers.assistant import Assistant
from bot.answers.loader import load_faq


def typos(word: str) -> dict[str, set[str]]:
    """Every dropped, doubled and swapped-letter variant of a word, by kind."""
    out: dict[str, set[str]] = {"dropped": set(), "doubled": set(), "swapped": set()}
    for i in range(len(word)):
        out["dropped"].add(word[:i] + word[i + 1 :])
        out["doubled"].add(word[:i] + word[i] + word[i:])
        if i + 1 < len(word) and word[i] != word[i + 1]:
            out["swapped"].add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


def main() -> None:
    """Print the fixed share per kind and the real words changed."""
    assistant = Assistant(load_faq())
    analyzer, common = assistant.matcher.analyzer, assistant.locale.common_words
    texts = [q for e in assistant.kb.entries for q in (*e.questions, e.title, *e.keywords)]
    vocabulary = {w for t in texts for w in utils.default_process(t).split()}
    short = sorted(w for w in vocabulary if 4 <= len(w) <= 6 and w.isalpha())
    for kind in ("dropped", "doubled", "swapped"):
        total = fixed = 0
        for word in short:
            want = analyzer.tokens(word)
            for typo in typos(word)[kind]:
                if typo in common or typo in vocabulary or len(typo) < 3:
                    continue  # a real word: it must not be changed (checked below)
                total += 1
                fixed += analyzer.tokens(typo) == want
        print(
            f"{kind:>8}: {fixed}/{total} typos of 4-6 letter FAQ words fixed ({fixed / total:.1%})"
        )
    real = sorted(w for w in common if w.isalpha() and len(w) >= 3 and w not in vocabulary)
    sample = random.Random(7).sample(real, 5000)
    changed = [w for w in sample if analyzer.correct(w) != w]
    print(f"real words changed: {len(changed)}/{len(sample)} {changed[:10]}")


if __name__ == "__main__":
    main()
