"""Plain text, and the decoding every text format shares."""

from __future__ import annotations

import dataclasses
import logging
import re

from baybot.corpus import pagemeta
from baybot.corpus.loaders.pages import page_document
from baybot.errors import DocumentError
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
    """Plain text: an optional leading ` date YYYY-MM-DD` (the seeds' form), else the date line,
    title and issuer among its first lines, as an announcement pasted into a file has them."""
    raw = decode_text(data)
    dated = None
    if m := _DATE_LINE.match(raw):
        dated = parse_date(m.group(1))
        raw = raw[m.end() :]
    body = re.sub(r"\n{3,}", "\n\n", raw).strip()
    if not body:
        raise DocumentError("empty file")
    meta = pagemeta.text_meta(body, file.url)
    if dated is not None:
        meta = dataclasses.replace(meta, published=dated)
    return page_document(file, meta, body)
