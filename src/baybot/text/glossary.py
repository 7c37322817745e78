"""The domain glossary: scheme names, bodies and places in English, Traditional and Simplified
Chinese, shipped as data (`data/glossary.yaml`) and used to expand queries across languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import yaml

from baybot.text.language import HAN, fold, is_chinese


@dataclass(frozen=True)
class Glossary:
    """Groups of equivalent terms; `expand` returns the other names of every group a text names."""

    entries: tuple[tuple[str, ...], ...]
    places: frozenset[int] = frozenset()  # indices of the entries that name places

    @classmethod
    def load(cls, path: Path | None = None) -> Glossary:
        if path is None:
            body = resources.files("baybot").joinpath("data/glossary.yaml").read_text("utf-8")
        else:
            body = Path(path).read_text("utf-8")
        data = yaml.safe_load(body) or {}

        def terms(key: str) -> list[tuple[str, ...]]:
            return [tuple(str(term) for term in entry) for entry in data.get(key) or [] if entry]

        entries, places = terms("entries"), terms("places")
        return cls((*entries, *places), frozenset(range(len(entries), len(entries) + len(places))))

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], int]]:
        patterns = []
        for group, entry in enumerate(self.entries):
            for term in entry:
                folded = re.escape(fold(term))
                # Latin terms must match whole words; Chinese has no word boundaries.
                pattern = folded if HAN.search(term) else rf"(?<![a-z0-9]){folded}(?![a-z0-9])"
                patterns.append((re.compile(pattern), group))
        return patterns

    def groups(self, text: str) -> list[int]:
        folded = fold(text)
        seen: list[int] = []
        for pattern, group in self._patterns:
            if group not in seen and pattern.search(folded):
                seen.append(group)
        return seen

    def expand(self, text: str) -> list[str]:
        """Terms of the groups `text` mentions that `text` does not already contain."""
        folded = fold(text)
        out: dict[str, str] = {}
        for group in self.groups(text):
            for term in self.entries[group]:
                key = fold(term)
                if key not in folded and key not in out:
                    out[key] = term
        return list(out.values())

    def place_mentions(self, folded: str) -> list[tuple[int, int]]:
        """(place group, start offset) of every place named in already folded text."""
        return [
            (group, match.start())
            for pattern, group in self._patterns
            if group in self.places
            for match in pattern.finditer(folded)
        ]

    def places_in(self, text: str) -> set[int]:
        """The places `text` names, as entry indices (so 香港, HK and Hong Kong are one)."""
        return {g for g in self.groups(text) if g in self.places}

    def bridge(self, text: str) -> list[str]:
        """One name, in the other language, for each group `text` mentions: what the dense
        models cannot know (高才通 is the Top Talent Pass Scheme), kept to one name a group
        because every added token lengthens the query encode."""
        chinese = is_chinese(text)
        folded = fold(text)
        out = []
        for group in self.groups(text):
            names = [
                t for t in self.entries[group]
                if bool(HAN.search(t)) != chinese and fold(t) not in folded
            ]  # fmt: skip
            if names:
                out.append(names[0])
        return out


@cache
def default_glossary() -> Glossary:
    return Glossary.load()
