from __future__ import annotations

import pytest

from baybot.corpus.discovery import load_corpus
from baybot.text.language import detect_language, normalise_language
from tests.conftest import CORPUS

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can I move to Hong Kong without a job offer?", "en"),
        ("高才通計劃的申請資格是甚麼？", "zh-Hant"),
        ("港澳青年去前海工作有补贴吗", "zh-Hans"),
        ("TTPS A類申請人需要年收入港幣250萬元", "zh-Hant"),
        ("The scheme is called 高才通 in Chinese and admits top earners to Hong Kong.", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detection_agrees_with_every_front_matter_language() -> None:
    docs = load_corpus(CORPUS).documents
    labelled = [d for d in docs if d.path.endswith(".md")]
    assert len(labelled) > 40
    assert {d.language for d in labelled} == {"en", "zh-Hant", "zh-Hans"}
    assert [d.id for d in labelled if detect_language(d.text) != d.language] == []


def test_normalise_language_tags() -> None:
    assert normalise_language("zh-HK") == "zh-Hant"
    assert normalise_language("zh_CN") == "zh-Hans"
    assert normalise_language("EN") == "en"
    assert normalise_language("zh") is None
    assert normalise_language(None) is None


def test_to_script_converts_chinese_only() -> None:
    from baybot.text.language import to_script

    assert to_script("續簽時會考慮過往收入", "zh-Hans") == "续签时会考虑过往收入"
    assert to_script("续签时会考虑过往收入", "zh-Hant") == "續簽時會考慮過往收入"
    assert to_script("HK$2.5 million", "zh-Hans") == "HK$2.5 million"
    assert to_script("續簽", "en") == "續簽"
