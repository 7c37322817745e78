"""Token-aware chunking: split at headings, then paragraphs, then sentences, with overlap.

Every chunk is an exact slice `document.text[start:end]`, so a citation can quote and
highlight it. Budgets are counted with a named tiktoken encoding, and each chunk's
embedding text (title and section included) must also fit the embedder's own tokenizer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tiktoken

from baybot.text.sentences import HEADING, clean_inline, is_plain_heading, line_spans, sentences
from baybot.types import Chunk, Document, embedding_text

SECTION_SEPARATOR = " › "  # between the headings of a passage's section path


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    """Stable across re-ingests: depends only on the document id and the passage itself."""
    digest = hashlib.sha1(f"{start}:{end}:{text}".encode()).hexdigest()[:12]
    return f"{doc_id}#{digest}"


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    model_tokens: int
    opens_paragraph: bool


@dataclass(frozen=True)
class _Section:
    label: str
    spans: tuple[tuple[int, int, bool], ...]  # (start, end, opens_paragraph) per line


def _sections(doc: Document) -> list[_Section]:
    """Group lines under their heading path; Markdown heading lines become labels, not text.

    Level-1 headings and the title itself are left out of the label: the title travels anyway.
    """
    text = doc.text
    title = clean_inline(doc.title)
    stack: list[tuple[int, str]] = []
    sections: list[_Section] = []
    label = ""
    spans: list[tuple[int, int, bool]] = []
    new_paragraph = True

    def flush() -> None:
        if spans:
            sections.append(_Section(label, tuple(spans)))
            spans.clear()

    lines = list(line_spans(text))
    for i, (start, end) in enumerate(lines):
        line = text[start:end]
        if not line.strip():
            new_paragraph = True
            continue
        heading = HEADING.match(line)
        plain = (
            heading is None
            and new_paragraph
            and (i + 1 >= len(lines) or not text[lines[i + 1][0] : lines[i + 1][1]].strip())
            and i + 2 < len(lines)
            and is_plain_heading(line)
        )
        if heading or plain:
            flush()
            level = len(heading.group(1)) if heading else 7
            name = clean_inline(heading.group(2) if heading else line)
            stack = [(lvl, h) for lvl, h in stack if lvl < level] + [(level, name)]
            names = [h for lvl, h in stack if lvl > 1 and h != title]
            label = SECTION_SEPARATOR.join(names)
            new_paragraph = True
            if heading:
                continue
        lead = len(line) - len(line.lstrip())
        spans.append((start + lead, start + len(line.rstrip()), new_paragraph))
        new_paragraph = False
    flush()
    return sections


class Chunker:
    """Splits documents into chunks that fit both the tiktoken budget and the embedder."""

    def __init__(
        self,
        encoding: tiktoken.Encoding,
        max_tokens: int,
        overlap_tokens: int,
        model_tokens: Callable[[str], int],
        model_max_tokens: int,
    ) -> None:
        self.encoding = encoding
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens
        self.model_tokens = model_tokens
        self.model_max_tokens = model_max_tokens

    def count(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))

    def split(self, doc: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        for section in _sections(doc):
            head = embedding_text(doc.title, section.label, "")
            model_room = self.model_max_tokens - self.model_tokens(head)
            if model_room < 16:
                raise ValueError(f"{doc.id}: title and section leave no room for text")
            units = list(self._units(doc.text, section, model_room))
            for start, end in self._pack(doc.text, units, head):
                text = doc.text[start:end]
                chunks.append(
                    Chunk(
                        id=chunk_id(doc.id, start, end, text),
                        doc_id=doc.id,
                        index=len(chunks),
                        text=text,
                        start=start,
                        end=end,
                        section=section.label,
                        title=doc.title,
                        tokens=self.count(text),
                    )
                )
        return chunks

    def _fits(self, head: str, text: str) -> bool:
        return (
            self.count(text) <= self.max_tokens
            and self.model_tokens(head + text) <= self.model_max_tokens
        )

    def _unit(self, text: str, start: int, end: int, opens: bool) -> _Unit:
        piece = text[start:end]
        # model_tokens() includes the two special tokens; a unit inside a chunk does not add them.
        return _Unit(start, end, self.count(piece), self.model_tokens(piece) - 2, opens)

    def _units(self, text: str, section: _Section, model_room: int) -> Iterator[_Unit]:
        """Lines, split into sentences, split by characters, until each fits on its own."""
        for line_start, line_end, opens in section.spans:
            line = self._unit(text, line_start, line_end, opens)
            if line.tokens <= self.max_tokens and line.model_tokens < model_room:
                yield line
                continue
            for s_start, s_end in sentences(text, line_start, line_end):
                sentence = self._unit(text, s_start, s_end, opens)
                if sentence.tokens <= self.max_tokens and sentence.model_tokens < model_room:
                    yield sentence
                else:
                    yield from self._hard_split(text, s_start, s_end, opens, model_room)
                opens = False

    def _hard_split(
        self, text: str, start: int, end: int, opens: bool, model_room: int
    ) -> Iterator[_Unit]:
        """Cut an over-long sentence at the longest prefix that fits, preferring a space."""
        while start < end:
            lo, hi = start + 1, end
            while lo < hi:
                mid = (lo + hi + 1) // 2
                unit = self._unit(text, start, mid, opens)
                if unit.tokens <= self.max_tokens and unit.model_tokens < model_room:
                    lo = mid
                else:
                    hi = mid - 1
            cut = lo
            if cut < end:
                space = text.rfind(" ", start, cut)
                if space > start + (cut - start) // 2:
                    cut = space
            yield self._unit(text, start, cut, opens)
            opens = False
            start = cut
            while start < end and text[start].isspace():
                start += 1

    def _pack(self, text: str, units: list[_Unit], head: str) -> Iterator[tuple[int, int]]:
        """Greedy packing; a full chunk ends at a paragraph break when one is in its second half,
        and only a cut inside a paragraph repeats its last sentences in the next chunk."""
        head_room = self.model_max_tokens - self.model_tokens(head)
        first = 0
        while first < len(units):
            last = first
            tokens = units[first].tokens
            model = units[first].model_tokens
            while last + 1 < len(units):
                nxt = units[last + 1]
                if (
                    tokens + nxt.tokens + 1 > self.max_tokens
                    or model + nxt.model_tokens + 1 > head_room
                ):
                    break
                last += 1
                tokens += nxt.tokens + 1
                model += nxt.model_tokens + 1
            if last + 1 < len(units) and not units[last + 1].opens_paragraph:
                for k in range(last, first, -1):
                    if units[k + 1].opens_paragraph:
                        if sum(u.tokens for u in units[first : k + 1]) * 2 >= self.max_tokens:
                            last = k
                        break
            while last > first and not self._fits(head, text[units[first].start : units[last].end]):
                last -= 1
            yield units[first].start, units[last].end
            if last + 1 >= len(units):
                return
            nxt = last + 1
            if not units[nxt].opens_paragraph and self.overlap_tokens:
                budget = self.overlap_tokens
                while nxt - 1 > first and units[nxt - 1].tokens <= budget:
                    budget -= units[nxt - 1].tokens
                    nxt -= 1
            first = nxt
