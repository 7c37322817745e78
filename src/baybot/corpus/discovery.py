"""The corpus folder: which files are documents, their ids, and loading them all."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from baybot.corpus.loaders import loadable_suffixes, loader_for
from baybot.errors import CorpusNotFoundError, DocumentError
from baybot.types import Document, SkippedFile, SourceFile

log = logging.getLogger(__name__)


def doc_id_for(path: Path) -> str:
    """A document's id is its file name without the last extension."""
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _walk(root: Path) -> Iterator[Path]:
    """Files under root; symlinked folders are not followed, so loops cannot trap us."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def discover(corpus_dir: Path, max_bytes: int) -> tuple[list[SourceFile], list[SkippedFile]]:
    """Find loadable files; anything unusable is reported, never fatal."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusNotFoundError(f"corpus folder not found: {corpus_dir}")
    found: dict[str, SourceFile] = {}
    skipped: list[SkippedFile] = []
    loadable = loadable_suffixes()
    for path in _walk(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        reason = None
        if path.suffix.lower() not in loadable:
            reason = f"unsupported file type {path.suffix or '(none)'}"
        elif not path.is_file():
            reason = "not a regular file (broken link?)"
        elif (size := path.stat().st_size) == 0:
            reason = "empty file"
        elif size > max_bytes:
            reason = f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB)"
        elif (doc_id := doc_id_for(path)) in found:
            reason = f"duplicate document id {doc_id!r} (also {found[doc_id].relpath})"
        if reason:
            skipped.append(SkippedFile(rel, reason))
        else:
            found[doc_id] = SourceFile(path=path, relpath=rel, doc_id=doc_id)
    return list(found.values()), skipped


def read_bytes(file: SourceFile) -> bytes:
    try:
        return file.path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from exc


def parse(file: SourceFile, data: bytes) -> Document:
    """Parse one file's bytes with the loader for its suffix."""
    loader = loader_for(file.path.suffix)
    try:
        return loader(file, data)
    except DocumentError:
        raise
    except Exception as exc:  # a loader library failing on odd input must not stop ingest
        raise DocumentError(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    skipped: tuple[SkippedFile, ...]


def load_corpus(corpus_dir: Path, max_bytes: int = 20_000_000) -> Corpus:
    """Load every readable document; each unreadable one is logged and reported with its reason."""
    files, skipped = discover(corpus_dir, max_bytes)
    documents = []
    for file in files:
        try:
            documents.append(parse(file, read_bytes(file)))
        except DocumentError as exc:
            skipped.append(SkippedFile(file.relpath, str(exc)))
    for s in skipped:
        log.warning("skipped %s: %s", s.path, s.reason)
    return Corpus(tuple(documents), tuple(skipped))
