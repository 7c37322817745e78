from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from baybot.answer.assistant import Assistant
from baybot.app.api import create_app
from tests.conftest import CORPUS, HIT_KEYS
from tests.servers import serve


@pytest.fixture(scope="module")
def server(assistant, tmp_path_factory) -> Iterator[str]:
    """The API over the shared Assistant, open (no keys), with its own rate-limit counters."""
    own = tmp_path_factory.mktemp("api-db") / "baybot.db"
    settings = assistant.settings.model_copy(update={"feedback_db": own})
    with serve(create_app(settings, assistant=assistant)) as url:
        yield url


def test_health_reports_readiness_index_size_and_models(server):
    data = requests.get(f"{server}/healthz", timeout=10).json()
    shipped = len([p for p in CORPUS.iterdir() if p.suffix in (".md", ".txt")])
    assert data["status"] == "ready" and data["documents"] == shipped and data["passages"] > 400
    assert data["models"] == ["multilingual-e5-small", "use-multilingual"]


def test_search_returns_the_design_shape_and_applies_filters(server):
    response = requests.post(
        f"{server}/v1/search",
        json={"query": "高才通B類要有幾多年工作經驗？", "k": 3, "filters": {"language": ["zh"]}},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert len(data["hits"]) == 3
    assert set(data["hits"][0]) == HIT_KEYS
    assert all(h["language"].startswith("zh") for h in data["hits"])


def test_answers_are_cited_and_out_of_scope_questions_refused(server):
    answer = requests.post(
        f"{server}/v1/answer",
        json={
            "question": "What is the minimum monthly salary under the GBA Youth Employment Scheme?"
        },
        timeout=60,
    ).json()
    assert not answer["refused"] and "18,000" in answer["answer"] and answer["citations"]
    refusal = requests.post(
        f"{server}/v1/answer",
        json={"question": "What's the minimum salary for Singapore's ONE Pass?"},
        timeout=60,
    ).json()
    assert refusal["refused"] and refusal["citations"] == [] and refusal["topics"]


def test_streamed_answers_are_server_sent_tokens_then_the_answer(server):
    with requests.post(
        f"{server}/v1/answer",
        json={
            "question": "How much allowance do employers get each month?",
            "stream": True,
            "history": [{"role": "user", "content": "What is the GBA Youth Employment Scheme?"}],
        },
        stream=True,
        timeout=60,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = []
        name = None
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line.split(":", 1)[1])))
    names = [n for n, _ in events]
    assert names[-1] == "answer" and set(names[:-1]) == {"token"}
    final = events[-1][1]
    assert final["answer"] == "".join(d["text"] for n, d in events[:-1]).strip()
    assert "10,000" in final["answer"] and final["citations"]


def test_documents_are_served_and_unknown_ones_are_404(server):
    doc = requests.get(f"{server}/v1/documents/hk-gba-yes", timeout=10).json()
    assert (
        doc["doc_id"] == "hk-gba-yes" and doc["url"].startswith("http") and "18,000" in doc["text"]
    )
    missing = requests.get(f"{server}/v1/documents/no-such-doc", timeout=10)
    assert missing.status_code == 404 and "no-such-doc" in missing.json()["detail"]
    traversal = requests.get(f"{server}/v1/documents/..%2F..%2Fetc%2Fpasswd", timeout=10)
    assert traversal.status_code in (404, 422)


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("/v1/search", {"query": "x" * 2001}, "2000"),
        ("/v1/search", {"query": "QMAS", "k": 0}, "greater than or equal to 1"),
        ("/v1/search", {"query": "QMAS", "k": 51}, "less than or equal to 50"),
        ("/v1/search", {"query": "QMAS", "filters": {"colour": "red"}}, "colour"),
        ("/v1/search", {"query": "QMAS", "filters": {"region": ["Atlantis"]}}, "Atlantis"),
        ("/v1/answer", {"question": ""}, "at least 1"),
        ("/v1/answer", {"question": "QMAS?", "generator": "nope"}, "unknown generator"),
        ("/v1/answer", {"question": "QMAS?", "history": [{"role": "bot", "content": "x"}]}, "role"),
    ],
)
def test_bad_requests_are_422_with_a_reason(server, path, body, reason):
    response = requests.post(f"{server}{path}", json=body, timeout=30)
    assert response.status_code == 422
    assert reason in json.dumps(response.json())


@pytest.mark.parametrize("path", ["/v1/search", "/v1/answer"])
def test_a_422_names_the_limit_but_never_echoes_a_long_input(server, path):
    field = "query" if path.endswith("search") else "question"
    sent = "签证" + "q" * 9_990 + "tail-marker"
    response = requests.post(f"{server}{path}", json={field: sent}, timeout=30)
    assert response.status_code == 422 and "2000" in response.text
    assert "tail-marker" not in response.text and len(response.text) < 2_000
    assert "签证" in response.text  # the start is kept, to recognise the input


