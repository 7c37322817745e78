"""Ingest: corpus files -> documents -> chunks -> vectors -> a new index version, incrementally.

Only added or changed files are parsed, chunked and embedded; unchanged documents keep their
chunks and vectors from the previous version; removed ones are dropped. A corrupt index or a
change of embedder or chunker settings triggers a full rebuild, with the reason reported.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from baybot.config import Settings
from baybot.corpus.discovery import (
    discover,
    document_hash,
    parse,
    read_bytes,
    signature,
    warn_undated,
)
from baybot.corpus.sites import SiteLines
from baybot.errors import DocumentError, IndexCorruptError, IndexMissingError, IndexStaleError
from baybot.index.chunking import Chunker
from baybot.index.embedders import load_embedders
from baybot.index.embedders.base import Embedder
from baybot.index.store import (
    DocEntry,
    IndexConfig,
    IndexStore,
    LoadedIndex,
    Manifest,
    index_config,
)
from baybot.index.vector_cache import embed_with_cache, open_cache
from baybot.text.tokens import get_encoding
from baybot.timing import Progress, Step, Stopwatch
from baybot.types import Chunk, Document, SkippedFile, SourceFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did; `changed` is False when the index was already up to date."""

    documents: int
    chunks: int
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    embedded_chunks: int
    computed_vectors: int
    skipped: tuple[SkippedFile, ...]
    kept_previous: tuple[str, ...]
    rebuilt: str | None
    index_path: str
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "added": list(self.added),
            "updated": list(self.updated),
            "removed": list(self.removed),
            "unchanged": self.unchanged,
            "embedded_chunks": self.embedded_chunks,
            "computed_vectors": self.computed_vectors,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "kept_previous": list(self.kept_previous),
            "rebuilt": self.rebuilt,
            "index": self.index_path,
            "seconds": round(self.seconds, 3),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }


def make_chunker(settings: Settings, embedders: Sequence[Embedder]) -> Chunker:
    """Chunks are shared by all embedders, so they must fit the one with the shortest window."""
    embedder = min(embedders, key=lambda e: e.max_tokens)
    return Chunker(
        encoding=get_encoding(settings.token_encoding, settings.cache_dir),
        max_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap,
        model_tokens=embedder.count_tokens,
        model_max_tokens=embedder.max_tokens,
    )


def _previous(
    store: IndexStore, config: IndexConfig
) -> tuple[Manifest | None, str | None, set[str]]:
    """(manifest if reusable, why a full build is needed, ids the previous index listed)."""
    listed: set[str] = set()
    try:
        manifest = store.read_manifest()
        listed = set(manifest.documents)
        path = store.current()
        assert path is not None
        store.verify(path, manifest)
    except IndexMissingError:
        return None, "no index yet", listed
    except IndexCorruptError as exc:
        log.warning("index is corrupt, rebuilding: %s", exc)
        return None, f"corrupt index: {exc}", listed
    except IndexStaleError as exc:
        return None, f"stale index: {exc}", listed
    if manifest.config != config:
        old, new = manifest.config, config
        diff = [
            f"{k}: {getattr(old, k)!r} -> {getattr(new, k)!r}"
            for k in vars(new)
            if getattr(old, k) != getattr(new, k)
        ]
        return None, "settings changed (" + "; ".join(diff) + ")", listed
    return manifest, None, listed


