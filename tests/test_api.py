from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from pydantic import SecretStr

from baybot.api import create_app

from .conftest import HIT_KEYS
from .servers import serve


@pytest.fixture(scope="module")
def server(assistant) -> Iterator[str]:
    """The API over the shared Assistant, open (no keys)."""
    with serve(create_app(assistant=assistant)) as url:
        yield url


def test_health_reports_readiness_index_size_and_models(server):
    data = requests.get(f"{server}/healthz", timeout=10).json()
    assert data["status"] == "ready" and data["documents"] == 58 and data["passages"] > 400
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


def test_openapi_schema_documents_the_request_limits(server):
    schema = requests.get(f"{server}/openapi.json", timeout=10).json()
    search = schema["components"]["schemas"]["SearchRequest"]["properties"]
    assert search["k"]["maximum"] == 50 and search["query"]["maxLength"] == 2000
    assert "/v1/answer" in schema["paths"] and "/v1/documents/{doc_id}" in schema["paths"]


def test_api_keys_and_rate_limits(assistant):
    settings = assistant.settings.model_copy(
        update={
            "api_keys": (SecretStr("first-key"), SecretStr("second-key")),
            "rate_limit_per_minute": 3,
            "cors_origins": ("https://baybot.example",),
        }
    )
    with serve(create_app(settings, assistant=assistant)) as url:
        search = f"{url}/v1/search"
        body = {"query": "QMAS quota", "k": 1}
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
