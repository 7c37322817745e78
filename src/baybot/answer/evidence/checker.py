"""Evidence: which sentences of the retrieved passages answer the question, and whether they
are enough to answer it at all.

Retrieval always returns something, so a question the corpus cannot answer still gets hits
(on dev, out-of-scope questions score as high as answerable ones). The check looks at what
the hits would have to contain instead, with signals that hold for any corpus:

- places: a question about a place that none of the documents an answer could quote mentions
  (Singapore, Foshan) is not answered from another place's rules;
- unknown terms: content words found nowhere in the corpus or glossary, nor (for Chinese)
  any English translation of them (casino, 口岸, 马化腾; but 养老金 is known as "pension");
- support: how close the best single sentence comes to the question (multilingual, so a
  Chinese question is judged against English sources too).

A logistic model over these (`data/refusal.json`, fitted by `benchmarks/refusal.py` on the
dev set, with its leave-one-out error rates) turns them into the probability that the
question is answerable from the passages. The fused retrieval score and the share of the
question's terms found were tried as features too and made refusals worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from baybot.answer.analysis import QuestionAnalysis, analyse
from baybot.answer.evidence.agreement import CONTRADICTS, AgreementJudge
from baybot.answer.evidence.coverage import Coverage
from baybot.answer.evidence.places import missing_places, missing_world_places
from baybot.answer.evidence.refusal import RefusalModel, support_group
from baybot.answer.evidence.sentences import SentenceVectors
from baybot.answer.evidence.slots import missing as missing_slots
from baybot.answer.evidence.twins import find_twins
from baybot.answer.evidence.vocabulary import Vocabulary
from baybot.answer.generators.base import QUOTABLE_DOCUMENTS
from baybot.index.embedders.base import Embedder
from baybot.index.store import LoadedIndex, make_hit
from baybot.index.vector_cache import VectorCache
from baybot.search.calibration import LanguageCalibrator
from baybot.text import cantonese
from baybot.text.gazetteer import default_gazetteer
from baybot.text.glossary import Glossary, default_glossary
from baybot.timing import Progress
from baybot.types import Hit, Passage, Sentence

PASSAGE_PRIOR = 0.02  # per unit of fused retrieval score (z-score sums)
# The best sentences of the agreeing documents that must hold what a question asks for (a fee,
# an age...): an answer is composed from about this many.
SLOT_SENTENCES = 6
SLOT_GAP_CAP = 0.1  # similarity; a slot no agreeing sentence holds counts as this far behind
# What the confidence model (confidence.py) reads besides the refusal features: how much the
# retrieval and the sentences agree on one document, and whether the best sentence holds what
# is asked.
CONCENTRATION_HITS = 5  # the top hits whose documents are counted
DOC_MARGIN_CAP = 0.1  # similarity; a lead this large over other documents is decisive


@dataclass(frozen=True)
class Evidence:
    """The scored sentences of the passages and the verdict on answering."""

    passages: tuple[Passage, ...]
    sentences: tuple[Sentence, ...]  # best first
    features: dict[str, float]
    probability: float  # that the passages answer the question
    answerable: bool
    unknown_terms: tuple[str, ...] = ()
    missing_places: tuple[str, ...] = ()
    analysis: QuestionAnalysis | None = None
    verdicts: dict[str, int] | None = None  # doc id -> agreement.AGREES/NEUTRAL/CONTRADICTS
    missing_slots: tuple[str, ...] = ()  # asked slots no agreeing sentence holds
    twins: dict[str, tuple[str, ...]] | None = None  # doc id -> its reader-language versions


class EvidenceChecker:
    """Scores passage sentences against a question and judges the evidence; one per index."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder,
        model: RefusalModel | None = None,
        glossary: Glossary | None = None,
        calibrator: LanguageCalibrator | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.calibrator = calibrator
        self.model = model or RefusalModel.load()
        self.glossary = glossary or default_glossary()
        self.gazetteer = default_gazetteer(self.glossary)
        texts = [f"{index.documents[c.doc_id].title}\n{c.section}\n{c.text}" for c in index.chunks]
        self.vocabulary = Vocabulary(texts, self.glossary)
        self.sentence_vectors = SentenceVectors(index, embedder)
        self._doc_rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(index.chunks):
            self._doc_rows.setdefault(chunk.doc_id, []).append(row)
        self.judge = AgreementJudge.build(index.documents, self.glossary)
        self.coverage = Coverage(index.documents, self.glossary)
        self.twins = find_twins(index.documents)

    def assess(
        self,
        question: str,
        query: str,
        hits: Sequence[Hit],
        *,
        expand_documents: int = 2,
        expand_passages: int = 3,
        analysis: QuestionAnalysis | None = None,
    ) -> Evidence:
        """Number the hits as passages, add the best other passages of the top documents (the
        sentence that answers is often next to the one that matched) and of their versions in
        the reader's language, and judge them.

        `question` is as asked; `query` has its conversation folded in (what was searched).
        Sentences are scored against the question's standard written form (cantonese.py).
        """
        if analysis is None:
            context = query if query.strip() != question.strip() else ""
            analysis = analyse(question, context, self.glossary)
        standard_query = query.replace(question, analysis.standard)
        passages = [self._passage(i + 1, h) for i, h in enumerate(hits)]
        qvec = self._query_vector(analysis.standard, standard_query) if hits else None
        top = max((h.own_score for h in hits), default=0.0)
        sentences = self._score(qvec, passages, top)
        extra = self._neighbours(qvec, hits, top, expand_documents, expand_passages)
        twins = self._reader_twins(hits, analysis.language)
        extra += self._twin_passages(qvec, hits, twins, top, expand_passages)
        for hit in extra:
            passage = self._passage(len(passages) + 1, hit)
            passages.append(passage)
            sentences.extend(self._score(qvec, [passage], top))
        sentences.sort(key=lambda s: (-s.score, s.n, s.start))
        unknown = self.vocabulary.unknown_terms(analysis.standard)
        # A place none of the quotable documents names is missing, even when a lower hit
        # (pulled up by the place match) mentions it.
        quotable = list(dict.fromkeys(h.doc_id for h in hits))[:QUOTABLE_DOCUMENTS]
        quoted = [p for p in passages[: len(hits)] if p.hit.doc_id in quotable]
        missing = missing_places(self.glossary, question, quoted)
        unseen_world = missing_world_places(self.gazetteer, analysis.world_places, quoted)
        missing += unseen_world
        verdicts = {
            d: self.judge.verdict(d, analysis) for d in dict.fromkeys(h.doc_id for h in hits)
        }
        agreeing = [d for d in quotable if verdicts[d] != CONTRADICTS]
        doc_of = {p.n: p.hit.doc_id for p in passages}
        ranked_agreeing = [s for s in sentences if doc_of[s.n] in agreeing]
        best = [s.text for s in ranked_agreeing[:SLOT_SENTENCES]]
        lacking = missing_slots(analysis.specific_slots, best) if agreeing else ()
        closest = max(sentences, key=lambda s: s.similarity, default=None)
        support = closest.similarity if closest else 0.0
        source_language = passages[closest.n - 1].hit.language if closest else analysis.language
        holding = [
            s.similarity
            for s in ranked_agreeing
            if not missing_slots(analysis.specific_slots, [s.text])
        ]
        # How much closer the best sentence comes than the best one holding what is asked.
        slot_gap = support - max(holding, default=support - SLOT_GAP_CAP)
        titles = list({p.hit.title for p in passages})
        features = {
            "bias": 1.0,
            "support": support,
            "unknown_terms": float(min(len(unknown), 2)),
            "missing_place": 1.0 if missing else 0.0,
            "missing_subject_place": 1.0
            if unseen_world
            or any(self.glossary.entries[g][0] in missing for g in analysis.subject_places)
            else 0.0,
            "none_agree": 0.0 if agreeing else 1.0,
            "slot_missing": 1.0 if lacking else 0.0,
            "year_beyond": self.coverage.year_beyond(analysis, agreeing[:1]),
            "colloquial": 1.0 if analysis.colloquial else 0.0,
            "slot_gap": min(slot_gap, SLOT_GAP_CAP),
            "sentence_missing_terms": self.coverage.share_missing(
                analysis.standard, [*best, *titles] if best else []
            ),
            "source_chinese": 1.0 if support_group(source_language) == "zh" else 0.0,
            "low_support": self.model.low_support(support, analysis.language, source_language),
        }
        features.update(_answer_features(analysis, hits, sentences, doc_of, ranked_agreeing))
        probability = self.model.probability(features) if hits else 0.0
        return Evidence(
            passages=tuple(passages),
            sentences=tuple(sentences),
            features=features,
            probability=probability,
            answerable=probability >= self.model.threshold,
            unknown_terms=tuple(unknown),
            missing_places=tuple(missing),
            analysis=analysis,
            verdicts=verdicts,
            missing_slots=lacking,
            twins=twins,
        )

    def _reader_twins(self, hits: Sequence[Hit], language: str) -> dict[str, tuple[str, ...]]:
        """For each of the best documents not in the reader's language, its versions in that
        language (twins.py)."""
        out: dict[str, tuple[str, ...]] = {}
        for doc_id in list(dict.fromkeys(h.doc_id for h in hits))[:QUOTABLE_DOCUMENTS]:
            same = [
                d
                for d in self.twins.get(doc_id, ())
                if self.index.documents[d].language[:2] == language[:2]
            ]
            if same:
                out[doc_id] = tuple(same)
        return out

    def _twin_passages(
        self,
        qvec: np.ndarray | None,
        hits: Sequence[Hit],
        twins: dict[str, tuple[str, ...]],
        top: float,
        limit: int,
    ) -> list[Hit]:
        """The best passages of the reader-language twins the hits do not already hold."""
        if qvec is None or not twins:
            return []
        shown = {h.chunk_id for h in hits}
        scored: list[tuple[float, int]] = []
        for doc_id in dict.fromkeys(d for ids in twins.values() for d in ids):
            for row in self._doc_rows.get(doc_id, ()):
                chunk = self.index.chunks[row]
                _, vectors = self.sentence_vectors.of(chunk.id)
                if chunk.id not in shown and len(vectors):
                    scored.append((float((vectors @ qvec).max()), row))
        scored.sort(key=lambda item: -item[0])
        return [make_hit(self.index, 0, row, top) for _, row in scored[:limit]]

    def _query_vector(self, question: str, query: str) -> np.ndarray:
        """A follow-up is matched both as asked ("and category C?") and with its conversation
        folded in: the first says what is wanted, the second what it is about."""
        vector = self.embedder.embed_query(query)
        if question.strip() != query.strip():
            vector = (vector + self.embedder.embed_query(question)) / 2
        return vector

    def _passage(self, n: int, hit: Hit) -> Passage:
        doc = self.index.documents.get(hit.doc_id)
        if doc is None:
            return Passage(n, hit)
        return Passage(n, hit, doc.issuer, doc.updated, doc.validity, doc.text)

    def _neighbours(
        self, qvec: np.ndarray | None, hits: Sequence[Hit], top: float, documents: int, limit: int
    ) -> list[Hit]:
        """Other passages of the best documents whose best sentence matches the question."""
        if qvec is None or limit == 0:
            return []
        shown = {h.chunk_id for h in hits}
        doc_score: dict[str, float] = {}
        for h in hits:
            doc_score.setdefault(h.doc_id, h.own_score)
        scored: list[tuple[float, int, float]] = []
        for doc_id in list(doc_score)[:documents]:
            for row in self._doc_rows.get(doc_id, ()):
                chunk = self.index.chunks[row]
                if chunk.id in shown:
                    continue
                _, vectors = self.sentence_vectors.of(chunk.id)
                if len(vectors):
                    best = float((vectors @ qvec).max()) + PASSAGE_PRIOR * (doc_score[doc_id] - top)
                    scored.append((best, row, doc_score[doc_id]))
        scored.sort(key=lambda item: -item[0])
        return [make_hit(self.index, 0, row, score) for _, row, score in scored[:limit]]

    def _score(
        self, qvec: np.ndarray | None, passages: Sequence[Passage], top: float
    ) -> list[Sentence]:
        """Each sentence's similarity to the question, less the model's bias towards the
        question's own language (calibration.py, as in retrieval), plus a small prior for its
        passage's retrieval score (the fused ranking knows things one sentence cannot show)."""
        out: list[Sentence] = []
        if qvec is None:
            return out
        languages = sorted({p.hit.language for p in passages})
        offsets = (
            dict(
                zip(
                    languages,
                    self.calibrator.offsets(self.embedder.name, qvec, languages).tolist(),
                    strict=True,
                )
            )
            if self.calibrator is not None
            else {}
        )
        for p in passages:
            spans, vectors = self.sentence_vectors.of(p.hit.chunk_id)
            if not spans:
                continue
            prior = PASSAGE_PRIOR * (p.hit.own_score - top)
            bias = offsets.get(p.hit.language, 0.0)
            for (start, end), sim in zip(spans, (vectors @ qvec).tolist(), strict=True):
                similarity = sim - bias
                out.append(
                    Sentence(p.n, p.hit.text[start:end], start, end, similarity + prior, similarity)
                )
        return out

    def unknown_terms(self, question: str) -> list[str]:
        """Content words of the question that appear nowhere in the corpus or glossary."""
        return self.vocabulary.unknown_terms(question)

    def missing_places(self, question: str, passages: Sequence[Passage]) -> list[str]:
        """Places the question names that none of the passages mentions."""
        return missing_places(self.glossary, question, passages)

    def prepare(self, cache: VectorCache | None = None, progress: Progress | None = None) -> int:
        """Embed the sentences of every passage now (through the vector cache) rather than
        on first use, so answer latency does not depend on what was asked before.
        The Chinese word lists are read now too, for the same reason.
        Returns how many sentences had to be computed."""
        self.vocabulary.prepare()
        cantonese.prepare()
        return self.sentence_vectors.prepare(cache, progress)


