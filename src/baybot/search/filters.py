"""Metadata filters: which documents a search may return, checked against what the index holds.

A value nobody in the index carries is an error that lists the values that exist, never a
silently empty result. Names match case-insensitively and through the glossary, so
`--region HK`, `--region 香港` and `--region "hong kong"` are the same filter.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from baybot.errors import QueryError
from baybot.text.glossary import default_glossary
from baybot.text.language import LANGUAGES, fold, normalise_language
from baybot.types import Document


@dataclass(frozen=True)
class Filters:
    """Any-of within a field, all-of across fields; empty means no restriction."""

    region: tuple[str, ...] = ()
    scheme: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    since: date | None = None

    def __bool__(self) -> bool:
        return bool(self.region or self.scheme or self.language or self.since)

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None) -> Filters:
        """From the REST/CLI shape: strings or lists of strings, `since` as an ISO date."""
        if not data:
            return cls()
        unknown = set(data) - {"region", "scheme", "language", "since"}
        if unknown:
            raise QueryError(
                f"unknown filter {sorted(unknown)}; use region, scheme, language or since"
            )

        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key)
            if value is None:
                return ()
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list | tuple) or not all(
                isinstance(v, str) and v.strip() for v in values
            ):
                raise QueryError(f"filter {key!r} must be a string or a list of strings")
            return tuple(v.strip() for v in values)

        since = data.get("since")
        if isinstance(since, datetime):
            since = since.date()
        if since is not None and not isinstance(since, date):
            try:
                since = date.fromisoformat(str(since))
            except ValueError as exc:
                raise QueryError(
                    f"filter 'since' must be a date like 2024-01-31: {since!r}"
                ) from exc
        return cls(strings("region"), strings("scheme"), strings("language"), since)

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": list(self.region),
            "scheme": list(self.scheme),
            "language": list(self.language),
            "since": self.since.isoformat() if self.since else None,
        }


def _aliases(value: str) -> set[str]:
    """The folded value and every glossary name for the same thing."""
    names = {fold(value)}
    glossary = default_glossary()
    for group in glossary.groups(value):
        entry = glossary.entries[group]
        if any(fold(term) == fold(value) for term in entry):
            names.update(fold(term) for term in entry)
    return names


def _mentions(name: str, candidates: set[str]) -> bool:
    """`name` equals a candidate or contains it as whole words."""
    return any(
        c == name or re.search(rf"(?<![a-z0-9]){re.escape(c)}(?![a-z0-9])", name)
        for c in candidates
    )


def _unknown(kind: str, value: str, known: Iterable[str]) -> QueryError:
    known = sorted(set(known))
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    if close:
        return QueryError(f"unknown {kind} {value!r}; did you mean {', '.join(map(repr, close))}?")
    if not known:
        return QueryError(f"unknown {kind} {value!r}: no indexed document has a {kind}")
    listing = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
    return QueryError(f"unknown {kind} {value!r}; known: {listing}")


def latest_date(document: Document) -> date | None:
    """When a document was last touched: its update date, else its publication date."""
    return max((d for d in (document.published, document.updated) if d), default=None)


def allowed_documents(filters: Filters, documents: Mapping[str, Document]) -> set[str]:
    """Ids of the documents that pass; raises QueryError for a value no document has."""
    allowed = set(documents)
    if filters.region:
        regions = {d.region for d in documents.values() if d.region}
        wanted: set[str] = set()
        for value in filters.region:
            names = _aliases(value)
            hits = {r for r in regions if fold(r) in names}
            if not hits:
                raise _unknown("region", value, regions)
            wanted |= hits
        allowed &= {i for i, d in documents.items() if d.region in wanted}
    if filters.scheme:
        matched: set[str] = set()
        for value in filters.scheme:
            names = _aliases(value)
            hits = {
                i for i, d in documents.items() if any(_mentions(fold(s), names) for s in d.schemes)
            }
            if not hits:
                raise _unknown("scheme", value, (s for d in documents.values() for s in d.schemes))
            matched |= hits
        allowed &= matched
    if filters.language:
        languages: set[str] = set()
        for value in filters.language:
            if value.strip().lower() == "zh":
                languages |= {"zh-Hant", "zh-Hans"}
            elif (tag := normalise_language(value)) is not None:
                languages.add(tag)
            else:
                raise QueryError(
                    f"unknown language {value!r}; use zh or one of {', '.join(LANGUAGES)}"
                )
        allowed &= {i for i, d in documents.items() if d.language in languages}
    if filters.since:
        allowed &= {
            i for i, d in documents.items() if (day := latest_date(d)) and day >= filters.since
        }
    return allowed
