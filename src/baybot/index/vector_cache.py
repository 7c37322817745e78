"""A persistent cache of embedded vectors keyed by model and text, so no text is embedded twice.

Slow engines (multilingual-e5 runs at tens of passages a second on two cores) make a rebuild
expensive; with the cache, a rebuild after corruption or a settings change re-embeds only
passages whose text is new. SQLite from the standard library: one file, safe across processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from baybot.index.embedders.base import Embedder

log = logging.getLogger(__name__)


def _key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


class VectorCache:
    """Vectors by sha256(model, text); a broken cache file is replaced, never trusted."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            log.warning("vector cache %s is unreadable (%s); starting a new one", self.path, exc)
            self.path.unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        return db

    def close(self) -> None:
        self._db.close()

    def get(self, model: str, texts: Sequence[str], dimension: int) -> list[np.ndarray | None]:
        keys = [_key(model, t) for t in texts]
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part
            ).fetchall()
            found.update(rows)
        out: list[np.ndarray | None] = []
        for key in keys:
            blob = found.get(key)
            vector = None if blob is None else np.frombuffer(blob, dtype=np.float32)
            out.append(vector if vector is not None and vector.shape == (dimension,) else None)
        return out

    def put(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (_key(model, t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)


@contextlib.contextmanager
def open_cache(cache_dir: Path, enabled: bool = True) -> Iterator[VectorCache | None]:
    """The cache in `cache_dir` for the duration of a block, or None when caching is off."""
    if not enabled:
        yield None
        return
    cache = VectorCache(Path(cache_dir) / "vectors.sqlite")
    try:
        yield cache
    finally:
        cache.close()


def embed_with_cache(
    embedder: Embedder,
    texts: Sequence[str],
    cache: VectorCache | None,
    *,
    batch_size: int = 32,
    progress: bool = False,
) -> tuple[np.ndarray, int]:
    """(vectors, how many were computed rather than read from the cache)."""
    if cache is None:
        return embedder.embed_documents(texts, batch_size=batch_size, progress=progress), len(texts)
    cached = cache.get(embedder.name, texts, embedder.dimension)
    missing = [i for i, v in enumerate(cached) if v is None]
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for i, v in enumerate(cached):
        if v is not None:
            out[i] = v
    if missing:
        todo = [texts[i] for i in missing]
        fresh = embedder.embed_documents(todo, batch_size=batch_size, progress=progress)
        out[missing] = fresh
        cache.put(embedder.name, todo, fresh)
    return out, len(missing)
