"""Score the matcher on benchmarks/heldout_en.yaml (questions never used for tuning).

Run: .venv/bin/python benchmarks/score_heldout.py [--show-failures]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from bot.answers.assistant import Assistant
from bot.answers.loader import load_faq
from bot.answers.matcher import Kind

HERE = Path(__file__).parent


def main() -> None:
    """Print in-scope accuracy, out-of-scope declines and confidently wrong answers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default=str(HERE / "heldout_en.yaml"))
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    items = yaml.safe_load(Path(args.set).read_text(encoding="utf-8"))
    assistant = Assistant(load_faq())
    n_in = ok_in = n_out = ok_out = wrong = 0
    for item in items:
        decision = assistant.ask(item["q"]).decision
        answered = decision.kind is Kind.ANSWER
        if item["entry"] is None:
            n_out += 1
            ok_out += not answered
            wrong += answered
            good = not answered
        else:
            n_in += 1
            good = answered and decision.entry_id == item["entry"]
            ok_in += good
            wrong += answered and not good
        if args.show_failures and not good:
            names = [f"{c.entry_id} {c.score}" for c in decision.candidates]
            print(
                f"- {item['q']!r} want {item['entry']} got {decision.kind} {decision.entry_id} {names}"
            )
    parts = []
    if n_in:
        parts.append(f"in-scope correct {ok_in}/{n_in} ({ok_in / n_in:.1%})")
    if n_out:
        parts.append(f"out-of-scope declined {ok_out}/{n_out} ({ok_out / n_out:.1%})")
    parts.append(f"confidently wrong {wrong}/{n_in + n_out} ({wrong / (n_in + n_out):.1%})")
    print(" | ".join(parts))


if __name__ == "__main__":
    main()
