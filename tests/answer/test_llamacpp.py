"""The in-process llama.cpp backend on the packaged Gemma GGUF."""

from __future__ import annotations

from pathlib import Path

import pytest

from baybot import Settings
from baybot.answer.generators import GenerationError, Generator, QuestionRewriter, load_generator
from baybot.answer.generators.llamacpp import LlamaCppGenerator, packaged_model
from tests.servers import make_request

pytestmark = pytest.mark.llamacpp
pytest.importorskip(
    "llama_cpp", reason="llama-cpp-python is not installed: pip install -e '.[llamacpp]'"
)


def test_packaged_model_is_assembled_once_into_the_cache(cache_dir: Path) -> None:
    path = packaged_model(cache_dir)
    assert path == cache_dir / "models" / path.name and path.stat().st_size > 100_000_000
    assert packaged_model(cache_dir) == path
    assert not list(path.parent.glob("*.partial"))


def test_streams_text_from_the_packaged_gemma(cache_dir: Path) -> None:
    # one thread: llama.cpp's spinning workers crawl when another process holds a core
    settings = Settings(
        answer_max_tokens=24, llamacpp_threads=1, llamacpp_context=2048, cache_dir=cache_dir
    )
    generator = load_generator("llamacpp", settings)
    assert isinstance(generator, LlamaCppGenerator) and generator.name == "llamacpp"
    assert isinstance(generator, Generator) and isinstance(generator, QuestionRewriter)
    chunks = list(generator.stream(make_request()))
    assert chunks and all(isinstance(chunk, str) for chunk in chunks)
    assert "".join(chunks).strip()
    history = [{"role": "user", "content": "What is the Top Talent Pass Scheme?"}]
    assert generator.rewrite("How long does it last?", history)


def test_a_missing_model_file_is_a_generation_error(cache_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model.gguf"
    generator = LlamaCppGenerator(Settings(llamacpp_model=missing, cache_dir=cache_dir))
    with pytest.raises(GenerationError, match="does not exist") as error:
        list(generator.stream(make_request()))
    assert str(missing) in str(error.value)


def test_a_file_that_is_not_a_gguf_is_a_generation_error(cache_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf at all")
    generator = LlamaCppGenerator(Settings(llamacpp_model=broken, cache_dir=cache_dir))
    with pytest.raises(GenerationError, match="cannot load the GGUF model"):
        list(generator.stream(make_request()))
