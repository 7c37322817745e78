"""Twins: the same notice in two languages, told apart from another notice on the scheme."""

from __future__ import annotations

import pytest

from baybot.answer.evidence.twins import find_twins
from baybot.types import Document

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def test_a_translation_with_the_same_figures_is_a_twin_and_a_summary_is_not() -> None:
    en = Document(
        "notice",
        "Notice",
        "Opened on 28 December 2022; 24 months; HK$2,500,000; 1,200 places.",
        schemes=("Scheme X",),
    )
    zh = Document("notice.zh", "通知", "2022年12月28日推出；24個月；港幣2500000元；1200個名額。",
                  language="zh-Hant", schemes=("Scheme X",))  # fmt: skip
    stats = Document("stats", "Statistics", "In 2024, 80,000 applications; 65,000 approved.",
                     schemes=("Scheme X",))  # fmt: skip
    other = Document(
        "other.zh", "其他", "2022年12月28日；24個月。", language="zh-Hant", schemes=("Scheme Y",)
    )
    twins = find_twins({d.id: d for d in (en, zh, stats, other)})
    assert twins["notice"] == ("notice.zh",) and twins["notice.zh"] == ("notice",)
    assert "stats" not in twins and "other.zh" not in twins
