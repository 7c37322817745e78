"""The vector index: exact below the size threshold, approximate above it, same answers."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from baybot.app.wiring import build_retriever
from baybot.errors import IndexStoreError
from baybot.index.store import IndexStore
from baybot.index.vectorstore import AnnPolicy, FaissStore, build_faiss, nlist_for, read_faiss


@pytest.fixture(scope="module")
def vectors(small_settings) -> np.ndarray:
    """Real passage vectors (multilingual-e5) of the small corpus."""
    return np.asarray(IndexStore(small_settings.index_dir).load().vectors("multilingual-e5-small"))


def test_the_index_type_follows_the_size():
    policy = AnnPolicy(threshold=1000)
    assert policy.spec(999) == "Flat"
    assert policy.spec(1000) == "IVF64,SQ8"
    assert AnnPolicy(threshold=1).spec(58) == "IVF4,SQ8"  # every list gets a few vectors
    assert AnnPolicy().spec(1_000_000) == "IVF2048,SQ8"
    assert AnnPolicy(threshold=1, factory="HNSW32,SQ8").spec(5) == "HNSW32,SQ8"
    sizes = [nlist_for(n) for n in (10, 10_000, 100_000, 1_000_000, 10**9)]
    assert sizes == sorted(sizes) and all(s & (s - 1) == 0 for s in sizes)
    assert sizes[0] == 1 and sizes[-1] == 65_536


@pytest.mark.parametrize("factory", ["IVF{nlist},SQ8", "HNSW16,SQ8", "IVF{nlist},Flat"])
def test_approximate_indexes_return_the_exact_top_hit_on_a_small_index(vectors, factory):
    exact = FaissStore(build_faiss(vectors, AnnPolicy()), vectors)
    approximate = FaissStore(build_faiss(vectors, AnnPolicy(1, factory)), vectors, breadth=64)
    assert exact.exact and not approximate.exact
    queries = vectors[:: max(1, len(vectors) // 20)]
    for query in queries:
        _, top_exact = exact.search(query, 10)
        scores, top = approximate.search(query, 10)
        assert top[0] == top_exact[0]
        assert len(set(top) & set(top_exact)) >= 8
        assert np.all(np.diff(scores) <= 1e-6)


def test_filters_apply_inside_approximate_search(vectors):
    store = FaissStore(build_faiss(vectors, AnnPolicy(1)), vectors, breadth=64)
    allowed = np.arange(1, len(vectors), 3, dtype=np.int64)
    _, ids = store.search(vectors[0], 10, allowed)
    assert len(ids) and set(ids.tolist()) <= set(allowed.tolist())


def test_written_indexes_are_read_back_memory_mapped_with_the_same_results(vectors, tmp_path):
    index = build_faiss(vectors, AnnPolicy(1))
    faiss.write_index(index, str(tmp_path / "ivf.faiss"))
    loaded = read_faiss(tmp_path / "ivf.faiss")
    query = vectors[3].reshape(1, -1)
    assert np.array_equal(index.search(query, 5)[1], loaded.search(query, 5)[1])


def test_an_unbuildable_factory_is_a_clear_error(vectors):
    with pytest.raises(IndexStoreError, match="ann_index"):
        build_faiss(vectors, AnnPolicy(1, "IVF{nlist},PQ7"))


def test_an_index_above_the_threshold_is_built_approximate_and_answers_alike(
    make_settings, small_settings
):
    settings = make_settings(
        embedding_models=small_settings.embedding_models,
        embedding_weights=small_settings.embedding_weights,
        ann_threshold=10,
        ann_breadth=64,
    )
    approximate = build_retriever(settings)
    exact = build_retriever(small_settings)
    assert all(not s.exact for s in approximate.index.dense.values())
    assert all(s.exact for s in exact.index.dense.values())
    for question in ("GBA youth employment allowance", "高才通B類", "QMAS points test"):
        assert approximate.search(question, 1)[0].doc_id == exact.search(question, 1)[0].doc_id
