"""Question analysis across English, Traditional, Simplified and colloquial Cantonese: what is
asked and what is named, read once into a frozen value."""

from __future__ import annotations

import dataclasses

import pytest

from baybot.answer.analysis import analyse
from baybot.text.glossary import default_glossary

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def _group(name: str) -> int:
    return default_glossary().groups(name)[0]


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("What does it cost to renew a residence permit?", "fee"),
        ("續期居住證要交幾多錢手續費？", "fee"),
        ("办理签注的收费标准是多少？", "fee"),
        ("Is there an upper age for joining the youth scheme?", "age"),
        ("参加计划的青年要几岁以下？", "age"),
        ("How long is a first visa under the graduate arrangement valid for?", "duration"),
        ("批咗之後可以留幾耐？", "duration"),
        ("When does the application window close this year?", "date"),
        ("今年几时开始接受申请？", "date"),
        ("What is the phone number of the talent office?", "contact"),
        ("個辦事處喺邊度？有冇熱線電話？", "contact"),
        ("How many people were admitted last year?", "number"),
        ("去年一共批出幾多宗申請？", "number"),
        ("Can my spouse work once I am admitted?", "eligibility"),
        ("我太太使唔使另外申請工作簽證？", "eligibility"),
        ("Which documents must an employer submit?", "list"),
        ("申请需要提交哪些材料？", "list"),
        ("How do I apply for the tax subsidy?", "procedure"),
        ("Why were applications suspended?", "reason"),
        ("What is the difference between the two talent schemes?", "comparison"),
        ("两个计划有什么区别？", "comparison"),
    ],
)
def test_the_slot_asked_is_read_in_every_language(question: str, slot: str) -> None:
    assert analyse(question).asks(slot)


@pytest.mark.parametrize(
    "question",
    [
        "Is the housing allowance the same in Zhuhai and in Foshan?",
        "Scheme X or scheme Y: which one lets me bring my parents?",
        "Are waiting times longer than in Macao?",
        "深圳和广州的人才补贴，哪边更高？",
        "珠海嘅租房補貼同佛山嘅比，邊度多啲？",
        "两个计划的申请条件有什么差别？",
    ],
)
def test_comparisons_are_read_in_their_everyday_forms(question: str) -> None:
    assert analyse(question).asks("comparison")


@pytest.mark.parametrize(
    "question",
    [
        "我同老婆一齊申請，要比幾多錢？",  # Cantonese 比 as "give", not "compare"
        "獲批者中內地人的比例是多少？",
        "Which form do I fill in first?",
        "哪个部门负责审批？",
    ],
)
def test_giving_a_ratio_or_choosing_one_thing_is_not_a_comparison(question: str) -> None:
    assert not analyse(question).asks("comparison")


def test_a_fee_question_is_not_also_a_count_question() -> None:
    slots = analyse("想問申請要俾幾多錢？").slots
    assert "fee" in slots and "number" not in slots


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How much is the subsidy?", "en"),
        ("補貼有幾多錢？", "zh-Hant"),
        ("补贴有多少钱？", "zh-Hans"),
        ("我喺深圳返工，使唔使交香港嘅稅？", "zh-Hant"),
    ],
)
def test_language_is_that_of_the_question_as_asked(question: str, language: str) -> None:
    assert analyse(question).language == language


def test_places_and_schemes_are_glossary_groups_in_any_script() -> None:
    english = analyse("Does the Shenzhen rule apply to TTPS holders?")
    chinese = analyse("深圳的规定适用于高才通人士吗？")
    assert english.places == chinese.places == {_group("Shenzhen")}
    assert _group("TTPS") in english.schemes and _group("TTPS") in chinese.schemes


def test_a_follow_up_takes_constraints_but_not_language_or_slots_from_its_context() -> None:
    follow = analyse("咁C類呢？", context="What does category A of the TTPS need?")
    assert follow.language == "zh-Hant"
    assert _group("TTPS") in follow.schemes
    assert follow.category == "C"
    assert not follow.asks("procedure")


def test_years_and_categories_are_read() -> None:
    a = analyse("How many category B visas were issued in 2025 and 2026?")
    assert a.years == (2025, 2026) and a.category == "B" and a.asks("number")
    assert analyse("高才通C類有咩要求？").category == "C"


