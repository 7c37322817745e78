from __future__ import annotations

import math

import pytest

from baybot.search.places import PlaceMatch
from baybot.types import Document

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def doc(doc_id: str, title: str, **meta: object) -> Document:
    return Document(id=doc_id, title=title, text="Body text.", **meta)  # type: ignore[arg-type]


@pytest.fixture
def match() -> PlaceMatch:
    return PlaceMatch.build(
        {
            "province": doc(
                "province", "Guangdong's rules for the IIT subsidy", region="Guangdong"
            ),
            "dongguan": doc(
                "dongguan", "City rules for the IIT subsidy", schemes=("Dongguan IIT subsidy",)
            ),
            "ttps": doc("ttps", "Top Talent Pass Scheme", region="Hong Kong"),
            "qmas": doc("qmas", "Quality Migrant Admission Scheme", region="Hong Kong"),
            "hk-dongguan": doc("hk-dongguan", "Hong Kong talent office in Dongguan"),
        }
    )


def scores_by_doc(match: PlaceMatch, question: str) -> dict[str, float]:
    scores = match.scores(question)
    assert scores is not None
    return dict(zip(match.doc_ids, scores.tolist(), strict=True))


def test_a_question_naming_no_place_gets_no_place_scores(match: PlaceMatch) -> None:
    assert match.scores("How much is the IIT subsidy?") is None


def test_only_documents_whose_metadata_names_the_place_score(match: PlaceMatch) -> None:
    scores = scores_by_doc(match, "When did the IIT subsidy start in Dongguan?")
    assert scores["dongguan"] == scores["hk-dongguan"] == pytest.approx(1.0)
    assert scores["province"] == scores["ttps"] == scores["qmas"] == 0.0


def test_places_match_across_languages_and_scripts(match: PlaceMatch) -> None:
    assert scores_by_doc(match, "東莞的個稅補貼")["dongguan"] == pytest.approx(1.0)
    assert scores_by_doc(match, "香港")["ttps"] == pytest.approx(1.0)


def test_a_rare_place_counts_more_than_a_common_one(match: PlaceMatch) -> None:
    scores = scores_by_doc(match, "Hong Kong people working in Dongguan")
    # Hong Kong names 3 of 5 documents, Dongguan 2: the Dongguan rules outweigh a HK scheme.
    hong_kong, dongguan = math.log(1 + 5 / 3), math.log(1 + 5 / 2)
    assert scores["dongguan"] == pytest.approx(dongguan / (hong_kong + dongguan), rel=1e-6)
    assert scores["ttps"] == pytest.approx(hong_kong / (hong_kong + dongguan), rel=1e-6)
    assert scores["hk-dongguan"] == pytest.approx(1.0)
    assert scores["dongguan"] > scores["ttps"]


def test_a_place_no_document_is_about_does_not_pull_towards_another(match: PlaceMatch) -> None:
    scores = scores_by_doc(match, "IIT subsidy in Foshan or Dongguan")
    assert scores["dongguan"] < 0.5  # Foshan, which no document is about, weighs most
    assert max(scores_by_doc(match, "IIT subsidy in Foshan").values()) == 0.0
