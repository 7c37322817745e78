"""The chat in a real browser: headless Chromium (Debian's package, found on PATH: the
`browser` fixture in conftest.py) driven by Playwright. Skip these locally with
`pytest -m "not browser"`; CI installs Chromium and runs them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from baybot import Settings, ingest
from baybot.app.api import create_app
from baybot.app.wiring import build_assistant
from baybot.auth import StaffAccounts
from tests.conftest import CORPUS
from tests.servers import serve

pytestmark = pytest.mark.browser

PLANTED_URL = "https://example.org/talent-permit-fees"
PLANTED = f"""---
id: planted-fee-notice
title: "Pearl River talent permit fees <script>window.__pwned = 'title'</script>"
issuer: "Pearl River Talent Office <img src=x onerror=\\"window.__pwned = 'issuer'\\">"
region: Guangzhou
published: 2025-06-01
language: en
sources:
  - url: {PLANTED_URL}
---
# Pearl River talent permit fees

The Pearl River talent permit application fee is HK$230 per applicant \
<script>window.__pwned = 'body'</script>.
Fees are paid online <img src=x onerror="window.__pwned = 'img'"> before the permit is issued.
"""
QUESTION = "What is the application fee for the Pearl River talent permit?"
STAFF, STAFF_PASSWORD = "reviewer", "browser staff password"


@pytest.fixture(scope="module")
def url(tmp_path_factory, cache_dir) -> Iterator[str]:
    """The whole shipped corpus plus one announcement with HTML and script planted in its
    title, issuer and text, served on a real uvicorn server."""
    base = tmp_path_factory.mktemp("planted")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "planted-fee-notice.md").write_text(PLANTED, encoding="utf-8")
    settings = Settings(
        corpus_dir=corpus,
        index_dir=base / "index",
        cache_dir=cache_dir,
        feedback_db=base / "feedback.db",
        staff_cookie_secure=False,  # plain HTTP on 127.0.0.1
    )
    ingest(settings)
    assistant = build_assistant(settings)
    app = create_app(settings, assistant=assistant)
    StaffAccounts(app.state.database).add(STAFF, STAFF_PASSWORD)
    with serve(app) as address:
        yield address


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: BAYBOT_SCREENSHOTS, else the test's temporary folder."""
    folder = Path(os.environ.get("BAYBOT_SCREENSHOTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_chat(browser, url: str, *, locale: str = "en-US", width: int = 1280, height: int = 900):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(url + "/")
    page.wait_for_selector("#bb-question textarea")
    return page


def ask(page, question: str) -> None:
    before = page.locator("#bb-chat .message-row").count()
    page.fill("#bb-question textarea", question)
    page.click("#bb-send")
    page.wait_for_function(
        f"() => document.querySelectorAll('#bb-chat .message-row').length >= {before + 2}",
        timeout=60_000,
    )
    # The answer is complete when the sources panel fills and the streaming cursor is gone.
    page.wait_for_function(
        "() => { const b = document.querySelectorAll('#bb-chat .message-row');"
        " const last = b[b.length - 1]; return last && !last.innerText.includes('▍') &&"
        " last.innerText.trim().length > 0 && document.querySelector('#bb-sources') }",
        timeout=60_000,
    )


def test_a_question_streams_a_cited_answer_whose_footnote_links_the_source(
    browser, url, screenshots
):
    page = open_chat(browser, url)
    ask(page, QUESTION)
    page.wait_for_selector("#bb-sources article.bb-source", timeout=60_000)
    answer = page.locator("#bb-chat .message-row").last
    assert "HK$230" in answer.inner_text()
    footnote = answer.locator(f'a[href="{PLANTED_URL}"]').first
    n = footnote.inner_text().strip("[]")
    assert n.isdigit()
    card = page.locator(f"#bb-source-{n}")
    assert card.get_attribute("data-doc-id") == "planted-fee-notice"
    assert card.locator("a").first.get_attribute("href") == PLANTED_URL
    assert "2025-06-01" in card.inner_text()
    assert "HK$230" in card.locator("mark").first.inner_text()


def _question_offset(page) -> float:
    """Pixels from the top of the chat box to the newest question."""
    return page.evaluate(
        "() => { const rows = document.querySelectorAll('#bb-chat .message-row.user-row');"
        " const row = rows[rows.length - 1]; let box = row.parentElement;"
        " while (box.scrollHeight <= box.clientHeight) box = box.parentElement;"
        " return row.getBoundingClientRect().top - box.getBoundingClientRect().top; }"
    )


def test_the_newest_question_stays_in_view_above_its_answer(browser, url, screenshots):
    """The chat scrolls to the question, not to the bottom, so the reader sees what was
    asked and the start of the answer; the public status line shows no index version."""
    page = open_chat(browser, url)
    ask(page, "Do I need a job offer to apply for the Top Talent Pass Scheme?")
    ask(page, "What is the GBA 15% individual income tax subsidy?")
    page.wait_for_timeout(800)
    assert -4 <= _question_offset(page) <= 40, _question_offset(page)
    status = page.locator("#bb-status").inner_text()
    assert "announcements" in status and "index" not in status and "Loading" not in status
    page.screenshot(path=str(screenshots / "desktop-en.png"), full_page=True)


def test_html_and_script_planted_in_a_source_are_shown_as_text_never_run(browser, url):
    page = open_chat(browser, url)
    ask(page, QUESTION)
    page.wait_for_selector("#bb-sources article.bb-source", timeout=60_000)
    page.wait_for_timeout(500)  # any injected handler (img onerror) would have fired by now
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []
    sources = page.locator("#bb-sources").inner_text()
    assert "<script>window.__pwned = 'body'</script>" in sources
    assert "<img src=x onerror=" in sources
    assert page.locator("#bb-sources script, #bb-chat script, #bb-sources img").count() == 0
    hrefs = page.eval_on_selector_all("#bb-chat a, #bb-sources a", "els => els.map(e => e.href)")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)


def test_the_ui_follows_the_browser_language_and_can_switch(browser, url, screenshots):
    page = open_chat(browser, url, locale="zh-TW")
    page.wait_for_function("() => document.querySelector('#bb-send').innerText.includes('發問')")
    ask(page, "高才通B類要有幾多年工作經驗？")
    page.wait_for_selector("#bb-sources article.bb-source", timeout=60_000)
    assert "發布" in page.locator("#bb-sources").inner_text()
    page.screenshot(path=str(screenshots / "chat-zh-hant.png"), full_page=True)
    page.get_by_label("简体中文").check()
    page.wait_for_function("() => document.querySelector('#bb-send').innerText.includes('发问')")
    page.get_by_label("English").check()
    page.wait_for_function("() => document.querySelector('#bb-send').innerText.includes('Ask')")


def test_refusals_are_marked_and_follow_ups_use_the_conversation(browser, url):
    page = open_chat(browser, url)
    ask(page, "Which ski resorts near Zurich are open in May?")
    assert "No source covers this" in page.locator("#bb-chat .message-row").last.inner_text()
    ask(page, "Do I need a job offer to apply for the Top Talent Pass Scheme?")
    ask(page, "and how long is the initial stay?")  # says nothing of the scheme itself
    page.wait_for_selector("#bb-sources article.bb-source", timeout=60_000)
    cited = page.eval_on_selector_all(
        "#bb-sources article", "cards => cards.map(c => c.dataset.docId)"
    )
    assert cited and all("ttps" in doc_id for doc_id in cited), cited


def test_the_chat_works_on_a_phone_sized_screen(browser, url, screenshots):
    page = open_chat(browser, url, locale="zh-TW", width=390, height=844)
    page.wait_for_function("() => document.querySelector('#bb-send').innerText.includes('發問')")
    ask(page, "高才通B類要有幾多年工作經驗？")
    page.wait_for_selector("#bb-sources article.bb-source", timeout=60_000)
    sources, examples = (page.locator(s).bounding_box() for s in ("#bb-sources", "#bb-examples"))
    assert sources and examples and sources["y"] < examples["y"]  # sources follow the answer
    card = page.locator("#bb-sources details").first
    card.locator("summary").click()  # a card opens to its whole passage
    assert card.locator(".bb-passage").is_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 392, f"page is {overflow}px wide on a 390px screen"
    box = page.locator("#bb-send").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(screenshots / "phone-zh-hant.png"), full_page=True)


