"""The staff Sources tab over real HTTP against a real uvicorn server, through the Gradio API
with a signed-in session: listing with filters and date order, escaping, adding a file and a
URL, editing a sidecar, and removing a document while searches run (none sees a half state).
Small corpus, hash embedder and echo generator (tests/plugins): what is tested is the corpus
changes and the index switch, not answer quality."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from gradio_client import Client, handle_file

from baybot import Settings, ingest
from baybot.app.api import create_app
from baybot.app.wiring import build_assistant
from baybot.auth import StaffAccounts
from tests.conftest import copy_corpus
from tests.corpus_pages.test_docx import write_docx
from tests.servers import Route, page_server, serve, sign_in

PASSWORD = "a long enough staff password"
PLANTED = """---
id: planted-permit
title: "Pearl River permit <script>window.__pwned = 1</script>"
issuer: "Office <img src=x onerror=alert(1)>"
region: Guangzhou
published: 2025-06-01
language: en
sources:
  - url: "javascript:alert(1)"
---
# Pearl River permit

The Pearl River permit costs HK$230 <b>bold</b>.
"""
# A notice with words no other document has, so a search for them finds it first.
REMOVABLE = """---
id: lantern-bursary
title: Lantern Islet relocation bursary
issuer: Lantern Islet Talent Office
region: Hong Kong
published: 2024-02-02
language: en
---
# Lantern Islet relocation bursary

The Lantern Islet relocation bursary pays quarrymen and lighthouse keepers who relocate.

