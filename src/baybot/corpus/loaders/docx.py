"""Word files (.docx): headings, paragraphs, list items and tables in document order, dated by
the circular's own date line (the file's core `created` property only as a last resort, as a
PDF's CreationDate: it is often a template's date). The core `author` is not read: it names
a person or the program that wrote the file, rarely the issuing body."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from typing import Any

from baybot.corpus import pagemeta
from baybot.corpus.loaders.pages import page_document
from baybot.errors import DocumentError
from baybot.types import Document, SourceFile

# Word's built-in style names: "Heading 1".."Heading 9", "Title", "List Bullet 2", "List Number".
_HEADING = re.compile(r"^Heading (\d)$")
_LIST = re.compile(r"^List (?:Bullet|Number|Paragraph)")


def load_docx(file: SourceFile, data: bytes) -> Document:
    """The document's text as Markdown (headings, list items, tables with their header row)."""
    from docx import Document as open_docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = open_docx(io.BytesIO(data))
        lines = [line for block in document.iter_inner_content() for line in _block(block)]
        core = document.core_properties
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"unreadable .docx: {exc}") from exc
    body = re.sub(r"\n{3,}", "\n\n", "\n\n".join(lines)).strip()
    if not body:
        raise DocumentError(".docx has no text")
    meta = pagemeta.text_meta(
        body,
        file.url,
        pdf_created=core.created.date() if core.created else None,
        pdf_title=core.title or None,
    )
    headline = next((line.lstrip("#").strip() for line in lines if line.startswith("# ")), None)
    if headline:  # a paragraph styled Title or Heading 1 is the headline, whatever else it says
        meta = dataclasses.replace(meta, title=headline)
    return page_document(file, meta, body)


def _block(block: Any) -> list[str]:
    """Markdown lines of one paragraph or table."""
    if hasattr(block, "rows"):
        return [_table(block)]
    text = " ".join(block.text.split())
    if not text:
        return []
    style = block.style.name if block.style is not None else ""
    if style == "Title":
        return [f"# {text}"]
    if m := _HEADING.match(style):
        return [f"{'#' * min(int(m.group(1)), 6)} {text}"]
    if _LIST.match(style):
        return [f"- {text}"]
    return [text]


def _table(table: Any) -> str:
    """A Markdown table: the first row is the header, as announcements' tables have it; a cell
    merged across columns is repeated by python-docx and kept once per column it spans."""
    rows = [[_cell(cell.text) for cell in row.cells] for row in table.rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
