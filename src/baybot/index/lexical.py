"""BM25 over passages with terms that work for English and Chinese alike (text/terms.py).

English words are lower-cased, stop-worded and Snowball-stemmed (PyStemmer); Chinese runs
become single characters plus character bigrams, after folding Traditional to Simplified
(OpenCC), so 個稅 and 个税 are one term and no segmentation dictionary has to be kept up to
date with new scheme names. Scoring is bm25s: sparse matrices, saved as plain .npy files.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from baybot.text.terms import tokenize

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself and logs each build


class LexicalIndex:
    """BM25 scores for every passage, in the chunk store's order."""

    def __init__(self, bm25: bm25s.BM25 | None, size: int) -> None:
        self._bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in tokenize(text)] for text in texts]
        if not vocab:
            return cls(None, len(texts))
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(bm25, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "size.txt").write_text(str(self.size))
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        size = int((folder / "size.txt").read_text())
        if not (folder / "params.index.json").exists():
            return cls(None, size)
        return cls(bm25s.BM25.load(str(folder), show_progress=False, verbosity=0), size)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        if self._bm25 is None:
            return np.zeros(self.size, dtype=np.float32)
        vocab = self._bm25.vocab_dict
        ids = [vocab[t] for t in terms if t in vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)
