"""The refusal model's fitting: L2-regularised logistic regression and the threshold that
refuses as many out-of-scope questions as it can while false refusals of answerable ones stay
at or under 5%. `benchmarks/fit_answers.py` fits and reports it on 5 folds of dev + dev2.
"""

from __future__ import annotations

import numpy as np

MAX_FALSE_REFUSALS = 0.05
L2 = 1.0  # ridge penalty: a few hundred questions do not support sharp weights


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], L2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x.T * (p * (1 - p))) @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def threshold_for(p: np.ndarray, y: np.ndarray) -> float:
    """The cut that refuses the most out-of-scope questions while false refusals of answerable
    ones stay within budget; of equally good cuts, the one refusing fewest answerable ones
    (halfway to the next answerable question, to leave a margin)."""
    answerable = np.sort(p[y == 1])
    budget = int(np.floor(MAX_FALSE_REFUSALS * len(answerable)))
    highest = answerable[budget] if budget < len(answerable) else 1.0  # refuse below this
    refusable = np.sort(p[(y == 0) & (p < highest)])
    if not len(refusable):
        return float(answerable[0])
    top = refusable[-1]
    above = answerable[answerable > top]
    return float((top + above[0]) / 2) if len(above) else float(highest)
