"""The places check: a question about a place that none of the documents an answer could quote
mentions (Singapore, Foshan, Antarctica) is not answered from another place's rules."""

from __future__ import annotations

from collections.abc import Sequence

from baybot.text.gazetteer import Gazetteer
from baybot.text.glossary import Glossary
from baybot.types import Passage


def missing_places(glossary: Glossary, question: str, passages: Sequence[Passage]) -> list[str]:
    """Places the question names that none of the passages mentions."""
    asked = glossary.places_in(question)
    if not asked:
        return []
    seen: set[int] = set()
    for p in passages:
        seen |= glossary.places_in(f"{p.hit.title}\n{p.hit.section}\n{p.hit.text}")
    return [glossary.entries[g][0] for g in sorted(asked - seen)]


def missing_world_places(
    gazetteer: Gazetteer, asked: Sequence[str], passages: Sequence[Passage]
) -> list[str]:
    """World places the question is about (beyond the glossary) that no passage names."""
    if not asked:
        return []
    seen: set[str] = set()
    for p in passages:
        seen |= gazetteer.named_in(f"{p.hit.title}\n{p.hit.section}\n{p.hit.text}")
    return [name for name in asked if name not in seen]
