"""The contact-details filter against an earlier version of it: verdicts, time and memory.

Run: .venv/bin/python benchmarks/bench_contact.py [--before REV] [--strings 1000000] [--runs 9]
         [--only verdicts|questions|start|hostile]

Each version runs in processes of its own: this tree's `bot`, and `bot` as of `--before`
(unpacked with `git archive`; by default the commit before the phone-number rule became an RE2
search for runs and a Python check of each, found as the parent of the commit that removed the
old rule's pattern builder).

- verdicts: `--strings` generated strings (seeded): runs of digits with every separator, the
  shapes of dates, times and price ranges and slips from them, spelt numbers in English and
  Russian, and these mixed with words, around colons, "+" and brackets, and random characters.
  Each version judges every string with `looks_like_contact` and with its phone-number rule
  alone; each string judged differently is printed.
- questions: every question of the benchmark sets (`benchmarks/*.yaml`, their `q`), ordinary
  patients' questions with no contact details in them: how many each version takes for contact
  (each one is a question the clinic's reports would lose), and each judged differently.
- start: importing `bot.storage.contact` (after `bot.storage` and `re2`, which the bot loads
  anyway) in `--runs` fresh processes: its time, the peak memory it adds, the first call's
  time, and the peak memory after the hostile texts below (RE2 builds its automaton lazily).
- hostile: texts of 4,096 characters (Telegram's longest message) and of 65,536, each a unit
  repeated or seeded random characters: the CPU time of a call, the median of `--runs` calls
  in each of three rounds (the versions take turns), the median of the three, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

from procstat import peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent

# fmt: off
EN = (
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "double", "triple",
)
RU = (
    "ноль", "нуль", "один", "одна", "два", "две", "три", "четыре", "пять", "шесть", "семь",
    "восемь", "девять", "десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать",
    "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать", "двадцать",
    "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто", "сто",
    "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот",
)
# Words next to number words that are none: longer forms, joins, amounts and conjunctions.
NEAR = (
    "plus", "seventeenth", "sevens", "tens", "onetwo", "тысяч", "тысяча", "рублей", "недели",
    "сессии", "and", "or", "и", "или", "на", "oh-oh", "сто-двадцать",
)
WORDS = (
    "is", "ok", "my", "number", "call", "me", "at", "tel", "tel:", "phone", "номер", "звоните",
    "с", "до", "в", "appointment", "руб", "rubles", "₽", "$", "sessions", "ml", "weeks", "apart",
    "x", "а", "I'm", "45", "had", "2", "after", "before",
)
# fmt: on
PHONES = (
    "8 (916) 123-45-67",
    "+7 916 123 45 67",
    "8.916.123.45.67",
    "8-916-123-45-67",
    "89161234567",
    "8 916 1234567",
    "(916) 123 4567",
    "123-45-67",
    "07700 900123",
    "+44 20 7946 0958",
    "555-1234",
    "1234-5678",
    "12.34.5678",
    "+7(916)1234567",
    "+ 7 916",
    "( +7 (916) 1234567",
)
DATES = (
    "12.03.2026",
    "1.3.2026",
    "2026-03-12",
    "15/03",
    "12-03-2026",
    "12.03.2026 14.30",
    "12.03.2026 14:30",
    "14:30",
    "10:00-12:00",
    "2023-2024",
    "12.03-15.03",
    "1999.12.31",
    "31/12/1999",
)
PRICES = (
    "5000-7000",
    "5000 - 7000",
    "5000–7000",
    "4990-6990",
    "10000-15000",
    "$300-500",
    "5 000 - 7 000",
    "15 000-20 000",
    "1 500 000",
    "300",
    "1.5",
    "45",
)
GLUE = (" ", " ", " ", ", ", "-", " - ", "", ":", ". ", "\n", "  ", "\u00a0", "\t", " – ", "/", "(")
# Digits, separators and colons, and what folding changes: dashes, odd spaces, full-width and
# superscript digits, and digits of other scripts, which are no digits to the rule.
ALPHABET = "0123456789" * 3 + " .-()/+:" * 2 + "x–\u00a0а٣５²\t:—,"
PREFIXES = ("", "is ", "14:30 ", "в 14:30 ", "tel:", "tel: ", "+", "(", "2: ", "x", ":", "1:")
PREFIXES += ("a:", " :", "18 :", "+ (", "( +")
SUFFIXES = ("", " ok", " 14:30", ":30", " :3", ":", ": x", ".", "-18:00", ")", " руб", "₽")
SUFFIXES += (" :)", ":0", " 1:2", "+")


def shape_run(rng: random.Random) -> str:
    """A date, time or price run of one of the shapes, often with a slip or an extra group."""
    # Imported here, not at the top: the workers time the import of the filter.
    from bot.storage.phone_digits import NOT_PHONES, SEPARATORS

    parts = []
    for group, names in rng.choice(NOT_PHONES):
        parts.append("".join(rng.choice(allowed) for allowed in rng.choice(group)))
        if names:
            parts.append(rng.choice([w for name in sorted(names) for w in SEPARATORS[name]]))
    run = "".join(parts)
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        at = rng.randrange(len(run))
        run = run[:at] + rng.choice("0123456789 .-/()+:–") + run[at + rng.choice((0, 1, 1)) :]
    if rng.random() < 0.3:
        run += rng.choice((" ", "-", ".", ":", " - ")) + str(rng.randrange(100))
    if rng.random() < 0.3:
        run = str(rng.randrange(100)) + rng.choice((" ", "-", ".", ":", " - ")) + run
    return run


def spelt(rng: random.Random) -> str:
    """One to eight words, most of them numbers in English or Russian, variously joined."""
    words = []
    for _ in range(rng.randint(1, 8)):
        pick = rng.random()
        word = rng.choice(EN if pick < 0.4 else RU if pick < 0.8 else NEAR)
        if rng.random() < 0.1:
            word = word.upper() if rng.random() < 0.5 else word.capitalize()
        words.append(word)
    joins = (" ", " ", " ", ",", ", ", "-", " - ", ". ", ",,", "", " , ", "\n", "  ", "–")
    return "".join(rng.choice(joins) + word for word in words)[1:]


def digit_run(rng: random.Random) -> str:
    """Groups of one to five digits, each followed by up to two separators."""
    return "".join(
        "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 5)))
        + "".join(rng.choice(" .-/()+–") for _ in range(rng.randint(0, 2)))
        for _ in range(rng.randint(1, 6))
    )


def mixed(rng: random.Random) -> str:
    """Phone numbers, dates, prices, words, shapes and spelt numbers, glued at random."""
    tokens = []
    for _ in range(rng.randint(1, 6)):
        pick = rng.random()
        if pick < 0.2:
            tokens.append(rng.choice(PHONES))
        elif pick < 0.4:
            tokens.append(rng.choice(DATES))
        elif pick < 0.55:
            tokens.append(rng.choice(PRICES))
        elif pick < 0.75:
            tokens.append(rng.choice(WORDS))
        else:
            tokens.append(shape_run(rng) if rng.random() < 0.5 else spelt(rng))
    return "".join(rng.choice(GLUE) + token for token in tokens)[1:]


def sample(rng: random.Random) -> str:
    """One generated string."""
    pick = rng.random()
    if pick >= 0.75:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40)))
    make = shape_run if pick < 0.25 else digit_run if pick < 0.4 else mixed if pick < 0.6 else spelt
    return rng.choice(PREFIXES) + make(rng) + rng.choice(SUFFIXES)


def hostile_kinds() -> list[tuple[str, Callable[[int], str]]]:
    """Hostile texts by name, each made to a length: near misses and runs the check reads."""
    rng = random.Random(3)

    def repeat(unit: str) -> Callable[[int], str]:
        return lambda size: (unit * (size // len(unit) + 1))[:size]

    def chars(alphabet: str) -> Callable[[int], str]:
        return lambda size: "".join(rng.choice(alphabet) for _ in range(size))

    return [
        ("dates, 'x' between", repeat("12.03.2026 x ")),
        ("dates glued to letters", repeat("12.3.2026x")),
        ("dates and times", repeat("12.03.2026 14:30, ")),
        ("price ranges", repeat("5000-7000 руб, ")),
        ("spaced price ranges", repeat("5 000 - 7 000 руб, ")),
        ("six digits, 'x' between", repeat("123456 x")),
        ("times", repeat("12:30 ")),
        ("a digit and a letter", repeat("1 x")),
        ("digits, colons, separators", chars("0123456789:.- ")),
        ("spelt numbers, English", repeat("one two three four. ")),
        ("spelt numbers, Russian", repeat("восемь девять сто десять. ")),
        ("number words and digits", repeat("one 1 two 2 three 3. ")),
        ("four number words, ';' between", repeat("one two three four; ")),
        ("a word and digits, ';' between", repeat("восемь 916 12; ")),
        ("streets, no address", repeat("12 baker road; ул. ленина; ")),
        ("digits", repeat("1234567890")),
        ("digits and separators", chars("0123456789 .-()/+")),
    ]


def fold(text: str, dashes: str) -> str:
    """The text as `looks_like_contact` searches it."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    for dash in dashes:
        folded = folded.replace(dash, "-")
    return folded


