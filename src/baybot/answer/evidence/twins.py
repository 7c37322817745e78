"""Twins: the same notice in English and in Chinese (hk-iang and hk-iang.zh).

A Chinese reader should get the Chinese version when it says the same. Two documents are
twins when they are in different languages, about the same schemes (front matter), and quote
largely the same figures: the numbers a notice gives (dates, amounts, counts) survive
translation where its words do not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from baybot.types import Document

# Share of the two documents' numbers in common (Jaccard) from which they say the same: the
# translated notices in the corpus share 0.4-1.0, a summary and a detailed notice on the same
# scheme about 0.1-0.3.
SAME_FIGURES = 0.4
_NUMBER = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


def _numbers(text: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(_THOUSANDS.sub("", text)))


def find_twins(documents: Mapping[str, Document]) -> dict[str, tuple[str, ...]]:
    """Doc id -> the ids of its versions in another language."""
    numbers = {d: _numbers(doc.text) for d, doc in documents.items()}
    out: dict[str, list[str]] = {}
    for a, doc_a in documents.items():
        for b, doc_b in documents.items():
            if doc_a.language[:2] == doc_b.language[:2] or not doc_a.schemes:
                continue
            if set(doc_a.schemes) != set(doc_b.schemes):
                continue
            union = numbers[a] | numbers[b]
            if union and len(numbers[a] & numbers[b]) / len(union) >= SAME_FIGURES:
                out.setdefault(a, []).append(b)
    return {d: tuple(t) for d, t in out.items()}
