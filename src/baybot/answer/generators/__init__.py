"""Generator backends, found by name in the plugin registry (plugins.GENERATORS): the built-ins
register here, other packages under the entry point group `baybot.generators` (a callable
taking Settings and returning a Generator)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from baybot.answer.generators.base import (
    GenerationRequest,
    Generator,
    PassageSelector,
    QuestionRewriter,
)
from baybot.config import Settings
from baybot.errors import GenerationError
from baybot.plugins import GENERATORS
from baybot.types import Passage, Sentence

ENTRY_POINT_GROUP = GENERATORS.group

GENERATORS.register("extractive", "baybot.answer.generators.extractive:ExtractiveGenerator")
GENERATORS.register("openai", "baybot.answer.generators.openai:OpenAIGenerator")
GENERATORS.register("llamacpp", "baybot.answer.generators.llamacpp:LlamaCppGenerator")

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


def available_generators() -> list[str]:
    """Built-in names first, then installed plugins."""
    return GENERATORS.names()


@cache
def load_generator(name: str, settings: Settings) -> Generator:
    """The backend called `name`, configured by `settings`; one instance per pair."""
    if name not in GENERATORS:
        raise GenerationError(
            f"unknown generator {name!r}; available: {', '.join(available_generators())}"
        )
    try:
        factory: Callable[[Settings], Generator] = GENERATORS.load(name)
    except ImportError as exc:
        extra = {"llamacpp": " (pip install 'baybot[llamacpp]')"}.get(name, "")
        raise GenerationError(f"generator {name!r} cannot be loaded: {exc}{extra}") from exc
    generator = factory(settings)
    if not isinstance(generator, Generator):
        raise GenerationError(f"generator {name!r} does not implement the Generator protocol")
    return generator
