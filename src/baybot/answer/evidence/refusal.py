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
# The multilingual model scores Chinese questions lower than English ones (median best-sentence
# similarity of answerable questions on dev + dev2: 0.840 for Chinese questions, whether the
# sentence is Chinese or English, against 0.893 for English ones), so one support weight pushes
# Chinese questions towards refusal and English off-topic ones towards an answer. "Low support"
# is measured from the typical support of answerable questions in the question's language (or
# in the source's, when it is another and lower: the weaker language sets the scale), starting
# this far below it: of 0.02 / 0.03 / 0.04, the best out of fold over 8 fold seeds.
LOW_SUPPORT_MARGIN = 0.02
DEFAULT_CENTRE = 0.87  # when no centre was fitted: the median over both languages


def support_group(language: str) -> str:
    """The languages whose support is on one scale: Chinese (both scripts), English."""
    return "zh" if language.startswith("zh") else "en"


def low_support(support: float, typical: float) -> float:
    """How far the best sentence falls below the low-support line (`typical` less the margin)."""
    return max(0.0, typical - LOW_SUPPORT_MARGIN - support)


def centre(centres: dict[str, float], question_language: str, source_language: str) -> float:
    """The typical support for this pair of languages: the lower of the two languages'."""
    groups = {support_group(question_language), support_group(source_language)}
    return min(centres.get(g, DEFAULT_CENTRE) for g in groups)


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

    def low_support(self, support: float, question_language: str, source_language: str) -> float:
        return low_support(support, centre(dict(self.centres), question_language, source_language))

    def probability(self, features: dict[str, float]) -> float:
        z = sum(w * features[name] for w, name in zip(self.weights, FEATURES, strict=True))
        return 1.0 / (1.0 + math.exp(-z))
