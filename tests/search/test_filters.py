from __future__ import annotations

from datetime import date, datetime

import pytest

from baybot.corpus.discovery import load_corpus
from baybot.errors import QueryError
from baybot.search.filters import Filters, allowed_documents, latest_date
from baybot.types import Document
from tests.conftest import CORPUS

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`

TTPS = "Top Talent Pass Scheme"


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {d.id: d for d in load_corpus(CORPUS).documents}


def ids_where(documents: dict[str, Document], test) -> set[str]:  # type: ignore[no-untyped-def]
    return {i for i, d in documents.items() if test(d)}


def doc(doc_id: str, **fields: object) -> Document:
    return Document(id=doc_id, title=doc_id, text="text", **fields)  # type: ignore[arg-type]


# --- parse ----------------------------------------------------------------------------------


def test_parse_nothing_is_no_restriction() -> None:
    assert not Filters.parse(None)
    assert not Filters.parse({})
    assert Filters.parse({"region": None}) == Filters()


def test_parse_strings_and_lists() -> None:
    filters = Filters.parse({"region": " HK ", "scheme": ["TTPS", "QMAS"], "language": ("en",)})
    assert filters.region == ("HK",)
    assert filters.scheme == ("TTPS", "QMAS")
    assert filters.language == ("en",)
    assert filters.since is None
    assert filters


def test_parse_since_iso_date() -> None:
    assert Filters.parse({"since": "2024-01-31"}).since == date(2024, 1, 31)
    assert Filters.parse({"since": date(2023, 5, 1)}).since == date(2023, 5, 1)


@pytest.mark.parametrize("bad", ["31/01/2024", "2024-13-01", "yesterday", "", 3.5, ["2024-01-01"]])
def test_parse_bad_date(bad: object) -> None:
    with pytest.raises(QueryError, match="since"):
        Filters.parse({"since": bad})


def test_parse_since_datetime_is_usable() -> None:
    filters = Filters.parse({"since": datetime(2024, 1, 1, 12, 0)})
    docs = {"a": doc("a", published=date(2024, 5, 1)), "b": doc("b", published=date(2023, 1, 1))}
    assert allowed_documents(filters, docs) == {"a"}


def test_parse_unknown_key() -> None:
    with pytest.raises(QueryError, match="regoin"):
        Filters.parse({"regoin": "HK"})


@pytest.mark.parametrize(
    "value", [5, ["HK", 3], [None], {"HK": 1}, "", "   ", ["HK", ""], b"HK", True]
)
def test_parse_non_string_values(value: object) -> None:
    with pytest.raises(QueryError, match="region"):
        Filters.parse({"region": value})


def test_to_dict_round_trips_through_parse() -> None:
    filters = Filters.parse({"region": ["HK", "Macao"], "language": "zh", "since": "2024-02-29"})
    assert Filters.parse(filters.to_dict()) == filters


# --- latest_date ----------------------------------------------------------------------------


def test_latest_date() -> None:
    assert latest_date(doc("a", published=date(2020, 1, 1), updated=date(2024, 1, 1))) == date(
        2024, 1, 1
    )
    assert latest_date(doc("b", published=date(2020, 1, 1))) == date(2020, 1, 1)
    assert latest_date(doc("c", updated=date(2021, 6, 1))) == date(2021, 6, 1)
    assert latest_date(doc("d")) is None


# --- allowed_documents: region ----------------------------------------------------------------


def test_no_filters_allow_everything(documents: dict[str, Document]) -> None:
    assert allowed_documents(Filters(), documents) == set(documents)


@pytest.mark.parametrize("value", ["HK", "香港", "hong kong", "Hong Kong", "HKSAR", "香港特區"])
def test_region_aliases_give_the_same_documents(documents: dict[str, Document], value: str) -> None:
    expected = ids_where(documents, lambda d: d.region == "Hong Kong")
    assert expected
    assert allowed_documents(Filters(region=(value,)), documents) == expected


def test_region_macau_spelling(documents: dict[str, Document]) -> None:
    expected = ids_where(documents, lambda d: d.region == "Macao")
    assert expected
    assert allowed_documents(Filters(region=("Macau",)), documents) == expected
    assert allowed_documents(Filters(region=("澳門",)), documents) == expected


def test_several_regions_are_any_of(documents: dict[str, Document]) -> None:
    expected = ids_where(documents, lambda d: d.region in {"Hong Kong", "Macao"})
    assert allowed_documents(Filters(region=("HK", "Macao")), documents) == expected


def test_documents_without_region_never_pass_a_region_filter(
    documents: dict[str, Document],
) -> None:
    documents = {**documents, "no-region": doc("no-region", language="en")}
    no_region = ids_where(documents, lambda d: d.region is None)
    assert no_region
    for region in ("HK", "Guangdong", "Macao"):
        assert not allowed_documents(Filters(region=(region,)), documents) & no_region


def test_unknown_region_lists_the_known_ones(documents: dict[str, Document]) -> None:
    with pytest.raises(QueryError) as info:
        allowed_documents(Filters(region=("Taiwan",)), documents)
    message = str(info.value)
    assert "Taiwan" in message
    for known in ("Guangdong", "Hong Kong", "Macao"):
        assert known in message


def test_unknown_region_suggests_a_close_one(documents: dict[str, Document]) -> None:
    with pytest.raises(QueryError, match="did you mean 'Guangdong'"):
        allowed_documents(Filters(region=("Guangdon",)), documents)


def test_a_region_only_a_glossary_knows_is_still_unknown(documents: dict[str, Document]) -> None:
    """Shenzhen is in the glossary but no document has it as its region."""
    with pytest.raises(QueryError, match="unknown region"):
        allowed_documents(Filters(region=("Shenzhen",)), documents)


# --- allowed_documents: scheme ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["TTPS", TTPS, "top talent pass scheme", "高才通", "高端人才通行證計劃"]
)
def test_scheme_aliases_match_documents_listing_it(
    documents: dict[str, Document], value: str
) -> None:
    expected = ids_where(documents, lambda d: TTPS in d.schemes)
    assert len(expected) > 3
    assert allowed_documents(Filters(scheme=(value,)), documents) == expected


def test_scheme_filter_includes_documents_listing_several_schemes(
    documents: dict[str, Document],
) -> None:
    allowed = allowed_documents(Filters(scheme=("QMAS",)), documents)
    several = ids_where(
        documents, lambda d: "Quality Migrant Admission Scheme" in d.schemes and len(d.schemes) > 1
    )
    assert several and several <= allowed


def test_several_schemes_are_any_of(documents: dict[str, Document]) -> None:
    expected = ids_where(
        documents,
        lambda d: TTPS in d.schemes or "Quality Migrant Admission Scheme" in d.schemes,
    )
    assert allowed_documents(Filters(scheme=("TTPS", "QMAS")), documents) == expected


def test_scheme_words_match_whole_words_only() -> None:
    docs = {
        "a": doc("a", schemes=("Qianhai IIT policy",)),
        "b": doc("b", schemes=("Hengqin IITX policy",)),
    }
    assert allowed_documents(Filters(scheme=("IIT",)), docs) == {"a"}


def test_unknown_scheme(documents: dict[str, Document]) -> None:
    with pytest.raises(QueryError, match="unknown scheme 'Golden Visa'") as info:
        allowed_documents(Filters(scheme=("Golden Visa",)), documents)
    assert "did you mean" in str(info.value) or "known: " in str(info.value)


def test_unknown_value_suggests_the_closest_names(documents: dict[str, Document]) -> None:
    with pytest.raises(QueryError, match="did you mean 'Top Talent Pass Scheme'"):
        allowed_documents(Filters(scheme=("Top Talen Pass Schem",)), documents)


def test_unknown_value_in_a_corpus_without_that_field() -> None:
    with pytest.raises(QueryError, match="no indexed document has a region"):
        allowed_documents(Filters(region=("HK",)), {"a": doc("a")})


# --- allowed_documents: language --------------------------------------------------------------


def test_language_zh_means_both_scripts(documents: dict[str, Document]) -> None:
    allowed = allowed_documents(Filters(language=("zh",)), documents)
    assert allowed == ids_where(documents, lambda d: d.language.startswith("zh"))
    assert {documents[i].language for i in allowed} == {"zh-Hant", "zh-Hans"}


@pytest.mark.parametrize(
    ("value", "tag"), [("zh-HK", "zh-Hant"), ("zh-CN", "zh-Hans"), ("EN", "en")]
)
def test_language_tags_are_normalised(documents: dict[str, Document], value: str, tag: str) -> None:
    expected = ids_where(documents, lambda d: d.language == tag)
    assert expected
    assert allowed_documents(Filters(language=(value,)), documents) == expected


@pytest.mark.parametrize("value", ["fr", "chinese", "zh-XX"])
def test_bad_language(documents: dict[str, Document], value: str) -> None:
    with pytest.raises(QueryError, match="unknown language"):
        allowed_documents(Filters(language=(value,)), documents)


# --- allowed_documents: since -----------------------------------------------------------------


def test_since_uses_the_latest_of_published_and_updated() -> None:
    docs = {
        "updated-late": doc("updated-late", published=date(2019, 1, 1), updated=date(2024, 6, 1)),
        "published-late": doc("published-late", published=date(2024, 3, 1)),
        "old": doc("old", published=date(2018, 1, 1), updated=date(2023, 12, 31)),
        "undated": doc("undated"),
        "on-the-day": doc("on-the-day", published=date(2024, 1, 1)),
    }
    allowed = allowed_documents(Filters(since=date(2024, 1, 1)), docs)
    assert allowed == {"updated-late", "published-late", "on-the-day"}


def test_since_on_the_corpus(documents: dict[str, Document]) -> None:
    since = date(2025, 1, 1)
    expected = ids_where(documents, lambda d: (day := latest_date(d)) is not None and day >= since)
    allowed = allowed_documents(Filters(since=since), documents)
    assert allowed == expected
    assert 0 < len(allowed) < len(documents)


# --- combinations ---------------------------------------------------------------------------


def test_fields_combine_with_and(documents: dict[str, Document]) -> None:
    filters = Filters.parse({"region": "HK", "scheme": "TTPS", "language": "zh"})
    expected = ids_where(
        documents,
        lambda d: d.region == "Hong Kong" and TTPS in d.schemes and d.language.startswith("zh"),
    )
    assert expected
    assert allowed_documents(filters, documents) == expected
    region_only = allowed_documents(Filters(region=("HK",)), documents)
    assert expected < region_only


def test_and_across_fields_can_be_empty_without_error(documents: dict[str, Document]) -> None:
    """Each value exists on its own; only the combination has no document."""
    filters = Filters(region=("Macao",), scheme=("TTPS",))
    assert allowed_documents(filters, documents) == set()


def test_all_four_fields(documents: dict[str, Document]) -> None:
    since = date(2025, 1, 1)
    filters = Filters.parse(
        {"region": ["香港"], "scheme": [TTPS], "language": ["en"], "since": since.isoformat()}
    )
    expected = ids_where(
        documents,
        lambda d: (
            d.region == "Hong Kong"
            and TTPS in d.schemes
            and d.language == "en"
            and (latest_date(d) or date.min) >= since
        ),
    )
    assert expected
    assert allowed_documents(filters, documents) == expected