def phone_rule() -> Callable[[str], bool]:
    """The phone-number rule alone, on a folded text, whichever version is imported."""
    from bot.storage import phone_digits

    if hasattr(phone_digits, "has_phone_number"):
        return phone_digits.has_phone_number
    import re2

    options = re2.Options()
    options.never_capture = True
    options.max_mem = 32 << 20
    pattern = re2.compile(phone_digits.PHONE, options)
    return lambda text: pattern.search(text) is not None


def work_verdicts(path: str) -> dict[str, Any]:
    """Each string's verdicts: the whole filter's and the phone-number rule's, as 0s and 1s."""
    from bot.storage.contact import looks_like_contact
    from bot.storage.phone_digits import DASHES

    phone = phone_rule()
    texts = json.loads(Path(path).read_text())
    return {
        "full": "".join("01"[looks_like_contact(text)] for text in texts),
        "phone": "".join("01"[phone(fold(text, DASHES))] for text in texts),
    }


def work_questions(path: str) -> dict[str, Any]:
    """Each benchmark question's verdict, as 0s and 1s."""
    from bot.storage.contact import looks_like_contact

    questions = json.loads(Path(path).read_text())
    return {"full": "".join("01"[looks_like_contact(q)] for q in questions)}


def benchmark_questions() -> list[str]:
    """The questions of every benchmark set in this tree, in file order."""
    import yaml

    found = []
    for path in sorted((ROOT / "benchmarks").glob("*.yaml")):
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        found += [i["q"] for i in items if isinstance(i, dict) and isinstance(i.get("q"), str)]
    return found


