from __future__ import annotations

import pytest

from baybot.text.questions import (
    asks_for_comparison,
    asks_for_date,
    asks_for_list,
    asks_for_number,
    has_date,
    has_number,
)

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Which universities were added to the TTPS list?", {"list"}),
        ("高才通有哪些類別？", {"list"}),
        ("TTPS vs QMAS: which needs a job offer?", {"list", "comparison"}),
        ("How much must I earn for category A?", {"number"}),
        ("澳門人才引進計劃每年引進幾多人？", {"number"}),
        ("When does the Shenzhen filing window open?", {"date"}),
        ("律师执业试点什么时候到期？", {"date"}),
        ("What is IANG?", set()),
    ],
)
def test_question_kinds(question: str, kinds: set[str]) -> None:
    found = {
        name
        for name, test in [
            ("list", asks_for_list),
            ("comparison", asks_for_comparison),
            ("number", asks_for_number),
            ("date", asks_for_date),
        ]
        if test(question)
    }
    assert found == kinds


def test_answer_types_in_text() -> None:
    assert has_number("HK$2.5 million") and not has_number("no figure here")
    assert has_date("opened on 28 December 2022") and has_date("2024年3月1日")
    assert not has_date("a quota of 1,000 places")
