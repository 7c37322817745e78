"""BayBot: cited answers about Greater Bay Area talent schemes.

The Python API that the CLI, the REST API and the chat UI are thin shells over:

    from baybot import Settings, ingest, Retriever
    settings = Settings()                      # BAYBOT_* env vars apply
    report = ingest(settings)                  # build or update index/ from corpus/
    hits = Retriever.from_settings(settings).search("Who qualifies for TTPS category C?")

Names are imported lazily so `import baybot` stays cheap (models load on first use).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Settings": "config",
    "Document": "types",
    "Source": "types",
    "SkippedFile": "types",
    "Corpus": "corpus.discovery",
    "load_corpus": "corpus.discovery",
    "Chunk": "types",
    "Chunker": "index.chunking",
    "Embedder": "index.embedders",
    "SentenceTransformerEmbedder": "index.embedders",
    "load_embedder": "index.embedders",
    "IndexStore": "index.store",
    "LoadedIndex": "index.store",
    "IngestReport": "index.ingest",
    "ingest": "index.ingest",
    "Hit": "types",
    "Retriever": "search.retriever",
    "get_encoding": "text.tokens",
    "BayBotError": "errors",
    "DocumentError": "errors",
    "IndexCorruptError": "errors",
    "IndexMissingError": "errors",
    "IndexStaleError": "errors",
    "QueryError": "errors",
    "Filters": "search.filters",
    "SearchResult": "search.retriever",
    "EvalReport": "staff.evaluation",
    "evaluate": "staff.evaluation",
    "load_questions": "staff.evaluation",
}

__all__ = [
    "BayBotError",
    "Chunk",
    "Chunker",
    "Corpus",
    "Document",
    "DocumentError",
    "Embedder",
    "EvalReport",
    "Filters",
    "Hit",
    "IndexCorruptError",
    "IndexMissingError",
    "IndexStaleError",
    "IndexStore",
    "IngestReport",
    "LoadedIndex",
    "QueryError",
    "Retriever",
    "SearchResult",
    "SentenceTransformerEmbedder",
    "Settings",
    "SkippedFile",
    "Source",
    "evaluate",
    "get_encoding",
    "ingest",
    "load_corpus",
    "load_embedder",
    "load_questions",
]

if TYPE_CHECKING:
    from baybot.config import Settings
    from baybot.corpus.discovery import Corpus, load_corpus
    from baybot.errors import (
        BayBotError,
        DocumentError,
        IndexCorruptError,
        IndexMissingError,
        IndexStaleError,
        QueryError,
    )
    from baybot.index.chunking import Chunker
    from baybot.index.embedders import SentenceTransformerEmbedder, load_embedder
    from baybot.index.embedders.base import Embedder
    from baybot.index.ingest import IngestReport, ingest
    from baybot.index.store import IndexStore, LoadedIndex
    from baybot.search.filters import Filters
    from baybot.search.retriever import Retriever, SearchResult
    from baybot.staff.evaluation import EvalReport, evaluate, load_questions
    from baybot.text.tokens import get_encoding
    from baybot.types import Chunk, Document, Hit, SkippedFile, Source


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'baybot' has no attribute {name!r}")
