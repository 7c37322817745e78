from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from baybot.errors import ModelUnavailableError
from baybot.index.embedders import SentenceTransformerEmbedder, resolve_model


def test_packaged_model_resolves_inside_site_packages() -> None:
    name, location = resolve_model("sentence-transformers/all-MiniLM-L6-v2")
    assert name == "all-MiniLM-L6-v2"
    assert "site-packages" in location and (Path(location) / "model.safetensors").is_file()


def test_embeddings_are_normalised_and_batched(embedder) -> None:
    texts = ["Top Talent Pass Scheme", "高端人才通行證計劃", "QMAS points test"] * 11
    vectors = embedder.embed_documents(texts, batch_size=4)
    assert vectors.shape == (33, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.allclose(vectors[0], vectors[3], atol=1e-5)
    assert embedder.embed_documents([]).shape == (0, 384)
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_similar_texts_score_higher(embedder) -> None:
    q = embedder.embed_query("income requirement for top talent visa")
    near, far = embedder.embed_documents(
        [
            "Category A requires an annual income of HK$2.5 million",
            "Lawyers may practise in Guangdong",
        ]
    )
    assert q @ near > q @ far


def test_token_count_uses_the_models_tokenizer(embedder) -> None:
    assert embedder.max_tokens == 256
    assert embedder.count_tokens("") == 2
    assert embedder.count_tokens("高才通") == 5


def test_local_model_folder_is_accepted(embedder) -> None:
    _, location = resolve_model("all-MiniLM-L6-v2")
    local = SentenceTransformerEmbedder(location)
    assert local.name == location
    assert np.allclose(local.embed_query("QMAS"), embedder.embed_query("QMAS"), atol=1e-5)


def test_unknown_hub_model_offline_is_a_clear_error(tmp_path, monkeypatch, network_attempts):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    model = SentenceTransformerEmbedder("no-such-org/no-such-model", offline=True)
    with pytest.raises(ModelUnavailableError, match="no-such-org/no-such-model.*offline"):
        _ = model.dimension
    assert network_attempts == []


def test_repeated_queries_come_from_the_cache_identical_and_read_only(counting_embedder):
    from baybot.index.embedders import CachedQueries

    cached = CachedQueries(counting_embedder, size=2)
    first = cached.embed_query("What is QMAS?")
    again = cached.embed_query("What is QMAS?")
    assert again is first and cached.hits == 1 and cached.misses == 1
    assert np.array_equal(first, counting_embedder.embed_query("What is QMAS?"))
    assert not first.flags.writeable
    cached.embed_query("a")
    cached.embed_query("b")  # evicts the least recently used
    cached.embed_query("What is QMAS?")
    assert cached.misses == 4
