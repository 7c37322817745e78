"""The cross-encoder path, proven with a cross-encoder built here from the packaged MiniLM
weights (its scoring head is untrained): this shows loading and reordering, not quality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from baybot import Retriever
from baybot.app.wiring import build_retriever
from baybot.errors import ModelUnavailableError
from baybot.index.embedders import resolve_model
from baybot.search.rerank import CrossEncoderReranker


@pytest.fixture(scope="module")
def local_cross_encoder(tmp_path_factory) -> Path:
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(0)
    _, minilm = resolve_model("all-MiniLM-L6-v2")
    folder = tmp_path_factory.mktemp("cross-encoder") / "minilm-ce"
    CrossEncoder(minilm, num_labels=1, device="cpu").save(str(folder))
    return folder


def test_reranker_loads_a_local_folder_and_scores_pairs(local_cross_encoder) -> None:
    reranker = CrossEncoderReranker(str(local_cross_encoder))
    scores = reranker.score("Top Talent Pass", ["annual income", "youth employment", "tax"])
    assert scores.shape == (3,) and np.isfinite(scores).all() and len(set(scores.tolist())) == 3
    assert reranker.score("q", []).shape == (0,)


def test_retriever_orders_candidates_by_the_cross_encoder(full_settings, local_cross_encoder):
    settings = full_settings.model_copy(
        update={"rerank_model": str(local_cross_encoder), "rerank_candidates": 8}
    )
    plain = build_retriever(full_settings)
    reranked = build_retriever(settings)
    query = "Who can apply for the Top Talent Pass Scheme?"
    before = plain.search(query, k=8)
    after = reranked.search(query, k=8)
    assert {h.chunk_id for h in after} == {h.chunk_id for h in before}
    expected = reranked.reranker.score(
        query, [reranked.index.chunks[_row(reranked, h.chunk_id)].embedding_text for h in before]
    )
    assert [h.chunk_id for h in after] == [before[i].chunk_id for i in np.argsort(-expected)]
    assert [h.score for h in after] == sorted((h.score for h in after), reverse=True)
    assert [h.chunk_id for h in after] != [h.chunk_id for h in before]


def _row(retriever: Retriever, chunk_id: str) -> int:
    return next(i for i, c in enumerate(retriever.index.chunks) if c.id == chunk_id)


def test_hub_model_offline_is_a_clear_error(network_attempts) -> None:
    reranker = CrossEncoderReranker("cross-encoder/no-such-model-here", offline=True)
    with pytest.raises(ModelUnavailableError, match="offline"):
        reranker.score("q", ["t"])
    assert network_attempts == []