def test_applicant_types() -> None:
    assert "employer" in analyse("HR question: can our company hire two of them?").applicants
    assert "graduate" in analyse("I graduated two years ago, am I still eligible?").applicants
    assert "family" in analyse("我老婆可唔可以一齊嚟？").applicants


def test_colloquial_cantonese_is_flagged_and_standardised() -> None:
    a = analyse("我喺前海做嘢，使唔使交社保？")
    assert a.colloquial
    assert "需不需要" in a.standard and "在" in a.standard
    assert "喺" not in a.standard and "使唔使" not in a.standard
    assert not analyse("我在前海工作，需要交社保吗？").colloquial


def test_the_analysis_is_frozen() -> None:
    a = analyse("How much is it?")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.language = "zh-Hans"  # type: ignore[misc]


def test_typos_do_not_hide_what_is_asked() -> None:
    assert analyse("how mcuh is the aplication fee?").asks("fee")
    assert analyse("whens the dedline to apply?").asks("date")
    assert analyse("is my permit stil vaild for five years?").asks("duration")


@pytest.mark.parametrize(
    ("question", "not_asked"),
    [
        ("how many posts did the city offer, and which ones?", {"fee", "amount"}),  # not costs
        ("can my husband come with me on that visa?", {"amount"}),  # not income
        ("did the rules change after the review?", {"fee"}),  # not charge
        ("is there an update on the scheme?", {"date"}),
    ],
)
def test_a_real_word_is_not_read_as_a_misspelt_slot_word(question: str, not_asked: set) -> None:
    """Typo tolerance is for words English does not have; a real word one letter off a slot
    word ("posts" / "costs") must not invent a slot the question does not ask."""
    assert not analyse(question).slots & not_asked


def test_slot_words_typed_without_an_apostrophe_still_count() -> None:
    assert analyse("whats the quota for category C?").asks("number")
    assert analyse("whens the window for category C?").asks("date")


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("When does the window open, and when does it close?", 2),
        ("申请什么时候开始？截止日期是哪天？", 2),
        ("佢幾時開始申請？要交幾多錢？", 2),
        ("whats the quota, and hows it shared out?", 2),  # question words typed without "'"
        ("whens the deadline and whats the fee?", 2),
        ("How long is the visa valid?", 0),
        ("If I moved here in 2023, can I still apply?", 0),
    ],
)
def test_a_question_asking_two_things_is_split_into_its_parts(question: str, parts: int) -> None:
    assert len(analyse(question).parts) == parts


@pytest.mark.parametrize(
    "question",
    [
        "When does the income tax concession for overseas researchers end?",
        "What is the income tax exemption for Macao residents working in the zone?",
    ],
)
def test_income_tax_names_a_topic_not_an_amount_asked(question: str) -> None:
    assert not analyse(question).asks("amount")


def test_an_income_threshold_is_still_an_amount_asked() -> None:
    assert analyse("What annual income do I need to qualify?").asks("amount")


@pytest.mark.parametrize(
    "question",
    [
        "What score did an applicant need under the earlier points test?",
        "舊計分制滿分係幾多分？",
        "评核问卷最少要拿几分？",
    ],
)
def test_a_score_asked_is_a_number_asked(question: str) -> None:
    assert analyse(question).asks("number")


@pytest.mark.parametrize(
    ("question", "about", "context"),
    [
        ("What income does Japan's highly skilled visa require?", "Japan", None),
        ("Korea points-based visa: how many points are needed?", "Korea", None),
        ("新加坡嘅就業准證最低人工要幾多？", "Singapore", None),
        ("德国蓝卡对学历有什么要求？", "Germany", None),
        ("I studied in Japan for three years. Can I apply for the talent pass?", None, "Japan"),
        ("Our engineer comes from Korea; does the employer need a quota?", None, "Korea"),
        ("我喺新加坡做緊嘢，申請高才通要唔要先辭職？", None, "Singapore"),
        ("我在德国读完博士，回深圳有什么补贴？", "Shenzhen", "Germany"),
    ],
)
def test_places_asked_about_are_told_from_where_the_asker_is(question, about, context):
    analysis = analyse(question)
    if about:
        assert _group(about) in analysis.subject_places
    if context:
        assert _group(context) in analysis.places
        assert _group(context) not in analysis.subject_places
