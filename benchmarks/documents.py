"""The document signal's weight, fitted on 5 folds of dev + dev2 and reported out of fold beside
in fold, per set and language; the wrong-document cases (a relevant document ranked 2nd-3rd
under another one) by class, before and after; and search latency with and without it.

Every weight of the grid runs over one index in one process (query vectors are encoded once and
shared); a fold picks the weight with the best recall@5 + MRR@10 on the other four folds.
A control row keeps the signal off and allows one passage per document, to separate what the
signal adds from the diversity of lifting only each document's best passage. Usage:

    python benchmarks/documents.py [--out benchmarks/results/documents.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from baybot import Settings
from baybot.answer.conversation import condense
from baybot.app.wiring import build_retriever
from baybot.index.embedders import CachedQueries
from baybot.search.retriever import Retriever
from baybot.staff.evaluation import EvalQuestion, load_questions, retrieval_metrics
from baybot.types import Document

ROOT = Path(__file__).resolve().parents[1]
FILES = ("dev.jsonl", "dev2.jsonl")
WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
CONTROL = "off, one passage per document"
FOLDS = 5
SEED = 16  # the folds of benchmarks/fit_answers.py
METRICS = ("recall@1", "recall@5", "mrr@10")
LANGUAGES = ("en", "zh-Hant", "zh-Hans")


def ranked_docs(retriever: Retriever, questions: Sequence[EvalQuestion]) -> list[list[str]]:
    return [
        [h.doc_id for h in retriever.search(condense(q.question, q.history), 10)] for q in questions
    ]


def table(
    questions: Sequence[tuple[str, EvalQuestion]], hits: Sequence[list[str]]
) -> dict[str, dict[str, float]]:
    """Mean metrics per set and per language over the answerable questions."""
    groups: dict[str, list[dict[str, float]]] = {}
    for (name, q), docs in zip(questions, hits, strict=True):
        if not q.relevant:
            continue
        scores = retrieval_metrics(docs, q.relevant)
        for group in ("all", name, q.language):
            groups.setdefault(group, []).append(scores)
    return {
        group: {m: round(float(np.mean([s[m] for s in rows])), 4) for m in METRICS}
        for group, rows in groups.items()
    }


def cross_validate(
    questions: Sequence[tuple[str, EvalQuestion]], runs: Mapping[float, list[list[str]]]
) -> dict[str, Any]:
    answerable = [i for i, (_, q) in enumerate(questions) if q.relevant]
    fold = np.random.default_rng(SEED).permutation(len(questions)) % FOLDS

    def objective(weight: float, rows: Sequence[int]) -> float:
        scores = [retrieval_metrics(runs[weight][i], questions[i][1].relevant) for i in rows]
        return float(np.mean([s["recall@5"] + s["mrr@10"] for s in scores]))

    picks, out_of_fold = [], [list[str]() for _ in questions]
    for k in range(FOLDS):
        train = [i for i in answerable if fold[i] != k]
        best = max(runs, key=lambda w: objective(w, train))
        picks.append(best)
        for i in range(len(questions)):
            if fold[i] == k:
                out_of_fold[i] = runs[best][i]
    in_fold = max(runs, key=lambda w: objective(w, answerable))
    return {
        "weight_in_fold": in_fold,
        "weights_per_fold": picks,
        "in_fold": table(questions, runs[in_fold]),
        "out_of_fold": table(questions, out_of_fold),
    }


def wrong_document(
    questions: Sequence[tuple[str, EvalQuestion]],
    hits: Sequence[list[str]],
    documents: Mapping[str, Document],
) -> dict[str, Any]:
    """Questions whose first relevant hit is 2nd or 3rd, by how the document above it differs:
    another place (region), another scheme (no scheme in common), or the same scheme."""
    classes: Counter[str] = Counter()
    ids: dict[str, list[str]] = {}
    for (_, q), docs in zip(questions, hits, strict=True):
        first = next((i for i, d in enumerate(docs) if d in q.relevant), None)
        if first not in (1, 2):
            continue
        top, right = documents[docs[0]], documents[docs[first]]
        if (top.region or "") != (right.region or ""):
            label = "other place"
        elif not set(top.schemes) & set(right.schemes):
            label = "other scheme"
        else:
            label = "same scheme, other document"
        classes[label] += 1
        ids.setdefault(label, []).append(q.id)
    return {"counts": dict(classes), "total": sum(classes.values()), "ids": ids}


def unwrapped(embedder: Any) -> Any:
    while isinstance(embedder, CachedQueries):
        embedder = embedder.inner
    return embedder


def moves(
    questions: Sequence[tuple[str, EvalQuestion]],
    before: Sequence[list[str]],
    after: Sequence[list[str]],
) -> dict[str, list[str]]:
    """Question ids whose first relevant hit moved to 1st from 2nd-3rd ("fixed") and the
    reverse ("lost")."""
    out: dict[str, list[str]] = {"fixed": [], "lost": []}
    for (_, q), old, new in zip(questions, before, after, strict=True):
        first = [next((i for i, d in enumerate(h) if d in q.relevant), None) for h in (old, new)]
        if first[0] in (1, 2) and first[1] == 0:
            out["fixed"].append(q.id)
        if first[0] == 0 and first[1] in (1, 2):
            out["lost"].append(q.id)
    return out


def latency(before: Retriever, after: Retriever, queries: Sequence[str]) -> dict[str, float]:
    """p50 search latency of both, interleaved per query so machine load hits them alike (the
    query-vector cache is off, so every search encodes), and p50 of the document step alone."""
    times: dict[str, list[float]] = {"off": [], "on": [], "documents_step": []}
    for query in queries:
        for name, retriever in (("off", before), ("on", after)):
            started = time.perf_counter()
            result = retriever.run(query, 10)
            times[name].append((time.perf_counter() - started) * 1000)
            if "documents" in result.timings_ms:
                times["documents_step"].append(result.timings_ms["documents"])
    return {f"p50_ms_{k}": round(float(np.percentile(v, 50)), 3) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--eval", type=Path, default=ROOT / "eval")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/documents.json")
    args = parser.parse_args()
    questions = [
        (f.removesuffix(".jsonl"), q) for f in FILES for q in load_questions(args.eval / f)
    ]
    plain = [q for _, q in questions]

    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(corpus_dir=args.corpus, index_dir=Path(tmp) / "index")
        built = build_retriever(base)
        shared = [CachedQueries(e, 4096) for e in built.embedders]

        def retriever(**update: Any) -> Retriever:
            return Retriever(
                built.index,
                shared,
                base.model_copy(update=update),
                calibrator=built.calibrator,
                documents=built.documents,
            )

        runs = {w: ranked_docs(retriever(document_weight=w), plain) for w in WEIGHTS}
        control = ranked_docs(retriever(document_weight=0.0, max_hits_per_doc=1), plain)
        raw = [unwrapped(e) for e in built.embedders]
        timed = [condense(q.question, q.history) for q in plain]
        speed = latency(
            Retriever(
                built.index,
                raw,
                base.model_copy(update={"document_weight": 0.0, "query_cache_size": 0}),
                calibrator=built.calibrator,
            ),
            Retriever(
                built.index,
                raw,
                base.model_copy(update={"query_cache_size": 0}),
                calibrator=built.calibrator,
                documents=built.documents,
            ),
            timed,
        )
        documents = built.index.documents
        default = base.document_weight
        out = {
            "questions": dict(Counter(name for name, _ in questions)),
            "weights": list(WEIGHTS),
            "default_weight": default,
            "document_windows": len(built.documents.window_texts) if built.documents else 0,
            "per_weight": {str(w): table(questions, runs[w]) for w in WEIGHTS},
            CONTROL: table(questions, control),
            "cross_validation": cross_validate(questions, runs),
            "wrong_document_before": wrong_document(questions, runs[0.0], documents),
            "wrong_document_after": wrong_document(questions, runs[default], documents),
            "wrong_document_moves": moves(questions, runs[0.0], runs[default]),
            "latency": speed,
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    cv = out["cross_validation"]
    for label, rows in (
        ("off", out["per_weight"]["0.0"]),
        (CONTROL, out[CONTROL]),
        (f"in fold ({cv['weight_in_fold']})", cv["in_fold"]),
        (f"out of fold {cv['weights_per_fold']}", cv["out_of_fold"]),
    ):
        print(label)
        for group in ("dev", "dev2", *LANGUAGES):
            m = rows[group]
            print(
                f"  {group:8s} r@1 {m['recall@1']:.3f}  r@5 {m['recall@5']:.3f}  "
                f"mrr {m['mrr@10']:.3f}"
            )
    for key in ("wrong_document_before", "wrong_document_after"):
        print(key, out[key]["counts"])
    print({k: len(v) for k, v in out["wrong_document_moves"].items()})
    print("latency", speed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
