"""The refusal model reads support on the right scale: the multilingual model scores Chinese
questions lower, so "low" means low for the languages involved, not low overall."""

from __future__ import annotations

import pytest

from baybot.answer.evidence.refusal import (
    FEATURES,
    LOW_SUPPORT_MARGIN,
    RefusalModel,
    low_support,
    support_group,
)

pytestmark = pytest.mark.unit


def test_both_chinese_scripts_share_one_scale_and_english_has_its_own() -> None:
    assert support_group("zh-Hant") == support_group("zh-Hans") == "zh"
    assert support_group("en") == "en"


def test_low_support_starts_below_the_line_and_grows_as_support_drops() -> None:
    centre = 0.85
    assert low_support(centre, centre) == 0.0
    assert low_support(centre - LOW_SUPPORT_MARGIN, centre) == 0.0
    assert 0.0 < low_support(centre - 0.03, centre) < low_support(centre - 0.06, centre)


def test_the_same_similarity_is_low_for_english_but_not_where_chinese_is_involved() -> None:
    model = RefusalModel.load()
    centres = dict(model.centres)
    assert centres["zh"] < centres["en"]  # fitted: Chinese questions score lower
    between = (centres["zh"] + centres["en"]) / 2
    assert model.low_support(between, "zh-Hant", "en") == 0.0
    assert model.low_support(between, "en", "zh-Hant") == 0.0  # an English question, a Chinese page
    assert model.low_support(between, "en", "en") > 0.0


def test_low_support_lowers_the_probability_of_answering() -> None:
    model = RefusalModel.load()
    typical = {name: 0.0 for name in FEATURES} | {"bias": 1.0, "support": 0.86}
    low = typical | {"low_support": 0.05}
    assert model.probability(low) < model.probability(typical)
