from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from baybot.index.embedders import SentenceTransformerEmbedder
from baybot.index.vector_cache import VectorCache, embed_with_cache
from tests.conftest import CountingEmbedder


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[VectorCache]:
    vectors = VectorCache(tmp_path / "nested" / "vectors.sqlite")
    yield vectors
    vectors.close()


def vectors(n: int, dimension: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dimension)).astype(np.float32)


def test_put_get_round_trip(cache: VectorCache) -> None:
    stored = vectors(3)
    cache.put("model", ["a", "b", "c"], stored)
    got = cache.get("model", ["c", "a", "b"], 4)
    assert all(v is not None for v in got)
    assert np.array_equal(np.stack(got), stored[[2, 0, 1]])  # type: ignore[arg-type]


def test_miss_returns_none(cache: VectorCache) -> None:
    cache.put("model", ["a"], vectors(1))
    got = cache.get("model", ["a", "never stored"], 4)
    assert got[0] is not None
    assert got[1] is None
    assert cache.get("model", [], 4) == []


def test_model_name_is_part_of_the_key(cache: VectorCache) -> None:
    cache.put("model-a", ["text"], vectors(1))
    assert cache.get("model-b", ["text"], 4) == [None]


def test_wrong_dimension_is_a_miss(cache: VectorCache) -> None:
    cache.put("model", ["a"], vectors(1, dimension=4))
    assert cache.get("model", ["a"], 8) == [None]
    assert cache.get("model", ["a"], 4)[0] is not None


def test_put_replaces(cache: VectorCache) -> None:
    cache.put("model", ["a"], vectors(1, seed=1))
    cache.put("model", ["a"], vectors(1, seed=2))
    assert np.array_equal(cache.get("model", ["a"], 4)[0], vectors(1, seed=2)[0])


def test_vectors_are_stored_as_float32(cache: VectorCache) -> None:
    cache.put("model", ["a"], np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float64))
    got = cache.get("model", ["a"], 4)[0]
    assert got is not None and got.dtype == np.float32
    assert got.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_many_keys_at_once(cache: VectorCache) -> None:
    """More texts than one SQL query's batch of keys."""
    texts = [f"text {i}" for i in range(1234)]
    stored = vectors(len(texts))
    cache.put("model", texts, stored)
    got = cache.get("model", texts, 4)
    assert np.array_equal(np.stack(got), stored)  # type: ignore[arg-type]


def test_cache_persists_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    first = VectorCache(path)
    first.put("model", ["a"], vectors(1))
    first.close()
    second = VectorCache(path)
    try:
        assert np.array_equal(second.get("model", ["a"], 4)[0], vectors(1)[0])
    finally:
        second.close()


def test_a_broken_cache_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    path.write_bytes(b"this is not a sqlite database" * 100)
    cache = VectorCache(path)
    try:
        assert cache.get("model", ["a"], 4) == [None]
        cache.put("model", ["a"], vectors(1))
        assert cache.get("model", ["a"], 4)[0] is not None
    finally:
        cache.close()


# --- embed_with_cache -----------------------------------------------------------------------


def test_embed_with_cache_computes_only_misses(
    counting_embedder: CountingEmbedder, embedder: SentenceTransformerEmbedder, cache: VectorCache
) -> None:
    first, computed = embed_with_cache(counting_embedder, ["alpha", "beta"], cache)
    assert computed == 2
    assert counting_embedder.embedded == ["alpha", "beta"]

    texts = ["beta", "gamma", "alpha", "delta"]
    second, computed = embed_with_cache(counting_embedder, texts, cache)
    assert computed == 2
    assert counting_embedder.embedded == ["alpha", "beta", "gamma", "delta"]
    assert second.shape == (4, embedder.dimension)
    assert second.dtype == np.float32
    np.testing.assert_allclose(second, embedder.embed_documents(texts), atol=1e-5)
    np.testing.assert_array_equal(second[[2, 0]], first)


def test_embed_with_cache_all_hits_embeds_nothing(
    counting_embedder: CountingEmbedder, cache: VectorCache
) -> None:
    embed_with_cache(counting_embedder, ["one", "two"], cache)
    counting_embedder.embedded.clear()
    out, computed = embed_with_cache(counting_embedder, ["two", "one", "two"], cache)
    assert computed == 0
    assert counting_embedder.embedded == []
    np.testing.assert_array_equal(out[0], out[2])


def test_embed_with_cache_without_a_cache(
    counting_embedder: CountingEmbedder, embedder: SentenceTransformerEmbedder
) -> None:
    texts = ["alpha", "beta"]
    out, computed = embed_with_cache(counting_embedder, texts, None)
    assert computed == 2
    again, computed = embed_with_cache(counting_embedder, texts, None)
    assert computed == 2
    assert counting_embedder.embedded == texts * 2
    np.testing.assert_allclose(out, embedder.embed_documents(texts), atol=1e-5)
    np.testing.assert_allclose(again, out, atol=1e-6)


# --- the read-only seed layer ---------------------------------------------------------------


def test_the_seed_answers_what_the_cache_lacks_and_is_never_written(tmp_path: Path) -> None:
    seed_path = tmp_path / "seed.sqlite"
    seed = VectorCache(seed_path)
    seed.put("model", ["shipped"], vectors(1, seed=1))
    seed.close()
    before = seed_path.read_bytes()
    cache = VectorCache(tmp_path / "user" / "vectors.sqlite", seed_path)
    try:
        cache.put("model", ["own"], vectors(1, seed=2))
        got = cache.get("model", ["shipped", "own", "neither"], 4)
        assert np.array_equal(got[0], vectors(1, seed=1)[0])
        assert np.array_equal(got[1], vectors(1, seed=2)[0])
        assert got[2] is None
        assert cache.get("other-model", ["shipped"], 4) == [None]
        assert cache.count_missing("model", ["shipped", "neither", "own"], 4) == 1
    finally:
        cache.close()
    assert seed_path.read_bytes() == before
    user = VectorCache(tmp_path / "user" / "vectors.sqlite")
    try:
        assert user.get("model", ["shipped"], 4) == [None]  # read through, not copied
    finally:
        user.close()


def test_the_cache_wins_over_the_seed(tmp_path: Path) -> None:
    seed = VectorCache(tmp_path / "seed.sqlite")
    seed.put("model", ["text"], vectors(1, seed=1))
    seed.close()
    cache = VectorCache(tmp_path / "vectors.sqlite", tmp_path / "seed.sqlite")
    try:
        cache.put("model", ["text"], vectors(1, seed=2))
        assert np.array_equal(cache.get("model", ["text"], 4)[0], vectors(1, seed=2)[0])
    finally:
        cache.close()


@pytest.mark.parametrize("content", [None, b"not a database" * 50])
def test_a_missing_or_broken_seed_is_ignored(tmp_path: Path, content: bytes | None) -> None:
    seed_path = tmp_path / "seed.sqlite"
    if content is not None:
        seed_path.write_bytes(content)
    cache = VectorCache(tmp_path / "vectors.sqlite", seed_path)
    try:
        assert cache.get("model", ["a"], 4) == [None]
        cache.put("model", ["a"], vectors(1))
        assert cache.get("model", ["a"], 4)[0] is not None
    finally:
        cache.close()
    if content is not None:
        assert seed_path.read_bytes() == content
