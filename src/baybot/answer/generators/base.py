"""What every generator backend sees and promises: numbered passages in, answer text out.

A backend only writes text. Retrieval, the evidence check, the citation check and refusals
happen around it (assistant.py), so a new backend cannot skip them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from baybot.types import Passage, Sentence

if TYPE_CHECKING:
    from baybot.answer.analysis import QuestionAnalysis

# The best-retrieved documents an answer may quote from: the extractive backend picks among
# them, and the evidence check asks whether they name the places a question names.
QUOTABLE_DOCUMENTS = 3


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a backend may use. `question` is standalone (follow-ups already rewritten)."""

    question: str
    language: str
    passages: tuple[Passage, ...]
    sentences: tuple[Sentence, ...] = ()
    history: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    analysis: QuestionAnalysis | None = None  # of the question as asked (analysis.py)
    agreement: Mapping[str, int] = field(default_factory=dict)  # doc id -> agreement verdict
    sides: tuple[int, ...] = ()  # glossary groups a comparison sets side by side
    twins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # reader-language versions


@runtime_checkable
class Generator(Protocol):
    """A backend: streams the answer text, citing passages as [n]."""

    name: str

    def stream(self, request: GenerationRequest) -> Iterator[str]: ...


@runtime_checkable
class QuestionRewriter(Protocol):
    """Optional: a backend with a language model rewrites follow-ups into standalone questions."""

    def rewrite(self, question: str, history: Sequence[Mapping[str, Any]]) -> str: ...


@runtime_checkable
class PassageSelector(Protocol):
    """Optional: a backend that shows its model only some passages (a prompt token budget)
    says which, so citations of passages it never showed are removed."""

    def shown(self, request: GenerationRequest) -> tuple[int, ...]: ...