def work_start() -> dict[str, Any]:
    """The import's time and added peak memory, the first call, and the peak after hostile text."""
    # The database stack and RE2's module are loaded by then in the bot: not counted.
    import re2  # noqa: F401

    import bot.storage  # noqa: F401

    before = peak_rss_mb(os.getpid())
    began = time.perf_counter()
    from bot.storage.contact import looks_like_contact

    imported = time.perf_counter() - began
    after_import = peak_rss_mb(os.getpid())
    began = time.perf_counter()
    looks_like_contact("how long does the swelling last after 12.03.2026")
    first = time.perf_counter() - began
    for _, make in hostile_kinds():
        for size in (4096, 65536):
            looks_like_contact(make(size))
    return {
        "import_ms": imported * 1000,
        "import_mb": after_import - before,
        "first_ms": first * 1000,
        "hostile_mb": peak_rss_mb(os.getpid()) - before,
    }


def work_hostile(runs: int) -> dict[str, Any]:
    """Each hostile text's median CPU time in milliseconds, and its verdict."""
    from bot.storage.contact import looks_like_contact

    found: dict[str, Any] = {}
    for name, make in hostile_kinds():
        for size in (4096, 65536):
            text = make(size)
            verdict = looks_like_contact(text)
            times = []
            for _ in range(runs):
                began = time.thread_time()
                looks_like_contact(text)
                times.append(time.thread_time() - began)
            found[f"{name}|{size}"] = [statistics.median(times) * 1000, verdict]
    return found


