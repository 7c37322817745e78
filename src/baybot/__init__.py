"""BayBot: cited answers about Greater Bay Area talent schemes.

The Python API that the CLI (and later the REST API and chat UI) are thin shells over:

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
    "Document": "documents",
    "Source": "documents",
    "SkippedFile": "documents",
    "Corpus": "documents",
    "load_corpus": "documents",
    "Chunk": "chunking",
    "Chunker": "chunking",
    "Embedder": "embedding",
    "SentenceTransformerEmbedder": "embedding",
    "load_embedder": "embedding",
    "IndexStore": "index",
    "LoadedIndex": "index",
    "IngestReport": "ingestion",
    "ingest": "ingestion",
    "Hit": "retrieval",
    "Retriever": "retrieval",
    "get_encoding": "tokens",
    "BayBotError": "errors",
    "DocumentError": "errors",
    "IndexCorruptError": "errors",
    "IndexMissingError": "errors",
    "IndexStaleError": "errors",
    "QueryError": "errors",
    "Filters": "filters",
    "SearchResult": "retrieval",
    "EvalReport": "evaluation",
    "evaluate": "evaluation",
    "load_questions": "evaluation",
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
    from .chunking import Chunk, Chunker
    from .config import Settings
    from .documents import Corpus, Document, SkippedFile, Source, load_corpus
    from .embedding import Embedder, SentenceTransformerEmbedder, load_embedder
    from .errors import (
        BayBotError,
        DocumentError,
        IndexCorruptError,
        IndexMissingError,
        IndexStaleError,
        QueryError,
    )
    from .evaluation import EvalReport, evaluate, load_questions
    from .filters import Filters
    from .index import IndexStore, LoadedIndex
    from .ingestion import IngestReport, ingest
    from .retrieval import Hit, Retriever, SearchResult
    from .tokens import get_encoding


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'baybot' has no attribute {name!r}")
