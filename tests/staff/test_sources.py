"""`baybot add` and `baybot sources check` against a real web server on 127.0.0.1 serving the
fixture pages at their own paths; the index is real (FAISS, BM25) with the fast hash embedder,
so these run with `pytest -m unit`. Answers over added pages with the default models are in
test_sources_answers.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from typer.testing import CliRunner

from baybot.app.cli import app
from baybot.config import Settings
from baybot.corpus.boilerplate import line_key
from baybot.corpus.sidecar import read_sidecar
from baybot.corpus.sources import url_doc_id
from baybot.errors import SourceError
from baybot.index.catalog import list_documents
from baybot.index.store import IndexStore
from baybot.staff.sources import add, check
from tests.corpus_pages.conftest import as_date, expected_pages, page_bytes
from tests.servers import Route, page_server

pytestmark = pytest.mark.unit

TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf", ".txt": "text/plain"}


def page_path(page: dict[str, Any]) -> str:
    """Where the server puts a fixture: its own URL's path (a file without one under /files/)."""
    return urlsplit(page["url"]).path if page.get("url") else f"/files/{page['file']}"


def page_routes() -> dict[str, Route]:
    routes = {
        page_path(p): Route(content_type=TYPES[Path(p["file"]).suffix], body=page_bytes(p))
        for p in expected_pages()
    }
    routes["/robots.txt"] = Route(
        content_type="text/plain", body=b"User-agent: *\nDisallow: /private/\n"
    )
    routes["/private/notice.html"] = Route(body=b"<html><body><p>Hidden notice.</p></body></html>")
    routes["/image.png"] = Route(content_type="image/png", body=b"\x89PNG....")
    return routes


@pytest.fixture
def routes() -> dict[str, Route]:
    return page_routes()


@pytest.fixture
def server(routes: dict[str, Route]) -> Iterator[str]:
    with page_server(routes) as base:
        yield base


@pytest.fixture
def empty_settings(unit_settings: Settings, tmp_path: Path) -> Settings:
    """The hash embedder over an empty corpus folder that pages get added to."""
    corpus = tmp_path / "added"
    corpus.mkdir()
    return unit_settings.model_copy(update={"corpus_dir": corpus})


def test_every_fixture_added_by_url_keeps_its_metadata_and_no_boilerplate_chunk(
    server: str, empty_settings: Settings
) -> None:
    pages = expected_pages()
    urls = [server + page_path(p) for p in pages]
    report = add(empty_settings, urls)
    assert [a.status for a in report.added] == ["added"] * len(pages)
    assert report.ingest is not None and len(report.ingest.added) == len(pages)
    assert not report.ingest.skipped
    index = IndexStore(empty_settings.index_dir).load()
    for page, url in zip(pages, urls, strict=True):
        doc = index.documents[url_doc_id(url)]
        assert doc.published == as_date(page["published"]), page["file"]
        assert doc.url == url
        sidecar = read_sidecar(Path(empty_settings.corpus_dir) / f"{doc.id}.meta.yaml")
        assert sidecar.url == url and sidecar.sha256 and sidecar.fetched_at
        chunk_keys = {
            line_key(line)
            for c in index.chunks
            if c.doc_id == doc.id
            for line in c.text.splitlines()
        }
        assert chunk_keys, page["file"]
        for bad in page["forbidden"]:
            assert line_key(bad) not in chunk_keys, (page["file"], bad)
    rows = {r.id: r for r in list_documents(empty_settings)}
    undated = [p for p in pages if p["published"] is None]
    assert undated and all(
        rows[url_doc_id(server + page_path(p))].date == "undated" for p in undated
    )
    assert all(r.chunks > 0 for r in rows.values())


def test_adding_again_changes_nothing_and_keeps_staff_edits(
    server: str, empty_settings: Settings
) -> None:
    url = server + page_path(expected_pages()[0])
    first = add(empty_settings, [url], region="Macao")
    side = Path(empty_settings.corpus_dir) / f"{first.added[0].doc_id}.meta.yaml"
    data = yaml.safe_load(side.read_text("utf-8"))
    assert data["region"] == "Macao"
    data["title"] = "Corrected by staff"
    side.write_text(yaml.safe_dump(data), "utf-8")
    again = add(empty_settings, [url])
    assert again.added[0].status == "unchanged"
    assert read_sidecar(side).title == "Corrected by staff"
    doc = IndexStore(empty_settings.index_dir).load().documents[first.added[0].doc_id]
    assert (doc.title, doc.region) == ("Corrected by staff", "Macao")


