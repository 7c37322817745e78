"""Web pages: the headline, publisher and the page's own date; the main text without
navigation, share bars, related-news lists and lines the site repeats on every page."""

from __future__ import annotations

from baybot.corpus import boilerplate, pagemeta
from baybot.corpus.loaders.pages import page_document
from baybot.types import Document, SourceFile


def load_html(file: SourceFile, data: bytes) -> Document:
    meta = pagemeta.html_meta(data, file.url)
    return page_document(file, meta, boilerplate.main_text(data, meta.url or file.url))
