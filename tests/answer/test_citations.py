from __future__ import annotations

from datetime import date

import pytest

from baybot.answer.citations import check_citations
from baybot.types import Hit, Passage

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def passage(n: int, text: str, doc_id: str = "doc") -> Passage:
    hit = Hit(
        rank=n,
        chunk_id=f"{doc_id}-{n}",
        doc_id=f"{doc_id}-{n}",
        title=f"Title {n}",
        score=1.0,
        text=text,
        url=f"https://example.org/{n}",
        published=date(2024, 1, n),
        language="en",
        section="",
        start=0,
        end=len(text),
    )
    return Passage(n, hit, issuer="Labour Department")


PASSAGES = [
    passage(1, "The minimum salary is HK$18,000 a month. Employers get HK$10,000 a month."),
    passage(2, "The scheme started in January 2021. It was made permanent in March 2023."),
]


def test_markers_naming_no_passage_are_removed():
    checked = check_citations(
        "The minimum salary is HK$18,000 a month [1][7]. It began in 2021 [9].", PASSAGES
    )
    assert "[7]" not in checked.text and "[9]" not in checked.text
    assert "[1]" in checked.text
    assert set(checked.removed_markers) == {"[7]", "[9]"}
    assert [c.n for c in checked.citations] == [1]
    assert checked.uncited == ("It began in 2021.",)


def test_grouped_markers_and_quotes_are_exact_sentences():
    checked = check_citations(
        "Employers receive HK$10,000 monthly [1, 2]. The scheme became permanent in 2023 [2].",
        PASSAGES,
    )
    by_n = {c.n: c for c in checked.citations}
    assert by_n[1].quote == "Employers get HK$10,000 a month."
    assert by_n[2].quote == "It was made permanent in March 2023."
    for c in checked.citations:
        for start, end in c.spans:
            assert c.passage[start:end].strip() in c.quote
    assert by_n[1].issuer == "Labour Department" and by_n[1].url == "https://example.org/1"
    assert checked.supported and not checked.uncited


def test_an_answer_without_valid_citations_is_unsupported():
    checked = check_citations("Salaries are high [3]. Apply online.", PASSAGES)
    assert not checked.supported
    assert checked.citations == ()
    assert len(checked.uncited) == 2


def test_citing_a_passage_the_backend_was_not_shown_is_removed():
    checked = check_citations("It was made permanent in 2023 [2].", PASSAGES, given=(1,))
    assert checked.citations == () and checked.removed_markers == ("[2]",)


def test_chinese_answers_and_fullwidth_markers():
    zh = [passage(1, "最低月薪為18,000港元。僱主每月可獲津貼10,000港元。")]
    checked = check_citations("僱主每月可獲津貼10,000港元【1】。", zh)
    assert [c.n for c in checked.citations] == [1]
    assert "10,000" in checked.citations[0].quote
