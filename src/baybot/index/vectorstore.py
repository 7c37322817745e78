"""Nearest-neighbour search over one embedder's vectors: the VectorStore protocol and its FAISS
implementation, with the index type chosen by size.

Below `threshold` vectors the search is exact: a flat inner-product index needs no training
and takes a few milliseconds at tens of thousands of passages. From `threshold` up, the index
is approximate, built from `factory`, a FAISS factory string in which `{nlist}` becomes the
number of inverted lists suited to the size. The default, IVF with 8-bit scalar quantisation,
holds a quarter of the memory of float vectors; benchmarks/scale.py measures its recall
against exact search. Indexes are memory-mapped read-only where FAISS allows it (IVF lists),
so several server processes on one machine share one copy through the page cache.

Retrieval code sees only `VectorStore`, so a distributed engine can stand in for FAISS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from baybot.errors import IndexStoreError

TRAIN_PER_LIST = 40  # k-means sample per centroid; FAISS warns below 39
MIN_PER_LIST = 8
MIN_TRAIN = 40 * 256  # product quantisers train 256 centroids per sub-vector
ADD_BATCH = 65_536  # vectors added at a time, so conversions never copy the whole array


class VectorStore(Protocol):
    """Nearest neighbours by inner product; FAISS here, replaceable by a distributed engine."""

    @property
    def size(self) -> int: ...

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) of the best `k`, best first, among `allowed` rows if given."""
        ...


@dataclass(frozen=True)
class AnnPolicy:
    """Which FAISS index a given number of vectors gets, and how widely it is searched."""

    threshold: int = 200_000
    factory: str = "IVF{nlist},SQ8"
    breadth: int = 32  # IVF lists probed (nprobe), or HNSW candidates (efSearch), per query

    def spec(self, n: int) -> str:
        """The factory string for `n` vectors: exact below the threshold."""
        if n < self.threshold:
            return "Flat"
        return self.factory.format(nlist=nlist_for(n))


def nlist_for(n: int) -> int:
    """About 2·sqrt(n) inverted lists, a power of two: a list holds ~sqrt(n)/2 vectors, so a
    query scans `breadth` short lists instead of everything (and every list gets at least
    MIN_PER_LIST vectors, which only binds on small indexes)."""
    nlist = int(2 ** round(math.log2(min(65_536.0, max(1.0, 2 * math.sqrt(max(n, 1)))))))
    while nlist > 1 and nlist * MIN_PER_LIST > n:
        nlist //= 2
    return nlist


def build_faiss(vectors: np.ndarray, policy: AnnPolicy, seed: int = 0) -> faiss.Index:
    """An inner-product index over `vectors` (float32, normalised), trained when it must be."""
    n, dimension = vectors.shape
    spec = policy.spec(n)
    try:
        index = faiss.index_factory(dimension, spec, faiss.METRIC_INNER_PRODUCT)
    except RuntimeError as exc:
        reason = str(exc).strip().splitlines()[-1]
        raise IndexStoreError(
            f"FAISS cannot build {spec!r} for {dimension}-dimensional vectors (setting "
            f"ann_index): {reason}"
        ) from exc
    if not index.is_trained:
        ivf = faiss.try_extract_index_ivf(index)
        lists = ivf.nlist if ivf is not None else 256
        sample = min(n, max(TRAIN_PER_LIST * lists, MIN_TRAIN))
        rows = np.random.default_rng(seed).choice(n, sample, replace=False)
        index.train(np.ascontiguousarray(vectors[np.sort(rows)], dtype=np.float32))
    for start in range(0, n, ADD_BATCH):
        index.add(np.ascontiguousarray(vectors[start : start + ADD_BATCH], dtype=np.float32))
    return index


def read_faiss(path: Path) -> faiss.Index:
    """Memory-mapped and read-only where the index type allows it, else read into memory."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        return faiss.read_index(str(path))


@dataclass
class FaissStore:
    """A FAISS index with its raw vectors (memory-mapped) beside it."""

    index: faiss.Index
    vectors: np.ndarray
    breadth: int = AnnPolicy.breadth

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def exact(self) -> bool:
        return isinstance(self.index, faiss.IndexFlat)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size if allowed is None else len(allowed))
        if k == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        # Filtering happens inside the search, not after it.
        selector = faiss.IDSelectorBatch(allowed) if allowed is not None else None
        params = self._parameters(selector)
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def _parameters(self, selector: faiss.IDSelector | None) -> faiss.SearchParameters | None:
        if faiss.try_extract_index_ivf(self.index) is not None:
            params = faiss.SearchParametersIVF(nprobe=self.breadth)
        elif isinstance(self.index, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(efSearch=max(self.breadth, 16))
        elif selector is None:
            return None
        else:
            params = faiss.SearchParameters()
        if selector is not None:
            params.sel = selector
        return params
