"""Source announcements: the Document value and one loader per file format."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import CorpusNotFoundError, DocumentError
from .language import detect_language, normalise_language

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)


@dataclass(frozen=True)
class Source:
    """Where an announcement was published."""

    url: str
    title: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class Document:
    """One announcement, with the metadata a citation needs."""

    id: str
    title: str
    text: str
    path: str = ""
    issuer: str | None = None
    region: str | None = None
    schemes: tuple[str, ...] = ()
    published: date | None = None
    updated: date | None = None
    language: str = "en"
    sources: tuple[Source, ...] = field(default_factory=tuple)

    @property
    def url(self) -> str | None:
        """The link a citation shows: the first http(s) source."""
        links = (s.url for s in self.sources if s.url.startswith(("http://", "https://")))
        return next(links, None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = _iso(self.published)
        data["updated"] = _iso(self.updated)
        data["schemes"] = list(self.schemes)
        data["sources"] = [{**asdict(s), "date": _iso(s.date)} for s in self.sources]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            id=data["id"],
            title=data["title"],
            text=data["text"],
            path=data.get("path", ""),
            issuer=data.get("issuer"),
            region=data.get("region"),
            schemes=tuple(data.get("schemes") or ()),
            published=_parse_date(data.get("published")),
            updated=_parse_date(data.get("updated")),
            language=data.get("language", "en"),
            sources=tuple(
                Source(url=s["url"], title=s.get("title"), date=_parse_date(s.get("date")))
                for s in data.get("sources") or ()
            ),
        )


@dataclass(frozen=True)
class SourceFile:
    """A corpus file found on disk, before it is parsed."""

    path: Path
    relpath: str
    doc_id: str


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that was not ingested, and why."""

    path: str
    reason: str


def doc_id_for(path: Path) -> str:
    """A document's id is its file name without the last extension."""
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise DocumentError(f"invalid date {value!r} (expected YYYY-MM-DD)") from exc


# ---------------------------------------------------------------- text helpers

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


