"""World places beyond the glossary: recognised in English and Chinese, told apart from where
the asker is, and left to the glossary where it has them."""

from __future__ import annotations

import pytest

from baybot.answer.analysis import analyse
from baybot.text.gazetteer import default_gazetteer
from baybot.text.glossary import default_glossary

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def gazetteer():
    return default_gazetteer(default_glossary())


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("visa rules for Antarctica", "Antarctica"),
        ("does the netherlands have a talent visa?", "Netherlands"),
        ("東京的人才簽證", "Tokyo"),
        ("斯德哥尔摩的工作许可", "Stockholm"),
    ],
)
def test_world_places_are_found_in_english_and_chinese(gazetteer, text, place):
    assert place in gazetteer.named_in(text)


def test_glossary_and_mainland_places_are_left_to_the_glossary(gazetteer):
    # Singapore is a glossary place; Chengdu is on the Mainland (the domain's own country).
    assert not gazetteer.named_in("Singapore's ONE Pass and a hukou in Chengdu")


def test_ordinary_words_are_not_places(gazetteer):
    assert not gazetteer.named_in("a nice job with a pest control firm in the china sea")


def test_a_world_place_the_question_is_about_is_kept_and_context_is_not():
    assert analyse("What salary does Sweden's work permit require?").world_places == ("Sweden",)
    assert analyse("I moved from Berlin last year; can I apply?").world_places == ()
    assert analyse("我喺多倫多讀完碩士，可以申請IANG嗎？").world_places == ()
    assert analyse("東京的高度人才簽證要幾多人工？").world_places == ("Tokyo",)
