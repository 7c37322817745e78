"""Staff changes to the corpus from the Sources tab, each followed by one incremental ingest:
remove a document or rewrite its sidecar (NAME.meta.yaml).

The index never changes in place: ingest writes a new version and switches `CURRENT` in one
rename, and a server swaps its Assistant in one reference change, so a search sees the
document with all its passages or not at all. A removed file is moved to `.removed/` in the
corpus folder (hidden, so never ingested), not deleted: staff can put it back.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from baybot.config import Settings
from baybot.corpus.discovery import discover
from baybot.corpus.sidecar import parse_sidecar, sidecar_path
from baybot.errors import DocumentError
from baybot.index.embedders.base import Embedder
from baybot.index.ingest import IngestReport, ingest
from baybot.timing import Progress
from baybot.types import Document, SourceFile, iso_date

REMOVED_DIR = ".removed"


def corpus_file(settings: Settings, doc_id: str) -> SourceFile:
    """The corpus file of `doc_id` (with its sidecar, if any); DocumentError when none."""
    files, _ = discover(Path(settings.corpus_dir), int(settings.max_file_mb * 1e6))
    found = next((f for f in files if f.doc_id == doc_id), None)
    if found is None:
        raise DocumentError(f"no corpus file for document {doc_id!r}")
    return found


def remove_document(
    settings: Settings,
    doc_id: str,
    *,
    embedders: Sequence[Embedder] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Move the document's file and sidecar to `.removed/<time>/`, then ingest without it."""
    file = corpus_file(settings, doc_id)
    corpus = Path(settings.corpus_dir)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    for path in (file.path, file.sidecar):
        if path is not None:
            target = corpus / REMOVED_DIR / stamp / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
    return ingest(settings, embedders=embedders, progress=progress)


def sidecar_text(settings: Settings, document: Document) -> str:
    """What staff edit: the document's sidecar as written (comments and all), followed by the
    metadata fields it does not set yet, with the values the loader and inference found."""
    file = corpus_file(settings, document.id)
    written = file.sidecar.read_text("utf-8") if file.sidecar is not None else ""
    given = parse_sidecar(written, file.sidecar.name).model_fields_set if file.sidecar else set()
    found = {
        "title": document.title,
        "issuer": document.issuer,
        "region": document.region,
        "schemes": list(document.schemes),
        "published": iso_date(document.published),
        "updated": iso_date(document.updated),
        "language": document.language,
    }
    missing = {k: v for k, v in found.items() if k not in given}
    if not missing:
        return written
    added = yaml.safe_dump(missing, allow_unicode=True, sort_keys=False)
    return f"{written.rstrip()}\n{added}" if written.strip() else added


def save_sidecar(
    settings: Settings,
    doc_id: str,
    text: str,
    *,
    embedders: Sequence[Embedder] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Check `text` as a sidecar (DocumentError with each problem), write it as typed, comments
    and all, in one rename, then re-ingest the document."""
    file = corpus_file(settings, doc_id)
    target = file.sidecar or sidecar_path(file.path)
    parse_sidecar(text, target.name)
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".part", dir=target.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    Path(temporary).replace(target)  # hidden until renamed: an ingest never reads half of it
    return ingest(settings, embedders=embedders, progress=progress)
