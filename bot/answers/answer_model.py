"""A second opinion on the matcher's decisions: a linear model trained on patients' questions.

The matcher scores a question by the words it shares with each entry's phrasings; this model
learnt, from thousands of questions worded as patients word them, which words point to which
entry and which to a subject the article does not cover. It is trained offline
(`scripts/train_answer_model.py`, `make model`) and shipped beside its FAQ file
(`softlifting.yaml` -> `softlifting.answers.npz`); here it only scores, with numpy.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.answers.knowledge import KnowledgeBase
from bot.answers.loader import shipped_file, shipped_name

log = logging.getLogger(__name__)

# The label of every subject the FAQ's declines stand for: "the article does not cover it".
NOT_COVERED = "-"
SUFFIX = ".answers.npz"


def features(tokens: Sequence[str]) -> list[str]:
    """A question's features: its tokens and each pair of neighbours (training uses this too)."""
    return [*tokens, *(f"{a}|{b}" for a, b in itertools.pairwise(tokens))]


def fingerprint(kb: KnowledgeBase) -> str:
    """The FAQ's entries and declines as the model learnt them: their ids, phrasings, keywords
    and titles. A model trained for other ones must not be used."""
    # Not only the ids: a phrasing moved to another entry is still answered with the old one
    # by a model that learnt it there, while faq check (no model) says it reaches the new one.
    ids = [*sorted(e.id for e in kb.entries), "|", *sorted(d.id for d in kb.declines)]
    learnt = [
        *(
            f"{e.id}\t" + "\t".join([*e.questions, *e.keywords, e.title])
            for e in sorted(kb.entries, key=lambda e: e.id)
        ),
        *(
            f"{d.id}\t" + "\t".join([*d.questions, *d.keywords])
            for d in sorted(kb.declines, key=lambda d: d.id)
        ),
    ]
    return hashlib.sha256("\n".join([kb.language, *ids, *learnt]).encode()).hexdigest()[:16]


def model_path(faq_path: str | Path) -> Path:
    """Where the model of a FAQ file lives: beside it, `<name>.answers.npz`."""
    path = Path(faq_path)
    return path.with_name(path.name.removesuffix(".yaml") + SUFFIX)


@dataclass(frozen=True)
class AnswerModel:
    """Label probabilities for a question's tokens (a multinomial logistic regression)."""

    labels: tuple[str, ...]
    index: dict[str, int]  # feature -> row of `weights`
    # Features x labels: float16 as the file stores them (a question's few rows are widened,
    # not all of them at load), float32 as trained.
    weights: npt.NDArray[np.float16] | npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]  # labels

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each label's column."""
        return {label: i for i, label in enumerate(self.labels)}

    def shares(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        """Each label's probability, 0-1, in the order of `labels`."""
        index = self.index
        # Each feature once, as in training ("how long how long" says "how long").
        rows = list({i for f in features(tokens) if (i := index.get(f)) is not None})
        logits = self.bias + self.weights[rows].astype(np.float32).sum(axis=0)
        odds = np.exp(logits - logits.max())
        return odds / odds.sum()  # type: ignore[no-any-return]

    def share(self, shares: npt.NDArray[np.float32], label: str) -> float:
        """One label's probability in `shares`, 0 for a label the model does not know."""
        position = self.positions.get(label)
        return 0.0 if position is None else float(shares[position])

    def save(self, path: Path, kb: KnowledgeBase) -> None:
        """Write the model for this FAQ (the training script)."""
        names = sorted(self.index, key=self.index.__getitem__)
        np.savez_compressed(
            path,
            labels=np.array(self.labels),
            features=np.array(names),
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            fingerprint=np.array(fingerprint(kb)),
        )

    @classmethod
    def build(
        cls,
        labels: Iterable[str],
        names: Iterable[str],
        weights: npt.ArrayLike,
        bias: npt.ArrayLike,
    ) -> AnswerModel:
        """A model from its parts."""
        # An array's names as Python strings in one call: tens of thousands of them at load.
        if isinstance(names, np.ndarray) and names.dtype.kind == "U":
            named: list[str] = names.tolist()
        else:
            named = [str(n) for n in names]
        table = np.asarray(weights)
        return cls(
            tuple(str(label) for label in labels),
            dict(zip(named, range(len(named)), strict=True)),
            table if table.dtype == np.float16 else table.astype(np.float32),
            np.asarray(bias, dtype=np.float32),
        )


def model_file(kb: KnowledgeBase) -> Traversable | None:
    """The model file beside the FAQ file; a shipped FAQ has it in the package."""
    path = model_path(kb.source)
    if path.is_file():
        return path
    name = shipped_name(kb.source)
    if name is not None and (shipped := shipped_file(model_path(name).name)).is_file():
        return shipped
    return None


def load_answer_model(kb: KnowledgeBase) -> AnswerModel | None:
    """The model shipped beside the FAQ file, or None: none there, unreadable, or stale."""
    found = model_file(kb)
    if found is None:
        return None
    try:
        with found.open("rb") as stream, np.load(stream, allow_pickle=False) as data:
            trained_for = str(data["fingerprint"])
            model = AnswerModel.build(
                data["labels"], data["features"], data["weights"], data["bias"]
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("answer model %s not used: cannot read it (%s)", found.name, exc)
        return None
    if trained_for != fingerprint(kb):
        log.warning(
            "answer model %s not used: it was trained for other entries or declines (ids, "
            "phrasings, keywords or titles) than this FAQ's; retrain it (make model)",
            found.name,
        )
        return None
    return model
