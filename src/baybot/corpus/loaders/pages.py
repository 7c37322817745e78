"""What every loader of real pages (web, PDF, plain text) does once it has the page's metadata
and raw text: remove boilerplate, infer region and schemes, and build the Document."""

from __future__ import annotations

from baybot.corpus import boilerplate
from baybot.corpus.infer import infer_metadata
from baybot.corpus.pagemeta import PageMeta
from baybot.errors import DocumentError
from baybot.text.language import detect_language, normalise_language
from baybot.text.sentences import clean_inline, title_from_text
from baybot.types import Document, Source, SourceFile


def page_document(file: SourceFile, meta: PageMeta, raw_text: str) -> Document:
    """The Document of a page: clean text, headline title, publisher, own dates (or none),
    region and schemes inferred through the glossary."""
    text = boilerplate.clean(raw_text, meta.title, file.site_lines)
    if not text.strip():
        raise DocumentError("no main text found (only navigation, dates or links?)")
    title = clean_inline(meta.title) if meta.title else title_from_text(text)
    inferred = infer_metadata(title, text, meta.issuer)
    url = meta.url or file.url
    return Document(
        id=file.doc_id,
        title=title,
        text=text,
        path=file.relpath,
        issuer=meta.issuer,
        region=inferred.region,
        schemes=inferred.schemes,
        published=meta.published,
        updated=meta.updated,
        language=normalise_language(meta.language) or detect_language(text),
        sources=(Source(url=url, title=title),) if url else (),
    )
