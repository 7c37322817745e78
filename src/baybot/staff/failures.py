"""The failure classes of issue 16, told apart automatically on an evaluated answer, and the
answer metrics (as `baybot eval` defines them) with the class counts, per question set.

A question gets the first class that fits, in this order: false refusal (answerable, refused),
off-topic (out of scope, answered instead of "not stated"), wrong document (the first cited
document is not a relevant one), wrong language (the answer is in another language than the
question and not framed in it), fragment (a heading with nothing after it, a table row without
its headers, a sentence opening on a pronoun with nothing before it), stale (the cited document
has a later year than any the answer gives), missing facts (anything else short of all facts).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from baybot.text.language import detect_language
from baybot.types import Document

CLASSES = (
    "false_refusal",
    "off_topic",
    "wrong_document",
    "wrong_language",
    "fragment",
    "stale",
    "missing_facts",
    "ok",
)
_MARKERS = re.compile(r"\s*\[\d+(?:,\s*\d+)*\]")
_HEADING_END = re.compile(r"[:：]\s*(\[\d+\])?\s*$")
_LEAD_PRONOUN = re.compile(r"^(?:[-*]\s*)?(they|this|these|it|those|其|该|該|此|他们|他們)\b", re.I)
_BARE_ROW = re.compile(r"^(?:[-*]\s*)?[^:：\n]+ – [^:：\n]+ – ")
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
_FRAMED = ("以下內容摘自英文資料", "以下内容摘自英文资料", "The following is quoted from")


def _lines(answer: str) -> list[str]:
    return [line.strip() for line in answer.splitlines() if line.strip()]


def is_fragment(answer: str) -> bool:
    """A heading as the last word of a piece, a headerless table row, or a pronoun opening."""
    lines = _lines(answer)
    headings = [
        _HEADING_END.search(line) is not None
        and len(_MARKERS.sub("", line).strip()) < 40
        and not any(f in line for f in _FRAMED)
        for line in lines
    ]
    for i, line in enumerate(lines):
        # A heading is a fragment when nothing follows it but another heading.
        if headings[i] and (i + 1 == len(lines) or headings[i + 1]):
            return True
        if _BARE_ROW.match(_MARKERS.sub("", line).strip()):
            return True
    first = _lines(answer)[:1]
    return bool(first and _LEAD_PRONOUN.match(_MARKERS.sub("", first[0])))


def answer_language_ok(answer: str, language: str) -> bool:
    """The answer's own words are in the question's language, or framed in it."""
    if any(f in answer for f in _FRAMED) and language.startswith("zh"):
        return True
    body = _MARKERS.sub("", answer)
    if not body.strip():
        return True
    found = detect_language(body)
    return found[:2] == language[:2]


def _stale(answer: str, cited: Sequence[str], documents: Mapping[str, Document]) -> bool:
    years = [int(y) for y in _YEAR.findall(answer)]
    if not years:
        return False
    latest = max(
        (int(y) for d in cited if d in documents for y in _YEAR.findall(documents[d].text)),
        default=0,
    )
    return max(years) < latest - 1


def classify(row: Mapping[str, Any], documents: Mapping[str, Document]) -> str:
    """The failure class of one evaluated question (a harness row)."""
    answerable = bool(row["relevant"])
    if answerable and row["refused"]:
        return "false_refusal"
    if not answerable:
        return "ok" if row["refused"] else "off_topic"
    cited = row["cited_docs"]
    if cited and cited[0] not in row["relevant"]:
        return "wrong_document"
    if not answer_language_ok(row["answer"], row["language"]):
        return "wrong_language"
    if is_fragment(row["answer"]):
        return "fragment"
    if len(row["facts_found"]) < len(row["facts"]):
        if _stale(row["answer"], cited, documents):
            return "stale"
        return "missing_facts"
    return "ok"


def _mean(values: Sequence[float]) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


def metrics(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Answer metrics as `baybot eval` computes them, plus language match and class counts."""
    in_scope = [r for r in rows if r["relevant"]]
    out_scope = [r for r in rows if not r["relevant"]]
    with_facts = [r for r in in_scope if r["facts"]]
    cited = [float(d in r["relevant"]) for r in in_scope for d in r["cited_docs"]]
    retrieval = [r["retrieval"] for r in in_scope if r.get("retrieval")]
    latencies = [r["latency_ms"] for r in rows]
    return {
        "n": len(rows),
        "recall@5": _mean([m["recall@5"] for m in retrieval]),
        "mrr@10": _mean([m["mrr@10"] for m in retrieval]),
        "fact_recall": _mean([len(r["facts_found"]) / len(r["facts"]) for r in with_facts]),
        "citation_precision": _mean(cited),
        "refusal_accuracy": _mean([float(r["refused"]) for r in out_scope]),
        "false_refusal_rate": _mean([float(r["refused"]) for r in in_scope]),
        "language_match": _mean(
            [float(answer_language_ok(r["answer"], r["language"])) for r in rows]
        ),
        "latency_ms_p50": round(float(np.percentile(latencies, 50)), 1) if latencies else None,
        "classes": dict(Counter(r["failure"] for r in rows)),
    }


def summarise(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    sets = sorted({r["set"] for r in rows})
    out = {name: metrics([r for r in rows if r["set"] == name]) for name in sets}
    out["all"] = metrics(rows)
    return out
