"""Where headings, sentences and table rows are in a text: the one place that splits text, for
titles (corpus), chunks (index), quotes and evidence (answer).

Sentences end at . ! ? or at Chinese 。！？；, closing quotes staying with the sentence. Two
rules share one splitter: chunking packs text at any full stop followed by a space, while a
quote needs a full stop before a capital or the end, so "Cai Shui [2019] No. 31" and
"HK$2.5 million" stay whole when quoted (each rule's output is what the index and the answers
were measured with).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A Markdown ATX heading: (hashes, text).
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
# The first sentence of a paragraph, for a title: split after . ! ? plus space, or after 。！？.
_TITLE_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
# Chunking's rule: a full stop followed by any space.
CHUNK_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|[。！？；][\"'”’」』）)]*")
# Quoting's rule: a full stop before a capital, an opening quote or the end.
QUOTE_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[A-Z\"“‘(]|\s*$)|[。！？；][\"'”’」』）)]*")


def clean_inline(text: str) -> str:
    """Strip inline Markdown (links, emphasis, escapes) from a heading or title."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def is_plain_heading(line: str) -> bool:
    """A short standalone line with no closing punctuation reads as a heading in plain text."""
    line = line.strip()
    if not 3 <= len(line) <= 160 or "\n" in line:
        return False
    if line[0] in "|-*+>#" or re.match(r"^\d+[.)]\s", line):
        return False
    if line[-1] in ".。!！?？:：;；,，、)）":
        return False
    return line[0].isupper() or line[0].isdigit() or "\u4e00" <= line[0] <= "\u9fff"


def title_from_text(text: str) -> str:
    """First Markdown heading, else first plain-text heading, else first sentence."""
    if m := HEADING.search(text):
        return clean_inline(m.group(2))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    for para in paragraphs[:6]:
        if is_plain_heading(para):
            return clean_inline(para)
    first = paragraphs[0] if paragraphs else ""
    sentence = _TITLE_SENTENCE_END.split(first, maxsplit=1)[0].strip()
    if len(sentence) > 120:
        cut = sentence[:120]
        sentence = (cut.rsplit(" ", 1)[0] if " " in cut[60:] else cut) + "…"
    return clean_inline(sentence) or "(untitled)"


def line_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the lines of `text`, without their newlines."""
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def sentences(
    text: str, start: int, end: int, rule: re.Pattern[str] = CHUNK_SENTENCE_END
) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of `text[start:end]` by `rule`, leading spaces left out."""
    pos = start
    for m in rule.finditer(text, start, end):
        if text[pos : m.end()].strip():
            yield pos, m.end()
        pos = m.end()
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end and text[pos:end].strip():
        yield pos, end


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a passage as quoted; list items and table rows count as
    sentences."""
    return [
        span
        for start, end in line_spans(text)
        for span in sentences(text, start, end, QUOTE_SENTENCE_END)
    ]


# A Markdown table's rule line (| --- | :-: |).
TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def table_header(text: str, pos: int) -> str:
    """The header row of the markdown table whose row starts at `pos`, if any."""
    start, _ = line_bounds(text, pos)
    if not text[start:].lstrip().startswith("|"):
        return ""
    line_start = start
    while line_start > 0:
        prev_start, prev_end = line_bounds(text, line_start - 1)
        if TABLE_RULE.match(text[prev_start:prev_end]) and "-" in text[prev_start:prev_end]:
            header_start, header_end = line_bounds(text, max(prev_start - 1, 0))
            return text[header_start:header_end] if header_start < prev_start else ""
        if not text[prev_start:prev_end].lstrip().startswith("|"):
            return ""
        line_start = prev_start
    return ""


def is_table_furniture(text: str, start: int, end: int) -> bool:
    """A table's rule line, or its header row (the line above a rule line)."""
    line = text[start:end]
    if TABLE_RULE.match(line) and "-" in line:
        return True
    if not line.lstrip().startswith("|"):
        return False
    _, line_end = line_bounds(text, start)
    next_start, next_end = line_bounds(text, min(line_end + 1, len(text)))
    following = text[next_start:next_end] if line_end < len(text) else ""
    return bool(TABLE_RULE.match(following)) and "-" in following
