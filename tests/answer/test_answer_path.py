"""The whole answer path with the real models over the shipped corpus: colloquial Cantonese
is answered, follow-ups keep the language they are asked in, agreement picks the document
about the place asked, answers say how sure they are."""

from __future__ import annotations

from baybot.text.language import HAN


def test_colloquial_cantonese_is_answered_in_traditional_chinese(assistant) -> None:
    answer = assistant.ask("高才通嘅A類申請人，收入要幾多先得？")
    assert not answer.refused
    assert answer.language == "zh-Hant"
    assert any("ttps" in c.doc_id for c in answer.citations)
    assert HAN.search(answer.text)


def test_a_chinese_follow_up_after_an_english_question_is_answered_in_chinese(assistant) -> None:
    history = [
        {"role": "user", "content": "What does the Top Talent Pass Scheme require for category A?"},
        {"role": "assistant", "content": "An annual income of HK$2.5 million or more. [1]"},
    ]
    answer = assistant.ask("咁C類呢？", history)
    assert answer.language == "zh-Hant"
    assert HAN.search(answer.text)


def test_a_question_naming_a_city_is_answered_from_that_citys_rules(assistant) -> None:
    answer = assistant.ask("What is the yearly cap on Dongguan's GBA IIT subsidy per taxpayer?")
    assert not answer.refused
    first = assistant.retriever.index.documents[answer.citations[0].doc_id]
    assert "dongguan" in f"{first.title} {' '.join(first.schemes)} {first.text}".lower()


def test_confidence_is_a_probability_and_refusals_carry_one_too(assistant) -> None:
    answered = assistant.ask("How long is the first visa for a non-local graduate under IANG?")
    refused = assistant.ask("Which ski resorts near Zurich are open in May?")
    assert refused.refused and not answered.refused
    for a in (answered, refused):
        assert 0.0 <= a.confidence <= 1.0
