"""Pages added by URL from a real server on 127.0.0.1, answered with the default models: the new
page is cited with its date after one incremental ingest, filters keep it, and two dated pages
giving one figure are reconciled newest first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from baybot.answer.assistant import Assistant
from baybot.app.web.render import sources_html
from baybot.app.wiring import build_assistant
from baybot.config import Settings
from baybot.corpus.sources import url_doc_id
from baybot.index.ingest import ingest
from baybot.staff.sources import SourcesReport, add
from tests.conftest import copy_corpus
from tests.corpus_pages.conftest import as_date, expected_pages
from tests.servers import page_server
from tests.staff.test_sources import page_path, page_routes


def _page(file: str) -> dict[str, Any]:
    return next(p for p in expected_pages() if p["file"] == file)


MACAO = _page("mo-talent-scheme.html")
STATS = sorted(
    (p for p in expected_pages() if "statistic" in p), key=lambda p: as_date(p["published"])
)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with page_server(page_routes()) as base:
        yield base


@pytest.fixture(scope="module")
def added(
    server: str, tmp_path_factory: pytest.TempPathFactory, cache_dir: Path
) -> tuple[Settings, SourcesReport, Assistant]:
    """The small shipped corpus indexed with the default models, then three pages added by URL
    in one `add` (one incremental ingest)."""
    base = tmp_path_factory.mktemp("added-pages")
    settings = Settings(
        corpus_dir=copy_corpus(base / "corpus"), index_dir=base / "index", cache_dir=cache_dir
    )
    ingest(settings)
    report = add(settings, [server + page_path(p) for p in (MACAO, *STATS)])
    return settings, report, build_assistant(settings)


def _doc_id(server: str, page: dict[str, Any]) -> str:
    return url_doc_id(server + page_path(page))


def test_one_incremental_ingest_adds_only_the_new_pages(server: str, added) -> None:
    _, report, _ = added
    assert report.ingest is not None and report.ingest.rebuilt is None
    assert set(report.ingest.added) == {_doc_id(server, p) for p in (MACAO, *STATS)}
    assert not report.ingest.updated and not report.ingest.removed
    print(f"ingest of the added pages: {report.ingest.seconds:.1f} s", report.ingest.timings)


def test_added_page_is_cited_with_its_date(server: str, added) -> None:
    _, _, assistant = added
    answer = assistant.ask(
        "When can people apply in the second round of Macao's talent introduction programme?"
    )
    assert not answer.refused
    cited = [c for c in answer.citations if c.doc_id == _doc_id(server, MACAO)]
    assert cited, [c.doc_id for c in answer.citations]
    assert cited[0].published == as_date(MACAO["published"])
    assert cited[0].url == server + page_path(MACAO)
    assert MACAO["published"].isoformat() in sources_html(answer, "en")


@pytest.mark.parametrize(
    "filters",
    [
        {"region": ["Macau"]},
        {"scheme": ["Macao Talent Introduction Scheme"]},
        {"since": "2023-07-01"},
        {"region": ["澳門"], "since": "2023-01-01"},
    ],
)
def test_filters_keep_the_added_page(server: str, added, filters: dict[str, Any]) -> None:
    _, _, assistant = added
    hits = assistant.retriever.search(
        "Macao talent introduction applications", k=5, filters=filters
    )
    assert _doc_id(server, MACAO) in {h.doc_id for h in hits}


def _figure_at(text: str, figure: str) -> int:
    """Where a figure such as "74 000" first appears, however its thousands are separated."""
    digits = figure.replace(" ", "")
    pattern = rf"{digits[:-3]}[\s,\u00a0]?{digits[-3:]}"
    match = re.search(pattern, text)
    return match.start() if match else -1


def test_newer_figure_first_with_both_dates(server: str, added) -> None:
    """Two pages of one site give the same statistic at different dates: the answer gives the
    newer figure first and dates both."""
    _, _, assistant = added
    old, new = STATS
    answer = assistant.ask(
        "How many applications under the talent admission schemes have been approved so far?"
    )
    cited = {c.doc_id for c in answer.citations}
    assert {_doc_id(server, old), _doc_id(server, new)} <= cited, answer.text
    newer_at = _figure_at(answer.text, new["statistic"]["figure"])
    older_at = _figure_at(answer.text, old["statistic"]["figure"])
    assert 0 <= newer_at < older_at or older_at == -1 and newer_at >= 0, answer.text
    for page in (old, new):
        day: date = as_date(page["published"])
        assert day.isoformat() in answer.text or f"{day:%-d %B %Y}" in answer.text, answer.text
