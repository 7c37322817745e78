from __future__ import annotations

from pathlib import Path

import pytest

from baybot.text.glossary import Glossary, default_glossary
from baybot.text.language import fold

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def group_of(glossary: Glossary, term: str) -> int:
    return next(i for i, entry in enumerate(glossary.entries) if term in entry)


@pytest.fixture
def tiny(tmp_path: Path) -> Glossary:
    path = tmp_path / "glossary.yaml"
    path.write_text(
        "entries:\n"
        "  - [individual income tax, IIT, 个税]\n"
        "  - [Hong Kong, HK]\n"
        "  - []\n"
        "  - [2024, twenty twenty-four]\n",
        encoding="utf-8",
    )
    return Glossary.load(path)


# --- fold -----------------------------------------------------------------------------------


def test_fold_lowercases_and_folds_width() -> None:
    assert fold("Top Talent PASS") == "top talent pass"
    assert fold("ＨＫ＄２，５００") == "hk$2,500"


def test_fold_converts_traditional_to_simplified() -> None:
    assert fold("個稅") == fold("个税") == "个税"
    assert fold("優才計劃") == "优才计划"
    assert fold("TTPS 高端人才通行證") == "ttps 高端人才通行证"


# --- load -----------------------------------------------------------------------------------


def test_load_reads_entries_and_skips_empty_ones(tiny: Glossary) -> None:
    assert tiny.entries == (
        ("individual income tax", "IIT", "个税"),
        ("Hong Kong", "HK"),
        ("2024", "twenty twenty-four"),
    )


def test_load_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert Glossary.load(path).entries == ()
    assert Glossary.load(path).expand("anything at all") == []


def test_default_glossary_is_the_shipped_data() -> None:
    glossary = default_glossary()
    assert glossary is default_glossary()
    assert glossary.entries == Glossary.load().entries
    assert len(glossary.entries) > 50
    assert all(len(entry) >= 2 for entry in glossary.entries)


# --- groups ---------------------------------------------------------------------------------


def test_traditional_query_matches_a_simplified_entry(tiny: Glossary) -> None:
    assert tiny.groups("個稅怎麼算") == [0]
    assert tiny.expand("個稅怎麼算") == ["individual income tax", "IIT"]


def test_matching_ignores_case(tiny: Glossary) -> None:
    assert tiny.groups("what is iit?") == [0]
    assert tiny.groups("INDIVIDUAL INCOME TAX rates") == [0]


def test_latin_terms_match_whole_words_only(tiny: Glossary) -> None:
    assert tiny.groups("HK residents") == [1]
    assert tiny.groups("(HK)") == [1]
    assert tiny.groups("HKUST") == []
    assert tiny.groups("CHKS") == []
    assert tiny.groups("hk2") == []
    assert tiny.groups("fruit") == []  # "iit" inside a word


def test_latin_terms_match_next_to_chinese(tiny: Glossary) -> None:
    assert tiny.groups("在HK工作") == [1]


def test_chinese_terms_match_inside_longer_text() -> None:
    glossary = default_glossary()
    ttps = group_of(glossary, "高才通")
    assert ttps in glossary.groups("我想申請高才通計劃")


def test_groups_lists_each_group_once_in_entry_order(tiny: Glossary) -> None:
    assert tiny.groups("HK 个税 Hong Kong IIT 2024") == [0, 1, 2]


def test_default_hk_group_does_not_match_hkust() -> None:
    glossary = default_glossary()
    hk = group_of(glossary, "HK")
    assert hk in glossary.groups("living in HK")
    assert hk not in glossary.groups("HKUST graduates")


# --- expand ---------------------------------------------------------------------------------


def test_gaocaitong_expands_to_the_english_name() -> None:
    expansions = default_glossary().expand("高才通")
    assert "Top Talent Pass Scheme" in expansions
    assert "TTPS" in expansions
    assert "高才通" not in expansions


def test_qmas_expands_to_chinese_names() -> None:
    expansions = default_glossary().expand("QMAS")
    assert "Quality Migrant Admission Scheme" in expansions
    folded = {fold(term) for term in expansions}
    assert {"优秀人才入境计划", "优才计划", "优才"} <= folded


def test_expand_folds_duplicates_across_scripts() -> None:
    expansions = default_glossary().expand("QMAS")
    folded = [fold(term) for term in expansions]
    assert len(folded) == len(set(folded))


@pytest.mark.parametrize(
    "text",
    [
        "高才通",
        "QMAS",
        "TTPS and Top Talent Pass Scheme",
        "優才計劃 QMAS",
        "個稅 subsidy in Qianhai 前海",
        "Can Hong Kong 香港 residents work in Shenzhen?",
    ],
)
def test_expand_never_returns_a_term_already_in_the_text(text: str) -> None:
    expansions = default_glossary().expand(text)
    assert expansions, "every example names at least one glossary group"
    for term in expansions:
        assert fold(term) not in fold(text), term


def test_expand_of_text_naming_nothing_is_empty() -> None:
    assert default_glossary().expand("What is the weather like tomorrow?") == []


def test_expand_keeps_the_entry_spelling() -> None:
    expansions = default_glossary().expand("ttps")
    assert "Top Talent Pass Scheme" in expansions
    assert "TTPS" not in expansions


def test_bridge_gives_only_names_in_the_other_language() -> None:
    glossary = default_glossary()
    english = glossary.bridge("Who qualifies for the Top Talent Pass Scheme?")
    assert len(english) == 1 and not english[0].isascii()
    chinese = glossary.bridge("高才通的申請資格")
    assert chinese == ["Top Talent Pass Scheme"]
    # One name per group named: the GBA and the income tax, not every alias of each.
    assert len(glossary.bridge("大湾区个税补贴")) == len(glossary.groups("大湾区个税补贴"))
    assert glossary.bridge("weather tomorrow") == []
