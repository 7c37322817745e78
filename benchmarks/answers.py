"""Answer benchmark: the extractive default on a question file, warm, with its answer metrics
and latency as a ratio to the search alone measured in the same run (so the figure says what
answering adds, whatever the machine's load). Also the cold start: the first Assistant built
with an empty sentence-vector cache, and then with a warm one.

    python benchmarks/answers.py [--questions eval/dev.jsonl] [--out FILE]
    python benchmarks/answers.py --classes BEFORE.json AFTER.json [--out FILE]

The second form compares harness runs (benchmarks/harness.py: both dev sets, one process):
the answer metrics and the failure classes of issue 16 (false refusal, off-topic instead of
"not stated", wrong document, wrong language, fragment, stale, missing facts), as counts per
set, with every answer re-classified by the current classifier (staff/failures.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from baybot import Settings
from baybot.answer.assistant import Assistant
from baybot.app.wiring import build_assistant
from baybot.corpus.discovery import load_corpus
from baybot.index.vector_cache import open_cache
from baybot.staff.evaluation import evaluate, load_questions
from baybot.staff.failures import classify, summarise

ROOT = Path(__file__).resolve().parents[1]


def classes(runs: list[Path], out: Path) -> None:
    """Metrics and failure-class counts of harness runs, side by side."""
    documents = {d.id: d for d in load_corpus(ROOT / "corpus").documents}
    result = {}
    for run in runs:
        rows = json.loads(run.read_text())
        for row in rows:
            row["failure"] = classify(row, documents)
        result[run.stem] = summarise(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=ROOT / "eval/dev.jsonl")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--classes", type=Path, nargs="+", help="harness runs to compare")
    args = parser.parse_args()
    if args.classes:
        classes(args.classes, args.out or ROOT / "benchmarks/results/answer-classes.json")
        return
    args.out = args.out or ROOT / "benchmarks/results/answers.json"
    settings = Settings(query_cache_size=0)  # every answer timed as if asked first
    started = time.perf_counter()
    assistant = build_assistant(settings)
    warm_start = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as empty, open_cache(Path(empty)) as cache:
        started = time.perf_counter()
        computed = Assistant(assistant.retriever, settings).evidence.prepare(cache)
        cold_sentences = time.perf_counter() - started
    questions = load_questions(args.questions)
    report = evaluate(assistant.retriever, questions, k=10, assistant=assistant).to_dict()
    overall = report["overall"]
    first_tokens = []
    for q in questions:
        events = assistant.stream(q.question, q.history)
        begun = time.perf_counter()
        next(events)
        first_tokens.append((time.perf_counter() - begun) * 1000)
        for _ in events:
            pass
    result = {
        "machine": platform.platform(),
        "questions": len(questions),
        "generator": settings.generator,
        "answers": {
            key: overall[key]
            for key in (
                "fact_recall",
                "citation_precision",
                "refusal_accuracy",
                "false_refusal_rate",
            )
        },
        "by_language": {
            lang: {k: v[k] for k in ("fact_recall", "citation_precision", "false_refusal_rate")}
            for lang, v in report["by_language"].items()
        },
        "latency_ms": {
            "answer_p50": overall["latency_ms_p50"],
            "answer_p95": overall["latency_ms_p95"],
            "first_token_p50": round(float(np.percentile(first_tokens, 50)), 2),
            "search_p50": overall["search_latency_ms_p50"],
            "answer_vs_search_p50": round(
                overall["latency_ms_p50"] / overall["search_latency_ms_p50"], 2
            ),
        },
        "startup_s": {
            "assistant_with_warm_caches": round(warm_start, 2),
            "sentence_vectors_cold": round(cold_sentences, 2),
            "sentences": computed,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
