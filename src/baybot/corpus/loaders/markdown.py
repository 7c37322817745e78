"""Markdown with optional YAML front matter: the shipped corpus format."""

from __future__ import annotations

import logging
import re
from typing import Any

import yaml

from baybot.corpus.infer import infer_metadata
from baybot.corpus.loaders.text import decode_text
from baybot.errors import DocumentError
from baybot.text.language import detect_language, normalise_language
from baybot.text.sentences import clean_inline, title_from_text
from baybot.types import Document, Source, SourceFile, parse_date

log = logging.getLogger(__name__)

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
                date=parse_date(item.get("date")),
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
    title = clean_inline(str(meta.get("title") or "")) or title_from_text(body)
    region, schemes = meta.get("region"), _as_tuple(meta.get("schemes"))
    if not meta:  # a page pasted in without front matter: say what it is about
        inferred = infer_metadata(title, body)
        region, schemes = inferred.region, inferred.schemes
    return Document(
        id=file.doc_id,
        title=title,
        text=body,
        path=file.relpath,
        issuer=meta.get("issuer"),
        region=region,
        schemes=schemes,
        published=parse_date(meta.get("published") or meta.get("date")),
        updated=parse_date(meta.get("updated")),
        reviewed=parse_date(meta.get("reviewed")),
        valid_from=parse_date(meta.get("valid_from")),
        valid_until=parse_date(meta.get("valid_until")),
        language=language,
        sources=_sources(meta),
    )