def test_region_and_scheme_given_at_add_win(server: str, empty_settings: Settings) -> None:
    url = server + page_path(expected_pages()[0])
    report = add(
        empty_settings,
        [url],
        region="Guangdong",
        schemes=["Qianhai Hong Kong professionals filing"],
    )
    doc = IndexStore(empty_settings.index_dir).load().documents[report.added[0].doc_id]
    assert doc.region == "Guangdong"
    assert doc.schemes == ("Qianhai Hong Kong professionals filing",)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/private/notice.html", "robots.txt"),
        ("/image.png", "content type image/png"),
        ("/no/such/page.html", "HTTP 404"),
    ],
)
def test_refused_fetches_say_why(
    server: str, empty_settings: Settings, path: str, reason: str
) -> None:
    with pytest.raises(SourceError, match=reason):
        add(empty_settings, [server + path])
    assert not list(Path(empty_settings.corpus_dir).iterdir())


def test_size_limit_and_scheme(server: str, empty_settings: Settings) -> None:
    small = empty_settings.model_copy(update={"max_file_mb": 0.001})
    with pytest.raises(SourceError, match="limit"):
        add(small, [server + page_path(expected_pages()[0])])
    with pytest.raises(SourceError, match="only http"):
        add(empty_settings, ["ftp://127.0.0.1/notice.html"])


def test_a_file_is_copied_with_a_sidecar(empty_settings: Settings, tmp_path: Path) -> None:
    page = next(p for p in expected_pages() if p["file"].endswith(".txt"))
    source = tmp_path / page["file"]
    source.write_bytes(page_bytes(page))
    report = add(empty_settings, [str(source)], region="Hong Kong")
    (added,) = report.added
    assert (Path(empty_settings.corpus_dir) / page["file"]).read_bytes() == source.read_bytes()
    assert read_sidecar(Path(empty_settings.corpus_dir) / f"{added.doc_id}.meta.yaml").sha256
    doc = IndexStore(empty_settings.index_dir).load().documents[added.doc_id]
    assert doc.published == as_date(page["published"])


def test_sources_check_reports_changed_gone_moved_and_updates(
    server: str, routes: dict[str, Route], empty_settings: Settings
) -> None:
    pages = [p for p in expected_pages() if p.get("url") and p["file"].endswith(".html")][:4]
    paths = [page_path(p) for p in pages]
    add(empty_settings, [server + path for path in paths])
    changed, gone, moved, same = paths
    body = routes[changed].body
    first_figure = re.search(rb"\d[\d,]{3,}", body.split(b"</h1>")[-1].split(b"headline")[-1])
    assert first_figure
    routes[changed] = Route(body=body.replace(first_figure.group(0), b"9,999,999"))
    routes[gone] = Route(status=410)
    routes[moved] = Route(status=301, location="/moved/elsewhere.html")
    report = check(empty_settings)
    status = {c.url.removeprefix(server): c for c in report.checked}
    assert {path: status[path].status for path in paths} == {
        changed: "changed",
        gone: "gone",
        moved: "moved",
        same: "unchanged",
    }
    assert status[moved].location == server + "/moved/elsewhere.html"
    assert report.ingest is None and not any(c.updated for c in report.checked)

    updated = check(empty_settings, update=True)
    assert updated.ingest is not None
    assert updated.ingest.updated == (url_doc_id(server + changed),)
    index = IndexStore(empty_settings.index_dir).load()
    assert any(
        "9,999,999" in c.text for c in index.chunks if c.doc_id == url_doc_id(server + changed)
    )
    assert {c.status for c in check(empty_settings).checked if c.url == server + changed} == {
        "unchanged"
    }


def test_cli_add_documents_and_check(server: str, empty_settings: Settings) -> None:
    """The commands are a thin shell: the same results, as JSON."""
    env = {
        "BAYBOT_CORPUS_DIR": str(empty_settings.corpus_dir),
        "BAYBOT_INDEX_DIR": str(empty_settings.index_dir),
        "BAYBOT_CACHE_DIR": str(empty_settings.cache_dir),
        "BAYBOT_EMBEDDING_MODELS": ",".join(empty_settings.embedding_models),
        "BAYBOT_EMBEDDING_WEIGHTS": "1.0",
    }
    undated = next(p for p in expected_pages() if p["published"] is None)
    runner = CliRunner()
    result = runner.invoke(app, ["add", server + page_path(undated), "--json"], env=env)
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    assert added["ingest"]["added"] == [url_doc_id(server + page_path(undated))]
    listing = runner.invoke(app, ["documents", "--json"], env=env)
    assert listing.exit_code == 0, listing.output
    (row,) = json.loads(listing.stdout)["documents"]
    assert row["date"] == "undated" and row["region"] == undated["region"]
    assert row["schemes"] == undated["schemes"]
    text = runner.invoke(app, ["sources", "check"], env=env)
    assert text.exit_code == 0 and text.stdout.startswith("unchanged: ")
    refused = runner.invoke(app, ["add", server + "/private/notice.html"], env=env)
    assert refused.exit_code == 1 and "robots.txt" in refused.output
