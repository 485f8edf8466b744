"""The answer model on questions it never learnt from: each probe set left out of training in turn.

Run: .venv/bin/python benchmarks/crossval_model.py [--sets 8-16] [--try name=value ...]

Needs scikit-learn (`make model` installs it). For each probe set of each language, the model is
trained as `make model` trains it but without that set, and the set is scored three ways: the
matcher alone (`second_opinion` off), the shipped tuning, and the shipped tuning with the
`--try` changes (a `Tuning` field and its value, such as `model_agree_at=0.6`). The matcher's own
rules were tuned on these sets, so the matcher-alone figures flatter it; the model's share of the
difference is the honest part. This is how the answer model's thresholds are chosen.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

import yaml
from score_heldout import judge

from bot.answers.assistant import Assistant
from bot.answers.languages import SHIPPED
from bot.answers.loader import load_shipped
from bot.answers.matcher import Tuning

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "scripts"))

from train_answer_model import fit  # noqa: E402


def numbers(spec: str) -> list[int]:
    """The probe sets' numbers from "8-16" or "8,9,12"."""
    if "-" in spec:
        first, last = spec.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(n) for n in spec.split(",")]


def tried(changes: list[str]) -> Tuning:
    """The shipped tuning with `name=value` changes."""
    fields = {f.name: f.type for f in dataclasses.fields(Tuning)}
    values: dict[str, Any] = {}
    for change in changes:
        name, _, value = change.partition("=")
        if name not in fields:
            raise SystemExit(f"--try: no tuning field {name!r}")
        values[name] = value.lower() == "true" if fields[name] == "bool" else float(value)
    return dataclasses.replace(Tuning(), **values)


def main() -> None:
    """Print, per language and set, in scope right, declined and wrong for each variant."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="8-16", help="probe set numbers (default 8-16)")
    parser.add_argument("--try", dest="changes", action="append", default=[])
    args = parser.parse_args()
    variants = {"matcher alone": Tuning(second_opinion=False), "shipped": Tuning()}
    if args.changes:
        variants[" ".join(args.changes)] = tried(args.changes)
    for name in SHIPPED:
        kb = load_shipped(name)
        sums = {v: [0, 0, 0, 0, 0] for v in variants}
        for number in numbers(args.sets):
            path = HERE / f"probe{number}_{kb.language}.yaml"
            if not path.is_file():
                continue
            model, _ = fit(Assistant(kb), leave_out={path.name})
            items = yaml.safe_load(path.read_text(encoding="utf-8"))
            for variant, tuning in variants.items():
                assistant = Assistant(kb, tuning=tuning)
                assistant.matcher.model = model
                row = sums[variant]
                for item in items:
                    kind, good, bad = judge(item, assistant.ask(item["q"]))
                    if kind == "urgent":
                        continue
                    row[0 if kind == "in" else 2] += good
                    row[1 if kind == "in" else 3] += 1
                    row[4] += bad
            print(f"{path.name} done", file=sys.stderr)
        for variant, (right, scoped, declined, out, wrong) in sums.items():
            print(
                f"{kb.language} | {variant} | in scope {right}/{scoped} | declined "
                f"{declined}/{out} | wrong {wrong}/{scoped + out}"
            )


if __name__ == "__main__":
    main()
