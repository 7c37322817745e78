"""PDF files: their text layer."""

from __future__ import annotations

import io
import re

from baybot.errors import DocumentError
from baybot.text.language import detect_language
from baybot.text.sentences import clean_inline, title_from_text
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
