"""Whole answer units: what a quoted sentence needs around it to be read alone.

A list item means little without the line that introduces its list, a table row ("A – Annual
income – None") nothing without its column headers, and a sentence that opens with "They" or
"该" nothing without the sentence before it. Headings ("补贴标准：") and pointers to elsewhere
("see the separate note") are never answers by themselves.
"""

from __future__ import annotations

import re

from baybot.index.chunking import SECTION_SEPARATOR

_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)、]|[（(]\d+[)）])\s*")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*")
# A heading is short and ends in a colon, or is a markdown heading.
HEADING_CHARS = 60
_HEADING = re.compile(r"[:：]\s*$")
# A figure of two digits or more that is not a year: a line ending in a colon that states one
# ("The maximum was 225 points:") introduces its table as a statement, not as a heading.
_FIGURE = re.compile(r"(?<![\d.,])(?!(?:19|20)\d\d(?!\d))\d[\d,.]*\d")
# Chinese clauses end at ；, which the sentence splitter treats as a sentence end; the sentence
# they belong to runs to 。！？ or the end of the line. Longer than this, the clause stays alone.
MAX_SENTENCE_CHARS = 400
_CLAUSE_END = re.compile(r"[；;]\s*$")
_SENTENCE_STOP = re.compile(r"[。！？]|[.!?](?=\s|$)")
_PRONOUN = re.compile(
    r"^(?:they|this|these|those|it|its|such|the latter|the former|he|she)\b"
    r"|^(?:该|該|其|此|上述|他们|他們|它们|它們|这些|這些|此类|此類)",
    re.IGNORECASE,
)
_META = re.compile(
    r"\b(see (the|our|a) (separate|attached|following|previous|linked)|refer to the (separate|"
    r"attached)|is covered (in|by) (a|the) separate|this (page|note|summary|document) "
    r"(covers|summarises|describes|lists)|for details,? see)\b"
    r"|详见|詳見|参见|參見|请参阅|請參閱|另见|另見|本文(介绍|整理|摘要)|本頁|本页",
    re.IGNORECASE,
)


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def is_heading(sentence: str) -> bool:
    body = sentence.strip()
    return body.startswith("#") or (
        len(body) <= HEADING_CHARS
        and bool(_HEADING.search(body))
        and not body.startswith("|")
        and not _FIGURE.search(_MARKUP.sub("", body))
    )


def whole_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence a clause ending or following a semicolon belongs to, within
    its line ("…增至184所；2024年1月1日…为185所。" is one statement); the clause's own span when
    it stands alone or the sentence is too long to quote."""
    line_start, line_end = line_bounds(text, start)
    new_start, new_end = start, end
    if _CLAUSE_END.search(text[line_start:start]):
        stops = list(_SENTENCE_STOP.finditer(text, line_start, start))
        new_start = stops[-1].end() if stops else line_start
        while new_start < start and text[new_start].isspace():
            new_start += 1
    if _CLAUSE_END.search(text[start:end]):
        stop = _SENTENCE_STOP.search(text, end, line_end)
        new_end = stop.end() if stop else line_end
    if new_end - new_start > MAX_SENTENCE_CHARS:
        return start, end
    return new_start, new_end


def innermost_heading(section: str) -> str | None:
    """The heading a passage sits directly under, from its section path ("A › B" gives B)."""
    name = section.rsplit(SECTION_SEPARATOR.strip(), 1)[-1].strip() if section else ""
    return _MARKUP.sub("", name).strip() or None


def is_meta(sentence: str) -> bool:
    return bool(_META.search(sentence))


def leans_back(sentence: str) -> bool:
    """Opens with a pronoun that refers to what came before."""
    body = _LIST_ITEM.sub("", _MARKUP.sub("", sentence.strip()))
    return bool(_PRONOUN.match(body))


def is_list_line(text: str, start: int) -> bool:
    line_start, line_end = line_bounds(text, start)
    return bool(_LIST_ITEM.match(text[line_start:line_end])) and start - line_start <= 6


def introduces(text: str) -> bool:
    """`text` ends with a colon, markup aside: it introduces what follows (a list, a table)."""
    return bool(_HEADING.search(_MARKUP.sub("", text).strip()))


def lead_in(text: str, start: int) -> str | None:
    """The line that introduces the list the line at `start` belongs to (ending in a colon),
    if there is one above it in the passage."""
    line_start, _ = line_bounds(text, start)
    pos = line_start - 1
    while pos > 0:
        prev_start, prev_end = line_bounds(text, pos)
        line = text[prev_start:prev_end].strip()
        if line and not _LIST_ITEM.match(line):
            clean = _MARKUP.sub("", line).strip()
            return clean if introduces(clean) else None
        pos = prev_start - 1
    return None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_header(text: str, start: int) -> list[str]:
    """The column headers of the markdown table whose row starts at `start`, if any."""
    line_start, _ = line_bounds(text, start)
    if not text[line_start:].lstrip().startswith("|"):
        return []
    pos = line_start
    while pos > 0:
        prev_start, prev_end = line_bounds(text, pos - 1)
        line = text[prev_start:prev_end]
        if _TABLE_RULE.match(line) and "-" in line:
            if prev_start == 0:
                return []
            head_start, head_end = line_bounds(text, prev_start - 1)
            return _cells(text[head_start:head_end])
        if not line.lstrip().startswith("|"):
            return []
        pos = prev_start
    return []


def render_row(row: str, header: list[str]) -> str:
    """A table row as "column: value" pairs (headers kept), or its cells when it has none."""
    cells = [_MARKUP.sub("", c).strip() for c in _cells(row)]
    if header and len(header) == len(cells):
        pairs = [
            f"{_MARKUP.sub('', h).strip()}: {c}" for h, c in zip(header, cells, strict=True) if c
        ]
        return "; ".join(pairs)
    return " – ".join(c for c in cells if c and not set(c) <= set("-: "))
