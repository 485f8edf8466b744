"""Matcher latency per question (median, p99) and the time to load and index the FAQ.

Run: .venv/bin/python benchmarks/bench_matcher.py [--faq PATH] [--questions N] [--load-runs N]
The load is timed for the one FAQ file and for both shipped languages (`load_languages`, with
the language detector), wall clock and the process's CPU time.
Questions are the FAQ's own phrasings perturbed the way patients type (typos, swapped words,
capitals, emoji, rambling prefixes) plus gibberish, so every code path of the matcher runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from bot.answers.assistant import Assistant
from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import load_languages
from bot.answers.loader import load_faq
from bot.locale import get_locale, word_list

NOISE = ["hi!", "sorry to bother you,", "quick question:", "my friend asked me", "😊", "??", "pls"]


def typo(word: str, rng: random.Random) -> str:
    """One random edit inside a word, as thumbs make."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(["swap", "drop", "double"])
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def perturb(question: str, rng: random.Random) -> str:
    """A patient-style variant of a phrasing."""
    words = [typo(w, rng) if rng.random() < 0.25 else w for w in question.split()]
    if len(words) > 3 and rng.random() < 0.3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    text = " ".join(words)
    if rng.random() < 0.2:
        text = text.upper()
    if rng.random() < 0.3:
        text = f"{rng.choice(NOISE)} {text} {rng.choice(NOISE)}"
    return text


def questions_for(kb: KnowledgeBase, count: int, seed: int = 7) -> list[str]:
    """`count` questions drawn from the FAQ's phrasings, perturbed, with 10% gibberish."""
    rng = random.Random(seed)
    phrasings = [q for e in kb.entries for q in e.questions] + [
        q for d in kb.declines for q in d.questions
    ]
    out = []
    for _ in range(count):
        if rng.random() < 0.1:
            out.append(
                "".join(rng.choice("qwrtzpsdfghjklxcvbnm ") for _ in range(rng.randint(3, 30)))
            )
        else:
            out.append(perturb(rng.choice(phrasings), rng))
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def time_loads(load: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each of `runs` loads, as a fresh process would load."""
    wall_ms, cpu_ms = [], []
    for _ in range(runs):
        # A fresh process reads the locale and its word list too.
        get_locale.cache_clear()
        word_list.cache_clear()
        start, cpu_start = time.perf_counter(), time.process_time()
        load()
        cpu_ms.append((time.process_time() - cpu_start) * 1000)
        wall_ms.append((time.perf_counter() - start) * 1000)
    return wall_ms, cpu_ms


def load_summary(wall_ms: list[float], cpu_ms: list[float]) -> str:
    """Median, min and max of the wall-clock times, and the median CPU time."""
    return (
        f"median {statistics.median(wall_ms):.1f} ms (min {min(wall_ms):.1f}, "
        f"max {max(wall_ms):.1f}) over {len(wall_ms)} runs; "
        f"CPU median {statistics.median(cpu_ms):.1f} ms (min {min(cpu_ms):.1f})"
    )


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--faq", default=None)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--load-runs", type=int, default=15)
    args = parser.parse_args()

    # CPU time too: another job on the machine can hold the CPU for part of a run, which the
    # wall clock counts and the process's CPU time does not.
    load_times = time_loads(lambda: Assistant(load_faq(args.faq)), args.load_runs)
    languages_times = time_loads(load_languages, args.load_runs)

    kb = load_faq(args.faq)
    matcher = Assistant(kb).matcher  # with the answer model beside the FAQ file, if any
    # Distinct questions only: the analyzer remembers a text it has read (a message is read by
    # the red-flag detector and the matcher), and a repeat would measure that memory.
    questions = list(dict.fromkeys(questions_for(kb, args.questions * 2)))[: args.questions]
    per_question_ms = []
    # CPU time too: decide() does no I/O, and on a shared machine another job's time slice
    # (a few ms) lands in the wall-clock p99 of whichever question it interrupted.
    cpu_ms = []
    for question in questions:
        start = time.perf_counter_ns()
        cpu_start = time.thread_time_ns()
        matcher.decide(question)
        cpu_ms.append((time.thread_time_ns() - cpu_start) / 1e6)
        per_question_ms.append((time.perf_counter_ns() - start) / 1e6)

    print(f"FAQ: {kb.source}: {len(kb.entries)} entries, {len(kb.declines)} declines")
    print(f"load + validate + index (FAQ, locale, word list): {load_summary(*load_times)}")
    print(
        "both shipped languages with the language detector (load_languages): "
        f"{load_summary(*languages_times)}"
    )
    print(
        f"decide() over {len(questions)} questions: median {statistics.median(per_question_ms):.3f} ms, "
        f"p99 {percentile(per_question_ms, 99):.3f} ms, max {max(per_question_ms):.3f} ms"
    )
    print(
        f"  its CPU time: median {statistics.median(cpu_ms):.3f} ms, "
        f"p99 {percentile(cpu_ms, 99):.3f} ms, max {max(cpu_ms):.3f} ms"
    )


if __name__ == "__main__":
    main()
