"""Measure language detection both ways: English never read as Russian, translit read as Russian.

Run: .venv/bin/python benchmarks/bench_translit.py [--show]

English side (none may be detected as Russian): every question phrasing of the shipped
faq/softlifting.yaml (entries and declines), its red flags' examples and not_examples, and the
questions of the held-out and dev sets. Russian side: benchmarks/translit_ru.txt (our own
patient questions typed on a Latin keyboard, one a line), and, written by someone else, the
messages marked "# translit" in benchmarks/heldout_ru.yaml. Detection runs with English and
Russian loaded, on the shipped word lists. Exit code 1 when a target is missed: 0 English
messages read as Russian, at least 90% of our translit sentences read as Russian.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bot.answers.knowledge import KnowledgeBase
from bot.answers.language_detect import LanguageDetector
from bot.answers.languages import faq_words, load_each
from bot.answers.loader import load_faq

HERE = Path(__file__).parent
ROOT = HERE.parent
TRANSLIT_TARGET = 0.90
ENGLISH_SETS = (
    HERE / "heldout_en.yaml",
    HERE / "heldout_safety_en.yaml",
    HERE / "heldout_final_en.yaml",
    ROOT.parent / "shared" / "eval" / "dev_en.yaml",
    ROOT / "tests" / "redflag_table.yaml",
)
Sets = tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]
_TRANSLIT_LINE = re.compile(r"""^\s*-?\s*q:\s*(["'])(.*)\1\s*#\s*translit""")


def questions_of(path: Path) -> list[str]:
    """The questions of a held-out or dev set (a list of {q: ...}) or of the red flag table."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return [str(item["q"]) for item in data]
    return [
        str(q) for group in data.values() for key in ("positive", "negative") for q in group[key]
    ]


def faq_phrasings() -> tuple[list[str], list[str]]:
    """The shipped English FAQ's question phrasings, and its red flags' example sentences."""
    kb = load_faq()
    phrasings = [q for e in kb.entries for q in e.questions]
    phrasings += [q for d in kb.declines for q in d.questions]
    examples = [t for f in kb.red_flags for t in (*f.examples, *f.not_examples)]
    return phrasings, examples


def marked_translit(path: Path) -> list[str]:
    """The messages a set marks with a "# translit" comment."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _TRANSLIT_LINE.match(line)
        if match:
            found.append(match.group(2))
    return found


def detectors() -> list[tuple[str, LanguageDetector]]:
    """The word lists alone, and as `softlift-bot` runs: with the shipped FAQ files' own words."""
    plain = LanguageDetector(("en", "ru"))
    loaded = [kb for kb in load_each() if isinstance(kb, KnowledgeBase)]
    vocabulary = {kb.language: faq_words(kb) for kb in loaded}
    files = ", ".join(kb.source for kb in loaded)
    return [
        ("word lists only", plain),
        (
            f"word lists + the FAQ files' own words ({files})",
            LanguageDetector(("en", "ru"), vocabulary=vocabulary),
        ),
    ]


def measure(label: str, detector: LanguageDetector, sets: Sets, show: bool) -> bool:
    """Print one configuration's figures; True when both targets are met."""
    english, russian = sets
    timings: list[float] = []

    def language_of(text: str) -> str:
        begin = time.perf_counter()
        language = detector.detect(text).language
        timings.append((time.perf_counter() - begin) * 1000)
        return language

    print(f"== {label}")
    mistaken_total = english_total = 0
    print("English messages read as Russian (target 0):")
    for name, texts in english:
        mistaken = [t for t in texts if language_of(t) != "en"]
        mistaken_total += len(mistaken)
        english_total += len(texts)
        print(f"  {name}: {len(mistaken)}/{len(texts)}")
        for text in mistaken if show else ():
            print(f"    {text!r} {detector.translit_score(text)}")
    print(f"  all English: {mistaken_total}/{english_total}")
    print(f"Translit read as Russian (target >= {TRANSLIT_TARGET:.0%} of ours):")
    rates = []
    for name, texts in russian:
        missed = [t for t in texts if language_of(t) != "ru"]
        rates.append(1 - len(missed) / len(texts) if texts else 0.0)
        print(f"  {name}: {len(texts) - len(missed)}/{len(texts)} ({rates[-1]:.1%})")
        for text in missed if show else ():
            print(f"    {text!r} {detector.translit_score(text)}")
    timings.sort()
    print(
        f"Detection: {len(timings)} messages, median {statistics.median(timings):.3f} ms, "
        f"p99 {timings[int(len(timings) * 0.99)]:.3f} ms (word look-ups cached)"
    )
    return mistaken_total == 0 and rates[0] >= TRANSLIT_TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every miss and conversion")
    args = parser.parse_args()

    phrasings, examples = faq_phrasings()
    english: list[tuple[str, list[str]]] = [
        ("faq/softlifting.yaml phrasings", phrasings),
        ("faq/softlifting.yaml red flag examples", examples),
    ]
    english += [(p.name, questions_of(p)) for p in ENGLISH_SETS if p.is_file()]
    ours = [
        line.strip()
        for line in (HERE / "translit_ru.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    russian = [("translit_ru.txt (ours)", ours)]
    heldout_ru = HERE / "heldout_ru.yaml"
    if heldout_ru.is_file():
        russian.append(("heldout_ru.yaml # translit (not ours)", marked_translit(heldout_ru)))

    started = time.perf_counter()
    configurations = detectors()
    print(f"Loaded the word lists and FAQ files in {(time.perf_counter() - started):.2f} s")
    ok = all(measure(label, d, (english, russian), args.show) for label, d in configurations)
    if args.show:
        print("Our translit in Cyrillic (as run):")
        for text in ours:
            print(f"  {text} -> {configurations[-1][1].detect(text).text}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
