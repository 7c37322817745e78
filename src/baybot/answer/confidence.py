"""Confidence that means something: the chance that an answer (or a refusal) is right, out of
fold on dev + dev2 (fitted by benchmarks/fit_answers.py into data/confidence.json).

An answer's confidence comes from its own model: a logistic model over signals of the answer
being right (`FEATURES`: how close the best sentence is, whether one document holds the top
hits and sentences, whether the best sentence holds what is asked...), mapped by isotonic
regression to the share of answers that were right. The refusal model's probability says
whether a question is answerable, which is not the same thing: a wrong-document answer to an
answerable question scores high there. A refusal's confidence maps the refusal probability.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

FEATURES = (
    "bias",
    "support",
    "concentration",
    "doc_margin",
    "best_holds_slots",
    "asks_many",
    "sentence_missing_terms",
    "slot_gap",
    "unknown_terms",
)


@cache
def _model() -> dict[str, Any]:
    path = resources.files("baybot").joinpath("data/confidence.json")
    return json.loads(path.read_text()) if path.is_file() else {}


def _curve(name: str, x: float) -> float:
    curve = _model().get(name)
    if not curve or not curve["x"]:
        return x
    return float(np.interp(x, curve["x"], curve["y"]))


def answer_score(features: Mapping[str, float]) -> float:
    """The answer model's raw probability (before calibration)."""
    weights = _model().get("weights") or {}
    z = sum(float(weights.get(name, 0.0)) * features.get(name, 0.0) for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))


def calibrated(features: Mapping[str, float], probability: float, refused: bool) -> float:
    """The chance that this answer (or refusal) is right; uncalibrated scores when no model
    has been fitted."""
    if refused:
        return _curve("refused", probability)
    if not _model().get("weights"):
        return probability
    return _curve("answered", answer_score(features))
