"""PDF files: their text layer, dated by the circular's own date line (the file's
CreationDate only as a last resort)."""

from __future__ import annotations

import io
import re

from baybot.corpus import pagemeta
from baybot.corpus.loaders.pages import page_document
from baybot.errors import DocumentError
from baybot.types import Document, SourceFile


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
        created = info.creation_date if info else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"unreadable PDF: {exc}") from exc
    body = "\n\n".join(p for p in pages if p)
    body = re.sub(r"[ \t]+\n", "\n", body).strip()
    if not body:
        raise DocumentError("PDF has no text layer (scanned image?)")
    meta = pagemeta.text_meta(
        body,
        file.url,
        pdf_created=created.date() if created else None,
        pdf_author=info.author if info else None,
        pdf_title=info.title if info else None,
    )
    return page_document(file, meta, body)
