"""The on-disk index: FAISS vectors, chunk store and manifest, written atomically, verified on load.

Layout: `index/CURRENT` names the live version folder `index/v-*`. A new version is written
in full into a fresh folder, fsynced, and only then does CURRENT switch to it (os.replace),
so a crash leaves the old index or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .chunking import Chunk
from .documents import Document
from .errors import IndexCorruptError, IndexMissingError, IndexStoreError

FORMAT_VERSION = 1
CHUNKER_VERSION = 1  # bump when chunking.py changes what it produces
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
VECTORS = "vectors.npy"
FAISS_FILE = "index.faiss"
CHUNKS = "chunks.jsonl"
DOCUMENTS = "documents.jsonl"
_DATA_FILES = (VECTORS, FAISS_FILE, CHUNKS, DOCUMENTS)


@dataclass(frozen=True)
class IndexConfig:
    """Everything that changes what the index holds; any difference forces a full rebuild."""

    embedder: str
    token_encoding: str
    chunk_tokens: int
    chunk_overlap: int
    chunker_version: int = CHUNKER_VERSION
    format_version: int = FORMAT_VERSION


@dataclass(frozen=True)
class DocEntry:
    """What the manifest remembers of one source file, to tell whether it changed."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    chunks: int


@dataclass(frozen=True)
class Manifest:
    config: IndexConfig
    dimension: int
    documents: dict[str, DocEntry]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    libraries: dict[str, str] = field(default_factory=dict)
    created: str = ""

    @property
    def n_chunks(self) -> int:
        return sum(d.chunks for d in self.documents.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "created": self.created,
            "config": asdict(self.config),
            "embedder": {"name": self.config.embedder, "dimension": self.dimension},
            "chunker": {
                "encoding": self.config.token_encoding,
                "chunk_tokens": self.config.chunk_tokens,
                "chunk_overlap": self.config.chunk_overlap,
                "version": self.config.chunker_version,
            },
            "n_chunks": self.n_chunks,
            "documents": {k: asdict(v) for k, v in sorted(self.documents.items())},
            "files": self.files,
            "libraries": self.libraries,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            config=IndexConfig(**data["config"]),
            dimension=int(data["embedder"]["dimension"]),
            documents={k: DocEntry(**v) for k, v in data["documents"].items()},
            files=data["files"],
            libraries=data.get("libraries", {}),
            created=data.get("created", ""),
        )


