"""Region and schemes of a document without front matter, from the places and schemes its title
and text name.

Without them, `--region HK` or `--scheme TTPS` drops exactly the newest pages staff add. A name
counts more where a writer puts the subject: in the title, then the opening paragraphs. A place
that only says who ("Macao residents", "Hong Kong professionals") says nothing about where, and a
scheme carries its own region, so a page about 優才計劃 is about Hong Kong even if it never says
香港.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import yaml

from baybot.text.glossary import default_glossary
from baybot.text.language import fold

# Weights by position: a name in the title is the subject; in the lead (the first
# LEAD_PARAGRAPHS paragraphs) probably; further down, often a comparison or a side note.
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
BODY_WEIGHT = 1.0
ISSUER_WEIGHT = 1.0  # who publishes says where, weakly: 广州市财政局 is in Guangzhou
LEAD_PARAGRAPHS = 2
# A scheme or region needs the title, the lead, or two later paragraphs to name it: a single
# passing mention deep in the text ("unlike the QMAS, ...") is not what the page is about.
MIN_SCORE = 2.0

# A place followed by one of these names people, not where the page is about.
_WHO_AFTER_PLACE = re.compile(
    r"\s*(?:residents?|people|youths?|young people|professionals|graduates|permanent residents|"
    r"居民|青年|人士|專業人士|专业人士|畢業生|毕业生|永久性居民)",
    re.IGNORECASE,
)


class GlossaryLike(Protocol):
    """What `from_glossary` reads: baybot's Glossary has these two fields."""

    entries: tuple[tuple[str, ...], ...]
    places: frozenset[int]


@dataclass(frozen=True)
class SchemeRule:
    """A scheme as front matter names it, the words that name it, and where it applies."""

    name: str
    terms: tuple[str, ...]
    region: str | None = None
    place: str | None = None  # a place that must also be named (a city's own subsidy)


@dataclass(frozen=True)
class Vocabulary:
    """Places (canonical -> surface forms), the region of each place, and the scheme rules."""

    places: Mapping[str, tuple[str, ...]]
    region_of: Mapping[str, str]
    schemes: tuple[SchemeRule, ...]


@dataclass(frozen=True)
class Inferred:
    """The region and schemes a document is about, with the scores that chose them."""

    region: str | None
    schemes: tuple[str, ...]
    region_scores: Mapping[str, float]
    scheme_scores: Mapping[str, float]


def from_glossary(glossary: GlossaryLike, catalogue: Path | None = None) -> Vocabulary:
    """The vocabulary from the glossary's places and entries plus the scheme catalogue
    (`data/schemes.yaml`): each scheme gains the surface forms of the glossary entry named
    like it."""
    if catalogue is None:
        body = resources.files("baybot").joinpath("data/schemes.yaml").read_text("utf-8")
    else:
        body = Path(catalogue).read_text("utf-8")
    data = yaml.safe_load(body)
    places = {glossary.entries[i][0]: tuple(glossary.entries[i]) for i in sorted(glossary.places)}
    by_name = {entry[0]: entry for entry in glossary.entries}
    region_of = {place: region for region, names in data["regions"].items() for place in names}
    schemes = tuple(
        SchemeRule(
            name=item["name"],
            terms=tuple(
                dict.fromkeys([*(item.get("terms") or []), *by_name.get(item["name"], ())])
            ),
            region=item.get("region"),
            place=item.get("place"),
        )
        for item in data["schemes"]
    )
    return Vocabulary(places, region_of, schemes)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("&", " and ").replace("  ", " ")


def _pattern(terms: Iterable[str], fold: Callable[[str], str]) -> re.Pattern[str] | None:
    """One alternation, longest first, so "Guangdong-Macao In-Depth Cooperation Zone" is
    Hengqin and not Guangdong plus Macao."""
    forms = sorted({fold(_norm(t)) for t in terms if t.strip()}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(
        "|".join(
            re.escape(f)
            if re.search(r"[^\x00-\x7f]", f)
            else rf"(?<![a-z0-9]){re.escape(f)}(?![a-z0-9])"
            for f in forms
        )
    )


class Inferrer:
    """Scores places and schemes in a title, paragraphs and issuer."""

    def __init__(self, vocabulary: Vocabulary, fold: Callable[[str], str] = str) -> None:
        self.vocabulary = vocabulary
        self.fold = fold
        forms = {fold(_norm(t)): place for place, terms in vocabulary.places.items() for t in terms}
        self._place_forms = forms
        self._places = _pattern(forms, lambda s: s)
        self._schemes = [(rule, _pattern(rule.terms, fold)) for rule in vocabulary.schemes]

    def _places_in(self, text: str) -> set[str]:
        found: set[str] = set()
        if self._places is None:
            return found
        for m in self._places.finditer(text):
            if not _WHO_AFTER_PLACE.match(text, m.end()):
                found.add(self._place_forms[m.group(0)])
        return found

    def infer(self, title: str, paragraphs: Sequence[str], issuer: str | None = None) -> Inferred:
        weighted = [(title, TITLE_WEIGHT)]
        weighted += [
            (p, LEAD_WEIGHT if i < LEAD_PARAGRAPHS else BODY_WEIGHT)
            for i, p in enumerate(paragraphs)
        ]
        if issuer:
            weighted.append((issuer, ISSUER_WEIGHT))
        place_scores: dict[str, float] = defaultdict(float)
        scheme_scores: dict[str, float] = defaultdict(float)
        named_anywhere: set[str] = set()
        for text, weight in weighted:
            folded = self.fold(_norm(text))
            places = self._places_in(folded)
            named_anywhere |= places
            for place in places:
                place_scores[place] += weight
            for rule, pattern in self._schemes:
                if pattern is not None and pattern.search(folded):
                    scheme_scores[rule.name] += weight
        rules = {rule.name: rule for rule in self.vocabulary.schemes}
        schemes = [
            name
            for name, score in sorted(scheme_scores.items(), key=lambda kv: -kv[1])
            if score >= MIN_SCORE
            and (rules[name].place is None or rules[name].place in named_anywhere)
        ]
        region_scores: dict[str, float] = defaultdict(float)
        for place, score in place_scores.items():
            if region := self.vocabulary.region_of.get(place):
                region_scores[region] += score
        for name in schemes:
            if region := rules[name].region:
                region_scores[region] += scheme_scores[name]
        best = max(region_scores.items(), key=lambda kv: kv[1], default=(None, 0.0))
        return Inferred(
            region=best[0] if best[1] >= MIN_SCORE else None,
            schemes=tuple(schemes),
            region_scores=dict(region_scores),
            scheme_scores=dict(scheme_scores),
        )


def paragraphs_of(text: str) -> list[str]:
    """Blank-line separated paragraphs (the extracted main text's layout)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


@cache
def default_inferrer() -> Inferrer:
    """The inferrer over the shipped glossary and scheme catalogue, built once per process."""
    return Inferrer(from_glossary(default_glossary()), fold=fold)


def infer_metadata(title: str, text: str, issuer: str | None = None) -> Inferred:
    """Region and schemes of a document from its title, paragraphs and issuer."""
    return default_inferrer().infer(title, paragraphs_of(text), issuer)
