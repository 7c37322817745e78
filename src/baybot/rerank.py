"""Optional cross-encoder reranking of the fused candidates.

No PyPI package ships cross-encoder weights, so this is off unless a user names a model (hub
id, with offline mode off, or a local folder) in `rerank_model`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .errors import ModelUnavailableError

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
        if self.offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import CrossEncoder

        try:
            return CrossEncoder(self.name, device="cpu")
        except Exception as exc:
            hint = " (offline; BAYBOT_OFFLINE=false allows hub downloads)" if self.offline else ""
            raise ModelUnavailableError(
                f"cannot load rerank model {self.name!r}{hint}: {exc}"
            ) from exc

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        pairs = [(query, t) for t in texts]
        return np.asarray(self.model.predict(pairs, show_progress_bar=False), dtype=np.float32)


@lru_cache(maxsize=4)
def load_reranker(name: str, *, offline: bool = True) -> Reranker:
    return CrossEncoderReranker(name, offline=offline)
