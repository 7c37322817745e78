"""Every fixture page against its row in fixtures/pages/expected.yaml."""

from __future__ import annotations

import re

import pytest

from baybot.corpus.boilerplate import line_key

from .conftest import Read, as_date, expected_pages

IDS = [p["file"] for p in expected_pages()]
# The bar for title and issuer, region and schemes: right on all but one page in twelve.
MIN_RIGHT_SHARE = 11 / 12


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def _page(read_pages: list[Read], file: str) -> Read:
    return next(r for r in read_pages if r.expected["file"] == file)


@pytest.mark.parametrize("file", IDS)
def test_date_is_the_pages_own_or_none(read_pages: list[Read], file: str) -> None:
    read = _page(read_pages, file)
    assert read.meta.published == as_date(read.expected["published"]), read.meta.date_source
    if "updated" in read.expected:
        assert read.meta.updated == as_date(read.expected["updated"])


@pytest.mark.parametrize("file", IDS)
def test_title_is_the_headline_and_issuer_the_publisher(read_pages: list[Read], file: str) -> None:
    read = _page(read_pages, file)
    assert _norm(read.meta.title) == _norm(read.expected["title"])
    assert _norm(read.meta.issuer) == _norm(read.expected["issuer"])


@pytest.mark.parametrize("file", IDS)
def test_region_and_schemes_inferred(read_pages: list[Read], file: str) -> None:
    read = _page(read_pages, file)
    assert read.inferred.region == read.expected["region"], read.inferred.region_scores
    assert set(read.inferred.schemes) == set(read.expected["schemes"]), read.inferred.scheme_scores


@pytest.mark.parametrize("file", IDS)
def test_no_boilerplate_line_survives(read_pages: list[Read], file: str) -> None:
    read = _page(read_pages, file)
    lines = {line_key(line) for line in read.text.splitlines()}
    flat = _norm(read.text)
    for bad in read.expected["forbidden"]:
        assert line_key(bad) not in lines, bad
        if len(bad) >= 8:  # short ones ("完") occur inside real words
            assert _norm(bad) not in flat, bad
    assert read.text.strip(), "the announcement itself must remain"


def test_declared_language_and_canonical_url(read_pages: list[Read]) -> None:
    for read in read_pages:
        if read.meta.language is not None:  # text and PDF declare none; the loader detects it
            assert read.meta.language == read.expected["language"], read.expected["file"]
        canonical = read.expected.get("canonical", read.expected["url"])
        assert read.meta.url == canonical, read.expected["file"]


def test_share_right_meets_the_bar(read_pages: list[Read]) -> None:
    """The acceptance figure, over all pages at once."""
    n = len(read_pages)
    right_meta = sum(
        _norm(r.meta.title) == _norm(r.expected["title"])
        and _norm(r.meta.issuer) == _norm(r.expected["issuer"])
        for r in read_pages
    )
    right_infer = sum(
        r.inferred.region == r.expected["region"]
        and set(r.inferred.schemes) == set(r.expected["schemes"])
        for r in read_pages
    )
    assert n >= 12
    assert right_meta / n >= MIN_RIGHT_SHARE
    assert right_infer / n >= MIN_RIGHT_SHARE


def test_no_page_is_dated_1_january_without_saying_so(read_pages: list[Read]) -> None:
    """The old failure: a year in the body became 1 January of that year."""
    for read in read_pages:
        d = read.meta.published
        if d is not None and (d.month, d.day) == (1, 1):
            assert as_date(read.expected["published"]) == d, read.expected["file"]


def test_newer_figure_is_told_apart_by_date(read_pages: list[Read]) -> None:
    """Two pages of one site give the same statistic; their dates say which figure is current."""
    pair = [r for r in read_pages if "statistic" in r.expected]
    assert len({r.expected["statistic"]["name"] for r in pair}) == 1 and len(pair) == 2
    newest = max(pair, key=lambda r: r.meta.published)
    oldest = min(pair, key=lambda r: r.meta.published)
    assert newest.meta.published > oldest.meta.published
    assert newest.expected["statistic"]["figure"] in newest.text
    assert oldest.expected["statistic"]["figure"] not in newest.text
