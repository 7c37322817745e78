"""The openai backend against a real llama.cpp server and against servers that misbehave."""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from baybot import Settings
from baybot.answer.generators import GenerationError, Generator, QuestionRewriter, load_generator
from baybot.answer.generators.llamacpp import packaged_model
from baybot.answer.generators.openai import OpenAIGenerator
from tests.servers import fake_server, free_port, llama_server, make_request, reply


def _settings(cache_dir: Path, base_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "openai_base_url": base_url,
        "openai_timeout": 30.0,
        "openai_retries": 0,
        "answer_max_tokens": 40,
        "cache_dir": cache_dir,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(scope="session")
def llama_base_url(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install -e '.[llamacpp]'")
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_server(packaged_model(cache_dir), log) as base_url:
        yield base_url


@pytest.fixture
def real(llama_base_url: str, cache_dir: Path) -> OpenAIGenerator:
    return OpenAIGenerator(_settings(cache_dir, llama_base_url))


def test_registry_builds_the_backend(cache_dir: Path) -> None:
    generator = load_generator("openai", _settings(cache_dir, "http://127.0.0.1:9/v1"))
    assert isinstance(generator, OpenAIGenerator) and generator.name == "openai"
    assert isinstance(generator, Generator) and isinstance(generator, QuestionRewriter)


@pytest.mark.llamacpp
def test_stream_yields_several_chunks(real: OpenAIGenerator) -> None:
    chunks = list(real.stream(make_request()))
    assert len(chunks) > 1
    assert all(isinstance(chunk, str) and chunk for chunk in chunks)
    assert "".join(chunks).strip()


# A conversation to rewrite a follow-up against: the backend's non-streamed request.
HISTORY = [
    {"role": "user", "content": "What is the Top Talent Pass Scheme?"},
    {"role": "assistant", "content": "A Hong Kong visa scheme for high earners [1]."},
]


def _rewrite(generator: OpenAIGenerator) -> str:
    return generator.rewrite("How long does it last?", HISTORY)


@pytest.mark.llamacpp
def test_rewrite_returns_a_question(real: OpenAIGenerator) -> None:
    assert _rewrite(real).strip()


def test_nothing_listening_is_reported_quickly(cache_dir: Path) -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"
    generator = OpenAIGenerator(_settings(cache_dir, base_url, openai_retries=1))
    started = time.monotonic()
    with pytest.raises(GenerationError, match="cannot reach the answer server") as error:
        _rewrite(generator)
    assert base_url in str(error.value)
    assert time.monotonic() - started < 5
    with pytest.raises(GenerationError, match="cannot reach the answer server"):
        list(generator.stream(make_request()))


def _slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(3)
    reply(handler, 200, "application/json", "{}")


def test_a_server_that_does_not_answer_in_time(cache_dir: Path) -> None:
    with fake_server(_slow) as base_url:
        generator = OpenAIGenerator(_settings(cache_dir, base_url, openai_timeout=1.0))
        started = time.monotonic()
        with pytest.raises(GenerationError, match=r"did not answer within 1 s") as error:
            _rewrite(generator)
        assert base_url in str(error.value)
        assert time.monotonic() - started < 2.5
        with pytest.raises(GenerationError, match=r"did not answer within 1 s"):
            list(generator.stream(make_request()))


def _html(handler: BaseHTTPRequestHandler) -> None:
    reply(handler, 200, "text/html", "<html><body>Welcome to nginx!</body></html>")


def _json_without_choices(handler: BaseHTTPRequestHandler) -> None:
    reply(handler, 200, "application/json", json.dumps({"id": "x", "object": "chat.completion"}))


def _broken_sse(handler: BaseHTTPRequestHandler) -> None:
    chunk = {"id": "x", "object": "chat.completion.chunk", "choices": []}
    good = {**chunk, "choices": [{"index": 0, "delta": {"content": "Two"}}]}
    body = f'data: {json.dumps(good)}\n\ndata: {{"id": "x", "choices": [{{"delta": \n\n'
    reply(handler, 200, "text/event-stream", body)


@pytest.mark.parametrize("respond", [_html, _json_without_choices], ids=["html", "no-choices"])
def test_malformed_completions_are_unusable(cache_dir: Path, respond: object) -> None:
    with fake_server(respond) as base_url:  # type: ignore[arg-type]
        generator = OpenAIGenerator(_settings(cache_dir, base_url))
        with pytest.raises(GenerationError, match="returned an unusable response") as error:
            _rewrite(generator)
        assert base_url in str(error.value)


def test_html_instead_of_a_stream_is_unusable(cache_dir: Path) -> None:
    with fake_server(_html) as base_url:
        generator = OpenAIGenerator(_settings(cache_dir, base_url))
        with pytest.raises(GenerationError, match="returned an unusable response"):
            list(generator.stream(make_request()))


def test_broken_stream_json_is_unusable(cache_dir: Path) -> None:
    with fake_server(_broken_sse) as base_url:
        generator = OpenAIGenerator(_settings(cache_dir, base_url))
        received: list[str] = []
        with pytest.raises(GenerationError, match="returned an unusable response") as error:
            received.extend(generator.stream(make_request()))
        assert received == ["Two"]
        assert base_url in str(error.value)


def _server_error(handler: BaseHTTPRequestHandler) -> None:
    body = {"error": {"message": "model failed to load", "type": "server_error"}}
    reply(handler, 500, "application/json", json.dumps(body))


def test_http_errors_carry_the_status_and_reason(cache_dir: Path) -> None:
    with fake_server(_server_error) as base_url:
        generator = OpenAIGenerator(_settings(cache_dir, base_url))
        with pytest.raises(GenerationError, match="HTTP 500") as error:
            _rewrite(generator)
        assert "model failed to load" in str(error.value) and base_url in str(error.value)
        with pytest.raises(GenerationError, match="HTTP 500"):
            list(generator.stream(make_request()))


def test_the_api_key_never_appears_in_errors(cache_dir: Path) -> None:
    secret = "sk-test-very-secret"
    with fake_server(_server_error) as base_url:
        generator = OpenAIGenerator(_settings(cache_dir, base_url, openai_api_key=secret))
        with pytest.raises(GenerationError) as error:
            _rewrite(generator)
    assert secret not in str(error.value) and secret not in repr(generator.settings)
