"""Written Cantonese into standard written Chinese: whole words only, in the reader's script."""

from __future__ import annotations

import pytest

from baybot.text.cantonese import is_colloquial, to_standard

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


@pytest.mark.parametrize(
    ("colloquial", "standard"),
    [
        ("佢喺邊度返工？", "他在哪里上班"),
        ("仲有冇名額？", "还有没有名额"),
        ("我使唔使交稅？", "我需不需要交税"),
        ("批咗幾耐？", "批了多久"),
        ("呢個計劃係咩嚟㗎？", "这个计划是什么来"),
        ("而家揾工難唔難？", "现在找工作难不难"),
    ],
)
def test_cantonese_words_become_standard_written_chinese(colloquial: str, standard: str) -> None:
    assert to_standard(colloquial, "zh-Hans").startswith(standard)


def test_a_character_inside_a_standard_word_is_left_alone() -> None:
    out = to_standard("兩地關係係點樣？", "zh-Hant")
    assert out.startswith("兩地關係是怎樣")


def test_the_result_keeps_the_readers_script() -> None:
    assert "還有沒有" in to_standard("仲有冇位？", "zh-Hant")
    assert "还有没有" in to_standard("仲有冇位？", "zh-Hans")


def test_standard_chinese_and_english_are_returned_unchanged() -> None:
    assert to_standard("申请需要什么材料？", "zh-Hans") == "申请需要什么材料？"
    assert to_standard("What is the fee?", "en") == "What is the fee?"


def test_colloquial_marks() -> None:
    assert is_colloquial("佢哋仲未批")
    assert not is_colloquial("他们还没有批准")
