"""`baybot eval`: retrieval and answer metrics on a question file, overall and per kind and
language.

Definitions follow the eval README: a hit counts through its document; recall@k is whether a
relevant document is among the top k hits' documents; MRR@10 uses the first such hit; nDCG@10
has binary gains, each relevant document counted once. Questions without relevant documents
(out of scope) have no retrieval metrics. Answers: fact recall is the share of a question's
facts found in its answer (case-, width- and thousands-separator-insensitive; a refused
answerable question finds none), citation precision the share of all citations that point into
a relevant document, refusal accuracy the share of out-of-scope questions refused, and the
false refusal rate the share of answerable ones refused. `latency_ms_*` time the whole answer
when answers are evaluated (the search alone otherwise); `search_latency_ms_*` the search.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from baybot.answer.conversation import condense
from baybot.errors import BayBotError
from baybot.search.retriever import Retriever
from baybot.timing import Stopwatch

if TYPE_CHECKING:
    from baybot.answer.assistant import Assistant
    from baybot.types import Answer

RETRIEVAL_KEYS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
ANSWER_KEYS = ("fact_recall", "citation_precision", "refusal_accuracy", "false_refusal_rate")
KINDS = ("factoid", "list", "comparison", "followup", "out_of_scope")


class EvalFileError(BayBotError):
    """The question file cannot be used; the message names the line."""


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    language: str
    kind: str
    relevant: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class QuestionResult:
    id: str
    kind: str
    language: str
    hits: list[str]
    latency_ms: float
    metrics: dict[str, float] | None
    search_latency_ms: float = 0.0
    refused: bool | None = None
    facts: tuple[str, ...] = ()
    facts_found: list[str] | None = None
    cited_docs: list[str] | None = None
    relevant: tuple[str, ...] = ()
    answer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hits": self.hits,
            "refused": self.refused,
            "facts_found": self.facts_found,
            "latency_ms": round(self.latency_ms, 2),
            "cited_docs": self.cited_docs,
            "answer": self.answer,
        }


def _strings(value: object) -> tuple[str, ...]:
    """A list of strings; a lone string is one item, not a sequence of characters."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        raise TypeError(f"expected a list of strings, got {type(value).__name__}")
    return tuple(str(v) for v in value)


