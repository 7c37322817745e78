"""A persistent cache of embedded vectors keyed by model and text, so no text is embedded twice.

Slow engines (multilingual-e5 runs at tens of passages a second on two cores) make a rebuild
expensive; with the cache, a rebuild after corruption or a settings change re-embeds only
passages whose text is new. SQLite from the standard library: one file, safe across processes.

A read-only seed file of the same form (the shipped corpus's vectors, `baybot.app.seed` writes
it) answers what the cache lacks, so a fresh clone does not embed the shipped corpus. Keyed by
model and text like the cache, a stale seed can only miss, never give a wrong vector.
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
from baybot.timing import Progress

log = logging.getLogger(__name__)

_SQL_PARAMETERS = 500  # keys per SELECT, under SQLite's host-parameter limit


def _key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


class VectorCache:
    """Vectors by sha256(model, text); a broken cache file is replaced, never trusted."""

    def __init__(self, path: Path, seed: Path | None = None) -> None:
        self.path = Path(path)
        self._seed = _open_seed(seed)
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
        if self._seed is not None:
            self._seed.close()

    def get(self, model: str, texts: Sequence[str], dimension: int) -> list[np.ndarray | None]:
        keys = [_key(model, t) for t in texts]
        found = _lookup(self._db, keys)
        if self._seed is not None and len(found) < len(set(keys)):
            found.update(_lookup(self._seed, [k for k in keys if k not in found]))
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

    def count_missing(self, model: str, texts: Sequence[str], dimension: int) -> int:
        return sum(v is None for v in self.get(model, texts, dimension))


def _lookup(db: sqlite3.Connection, keys: Sequence[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for i in range(0, len(keys), _SQL_PARAMETERS):
        part = keys[i : i + _SQL_PARAMETERS]
        marks = ",".join("?" * len(part))
        rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part)
        found.update(rows.fetchall())
    return found


def _open_seed(seed: Path | None) -> sqlite3.Connection | None:
    """The seed read-only (immutable: no lock or journal files beside a shipped file), or None
    when there is none or it cannot be read (then everything is computed, as without it)."""
    if seed is None or not Path(seed).is_file():
        return None
    try:
        db = sqlite3.connect(Path(seed).resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
        db.execute("SELECT key, vector FROM vectors LIMIT 1").fetchall()
        return db
    except sqlite3.DatabaseError as exc:
        log.warning("seed vectors %s are unreadable (%s); ignoring them", seed, exc)
        return None


@contextlib.contextmanager
def open_cache(
    cache_dir: Path, enabled: bool = True, seed: Path | None = None
) -> Iterator[VectorCache | None]:
    """The cache in `cache_dir` (over the read-only `seed`) for the duration of a block, or None
    when caching is off."""
    if not enabled:
        yield None
        return
    cache = VectorCache(Path(cache_dir) / "vectors.sqlite", seed)
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
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """(vectors, how many were computed rather than read from the cache). `progress` advances
    per batch computed; the caller has added the total (see VectorCache.count_missing)."""
    if cache is None:
        return _embed(embedder, texts, batch_size, progress), len(texts)
    cached = cache.get(embedder.name, texts, embedder.dimension)
    missing = [i for i, v in enumerate(cached) if v is None]
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for i, v in enumerate(cached):
        if v is not None:
            out[i] = v
    if missing:
        todo = [texts[i] for i in missing]
        fresh = _embed(embedder, todo, batch_size, progress)
        out[missing] = fresh
        cache.put(embedder.name, todo, fresh)
    return out, len(missing)


def _embed(
    embedder: Embedder, texts: Sequence[str], batch_size: int, progress: Progress | None
) -> np.ndarray:
    if progress is None or not texts:
        return embedder.embed_documents(texts, batch_size=batch_size)
    parts = []
    for start in range(0, len(texts), batch_size):
        parts.append(
            embedder.embed_documents(texts[start : start + batch_size], batch_size=batch_size)
        )
        progress.advance(len(parts[-1]))
    return np.concatenate(parts)
