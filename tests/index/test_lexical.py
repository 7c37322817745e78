from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from baybot.index.lexical import LexicalIndex
from baybot.text.terms import tokenize

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`

PASSAGES = (
    "The Top Talent Pass Scheme admits high earners with an annual income of HK$2,500,000.",
    "Young people moving to Qianhai can apply for a rent subsidy and startup funding.",
    "高端人才通行證計劃的申請人須在香港工作。",
    "港澳青年在前海创业可以申请个税补贴。",
    "Graduates of the world's top universities may apply under category B.",
)


# --- tokenize -------------------------------------------------------------------------------


def test_english_words_are_lowercased_and_stemmed() -> None:
    assert tokenize("Applications") == tokenize("application")
    assert tokenize("RUNNING") == tokenize("runs") == tokenize("run")
    assert tokenize("Subsidies") == tokenize("subsidy")


def test_english_stop_words_are_dropped() -> None:
    assert tokenize("the of and is are to") == []
    terms = tokenize("What is the income requirement for the scheme")
    assert "the" not in terms and "is" not in terms
    assert tokenize("income")[0] in terms


def test_thousands_separators_fold() -> None:
    assert tokenize("HK$2,500,000") == tokenize("HK$ 2500000")
    assert tokenize("2,500,000") == tokenize("2500000") == ["2500000"]
    # A decimal point is not a group separator.
    assert tokenize("2.5") != tokenize("25")


def test_numbers_are_not_stemmed() -> None:
    assert tokenize("2024") == ["2024"]


def test_full_width_forms_fold_to_ascii() -> None:
    assert tokenize("ＨＫ＄２，５００，０００") == tokenize("HK$2,500,000")


def test_curly_and_straight_apostrophes_agree() -> None:
    assert tokenize("applicant’s spouse") == tokenize("applicant's spouse")


@pytest.mark.parametrize(("traditional", "simplified"), [("個稅", "个税"), ("優才", "优才")])
def test_traditional_and_simplified_give_the_same_terms(traditional: str, simplified: str) -> None:
    assert tokenize(traditional) == tokenize(simplified)
    assert simplified in tokenize(traditional)


def test_chinese_run_gives_characters_and_bigrams() -> None:
    terms = tokenize("高才通")
    assert sorted(terms) == sorted(["高", "才", "通", "高才", "才通"])
    assert "高才通" not in terms  # no trigrams


def test_chinese_runs_are_split_by_punctuation() -> None:
    terms = tokenize("前海，南沙")
    assert "海南" not in terms  # no bigram across the comma
    assert {"前海", "南沙"} <= set(terms)


def test_mixed_text_has_english_and_chinese_terms() -> None:
    terms = tokenize("TTPS 高才通 applications")
    assert set(terms) == {*tokenize("TTPS"), *tokenize("高才通"), *tokenize("applications")}
    assert "ttps" in terms


def test_empty_and_punctuation_only_text() -> None:
    assert tokenize("") == []
    assert tokenize("  ,.;!?—…  ") == []


# --- LexicalIndex ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(PASSAGES)


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("annual income 2,500,000", 0),
        ("rent subsidies in Qianhai", 1),
        ("高端人才通行证", 2),  # Simplified query, Traditional passage
        ("個稅補貼", 3),  # Traditional query, Simplified passage
        ("university graduates", 4),
    ],
)
def test_the_passage_with_the_query_terms_ranks_first(
    index: LexicalIndex, query: str, best: int
) -> None:
    scores = index.scores(tokenize(query))
    assert scores.shape == (len(PASSAGES),)
    assert int(np.argmax(scores)) == best
    assert scores[best] > 0
    assert np.count_nonzero(scores == scores.max()) == 1


def test_scores_of_passages_without_the_term_are_zero(index: LexicalIndex) -> None:
    scores = index.scores(tokenize("Qianhai"))
    assert scores[1] > 0
    assert np.all(scores[[0, 2, 4]] == 0)


def test_unknown_terms_give_zeros(index: LexicalIndex) -> None:
    scores = index.scores(["zzzzz", "qwertyuiop"])
    assert scores.shape == (len(PASSAGES),)
    assert not scores.any()
    assert not index.scores([]).any()


def test_unknown_terms_are_ignored_next_to_known_ones(index: LexicalIndex) -> None:
    known = tokenize("rent subsidy")
    assert np.array_equal(index.scores([*known, "zzzzz"]), index.scores(known))


def test_save_load_round_trip_gives_identical_scores(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded.size == index.size
    for query in ("annual income", "个税", "university graduates Qianhai", "zzzzz"):
        terms = tokenize(query)
        assert np.array_equal(loaded.scores(terms), index.scores(terms))


def test_empty_corpus(tmp_path: Path) -> None:
    empty = LexicalIndex.build([])
    assert empty.size == 0
    assert empty.scores(tokenize("income")).shape == (0,)
    empty.save(tmp_path / "empty")
    assert LexicalIndex.load(tmp_path / "empty").scores(["income"]).shape == (0,)


def test_texts_without_tokens_give_zeros(tmp_path: Path) -> None:
    blank = LexicalIndex.build(["", "the of and", "?!"])
    scores = blank.scores(tokenize("income"))
    assert scores.shape == (3,) and not scores.any()
    blank.save(tmp_path / "blank")
    loaded = LexicalIndex.load(tmp_path / "blank")
    assert loaded.size == 3
    assert not loaded.scores(["the"]).any()


def test_a_passage_without_tokens_among_others(index: LexicalIndex) -> None:
    mixed = LexicalIndex.build(["", *PASSAGES])
    scores = mixed.scores(tokenize("rent subsidy"))
    assert scores[0] == 0
    assert int(np.argmax(scores)) == 2


def test_jaccard_overlap_of_term_sets() -> None:
    from baybot.text.terms import jaccard

    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
    assert jaccard(set(), set()) == 1.0 and jaccard({"a"}, set()) == 0.0