def _answer_features(
    analysis: QuestionAnalysis,
    hits: Sequence[Hit],
    sentences: Sequence[Sentence],
    doc_of: dict[int, str],
    agreeing: Sequence[Sentence],
) -> dict[str, float]:
    """Signals of an answer being right rather than of the question being answerable: one
    document holding the top hits and the best sentences (wrong-document answers come from
    split rankings), the best agreeing sentence holding the asked slots, a question asking
    for several things."""
    top_docs = [h.doc_id for h in hits[:CONCENTRATION_HITS]]
    concentration = top_docs.count(top_docs[0]) / len(top_docs) if top_docs else 0.0
    margin = 0.0
    if sentences:
        lead = doc_of[sentences[0].n]
        other = next((s.similarity for s in sentences if doc_of[s.n] != lead), None)
        margin = DOC_MARGIN_CAP if other is None else sentences[0].similarity - other
    best = agreeing[0].text if agreeing else ""
    holds = bool(best) and not missing_slots(analysis.specific_slots, [best])
    many = analysis.asks("list") or analysis.asks("comparison") or bool(analysis.parts)
    return {
        "concentration": concentration,
        "doc_margin": max(-DOC_MARGIN_CAP, min(margin, DOC_MARGIN_CAP)),
        "best_holds_slots": 1.0 if holds else 0.0,
        "asks_many": 1.0 if many else 0.0,
    }
