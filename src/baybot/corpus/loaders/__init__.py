"""One loader per file format, found by file suffix in the plugin registry (plugins.LOADERS):
the built-ins register here, other packages under the entry point group `baybot.loaders`
(entry point name = the suffix without its dot)."""

from __future__ import annotations

from collections.abc import Callable

from baybot.plugins import LOADERS
from baybot.types import Document, SourceFile

Loader = Callable[[SourceFile, bytes], Document]

for _suffix, _target in {
    "md": "markdown:load_markdown",
    "markdown": "markdown:load_markdown",
    "txt": "text:load_text",
    "html": "html:load_html",
    "htm": "html:load_html",
    "pdf": "pdf:load_pdf",
    "docx": "docx:load_docx",
}.items():
    LOADERS.register(_suffix, f"baybot.corpus.loaders.{_target}")


def loadable_suffixes() -> frozenset[str]:
    """The file suffixes (with their dot, lower case) some loader reads."""
    return frozenset(f".{name.lower()}" for name in LOADERS.names())


def loader_for(suffix: str) -> Loader:
    """The loader for a file suffix such as ".md"."""
    loader: Loader = LOADERS.load(suffix.lower().lstrip("."))
    return loader