def clean_inline(text: str) -> str:
    """Strip inline Markdown (links, emphasis, escapes) from a heading or title."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def is_plain_heading(line: str) -> bool:
    """A short standalone line with no closing punctuation reads as a heading in plain text."""
    line = line.strip()
    if not 3 <= len(line) <= 160 or "\n" in line:
        return False
    if line[0] in "|-*+>#" or re.match(r"^\d+[.)]\s", line):
        return False
    if line[-1] in ".。!！?？:：;；,，、)）":
        return False
    return line[0].isupper() or line[0].isdigit() or "\u4e00" <= line[0] <= "\u9fff"


def title_from_text(text: str) -> str:
    """First Markdown heading, else first plain-text heading, else first sentence."""
    if m := _MD_HEADING.search(text):
        return clean_inline(m.group(2))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    for para in paragraphs[:6]:
        if is_plain_heading(para):
            return clean_inline(para)
    first = paragraphs[0] if paragraphs else ""
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0].strip()
    if len(sentence) > 120:
        cut = sentence[:120]
        sentence = (cut.rsplit(" ", 1)[0] if " " in cut[60:] else cut) + "…"
    return clean_inline(sentence) or "(untitled)"


def decode_text(data: bytes) -> str:
    """UTF-8 first; legacy encodings (Big5, GBK, cp1252) are detected, binary is refused."""
    if b"\x00" in data[:8192]:
        raise DocumentError("binary content (NUL bytes), not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise DocumentError("not UTF-8 and no other text encoding fits") from None
        log.info("decoded as %s (not UTF-8)", best.encoding)
        text = str(best)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------- loaders

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    raise DocumentError(f"expected a list, got {type(value).__name__}")


def _sources(meta: dict[str, Any]) -> tuple[Source, ...]:
    raw = meta.get("sources")
    if raw is None:
        raw = [{"url": u} for u in _as_tuple(meta.get("url") or meta.get("source"))]
    if not isinstance(raw, list):
        raise DocumentError("'sources' must be a list")
    out = []
    for item in raw:
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict) or not item.get("url"):
            raise DocumentError(f"source entry without url: {item!r}")
        out.append(
            Source(
                url=str(item["url"]).strip(),
                title=item.get("title"),
                date=_parse_date(item.get("date")),
            )
        )
    return tuple(out)


def load_markdown(file: SourceFile, data: bytes) -> Document:
    """Markdown with optional YAML front matter (the shipped corpus format)."""
    raw = decode_text(data)
    meta: dict[str, Any] = {}
    body = raw
    if m := _FRONT_MATTER.match(raw):
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            raise DocumentError(f"broken YAML front matter: {exc}".splitlines()[0]) from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise DocumentError("front matter is not a mapping")
        meta = loaded or {}
        body = raw[m.end() :]
    elif raw.startswith("---\n"):
        raise DocumentError("front matter opened with '---' but never closed")
    body = body.strip()
    if not body:
        raise DocumentError("no text after the front matter")
    if "id" in meta and str(meta["id"]) != file.doc_id:
        log.warning(
            "%s: front-matter id %r differs from the file name; using %r",
            file.relpath,
            meta["id"],
            file.doc_id,
        )
    language = normalise_language(meta.get("language")) or detect_language(body)
    return Document(
        id=file.doc_id,
        title=clean_inline(str(meta.get("title") or "")) or title_from_text(body),
        text=body,
        path=file.relpath,
        issuer=meta.get("issuer"),
        region=meta.get("region"),
        schemes=_as_tuple(meta.get("schemes")),
        published=_parse_date(meta.get("published") or meta.get("date")),
        updated=_parse_date(meta.get("updated")),
        language=language,
        sources=_sources(meta),
    )


_DATE_LINE = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]*")


def load_text(file: SourceFile, data: bytes) -> Document:
    """Plain text as the seeds come: an optional leading ` date YYYY-MM-DD`, then the text."""
    raw = decode_text(data)
    published = None
    if m := _DATE_LINE.match(raw):
        published = _parse_date(m.group(1))
        raw = raw[m.end() :]
    body = re.sub(r"\n{3,}", "\n\n", raw).strip()
    if not body:
        raise DocumentError("empty file")
    return Document(
        id=file.doc_id,
        title=title_from_text(body),
        text=body,
        path=file.relpath,
        published=published,
        language=detect_language(body),
    )


def load_html(file: SourceFile, data: bytes) -> Document:
    """Main text of a web page (trafilatura drops navigation, footers and scripts)."""
    import trafilatura

    text = trafilatura.extract(
        data, output_format="markdown", include_tables=True, include_links=False, favor_recall=True
    )
    if not text or not text.strip():
        raise DocumentError("no main text found in the HTML (only navigation or scripts?)")
    meta = trafilatura.extract_metadata(data)
    body = text.strip()
    url = meta.url if meta and meta.url and meta.url.startswith(("http://", "https://")) else None
    return Document(
        id=file.doc_id,
        title=clean_inline(meta.title) if meta and meta.title else title_from_text(body),
        text=body,
        path=file.relpath,
        issuer=meta.sitename if meta else None,
        published=_parse_date(meta.date) if meta and meta.date else None,
        language=detect_language(body),
        sources=(Source(url=url, title=meta.title),) if url else (),
    )


def load_pdf(file: SourceFile, data: bytes) -> Document:
    """The PDF's text layer; a scanned PDF without one is refused, not guessed at."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted PDF")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"unreadable PDF: {exc}") from exc
    body = "\n\n".join(p for p in pages if p)
    body = re.sub(r"[ \t]+\n", "\n", body).strip()
    if not body:
        raise DocumentError("PDF has no text layer (scanned image?)")
    created = info.creation_date if info else None
    return Document(
        id=file.doc_id,
        title=clean_inline(info.title) if info and info.title else title_from_text(body),
        text=body,
        path=file.relpath,
        issuer=info.author if info and info.author else None,
        published=created.date() if created else None,
        language=detect_language(body),
    )


Loader = Callable[[SourceFile, bytes], Document]

LOADERS: dict[str, Loader] = {
    **{s: load_markdown for s in MARKDOWN_SUFFIXES},
    **{s: load_text for s in TEXT_SUFFIXES},
    **{s: load_html for s in HTML_SUFFIXES},
    **{s: load_pdf for s in PDF_SUFFIXES},
}


# ---------------------------------------------------------------- corpus


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
    for path in _walk(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        reason = None
        if path.suffix.lower() not in LOADERS:
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
    loader = LOADERS[file.path.suffix.lower()]
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
