"""Fit the refusal model (src/baybot/data/refusal.json) on a question file and report its error
rates: in-sample, and leave-one-out (each question judged by a model fitted without it), which
is the honest estimate for unseen questions.

    python benchmarks/refusal.py eval/dev.jsonl [--write]

Out-of-scope questions (no relevant document) are the negatives. The threshold refuses as
many out-of-scope questions as it can while false refusals of answerable ones stay at or under
5%, and no more answerable ones than that takes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from baybot import Settings
from baybot.answer.conversation import condense
from baybot.answer.evidence.checker import EvidenceChecker
from baybot.answer.evidence.refusal import FEATURES, RefusalModel
from baybot.app.wiring import build_retriever
from baybot.index.vector_cache import open_cache
from baybot.staff.evaluation import load_questions

MAX_FALSE_REFUSALS = 0.05
L2 = 1.0  # ridge penalty: 103 questions do not support sharp weights
OUT = Path(__file__).parent / "results" / "refusal.json"
MODEL = Path(__file__).parents[1] / "src" / "baybot" / "data" / "refusal.json"


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


def rates(refused: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return {
        "refusal_accuracy": round(float(refused[y == 0].mean()), 4),
        "false_refusal_rate": round(float(refused[y == 1].mean()), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--write", action="store_true", help="update data/refusal.json")
    args = parser.parse_args()
    settings = Settings()
    retriever = build_retriever(settings)
    # The features do not depend on the model being fitted; a neutral one stands in.
    checker = EvidenceChecker(
        retriever.index,
        retriever.embedders[0],
        RefusalModel((0.0,) * len(FEATURES), 0.0),
        calibrator=retriever.calibrator,
    )
    with open_cache(settings.cache_dir, settings.vector_cache, settings.seed_vectors) as cache:
        checker.prepare(cache)
    rows, labels, ids = [], [], []
    for q in load_questions(args.questions):
        query = condense(q.question, q.history)
        hits = retriever.search(query, settings.answer_passages)
        evidence = checker.assess(
            q.question,
            query,
            hits,
            expand_documents=settings.expand_documents,
            expand_passages=settings.expand_passages,
        )
        rows.append([evidence.features[name] for name in FEATURES])
        labels.append(1.0 if q.relevant else 0.0)
        ids.append(q.id)
    x, y = np.array(rows), np.array(labels)
    scale = np.maximum(np.abs(x).max(axis=0), 1e-9)  # comparable penalties across features
    scale[0] = 1.0
    w = fit(x / scale, y) / scale
    p = 1 / (1 + np.exp(-x @ w))
    cut = threshold_for(p, y)
    loo = np.zeros(len(y), dtype=bool)
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        wi = fit(x[keep] / scale, y[keep]) / scale
        pi = 1 / (1 + np.exp(-x[keep] @ wi))
        loo[i] = 1 / (1 + np.exp(-x[i] @ wi)) < threshold_for(pi, y[keep])
    report = {
        "questions": len(y),
        "out_of_scope": int((y == 0).sum()),
        "weights": dict(zip(FEATURES, np.round(w, 6).tolist(), strict=True)),
        "threshold": round(cut, 6),
        "in_sample": rates(p < cut, y),
        "leave_one_out": rates(loo, y),
        "refused_in_sample": [i for i, r in zip(ids, p < cut, strict=True) if r],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    if args.write:
        MODEL.write_text(
            json.dumps({"weights": report["weights"], "threshold": cut}, indent=1) + "\n"
        )


if __name__ == "__main__":
    main()
