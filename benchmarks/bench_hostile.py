"""Hostile input: how long one message of made-up words, a single huge word or invisible
characters takes through `Languages.ask` (both languages loaded, warm process).

Run: .venv/bin/python benchmarks/bench_hostile.py

Each kind is 4,096 characters (Telegram's limit; red flags read that far, the FAQ matching the
first 2,000) or 2,000, built from a fixed seed, new words for every run so that no cache helps.
Medians and maxima of 5 runs in milliseconds, wall clock and the thread's CPU time.
"""

from __future__ import annotations

import random
import statistics
import string
import time
from collections.abc import Callable

from bot.answers.languages import load_languages

CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюя"
# Real questions, so that every "?" sentence and every "and" between two questions is a clause
# the matcher may judge on its own (the two-questions and question-sentence rules).
QUESTIONS = (
    "does it hurt",
    "how long does it last",
    "can i go to the sauna after",
    "сколько длится процедура",
    "больно ли",
    "when can i wear makeup",
)


def words(rng: random.Random, letters: str, low: int, high: int, sep: str, size: int) -> str:
    """Made-up words joined by `sep`, cut to `size` characters."""
    out: list[str] = []
    while sum(len(w) + len(sep) for w in out) < size:
        out.append("".join(rng.choice(letters) for _ in range(rng.randint(low, high))))
    return sep.join(out)[:size]


def questions(rng: random.Random, sep: str, size: int) -> str:
    """Real questions joined by `sep`, cut to `size` characters."""
    out: list[str] = []
    while sum(len(q) + len(sep) for q in out) < size:
        out.append(rng.choice(QUESTIONS))
    return sep.join(out)[:size]


def main() -> None:
    """Measure and print one line per kind of input."""
    languages = load_languages()
    languages.ask("warm up")
    rng = random.Random(7)
    kinds: list[tuple[str, Callable[[int], str]]] = [
        ("latin words, spaces", lambda n: words(rng, string.ascii_lowercase, 4, 8, " ", n)),
        ("latin words, sentences", lambda n: words(rng, string.ascii_lowercase, 4, 8, ". ", n)),
        ("cyrillic words, commas", lambda n: words(rng, CYRILLIC, 4, 8, ", ", n)),
        ("one word", lambda n: "".join(rng.choice(CYRILLIC) for _ in range(n))),
        ("invisible separators", lambda n: words(rng, CYRILLIC, 4, 8, "\u200b", n)),
        ("questions, each with a question mark", lambda n: questions(rng, "? ", n)),
        ("questions joined by and", lambda n: questions(rng, " and ", n)),
        ("sentence breaks alone, '. '", lambda n: (". " * n)[:n]),
        ("sentence breaks alone, '? '", lambda n: ("? " * n)[:n]),
    ]
    for name, make in kinds:
        for size in (2000, 4096):
            wall: list[float] = []
            cpu: list[float] = []
            for _ in range(5):
                text = make(size)
                start, cpu_start = time.perf_counter(), time.thread_time()
                languages.ask(text)
                cpu.append((time.thread_time() - cpu_start) * 1000)
                wall.append((time.perf_counter() - start) * 1000)
            print(
                f"{name}, {size} chars: wall median {statistics.median(wall):.1f} ms "
                f"(max {max(wall):.1f}), CPU median {statistics.median(cpu):.1f} ms"
            )


if __name__ == "__main__":
    main()
