"""Russian morphology: Snowball's stemmer (kept) against the pymorphy3 lemmatiser.

Run: .venv/bin/python benchmarks/bench_ru_morphology.py
(the lemmatiser row needs `pip install pymorphy3 pymorphy3-dicts-ru`, which the bot does not
depend on; without it only the stemmer row is printed)

Each row builds the Russian answer engine over faq/softlifting.ru.yaml with one way of reducing
words and asks it directly (no language detection, so the translit questions of the sets go
unanswered in both rows alike) and reports, with the matcher alone (the answer model learnt the stemmer's tokens): the FAQ
self-test conflicts (every phrasing must reach its own entry, as `faq check` counts them), the
shared Russian dev set and our Russian held-out set (in scope / declined / confidently wrong),
the time to build the engine, and the median and p99 time per question.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.answers.analyzer import Analyzer
from bot.answers.assistant import Assistant
from bot.answers.loader import load_faq
from bot.answers.selftest import self_test

sys.path.insert(0, str(Path(__file__).parent))
from score_heldout import judge

HERE = Path(__file__).parent
SETS = (HERE.parent.parent / "shared" / "eval" / "dev_ru.yaml", HERE / "heldout_ru.yaml")


def lemmatiser() -> Callable[[Analyzer, str], str] | None:
    """A replacement for Analyzer._stem that returns pymorphy3's normal form, if installed."""
    try:
        import pymorphy3
    except ImportError:
        return None
    morph = pymorphy3.MorphAnalyzer()
    cache: dict[str, str] = {}

    def stem(self: Analyzer, word: str) -> str:
        if word not in cache:
            cache[word] = str(morph.parse(word)[0].normal_form).replace("ё", "е")
        return cache[word]

    return stem


def row(name: str) -> None:
    """Build the Russian engine as it is now patched and print one row."""
    kb = load_faq(HERE.parent / "faq" / "softlifting.ru.yaml")
    start = time.perf_counter()
    assistant = Assistant(kb)
    build_ms = (time.perf_counter() - start) * 1000
    # The words alone, as faq check's self-test reads them: the answer model learnt the
    # stemmer's tokens, and would favour that row (and counted conflicts faq check does not).
    assistant.matcher.model = None
    conflicts = len(self_test(kb, assistant.matcher))
    parts = [f"{name}: self-test conflicts {conflicts}", f"build {build_ms:.0f} ms"]
    times: list[float] = []
    for path in SETS:
        if not path.is_file():
            continue
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        counts = {"in": [0, 0], "out": [0, 0], "urgent": [0, 0]}
        wrong = 0
        for item in items:
            t = time.perf_counter_ns()
            outcome = assistant.ask(item["q"])
            times.append((time.perf_counter_ns() - t) / 1e6)
            kind, good, bad = judge(item, outcome)
            counts[kind][0] += 1
            counts[kind][1] += good
            wrong += bad
        (n_in, ok_in), (n_out, ok_out) = counts["in"], counts["out"]
        parts.append(
            f"{path.name}: in {ok_in}/{n_in}, declined {ok_out}/{n_out}, wrong {wrong}/{len(items)}"
        )
    times.sort()
    parts.append(
        f"median {statistics.median(times):.2f} ms, p99 {times[int(len(times) * 0.99)]:.2f} ms"
    )
    print(" | ".join(parts))


def main() -> None:
    """Print the stemmer row, then the lemmatiser row when pymorphy3 is installed."""
    row("snowball stemmer")
    stem = lemmatiser()
    if stem is None:
        print("pymorphy3 lemmatiser: not installed (pip install pymorphy3 pymorphy3-dicts-ru)")
        return
    Analyzer._stem = stem  # type: ignore[method-assign]
    row("pymorphy3 lemmatiser")


if __name__ == "__main__":
    main()
