"""How the stages join: the one place that opens the index (building or updating it first when
`auto_update` is on), loads the models once and warms them, for every front end (CLI, REST,
chat, benchmarks)."""

from __future__ import annotations

from collections.abc import Sequence

from baybot.answer.assistant import Assistant
from baybot.config import Settings
from baybot.index.embedders import load_embedders
from baybot.index.embedders.base import Embedder
from baybot.index.ingest import ingest
from baybot.index.vector_cache import open_cache
from baybot.search.retriever import Retriever
from baybot.timing import Progress, Step


def build_retriever(
    settings: Settings,
    *,
    embedders: Sequence[Embedder] | None = None,
    progress: Progress | None = None,
) -> Retriever:
    """A Retriever over the index of `settings`, first building or updating it when
    `auto_update` is on (the models are loaded once for both)."""
    if progress:
        progress.step(Step.MODELS, ", ".join(settings.embedding_models))
    embedders = list(embedders) if embedders else load_embedders(settings)
    if settings.auto_update:
        ingest(settings, embedders=embedders, progress=progress)
    if progress:
        progress.step(Step.OPENING, str(settings.index_dir))
    return Retriever.from_settings(settings, embedders=embedders)


def build_assistant(
    settings: Settings,
    *,
    embedders: Sequence[Embedder] | None = None,
    progress: Progress | None = None,
) -> Assistant:
    """An Assistant with its retriever and the corpus sentences' vectors ready (reusing
    `embedders` when given, as a server switching index versions does)."""
    retriever = build_retriever(settings, embedders=embedders, progress=progress)
    assistant = Assistant(retriever, settings)
    with open_cache(settings.cache_dir, settings.vector_cache, settings.seed_vectors) as cache:
        assistant.evidence.prepare(cache, progress)
    if progress:
        progress.close()
    return assistant
