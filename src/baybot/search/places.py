"""Place match: a question that names a place (Dongguan, Hengqin, Macao) prefers the
announcements that are about that place.

The dense models see that a province-wide notice and a Dongguan city rule both talk about the
IIT subsidy; only the documents' own metadata (title, schemes, region) says which one is about
Dongguan. Each shared place counts by its rarity among the documents, so Hong Kong, which a
third of the corpus is about, moves a ranking little and Dongguan a lot.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from baybot.text.glossary import Glossary, default_glossary
from baybot.types import Document


def _about(doc: Document) -> str:
    return "\n".join([doc.title, *doc.schemes, doc.region or ""])


@dataclass(frozen=True)
class PlaceMatch:
    """Per document, the share of a question's places (weighted by rarity) that its metadata
    names."""

    doc_ids: tuple[str, ...]
    places: tuple[frozenset[int], ...]  # glossary place groups, per document
    rarity: Mapping[int, float]
    glossary: Glossary

    @classmethod
    def build(
        cls, documents: Mapping[str, Document], glossary: Glossary | None = None
    ) -> PlaceMatch:
        glossary = glossary or default_glossary()
        doc_ids = tuple(sorted(documents))
        places = tuple(frozenset(glossary.places_in(_about(documents[d]))) for d in doc_ids)
        counts = Counter(place for named in places for place in named)
        n = len(doc_ids)
        rarity = {place: math.log(1 + n / count) for place, count in counts.items()}
        return cls(doc_ids, places, rarity, glossary)

    def scores(self, question: str) -> np.ndarray | None:
        """One score in [0, 1] per document (in `doc_ids` order); None when the question
        names no place. A place no document is about counts as the rarest, so a question
        about Foshan does not pull towards Guangzhou's rules."""
        asked = self.glossary.places_in(question)
        if not asked:
            return None
        unseen = math.log(1 + len(self.doc_ids))
        weight = {place: self.rarity.get(place, unseen) for place in asked}
        total = sum(weight.values())
        return np.array(
            [sum(weight[p] for p in asked & named) / total for named in self.places],
            dtype=np.float32,
        )
