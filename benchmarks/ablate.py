"""Each matching rule switched off in turn, on every question set: what the rule is worth.

Run: .venv/bin/python benchmarks/ablate.py [--set FILE ...]

The rules are the `Tuning` switches (`last_question`, `covering`, `calm_clauses`, `examples`,
`lone_candidate`, `two_questions`, `question_sentence`, and the answer model's
`second_opinion`); each row
is one rule off, the others on, against the shipped code with all of them on. The sets are
the ones in benchmarks/ (both formats that score_heldout.py reads) plus any given with --set,
such as ../shared/eval/dev_en.yaml.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from score_heldout import judge

from bot.answers.assistant import Assistant
from bot.answers.languages import Languages, load_languages
from bot.answers.matcher import Tuning

HERE = Path(__file__).parent
RULES = (
    "last_question",
    "covering",
    "calm_clauses",
    "examples",
    "lone_candidate",
    "two_questions",
    "question_sentence",
    "second_opinion",
)


def sets(extra: Iterable[str]) -> list[Path]:
    """The question sets in benchmarks/, then the extra ones."""
    own = sorted(p for p in HERE.glob("*.yaml") if p.stem.startswith(("heldout", "probe")))
    return [*own, *(Path(e) for e in extra)]


def totals(items: list[dict[str, Any]], languages: Languages) -> tuple[int, int, int, int]:
    """(in-scope right, out of scope declined, urgent right, confidently wrong)."""
    right = {"in": 0, "out": 0, "urgent": 0}
    wrong = 0
    for item in items:
        kind, good, bad = judge(item, languages.ask(item["q"]))
        right[kind] += good
        wrong += bad
    return right["in"], right["out"], right["urgent"], wrong


def main() -> None:
    """Print one line per set and rule: its figures with the rule off, and the change."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", action="append", default=[], help="another question set")
    args = parser.parse_args()
    shipped = load_languages()
    kbs = [a.kb for a in shipped.assistants.values()]

    def with_tuning(tuning: Tuning) -> Languages:
        return Languages([Assistant(kb, tuning=tuning) for kb in kbs])

    variants = {"all on": shipped} | {
        f"{rule} off": with_tuning(dataclasses.replace(Tuning(), **{rule: False})) for rule in RULES
    }
    print("set | variant | in-scope right | declined | urgent | wrong")
    for path in sets(args.set):
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        base = totals(items, shipped)
        for name, languages in variants.items():
            figures = base if name == "all on" else totals(items, languages)
            change = ", ".join(f"{b - a:+d}" for a, b in zip(base, figures, strict=True))
            shown = " | ".join(map(str, figures))
            print(f"{path.name} | {name} | {shown}" + ("" if name == "all on" else f" ({change})"))


if __name__ == "__main__":
    main()