def test_openapi_schema_documents_the_request_limits(server):
    schema = requests.get(f"{server}/openapi.json", timeout=10).json()
    search = schema["components"]["schemas"]["SearchRequest"]["properties"]
    k_limits = {key: value for form in search["k"]["anyOf"] for key, value in form.items()}
    assert k_limits["maximum"] == 50 and search["query"]["maxLength"] == 2000
    assert "/v1/answer" in schema["paths"] and "/v1/documents/{doc_id}" in schema["paths"]


def test_api_keys_and_rate_limits(assistant, tmp_path):
    settings = assistant.settings.model_copy(
        update={
            "feedback_db": tmp_path / "baybot.db",
            "api_keys": (SecretStr("first-key"), SecretStr("second-key")),
            "rate_limit_per_minute": 3,
            "cors_origins": ("https://baybot.example",),
        }
    )
    with serve(create_app(settings, assistant=assistant)) as url:
        search = f"{url}/v1/search"
        body = {"query": "QMAS quota", "k": 1}
        # The limit counts per minute of the clock: start early in one so all five fall in it.
        if time.time() % 60 > 45:
            time.sleep(61 - time.time() % 60)
        assert requests.post(search, json=body, timeout=30).status_code == 401
        wrong = requests.post(search, json=body, headers={"X-API-Key": "nope"}, timeout=30)
        assert wrong.status_code == 401 and "nope" not in wrong.text
        bearer = {"Authorization": "Bearer first-key"}
        assert [
            requests.post(search, json=body, headers=bearer, timeout=30).status_code
            for _ in range(3)
        ] == [200, 200, 200]
        limited = requests.post(search, json=body, headers=bearer, timeout=30)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        # Each key has its own allowance; health checks need no key.
        other = requests.post(search, json=body, headers={"X-API-Key": "second-key"}, timeout=30)
        assert other.status_code == 200
        assert requests.get(f"{url}/healthz", timeout=10).status_code == 200
        preflight = requests.options(
            search,
            headers={
                "Origin": "https://baybot.example",
                "Access-Control-Request-Method": "POST",
            },
            timeout=10,
        )
        assert preflight.headers["access-control-allow-origin"] == "https://baybot.example"


@pytest.fixture(scope="module")
def open_server(assistant) -> Iterator[str]:
    """The API with no rate limit, for the input-robustness tests that send many requests."""
    settings = assistant.settings.model_copy(update={"rate_limit_per_minute": 0})
    with serve(create_app(settings, assistant=assistant, ui=False)) as url:
        yield url


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/v1/search", b"\xff\xfe\x00\x01 not json at all"),
        ("/v1/search", b'{"query": "\xff\xfe"}'),  # invalid UTF-8 inside JSON
        ("/v1/search", b'{"query": '),  # truncated
        ("/v1/search", b"[1, 2, 3]"),
        ("/v1/search", b'{"query": "   "}'),
        ("/v1/search", b'{"query": "QMAS", "k": "five"}'),
        ("/v1/search", b'{"query": "QMAS", "k": 1.5}'),
        ("/v1/search", b'{"query": "QMAS", "filters": {"since": "yesterday"}}'),
        ("/v1/search", b'{"query": "QMAS", "filters": {"region": 5}}'),
        ("/v1/answer", b'{"question": "\\u0000\\u0000"}'),
        ("/v1/answer", b'{"question": "QMAS?", "history": "not a list"}'),
        ("/v1/answer", ('{"question": "' + "題" * 100_000 + '"}').encode()),
        ("/v1/answer", b""),
    ],
)
def test_malformed_requests_are_4xx_with_a_reason_never_5xx(open_server, path, data):
    response = requests.post(
        f"{open_server}{path}", data=data, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert 400 <= response.status_code < 500, response.text[:300]
    assert response.json()["detail"]


def test_huge_bodies_are_refused_with_413_before_they_are_read(open_server):
    body = b'{"query": "' + b"x" * 3_000_000 + b'"}'
    response = requests.post(
        f"{open_server}/v1/search",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413 and "bytes" in response.json()["detail"]

    def chunks():  # no Content-Length: the limit is counted as the body streams in
        for _ in range(40):
            yield b"x" * 100_000

    streamed = requests.post(
        f"{open_server}/v1/search",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert streamed.status_code == 413
    assert requests.get(f"{open_server}/healthz", timeout=10).json()["status"] == "ready"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
TEXT = st.text(max_size=120) | st.sampled_from(["What is QMAS?", "高才通B類", "  ", "x" * 2001])
FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "region": st.lists(st.sampled_from(["HK", "香港", "Atlantis", ""]), max_size=2) | JSON,
        "scheme": st.lists(st.sampled_from(["TTPS", "QMAS", "nope"]), max_size=2) | JSON,
        "language": st.lists(st.sampled_from(["en", "zh", "xx"]), max_size=2) | JSON,
        "since": st.sampled_from(["2024-01-01", "2024-13-45", "yesterday"]) | JSON,
    },
)
SEARCH = st.fixed_dictionaries(
    {}, optional={"query": TEXT | JSON, "k": st.integers(-3, 60) | JSON, "filters": FILTERS | JSON}
)
TURN = st.fixed_dictionaries(
    {}, optional={"role": st.sampled_from(["user", "assistant", "system"]) | JSON, "content": TEXT}
)
ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "question": TEXT | JSON,
        "history": st.lists(TURN, max_size=3) | JSON,
        "generator": st.sampled_from(["extractive", "nope"]) | JSON,
        "filters": FILTERS,
        "stream": st.booleans(),
    },
)


