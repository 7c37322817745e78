"""Retriever: a question in, ranked passages with their citation metadata out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .config import Settings
from .embedding import Embedder, load_embedder
from .errors import IndexStaleError, QueryError
from .index import IndexStore, LoadedIndex
from .ingestion import index_config, ingest

MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Hit:
    """One retrieved passage, ready to be shown and cited."""

    rank: int
    chunk_id: str
    doc_id: str
    title: str
    score: float
    text: str
    url: str | None
    published: date | None
    language: str
    section: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """The public hit shape (DESIGN.md): exactly these keys."""
        return {
            "rank": self.rank,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "score": round(self.score, 4),
            "text": self.text,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
        }


class Retriever:
    """Dense retrieval over a loaded index; one instance serves many queries."""

    def __init__(self, index: LoadedIndex, embedder: Embedder) -> None:
        if index.manifest.config.embedder != embedder.name:
            raise IndexStaleError(
                f"index was built with {index.manifest.config.embedder!r}, "
                f"not {embedder.name!r}; run `baybot ingest`"
            )
        self.index = index
        self.embedder = embedder

    @classmethod
    def from_settings(
        cls, settings: Settings, *, embedder: Embedder | None = None, progress: bool = False
    ) -> Retriever:
        """Open the index, first building or updating it when `auto_update` is on."""
        embedder = embedder or load_embedder(settings.embedding_model, offline=settings.offline)
        if settings.auto_update:
            ingest(settings, embedder=embedder, progress=progress)
        index = IndexStore(settings.index_dir).load()
        if index.manifest.config != index_config(settings, embedder.name):
            raise IndexStaleError(
                f"index in {settings.index_dir} was built with other settings; run `baybot ingest`"
            )
        return cls(index, embedder)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        query = query.strip() if isinstance(query, str) else ""
        if not query:
            raise QueryError("query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"query is longer than {MAX_QUERY_CHARS} characters")
        if not 1 <= k <= 50:
            raise QueryError("k must be between 1 and 50")
        vector = self.embedder.embed_query(query)
        hits = []
        for rank, (chunk, score) in enumerate(self.index.search(vector, k), start=1):
            doc = self.index.documents[chunk.doc_id]
            hits.append(
                Hit(
                    rank=rank,
                    chunk_id=chunk.id,
                    doc_id=chunk.doc_id,
                    title=doc.title,
                    score=score,
                    text=chunk.text,
                    url=doc.url,
                    published=doc.published,
                    language=doc.language,
                    section=chunk.section,
                    start=chunk.start,
                    end=chunk.end,
                )
            )
        return hits
