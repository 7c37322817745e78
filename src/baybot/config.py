"""Every knob in one place; each field is overridable by env var `BAYBOT_<FIELD>` and CLI flags."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "baybot"


class Settings(BaseSettings):
    """BayBot settings; defaults answer questions offline on the shipped corpus."""

    model_config = SettingsConfigDict(env_prefix="BAYBOT_", frozen=True, extra="forbid")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of source announcements.")
    index_dir: Path = Field(Path("index"), description="Folder the built index lives in.")
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Per-user cache (tiktoken encoding files are materialised here).",
    )

    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="A packaged model name, a local sentence-transformers folder, or a hub id.",
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    offline: bool = Field(
        True, description="Forbid hub downloads (HF_HUB_OFFLINE=1). Set false to name hub models."
    )

    token_encoding: str = Field(
        "cl100k_base", description="tiktoken encoding used to count chunk tokens."
    )
    chunk_tokens: int = Field(128, ge=16, le=8192, description="Chunk budget in tiktoken tokens.")
    chunk_overlap: int = Field(24, ge=0, description="Tokens repeated between neighbouring chunks.")

    max_file_mb: float = Field(20.0, gt=0, description="Larger corpus files are skipped.")
    auto_update: bool = Field(
        True, description="Update a stale or missing index on load instead of failing."
    )
    top_k: int = Field(5, ge=1, le=50)

    @model_validator(mode="after")
    def _overlap_below_budget(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError("chunk_overlap must be smaller than chunk_tokens")
        return self
