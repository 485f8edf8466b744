"""Typos in short words: how often a dropped, doubled or swapped letter is fixed, and that real
words are never "corrected".

Run: .venv/bin/python benchmarks/bench_typos.py

For every word of 4-6 letters in the FAQ's own vocabulary, each single-letter typo of the three
kinds (dropped, doubled, two neighbours swapped) that is not itself a real word of the language
is fed to the analyzer; it counts as fixed when the analyzer reads it as the original word.
Then every beginning (4 letters to two short of the end) of the FAQ's 7+ letter words that is not
a real word is fed in: how many read as the word, and how many as another word (rather than left
as they are). Then 5,000 real words of the language that the FAQ never uses are fed in: none may
change.
"""

from __future__ import annotations

import argparse
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
    """Print the fixed share per kind, words cut short, and the real words changed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--faq", default=None)
    assistant = Assistant(load_faq(parser.parse_args().faq))
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
    # A long word cut short ("wrink", "contraind"): its first 4 to len-2 letters.
    long_words = sorted(w for w in vocabulary if len(w) >= 7 and w.isalpha())
    total = read = wrong = 0
    for word in long_words:
        want = analyzer.tokens(word)
        for end in range(4, len(word) - 1):
            cut = word[:end]
            if cut in common or cut in vocabulary:
                continue
            total += 1
            got = analyzer.tokens(cut)
            read += got == want
            wrong += got != want and got != [analyzer.stems(cut).pop()]
    print(
        f"cut short: {read}/{total} beginnings of 7+ letter FAQ words read as the word "
        f"({read / total:.1%}); {wrong} read as another word ({wrong / total:.1%})"
    )
    real = sorted(w for w in common if w.isalpha() and len(w) >= 3 and w not in vocabulary)
    sample = random.Random(7).sample(real, 5000)
    changed = [w for w in sample if analyzer.correct(w) != w]
    print(f"real words changed: {len(changed)}/{len(sample)} {changed[:10]}")


if __name__ == "__main__":
    main()
