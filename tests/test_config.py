from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from baybot import Settings

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def test_defaults_are_offline_and_packaged() -> None:
    settings = Settings()
    assert settings.offline is True
    assert settings.embedding_models == ("multilingual-e5-small", "use-multilingual")
    assert len(settings.embedding_weights) == 2 and settings.rerank_model is None
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


def test_model_lists_come_from_env_as_commas_or_json(monkeypatch) -> None:
    monkeypatch.setenv("BAYBOT_EMBEDDING_MODELS", "all-MiniLM-L6-v2, multilingual-e5-small")
    monkeypatch.setenv("BAYBOT_EMBEDDING_WEIGHTS", "[0.5, 1]")
    settings = Settings()
    assert settings.embedding_models == ("all-MiniLM-L6-v2", "multilingual-e5-small")
    assert settings.embedding_weights == (0.5, 1.0)


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(chunk_tokens=64, chunk_overlap=64)
    with pytest.raises(ValidationError):
        Settings(top_k=0)
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)
    with pytest.raises(ValidationError, match="embedding_weights"):
        Settings(embedding_models=("a", "b"), embedding_weights=(1.0,))
    with pytest.raises(ValidationError, match="twice"):
        Settings(embedding_models=("a", "a"), embedding_weights=(1.0, 1.0))
    with pytest.raises(ValidationError):
        Settings(fusion="max")


def test_database_url_and_session_secret_never_show_in_the_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("BAYBOT_DATABASE_URL", "postgresql://baybot:pg-pass-123@db/baybot")
    monkeypatch.setenv("BAYBOT_SESSION_SECRET", "cookie-secret-" * 4)
    settings = Settings(index_dir=tmp_path / "index")
    shown = repr(settings) + str(settings.model_dump())
    assert "pg-pass-123" not in shown and "cookie-secret-" not in shown
    assert settings.storage_url.endswith("pg-pass-123@db/baybot")
    monkeypatch.delenv("BAYBOT_DATABASE_URL")
    assert Settings(index_dir=tmp_path / "index").storage_url.startswith("sqlite:///")
