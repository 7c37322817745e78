"""Score fusion: several retrievers' rankings in, one ranking out.

`zscore` standardises each retriever's scores (mean 0, sd 1) and adds them with weights, so a
model with a narrow score range counts as much as one with a wide range (dense scores arrive
here already language-calibrated, see calibration.py). `rrf` is reciprocal rank fusion, which
ignores scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ranking:
    """One retriever's scores for some rows of the chunk store (higher is better)."""

    name: str
    weight: float
    rows: np.ndarray
    scores: np.ndarray


def _standardised(values: np.ndarray) -> tuple[float, float]:
    mean = float(values.mean()) if len(values) else 0.0
    std = float(values.std()) if len(values) > 1 else 0.0
    return mean, std


def zscore(rankings: Sequence[Ranking]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, fused scores), best first. A row a retriever did not return gets that
    retriever's lowest standardised score."""
    rankings = [r for r in rankings if r.weight != 0 and len(r.rows)]
    rows = np.unique(np.concatenate([r.rows for r in rankings])) if rankings else np.zeros(0, int)
    fused = np.zeros(len(rows), dtype=np.float64)
    for ranking in rankings:
        mean, std = _standardised(ranking.scores.astype(np.float64))
        z = (ranking.scores - mean) / std if std > 1e-9 else np.zeros(len(ranking.scores))
        column = np.full(len(rows), float(z.min()))
        column[np.searchsorted(rows, ranking.rows)] = z
        fused += ranking.weight * column
    order = np.argsort(-fused, kind="stable")
    return rows[order], fused[order]


def rrf(rankings: Sequence[Ranking], k: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """(rows, fused scores), best first: sum of weight / (k + rank) over retrievers."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        if ranking.weight == 0:
            continue
        order = np.argsort(-ranking.scores, kind="stable")
        for rank, i in enumerate(order, start=1):
            row = int(ranking.rows[i])
            fused[row] = fused.get(row, 0.0) + ranking.weight / (k + rank)
    rows = np.array(sorted(fused, key=lambda r: -fused[r]), dtype=np.int64)
    return rows, np.array([fused[r] for r in rows], dtype=np.float64)
