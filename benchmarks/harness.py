"""One process, both question files: the Assistant is loaded once and every question of
dev + dev2 answered, with retrieval results kept in a pickle (retrieval is not what the answer
path changes, and it is most of the time on a shared 2-core machine).

    python benchmarks/harness.py [--out FILE] [--no-cache] [--refusal/--no-refusal]
    python benchmarks/harness.py --review --no-refusal --out review.json

`--review` answers the corpus-review questions instead (tests/corpus_review/corrected_facts.jsonl:
74 answerable questions written from the corrections, in three languages, never fitted on):
fit_answers.py --holdout reports how many of them a model fitted on dev + dev2 refuses.

Writes one JSON with, per question, what the answer path decided (answer, refused, cited
documents, evidence features, confidence, the failure class) so fitting (benchmarks/fit_answers.py)
and reports need no second run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import time
from pathlib import Path
from typing import Any

from baybot import Settings
from baybot.answer.conversation import condense
from baybot.app.wiring import build_assistant
from baybot.staff.evaluation import EvalQuestion, facts_in, load_questions, retrieval_metrics
from baybot.staff.failures import classify

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
FILES = ("dev.jsonl", "dev2.jsonl")
REVIEW = ROOT / "tests" / "corpus_review" / "corrected_facts.jsonl"


class CachedRetriever:
    """Wraps Retriever.run with a pickle keyed by the query, k and filters."""

    def __init__(self, retriever: Any, path: Path | None) -> None:
        self._retriever = retriever
        self._path = path
        self._store: dict[str, Any] = {}
        if path is not None and path.exists():
            self._store = pickle.loads(path.read_bytes())
        self._dirty = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._retriever, name)

    def run(self, query: str, k: int = 5, filters: Any = None, **kwargs: Any) -> Any:
        key = hashlib.sha1(repr((query, k, filters)).encode()).hexdigest()
        if key not in self._store:
            self._store[key] = self._retriever.run(query, k, filters, **kwargs)
            self._dirty = True
        return self._store[key]

    def search(self, query: str, k: int = 5, filters: Any = None) -> Any:
        return self.run(query, k, filters).hits

    def save(self) -> None:
        if self._path is not None and self._dirty:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._path.write_bytes(pickle.dumps(self._store))


def review_questions(path: Path = REVIEW) -> list[EvalQuestion]:
    """The corpus-review questions as eval questions: each is answered by its corrected
    document and must hold the corrected facts."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            out.append(
                EvalQuestion(
                    id=f"review{case['finding']:02d}-{case['language']}",
                    question=case["question"],
                    language=case["language"],
                    kind="factoid",
                    relevant=(case["doc"],),
                    facts=tuple(case["expect"]),
                )
            )
    return out


def run(
    settings: Settings,
    cache: Path | None,
    files: tuple[str, ...],
    folder: Path = EVAL,
    review: bool = False,
) -> list[dict[str, Any]]:
    assistant = build_assistant(settings)
    cached = CachedRetriever(assistant.retriever, cache)
    assistant.retriever = cached  # type: ignore[assignment]
    rows = []
    sets = (
        {"review": review_questions()}
        if review
        else {name: load_questions(folder / name) for name in files}
    )
    for name, questions in sets.items():
        for q in questions:
            query = condense(q.question, q.history)
            docs = [h.doc_id for h in cached.search(query, 10)]
            started = time.perf_counter()
            answer = assistant.ask(q.question, q.history)
            latency = (time.perf_counter() - started) * 1000
            row = {
                "set": name.removesuffix(".jsonl"),
                "id": q.id,
                "kind": q.kind,
                "language": q.language,
                "question": q.question,
                "relevant": list(q.relevant),
                "facts": list(q.facts),
                "hits": docs,
                "retrieval": retrieval_metrics(docs, q.relevant) if q.relevant else None,
                "refused": answer.refused,
                "facts_found": facts_in(answer.text, q.facts),
                "cited_docs": [c.doc_id for c in answer.citations],
                "answer": answer.text,
                "answer_language": answer.language,
                "confidence": answer.confidence,
                "features": dict(getattr(answer, "features", {})),
                "latency_ms": round(latency, 2),
            }
            row["failure"] = classify(row, assistant.retriever.index.documents)
            rows.append(row)
    cached.save()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("/tmp/answers-harness.json"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/answers-retrieval.pkl"))
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--no-refusal", action="store_true", help="answer everything")
    parser.add_argument("--files", nargs="*", default=list(FILES))
    parser.add_argument("--eval", type=Path, default=EVAL, help="folder of the question files")
    parser.add_argument("--review", action="store_true", help="the corpus-review questions")
    args = parser.parse_args()
    settings = Settings(query_cache_size=0, refusal=not args.no_refusal)
    cache = None if args.no_cache else args.cache
    rows = run(settings, cache, tuple(args.files), args.eval, args.review)
    args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=0))
    from baybot.staff.failures import summarise

    print(json.dumps(summarise(rows), indent=1))


if __name__ == "__main__":
    main()