def load_questions(path: Path) -> list[EvalQuestion]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"cannot read {path}: {exc}") from exc
    out: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = EvalQuestion(
                id=str(row["id"]),
                question=str(row["question"]),
                language=str(row.get("language", "en")),
                kind=str(row.get("kind", "factoid")),
                relevant=_strings(row.get("relevant")),
                facts=_strings(row.get("facts")),
                history=tuple(
                    {"role": str(t["role"]), "content": str(t["content"])}
                    for t in row.get("history") or ()
                ),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalFileError(f"{path}:{number}: not a question object ({exc})") from exc
        if not question.question.strip():
            raise EvalFileError(f"{path}:{number}: empty question")
        if question.id in seen:
            raise EvalFileError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        out.append(question)
    if not out:
        raise EvalFileError(f"{path} holds no questions")
    return out


def retrieval_metrics(hit_docs: Sequence[str], relevant: Iterable[str]) -> dict[str, float]:
    """Doc-level metrics of one ranked hit list (doc id per hit, duplicates allowed)."""
    relevant = set(relevant)
    first = next((i for i, d in enumerate(hit_docs[:10]) if d in relevant), None)
    gains, counted = 0.0, set()
    for i, doc in enumerate(hit_docs[:10]):
        if doc in relevant and doc not in counted:
            counted.add(doc)
            gains += 1 / math.log2(i + 2)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return {
        "recall@1": float(any(d in relevant for d in hit_docs[:1])),
        "recall@5": float(any(d in relevant for d in hit_docs[:5])),
        "recall@10": float(any(d in relevant for d in hit_docs[:10])),
        "mrr@10": 0.0 if first is None else 1 / (first + 1),
        "ndcg@10": gains / ideal if ideal else 0.0,
    }


_SEPARATOR = re.compile(r"(?<=\d)[,，](?=\d{3})")


def _normalise(text: str) -> str:
    return _SEPARATOR.sub("", unicodedata.normalize("NFKC", text).casefold())


def facts_in(answer: str, facts: Iterable[str]) -> list[str]:
    """The facts an answer contains (case-, width- and thousands-separator-insensitive)."""
    text = _normalise(answer)
    return [f for f in facts if _normalise(f) in text]


def _mean(values: Sequence[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def _latency(out: dict[str, Any], prefix: str, values: Sequence[float]) -> None:
    array = np.array(values, dtype=float)
    out[f"{prefix}_mean"] = round(float(array.mean()), 2) if len(array) else None
    for q in (50, 95):
        out[f"{prefix}_p{q}"] = round(float(np.percentile(array, q)), 2) if len(array) else None


def _summary(results: Sequence[QuestionResult]) -> dict[str, Any]:
    scored = [r.metrics for r in results if r.metrics is not None]
    out: dict[str, Any] = {"n": len(results)}
    for key in RETRIEVAL_KEYS:
        out[key] = _mean([m[key] for m in scored])
    answered = [r for r in results if r.refused is not None]
    in_scope = [r for r in answered if r.relevant]
    with_facts = [r for r in in_scope if r.facts]
    out["fact_recall"] = _mean([len(r.facts_found or ()) / len(r.facts) for r in with_facts])
    cited = [d in r.relevant for r in in_scope for d in r.cited_docs or ()]
    out["citation_precision"] = _mean([float(c) for c in cited])
    out_of_scope = [r for r in answered if not r.relevant]
    out["refusal_accuracy"] = _mean([float(bool(r.refused)) for r in out_of_scope])
    out["false_refusal_rate"] = _mean([float(bool(r.refused)) for r in in_scope])
    _latency(out, "latency_ms", [r.latency_ms for r in results])
    _latency(out, "search_latency_ms", [r.search_latency_ms for r in results])
    return out


@dataclass(frozen=True)
class EvalReport:
    k: int
    results: list[QuestionResult]
    settings: dict[str, Any] = field(default_factory=dict)

    def groups(self, attribute: str) -> dict[str, dict[str, Any]]:
        names = sorted({getattr(r, attribute) for r in self.results})
        if attribute == "kind":
            names = [k for k in KINDS if k in names] + [n for n in names if n not in KINDS]
        return {
            name: _summary([r for r in self.results if getattr(r, attribute) == name])
            for name in names
        }

    def to_dict(self) -> dict[str, Any]:
        overall = _summary(self.results)
        return {
            "n": overall["n"],
            "k": self.k,
            "overall": overall,
            "by_kind": self.groups("kind"),
            "by_language": self.groups("language"),
            "questions": [r.to_dict() for r in self.results],
            "settings": self.settings,
        }


def evaluate(
    retriever: Retriever,
    questions: Sequence[EvalQuestion],
    *,
    k: int = 10,
    assistant: Assistant | None = None,
    generator: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Run every question (follow-ups with their history), timing each search and answer warm.

    With an `assistant`, each question is also answered (by `generator`, default the
    configured one) and the answer metrics are filled in.
    """
    retriever.search(questions[0].question, k)  # load models lazily outside the timings
    if assistant is not None:
        assistant.ask(questions[0].question, generator=generator)
    results = []
    for i, q in enumerate(questions):
        query = condense(q.question, q.history)
        watch = Stopwatch()
        hits = retriever.search(query, k)
        search_latency = watch.elapsed_ms()
        docs = [h.doc_id for h in hits]
        metrics = retrieval_metrics(docs, q.relevant) if q.relevant else None
        result = QuestionResult(
            q.id,
            q.kind,
            q.language,
            docs,
            search_latency,
            metrics,
            search_latency,
            facts=q.facts,
            relevant=q.relevant,
        )
        if assistant is not None:
            watch = Stopwatch()
            answer = assistant.ask(q.question, q.history, generator=generator)
            result = _with_answer(result, answer, watch.elapsed_ms())
        results.append(result)
        if progress:
            progress(i + 1, len(questions))
    s = retriever.settings
    settings = {
        "embedding_models": list(s.embedding_models),
        "embedding_weights": list(s.embedding_weights),
        "lexical_weight": s.lexical_weight,
        "place_weight": s.place_weight,
        "fusion": s.fusion,
        "language_calibration": s.language_calibration,
        "rerank_model": s.rerank_model,
        "generator": (generator or s.generator) if assistant is not None else None,
    }
    return EvalReport(k, results, settings)


def _with_answer(result: QuestionResult, answer: Answer, latency_ms: float) -> QuestionResult:
    return replace(
        result,
        latency_ms=latency_ms,
        refused=answer.refused,
        facts_found=facts_in(answer.text, result.facts),
        cited_docs=[c.doc_id for c in answer.citations],
        answer=answer.text,
    )


def render_table(report: EvalReport) -> str:
    """A plain-text table: one row per group, one column per metric."""
    data = report.to_dict()
    answered = any(r.refused is not None for r in report.results)
    columns = [
        *RETRIEVAL_KEYS,
        *(ANSWER_KEYS if answered else ()),
        "latency_ms_mean",
        "latency_ms_p95",
    ]
    rows = [("overall", data["overall"])]
    rows += [(f"kind={k}", v) for k, v in data["by_kind"].items()]
    rows += [(f"language={k}", v) for k, v in data["by_language"].items()]
    width = max(len(name) for name, _ in rows)
    header = f"{'group':<{width}}  {'n':>4}  " + "  ".join(f"{c:>10}" for c in columns)
    lines = [header, "-" * len(header)]
    for name, summary in rows:
        cells = []
        for c in columns:
            value = summary[c]
            cells.append(f"{'-' if value is None else format(value, '.3f'):>10}")
        lines.append(f"{name:<{width}}  {summary['n']:>4}  " + "  ".join(cells))
    return "\n".join(lines)


def write_report(report: EvalReport, folder: Path) -> list[Path]:
    """metrics.json, a bar chart of the metrics per group (metrics.png) and report.html."""
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = report.to_dict()
    groups = {"overall": data["overall"], **data["by_kind"], **data["by_language"]}
    groups = {k: v for k, v in groups.items() if v["recall@5"] is not None}
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(RETRIEVAL_KEYS)
    x = np.arange(len(groups))
    for i, key in enumerate(RETRIEVAL_KEYS):
        ax.bar(x + i * width, [g[key] for g in groups.values()], width, label=key)
    ax.set_xticks(x + width * (len(RETRIEVAL_KEYS) - 1) / 2, list(groups), rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Retrieval on {data['n']} questions (k={data['k']})")
    ax.legend(ncol=len(RETRIEVAL_KEYS), fontsize="small", loc="lower right")
    fig.tight_layout()
    png = folder / "metrics.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    json_path = folder / "metrics.json"
    json_path.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    page = folder / "report.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><title>BayBot eval</title>"
        f"<h1>BayBot retrieval eval</h1><img src='metrics.png' alt='metrics chart'>"
        f"<pre>{html.escape(render_table(report))}</pre>",
        encoding="utf-8",
    )
    return [json_path, png, page]
