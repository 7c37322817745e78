"""Any sentence-transformers model: the packaged all-MiniLM-L6-v2, a local folder, or a hub id
when offline mode is off."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from baybot.index.embedders.base import load_hub_model, resolve_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class SentenceTransformerEmbedder:
    """A sentence-transformers model; loaded on first use so cheap paths never pay for torch."""

    def __init__(self, model: str = "all-MiniLM-L6-v2", *, offline: bool = True) -> None:
        self.name, self._location = resolve_model(model)
        self.offline = offline

    @cached_property
    def model(self) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer

        return load_hub_model(SentenceTransformer, self._location, "embedding", self.offline)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"])

    def embed_documents(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
