"""What the best sources cover of a question's words: phrasing and misspellings are not
content words the sources lack."""

from __future__ import annotations

import pytest

from baybot.answer.evidence.coverage import Coverage
from baybot.text.glossary import default_glossary
from baybot.types import Document

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`

PERMIT = Document(
    id="permit",
    title="Work permit for graduates",
    text="Graduates may stay for twenty-four months. The permit is renewed on a valid job offer. "
    "The processing time is four weeks.",
)


@pytest.fixture(scope="module")
def coverage() -> Coverage:
    return Coverage({PERMIT.id: PERMIT}, default_glossary())


def test_phrasing_words_and_their_misspellings_are_not_content(coverage):
    for question in ("When's the permit renewed?", "whens the permit renewed", "whats the permit"):
        assert coverage.missing_in(question, "the permit is renewed") == []


def test_a_misspelt_word_is_found_under_its_spelling(coverage):
    assert coverage.missing_in("how is the permitt renewwed?", "the permit is renewed") == []
    # Short words are not matched loosely: "rent" is not "rest".
    assert coverage.missing_in("what is the rent?", "the rest of the year") == ["rent"]


def test_share_missing_reads_the_best_sentences_and_titles(coverage):
    texts = ["Work permit for graduates", "The processing time is four weeks."]
    assert coverage.share_missing("What is the permit processing time?", texts) == 0.0
    assert coverage.share_missing("What is the permit fee?", texts) == pytest.approx(0.5)
    assert coverage.share_missing("What is the permit fee?", []) == 1.0
