from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from baybot import Settings


def test_defaults_are_offline_and_packaged() -> None:
    settings = Settings()
    assert settings.offline is True
    assert settings.embedding_model == "all-MiniLM-L6-v2"
    assert settings.index_dir == Path("index") and settings.corpus_dir == Path("corpus")


def test_env_vars_override(monkeypatch) -> None:
    monkeypatch.setenv("BAYBOT_CHUNK_TOKENS", "200")
    monkeypatch.setenv("BAYBOT_INDEX_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("BAYBOT_OFFLINE", "false")
    settings = Settings()
    assert settings.chunk_tokens == 200
    assert settings.index_dir == Path("/tmp/elsewhere")
    assert settings.offline is False
    assert Settings(chunk_tokens=100).chunk_tokens == 100


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(chunk_tokens=64, chunk_overlap=64)
    with pytest.raises(ValidationError):
        Settings(top_k=0)
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)
