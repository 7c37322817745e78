"""Document signal: how well a whole announcement, not one passage, matches the question.

A 128-token passage can match a question's words while its document is about another scheme
or place; the document's other passages say what it is about. Each document is represented
twice with the main dense model: the mean of its passage vectors (free: the index has them)
and a few windows of consecutive passages as long as the model reads (512 tokens for e5, so
most announcements are one or two windows, embedded through the vector cache and the seed).
A question's document score is the sum of the two standardised similarities (best window),
language-calibrated as the passages are (calibration.py), but against the parallel background
sentences joined into one text per language: at a document's length the model's language
bias is another (for an English question, about 0.04 against Chinese where a sentence shows
none), and a source written only in the other language must not lose for it. What bias is
left (Chinese documents still score lower as a block) is taken out by centring each document
language's scores among themselves, shrunk for a language with few documents. The retriever
adds the score, weighted, to each document's best passage; other passages only go down with
their document, so a favoured document's second passage is not lifted past other documents'
best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from baybot.index.embedders.base import Embedder
from baybot.index.store import LoadedIndex
from baybot.index.vector_cache import VectorCache, embed_with_cache
from baybot.search.calibration import background_sentences

# Model tokens per tiktoken token a window may need: multilingual-e5's tokenizer takes up to 1.39
# of its tokens per cl100k token on the shipped corpus's passages (English; Chinese fewer).
MODEL_TOKENS_PER_TOKEN = 1.4
# Documents a language needs before its mean score counts as its scale (a shrinkage prior, as
# in empirical Bayes): a language's scores are centred by n / (n + 5) of their mean, so the
# shipped corpus's 14 Chinese documents by 0.74 of it and a lone one by 0.17. Set by hand,
# not fitted: fully centred, a lone Chinese source fell below English distractors
# (tests/search/test_retrieval.py).
LANGUAGE_SCALE_PRIOR = 5


@dataclass(frozen=True)
class DocumentSignal:
    """Per document (in `doc_ids` order), its passage centroid and its windows' vectors."""

    model: str
    doc_ids: tuple[str, ...]
    languages: tuple[str, ...]  # distinct, sorted; `doc_language` indexes it
    doc_language: np.ndarray
    centroids: np.ndarray
    window_texts: tuple[str, ...]
    window_doc: np.ndarray  # position in `doc_ids` of each window
    windows: np.ndarray
    background_texts: dict[str, str]  # language -> the background sentences as one text
    backgrounds: dict[str, np.ndarray]  # empty: no language calibration

    @classmethod
    def build(
        cls,
        index: LoadedIndex,
        embedder: Embedder,
        cache: VectorCache | None = None,
        *,
        calibrate: bool = True,
    ) -> DocumentSignal:
        doc_ids = tuple(sorted(index.documents))
        position = {d: i for i, d in enumerate(doc_ids)}
        vectors = np.asarray(index.vectors(embedder.name), dtype=np.float32)
        centroids = np.zeros((len(doc_ids), vectors.shape[1]), dtype=np.float32)
        rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(index.chunks):
            rows.setdefault(chunk.doc_id, []).append(row)
        texts: list[str] = []
        owners: list[int] = []
        for doc_id, doc_rows in rows.items():
            mean = vectors[doc_rows].mean(axis=0)
            centroids[position[doc_id]] = mean / max(float(np.linalg.norm(mean)), 1e-9)
            for text in _windows(index, doc_rows, embedder):
                texts.append(text)
                owners.append(position[doc_id])
        windows = embed_with_cache(embedder, texts, cache)[0] if texts else centroids[:0]
        background = (
            {lang: "\n".join(lines) for lang, lines in background_sentences().items()}
            if calibrate
            else {}
        )
        vectors_of = embed_with_cache(embedder, list(background.values()), cache)[0]
        languages = tuple(sorted({index.documents[d].language for d in doc_ids}))
        return cls(
            model=embedder.name,
            doc_ids=doc_ids,
            languages=languages,
            doc_language=np.array(
                [languages.index(index.documents[d].language) for d in doc_ids], dtype=np.int64
            ),
            centroids=centroids,
            window_texts=tuple(texts),
            window_doc=np.array(owners, dtype=np.int64),
            windows=windows,
            background_texts=background,
            backgrounds=dict(zip(background, vectors_of, strict=True)),
        )

    def offsets(self, query: np.ndarray) -> np.ndarray:
        """Per language (`languages` order), the score to subtract: the query's similarity to
        that language's background text minus to the English one; 0 without a background."""
        if "en" not in self.backgrounds:
            return np.zeros(len(self.languages))
        base = float(self.backgrounds["en"] @ query)
        return np.array(
            [
                float(self.backgrounds[lang] @ query) - base if lang in self.backgrounds else 0.0
                for lang in self.languages
            ]
        )

    def scores(self, query: np.ndarray, among: np.ndarray) -> np.ndarray:
        """Standardised score of each document in `among` (positions in `doc_ids`) for the
        query vector."""
        shift = self.offsets(query)[self.doc_language]
        best_window = np.full(len(self.doc_ids), -np.inf, dtype=np.float64)
        np.maximum.at(best_window, self.window_doc, self.windows @ query)
        parts = [self.centroids @ query - shift, best_window - shift]
        total = np.asarray(sum(_standardised(part[among]) for part in parts))
        # At document length the model scores Chinese documents lower than English ones
        # whatever the question's language (documents that do not answer, on dev + dev2:
        # English 0.23 against Chinese -1.08 on English questions, 0.25 against -1.13 on
        # Chinese ones), so each document language's scores are centred among themselves,
        # shrunk by how many documents that language has here: the mean of a lone document is
        # the document itself, and the only source in a language must keep its lead.
        languages = self.doc_language[among]
        for language in np.unique(languages):
            group = languages == language
            count = int(group.sum())
            total[group] -= count / (count + LANGUAGE_SCALE_PRIOR) * total[group].mean()
        return _standardised(total)


def _windows(index: LoadedIndex, rows: Sequence[int], embedder: Embedder) -> list[str]:
    """The document's text from its first passage to its last, cut at passage boundaries into
    spans that fit the model under the title. Spans are measured by the passages' stored
    tiktoken counts (overlaps counted twice): counting them with the model's tokenizer would
    cost seconds at every start. A rare span that still runs over is cut by the model."""
    chunks = [index.chunks[r] for r in rows]
    doc = index.documents[chunks[0].doc_id]
    room = (embedder.max_tokens - embedder.count_tokens(doc.title + "\n")) / MODEL_TOKENS_PER_TOKEN
    out: list[str] = []
    start, end, used = chunks[0].start, chunks[0].end, chunks[0].tokens
    for chunk in chunks[1:]:
        if used + chunk.tokens > room:
            out.append(f"{doc.title}\n{doc.text[start:end]}")
            start, used = chunk.start, 0
        end = max(end, chunk.end)
        used += chunk.tokens
    out.append(f"{doc.title}\n{doc.text[start:end]}")
    return out


def _standardised(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - values.mean()) / std if std > 1e-9 else np.zeros(len(values))
