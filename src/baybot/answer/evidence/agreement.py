"""Agreement: is a document about what the question names?

Retrieval ranks by closeness of wording, and a Mainland talent visa notice reads much like a
Hong Kong one. Documents say what they are about in their front matter (title, schemes,
region), so before an answer is composed each candidate document is judged against the places
and schemes the question names: it agrees (names one of them), is neutral (names nothing that
conflicts), or contradicts (is about another place, or another specific scheme, and does not
mention the asked one in its text either).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from baybot.answer.analysis import QuestionAnalysis
from baybot.text.glossary import Glossary, default_glossary
from baybot.text.language import fold
from baybot.types import Document

AGREES, NEUTRAL, CONTRADICTS = 1, 0, -1
# A glossary group named in the front matter of at most this share of documents is specific
# (a scheme such as TTPS); broader ones (subsidy, GBA, employment) say nothing about which.
SPECIFIC_SHARE = 0.2
# A name most documents mention (the Mainland, the GBA) tells no scheme from another.
COMMON_SHARE = 0.5
# A document that mentions an asked place or scheme this often in its text is about it too,
# even when its front matter does not say so (the GBA IIT notices and Hong Kong residents).
MENTIONS = 3


@dataclass(frozen=True)
class Facets:
    """What one document's front matter names, as glossary groups."""

    places: frozenset[int]
    schemes: frozenset[int]  # specific groups only
    region: int | None
    text: str  # folded, for counting mentions


@dataclass(frozen=True)
class AgreementJudge:
    facets: Mapping[str, Facets]
    jurisdiction: Mapping[int, int]  # place group -> region group most documents naming it have
    specific: frozenset[int]
    glossary: Glossary

    @classmethod
    def build(
        cls, documents: Mapping[str, Document], glossary: Glossary | None = None
    ) -> AgreementJudge:
        glossary = glossary or default_glossary()
        named: dict[str, set[int]] = {}
        regions: dict[str, int | None] = {}
        for doc_id, doc in documents.items():
            named[doc_id] = set(glossary.groups("\n".join([doc.title, *doc.schemes])))
            region = glossary.places_in(doc.region or "")
            regions[doc_id] = min(region) if region else None
        counts = Counter(g for groups in named.values() for g in groups if g not in glossary.places)
        in_text = Counter(g for doc in documents.values() for g in glossary.groups(doc.text))
        limit = max(1, math.floor(SPECIFIC_SHARE * len(documents)))
        specific = frozenset(
            g
            for g, c in counts.items()
            if c <= limit
            and glossary.entries[g][0][:1].isupper()  # a name (TTPS), not a topic (subsidy)
            and in_text[g] <= COMMON_SHARE * len(documents)
        )
        facets = {}
        votes: dict[int, Counter[int]] = {}
        for doc_id, groups in named.items():
            region = regions[doc_id]
            places = {g for g in groups if g in glossary.places}
            if region is not None:
                places.add(region)
                for place in places:
                    votes.setdefault(place, Counter())[region] += 1
            facets[doc_id] = Facets(
                frozenset(places),
                frozenset(groups & specific),
                region,
                fold(documents[doc_id].text),
            )
        jurisdiction = {place: c.most_common(1)[0][0] for place, c in votes.items()}
        # A place that is some document's region is a jurisdiction of its own, however often
        # another region's documents name it (Hong Kong residents in Guangdong's rules).
        jurisdiction |= {r: r for r in regions.values() if r is not None}
        return cls(facets, jurisdiction, specific, glossary)

    def _mentions(self, facets: Facets, group: int) -> int:
        return max(
            (facets.text.count(fold(term)) for term in self.glossary.entries[group]), default=0
        )

    def _place(self, facets: Facets, asked: frozenset[int]) -> int:
        if not asked:
            return NEUTRAL
        if asked & facets.places:
            return AGREES
        if any(self._mentions(facets, p) >= MENTIONS for p in asked):
            return NEUTRAL
        finer = facets.places - {facets.region}
        asked_finer = {p for p in asked if self.jurisdiction.get(p, p) != p}
        if finer and asked_finer:
            return CONTRADICTS  # a city's rules for a question about another city
        homes = {self.jurisdiction[p] for p in asked if p in self.jurisdiction}
        if facets.region is not None and homes and facets.region not in homes:
            return CONTRADICTS
        unknown = [p for p in asked if p not in self.jurisdiction]
        if unknown and len(unknown) == len(asked):
            return CONTRADICTS  # a place no document is about (Foshan, Singapore)
        return NEUTRAL

    def _scheme(self, facets: Facets, asked: frozenset[int]) -> int:
        asked = asked & self.specific
        if not asked:
            return NEUTRAL
        if asked & facets.schemes:
            return AGREES
        if any(self._mentions(facets, g) >= MENTIONS for g in asked):
            return NEUTRAL
        return CONTRADICTS if facets.schemes else NEUTRAL

    def verdict(self, doc_id: str, analysis: QuestionAnalysis) -> int:
        """CONTRADICTS, NEUTRAL, or how many of the asked places and specific schemes the
        document's front matter names (AGREES or more); one dimension agreeing outweighs the
        other contradicting (a Hong Kong scheme holder asking about a Shenzhen subsidy)."""
        facets = self.facets.get(doc_id)
        if facets is None:
            return NEUTRAL
        votes = (self._place(facets, analysis.places), self._scheme(facets, analysis.schemes))
        if CONTRADICTS in votes:
            return NEUTRAL if AGREES in votes else CONTRADICTS
        if AGREES not in votes:
            return NEUTRAL
        named = (analysis.places & facets.places) | (analysis.schemes & facets.schemes)
        return max(AGREES, len(named))

    def sides(self, analysis: QuestionAnalysis) -> tuple[int, ...]:
        """The named things a comparison could set side by side: two or more specific
        schemes, else two or more places."""
        schemes = sorted(analysis.schemes & self.specific)
        if len(schemes) >= 2:
            return tuple(schemes)
        # Cities and zones, when two are named: Hong Kong or Macao beside them is usually
        # where the applicant comes from, not a side.
        finer = sorted(p for p in analysis.places if self.jurisdiction.get(p, p) != p)
        places = finer if len(finer) >= 2 else sorted(analysis.places)
        return tuple(places) if len(places) >= 2 else ()
