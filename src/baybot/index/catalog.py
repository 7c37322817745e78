"""The documents an index holds, as staff list them (`baybot documents`): what each citation
will show (title, date or "undated", region, schemes, language, source) and its passages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baybot.config import Settings
from baybot.index.store import IndexStore, LoadedIndex
from baybot.types import iso_date


@dataclass(frozen=True)
class DocumentRow:
    id: str
    title: str
    date: str  # published, else last updated, else "undated"
    region: str | None
    schemes: tuple[str, ...]
    language: str
    source: str  # the link a citation shows, else the corpus file
    chunks: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "schemes": list(self.schemes)}


def list_documents(settings: Settings) -> tuple[DocumentRow, ...]:
    """Every document of the current index, newest first, undated last."""
    return document_rows(IndexStore(Path(settings.index_dir)).load())


def document_rows(index: LoadedIndex) -> tuple[DocumentRow, ...]:
    """Every document of a loaded index (a server's own), newest first, undated last."""
    rows = [
        DocumentRow(
            id=doc.id,
            title=doc.title,
            date=iso_date(doc.published or doc.updated) or "undated",
            region=doc.region,
            schemes=doc.schemes,
            language=doc.language,
            source=doc.url or doc.path,
            chunks=index.manifest.documents[doc.id].chunks,
        )
        for doc in index.documents.values()
    ]
    rows.sort(key=lambda r: r.id)
    rows.sort(key=lambda r: r.date if r.date != "undated" else "", reverse=True)
    return tuple(rows)
