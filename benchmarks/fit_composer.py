"""Fit the extractive composer's weights on 5 folds of dev + dev2 and report them out of fold
beside in fold.

The composer's constants (how close to the best sentence another must score to join the
answer, the weight of the question's words, of an asked slot's shape, of the reader's
language, of the newest figure, and when a lower document is quoted instead) were set by hand
on dev. Here each is chosen by coordinate ascent over a small grid, on the training folds
only, for fact recall plus citation precision over the answerable questions; the held-out fold
is then answered with the chosen values. Retrieval and the evidence check do not depend on
these constants, so each question's evidence is computed once and the composer re-run.

    python benchmarks/fit_composer.py [--cache /tmp/answers-retrieval.pkl] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from fit_answers import FOLDS, SEED
from harness import EVAL, FILES, CachedRetriever

from baybot import Settings
from baybot.answer.generators import extractive
from baybot.app.wiring import build_assistant
from baybot.staff.evaluation import facts_in, load_questions

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "composer-cv.json"
GRID: dict[str, tuple[float, ...]] = {
    "MARGIN": (0.04, 0.06, 0.08, 0.10, 0.12),
    "LEXICAL_WEIGHT": (0.0, 0.075, 0.15, 0.25, 0.35),
    "TYPE_BONUS": (0.0, 0.025, 0.05, 0.08),
    "LANGUAGE_BONUS": (0.0, 0.03, 0.06),
    "NEWEST_BONUS": (0.0, 0.03, 0.06),
    "DOCUMENT_SWITCH": (0.0, 0.03, 0.06, 1.0),  # 1.0: never switch
    "SLOT_WINDOW": (0.0, 0.05, 0.1, 0.15),
    "MAX_SENTENCES": (4, 6, 8),
}


def answer_all(
    settings: Settings, cache: Path
) -> tuple[Callable[[dict[str, Any]], np.ndarray], int]:
    """A function from constant values to each answerable question's (fact recall, cited
    right, cited) under them, and how many questions; evidence computed once per question."""
    assistant = build_assistant(settings)
    assistant.retriever = CachedRetriever(assistant.retriever, cache)  # type: ignore[assignment]
    memo: dict[tuple[str, str], Any] = {}
    assess = assistant.evidence.assess

    def remembered(question: str, query: str, hits: Any, **kwargs: Any) -> Any:
        key = (question, query)
        if key not in memo:
            memo[key] = assess(question, query, hits, **kwargs)
        return memo[key]

    assistant.evidence.assess = remembered  # type: ignore[method-assign]
    questions = [q for name in FILES for q in load_questions(EVAL / name) if q.relevant and q.facts]

    def run(values: dict[str, Any]) -> np.ndarray:
        for name, value in values.items():
            setattr(extractive, name, value)
        out = []
        for q in questions:
            answer = assistant.ask(q.question, [dict(t) for t in q.history])
            cited = [c.doc_id for c in answer.citations]
            out.append(
                (
                    len(facts_in(answer.text, q.facts)) / len(q.facts),
                    sum(d in q.relevant for d in cited),
                    len(cited),
                )
            )
        return np.array(out, dtype=float)

    return run, len(questions)


def objective(rows: np.ndarray) -> float:
    """Fact recall plus citation precision: both are targets, and a fitted weight must not buy
    one with the other."""
    return float(rows[:, 0].mean() + rows[:, 1].sum() / max(rows[:, 2].sum(), 1.0))


def fit(
    results: Callable[[dict[str, Any]], np.ndarray],
    start: dict[str, Any],
    train: np.ndarray,
    rounds: int,
) -> dict[str, Any]:
    """Coordinate ascent from `start`: each constant in turn set to its best grid value on the
    training rows, the others held; ties keep the current value."""
    current = dict(start)
    for _ in range(rounds):
        changed = False
        for name, grid in GRID.items():
            scores = {v: objective(results({**current, name: v})[train]) for v in grid}
            best = max(grid, key=lambda v: (scores[v], v == current[name]))
            if scores[best] > scores[current[name]] + 1e-9:
                current[name], changed = best, True
        if not changed:
            break
    return current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/answers-retrieval.pkl"))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    run, n = answer_all(Settings(query_cache_size=0, refusal=False), args.cache)
    memo: dict[str, np.ndarray] = {}

    def results(values: dict[str, Any]) -> np.ndarray:
        key = json.dumps(values, sort_keys=True)
        if key not in memo:
            memo[key] = run(values)
        return memo[key]

    start = {name: getattr(extractive, name) for name in GRID}
    fold = np.random.default_rng(SEED).permutation(n) % FOLDS
    oof = np.zeros((n, 3))
    chosen = []
    for k in range(FOLDS):
        values = fit(results, start, fold != k, args.rounds)
        chosen.append(values)
        oof[fold == k] = results(values)[fold == k]
    final = fit(results, start, np.ones(n, dtype=bool), args.rounds)

    def summary(rows: np.ndarray) -> dict[str, float]:
        return {
            "fact_recall": round(float(rows[:, 0].mean()), 4),
            "citation_precision": round(float(rows[:, 1].sum() / rows[:, 2].sum()), 4),
        }

    report = {
        "questions": n,
        "folds": FOLDS,
        "current": {"values": start, **summary(results(start))},
        "in_fold": {"values": final, **summary(results(final))},
        "out_of_fold": {"per_fold": chosen, **summary(oof)},
        "configurations_run": len(memo),
        "seconds": round(time.perf_counter() - started, 1),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
