"""Web pages: their main text, without navigation, footers and scripts."""

from __future__ import annotations

from baybot.errors import DocumentError
from baybot.text.language import detect_language
from baybot.text.sentences import clean_inline, title_from_text
from baybot.types import Document, Source, SourceFile, parse_date


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
        published=parse_date(meta.date) if meta and meta.date else None,
        language=detect_language(body),
        sources=(Source(url=url, title=meta.title),) if url else (),
    )
