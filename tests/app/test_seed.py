"""The shipped seed vectors cover the shipped corpus, so a fresh clone's first start embeds
nothing: with an empty vector cache, building every seeded configuration computes no vector
(the start reads seed hits through and writes only what it computed to the user's cache)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from baybot.app.seed import CONFIGURATIONS
from baybot.app.wiring import build_assistant
from baybot.config import Settings
from tests.conftest import CORPUS

REGENERATE = "python -m baybot.app.seed"


@pytest.mark.parametrize("models", CONFIGURATIONS, ids="+".join)
def test_the_seed_covers_every_vector_a_start_on_the_shipped_corpus_needs(
    tmp_path: Path, models: tuple[str, ...]
) -> None:
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "empty-cache",
        embedding_models=models,
        embedding_weights=(1.0,) * len(models),
    )
    assert settings.seed_vectors is not None and settings.seed_vectors.is_file(), REGENERATE
    build_assistant(settings)
    with sqlite3.connect(settings.cache_dir / "vectors.sqlite") as db:
        computed = db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    assert computed == 0, f"the seed lacks {computed} vectors: run `{REGENERATE}`"


def test_without_the_seed_the_same_start_computes_the_vectors(tmp_path: Path) -> None:
    """The check above can fail: with the seed off, vectors land in the user's cache (one
    shipped document is enough to show it)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    smallest = min(CORPUS.glob("*.md"), key=lambda p: p.stat().st_size)
    shutil.copy(smallest, corpus / smallest.name)
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "empty-cache",
        embedding_models=("all-MiniLM-L6-v2",),
        embedding_weights=(1.0,),
        seed_vectors=None,
        refusal=False,
    )
    build_assistant(settings)
    with sqlite3.connect(settings.cache_dir / "vectors.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] > 0
