"""Lines a site repeats on its pages (navigation, footers, "more news" blocks that trafilatura
keeps): found by comparing the corpus's web pages from the same site, then removed from each.

Computed lazily, once per ingest, and only when a web page is actually parsed: an unchanged
corpus reads no sibling. A page whose siblings change is not re-read until it changes itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

from baybot.corpus import boilerplate, pagemeta
from baybot.corpus.sidecar import read_sidecar
from baybot.errors import DocumentError
from baybot.types import SourceFile

WEB_SUFFIXES = frozenset({".html", ".htm"})


def site_of(url: str | None) -> str | None:
    """A page's site: its host without a leading "www."."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def file_url(file: SourceFile) -> str | None:
    """Where a corpus file came from, as its sidecar records it."""
    if file.sidecar is None:
        return None
    try:
        return read_sidecar(file.sidecar).fetch_url()
    except DocumentError:
        return None


def page_site(file: SourceFile, data: bytes) -> str | None:
    """The site a web page belongs to: the host of its sidecar's url, else of its canonical url,
    else (a page saved without either) the publisher it names."""
    if site := site_of(file_url(file)):
        return site
    meta = pagemeta.html_meta(data)
    return site_of(meta.url) or (f"publisher:{meta.issuer.casefold()}" if meta.issuer else None)


class SiteLines:
    """The repeated lines of each site among the given corpus files."""

    def __init__(self, files: Sequence[SourceFile]) -> None:
        self._files = [f for f in files if f.path.suffix.lower() in WEB_SUFFIXES]
        self._by_site: dict[str, frozenset[str]] | None = None

    def _build(self) -> dict[str, frozenset[str]]:
        pages: dict[str, list[list[str]]] = defaultdict(list)
        for file in self._files:
            try:
                data = file.path.read_bytes()
                if site := page_site(file, data):
                    pages[site].append(boilerplate.main_text(data).splitlines())
            except Exception:  # noqa: BLE001 - a broken sibling is reported by its own parse
                continue
        return {site: boilerplate.repeated_lines(lines) for site, lines in pages.items()}

    def lines_for(self, file: SourceFile, data: bytes) -> frozenset[str]:
        site = page_site(file, data)
        if site is None:
            return frozenset()
        if self._by_site is None:
            self._by_site = self._build()
        return self._by_site.get(site, frozenset())
