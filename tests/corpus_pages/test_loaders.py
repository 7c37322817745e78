"""The fixture pages dropped into a corpus folder and read by the real loaders through discovery
(sidecars, site-repeated lines, inference), as `baybot ingest` reads them."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
import yaml

from baybot.corpus.boilerplate import line_key
from baybot.corpus.discovery import discover, document_hash, load_corpus, read_bytes, signature
from baybot.types import Document

from .conftest import as_date, expected_pages, write_corpus

pytestmark = pytest.mark.unit  # no model: the loaders, the glossary and the fixture pages only

MIN_RIGHT_SHARE = 11 / 12  # the bar: all but one page in twelve


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Document]:
    corpus = write_corpus(tmp_path_factory.mktemp("pages"), expected_pages())
    result = load_corpus(corpus)
    assert not result.skipped
    return {d.path: d for d in result.documents}


def test_sidecars_are_not_documents(loaded: dict[str, Document]) -> None:
    assert len(loaded) == len(expected_pages())
    assert not any(path.endswith(".yaml") for path in loaded)


@pytest.mark.parametrize("page", expected_pages(), ids=lambda p: p["file"])
def test_dates_right_or_none(loaded: dict[str, Document], page: dict) -> None:  # type: ignore[type-arg]
    doc = loaded[page["file"]]
    assert doc.published == as_date(page["published"])
    if "updated" in page:
        assert doc.updated == as_date(page["updated"])


def test_metadata_meets_the_bar(loaded: dict[str, Document]) -> None:
    pages = expected_pages()
    meta = sum(
        _norm(loaded[p["file"]].title) == _norm(p["title"])
        and _norm(loaded[p["file"]].issuer) == _norm(p["issuer"])
        for p in pages
    )
    inferred = sum(
        loaded[p["file"]].region == p["region"]
        and set(loaded[p["file"]].schemes) == set(p["schemes"])
        for p in pages
    )
    assert len(pages) >= 12
    assert meta / len(pages) >= MIN_RIGHT_SHARE
    assert inferred / len(pages) >= MIN_RIGHT_SHARE


def test_no_boilerplate_in_the_text(loaded: dict[str, Document]) -> None:
    for page in expected_pages():
        doc = loaded[page["file"]]
        keys = {line_key(line) for line in doc.text.splitlines()}
        for bad in page["forbidden"]:
            assert line_key(bad) not in keys, (page["file"], bad)


def test_each_page_links_to_its_own_url(loaded: dict[str, Document]) -> None:
    for page in expected_pages():
        if page.get("url"):
            assert loaded[page["file"]].url == page["url"]


def test_undated_page_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    undated = [p for p in expected_pages() if p["published"] is None]
    dated = [p for p in expected_pages() if p["published"]][:1]
    assert undated and dated
    with caplog.at_level(logging.WARNING, logger="baybot.corpus.discovery"):
        load_corpus(write_corpus(tmp_path, undated + dated))
    warned = [r.getMessage() for r in caplog.records if "undated" in r.getMessage()]
    assert [m for m in warned if undated[0]["file"] in m]
    assert not [m for m in warned if dated[0]["file"] in m]


def test_sidecar_overrides_what_inference_found(tmp_path: Path) -> None:
    page = next(p for p in expected_pages() if p["published"] is None)
    corpus = write_corpus(tmp_path, [page])
    stem = page["file"].rsplit(".", 1)[0]
    fixes = {
        "url": page["url"],
        "title": "Staff title",
        "issuer": "Staff issuer",
        "region": "Macao",
        "schemes": "Macao Talent Introduction Scheme",
        "published": "2025-02-03",
        "language": "en",
    }
    (corpus / f"{stem}.meta.yaml").write_text(yaml.safe_dump(fixes), "utf-8")
    (doc,) = load_corpus(corpus).documents
    assert (doc.title, doc.issuer, doc.region, doc.schemes) == (
        "Staff title",
        "Staff issuer",
        "Macao",
        ("Macao Talent Introduction Scheme",),
    )
    assert doc.published == as_date("2025-02-03")
    assert doc.language == "en"
    assert doc.url == page["url"]


def test_a_broken_sidecar_skips_its_document_with_the_reason(tmp_path: Path) -> None:
    page = expected_pages()[0]
    corpus = write_corpus(tmp_path, [page])
    stem = page["file"].rsplit(".", 1)[0]
    (corpus / f"{stem}.meta.yaml").write_text("published: next tuesday\n", "utf-8")
    result = load_corpus(corpus)
    assert not result.documents
    assert "published" in result.skipped[0].reason


def test_a_sidecar_change_changes_the_document_hash(tmp_path: Path) -> None:
    page = expected_pages()[0]
    corpus = write_corpus(tmp_path, [page])
    (file,) = discover(corpus, 10**8)[0]
    assert file.sidecar is not None
    before = (signature(file), document_hash(file, read_bytes(file)))
    file.sidecar.write_text(file.sidecar.read_text("utf-8") + "region: Macao\n", "utf-8")
    stat = file.sidecar.stat()
    os.utime(file.sidecar, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    after = (signature(file), document_hash(file, read_bytes(file)))
    assert before[0] != after[0] and before[1] != after[1]


@pytest.mark.parametrize("sidecars", [True, False], ids=["site-from-url", "site-from-publisher"])
def test_site_lines_come_from_sibling_pages(tmp_path: Path, sidecars: bool) -> None:
    """A line the site repeats survives on a page read alone, and goes once its sibling is in
    the corpus too (pages saved without a url are grouped by the publisher they name)."""
    siblings = [p for p in expected_pages() if p.get("site")]
    assert len(siblings) == 2
    repeated = {line_key(b) for b in siblings[0]["forbidden"]} & {
        line_key(b) for b in siblings[1]["forbidden"]
    }
    alone = load_corpus(write_corpus(tmp_path / "alone", siblings[:1], sidecars=sidecars))
    together = load_corpus(write_corpus(tmp_path / "both", siblings, sidecars=sidecars)).documents
    alone_keys = {line_key(line) for line in alone.documents[0].text.splitlines()}
    assert repeated & alone_keys, "the fixture's shared line is no longer in the main text"
    for doc in together:
        assert not repeated & {line_key(line) for line in doc.text.splitlines()}
