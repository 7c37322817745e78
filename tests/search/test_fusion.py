from __future__ import annotations

import math

import numpy as np
import pytest

from baybot.search.fusion import Ranking, rrf, zscore


def ranking(rows: list[int], scores: list[float], weight: float = 1.0, name: str = "r") -> Ranking:
    return Ranking(name, weight, np.array(rows, dtype=np.int64), np.array(scores, dtype=np.float32))


def as_dict(result: tuple[np.ndarray, np.ndarray]) -> dict[int, float]:
    rows, scores = result
    return dict(zip(rows.tolist(), scores.tolist(), strict=True))


# --- zscore ---------------------------------------------------------------------------------


def test_zscore_of_one_ranking_is_its_standard_scores() -> None:
    rows, scores = zscore([ranking([5, 6, 7], [3.0, 1.0, 2.0])])
    # mean 2, population sd sqrt(2/3)
    sd = math.sqrt(2 / 3)
    assert rows.tolist() == [5, 7, 6]
    assert scores == pytest.approx([1 / sd, 0.0, -1 / sd])


def test_zscore_is_invariant_to_each_retrievers_scale() -> None:
    a = ranking([0, 1, 2, 3], [0.52, 0.50, 0.51, 0.49])
    b = ranking([0, 1, 2, 3], [10.0, 80.0, 30.0, 0.0])
    rescaled = ranking([0, 1, 2, 3], [0.52 * 1000 + 7, 0.50 * 1000 + 7, 0.51 * 1000 + 7, 497.0])
    left, right = zscore([a, b]), zscore([rescaled, b])
    assert left[0].tolist() == right[0].tolist()
    assert left[1] == pytest.approx(right[1], abs=1e-4)


def test_a_narrow_range_counts_as_much_as_a_wide_one() -> None:
    """Raw scores would let the wide retriever decide alone; standardised, both count equally."""
    narrow = ranking([0, 1], [0.51, 0.50], name="narrow")
    wide = ranking([0, 1], [0.0, 100.0], name="wide")
    fused = as_dict(zscore([narrow, wide]))
    assert fused[0] == pytest.approx(fused[1])


def test_zscore_weights_decide_between_disagreeing_retrievers() -> None:
    rows_a, _ = zscore([ranking([0, 1, 2], [3, 2, 1], 2.0), ranking([0, 1, 2], [2, 3, 1], 1.0)])
    rows_b, _ = zscore([ranking([0, 1, 2], [3, 2, 1], 1.0), ranking([0, 1, 2], [2, 3, 1], 2.0)])
    assert rows_a[0] == 0
    assert rows_b[0] == 1


def test_zscore_weight_scales_the_contribution() -> None:
    one = as_dict(zscore([ranking([0, 1, 2], [3, 1, 2], 1.0)]))
    three = as_dict(zscore([ranking([0, 1, 2], [3, 1, 2], 3.0)]))
    for row, score in one.items():
        assert three[row] == pytest.approx(3 * score)


def test_zscore_ranking_with_weight_zero_has_no_effect() -> None:
    a = ranking([0, 1, 2, 3], [0.9, 0.1, 0.5, 0.3])
    ignored = ranking([0, 1, 2, 3], [0.0, 100.0, 50.0, 75.0], weight=0.0)
    rows, scores = zscore([a, ignored])
    alone_rows, alone_scores = zscore([a])
    assert rows.tolist() == alone_rows.tolist()
    assert scores == pytest.approx(alone_scores)


def test_zscore_rows_of_a_weight_zero_ranking_are_not_added() -> None:
    a = ranking([0, 1, 2], [0.9, 0.1, 0.5])
    ignored = ranking([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], weight=0.0)
    rows, _ = zscore([a, ignored])
    assert sorted(rows.tolist()) == [0, 1, 2]


def test_zscore_keeps_a_row_only_one_retriever_returned() -> None:
    a = ranking([0, 1, 2], [3.0, 2.0, 1.0], name="a")
    b = ranking([2, 3], [1.0, 0.0], name="b")
    fused = as_dict(zscore([a, b]))
    assert set(fused) == {0, 1, 2, 3}
    # A missing row gets that retriever's lowest standardised score:
    # a: z = (+1.2247, 0, -1.2247) for rows 0, 1, 2 (row 3 gets -1.2247)
    # b: z = (+1, -1) for rows 2, 3 (rows 0 and 1 get -1)
    za = 1 / math.sqrt(2 / 3)
    assert fused[0] == pytest.approx(za - 1)
    assert fused[1] == pytest.approx(0 - 1)
    assert fused[2] == pytest.approx(-za + 1)
    assert fused[3] == pytest.approx(-za - 1)
    assert list(fused) == [0, 2, 1, 3]


