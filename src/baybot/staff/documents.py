"""The document list of the staff Sources tab: the rows `baybot documents` prints, narrowed by
text, region and scheme and ordered by date, from the index the server is answering with."""

from __future__ import annotations

from collections.abc import Sequence

from baybot.index.catalog import DocumentRow, document_rows
from baybot.index.store import LoadedIndex
from baybot.search.filters import Filters, allowed_documents
from baybot.text.language import fold


def select_documents(
    index: LoadedIndex,
    *,
    text: str = "",
    regions: Sequence[str] = (),
    schemes: Sequence[str] = (),
    oldest_first: bool = False,
) -> tuple[DocumentRow, ...]:
    """Rows whose id, title, issuer, source, region or schemes hold every word of `text`, in
    any of `regions` and naming any of `schemes` (matched through the glossary, as search
    filters are: QueryError for a value no document has); newest first, undated last."""
    allowed = allowed_documents(
        Filters(region=tuple(regions), scheme=tuple(schemes)), index.documents
    )
    words = fold(text).split()
    rows = [
        row
        for row in document_rows(index)
        if row.id in allowed and all(w in _haystack(index, row) for w in words)
    ]
    if oldest_first:
        dated = [r for r in rows if r.date != "undated"]
        rows = dated[::-1] + [r for r in rows if r.date == "undated"]
    return tuple(rows)


def _haystack(index: LoadedIndex, row: DocumentRow) -> str:
    issuer = index.documents[row.id].issuer or ""
    return fold(" ".join((row.id, row.title, issuer, row.source, row.region or "", *row.schemes)))