def ingest(
    settings: Settings,
    *,
    embedders: Sequence[Embedder] | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> IngestReport:
    """Bring the index in `settings.index_dir` up to date with `settings.corpus_dir`;
    `progress` reports each step and the vectors computed."""
    watch = Stopwatch()
    embedders = list(embedders) if embedders else load_embedders(settings)
    config = index_config(settings, embedders)
    store = IndexStore(settings.index_dir)
    with store.lock():
        manifest, rebuilt, listed = _previous(store, config)
        if rebuild:
            manifest, rebuilt = None, "rebuild requested"
        known = manifest.documents if manifest else {}

        with watch.stage("scan_and_parse"):
            if progress:
                progress.step(Step.READING, str(settings.corpus_dir))
            files, skipped = discover(Path(settings.corpus_dir), int(settings.max_file_mb * 1e6))
            entries: dict[str, DocEntry] = {}
            fresh: list[Document] = []
            kept: list[str] = []
            sites = SiteLines(files)
            for file in files:
                entry, document, problem = _examine(file, known.get(file.doc_id), sites)
                if problem is not None:
                    if file.doc_id in known:
                        kept.append(file.doc_id)
                        entries[file.doc_id] = known[file.doc_id]
                        problem += "; kept the previously indexed version"
                    skipped.append(SkippedFile(file.relpath, problem))
                elif document is None:
                    entries[file.doc_id] = entry
                else:
                    warn_undated(document)
                    fresh.append(document)
                    entries[file.doc_id] = entry
        for s in skipped:
            log.warning("skipped %s: %s", s.path, s.reason)

        removed = sorted(listed - set(entries))
        added = sorted(d.id for d in fresh if d.id not in listed)
        updated = sorted(d.id for d in fresh if d.id in listed)
        if manifest is not None and not fresh and not removed:
            return IngestReport(
                documents=len(entries),
                chunks=manifest.n_chunks,
                added=(),
                updated=(),
                removed=(),
                unchanged=len(entries),
                embedded_chunks=0,
                computed_vectors=0,
                skipped=tuple(skipped),
                kept_previous=tuple(kept),
                rebuilt=None,
                index_path=str(store.current()),
                seconds=watch.seconds(),
                timings=dict(watch.stages),
            )

        with watch.stage("load_previous"):
            previous = store.load() if manifest is not None else None

        with watch.stage("load_model"):
            chunker = make_chunker(settings, embedders)  # loads a model: it counts tokens too

        with watch.stage("chunk"):
            if progress:
                progress.step(Step.CHUNKING, f"{len(fresh)} changed documents")
            new_chunks: dict[str, list[Chunk]] = {}
            for document in fresh:
                new_chunks[document.id] = chunker.split(document)

        with watch.stage("embed"):
            to_embed = [c for cs in new_chunks.values() for c in cs]
            texts = [c.embedding_text for c in to_embed]
            new_vectors: dict[str, np.ndarray] = {}
            computed = 0
            with open_cache(
                settings.cache_dir, settings.vector_cache, settings.seed_vectors
            ) as cache:
                if progress:
                    progress.step(
                        Step.PASSAGES,
                        f"{len(fresh)} documents, {len(to_embed):,} chunks, "
                        f"{len(embedders)} models",
                    )
                    for embedder in embedders:
                        progress.add(
                            cache.count_missing(embedder.name, texts, embedder.dimension)
                            if cache
                            else len(texts)
                        )
                for embedder in embedders:
                    new_vectors[embedder.name], n = embed_with_cache(
                        embedder,
                        texts,
                        cache,
                        batch_size=settings.embedding_batch_size,
                        progress=progress,
                    )
                    computed += n

        with watch.stage("write"):
            if progress:
                progress.step(Step.WRITING)
            documents, chunks, vectors = _assemble(
                entries, fresh, new_chunks, to_embed, new_vectors, previous
            )
            per_doc = Counter(c.doc_id for c in chunks)
            final_entries = {
                doc_id: DocEntry(e.path, e.sha256, e.size, e.mtime_ns, per_doc[doc_id])
                for doc_id, e in entries.items()
            }
            path = store.write(config, final_entries, documents, chunks, vectors)

    return IngestReport(
        documents=len(documents),
        chunks=len(chunks),
        added=tuple(added),
        updated=tuple(updated),
        removed=tuple(removed),
        unchanged=len(entries) - len(fresh),
        embedded_chunks=len(to_embed),
        computed_vectors=computed,
        skipped=tuple(skipped),
        kept_previous=tuple(kept),
        rebuilt=rebuilt,
        index_path=str(path),
        seconds=watch.seconds(),
        timings=dict(watch.stages),
    )


def _examine(
    file: SourceFile, known: DocEntry | None, sites: SiteLines
) -> tuple[DocEntry, Document | None, str | None]:
    """(entry, parsed document if changed, problem). Size and mtime of the file and its sidecar
    unchanged -> not even read."""
    try:
        size, mtime_ns = signature(file)
        if known and (known.path, known.size, known.mtime_ns) == (file.relpath, size, mtime_ns):
            return known, None, None
        data = read_bytes(file)
        digest = document_hash(file, data)
        if known and known.sha256 == digest and known.path == file.relpath:
            return known, None, None
        entry = DocEntry(file.relpath, digest, size, mtime_ns, 0)
        return entry, parse(file, data, sites), None
    except (DocumentError, OSError) as exc:
        return DocEntry(file.relpath, "", 0, 0, 0), None, str(exc)


def _assemble(
    entries: dict[str, DocEntry],
    fresh: list[Document],
    new_chunks: dict[str, list[Chunk]],
    embedded: list[Chunk],
    new_vectors: dict[str, np.ndarray],
    previous: LoadedIndex | None,
) -> tuple[list[Document], list[Chunk], dict[str, np.ndarray]]:
    """Merge reused and new documents in id order, with their chunks and vectors aligned."""
    fresh_docs = {d.id: d for d in fresh}
    new_rows = {c.id: i for i, c in enumerate(embedded)}
    old_rows: dict[str, list[int]] = defaultdict(list)
    if previous is not None:
        for i, c in enumerate(previous.chunks):
            old_rows[c.doc_id].append(i)
    documents: list[Document] = []
    chunks: list[Chunk] = []
    parts: dict[str, list[np.ndarray]] = {name: [] for name in new_vectors}
    for doc_id in sorted(entries):
        if doc_id in fresh_docs:
            documents.append(fresh_docs[doc_id])
            doc_chunks = new_chunks[doc_id]
            rows = [new_rows[c.id] for c in doc_chunks]
            for name, array in new_vectors.items():
                parts[name].append(array[rows])
        else:
            assert previous is not None
            documents.append(previous.documents[doc_id])
            rows = old_rows[doc_id]
            doc_chunks = [previous.chunks[i] for i in rows]
            for name in new_vectors:
                parts[name].append(np.asarray(previous.vectors(name)[rows], dtype=np.float32))
        chunks.extend(doc_chunks)
    vectors = {
        name: np.concatenate(arrays) if arrays else new_vectors[name][:0]
        for name, arrays in parts.items()
    }
    return documents, chunks, vectors
