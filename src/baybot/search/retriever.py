"""Retriever: a question in, ranked passages with their citation metadata out.

Dense retrieval with each embedder, BM25 and the place match (places.py) run side by side over
the same chunk store; their scores are fused (fusion.py), filtered by metadata, each document's
best passage is lifted by how well the whole document matches (documents.py), optionally
reranked by a cross-encoder, and near-duplicate passages of one document are collapsed before
the top k are returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from baybot.config import Settings
from baybot.errors import IndexStaleError, QueryError
from baybot.index.embedders import CachedQueries, load_embedders
from baybot.index.embedders.base import Embedder
from baybot.index.store import IndexStore, LoadedIndex, index_config, make_hit
from baybot.index.vector_cache import open_cache
from baybot.index.vectorstore import VectorStore
from baybot.search import fusion
from baybot.search.calibration import LanguageCalibrator
from baybot.search.documents import DocumentSignal
from baybot.search.filters import Filters, allowed_documents
from baybot.search.places import PlaceMatch
from baybot.search.rerank import Reranker, load_reranker
from baybot.text.glossary import default_glossary
from baybot.text.questions import clean_question
from baybot.text.terms import jaccard, tokenize
from baybot.timing import Stopwatch
from baybot.types import Hit

MAX_QUERY_CHARS = 2000
MAX_K = 50


@dataclass(frozen=True)
class Signal:
    """One retriever's view of a hit: its score and its rank among that retriever's
    candidates (None when the retriever did not return it)."""

    score: float | None
    rank: int | None


@dataclass(frozen=True)
class SearchResult:
    """Hits plus what it took to find them, for eval, benchmarks and the staff inspector."""

    query: str
    hits: list[Hit]
    timings_ms: dict[str, float] = field(default_factory=dict)
    filters: Filters = field(default_factory=Filters)
    # With `explain`: per hit, each retriever's Signal and the fused one ("fused").
    signals: tuple[dict[str, Signal], ...] = ()


class Retriever:
    """Hybrid retrieval over a loaded index; one instance serves many queries."""

    def __init__(
        self,
        index: LoadedIndex,
        embedders: Sequence[Embedder],
        settings: Settings | None = None,
        *,
        reranker: Reranker | None = None,
        calibrator: LanguageCalibrator | None = None,
        documents: DocumentSignal | None = None,
    ) -> None:
        self.settings = settings or Settings()
        names = tuple(e.name for e in embedders)
        if index.manifest.config.embedders != names:
            raise IndexStaleError(
                f"index was built with {list(index.manifest.config.embedders)}, "
                f"not {list(names)}; run `baybot ingest`"
            )
        self.index = index
        size = self.settings.query_cache_size
        self.embedders: list[Embedder] = [
            CachedQueries(e, size) if size and not isinstance(e, CachedQueries) else e
            for e in embedders
        ]
        weights = self.settings.embedding_weights
        if len(weights) != len(self.embedders):
            weights = (1.0,) * len(self.embedders)
        self.weights = dict(zip(names, weights, strict=True))
        self.reranker = reranker
        self.calibrator = calibrator
        self.documents = documents
        for store in index.dense.values():
            store.breadth = self.settings.ann_breadth
        languages = [index.documents[c.doc_id].language for c in index.chunks]
        self._languages = sorted(set(languages))
        self._row_language = np.array(
            [self._languages.index(lang) for lang in languages], dtype=np.int64
        )
        doc_rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(index.chunks):
            doc_rows.setdefault(chunk.doc_id, []).append(row)
        self._doc_rows = {k: np.array(v, dtype=np.int64) for k, v in doc_rows.items()}
        self.places = PlaceMatch.build(index.documents)
        position = {d: i for i, d in enumerate(self.places.doc_ids)}
        self._row_doc = np.array([position[c.doc_id] for c in index.chunks], dtype=np.int64)
        if documents is not None and documents.doc_ids != self.places.doc_ids:
            raise IndexStaleError("the document signal was built for another index version")
        self._terms: dict[int, frozenset[str]] = {}
        self._name_vectors: dict[tuple[str, str], np.ndarray] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, *, embedders: Sequence[Embedder] | None = None
    ) -> Retriever:
        """Open the index already built in `settings.index_dir` (`ingest` builds it; the app's
        wiring does both) with the models, reranker and calibration the settings name."""
        embedders = list(embedders) if embedders else load_embedders(settings)
        index = IndexStore(settings.index_dir).load()
        if index.manifest.config != index_config(settings, embedders):
            raise IndexStaleError(
                f"index in {settings.index_dir} was built with other settings; run `baybot ingest`"
            )
        reranker = (
            load_reranker(settings.rerank_model, offline=settings.offline)
            if settings.rerank_model
            else None
        )
        calibrator: LanguageCalibrator | None = None
        documents: DocumentSignal | None = None
        with open_cache(settings.cache_dir, settings.vector_cache, settings.seed_vectors) as cache:
            if settings.language_calibration:
                calibrator = LanguageCalibrator.build(embedders, cache)
            if settings.document_weight:
                documents = DocumentSignal.build(
                    index, embedders[0], cache, calibrate=settings.language_calibration
                )
        retriever = cls(
            index,
            embedders,
            settings,
            reranker=reranker,
            calibrator=calibrator,
            documents=documents,
        )
        for embedder in embedders:  # load lazy model weights now, not on the first question
            embedder.embed_query("warm up")
        return retriever

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> list[Hit]:
        return self.run(query, k, filters).hits

    def run(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
        *,
        explain: bool = False,
    ) -> SearchResult:
        """Search, recording the time each stage took; `explain` adds each retriever's score
        and rank for every hit."""
        k = self.settings.top_k if k is None else k
        query = clean_question(query, "query")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"query is longer than {MAX_QUERY_CHARS} characters")
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise QueryError(f"k must be between 1 and {MAX_K}")
        if not isinstance(filters, Filters):
            filters = Filters.parse(filters)
        watch = Stopwatch(digits=3)
        timings, lap = watch.laps, watch.lap
        allowed_rows = self._allowed_rows(filters)
        lap("filter")
        if allowed_rows is not None and len(allowed_rows) == 0:
            return SearchResult(query, [], timings, filters)
        extra = default_glossary().expand(query) if self.settings.glossary_expansion else []
        vectors: dict[str, np.ndarray] = {}
        rankings = [
            *self._dense(query, extra, allowed_rows, lap, vectors),
            self._lexical(query, extra, allowed_rows),
        ]
        lap("lexical")
        place = self._place(query, allowed_rows)
        if place is not None:
            rankings.append(place)
            lap("places")
        if self.settings.fusion == "rrf":
            rows, scores = fusion.rrf(rankings, self.settings.rrf_k)
        else:
            rows, scores = fusion.zscore(rankings)
        lap("fuse")
        own: dict[int, float] = {}
        lifted = self._documents(vectors, rows, scores)
        if lifted is not None:
            own = dict(zip(rows.tolist(), scores.tolist(), strict=True))
            rows, scores, signal = lifted
            rankings.append(signal)
            lap("documents")
        fused = fusion.Ranking("fused", 1.0, rows, scores)
        if self.reranker is not None:
            rows, scores = self._rerank(query, rows, scores)
            rankings.append(fusion.Ranking("rerank", 1.0, rows, scores))
            lap("rerank")
        picked = self._collapse(rows, scores, k)
        lap("collapse")
        hits = [self._hit(i + 1, r, s, own.get(r)) for i, (r, s) in enumerate(picked)]
        signals = _signals([*rankings, fused], [r for r, _ in picked]) if explain else ()
        return SearchResult(query, hits, timings, filters, signals)

    def _allowed_rows(self, filters: Filters) -> np.ndarray | None:
        if not filters:
            return None
        ids = allowed_documents(filters, self.index.documents)
        rows = [self._doc_rows[d] for d in sorted(ids) if d in self._doc_rows]
        return np.sort(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)

    def _dense(
        self,
        query: str,
        extra: list[str],
        allowed: np.ndarray | None,
        lap: Any,
        vectors: dict[str, np.ndarray],
    ) -> list[fusion.Ranking]:
        """One ranking per dense model; each model's query vector goes into `vectors`."""
        out = []
        pool = self.settings.candidate_pool
        names = default_glossary().bridge(query) if extra else []
        for embedder in self.embedders:
            weight = self.weights[embedder.name]
            if weight == 0:
                continue
            vector = embedder.embed_query(query)
            if names and self.settings.bridge_weight:
                vector = self._bridged(embedder, vector, names)
            vectors[embedder.name] = vector
            store: VectorStore = self.index.dense[embedder.name]
            scores, rows = store.search(vector, pool, allowed)
            rows = rows.astype(np.int64)
            if self.calibrator is not None:
                offsets = self.calibrator.offsets(embedder.name, vector, self._languages)
                scores = scores - offsets[self._row_language[rows]]
            out.append(fusion.Ranking(embedder.name, weight, rows, scores))
            lap(f"dense:{embedder.name}")
        return out

    def _bridged(self, embedder: Embedder, vector: np.ndarray, names: list[str]) -> np.ndarray:
        """The query vector pulled towards the other-language glossary names of what it
        mentions, which the models cannot know (高才通 is the Top Talent Pass Scheme). Each
        name is encoded once per process, so bridging adds no encode to the query."""
        rows = []
        for name in names:
            key = (embedder.name, name)
            if key not in self._name_vectors:
                self._name_vectors[key] = embedder.embed_query(name)
            rows.append(self._name_vectors[key])
        mixed = vector + self.settings.bridge_weight * np.mean(rows, axis=0)
        return (mixed / np.linalg.norm(mixed)).astype(np.float32)

    def _documents(
        self, vectors: dict[str, np.ndarray], rows: np.ndarray, scores: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, fusion.Ranking] | None:
        """The fused ranking moved by the weighted document score (standardised among the
        documents still in the ranking), re-sorted; and the document score of every row, for
        `explain`. None when the signal is off. A document's best passage moves by it; its other
        passages only go down with it, so a favoured document does not lift a second passage
        past other documents' best, and a disfavoured one is not represented by its second."""
        signal, weight = self.documents, self.settings.document_weight
        if signal is None or not weight or signal.model not in vectors or not len(rows):
            return None
        vector = vectors[signal.model]
        docs = self._row_doc[rows]
        among, first = np.unique(docs, return_index=True)  # rows are best first
        per_doc = np.zeros(len(signal.doc_ids))
        per_doc[among] = signal.scores(vector, among)
        shift = weight * per_doc[docs]
        lifted = scores + np.minimum(shift, 0.0)
        lifted[first] = scores[first] + shift[first]
        order = np.argsort(-lifted, kind="stable")
        ranking = fusion.Ranking("documents", weight, rows, per_doc[docs])
        return rows[order], lifted[order], ranking

    def _lexical(self, query: str, extra: list[str], allowed: np.ndarray | None) -> fusion.Ranking:
        scores = self.index.lexical.scores(tokenize(" ".join([query, *extra])))
        rows = np.arange(len(scores)) if allowed is None else allowed
        return fusion.Ranking("bm25", self.settings.lexical_weight, rows, scores[rows])

    def _place(self, query: str, allowed: np.ndarray | None) -> fusion.Ranking | None:
        weight = self.settings.place_weight
        scores = self.places.scores(query) if weight else None
        if scores is None:
            return None
        rows = np.arange(len(self._row_doc)) if allowed is None else allowed
        return fusion.Ranking("places", weight, rows, scores[self._row_doc[rows]])

    def _rerank(
        self, query: str, rows: np.ndarray, scores: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Reorder the best distinct candidates by the cross-encoder; the rest keep their order."""
        assert self.reranker is not None
        head = [r for r, _ in self._collapse(rows, scores, self.settings.rerank_candidates)]
        texts = [self.index.chunks[r].embedding_text for r in head]
        ce = self.reranker.score(query, texts)
        order = np.argsort(-ce, kind="stable")
        head_rows = np.array(head, dtype=np.int64)[order]
        rest = rows[~np.isin(rows, head_rows)]
        return np.concatenate([head_rows, rest]), np.concatenate(
            [ce[order].astype(np.float64), np.full(len(rest), float(ce.min(initial=0.0)) - 1.0)]
        )

    def _terms_of(self, row: int) -> frozenset[str]:
        if row not in self._terms:
            self._terms[row] = frozenset(tokenize(self.index.chunks[row].text))
        return self._terms[row]

    def _collapse(self, rows: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Best rows first, skipping near-copies of a kept passage of the same document and
        passages beyond `max_hits_per_doc`."""
        kept: list[tuple[int, float]] = []
        per_doc: dict[str, list[int]] = {}
        threshold = self.settings.duplicate_threshold
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            chunk = self.index.chunks[row]
            same = per_doc.setdefault(chunk.doc_id, [])
            if len(same) >= self.settings.max_hits_per_doc:
                continue
            terms = self._terms_of(row)
            if any(jaccard(terms, self._terms_of(other)) >= threshold for other in same):
                continue
            same.append(row)
            kept.append((row, score))
            if len(kept) == k:
                break
        return kept

    def _hit(self, rank: int, row: int, score: float, own: float | None = None) -> Hit:
        return make_hit(self.index, rank, row, score, own)


def _signals(
    rankings: Sequence[fusion.Ranking], picked: Sequence[int]
) -> tuple[dict[str, Signal], ...]:
    """Each picked row's score and rank in every ranking."""
    views: dict[str, dict[int, Signal]] = {}
    for ranking in rankings:
        order = np.argsort(-ranking.scores, kind="stable")
        views[ranking.name] = {
            int(ranking.rows[i]): Signal(float(ranking.scores[i]), rank)
            for rank, i in enumerate(order, start=1)
        }
    missing = Signal(None, None)
    return tuple({name: view.get(row, missing) for name, view in views.items()} for row in picked)
