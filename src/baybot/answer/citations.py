"""The citation check every backend's answer goes through.

A marker must name a passage the backend was given; any other marker is removed, never shown
as a source. A sentence of the answer that carries no valid marker is an uncited claim, and
an answer with no cited sentence at all is flagged as unsupported. Each cited passage is
quoted by the sentences of it that the citing sentences resemble most.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from baybot.text.sentences import split_sentences
from baybot.text.terms import jaccard, tokenize
from baybot.types import Citation, Passage, Sentence

_MARKER = re.compile(r"\s*(?:\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]|【(\d{1,3})】)")
_SENTENCE_END = re.compile(
    r"(?:[.!?](?=[\s\[【]|$)|[。！？]|\n)(?:\s*(?:\[\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\]|【\d{1,3}】))*"
)
_WORDY = re.compile(r"\w{3,}|[\u3400-\u9fff]{2,}")


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: tuple[Citation, ...]
    removed_markers: tuple[str, ...]
    uncited: tuple[str, ...]  # answer sentences that carry no valid citation

    @property
    def supported(self) -> bool:
        return bool(self.citations)


def _numbers(marker: re.Match[str]) -> list[int]:
    body = marker.group(1) or marker.group(2)
    return [int(x) for x in re.split(r"[,，、\s]+", body) if x]


def _pieces(text: str) -> list[str]:
    """The answer's sentences, each with the markers that follow it."""
    out, pos = [], 0
    for end in _SENTENCE_END.finditer(text):
        if end.end() > pos:
            out.append(text[pos : end.end()])
            pos = end.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def check_citations(
    text: str,
    passages: Sequence[Passage],
    sentences: Sequence[Sentence] = (),
    given: Sequence[int] | None = None,
) -> CheckedAnswer:
    """Remove markers that name no given passage; quote what the valid ones point to.

    `given` is the passage numbers the backend actually saw (an LLM prompt may have dropped
    some to fit its budget); by default all of `passages`.
    """
    by_n = {p.n: p for p in passages}
    valid = set(by_n) if given is None else set(given) & set(by_n)
    removed: list[str] = []

    def keep_valid(marker: re.Match[str]) -> str:
        numbers = [n for n in _numbers(marker) if n in valid]
        if len(numbers) < len(_numbers(marker)):
            removed.append(marker.group().strip())
        return "".join(f" [{n}]" for n in dict.fromkeys(numbers))

    cleaned = _MARKER.sub(keep_valid, text).strip()
    cited: dict[int, list[str]] = {}
    uncited: list[str] = []
    for piece in _pieces(cleaned):
        numbers = [n for m in _MARKER.finditer(piece) for n in _numbers(m)]
        claim = _MARKER.sub("", piece).strip()
        if not numbers:
            if _WORDY.search(claim):
                uncited.append(claim)
            continue
        for n in numbers:
            cited.setdefault(n, []).append(claim)
    best_sentence = {}
    for s in sentences:  # already best first
        best_sentence.setdefault(s.n, s)
    citations = tuple(
        _citation(by_n[n], cited[n], best_sentence.get(n))
        for n in sorted(cited, key=_first(cleaned))
    )
    return CheckedAnswer(cleaned, citations, tuple(removed), tuple(uncited))


def _first(text: str) -> Any:
    """Sort key: where a passage number is first cited in the text."""
    firsts: dict[int, int] = {}
    for m in _MARKER.finditer(text):
        for n in _numbers(m):
            firsts.setdefault(n, m.start())
    return lambda n: firsts.get(n, len(text))


def _citation(passage: Passage, claims: Sequence[str], fallback: Sentence | None) -> Citation:
    text = passage.hit.text
    spans = split_sentences(text)
    chosen: list[tuple[int, int]] = []
    for claim in claims:
        terms = set(tokenize(claim))
        if not terms:
            continue
        scored = [
            (jaccard(terms, set(tokenize(text[s:e]))), (s, e))
            for s, e in spans
            if text[s:e].strip()
        ]
        best = max(scored, default=(0.0, None), key=lambda pair: pair[0])
        if best[1] is not None and best[0] > 0:
            chosen.append(best[1])
    if not chosen and fallback is not None:
        chosen.append((fallback.start, fallback.end))
    if not chosen and spans:
        chosen.append(spans[0])
    chosen = sorted(set(chosen))
    hit = passage.hit
    return Citation(
        n=passage.n,
        chunk_id=hit.chunk_id,
        doc_id=hit.doc_id,
        title=hit.title,
        url=hit.url,
        published=hit.published,
        issuer=passage.issuer,
        quote=" … ".join(text[s:e].strip() for s, e in chosen),
        passage=text,
        spans=tuple(chosen),
        updated=passage.updated,
        validity=passage.validity,
    )
