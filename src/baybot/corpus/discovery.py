"""The corpus folder: which files are documents (with their sidecars), their ids, and loading
them all."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from baybot.corpus.loaders import loadable_suffixes, loader_for
from baybot.corpus.sidecar import apply_sidecar, is_sidecar, read_sidecar, sidecar_path
from baybot.corpus.sites import WEB_SUFFIXES, SiteLines
from baybot.errors import CorpusNotFoundError, DocumentError
from baybot.types import Document, SkippedFile, SourceFile

log = logging.getLogger(__name__)


def doc_id_for(path: Path) -> str:
    """A document's id is its file name without the last extension."""
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signature(file: SourceFile) -> tuple[int, int]:
    """(size, mtime_ns) of the file and its sidecar together: a change to either shows."""
    stat = file.path.stat()
    size, mtime = stat.st_size, stat.st_mtime_ns
    if file.sidecar is not None:
        side = file.sidecar.stat()
        size, mtime = size + side.st_size, max(mtime, side.st_mtime_ns)
    return size, mtime


def document_hash(file: SourceFile, data: bytes) -> str:
    """The content hash of a document: its file's bytes, and its sidecar's when it has one."""
    if file.sidecar is None:
        return content_hash(data)
    try:
        side = file.sidecar.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read sidecar: {exc.strerror or exc}") from exc
    return content_hash(data + b"\0sidecar\0" + side)


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
    paths = list(_walk(corpus_dir))
    present = set(paths)
    for path in paths:
        rel = path.relative_to(corpus_dir).as_posix()
        reason = None
        if is_sidecar(path):
            continue
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
            side = sidecar_path(path)
            found[doc_id] = SourceFile(
                path=path, relpath=rel, doc_id=doc_id, sidecar=side if side in present else None
            )
    return list(found.values()), skipped


def read_bytes(file: SourceFile) -> bytes:
    try:
        return file.path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from exc


def parse(file: SourceFile, data: bytes, sites: SiteLines | None = None) -> Document:
    """Parse one file's bytes with the loader for its suffix; the sidecar, if any, gives the
    loader the page's url and then overrides what the loader found."""
    loader = loader_for(file.path.suffix)
    sidecar = read_sidecar(file.sidecar) if file.sidecar is not None else None
    try:
        url = sidecar.fetch_url() if sidecar else None
        site_lines: frozenset[str] = frozenset()
        if sites is not None and file.path.suffix.lower() in WEB_SUFFIXES:
            site_lines = sites.lines_for(file, data)
        document = loader(dataclasses.replace(file, url=url, site_lines=site_lines), data)
    except DocumentError:
        raise
    except Exception as exc:  # a loader library failing on odd input must not stop ingest
        raise DocumentError(f"{type(exc).__name__}: {exc}") from exc
    return apply_sidecar(document, sidecar) if sidecar else document


def warn_undated(document: Document) -> None:
    """A page with no date of its own is shown as "undated"; staff should know at ingest."""
    if document.published is None and document.updated is None:
        log.warning(
            "%s: no publication date found; shown as undated (set `published` in %s)",
            document.path or document.id,
            sidecar_path(Path(document.path or document.id)).name,
        )


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    skipped: tuple[SkippedFile, ...]


def load_corpus(corpus_dir: Path, max_bytes: int = 20_000_000) -> Corpus:
    """Load every readable document; each unreadable one is logged and reported with its reason."""
    files, skipped = discover(corpus_dir, max_bytes)
    sites = SiteLines(files)
    documents = []
    for file in files:
        try:
            documents.append(parse(file, read_bytes(file), sites))
            warn_undated(documents[-1])
        except DocumentError as exc:
            skipped.append(SkippedFile(file.relpath, str(exc)))
    for s in skipped:
        log.warning("skipped %s: %s", s.path, s.reason)
    return Corpus(tuple(documents), tuple(skipped))
