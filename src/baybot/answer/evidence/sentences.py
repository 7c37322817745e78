"""Sentence vectors: every passage's sentences, embedded once with their context (through the
vector cache) and kept in memory for the evidence check."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from baybot.index.embedders.base import Embedder
from baybot.index.store import LoadedIndex
from baybot.index.vector_cache import VectorCache, embed_with_cache
from baybot.text.sentences import is_table_furniture, split_sentences, table_header
from baybot.timing import Progress, Step
from baybot.types import Chunk

_SENTENCE_FLOOR = 8  # characters; shorter fragments (table borders, bullets) are not evidence


class SentenceVectors:
    """Sentence spans and vectors per chunk of one index, by one embedder; thread-safe."""

    def __init__(self, index: LoadedIndex, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self._sentences: dict[str, tuple[list[tuple[int, int]], np.ndarray]] = {}
        self._rows = {chunk.id: row for row, chunk in enumerate(index.chunks)}
        self._lock = threading.Lock()

    def prepare(self, cache: VectorCache | None = None, progress: Progress | None = None) -> int:
        """Embed the sentences of every passage now (through the vector cache) rather than
        on first use, so answer latency does not depend on what was asked before.
        Returns how many sentences had to be computed."""
        chunks = [c for c in self.index.chunks if c.id not in self._sentences]
        return self._embed(chunks, cache, progress)

    def texts(self) -> dict[str, list[str]]:
        """Chunk id -> the texts embedded for its sentences (what `prepare` embeds)."""
        return {c.id: self._contexts(c, _spans(c.text)) for c in self.index.chunks}

    def _embed(
        self, chunks: Sequence[Chunk], cache: VectorCache | None, progress: Progress | None = None
    ) -> int:
        units = [(c, _spans(c.text)) for c in chunks]
        texts = [t for c, spans in units for t in self._contexts(c, spans)]
        if progress:
            progress.step(Step.SENTENCES, f"{len(texts):,} sentences")
            dim = self.embedder.dimension
            progress.add(
                cache.count_missing(self.embedder.name, texts, dim) if cache else len(texts)
            )
        vectors, computed = (
            embed_with_cache(self.embedder, texts, cache, progress=progress)
            if texts
            else (np.zeros((0, self.embedder.dimension), dtype=np.float32), 0)
        )
        offset = 0
        with self._lock:
            for chunk, spans in units:
                self._sentences[chunk.id] = (spans, vectors[offset : offset + len(spans)])
                offset += len(spans)
        return computed

    def _contexts(self, chunk: Chunk, spans: Sequence[tuple[int, int]]) -> list[str]:
        """What is embedded for each sentence: the sentence with its document title, section
        and, for a table row, the table's header row. A row such as "| 2006-2018 | 1,000 |"
        means nothing alone."""
        title = self.index.documents[chunk.doc_id].title
        out = []
        for start, end in spans:
            parts = [title, chunk.section, table_header(chunk.text, start), chunk.text[start:end]]
            out.append(" — ".join(p.strip() for p in parts if p and p.strip()))
        return out

    def of(self, chunk_id: str) -> tuple[list[tuple[int, int]], np.ndarray]:
        with self._lock:
            cached = self._sentences.get(chunk_id)
        if cached is None:
            self._embed([self.index.chunks[self._rows[chunk_id]]], None)
            with self._lock:
                cached = self._sentences[chunk_id]
        return cached


def _spans(text: str) -> list[tuple[int, int]]:
    return [
        (s, e)
        for s, e in split_sentences(text)
        if len(text[s:e].strip()) >= _SENTENCE_FLOOR and not is_table_furniture(text, s, e)
    ]
