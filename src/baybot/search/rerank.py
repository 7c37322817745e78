"""Optional cross-encoder reranking of the fused candidates.

No PyPI package ships cross-encoder weights, so this is off unless a user names a model (hub
id, with offline mode off, or a local folder) in `rerank_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from baybot.index.embedders.base import load_hub_model

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder


class Reranker(Protocol):
    name: str

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Relevance of each text to the query; higher is better."""
        ...


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder, loaded on first use."""

    def __init__(self, model: str, *, offline: bool = True) -> None:
        local = Path(model).expanduser()
        self.name = str(local.resolve()) if local.exists() else model
        self.offline = offline

    @cached_property
    def model(self) -> CrossEncoder:
        from sentence_transformers import CrossEncoder

        return load_hub_model(CrossEncoder, self.name, "rerank", self.offline)

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        pairs = [(query, t) for t in texts]
        return np.asarray(self.model.predict(pairs, show_progress_bar=False), dtype=np.float32)


@lru_cache(maxsize=4)
def load_reranker(name: str, *, offline: bool = True) -> Reranker:
    return CrossEncoderReranker(name, offline=offline)