def test_zscore_output_is_sorted_best_first() -> None:
    rng = np.random.default_rng(7)
    rankings = [
        Ranking("a", 1.0, rng.choice(200, 50, replace=False), rng.normal(size=50)),
        Ranking("b", 0.5, rng.choice(200, 80, replace=False), rng.normal(5, 3, size=80)),
    ]
    rows, scores = zscore(rankings)
    assert np.all(np.diff(scores) <= 0)
    assert len(set(rows.tolist())) == len(rows)
    assert set(rows.tolist()) == set(rankings[0].rows.tolist()) | set(rankings[1].rows.tolist())


def test_zscore_constant_scores_give_zeros_not_nan() -> None:
    rows, scores = zscore([ranking([3, 1, 2], [0.7, 0.7, 0.7])])
    assert sorted(rows.tolist()) == [1, 2, 3]
    assert np.all(scores == 0)
    _, single = zscore([ranking([9], [0.4])])
    assert single.tolist() == [0.0]


def test_zscore_of_nothing() -> None:
    rows, scores = zscore([])
    assert len(rows) == 0 and len(scores) == 0
    rows, scores = zscore([ranking([], [])])
    assert len(rows) == 0 and len(scores) == 0


def test_zscore_ignores_an_empty_ranking_next_to_others() -> None:
    a = ranking([0, 1, 2], [0.9, 0.1, 0.5])
    rows, scores = zscore([a, ranking([], [], name="empty")])
    alone_rows, alone_scores = zscore([a])
    assert rows.tolist() == alone_rows.tolist()
    assert scores == pytest.approx(alone_scores)


# --- rrf ------------------------------------------------------------------------------------


def test_rrf_sums_reciprocal_ranks() -> None:
    a = ranking([10, 20, 30], [3.0, 2.0, 1.0])
    b = ranking([30, 20], [5.0, 4.0])
    rows, scores = rrf([a, b], k=60)
    # 10: 1/61; 20: 1/62 + 1/62; 30: 1/63 + 1/61
    assert rows.tolist() == [30, 20, 10]
    assert scores == pytest.approx([1 / 63 + 1 / 61, 2 / 62, 1 / 61])


def test_rrf_ranks_by_score_not_by_input_order() -> None:
    rows, scores = rrf([ranking([1, 2, 3], [0.1, 0.9, 0.5])], k=0)
    assert rows.tolist() == [2, 3, 1]
    assert scores == pytest.approx([1.0, 1 / 2, 1 / 3])


def test_rrf_ignores_score_magnitudes() -> None:
    a = rrf([ranking([1, 2, 3], [0.3, 0.2, 0.1]), ranking([3, 1], [2.0, 1.0])])
    b = rrf([ranking([1, 2, 3], [300, 2, 1]), ranking([3, 1], [2e6, -5])])
    assert a[0].tolist() == b[0].tolist()
    assert a[1] == pytest.approx(b[1])


def test_rrf_weights() -> None:
    a = ranking([10, 20, 30], [3.0, 2.0, 1.0], weight=2.0)
    b = ranking([30, 20], [5.0, 4.0])
    rows, scores = rrf([a, b], k=60)
    # 10: 2/61; 20: 2/62 + 1/62; 30: 2/63 + 1/61
    assert rows.tolist() == [20, 30, 10]
    assert scores == pytest.approx([3 / 62, 2 / 63 + 1 / 61, 2 / 61])


def test_rrf_weight_zero_is_ignored_entirely() -> None:
    a = ranking([1, 2], [1.0, 0.5])
    ignored = ranking([3, 2, 1], [9.0, 8.0, 7.0], weight=0.0)
    rows, scores = rrf([a, ignored])
    assert rows.tolist() == [1, 2]
    assert scores == pytest.approx([1 / 61, 1 / 62])


def test_rrf_of_nothing() -> None:
    rows, scores = rrf([])
    assert len(rows) == 0 and len(scores) == 0