def library_versions() -> dict[str, str]:
    """Versions read from package metadata, so recording them imports nothing heavy."""
    out = {}
    for dist in ("baybot", "faiss-cpu", "sentence-transformers", "torch", "tiktoken", "numpy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_write(path: Path, data: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _jsonl(rows: Sequence[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


@dataclass
class LoadedIndex:
    """An index in memory: vectors for search, chunks and documents for display and citation."""

    path: Path
    manifest: Manifest
    faiss_index: faiss.Index
    vectors: np.ndarray
    chunks: list[Chunk]
    documents: dict[str, Document]

    def __len__(self) -> int:
        return len(self.chunks)

    @property
    def version(self) -> str:
        return self.path.name

    def search(self, query: np.ndarray, k: int) -> list[tuple[Chunk, float]]:
        k = min(k, len(self.chunks))
        if k == 0:
            return []
        scores, ids = self.faiss_index.search(query.reshape(1, -1).astype(np.float32), k)
        pairs = zip(scores[0], ids[0], strict=True)
        return [(self.chunks[i], float(s)) for s, i in pairs if i >= 0]


class IndexStore:
    """Reads and writes versions of the index under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def current(self) -> Path | None:
        pointer = self.root / CURRENT
        if not pointer.is_file():
            return None
        name = pointer.read_text().strip()
        return self.root / name if name else None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One writer at a time; readers never need the lock because versions are immutable."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = (self.root / ".lock").open("a")
        except OSError as exc:
            raise IndexStoreError(f"index folder {self.root} is not writable: {exc}") from exc
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def read_manifest(self) -> Manifest:
        path = self.current()
        if path is None:
            raise IndexMissingError(f"no index in {self.root}; run `baybot ingest`")
        try:
            return Manifest.from_dict(json.loads((path / MANIFEST).read_text()))
        except FileNotFoundError as exc:
            raise IndexCorruptError(f"index {path} has no manifest") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"manifest {path / MANIFEST} is unreadable: {exc}") from exc

    def verify(self, path: Path, manifest: Manifest) -> None:
        """Sizes and checksums of every data file must match the manifest."""
        for name in _DATA_FILES:
            expected = manifest.files.get(name)
            file = path / name
            if expected is None:
                raise IndexCorruptError(f"manifest of {path} does not list {name}")
            if not file.is_file():
                raise IndexCorruptError(f"index file missing: {file}")
            if file.stat().st_size != expected["bytes"]:
                raise IndexCorruptError(
                    f"index file {file} is {file.stat().st_size} bytes, manifest says "
                    f"{expected['bytes']} (truncated or overwritten)"
                )
            if _sha256(file) != expected["sha256"]:
                raise IndexCorruptError(f"index file {file} does not match its checksum")

    def load(self) -> LoadedIndex:
        manifest = self.read_manifest()
        path = self.current()
        assert path is not None
        self.verify(path, manifest)
        try:
            vectors = np.load(path / VECTORS, mmap_mode="r")
            index = faiss.read_index(str(path / FAISS_FILE))
            chunks = [
                Chunk.from_dict(json.loads(line))
                for line in (path / CHUNKS).read_text().splitlines()
            ]
            documents = {
                d.id: d
                for d in (
                    Document.from_dict(json.loads(line))
                    for line in (path / DOCUMENTS).read_text().splitlines()
                )
            }
        except Exception as exc:  # faiss raises RuntimeError, json ValueError, numpy several
            raise IndexCorruptError(f"index {path} cannot be read: {exc}") from exc
        n = len(chunks)
        if not (index.ntotal == vectors.shape[0] == n == manifest.n_chunks):
            raise IndexCorruptError(
                f"index {path} is inconsistent: {index.ntotal} vectors in FAISS, "
                f"{vectors.shape[0]} stored, {n} chunks, manifest says {manifest.n_chunks}"
            )
        if index.d != manifest.dimension or set(documents) != set(manifest.documents):
            raise IndexCorruptError(f"index {path} does not match its manifest")
        return LoadedIndex(path, manifest, index, vectors, chunks, documents)

    def write(
        self,
        config: IndexConfig,
        dimension: int,
        entries: dict[str, DocEntry],
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
    ) -> Path:
        """Write a complete new version, then switch CURRENT to it in one atomic rename."""
        if vectors.shape != (len(chunks), dimension):
            raise ValueError(f"{vectors.shape[0]} vectors for {len(chunks)} chunks")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        tmp = self.root / f".tmp-{stamp}-{os.getpid()}"
        final = self.root / f"v-{stamp}"
        try:
            tmp.mkdir(parents=True)
            with (tmp / VECTORS).open("wb") as fh:
                np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32))
                fh.flush()
                os.fsync(fh.fileno())
            index = faiss.IndexFlatIP(dimension)
            if len(vectors):
                index.add(np.ascontiguousarray(vectors, dtype=np.float32))
            _fsync_write(tmp / FAISS_FILE, faiss.serialize_index(index).tobytes())
            _fsync_write(tmp / CHUNKS, _jsonl([c.to_dict() for c in chunks]))
            _fsync_write(tmp / DOCUMENTS, _jsonl([d.to_dict() for d in documents]))
            files = {
                name: {"bytes": (tmp / name).stat().st_size, "sha256": _sha256(tmp / name)}
                for name in _DATA_FILES
            }
            manifest = Manifest(
                config=config,
                dimension=dimension,
                documents=entries,
                files=files,
                libraries=library_versions(),
                created=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            body = json.dumps(manifest.to_dict(), indent=1, ensure_ascii=False)
            _fsync_write(tmp / MANIFEST, body.encode())
            os.rename(tmp, final)
            pointer = self.root / f".{CURRENT}.tmp"
            _fsync_write(pointer, final.name.encode())
            os.replace(pointer, self.root / CURRENT)
            dir_fd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise IndexStoreError(f"cannot write the index to {self.root}: {exc}") from exc
        self.collect_garbage()
        return final

    def collect_garbage(self, keep: int = 2) -> None:
        """Drop abandoned temp folders and all but the newest `keep` versions.

        The previous version stays so a reader that resolved CURRENT just before the switch
        can still open it. Called under the writer lock, so no temp folder is in use.
        """
        live = self.current()
        versions = sorted(p for p in self.root.glob("v-*") if p.is_dir() and p != live)
        stale = versions[: max(0, len(versions) - (keep - 1))]
        for child in [*stale, *self.root.glob(".tmp-*")]:
            shutil.rmtree(child, ignore_errors=True)
