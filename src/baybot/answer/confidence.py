"""Confidence that means something: the refusal model's probability mapped to the share of
answers that were right at that probability, out of fold on dev + dev2 (isotonic regression,
fitted by benchmarks/fit_answers.py into data/confidence.json), separately for answers and for
refusals."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np


@cache
def _curves() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    path = resources.files("baybot").joinpath("data/confidence.json")
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return {name: (np.array(c["x"]), np.array(c["y"])) for name, c in data.items()}


def calibrated(probability: float, refused: bool) -> float:
    """The chance that this answer (or refusal) is right; the raw probability when no
    calibration has been fitted."""
    curve = _curves().get("refused" if refused else "answered")
    if curve is None or not len(curve[0]):
        return probability
    return float(np.interp(probability, curve[0], curve[1]))
