"""The extractive composer on small hand-made passages: agreement before composition, whole
units, the reader's language, newest figures with their date, comparisons side by side."""

from __future__ import annotations

import re
from datetime import date

import pytest

from baybot import Settings
from baybot.answer.analysis import analyse
from baybot.answer.evidence.agreement import CONTRADICTS, NEUTRAL
from baybot.answer.generators import GenerationRequest
from baybot.answer.generators.extractive import ExtractiveGenerator
from baybot.text.glossary import default_glossary
from baybot.types import Hit, Passage, Sentence

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def passage(n: int, doc_id: str, text: str, *, language: str = "en", title: str = "",
            published: date | None = date(2024, 6, 1)) -> Passage:  # fmt: skip
    hit = Hit(n, f"{doc_id}#{n}", doc_id, title or doc_id, 5.0 - n, text, None, published,
              language, "", 0, len(text))  # fmt: skip
    return Passage(n, hit)


def sentence(p: Passage, text: str, score: float) -> Sentence:
    start = p.text.index(text)
    return Sentence(p.n, text, start, start + len(text), score, score)


def compose(
    question: str, passages: list[Passage], sentences: list[Sentence], **extra: object
) -> str:
    analysis = analyse(question)
    request = GenerationRequest(
        question, analysis.language, tuple(passages), tuple(sentences), analysis=analysis,
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return "".join(ExtractiveGenerator(Settings()).stream(request))


def test_a_contradicting_top_document_gives_way_to_an_agreeing_one() -> None:
    wrong = passage(1, "mainland-visa", "The talent visa is valid for up to five years.")
    right = passage(2, "hk-visa", "The entry visa is granted for 24 months at first.")
    text = compose(
        "How long is the Hong Kong talent visa valid?",
        [wrong, right],
        [sentence(wrong, wrong.text, 0.9), sentence(right, right.text, 0.8)],
        agreement={"mainland-visa": CONTRADICTS, "hk-visa": NEUTRAL},
    )
    assert "24 months" in text and "five years" not in text
    assert "[2]" in text and "[1]" not in text


def test_headings_and_meta_sentences_are_never_the_answer() -> None:
    p = passage(
        1,
        "d",
        "Subsidy levels:\nSee the separate note on levels.\nThe subsidy is RMB 3,000 a month.",
    )
    text = compose(
        "How much is the subsidy?",
        [p],
        [
            sentence(p, "Subsidy levels:", 0.95),
            sentence(p, "See the separate note on levels.", 0.93),
            sentence(p, "The subsidy is RMB 3,000 a month.", 0.8),
        ],
    )
    assert text.startswith("The subsidy is RMB 3,000 a month.")
    assert "separate note" not in text


def test_a_list_item_comes_with_its_lead_in() -> None:
    p = passage(1, "d", "Applicants must:\n- hold a degree;\n- have two years of experience.")
    text = compose(
        "Which conditions must applicants meet?",
        [p],
        [
            sentence(p, "- hold a degree;", 0.9),
            sentence(p, "- have two years of experience.", 0.85),
        ],
    )
    lines = text.splitlines()
    assert lines[0] == "Applicants must: [1]"
    assert lines[1].startswith("- hold a degree") and lines[2].startswith("- have two years")


def test_a_table_row_is_given_with_its_column_headers() -> None:
    p = passage(1, "d", "| Permit | Fee |\n|---|---|\n| Multiple entry | HK$460 |")
    text = compose(
        "What is the fee for a multiple entry permit?",
        [p],
        [sentence(p, "| Multiple entry | HK$460 |", 0.9)],
    )
    assert "Permit: Multiple entry; Fee: HK$460" in text


def test_a_pronoun_sentence_brings_the_sentence_it_refers_to() -> None:
    p = passage(
        1,
        "d",
        "Graduates of the listed universities qualify for category C. They may stay for 24 months.",
    )
    first = "Graduates of the listed universities qualify for category C."
    second = "They may stay for 24 months."
    text = compose(
        "How long may they stay?",
        [p],
        [sentence(p, second, 0.9), sentence(p, first, 0.5)],
    )
    assert text.index(first) < text.index(second)


def test_a_chinese_question_answered_from_english_is_framed_in_chinese() -> None:
    p = passage(1, "d", "The subsidy is RMB 3,000 a month.")
    text = compose("補貼每月有幾多錢？", [p], [sentence(p, p.text, 0.9)])
    assert text.startswith("以下內容摘自英文資料：")
    simplified = compose("补贴每月有多少钱？", [p], [sentence(p, p.text, 0.9)])
    assert simplified.startswith("以下内容摘自英文资料：")


def test_a_chinese_twin_is_preferred_for_a_chinese_reader() -> None:
    en = passage(1, "notice", "The subsidy is RMB 3,000 a month.")
    zh = passage(2, "notice.zh", "补贴为每月人民币3,000元。", language="zh-Hans")
    text = compose(
        "补贴每月多少钱？",
        [en, zh],
        [sentence(en, en.text, 0.9), sentence(zh, zh.text, 0.88)],
        twins={"notice": ("notice.zh",)},
    )
    assert "3,000元" in text and "以下内容摘自英文资料" not in text


def test_chinese_source_text_follows_the_readers_script() -> None:
    zh = passage(1, "notice.zh", "補貼為每月人民幣3,000元。", language="zh-Hant")
    text = compose("补贴每月多少钱？", [zh], [sentence(zh, zh.text, 0.9)])
    assert "补贴为每月人民币3,000元" in text


def test_the_newest_figure_in_a_document_wins() -> None:
    p = passage(
        1,
        "stats",
        "By end-2023, 40,000 applications had been approved. "
        "By end-July 2025, 90,000 applications had been approved.",
    )
    old = "By end-2023, 40,000 applications had been approved."
    new = "By end-July 2025, 90,000 applications had been approved."
    text = compose(
        "How many applications have been approved so far?",
        [p],
        [sentence(p, old, 0.9), sentence(p, new, 0.87)],
    )
    assert text.startswith(new)


def test_a_figure_without_a_year_is_dated_by_its_source() -> None:
    p = passage(1, "d", "The quota is 10,000 places a year.", published=date(2025, 3, 1))
    text = compose("How many places are there?", [p], [sentence(p, p.text, 0.9)])
    assert "2025-03-01" in text


def test_comparison_gives_each_named_side_its_own_evidence() -> None:
    glossary = default_glossary()
    ttps, qmas = glossary.groups("TTPS")[0], glossary.groups("QMAS")[0]
    a = passage(
        1, "ttps", "The Top Talent Pass Scheme has no quota.", title="Top Talent Pass Scheme"
    )
    b = passage(
        2,
        "ttps-more",
        "Top Talent Pass Scheme visas last two years.",
        title="Top Talent Pass Scheme",
    )
    c = passage(
        3,
        "qmas",
        "The Quality Migrant Admission Scheme awards points.",
        title="Quality Migrant Admission Scheme",
    )
    text = compose(
        "How do TTPS and QMAS differ?",
        [a, b, c],
        [sentence(a, a.text, 0.9), sentence(b, b.text, 0.89), sentence(c, c.text, 0.6)],
        sides=(ttps, qmas),
    )
    assert "awards points" in text and "no quota" in text
    assert text.index("Top Talent Pass Scheme:") < text.index("Quality Migrant Admission Scheme:")


def test_every_answer_line_carries_a_citation() -> None:
    p = passage(1, "d", "Applicants must:\n- hold a degree;\n- be under 40.")
    text = compose(
        "Which conditions apply?",
        [p],
        [sentence(p, "- hold a degree;", 0.9), sentence(p, "- be under 40.", 0.89)],
    )
    for line in text.splitlines():
        if line.strip():
            assert re.search(r"\[\d+\]$", line.strip())


def test_each_part_of_a_two_part_question_gets_its_sentence() -> None:
    p = passage(
        1,
        "d",
        "Applications open on 1 March. The subsidy covers rent. Late claims close on 30 June.",
    )
    text = compose(
        "When do applications open, and when do late claims close?",
        [p],
        [
            sentence(p, "Applications open on 1 March.", 0.9),
            sentence(p, "The subsidy covers rent.", 0.85),
            sentence(p, "Late claims close on 30 June.", 0.7),
        ],
    )
    assert "1 March" in text and "30 June" in text
