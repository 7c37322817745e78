"""The refusal model: a logistic model over the evidence features (`data/refusal.json`, fitted
by `benchmarks/fit_answers.py` on 5 folds of dev + dev2, reported out of fold) gives the
probability that a question is answerable from its passages."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

FEATURES = (
    "bias",
    "support",
    "unknown_terms",
    "missing_place",
    "none_agree",
    "slot_missing",
    "year_beyond",
    "colloquial",
    "slot_gap",
    "sentence_missing_terms",
)


@dataclass(frozen=True)
class RefusalModel:
    """Logistic weights over FEATURES and the probability below which BayBot refuses."""

    weights: tuple[float, ...]
    threshold: float

    @classmethod
    def load(cls) -> RefusalModel:
        data = json.loads(resources.files("baybot").joinpath("data/refusal.json").read_text())
        weights = tuple(float(data["weights"].get(name, 0.0)) for name in FEATURES)
        return cls(weights, float(data["threshold"]))

    def probability(self, features: dict[str, float]) -> float:
        z = sum(w * features[name] for w, name in zip(self.weights, FEATURES, strict=True))
        return 1.0 / (1.0 + math.exp(-z))
