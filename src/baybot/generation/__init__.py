"""Generator backends, found by name: built-ins here, others through the entry point group
`baybot.generators` (an entry point names a callable taking Settings and returning a Generator).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points

from ..config import Settings
from .base import (
    GenerationError,
    GenerationRequest,
    Generator,
    Passage,
    PassageSelector,
    QuestionRewriter,
    Sentence,
)

ENTRY_POINT_GROUP = "baybot.generators"

_BUILTIN = {
    "extractive": "baybot.generation.extractive:ExtractiveGenerator",
    "openai": "baybot.generation.openai_compat:OpenAIGenerator",
    "llamacpp": "baybot.generation.llamacpp:LlamaCppGenerator",
}

__all__ = [
    "ENTRY_POINT_GROUP",
    "GenerationError",
    "GenerationRequest",
    "Generator",
    "Passage",
    "PassageSelector",
    "QuestionRewriter",
    "Sentence",
    "available_generators",
    "load_generator",
]


def _plugins() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_generators() -> list[str]:
    """Built-in names first, then installed plugins."""
    return [*_BUILTIN, *(n for n in sorted(_plugins()) if n not in _BUILTIN)]


def _resolve(target: str) -> Callable[[Settings], Generator]:
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)  # type: ignore[no-any-return]


@cache
def load_generator(name: str, settings: Settings) -> Generator:
    """The backend called `name`, configured by `settings`; one instance per pair."""
    target = _BUILTIN.get(name) or _plugins().get(name)
    if target is None:
        raise GenerationError(
            f"unknown generator {name!r}; available: {', '.join(available_generators())}"
        )
    try:
        factory = _resolve(target)
    except ImportError as exc:
        extra = {"llamacpp": " (pip install 'baybot[llamacpp]')"}.get(name, "")
        raise GenerationError(f"generator {name!r} cannot be loaded: {exc}{extra}") from exc
    generator = factory(settings)
    if not isinstance(generator, Generator):
        raise GenerationError(f"generator {name!r} does not implement the Generator protocol")
    return generator
