"""Fit what the answer path learns from data, on 5 folds of dev + dev2, and report it out of
fold beside in fold: the refusal model (logistic over the evidence features) and the
confidence calibration (isotonic, from the refusal model's probability to "the answer is
right").

    python benchmarks/harness.py --no-refusal --out /tmp/h-open.json   # features, all answered
    python benchmarks/fit_answers.py /tmp/h-open.json [--write] [--holdout review.json]

`--holdout` takes a harness run of the corpus-review questions (`harness.py --review`): all
answerable and never fitted on, so the share the fitted model refuses is a false-refusal rate
on questions it has not seen (a feature that helps out of fold on dev + dev2 but raises it has
fitted the question sets, not the task).

An answer is right when it is given for an answerable question, holds all its facts and its
first citation is a relevant document; a refusal is right for an out-of-scope question.
Refusing is simulated on the answered run: a refused answerable question finds no facts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from refusal import L2, fit, threshold_for
from sklearn.isotonic import IsotonicRegression

from baybot.answer.confidence import FEATURES as CONFIDENCE_FEATURES
from baybot.answer.evidence.refusal import FEATURES, centre, low_support, support_group
from baybot.staff.failures import metrics

FOLDS = 5
SEED = 16
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "baybot" / "data"
OUT = ROOT / "benchmarks" / "results" / "answers-cv.json"
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.01)


def right(row: dict[str, Any], refused: bool) -> bool:
    if not row["relevant"]:
        return refused
    if refused:
        return False
    cited = row["cited_docs"]
    return (
        len(row["facts_found"]) == len(row["facts"]) and bool(cited) and cited[0] in row["relevant"]
    )


def centres_of(rows: list[dict[str, Any]], train: np.ndarray) -> dict[str, float]:
    """The median support of the answerable training questions, per question language."""
    out = {}
    for group in ("en", "zh"):
        values = [
            r["features"]["support"]
            for r, t in zip(rows, train, strict=True)
            if t and r["relevant"] and support_group(r["language"]) == group
        ]
        out[group] = round(float(np.median(values)), 6)
    return out


def design(rows: list[dict[str, Any]], centres: dict[str, float]) -> np.ndarray:
    """The refusal features, with low support measured from the given centres (fitted on the
    training folds only)."""
    x = []
    for r in rows:
        f = dict(r["features"])
        source = "zh" if f.get("source_chinese") else "en"
        f["low_support"] = low_support(f["support"], centre(centres, r["language"], source))
        x.append([f.get(name, 0.0) for name in FEATURES])
    return np.array(x)


def fit_model(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    scale = np.maximum(np.abs(x).max(axis=0), 1e-9)
    scale[0] = 1.0
    w = fit(x / scale, y) / scale
    p = 1 / (1 + np.exp(-x @ w))
    return w, threshold_for(p, y)


def _isotonic(x: np.ndarray, y: np.ndarray) -> IsotonicRegression:
    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)


def fit_confidence(
    xc: np.ndarray,
    p: np.ndarray,
    answered_right: np.ndarray,
    refused_right: np.ndarray,
    train: np.ndarray,
    refused: np.ndarray,
) -> dict[str, Any]:
    """The answer model and both calibration curves, fitted on the `train` rows."""
    answered = train & ~refused
    scale = np.maximum(np.abs(xc[answered]).max(axis=0), 1e-9)
    scale[0] = 1.0
    w = fit(xc[answered] / scale, answered_right[answered].astype(float)) / scale
    score = 1 / (1 + np.exp(-xc @ w))
    answer_iso = _isotonic(score[answered], answered_right[answered])
    refusal_iso = _isotonic(p[train & refused], refused_right[train & refused])

    def curve(iso: IsotonicRegression) -> dict[str, list[float]]:
        return {
            "x": [round(float(v), 6) for v in iso.X_thresholds_],
            "y": [round(float(v), 6) for v in iso.y_thresholds_],
        }

    return {
        "answered": lambda x: answer_iso.predict(1 / (1 + np.exp(-x @ w))),
        "refused": refusal_iso.predict,
        "curves": {
            "weights": dict(zip(CONFIDENCE_FEATURES, np.round(w, 6).tolist(), strict=True)),
            "answered": curve(answer_iso),
            "refused": curve(refusal_iso),
        },
    }


def simulate(rows: list[dict[str, Any]], refused: np.ndarray) -> list[dict[str, Any]]:
    out = []
    for row, r in zip(rows, refused, strict=True):
        row = dict(row, refused=bool(r))
        if r:
            row.update(facts_found=[], cited_docs=[], answer="", failure=_class(row))
        else:
            row["failure"] = (
                _class(row) if row["failure"] in ("false_refusal", "ok") else row["failure"]
            )
        out.append(row)
    return out


def _class(row: dict[str, Any]) -> str:
    if row["relevant"]:
        return "false_refusal" if row["refused"] else "ok"
    return "ok" if row["refused"] else "off_topic"


def reliability(confidence: np.ndarray, correct: np.ndarray) -> list[dict[str, Any]]:
    table = []
    for low, high in zip(BINS, BINS[1:], strict=False):
        mask = (confidence >= low) & (confidence < high)
        table.append(
            {
                "confidence": f"[{low:.1f}, {min(high, 1.0):.1f}{']' if high > 1 else ')'}",
                "n": int(mask.sum()),
                "mean_confidence": round(float(confidence[mask].mean()), 3) if mask.any() else None,
                "accuracy": round(float(correct[mask].mean()), 3) if mask.any() else None,
            }
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run", type=Path, help="harness output with --no-refusal")
    parser.add_argument(
        "--write", action="store_true", help="update data/refusal.json, confidence.json"
    )
    parser.add_argument("--holdout", type=Path, help="harness run of answerable questions")
    args = parser.parse_args()
    rows = json.loads(args.run.read_text())
    y = np.array([1.0 if r["relevant"] else 0.0 for r in rows])
    rng = np.random.default_rng(SEED)
    fold = rng.permutation(len(rows)) % FOLDS
    oof_p = np.zeros(len(rows))
    oof_refused = np.zeros(len(rows), dtype=bool)
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        x = design(rows, centres_of(rows, train))
        w, cut = fit_model(x[train], y[train])
        oof_p[test] = 1 / (1 + np.exp(-x[test] @ w))
        oof_refused[test] = oof_p[test] < cut
    centres = centres_of(rows, np.ones(len(rows), dtype=bool))
    x = design(rows, centres)
    w, cut = fit_model(x, y)
    p = 1 / (1 + np.exp(-x @ w))
    infold_refused = p < cut
    # Confidence. An answer: the answer model (logistic over confidence.FEATURES, fitted on the
    # answered questions to "right"), then isotonic to the share right. A refusal: isotonic from
    # the refusal probability. Each fitted on the training folds, predicted on the held-out one.
    answered_right = np.array([right(r, False) for r in rows])
    refused_right = np.array([right(r, True) for r in rows])
    xc = np.array([[r["features"].get(f, 0.0) for f in CONFIDENCE_FEATURES] for r in rows])
    xc[:, 0] = 1.0
    oof_conf = np.zeros(len(rows))
    infold_conf = np.zeros(len(rows))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        answer_fit = fit_confidence(xc, oof_p, answered_right, refused_right, train, oof_refused)
        sel = test & ~oof_refused
        oof_conf[sel] = answer_fit["answered"](xc[sel])
        sel = test & oof_refused
        oof_conf[sel] = answer_fit["refused"](oof_p[sel])
    final = fit_confidence(
        xc, oof_p, answered_right, refused_right, np.ones(len(rows), bool), oof_refused
    )
    infold_conf[~oof_refused] = final["answered"](xc[~oof_refused])
    infold_conf[oof_refused] = final["refused"](oof_p[oof_refused])
    curves = final["curves"]
    correct = np.where(oof_refused, refused_right, answered_right)
    answered = ~oof_refused
    sets = sorted({r["set"] for r in rows})
    report: dict[str, Any] = {
        "questions": len(rows),
        "folds": FOLDS,
        "ridge": L2,
        "weights": dict(zip(FEATURES, np.round(w, 6).tolist(), strict=True)),
        "threshold": round(cut, 6),
        "in_fold": {},
        "out_of_fold": {},
        "reliability_answered_out_of_fold": reliability(oof_conf[answered], correct[answered]),
        "reliability_answered_in_fold": reliability(infold_conf[answered], correct[answered]),
        "reliability_all_out_of_fold": reliability(oof_conf, correct),
        "answers_at_confidence_0.8": {
            "n": int((answered & (oof_conf >= 0.8)).sum()),
            "right": round(float(correct[answered & (oof_conf >= 0.8)].mean()), 3)
            if (answered & (oof_conf >= 0.8)).any()
            else None,
        },
    }
    for label, refused in (("in_fold", infold_refused), ("out_of_fold", oof_refused)):
        simulated = simulate(rows, refused)
        for name in [*sets, "all"]:
            chosen = simulated if name == "all" else [r for r in simulated if r["set"] == name]
            report[label][name] = metrics(chosen)
    if args.holdout:
        held = json.loads(args.holdout.read_text())
        refused = 1 / (1 + np.exp(-design(held, centres) @ w)) < cut
        report["holdout"] = {
            "file": args.holdout.name,
            "n": len(held),
            "false_refusal_rate": round(float(refused.mean()), 3),
            "refused": [r["id"] for r, gone in zip(held, refused, strict=True) if gone],
        }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps({k: v for k, v in report.items()}, indent=1, ensure_ascii=False))
    if args.write:
        (DATA / "refusal.json").write_text(
            json.dumps(
                {"weights": report["weights"], "threshold": cut, "centres": centres}, indent=1
            )
            + "\n"
        )
        (DATA / "confidence.json").write_text(json.dumps(curves, indent=1) + "\n")


if __name__ == "__main__":
    main()
