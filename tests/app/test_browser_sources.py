"""The staff Sources tab in a real browser (headless Chromium from PATH, as test_browser.py):
sign in, filter the document list, remove a document and see it leave the list; script a
source planted in its title never runs. Hash embedder and echo generator (tests/plugins)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.test_staff_sources import sources_site

pytestmark = pytest.mark.browser

STAFF, STAFF_PASSWORD = "librarian", "sources tab browser password"


@pytest.fixture(scope="module")
def site(tmp_path_factory, cache_dir, test_plugins) -> Iterator[tuple[str, Path]]:
    server, settings = sources_site(
        tmp_path_factory.mktemp("sources-browser"), cache_dir, STAFF, STAFF_PASSWORD
    )
    with server as url:
        yield url, settings.corpus_dir


def rows(page) -> list[str]:
    return page.eval_on_selector_all(
        "#bb-documents tr[data-doc-id]", "(rs) => rs.map((r) => r.dataset.docId)"
    )


def test_staff_filter_the_sources_and_remove_one(browser, site):
    url, corpus = site
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url + "/staff/")
    page.wait_for_selector("#bb-staff-name")
    page.fill("#bb-staff-name", STAFF)
    page.fill("#bb-staff-password", STAFF_PASSWORD)
    page.click("#bb-sign-in")
    page.wait_for_selector("#bb-sign-out", timeout=60_000)

    page.get_by_role("tab", name="Sources").click()  # opening the tab lists every document
    page.wait_for_selector("#bb-documents tr[data-doc-id]", timeout=30_000)
    listed = rows(page)
    assert {"planted-permit", "lantern-bursary"} <= set(listed)
    assert page.evaluate("window.__pwned") is None  # the planted title's script never ran
    assert "<script>" in page.locator("#bb-documents").inner_text()  # shown as text

    page.fill("#bb-src-text textarea", "lantern")
    page.click("#bb-src-show")
    page.wait_for_function(
        "() => document.querySelectorAll('#bb-documents tr[data-doc-id]').length === 1",
        timeout=30_000,
    )
    assert rows(page) == ["lantern-bursary"]

    page.click("#bb-src-pick input")
    page.get_by_role("option", name="lantern-bursary").click()
    page.click("#bb-src-remove")
    page.wait_for_selector('#bb-job [data-state="done"]', timeout=120_000)
    page.wait_for_function(
        "() => document.querySelectorAll('#bb-documents tr[data-doc-id]').length === 0",
        timeout=30_000,
    )
    page.fill("#bb-src-text textarea", "")
    page.click("#bb-src-show")
    page.wait_for_function(
        f"() => document.querySelectorAll('#bb-documents tr[data-doc-id]').length"
        f" === {len(listed) - 1}",
        timeout=30_000,
    )
    assert "lantern-bursary" not in rows(page)
    assert not (corpus / "lantern-bursary.md").exists()
    shots = os.environ.get("BAYBOT_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "staff-sources.png"), full_page=True)
