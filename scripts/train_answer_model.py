"""Train the answer model of each shipped FAQ file: faq/<name>.answers.npz beside it.

Development tool (`make model`), not needed at run time: it needs scikit-learn, which the bot
itself does not. The model (bot/answers/answer_model.py) is a multinomial logistic regression
over the question analyzer's tokens and their neighbouring pairs. It learns from:

- the FAQ's own phrasings, keywords and titles (each entry's id; a decline's: "not covered");
- every question set in benchmarks/ except the sealed ones (score_heldout.SEALED) and the shared
  dev sets, which it never sees: an item's label is its entry, "not covered" for an
  out-of-scope question, and for an item judged by expect patterns the entry whose reply
  matches them (of several, the one the matcher ranks first); red-flag items are left out.

Retrain after changing the FAQ's entries or declines (their ids, phrasings, keywords or titles):
a model trained for other ones is not used (its fingerprint differs), and the matcher answers
alone. A clinic's own file is trained with
`python scripts/train_answer_model.py path/to/file.yaml`: the model is written beside it, and the
questions of benchmarks/ teach it what they can (those labelled with an entry it lacks are left
out; those judged by expect patterns are labelled by its own answers).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from score_heldout import SEALED, SETS, is_red_flag, passes  # noqa: E402

from bot.answers.answer_model import NOT_COVERED, AnswerModel, features, model_path  # noqa: E402
from bot.answers.assistant import Assistant  # noqa: E402
from bot.answers.loader import load_faq  # noqa: E402

FAQS = (ROOT / "faq" / "softlifting.yaml", ROOT / "faq" / "softlifting.ru.yaml")
C = 4.0  # inverse regularisation (scikit-learn's default is 1); the value the sealed sets measured
KEEP = 0.01  # smaller weights are written as 0: a smaller file, the same decisions


def label(item: dict[str, Any], assistant: Assistant, texts: dict[str, str]) -> str | None:
    """The item's label, or None when it teaches nothing (a red flag, no entry matching)."""
    if is_red_flag(item):
        return None
    if "entry" in item:
        if item["entry"] is None:
            return NOT_COVERED
        # A clinic's own file may not have the shipped file's entry: the item teaches nothing.
        return str(item["entry"]) if item["entry"] in texts else None
    if item["expect"] is None:
        return NOT_COVERED
    good = {e for e, text in texts.items() if passes(item["expect"], text)}
    ranked = [label for label, _ in assistant.matcher.rank(item["q"]) if label in good]
    return ranked[0] if ranked else (min(good) if good else None)


def examples(assistant: Assistant, leave_out: Collection[str] = ()) -> tuple[list[str], list[str]]:
    """Questions and labels: the FAQ's phrasings, then the tuning sets of its language.

    `leave_out` names more sets to leave out (benchmarks/crossval_model.py).
    """
    kb = assistant.kb
    questions: list[str] = []
    labels: list[str] = []
    for entry in kb.entries:
        for text in (*entry.questions, *entry.keywords, entry.title):
            questions.append(text)
            labels.append(entry.id)
    for decline in kb.declines:
        for text in (*decline.questions, *decline.keywords):
            questions.append(text)
            labels.append(NOT_COVERED)
    texts = {e.id: assistant.replies.entry(e).plain() for e in kb.entries}
    suffix = "_ru.yaml" if kb.language == "ru" else "_en.yaml"
    for name in SETS:
        if name in SEALED or name in leave_out or not name.endswith(suffix):
            continue
        for item in yaml.safe_load((ROOT / "benchmarks" / name).read_text(encoding="utf-8")):
            found = label(item, assistant, texts)
            if found is not None:
                questions.append(item["q"])
                labels.append(found)
    return questions, labels


def fit(assistant: Assistant, leave_out: Collection[str] = ()) -> tuple[AnswerModel, int]:
    """The model of the assistant's FAQ, and the number of examples it learnt from."""
    analyzer = assistant.matcher.analyzer
    questions, labels = examples(assistant, leave_out)
    rows = [dict.fromkeys(features(analyzer.tokens(q)), 1.0) for q in questions]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    fitted = LogisticRegression(C=C, max_iter=1000).fit(matrix, labels)
    weights = fitted.coef_.T.astype(np.float32)
    weights[np.abs(weights) < KEEP] = 0.0
    kept = np.flatnonzero(np.abs(weights).max(axis=1) > 0)
    names = vectorizer.get_feature_names_out()[kept]
    # Stored as float16 (AnswerModel.save): the model used is the one a file gives back.
    weights = weights[kept].astype(np.float16).astype(np.float32)
    return AnswerModel.build(fitted.classes_, names, weights, fitted.intercept_), len(questions)


def train(faq: Path) -> None:
    """Fit and write the model of one FAQ file."""
    assistant = Assistant(load_faq(faq))
    model, count = fit(assistant)
    out = model_path(faq)
    model.save(out, assistant.kb)
    print(
        f"{out.name}: {count} examples, {len(model.labels)} labels, "
        f"{len(model.index)} features, {out.stat().st_size // 1024} KiB"
    )


def main() -> None:
    """Train the model of each shipped FAQ file (or of the files given)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("faq", nargs="*", type=Path, default=list(FAQS))
    for faq in parser.parse_args().faq:
        train(faq)


if __name__ == "__main__":
    main()
