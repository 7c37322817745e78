from __future__ import annotations

import re
from datetime import date

import pytest

from baybot import Settings
from baybot.answer.generators import GenerationRequest, load_generator
from baybot.answer.generators.extractive import ExtractiveGenerator
from baybot.types import Hit, Passage, Sentence

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def make_passage(n: int, doc_id: str, text: str, published: date) -> Passage:
    hit = Hit(
        n,
        f"{doc_id}#{n}",
        doc_id,
        doc_id.title(),
        5.0 - n,
        text,
        None,
        published,
        "en",
        "",
        0,
        len(text),
    )
    return Passage(n, hit)


def sentence(p: Passage, text: str, score: float) -> Sentence:
    start = p.text.index(text)
    return Sentence(p.n, text, start, start + len(text), score, score)


def answer(question: str, passages: list[Passage], sentences: list[Sentence]) -> str:
    request = GenerationRequest(question, "en", tuple(passages), tuple(sentences))
    return "".join(ExtractiveGenerator(Settings()).stream(request))


def test_numbers_stay_intact_and_every_sentence_is_cited():
    p1 = make_passage(
        1,
        "ttps",
        "Category A is for people with an annual income of HK$2.5 million or more in the year "
        "before applying. Category B needs a degree.",
        date(2024, 1, 1),
    )
    text = answer(
        "How much must I earn for TTPS category A?",
        [p1],
        [
            sentence(p1, p1.text.split(". ")[0] + ".", 0.9),
            sentence(p1, "Category B needs a degree.", 0.7),
        ],
    )
    assert "HK$2.5 million" in text
    assert text.startswith("Category A is for people with an annual income of HK$2.5 million")
    assert "Category B" not in text  # far below the best sentence
    for claim in re.split(r"(?<=\])\s*", text.strip()):
        if claim:
            assert re.search(r"\[1\]$", claim)


def test_list_questions_get_the_whole_list():
    text_ = (
        "The scheme has three categories:\n"
        "- Category A: high earners\n"
        "- Category B: graduates with three years of experience\n"
        "- Category C: recent graduates\n\n"
        "Applications open all year."
    )
    p1 = make_passage(1, "ttps", text_, date(2024, 1, 1))
    sentences = [
        sentence(p1, "- Category B: graduates with three years of experience", 0.9),
        sentence(p1, "- Category A: high earners", 0.8),
        sentence(p1, "- Category C: recent graduates", 0.7),
        sentence(p1, "Applications open all year.", 0.85),
        sentence(p1, "The scheme has three categories:", 0.6),
    ]
    text = answer("What categories does TTPS have?", [p1], sentences)
    lines = text.splitlines()
    assert lines == [
        "The scheme has three categories: [1]",  # the list comes with its lead-in
        "- Category A: high earners [1]",
        "- Category B: graduates with three years of experience [1]",
        "- Category C: recent graduates [1]",
    ]


def test_disagreeing_sources_say_which_is_newer():
    old = make_passage(
        1, "yes-2023", "Employers receive HK$10,000 a month per graduate.", date(2023, 3, 1)
    )
    new = make_passage(
        2, "yes-2025", "Employers receive HK$12,000 a month per graduate.", date(2025, 6, 1)
    )
    text = answer(
        "How much do employers receive per graduate and month, compared across the sources?",
        [old, new],
        [sentence(old, old.text, 0.9), sentence(new, new.text, 0.89)],
    )
    assert "HK$10,000" in text and "HK$12,000" in text
    assert "[2] (dated 2025-06-01) is newer than [1] (dated 2023-03-01)" in text


def test_chinese_answers_follow_the_question_script():
    p1 = make_passage(1, "ttps-zh", "續簽時入境處會考慮過往收入及納稅紀錄。", date(2024, 1, 1))
    request = GenerationRequest("续签看什么？", "zh-Hans", (p1,), (sentence(p1, p1.text, 0.9),))
    text = "".join(ExtractiveGenerator(Settings()).stream(request))
    assert "过往收入" in text and "纳税" in text and text.endswith("[1]")


def test_registry_finds_the_extractive_backend_and_names_the_available_ones():
    import pytest

    from baybot.answer.generators import GenerationError, available_generators

    assert load_generator("extractive", Settings()).name == "extractive"
    assert {"extractive", "openai", "llamacpp"} <= set(available_generators())
    with pytest.raises(GenerationError, match="available: extractive, openai, llamacpp"):
        load_generator("nonexistent", Settings())