Bursary claims for lighthouse keepers are made to the Lantern Islet Talent Office.
"""
NEWS_PAGE = b"""<!doctype html><html><head><meta charset="utf-8">
<title>Talent news - Example News</title>
<meta property="article:published_time" content="2025-09-14T08:00:00+08:00"></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>Hengqin adds a housing allowance for Macao graduates</h1>
<p>Macao graduates who work in the Guangdong-Macao In-Depth Cooperation Zone in Hengqin
can now claim a monthly housing allowance of 2,000 yuan for up to three years.</p>
<p>Applications open on 1 October 2025 through the Hengqin talent office website.</p>
</article></body></html>"""
JOB_DEADLINE_S = 240


@dataclass(frozen=True)
class Server:
    url: str
    settings: Settings
    headers: dict[str, str]


def sources_site(
    base: Path, cache_dir: Path, staff: str, password: str, **extra: Any
) -> tuple[AbstractContextManager[str], Settings]:
    """The shipped corpus plus a planted and a removable notice, ingested with the test
    plugins (hash embedder, echo generator), and the staff app with one account: the server
    context manager (url) and its settings."""
    corpus = copy_corpus(base / "corpus")
    (corpus / "planted-permit.md").write_text(PLANTED, "utf-8")
    (corpus / "lantern-bursary.md").write_text(REMOVABLE, "utf-8")
    settings = Settings(
        embedding_models=("hash-test",),
        embedding_weights=(1.0,),
        generator="echo-test",
        corpus_dir=corpus,
        index_dir=base / "index",
        cache_dir=cache_dir,
        feedback_db=base / "baybot.db",
        staff_cookie_secure=False,  # plain HTTP on 127.0.0.1
        **extra,
    )
    ingest(settings)
    app = create_app(settings, assistant=build_assistant(settings))
    StaffAccounts(app.state.database).add(staff, password)
    return serve(app), settings


@pytest.fixture(scope="module")
def server(tmp_path_factory, cache_dir, test_plugins) -> Iterator[Server]:
    site, settings = sources_site(
        tmp_path_factory.mktemp("sources"),
        cache_dir,
        "reviewer",
        PASSWORD,
        session_secret="s3cret-" * 6,
        rate_limit_per_minute=0,
    )
    with site as url:
        yield Server(url, settings, sign_in(url, "reviewer", PASSWORD))


def staff_client(server: Server) -> Client:
    return Client(server.url + "/staff/", verbose=False, download_files=False,
                  headers=server.headers)  # fmt: skip


def listing(client: Client, text: str = "", regions=(), schemes=(), order: str = "newest"):
    count, table, *_ = client.predict(
        text, list(regions), list(schemes), order, "en", api_name="/sources_list"
    )
    ids = re.findall(r'<tr data-doc-id="([^"]+)">', table)
    dates = re.findall(r"<td>(\d{4}-\d{2}-\d{2}|Undated)</td>", table)
    return count, table, ids, dates


def wait_for_job(client: Client) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_DEADLINE_S
    while True:
        status = client.predict(api_name="/sources_job")
        if status["state"] != "running":
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def test_the_sources_tab_is_for_signed_in_staff_only(server):
    call = f"{server.url}/staff/gradio_api/call/sources_remove"
    assert requests.post(call, json={"data": ["lantern-bursary", "en"]}, timeout=30
                         ).status_code == 401  # fmt: skip
    no_csrf = {"Cookie": server.headers["Cookie"]}
    response = requests.post(call, json={"data": ["lantern-bursary", "en"]}, headers=no_csrf,
                             timeout=30)  # fmt: skip
    assert response.status_code == 403
    assert (Path(server.settings.corpus_dir) / "lantern-bursary.md").exists()


def test_the_list_filters_sorts_by_date_and_escapes_what_sources_wrote(server):
    client = staff_client(server)
    count, table, ids, dates = listing(client)
    assert count.startswith(f"{len(ids)} of {len(ids)}") and len(ids) >= 8
    assert "planted-permit" in ids and "lantern-bursary" in ids
    assert "<script>" not in table and "&lt;script&gt;" in table
    assert "<img" not in table and "javascript:" not in re.sub(r"<td>[^<]*</td>", "", table)
    assert "Undated" not in dates or dates.index("Undated") >= len(
        [d for d in dates if d != "Undated"]
    )  # undated last
    known = [d for d in dates if d != "Undated"]
    assert known == sorted(known, reverse=True)
    _, _, _, oldest = listing(client, order="oldest")
    assert [d for d in oldest if d != "Undated"] == sorted(known)

    _, _, found, _ = listing(client, text="pearl river")
    assert found == ["planted-permit"]
    _, hk_table, hk, _ = listing(client, regions=["HK"])  # through the glossary
    assert "lantern-bursary" in hk and "planted-permit" not in hk
    assert hk_table.count("<tr data-doc-id") == hk_table.count("<td>Hong Kong</td>")
    _, _, ttps, _ = listing(client, schemes=["高才通"])
    assert ttps and "lantern-bursary" not in ttps
    with pytest.raises(Exception, match="unknown region"):
        listing(client, regions=["Atlantis"])


def test_added_file_and_url_are_indexed_and_the_sidecar_edit_reingests(server, tmp_path):
    client = staff_client(server)
    circular = write_docx(
        tmp_path / "hk-talent-circular.docx",
        title="Quality Migrant Admission Scheme: points test revised",
        paragraphs=["Immigration Department", "3 March 2026",
                    "The points test of the Quality Migrant Admission Scheme now counts ..."],
        table=[["Factor", "Points"], ["Age 18-39", "30"]],
    )  # fmt: skip
    routes = {"/news/2025/hengqin-housing.html": Route(body=NEWS_PAGE)}
    with page_server(routes) as site:
        job, _ = client.predict(
            [handle_file(str(circular))], f"{site}/news/2025/hengqin-housing.html", "", "",
            "en", api_name="/sources_add",
        )  # fmt: skip
        assert 'data-state="running"' in job
        status = wait_for_job(client)
    assert status["state"] == "done", status
    assert "2 added" in status["message"]
    _, table, ids, _ = listing(client)
    url_id = next(i for i in ids if "hengqin-housing" in i)
    assert "hk-talent-circular" in ids
    assert "2026-03-03" in table and "2025-09-14" in table
    search = requests.post(f"{server.url}/v1/search", json={"query": "housing allowance Hengqin",
                           "k": 3}, timeout=30).json()  # fmt: skip
    assert search["hits"][0]["doc_id"] == url_id

    sidecar_yaml = client.predict("hk-talent-circular", "en", api_name="/sources_metadata")
    fields = yaml.safe_load(sidecar_yaml)
    assert fields["published"] == "2026-03-03" or str(fields["published"]) == "2026-03-03"
    fields["title"] = "QMAS points test, as staff titled it"
    fields["region"] = "Hong Kong"
    client.predict("hk-talent-circular", yaml.safe_dump(fields), "en",
                   api_name="/sources_save_metadata")  # fmt: skip
    status = wait_for_job(client)
    assert status["state"] == "done" and "1 updated" in status["message"], status
    _, table, _, _ = listing(client, text="as staff titled it")
    assert "hk-talent-circular" in table
    on_disk = Path(server.settings.corpus_dir) / "hk-talent-circular.meta.yaml"
    assert "as staff titled it" in on_disk.read_text("utf-8")

    with pytest.raises(Exception, match="published"):  # checked before anything is written
        client.predict("hk-talent-circular", "published: next tuesday\n", "en",
                       api_name="/sources_save_metadata")  # fmt: skip
    assert "as staff titled it" in on_disk.read_text("utf-8")


def test_removing_a_document_while_searching_never_shows_a_half_state(server):
    client = staff_client(server)
    query = {"query": "Lantern Islet relocation bursary lighthouse keepers", "k": 5}
    seen: dict[int, list[bool]] = {}
    errors: list[str] = []
    stop = threading.Event()

    def searcher(n: int) -> None:
        session = requests.Session()
        seen[n] = []
        while not stop.is_set():
            response = session.post(f"{server.url}/v1/search", json=query, timeout=30)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:200]}")
                continue
            hits = response.json()["hits"]
            if any(not h["title"] for h in hits):
                errors.append("a hit without its document's title")
            ids = [h["doc_id"] for h in hits]
            seen[n].append("lantern-bursary" in ids)

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        client.predict("lantern-bursary", "en", api_name="/sources_remove")
        status = wait_for_job(client)
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert status["state"] == "done" and "1 removed" in status["message"], status
    assert not errors, errors[:3]
    for n, flags in seen.items():
        assert flags and flags[0] and not flags[-1], n  # found before, gone after
        switch = flags.index(False)
        assert not any(flags[switch:]), n  # once gone, never back: one switch, no mixing
    total = sum(len(f) for f in seen.values())
    print(f"\n{total} searches around the removal; {status['seconds']:.1f} s for the job")
    corpus = Path(server.settings.corpus_dir)
    assert not (corpus / "lantern-bursary.md").exists()
    assert list((corpus / ".removed").rglob("lantern-bursary.md"))
    _, _, ids, _ = listing(client)
    assert "lantern-bursary" not in ids
    shutil.rmtree(corpus / ".removed")
