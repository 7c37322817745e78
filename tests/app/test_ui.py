"""The web UI over a real server: the Gradio API driven with gradio_client, as an integrator or
a test script would."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from gradio_client import Client, handle_file

from baybot.app.api import create_app
from baybot.auth import StaffAccounts
from tests.servers import serve, sign_in

TTPS_QUESTION = "Do I need a job offer to apply for the Top Talent Pass Scheme?"


STAFF_PASSWORD = "a long enough staff password"


@pytest.fixture(scope="module")
def url(assistant, tmp_path_factory) -> Iterator[str]:
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.db"
    settings = assistant.settings.model_copy(
        update={"feedback_db": feedback, "staff_cookie_secure": False}
    )
    app = create_app(settings, assistant=assistant)
    StaffAccounts(app.state.database).add("reviewer", STAFF_PASSWORD)
    with serve(app) as base:
        yield base


@pytest.fixture
def client(url) -> Client:
    """A fresh browser-like session (its own conversation state)."""
    return Client(url + "/", verbose=False, download_files=False)


@pytest.fixture
def staff(url) -> Client:
    """A gradio_client session on the staff app, signed in, sending the CSRF header."""
    return Client(url + "/staff/", verbose=False, download_files=False, headers=sign_in(url))


def bubble(chat: list[dict]) -> str:
    """The text of the last assistant message."""
    content = chat[-1]["content"]
    return "".join(part["text"] for part in content) if isinstance(content, list) else content


def plain(markdown: str) -> str:
    """Our status lines without their Markdown escapes."""
    return markdown.replace("\\", "")


def test_one_server_serves_the_chat_the_rest_api_and_its_docs(url):
    page = requests.get(url + "/", timeout=30)
    assert page.status_code == 200 and '"title":"BayBot"' in page.text
    assert requests.get(url + "/docs", timeout=30).status_code == 200
    assert requests.get(url + "/healthz", timeout=30).json()["status"] == "ready"
    hits = requests.post(url + "/v1/search", json={"query": "QMAS", "k": 2}, timeout=30).json()
    assert len(hits["hits"]) == 2


def test_a_chat_message_gets_a_cited_answer_with_footnotes_and_sources(client, assistant):
    box, chat, sources = client.predict(TTPS_QUESTION, [], "en", api_name="/chat")
    assert box == ""
    assert chat[0]["role"] == "user" and chat[-1]["role"] == "assistant"
    text = bubble(chat)
    expected = assistant.ask(TTPS_QUESTION)
    first = expected.citations[0]
    assert f"[\\[{first.n}\\]]({first.url} " in text  # the footnote marker links to its source
    assert "\n---\n" in text and first.title.split(":")[0] in text.split("---")[1]
    assert f'id="bb-source-{first.n}"' in sources and f'data-doc-id="{first.doc_id}"' in sources
    assert "<mark>" in sources and first.published.isoformat() in sources


def test_follow_ups_use_the_conversation(client):
    _, chat, _ = client.predict(TTPS_QUESTION, [], "en", api_name="/chat")
    _, chat, sources = client.predict(
        "and how long is the initial stay?", chat, "en", api_name="/chat"
    )
    assert len(chat) == 4
    assert "24 months" in bubble(chat)
    assert 'data-doc-id="hk-ttps' in sources


def test_out_of_scope_questions_are_marked_and_offer_topics_in_the_ui_language(client):
    _, chat, sources = client.predict(
        "南极科考站的签证政策是什么？", [], "zh-Hans", api_name="/chat"
    )
    text = bubble(chat)
    assert text.startswith("**没有资料涵盖这个问题**")
    assert "资料涵盖的相近主题" in text and "](https://" in text
    assert "bb-sources-empty" in sources


def test_staff_inspect_rate_and_export(staff, url):
    client = staff
    answer_md, applied, hits, timings, sources, rated = client.predict(
        "高才通B類要有幾多年工作經驗？",
        "extractive",
        5,
        ["HK"],
        [],
        ["zh"],
        "",
        "en",
        api_name="/inspect",
    )
    assert "](https://" in answer_md and "bb-source-" in sources and rated == ""
    assert "region: ['HK']" in plain(applied) and "language: ['zh']" in plain(applied)
    headers = hits["headers"]
    for name in ("multilingual-e5-small", "use-multilingual", "bm25", "fused"):
        assert f"{name} score" in headers and f"{name} rank" in headers
    rows = [dict(zip(headers, row, strict=True)) for row in hits["data"]]
    assert len(rows) == 5 and all(r["language"] in ("zh-Hant", "zh-Hans") for r in rows)
    assert [r["fused rank"] for r in rows] == sorted(r["fused rank"] for r in rows)
    assert timings["total"] > 0 and "search" in timings

    saved = client.predict("cites the old rule", "en", api_name="/rate_down")
    assert plain(saved).startswith("Feedback #") and plain(saved).endswith(" saved.")
    count, table, exported = client.predict(
        "down", "staff", [], "", "", api_name="/export_feedback"
    )
    assert count.startswith("1 ")
    path = exported["path"] if isinstance(exported, dict) else exported
    if not Path(path).exists():  # served from the server's cache
        path = requests.get(exported["url"], timeout=30).content.decode("utf-8-sig")
        text = path
    else:
        text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[-1]["rating"] == "down" and rows[-1]["comment"] == "cites the old rule"
    assert rows[-1]["question"] == "高才通B類要有幾多年工作經驗？"
    assert rows[-1]["index_version"].startswith("v-") and "hk-ttps" in rows[-1]["citations"]
    assert table["data"][0][table["headers"].index("comment")] == "cites the old rule"


def test_rating_before_any_answer_asks_for_one(staff):
    assert plain(staff.predict("", "en", api_name="/rate_up")) == "Run a question first."


def test_the_public_page_has_no_staff_tools(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {"/chat"}


def test_batch_upload_gives_a_table_and_a_csv(staff, tmp_path):
    client = staff
    questions = tmp_path / "questions.csv"
    questions.write_text(
        f'question\n"{TTPS_QUESTION}"\n南极科考站的签证政策是什么？\n', encoding="utf-8"
    )
    table, download = client.predict(
        handle_file(str(questions)), "extractive", "en", api_name="/batch"
    )
    rows = [dict(zip(table["headers"], row, strict=True)) for row in table["data"]]
    assert [r["refused"] for r in rows] == [False, True]
    assert rows[0]["citations"].startswith("[1] ")
    assert download["url"].endswith(".csv")
    body = requests.get(download["url"], headers=client.headers, timeout=30)
    body = body.content.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(body)))) == 2
