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


def page_url(file: SourceFile, data: bytes) -> str | None:
    """The sidecar's url, else the page's own canonical url."""
    return file_url(file) or pagemeta.html_meta(data).url


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
                site = site_of(page_url(file, data))
                if site:
                    pages[site].append(boilerplate.main_text(data).splitlines())
            except Exception:  # noqa: BLE001 - a broken sibling is reported by its own parse
                continue
        return {site: boilerplate.repeated_lines(lines) for site, lines in pages.items()}

    def lines_for(self, url: str | None) -> frozenset[str]:
        site = site_of(url)
        if site is None:
            return frozenset()
        if self._by_site is None:
            self._by_site = self._build()
        return self._by_site.get(site, frozenset())