def staff_page(browser, url: str):
    """A staff member's browser: /staff sends it to the sign-in page; signed in, the app."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url + "/staff/")
    page.wait_for_selector("#bb-staff-name")
    assert page.url.endswith("/staff/login")
    page.fill("#bb-staff-name", STAFF)
    page.fill("#bb-staff-password", STAFF_PASSWORD)
    page.click("#bb-sign-in")
    page.wait_for_selector("#bb-sign-out", timeout=60_000)
    return page


def test_a_visitor_rates_an_answer_and_staff_see_it_after_signing_in(browser, url, screenshots):
    page = open_chat(browser, url)
    ask(page, QUESTION)
    page.wait_for_selector("#bb-sources article.bb-source", timeout=60_000)
    dislike = page.locator('#bb-chat button[aria-label="Dislike"]').last
    assert dislike.locator("svg").count() == 1  # an icon, not an emoji
    dislike.click()
    page.wait_for_selector("#bb-comment textarea", timeout=30_000)
    page.fill("#bb-comment textarea", "the fee looks outdated")
    page.click("#bb-send-comment")
    page.wait_for_function(
        "() => document.querySelector('#bb-rated-note').innerText.includes('Comment saved')"
    )
    page.screenshot(path=str(screenshots / "chat-rated.png"), full_page=True)

    staff = staff_page(browser, url)
    staff.get_by_role("tab", name="Feedback").click()
    staff.click("#bb-feedback-show")
    staff.wait_for_function(
        "() => document.querySelector('#bb-feedback').innerText.includes('the fee looks outdated')",
        timeout=30_000,
    )
    table = staff.locator("#bb-feedback").inner_text()
    assert "public" in table and "down" in table and "Pearl River" in table
    staff.screenshot(path=str(screenshots / "staff-feedback.png"), full_page=True)


def test_staff_inspect_retrieval_and_rate_after_signing_in(browser, url, screenshots):
    page = staff_page(browser, url)
    page.fill("#bb-staff-question textarea", QUESTION)
    page.click("#bb-inspect")
    page.wait_for_selector("#bb-staff-sources article.bb-source", timeout=60_000)
    table = page.locator("#bb-hits").inner_text()
    assert "bm25 rank" in table and "fused score" in table and "planted-fee-notice" in table
    page.click("#bb-down")
    page.wait_for_function("() => document.querySelector('#bb-rated').innerText.includes('saved')")
    page.screenshot(path=str(screenshots / "staff-inspector.png"), full_page=True)
    page.click("#bb-sign-out")
    page.wait_for_selector("#bb-staff-name", timeout=30_000)  # back at the sign-in page


def test_the_public_page_has_no_staff_tab(browser, url):
    page = open_chat(browser, url)
    assert page.get_by_role("tab", name="Staff").count() == 0