def worker(tree: Path, *args: str) -> Any:
    """Run this script's worker on the `bot` package in `tree`; its JSON answer."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    if "out of memory" in done.stderr:
        print(f"  RE2 ran out of memory in {tree}: {done.stderr.strip()[:200]}")
    found = json.loads(done.stdout)
    imported = Path(found.pop("contact"))
    if not imported.is_relative_to(tree):
        raise SystemExit(f"the worker for {tree} imported {imported}")
    return found


def before_rev(rev: str | None) -> str:
    """The commit to compare with: `rev`, or the one before the two-step phone-number rule."""
    if rev:
        return rev
    removed = subprocess.run(
        [
            "git",
            "log",
            "-1",
            "--format=%H",
            "-S",
            "def _groups(",
            "--",
            "bot/storage/phone_digits.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{removed}^"


def unpack(rev: str, into: Path) -> None:
    """Write `bot` as of `rev` into a directory."""
    archive = subprocess.run(
        ["git", "archive", rev, "bot"], cwd=ROOT, capture_output=True, check=True
    )
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def compare_verdicts(old: Path, new: Path, count: int, scratch: Path) -> None:
    """Print how many generated strings each version judged differently."""
    rng = random.Random(20260312)
    texts = [sample(rng) for _ in range(count)]
    path = scratch / "strings.json"
    path.write_text(json.dumps(texts))
    before, after = worker(old, "verdicts", str(path)), worker(new, "verdicts", str(path))
    for rule in ("full", "phone"):
        differ = [
            i for i, (a, b) in enumerate(zip(before[rule], after[rule], strict=True)) if a != b
        ]
        contact = after[rule].count("1")
        print(
            f"verdicts, {'looks_like_contact' if rule == 'full' else 'phone-number rule alone'}: "
            f"{count:,} strings, {contact:,} contact now, {len(differ)} judged differently"
        )
        for index in differ[:20]:
            print(f"  {texts[index]!r}: before {before[rule][index]}, now {after[rule][index]}")


def compare_questions(old: Path, new: Path, scratch: Path) -> None:
    """Print how many benchmark questions each version takes for contact details."""
    questions = benchmark_questions()
    path = scratch / "questions.json"
    path.write_text(json.dumps(questions))
    before, after = worker(old, "questions", str(path)), worker(new, "questions", str(path))
    differ = [
        i for i, (a, b) in enumerate(zip(before["full"], after["full"], strict=True)) if a != b
    ]
    print(
        f"benchmark questions: {len(questions):,}, contact before {before['full'].count('1')}, "
        f"now {after['full'].count('1')}, {len(differ)} judged differently"
    )
    for index in differ[:20]:
        print(f"  {questions[index]!r}: before {before['full'][index]}, now {after['full'][index]}")


def compare_start(old: Path, new: Path, runs: int) -> None:
    """Print the medians of the import's time and memory over fresh processes."""
    for label, tree in (("before", old), ("now", new)):
        found = [worker(tree, "start") for _ in range(runs)]
        medians = {key: statistics.median(f[key] for f in found) for key in found[0]}
        print(
            f"start, {label}: import {medians['import_ms']:.1f} ms, +{medians['import_mb']:.1f} MB "
            f"peak; first call {medians['first_ms']:.2f} ms; after the hostile texts "
            f"+{medians['hostile_mb']:.1f} MB peak (medians of {runs} processes)"
        )


def compare_hostile(old: Path, new: Path, runs: int) -> None:
    """Print each hostile text's time before and now, and their ratio."""
    # The two versions take turns, three rounds each, so that a busy spell weighs on both.
    rounds: dict[Path, list[dict[str, Any]]] = {old: [], new: []}
    for _ in range(3):
        for tree in (old, new):
            rounds[tree].append(worker(tree, "hostile", str(runs)))
    print(
        f"hostile texts, CPU ms, before / now (now ÷ before): medians of {runs} calls, "
        "then the median of three rounds"
    )
    for key in rounds[old][0]:
        then, now = (statistics.median(found[key][0] for found in rounds[tree]) for tree in rounds)
        verdict, verdict_now = rounds[old][0][key][1], rounds[new][0][key][1]
        judged = "contact" if verdict_now else "no contact"
        if verdict != verdict_now:
            judged = f"{'contact' if verdict else 'no contact'} before, {judged} now"
        name, size = key.split("|")
        print(
            f"  {name}, {int(size):,} chars ({judged}): {then:.3f} / {now:.3f} ({now / then:.1f}x)"
        )


def main() -> None:
    """Compare this tree's filter with an earlier version's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="the git revision to compare with")
    parser.add_argument("--strings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", choices=("verdicts", "questions", "start", "hostile"))
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "verdicts":
            found = work_verdicts(rest[0])
        elif kind == "questions":
            found = work_questions(rest[0])
        elif kind == "start":
            found = work_start()
        else:
            found = work_hostile(int(rest[0]))
        print(json.dumps({**found, "contact": sys.modules["bot.storage.contact"].__file__}))
        return
    rev = before_rev(args.before)
    with tempfile.TemporaryDirectory() as scratch:
        old = Path(scratch) / "before"
        unpack(rev, old)
        print(f"before: {rev}; now: this tree ({ROOT})")
        if args.only in (None, "verdicts"):
            compare_verdicts(old, ROOT, args.strings, Path(scratch))
        if args.only in (None, "questions"):
            compare_questions(old, ROOT, Path(scratch))
        if args.only in (None, "start"):
            compare_start(old, ROOT, args.runs)
        if args.only in (None, "hostile"):
            compare_hostile(old, ROOT, args.runs)


if __name__ == "__main__":
    main()
