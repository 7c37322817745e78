"""Answers from any OpenAI-compatible chat server: vLLM, Ollama, llama.cpp server, hosted APIs.

Every way the server can fail becomes a GenerationError naming its address, so the user knows
which server to look at; the API key never appears in a message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

# The official SDK: timeouts, retries with backoff and SSE parsing, tested against many servers.
import openai

from baybot.answer.generators.base import GenerationRequest
from baybot.answer.generators.prompt import ChatBackend, build_messages
from baybot.config import Settings
from baybot.errors import GenerationError

_PREVIEW_CHARS = 200


def _preview(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text[:_PREVIEW_CHARS] + ("…" if len(text) > _PREVIEW_CHARS else "")


def _reason(exc: openai.APIStatusError) -> str:
    """The server's own explanation: OpenAI-style error JSON, else its body, else nothing."""
    body = exc.body
    if isinstance(body, Mapping):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, Mapping) else error
        return _preview(message) if message else ""
    return _preview(body) if isinstance(body, str) and body.strip() else ""


class OpenAIGenerator(ChatBackend):
    """Streams answers from an OpenAI-compatible /chat/completions endpoint."""

    name = "openai"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.openai_base_url
        key = settings.openai_api_key
        self._client = openai.OpenAI(
            base_url=self.base_url,
            # local servers want no key, but the SDK insists on a string
            api_key=key.get_secret_value() if key else "not-needed",
            timeout=settings.openai_timeout,
            max_retries=settings.openai_retries,
        )

    def _error(self, exc: Exception) -> GenerationError:
        """The SDK's exception as a message a user can act on."""
        where = f"the answer server at {self.base_url}"
        if isinstance(exc, openai.APITimeoutError):
            return GenerationError(
                f"{where} did not answer within {self.settings.openai_timeout:g} s"
            )
        if isinstance(exc, openai.APIConnectionError):
            return GenerationError(f"cannot reach {where}: {exc.__cause__ or exc}")
        if isinstance(exc, openai.APIStatusError):
            phrase = exc.response.reason_phrase
            reason = _reason(exc)
            detail = f": {reason}" if reason and reason != phrase else ""
            return GenerationError(
                f"{where} answered HTTP {exc.status_code} {phrase}".rstrip() + detail
            )
        if isinstance(exc, openai.APIError):  # e.g. an error event inside the stream
            return GenerationError(f"{where} reported an error: {_preview(exc.message)}")
        if isinstance(exc, ValueError):
            return self._unusable(f"invalid JSON ({exc})")
        return self._unusable(str(exc) or type(exc).__name__)

    def _unusable(self, detail: str) -> GenerationError:
        return GenerationError(
            f"the answer server at {self.base_url} returned an unusable response: {detail}"
        )

    def _create(self, messages: Sequence[Mapping[str, str]], max_tokens: int, stream: bool) -> Any:
        try:
            return self._client.chat.completions.create(
                model=self.settings.openai_model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=self.settings.temperature,
                stream=stream,
            )
        except (openai.OpenAIError, ValueError) as exc:  # ValueError: a body that is not JSON
            raise self._error(exc) from exc

    def _text(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> str:
        completion = self._create(messages, max_tokens, stream=False)
        # Servers that are only nearly compatible send text, miss fields or null the content;
        # the SDK passes all of these through without validating, so check here.
        choices = getattr(completion, "choices", None)
        if not choices or not isinstance(choices, list):
            raise self._unusable(f"no choices in {_preview(completion)}")
        content = getattr(getattr(choices[0], "message", None), "content", None)
        if not isinstance(content, str):
            raise self._unusable(f"the first choice has no text content: {_preview(choices[0])}")
        return content

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """The answer as it is generated, one content delta at a time."""
        prompt = build_messages(request, self.settings)
        chunks = self._create(prompt.messages, self.settings.answer_max_tokens, stream=True)
        received = 0
        try:
            for chunk in chunks:
                received += 1
                choices = getattr(chunk, "choices", None)
                if not isinstance(choices, list):
                    raise self._unusable(f"a stream chunk without choices: {_preview(chunk)}")
                delta = getattr(choices[0], "delta", None) if choices else None
                content = getattr(delta, "content", None)
                if isinstance(content, str) and content:
                    yield content
        except (openai.OpenAIError, ValueError) as exc:  # ValueError: broken JSON in an event
            raise self._error(exc) from exc
        finally:
            chunks.close()
        if not received:
            raise self._unusable("the stream ended without a single event")

    def _complete(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> str:
        return self._text(messages, max_tokens)

    def _empty_rewrite(self) -> GenerationError:
        return self._unusable("an empty rewritten question")
