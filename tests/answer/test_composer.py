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
from baybot.answer.generators.extractive import (
    DOCUMENT_SWITCH,
    MARGIN,
    NEWEST_BONUS,
    SLOT_WINDOW,
    TYPE_BONUS,
    ExtractiveGenerator,
    _rerank,
)
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


def test_a_part_is_judged_by_its_own_words_not_the_scheme_it_shares() -> None:
    income = "Holders need HK$2.5 million of income in the year before applying."
    visa = "The first visa runs for two years."
    age = "Applicants must be aged 18 or above."
    p = passage(1, "hk-ttps", f"{income} {age} {visa}", title="Top Talent Pass Scheme")
    text = compose(
        "Top Talent Pass Scheme: what is the minimum age, and how much income is needed?",
        [p],
        [sentence(p, income, 0.95), sentence(p, visa, 0.93), sentence(p, age, 0.82)],
    )
    assert "aged 18 or above" in text and "HK$2.5 million" in text


def test_a_date_question_is_answered_by_a_sentence_holding_a_date() -> None:
    p = passage(
        1,
        "d",
        "The scheme is distinct from the corporate rate offered to firms. "
        "The scheme closes on 30 June 2028.",
    )
    topical = "The scheme is distinct from the corporate rate offered to firms."
    dated = "The scheme closes on 30 June 2028."
    # Further behind than the sentences an answer takes along, within the slot window.
    behind = (MARGIN + SLOT_WINDOW) / 2 + TYPE_BONUS
    text = compose(
        "Until when is the scheme open?",
        [p],
        [sentence(p, topical, 0.95), sentence(p, dated, 0.95 - behind)],
    )
    assert "30 June 2028" in text


def test_a_slot_holding_sentence_far_behind_does_not_displace_the_best() -> None:
    p = passage(1, "d", "The concession ends with the current plan. It was first set out in 2019.")
    best = "The concession ends with the current plan."
    text = compose(
        "Until when does the concession run?",
        [p],
        [sentence(p, best, 0.95), sentence(p, "It was first set out in 2019.", 0.6)],
    )
    assert text.startswith(best) and "2019" not in text


def test_a_chinese_clause_is_answered_with_the_rest_of_its_sentence() -> None:
    text_zh = "配额几经调整：2019年为500个；2021年起增至800个。"
    p = passage(1, "d", text_zh, language="zh-Hans")
    text = compose(
        "配额由500个增至多少个？",
        [p],
        [sentence(p, "配额几经调整：2019年为500个；", 0.9)],
    )
    assert "800个" in text and text.count("[1]") == 1


def test_a_sentence_cut_off_by_its_passage_is_completed_from_the_document() -> None:
    document = (
        "# Tax relief\n\nThe relief applies until the end of 2027: Notice [2022] No. 3 first set "
        "an earlier end, and a notice of 5 May 2026 extended it.\n"
    )
    cut = "The relief applies until the end of 2027: Notice [2022] No."
    p = passage(1, "d", "# Tax relief\n\n" + cut)
    p = Passage(p.n, p.hit, document=document)
    text = compose("Until when does the relief apply?", [p], [sentence(p, cut, 0.9)])
    assert "5 May 2026" in text


def test_a_newer_document_on_the_same_figure_comes_first_with_both_dates() -> None:
    old = passage(
        1,
        "report-2023",
        "Since the launch, about 40 000 applications have been approved, the bureau said.",
        published=date(2023, 5, 2),
    )
    new = passage(
        2,
        "report-2024",
        "Since the launch, about 95 000 applications have been approved, the bureau said.",
        published=date(2024, 9, 20),
    )
    text = compose(
        "How many applications have been approved so far?",
        [old, new],
        [sentence(old, old.text, 0.92), sentence(new, new.text, 0.9)],
    )
    assert 0 <= text.index("95 000") < text.index("40 000")
    assert "2024-09-20" in text and "2023-05-02" in text


