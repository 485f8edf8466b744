"""`faq suggest` end to end on 10,000 unanswered questions, and the /stats chart's rendering.

Run: .venv/bin/python benchmarks/bench_suggest.py [--questions N] [--runs N]
The questions are synthetic, from a seeded generator: subjects the shipped FAQ does not cover
(parking, gift cards, pets, Wi-Fi ...), declined ones (price, Botox), near misses of real
entries, and a long tail of one-off questions, in English, Russian and Russian typed in Latin
letters, with typos, capitals, fillers and punctuation as patients type them.
Each run groups them (bot/insights/grouping.py) and writes the snippet (suggest.py) through the
same calls `softlift-bot faq suggest` makes; the median of the runs is printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

import yaml
from bench_matcher import typo

from bot.answers.languages import load_languages
from bot.insights.chart import ChartLabels, render_png
from bot.insights.grouping import group_questions
from bot.insights.snapshot import EntryUsage, Insights, fill_days, period
from bot.insights.suggest import suggest_yaml

SUBJECTS_EN = {
    "parking": [
        "is there parking",
        "where can i park",
        "do you have a car park",
        "is parking free",
    ],
    "gift": ["do you sell gift cards", "can i buy a gift card", "gift card for my mum"],
    "pets": ["can i bring my dog", "is my dog allowed in the clinic", "can i come with my dog"],
    "wifi": ["do you have wifi", "what is the wifi password", "is there free wifi"],
    "coffee": ["is there coffee while i wait", "can i get a coffee there", "do you serve coffee"],
    "toilet": ["is there a toilet", "where is the toilet in the clinic"],
    "laser": [
        "do you do laser hair removal",
        "laser hair removal price",
        "laser hair removal legs",
    ],
    "tattoo": ["can i get a tattoo after soft lifting", "tattoo after fillers"],
    "price": ["how much is it", "what does it cost", "price for lips", "how much do you charge"],
    "botox": ["do you do botox", "botox or fillers", "can i get botox too"],
    "swelling": ["how long does the swelling last", "swelling after two days is it normal"],
}
SUBJECTS_RU = {
    "parking": ["есть ли парковка", "где припарковаться", "парковка у клиники бесплатная"],
    "gift": ["есть ли подарочные сертификаты", "можно купить подарочный сертификат"],
    "pets": ["можно прийти с собакой", "можно с собакой в клинику"],
    "price": ["сколько стоит", "какая цена на губы", "сколько стоит процедура"],
    "wifi": ["есть ли вайфай", "какой пароль от вайфая"],
}
SUBJECTS_TRANSLIT = {
    "parking": ["est li parkovka", "gde priparkovatsya"],
    "price": ["skolko stoit", "kakaya cena"],
}
TAIL_FRAMES = ["can i", "do you", "is it ok to", "where can i", "how do i", "should i", "why do"]
TAIL_VERBS = [
    "bring", "book", "buy", "order", "rent", "borrow", "find", "visit", "charge", "send",
    "print", "watch", "paint", "fix", "learn", "recommend", "change", "deliver", "cook", "wear",
]  # fmt: skip
TAIL_OBJECTS = [
    "my passport", "a taxi", "a bicycle", "an umbrella", "my kids", "a sandwich", "the stairs",
    "a receipt", "a locker", "a wheelchair", "my laptop", "flowers", "a phone charger",
    "a translator", "a blanket", "a friend", "my grandmother", "a towel", "a magazine", "a ticket",
    "the elevator", "a newspaper", "a rain coat", "a bottle of water", "headphones",
]  # fmt: skip
TAIL_ENDS = ["", "", "tomorrow", "on friday", "at night", "in winter", "near the metro", "today"]
FILLERS = {
    "en": ["hi,", "hello!", "quick question:", "sorry,", "pls", "🙂", "??", "thanks"],
    "ru": ["здравствуйте,", "подскажите,", "скажите пожалуйста", "🙂", "??", "спасибо"],
    "translit": ["privet,", "podskazhite", "🙂", "??", "spasibo"],
}


def as_typed(text: str, fillers: list[str], rng: random.Random) -> str:
    """A text with the typos, capitals, fillers and punctuation patients add."""
    words = [typo(w, rng) if rng.random() < 0.15 else w for w in text.split()]
    text = " ".join(words)
    roll = rng.random()
    if roll < 0.3:
        text = text.capitalize()
    elif roll < 0.35:
        text = text.upper()
    if rng.random() < 0.5:
        text += rng.choice(["?", "??", "!", " ?"])
    if rng.random() < 0.15:
        text = f"{rng.choice(fillers)} {text}"
    return text


def unanswered(count: int, seed: int = 12) -> list[str]:
    """`count` unanswered-like questions: 60% recurring subjects, 40% one-off questions."""
    rng = random.Random(seed)
    pools = [
        (0.70, "en", [p for ps in SUBJECTS_EN.values() for p in ps]),
        (0.88, "ru", [p for ps in SUBJECTS_RU.values() for p in ps]),
        (1.00, "translit", [p for ps in SUBJECTS_TRANSLIT.values() for p in ps]),
    ]
    out = []
    for _ in range(count):
        if rng.random() < 0.4:
            parts = [rng.choice(TAIL_FRAMES), rng.choice(TAIL_VERBS), rng.choice(TAIL_OBJECTS)]
            base, kind = " ".join([*parts, rng.choice(TAIL_ENDS)]).strip(), "en"
        else:
            roll = rng.random()
            _, kind, pool = next(item for item in pools if roll < item[0])
            base = rng.choice(pool)
        out.append(as_typed(base, FILLERS[kind], rng))
    return out


def snapshot(seed: int = 3) -> Insights:
    """A month of plausible figures for the chart."""
    rng = random.Random(seed)
    start, end = period(date(2026, 3, 31))
    rows = [
        (start + timedelta(days=i), kind, rng.randint(0, high))
        for i in range(30)
        for kind, high in (("answer", 40), ("clarify", 10), ("fallback", 10), ("urgent", 2))
    ]
    entries = tuple(
        EntryUsage(f"entry-{i}", f"Entry number {i} with a longer title", 90 - 10 * i, 9, i)
        for i in range(6)
    )
    checkins = (("All good", 140), ("Swelling", 38), ("Bruising", 17), ("Pain", 6))
    return Insights(start, end, fill_days(rows, start, end), entries, checkins)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    texts = unanswered(args.questions)
    languages = load_languages()
    times: list[float] = []
    grouping: list[float] = []
    for _ in range(args.runs):
        # A fresh process reads each text once: start every run with empty caches.
        languages = load_languages()
        began = time.perf_counter()
        groups = group_questions(texts, languages)
        grouped = time.perf_counter()
        snippets = {
            code: suggest_yaml([g for g in groups if g.language == code], languages.assistant(code))
            for code in languages.codes
        }
        times.append(time.perf_counter() - began)
        grouping.append(grouped - began)
    for snippet in snippets.values():
        yaml.safe_load(snippet)
    sizes = sorted((g.count for g in groups), reverse=True)
    print(
        f"faq suggest, {len(texts):,} questions ({len(set(texts)):,} distinct): "
        f"median {statistics.median(times):.2f} s over {args.runs} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}; grouping alone median "
        f"{statistics.median(grouping):.2f} s); {len(groups):,} groups, "
        f"the largest {sizes[:5]}, {sum(1 for s in sizes if s == 1):,} single questions"
    )
    insights = snapshot()
    labels = ChartLabels.from_locale(languages.primary.locale.t, insights)
    render_png(insights, labels)  # the first call loads the fonts
    renders = []
    for _ in range(args.runs):
        began = time.perf_counter()
        png = render_png(insights, labels)
        renders.append(time.perf_counter() - began)
    print(
        f"render_png: median {statistics.median(renders) * 1000:.0f} ms over {args.runs} runs, "
        f"{len(png) / 1024:.0f} KB"
    )


if __name__ == "__main__":
    main()
