"""Answerability per slot: the shape an answer to each kind of question takes in text."""

from __future__ import annotations

import pytest

from baybot.answer.evidence.slots import holds, missing

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("fee", "The application fee is HK$230."),
        ("fee", "申請費用為港幣230元。"),
        ("age", "Participants must be aged 18 to 29."),
        ("age", "参加者须年满18岁。"),
        ("duration", "The first visa is valid for 24 months."),
        ("duration", "首次签证有效期为两年。"),
        ("date", "Applications close on 31 March 2025."),
        ("contact", "Call the hotline on 2824 6111 or write to enquiry@example.gov.hk."),
        ("amount", "The subsidy is RMB 5,000 a month."),
        ("number", "About 1,200 applications were approved."),
    ],
)
def test_a_sentence_with_the_fact_holds_the_slot(slot: str, text: str) -> None:
    assert holds(slot, text)


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("fee", "Applicants must hold a recognised degree."),
        # An amount that is not a fee: an income bar does not answer "how much is the fee".
        ("fee", "Applicants must have earned HK$2.5 million in the year before applying."),
        ("fee", "申請人上一年的年收入須達港幣250萬元。"),
        ("age", "The scheme supports young graduates."),
        ("contact", "Applications are assessed on merit."),
        ("date", "The subsidy is paid monthly."),
    ],
)
def test_a_related_sentence_without_the_fact_does_not(slot: str, text: str) -> None:
    assert not holds(slot, text)


def test_missing_lists_only_unheld_slots() -> None:
    texts = ["The permit costs HK$230.", "It is valid for one year."]
    assert missing({"fee", "duration", "age"}, texts) == ("age",)
    assert missing({"list"}, texts) == ()  # a slot without a shape is never missing
