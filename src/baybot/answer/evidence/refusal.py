"""The refusal model: a logistic model over the evidence features (`data/refusal.json`, fitted
by `benchmarks/refusal.py` on the dev set, with its leave-one-out error rates) gives the
probability that a question is answerable from its passages."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

FEATURES = ("bias", "support", "unknown_terms", "missing_place")


@dataclass(frozen=True)
class RefusalModel:
    """Logistic weights over FEATURES and the probability below which BayBot refuses."""

    weights: tuple[float, ...]
    threshold: float

    @classmethod
    def load(cls) -> RefusalModel:
        data = json.loads(resources.files("baybot").joinpath("data/refusal.json").read_text())
        weights = tuple(float(data["weights"][name]) for name in FEATURES)
        return cls(weights, float(data["threshold"]))

    def probability(self, features: dict[str, float]) -> float:
        z = sum(w * features[name] for w, name in zip(self.weights, FEATURES, strict=True))
        return 1.0 / (1.0 + math.exp(-z))