def test_a_newer_document_on_another_subject_is_not_brought_in() -> None:
    old = passage(
        1,
        "report-2023",
        "Since the launch, about 40 000 applications have been approved, the bureau said.",
        published=date(2023, 5, 2),
    )
    other = passage(
        2,
        "housing-2024",
        "Housing subsidies of 3 000 a month were paid to 1 200 young graduates in Nansha.",
        published=date(2024, 9, 20),
    )
    text = compose(
        "How many applications have been approved so far?",
        [old, other],
        [sentence(old, old.text, 0.92), sentence(other, other.text, 0.86)],
    )
    assert "40 000" in text and "Nansha" not in text


def test_a_newer_document_that_contradicts_the_question_is_not_brought_in() -> None:
    old = passage(
        1,
        "hk-report",
        "Since the launch, about 40 000 applications have been approved, the bureau said.",
        published=date(2023, 5, 2),
    )
    new = passage(
        2,
        "mo-report",
        "Since the launch, about 1 500 applications have been approved, the bureau said.",
        published=date(2024, 9, 20),
    )
    text = compose(
        "How many applications have been approved so far?",
        [old, new],
        [sentence(old, old.text, 0.92), sentence(new, new.text, 0.9)],
        agreement={"hk-report": NEUTRAL, "mo-report": CONTRADICTS},
    )
    assert "1 500" not in text


def test_a_table_row_is_introduced_by_the_heading_of_its_table() -> None:
    text_table = "| Period | Approved |\n|---|---|\n| Jan 2025 to Jun 2025 | about 9,000 |"
    hit = Hit(1, "d#1", "d", "Statistics", 5.0, text_table, None, date(2025, 8, 1), "en",
              "Results › Latest figures (reply of 20 August 2025)", 0, len(text_table))  # fmt: skip
    p = Passage(1, hit)
    text = compose(
        "How many were approved in the first half of 2025?",
        [p],
        [sentence(p, "| Jan 2025 to Jun 2025 | about 9,000 |", 0.9)],
    )
    lines = text.splitlines()
    assert lines[0] == "Latest figures (reply of 20 August 2025): [1]"
    assert lines[1].startswith("Period: Jan 2025 to Jun 2025; Approved: about 9,000")


def test_a_lower_ranked_document_with_a_much_better_sentence_is_quoted() -> None:
    top = passage(1, "city-measures", "Several cities pay settling-in allowances to graduates.")
    better = passage(2, "civil-service", "In 2021 the city hired four young people as officials.")
    text = compose(
        "How many young people did the city hire as officials?",
        [top, better],
        [sentence(top, top.text, 0.70), sentence(better, better.text, 0.95)],
    )
    assert "four young people" in text and "[2]" in text and "[1]" not in text


def test_the_best_retrieved_document_stays_when_another_is_barely_better() -> None:
    top = passage(1, "scheme", "The scheme admits up to 800 people a year.")
    other = passage(2, "news", "The scheme admitted 750 people last year.")
    gap = DOCUMENT_SWITCH / 2
    text = compose(
        "How many people does the scheme admit?",
        [top, other],
        [sentence(top, top.text, 0.9), sentence(other, other.text, 0.9 + gap)],
    )
    assert "800" in text and "[1]" in text


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("How many professions has the list gained so far?", "2025"),
        ("How many professions did the list gain in 2019?", "2019"),
    ],
)
def test_the_newest_year_is_preferred_unless_a_year_is_asked(question: str, first: str) -> None:
    p = passage(
        1,
        "list",
        "In 2019 the list gained two professions. In 2025 the list gained eleven professions.",
    )
    old = sentence(p, "In 2019 the list gained two professions.", 0.9)
    new = sentence(p, "In 2025 the list gained eleven professions.", 0.9 - NEWEST_BONUS / 2)
    ranked = _rerank(analyse(question), [old, new], [p], "en")
    assert ranked[0][1].text.startswith(f"In {first}")


def test_a_readers_language_version_of_a_quotable_document_may_be_switched_to() -> None:
    top = passage(1, "city-measures", "Several cities pay settling-in allowances to graduates.")
    notice = passage(2, "notice", "The new measures were issued on 1 May 2024.")
    twin = passage(
        3, "notice.zh", "新措施于2024年5月1日发布，适用于35岁以下青年。", language="zh-Hans"
    )
    text = compose(
        "新措施是哪天发布的？",
        [top, notice, passage(4, "other", "Unrelated."), twin],
        [
            sentence(top, top.text, 0.80),
            sentence(notice, notice.text, 0.78),
            sentence(twin, twin.text, 0.95),
        ],
        twins={"notice": ("notice.zh",)},
    )
    assert "2024年5月1日" in text and "[3]" in text and "[1]" not in text


