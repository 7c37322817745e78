"""Values shared by the repositories: a cited source as stored, and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class StoredCitation:
    """What of a citation is kept with a rating or a logged answer: enough to find the passage
    again in the index version named beside it, without copying the passage."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    url: str | None
    published: str | None  # ISO date

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredCitation:
        return cls(
            int(data["n"]),
            str(data["doc_id"]),
            str(data["chunk_id"]),
            str(data["title"]),
            data.get("url"),
            data.get("published"),
        )


def citations_to_json(citations: Iterable[StoredCitation]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in citations]


def citations_from_json(data: Any) -> tuple[StoredCitation, ...]:
    return tuple(StoredCitation.from_dict(item) for item in data or ())


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
