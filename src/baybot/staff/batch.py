"""Batch testing for staff: a CSV or JSONL file of questions in, a table of answers out.

The stdlib csv and json readers suffice here; what matters is naming the bad line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from baybot.answer.assistant import Assistant
from baybot.errors import BayBotError
from baybot.types import Answer

MAX_QUESTIONS = 500
QUESTION_FIELDS = ("question", "query", "q")


@dataclass(frozen=True)
class BatchRow:
    """One answered (or failed) question, flattened for a table."""

    question: str
    answer: str
    refused: bool
    supported: bool
    confidence: float
    citations: str  # "[1] doc-id (date); [2] ..."
    generator: str
    total_ms: float
    error: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


COLUMNS = tuple(BatchRow.__dataclass_fields__)


class BatchFileError(BayBotError):
    """The uploaded file is not a CSV or JSONL of questions."""


def read_questions(path: Path) -> list[str]:
    """Questions from a .csv (a `question` column, else the first column) or a .jsonl file
    (objects with `question`, or plain strings)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchFileError(f"cannot read {path.name} as UTF-8 text: {exc}") from exc
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        questions = _jsonl(text, path.name)
    elif suffix in (".csv", ".tsv", ".txt"):
        questions = _csv(text, path.name, "\t" if suffix == ".tsv" else ",")
    else:
        raise BatchFileError(f"{path.name}: upload a .csv or .jsonl file of questions")
    if not questions:
        raise BatchFileError(f"{path.name} has no questions")
    if len(questions) > MAX_QUESTIONS:
        raise BatchFileError(f"{path.name} has {len(questions)} questions; at most {MAX_QUESTIONS}")
    return questions


def _jsonl(text: str, name: str) -> list[str]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BatchFileError(f"{name} line {number} is not JSON: {exc.msg}") from exc
        if isinstance(item, dict):
            item = next((item[f] for f in QUESTION_FIELDS if f in item), None)
        if not isinstance(item, str) or not item.strip():
            raise BatchFileError(f"{name} line {number} has no question text")
        out.append(item.strip())
    return out


def _csv(text: str, name: str, delimiter: str) -> list[str]:
    rows = [
        r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)
    ]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0]]
    column = next((header.index(f) for f in QUESTION_FIELDS if f in header), None)
    if column is None:
        column, body = 0, rows
    else:
        body = rows[1:]
    return [r[column].strip() for r in body if len(r) > column and r[column].strip()]


def answer_all(
    assistant: Assistant,
    questions: Iterable[str],
    *,
    generator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[BatchRow]:
    """Every question answered independently; one bad question is a row with its error,
    not the end of the batch."""
    rows = []
    for i, question in enumerate(questions):
        try:
            rows.append(_row(assistant.ask(question, generator=generator)))
        except BayBotError as exc:
            rows.append(
                BatchRow(question, "", False, False, 0.0, "", generator or "", 0.0, str(exc))
            )
        if progress:
            progress(i + 1)
    return rows


def _row(answer: Answer) -> BatchRow:
    citations = "; ".join(
        f"[{c.n}] {c.doc_id}" + (f" ({c.published.isoformat()})" if c.published else "")
        for c in answer.citations
    )
    return BatchRow(
        question=answer.question,
        answer=answer.text,
        refused=answer.refused,
        supported=answer.supported,
        confidence=round(answer.confidence, 3),
        citations=citations,
        generator=answer.generator,
        total_ms=answer.timings_ms.get("total", 0.0),
        error="",
    )


def to_csv(rows: Sequence[BatchRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, c) for c in COLUMNS])
    return out.getvalue()
