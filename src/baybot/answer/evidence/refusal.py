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
    "missing_subject_place",
    "none_agree",
    "slot_missing",
    "year_beyond",
    "colloquial",
    "slot_gap",
    "sentence_missing_terms",
    "low_support",
)
# The multilingual model scores a Chinese question against mostly English sources lower than an
# English one (median best-sentence similarity of answerable questions on dev + dev2: 0.840 for
# Chinese, 0.893 for English), so one support weight pushes Chinese questions towards refusal
# and English off-topic ones towards an answer. "Low support" is measured from the typical
# support of answerable questions in the question's language (fitted, `centres`), starting this
# far below it: of 0.02 / 0.03 / 0.04, the best out of fold over 8 fold seeds (refusal accuracy
# 0.26 -> 0.32 at 5% false refusals).
LOW_SUPPORT_MARGIN = 0.02
DEFAULT_CENTRE = 0.87  # when no centre was fitted: the median over both languages


def support_group(language: str) -> str:
    """The language groups whose support is on one scale: Chinese (both scripts), English."""
    return "zh" if language.startswith("zh") else "en"


def low_support(support: float, centre: float) -> float:
    """How far the best sentence falls below the low-support line of its language."""
    return max(0.0, centre - LOW_SUPPORT_MARGIN - support)


@dataclass(frozen=True)
class RefusalModel:
    """Logistic weights over FEATURES and the probability below which BayBot refuses."""

    weights: tuple[float, ...]
    threshold: float
    centres: tuple[tuple[str, float], ...] = ()  # support_group -> answerable median support

    @classmethod
    def load(cls) -> RefusalModel:
        data = json.loads(resources.files("baybot").joinpath("data/refusal.json").read_text())
        weights = tuple(float(data["weights"].get(name, 0.0)) for name in FEATURES)
        centres = tuple((k, float(v)) for k, v in sorted((data.get("centres") or {}).items()))
        return cls(weights, float(data["threshold"]), centres)

    def low_support(self, support: float, language: str) -> float:
        centre = dict(self.centres).get(support_group(language), DEFAULT_CENTRE)
        return low_support(support, centre)

    def probability(self, features: dict[str, float]) -> float:
        z = sum(w * features[name] for w, name in zip(self.weights, FEATURES, strict=True))
        return 1.0 / (1.0 + math.exp(-z))