def test_a_list_lead_in_the_answer_already_quotes_is_not_repeated() -> None:
    p = passage(
        1,
        "d",
        "The plan was issued in 2024. The package has 16 measures in three groups:\n"
        "- housing;\n- training;\n- start-up funds.",
    )
    lead = "The package has 16 measures in three groups:"
    text = compose(
        "How many measures does the package have?",
        [p],
        [sentence(p, lead, 0.85), sentence(p, "- training;", 1.0)],
    )
    assert "training" in text and text.count("16 measures") == 1


def test_a_list_item_is_quoted_with_the_rest_of_its_line() -> None:
    p = passage(
        1,
        "d",
        "Key points:\n"
        "- Duration. The pause did not end in 2024. It runs for two years from the first hires.\n"
        "- Scope. It covers eleven trades.",
    )
    text = compose(
        "Did the pause end in 2024?",
        [p],
        [
            sentence(p, "- Duration. The pause did not end in 2024.", 0.95),
            sentence(p, "It runs for two years from the first hires.", 0.6),
            sentence(p, "- Scope. It covers eleven trades.", 0.5),
        ],
    )
    assert "The pause did not end in 2024. [1] It runs for two years from the first hires." in text
    assert "eleven trades" not in text


def test_a_lead_in_ending_its_line_comes_with_the_items_below_it() -> None:
    lead = "Since the 2024 reform, every applicant answers a questionnaire that covers four areas:"
    items = "- age\n- languages spoken\n- work history\n- annual earnings\n"
    p = passage(1, "d", f"{lead}\n{items}The test was introduced in 2024.")
    text = compose(
        "Which areas does the test score?",
        [p],
        [
            sentence(p, lead, 0.9),
            sentence(p, "The test was introduced in 2024.", 0.7),
            sentence(p, "languages spoken", 0.5),
            sentence(p, "annual earnings", 0.5),
        ],
    )
    lines = text.splitlines()
    assert lines[0].startswith(lead)
    # The items the passage holds as sentences follow, each once, as list lines.
    assert "- languages spoken [1]" in lines and "- annual earnings [1]" in lines
    assert text.count("languages spoken") == 1


def test_a_list_the_passage_cuts_off_is_run_on_from_the_document() -> None:
    lead = "申请人须确认是否符合问卷内12项准则，涵盖以下三个范畴："
    document = f"Background.\n{lead}\n- 年满18岁\n- 持有学位\n- 在区内工作\n另见说明。"
    cut = document[: document.index("- 持有学位")]
    hit = Hit(1, "d#1", "d", "d", 5.0, cut, None, None, "zh-Hans", "", 0, len(cut))
    p = Passage(1, hit, document=document)
    text = compose("问卷涵盖哪些范畴？", [p], [sentence(p, lead, 0.9)])
    assert "涵盖以下三个范畴：年满18岁；持有学位；在区内工作。 [1]" in text


def test_a_table_lead_in_is_left_to_the_table_rule() -> None:
    lead = "The quotas the Labour Department set for each of the years since 2021 were as follows:"
    p = passage(1, "d", f"{lead}\n| Year | Quota |\n|---|---|\n| 2024 | 500 |")
    text = compose("What are the quotas?", [p], [sentence(p, lead, 0.9)])
    assert text.startswith(lead) and "500" not in text  # no row was picked: none is run on


def test_italic_markup_is_not_shown_even_when_a_sentence_split_halves_it() -> None:
    p = passage(
        1,
        "d",
        "- *Take-up so far: by July 2020 more than 30,000 residents had enrolled. Most joined "
        "through employers.* The *hukou* rule did not change.",
    )
    text = compose(
        "How many residents enrolled by July 2020?",
        [p],
        [
            sentence(
                p, "*Take-up so far: by July 2020 more than 30,000 residents had enrolled.", 0.9
            ),
            sentence(p, "The *hukou* rule did not change.", 0.85),
        ],
    )
    assert "*" not in text and "30,000 residents" in text and "The hukou rule" in text
