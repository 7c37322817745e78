"""Whole answer units: a list item with its lead-in, a table row with its headers, a pronoun
with what it points back to; headings and pointers elsewhere are not answers."""

from __future__ import annotations

import pytest

from baybot.answer.units import (
    is_heading,
    is_list_line,
    is_meta,
    lead_in,
    leans_back,
    render_row,
    table_header,
    whole_sentence,
)

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`

TABLE = (
    "Fees by permit type:\n\n"
    "| Permit | Fee | Valid for |\n"
    "|---|---|---|\n"
    "| Single entry | HK$230 | 3 months |\n"
    "| Multiple entry | HK$460 | 1 year |\n"
)
LIST = "Applicants must:\n- hold a degree;\n- have two years of work experience.\n"


@pytest.mark.parametrize("text", ["补贴标准：", "Eligibility:", "## How to apply", "申請資格:"])
def test_headings_are_recognised(text: str) -> None:
    assert is_heading(text)


@pytest.mark.parametrize(
    "text",
    [
        "The subsidy is RMB 3,000 a month.",
        "补贴标准为每月3000元。",
        "| A | B |",
        "The highest possible total was 180 points:",
        "补贴上限为每年5,000元：",
    ],
)
def test_sentences_with_content_are_not_headings(text: str) -> None:
    assert not is_heading(text)


@pytest.mark.parametrize(
    "text",
    [
        "For the fee schedule, see the separate note on charges.",
        "具体办法详见附件。",
        "This page summarises the three rounds of the scheme.",
    ],
)
def test_pointers_elsewhere_are_meta(text: str) -> None:
    assert is_meta(text)


def test_a_plain_rule_is_not_meta() -> None:
    assert not is_meta("Applicants must be 18 to 29 years old.")


@pytest.mark.parametrize(
    "text",
    [
        "They must apply within 30 days.",
        "This applies from 2024.",
        "该补贴按月发放。",
        "其有效期为两年。",
    ],
)
def test_pronoun_openings_lean_back(text: str) -> None:
    assert leans_back(text)


def test_a_sentence_naming_its_subject_does_not_lean_back() -> None:
    assert not leans_back("The Labour Department approves the quota.")
    assert not leans_back("Theodore Lee chaired the meeting.")


def test_table_row_gets_its_headers_as_pairs() -> None:
    row_start = TABLE.index("| Multiple")
    header = table_header(TABLE, row_start)
    assert header == ["Permit", "Fee", "Valid for"]
    row = TABLE[row_start : TABLE.index("\n", row_start)]
    assert render_row(row, header) == "Permit: Multiple entry; Fee: HK$460; Valid for: 1 year"


def test_a_row_without_headers_is_joined_plainly() -> None:
    assert render_row("| A | B |", []) == "A – B"


def test_list_item_finds_its_lead_in() -> None:
    start = LIST.index("- have")
    assert is_list_line(LIST, start)
    assert lead_in(LIST, start) == "Applicants must:"


def test_no_lead_in_when_the_line_above_is_prose() -> None:
    text = "The scheme started in 2023.\n- first item\n- second item\n"
    assert lead_in(text, text.index("- second")) is None


@pytest.mark.parametrize("text", ["Step 1:", "2025年标准：", "Rates from 2024:"])
def test_a_heading_with_only_a_year_or_a_step_number_is_still_a_heading(text: str) -> None:
    assert is_heading(text)


CLAUSES = "名额几经调整：2019年为500个；2021年增至800个；2024年起不设上限。\n下一行。"


@pytest.mark.parametrize("clause", ["2019年为500个；", "2021年增至800个；", "2024年起不设上限。"])
def test_a_chinese_clause_is_quoted_as_its_whole_sentence(clause: str) -> None:
    start = CLAUSES.index(clause)
    whole = CLAUSES[: CLAUSES.index("\n")]
    first = CLAUSES.index("2019")
    if clause.startswith("2019"):
        assert whole_sentence(CLAUSES, start, start + len(clause)) == (first, len(whole))
    else:
        span = whole_sentence(CLAUSES, start, start + len(clause))
        assert CLAUSES[span[0] : span[1]].endswith("不设上限。") and span[0] <= start


def test_a_sentence_without_semicolons_stays_as_it_is() -> None:
    text = "首句。第二句说明条件。"
    start = text.index("第二句")
    assert whole_sentence(text, start, len(text)) == (start, len(text))


def test_a_too_long_sentence_keeps_the_clause_alone() -> None:
    text = "甲；" + "乙" * 500 + "。"
    assert whole_sentence(text, 0, 2) == (0, 2)
