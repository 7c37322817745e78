"""Plain text, and the decoding every text format shares."""

from __future__ import annotations

import logging
import re

from baybot.errors import DocumentError
from baybot.text.language import detect_language
from baybot.text.sentences import title_from_text
from baybot.types import Document, SourceFile, parse_date

log = logging.getLogger(__name__)


def decode_text(data: bytes) -> str:
    """UTF-8 first; legacy encodings (Big5, GBK, cp1252) are detected, binary is refused."""
    if b"\x00" in data[:8192]:
        raise DocumentError("binary content (NUL bytes), not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise DocumentError("not UTF-8 and no other text encoding fits") from None
        log.info("decoded as %s (not UTF-8)", best.encoding)
        text = str(best)
    return text.replace("\r\n", "\n").replace("\r", "\n")


_DATE_LINE = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]*")


def load_text(file: SourceFile, data: bytes) -> Document:
    """Plain text as the seeds come: an optional leading ` date YYYY-MM-DD`, then the text."""
    raw = decode_text(data)
    published = None
    if m := _DATE_LINE.match(raw):
        published = parse_date(m.group(1))
        raw = raw[m.end() :]
    body = re.sub(r"\n{3,}", "\n\n", raw).strip()
    if not body:
        raise DocumentError("empty file")
    return Document(
        id=file.doc_id,
        title=title_from_text(body),
        text=body,
        path=file.relpath,
        published=published,
        language=detect_language(body),
    )