def no_server_error(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.json()["detail"]


@settings(max_examples=700, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=SEARCH | JSON)
def test_generated_search_requests_never_get_a_server_error(open_server, body):
    no_server_error(requests.post(f"{open_server}/v1/search", json=body, timeout=60))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=ANSWER | JSON)
def test_generated_answer_requests_never_get_a_server_error(open_server, body):
    no_server_error(requests.post(f"{open_server}/v1/answer", json=body, timeout=60))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=300), path=st.sampled_from(["/v1/search", "/v1/answer"]))
def test_generated_raw_bodies_never_get_a_server_error(open_server, data, path):
    headers = {"Content-Type": "application/json"}
    no_server_error(requests.post(f"{open_server}{path}", data=data, headers=headers, timeout=60))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc_id=st.text(min_size=1, max_size=60))
def test_generated_document_ids_never_get_a_server_error_or_escape(open_server, doc_id):
    response = requests.get(f"{open_server}/v1/documents/{quote(doc_id, safe='')}", timeout=30)
    assert response.status_code in (200, 404, 422), response.status_code


def test_a_down_answer_server_gets_the_extractive_answer_and_the_api_stays_healthy(assistant):
    from ..servers import free_port

    settings = assistant.settings.model_copy(
        update={
            "openai_base_url": f"http://127.0.0.1:{free_port()}/v1",
            "openai_retries": 0,
            "openai_timeout": 2.0,
        }
    )
    helped = Assistant(assistant.retriever, settings, evidence=assistant.evidence)
    with serve(create_app(settings, assistant=helped, ui=False)) as url:
        body = {"question": "What is QMAS?", "generator": "openai"}
        answer = requests.post(f"{url}/v1/answer", json=body, timeout=60).json()
        assert answer["generator"] == "extractive" and answer["citations"]
        assert "openai backend failed" in answer["notice"]
        events = requests.post(f"{url}/v1/answer", json={**body, "stream": True}, timeout=60).text
        assert "event: answer" in events and "openai backend failed" in events
        assert requests.get(f"{url}/healthz", timeout=10).json()["status"] == "ready"


def test_api_keys_never_appear_in_logs_or_settings_output(assistant, caplog):
    import logging

    settings = assistant.settings.model_copy(update={"api_keys": (SecretStr("sekret-key-123"),)})
    with (
        caplog.at_level(logging.DEBUG),
        serve(create_app(settings, ui=False, assistant=assistant)) as url,
    ):
        bad = requests.post(
            f"{url}/v1/search",
            json={"query": "QMAS"},
            headers={"Authorization": "Bearer wrong-456"},
        )
        good = requests.post(
            f"{url}/v1/search", json={"query": "QMAS"}, headers={"X-API-Key": "sekret-key-123"}
        )
    assert bad.status_code == 401 and good.status_code == 200
    assert "sekret-key-123" not in caplog.text and "wrong-456" not in caplog.text
    assert "sekret-key-123" not in repr(settings) and "sekret-key-123" not in str(settings)


def test_concurrent_clients_get_no_errors_and_leave_the_server_healthy(open_server):
    """A bounded load in the suite (benchmarks/load.py runs the long one): 16 clients for 8 s
    mixing searches and answers, streamed and not."""
    import threading
    import time

    questions = [
        "What is QMAS?",
        "高才通B類要有幾多年工作經驗？",
        "港澳青年到前海就业有什么补贴？",
        "Can my spouse work in Hong Kong?",
    ]
    outcomes: list[int] = []
    stop = time.monotonic() + 8

    def client(n: int) -> None:
        session = requests.Session()
        i = n
        while time.monotonic() < stop:
            question = questions[i % len(questions)]
            if i % 3 == 0:
                r = session.post(f"{open_server}/v1/search", json={"query": question}, timeout=120)
            else:
                body = {"question": question, "stream": i % 3 == 2}
                r = session.post(f"{open_server}/v1/answer", json=body, timeout=120)
            outcomes.append(r.status_code)
            i += 16

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) >= 16 and set(outcomes) == {200}
    assert requests.get(f"{open_server}/healthz", timeout=10).json()["status"] == "ready"


def test_an_unknown_filter_value_is_never_echoed_whole(server):
    huge = "Atlantis" * 20_000
    response = requests.post(
        f"{server}/v1/search", json={"query": "QMAS", "filters": {"region": [huge]}}, timeout=30
    )
    assert response.status_code == 422
    assert "Atlantis" in response.text and len(response.text) < 2_000
