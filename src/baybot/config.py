"""Every knob in one place; each field is overridable by env var `BAYBOT_<FIELD>` and CLI flags."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "baybot"


def _default_seed_vectors() -> Path:
    return Path(__file__).resolve().parent / "data" / "seed_vectors.sqlite"


def _split_list(value: object) -> object:
    """Env vars give lists as `a,b` (or JSON); Python callers give sequences."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """BayBot settings; defaults answer questions offline on the shipped corpus.

    Flat fields grouped by section (corpus, index, search, answer, server) rather than nested
    models: every `BAYBOT_<FIELD>` variable, CLI flag and `Settings(field=value)` call keeps
    working unchanged, which nested sections would need a shim for.
    """

    model_config = SettingsConfigDict(env_prefix="BAYBOT_", frozen=True, extra="forbid")

    # ---- corpus: where the announcements are and which files are read
    corpus_dir: Path = Field(Path("corpus"), description="Folder of source announcements.")
    max_file_mb: float = Field(
        20.0, gt=0, description="Larger corpus files are skipped; `baybot add` fetches no more."
    )
    fetch_timeout: float = Field(
        20.0, gt=0, description="Seconds `baybot add` and `sources check` wait for a server."
    )
    fetch_user_agent: str = Field(
        "BayBot/0.1 (talent-scheme announcements; robots.txt respected)",
        description="User-Agent sent when fetching sources, and matched against robots.txt.",
    )

    # ---- index: models, chunking, the vector store and caches
    index_dir: Path = Field(Path("index"), description="Folder the built index lives in.")
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Per-user cache: tiktoken encoding files and embedded vectors.",
    )
    embedding_models: Annotated[tuple[str, ...], NoDecode] = Field(
        ("multilingual-e5-small", "use-multilingual"),
        min_length=1,
        description="Dense models, fused: packaged names, local sentence-transformers folders "
        "or hub ids (`a,b` in the env var).",
    )
    embedding_weights: Annotated[tuple[float, ...], NoDecode] = Field(
        (1.0, 0.75), description="Fusion weight of each dense model, in the same order."
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    vector_cache: bool = Field(
        True, description="Reuse vectors of texts embedded before (keyed by model and content)."
    )
    seed_vectors: Path | None = Field(
        default_factory=_default_seed_vectors,
        description="Read-only vectors of the shipped corpus, consulted after the vector cache "
        "(`python -m baybot.app.seed` writes them); empty: none.",
    )
    offline: bool = Field(
        True, description="Forbid hub downloads (HF_HUB_OFFLINE=1). Set false to name hub models."
    )
    token_encoding: str = Field(
        "cl100k_base", description="tiktoken encoding used to count chunk tokens."
    )
    chunk_tokens: int = Field(128, ge=16, le=8192, description="Chunk budget in tiktoken tokens.")
    chunk_overlap: int = Field(24, ge=0, description="Tokens repeated between neighbouring chunks.")
    auto_update: bool = Field(
        True, description="Update a stale or missing index on load instead of failing."
    )
    ann_threshold: int = Field(
        200_000,
        ge=1,
        description="Passages from which the dense index is approximate (ann_index) instead of "
        "exact; changing it rebuilds the index.",
    )
    ann_index: str = Field(
        "IVF{nlist},SQ8",
        description="FAISS factory string of the approximate index; {nlist} becomes the number "
        "of inverted lists for the size (e.g. IVF{nlist},PQ48 or HNSW32,SQ8).",
    )
    ann_breadth: int = Field(
        32, ge=1, le=4096, description="IVF lists probed (or HNSW efSearch) per query."
    )

    # ---- search: fusion weights, candidates, collapsing, reranking
    lexical_weight: float = Field(
        0.1, ge=0, description="Fusion weight of BM25 next to the dense models (0 turns it off)."
    )
    place_weight: float = Field(
        0.25,
        ge=0,
        description="Fusion weight of the place match: documents whose title, schemes or region "
        "name a place the question names (places.py; 0 turns it off).",
    )
    # Whole-document similarity settles which announcement a passage that fits several of them
    # belongs to. Fitted on 5 folds of dev + dev2 for retrieval (benchmarks/documents.py: every
    # fold chose 1.0; dev2 recall@5 1.000, MRR 0.920; English 0.993 / 0.940). The answers read
    # each passage's own score (Hit.passage_score), so the lift orders documents without tipping
    # the composer: out of fold, fact recall 0.746 -> 0.764, citation precision 0.900 -> 0.899.
    document_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the document signal added to each document's best passage: how "
        "well the whole announcement matches the question (documents.py; 0 turns it off).",
    )
    fusion: Literal["zscore", "rrf"] = Field(
        "zscore", description="zscore: weighted sum of standardised scores; rrf: rank fusion."
    )
    rrf_k: int = Field(60, ge=1, description="Rank offset for reciprocal rank fusion.")
    language_calibration: bool = Field(
        True,
        description="Subtract each embedder's measured bias towards passages in the question's "
        "own language (calibration.py).",
    )
    glossary_expansion: bool = Field(
        True, description="Add a query's glossary terms in the other languages before BM25."
    )
    candidate_pool: int = Field(
        1000, ge=10, description="Passages each retriever returns for fusion."
    )
    # 0.6: set by hand when the bridge became vector mixing (22b6da4); the names pull the query
    # towards the other language's wording without outweighing the question itself.
    bridge_weight: float = Field(
        0.6,
        ge=0,
        le=2,
        description="Weight of the glossary names (in the other language) added to the query "
        "vector; 0 turns the bridge off.",
    )
    max_hits_per_doc: int = Field(
        2, ge=1, le=50, description="At most this many passages of one document in the results."
    )
    duplicate_threshold: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Passages of one document this similar (word-set Jaccard) count as one.",
    )
    rerank_model: str | None = Field(
        None,
        description="Cross-encoder (hub id or local folder) that reorders the fused candidates; "
        "off by default because no packaged one exists.",
    )
    rerank_candidates: int = Field(20, ge=1, le=200)
    top_k: int = Field(5, ge=1, le=50)
    query_cache_size: int = Field(
        1024, ge=0, description="Query vectors kept per model for repeated questions; 0: none."
    )

    # ---- answer: backends, passages, refusals
    generator: str = Field(
        "extractive",
        description="Answer backend: extractive (offline, no model), openai, llamacpp or an "
        "installed plugin.",
    )
    stale_after_days: int = Field(
        730,
        ge=1,
        description="Sources whose newest date (updated, else published) is older than this are "
        "flagged 'may be out of date' in answers' source cards.",
    )
    today: date | None = Field(
        None,
        description="The date time-limited measures are judged against (valid until / ended); "
        "empty: the clock. For tests and for answering as of another day.",
    )
    fallback_generator: str | None = Field(
        "extractive",
        description="Backend that answers when the chosen one fails (server down, timeout, "
        "garbage); empty: the failure is an error.",
    )
    answer_passages: int = Field(
        5, ge=1, le=20, description="Top passages handed to the generator as [1]..[n]."
    )
    expand_documents: int = Field(
        2, ge=0, le=10, description="Documents whose other passages may join the evidence."
    )
    expand_passages: int = Field(
        3, ge=0, le=20, description="Passages of those documents added when they match better."
    )
    refusal: bool = Field(
        True, description="Say the sources do not cover a question when the evidence is weak."
    )
    refusal_threshold: float | None = Field(
        None,
        description="Refuse when the evidence model's probability of an answerable question "
        "falls below this; empty uses the value calibrated on the dev set.",
    )
    openai_base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="OpenAI-compatible server (vLLM, Ollama, ...)."
    )
    openai_model: str = Field("default", description="Model name sent to that server.")
    openai_api_key: SecretStr | None = Field(None, description="Bearer key, if it needs one.")
    openai_timeout: float = Field(60.0, gt=0, description="Seconds before a request gives up.")
    openai_retries: int = Field(2, ge=0, le=10, description="Retries on connection errors.")
    prompt_token_budget: int = Field(
        3000, ge=200, description="tiktoken tokens of passages packed into an LLM prompt."
    )
    answer_max_tokens: int = Field(400, ge=16, le=8192)
    temperature: float = Field(0.0, ge=0, le=2)
    llamacpp_model: Path | None = Field(
        None, description="GGUF file for the llamacpp backend; empty uses the packaged Gemma."
    )
    llamacpp_threads: int = Field(2, ge=1)
    llamacpp_context: int = Field(4096, ge=512)

    # ---- server: REST API and web chat
    host: str = Field("127.0.0.1", description="Interface `baybot serve` and app.py listen on.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port of the web chat and REST API.")
    api_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        (), description="Keys the REST API accepts (`a,b`); empty leaves it open."
    )
    rate_limit_per_minute: int = Field(
        120, ge=0, description="REST requests a minute per key, or per client address; 0: none."
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Web origins allowed to call the REST API from a browser (`a,b`)."
    )
    max_request_bytes: int = Field(
        1_000_000, ge=1024, description="Largest REST request body; larger ones get 413."
    )
    feedback_db: Path | None = Field(
        None,
        description="SQLite file of feedback, staff accounts and rate limits when no "
        "database_url is set; empty: feedback.db beside index_dir.",
    )
    read_only: bool = Field(
        False,
        description="Serve the newest complete index version without writing anything (no "
        "ingest), switching to newer versions as they are published (replicas).",
    )
    # 5 s: a published version reaches every replica within seconds, for one stat() a poll.
    index_poll_seconds: float = Field(
        5.0, gt=0, le=3600, description="How often a read-only server looks for a newer index."
    )

    # ---- shared state: database, staff sign-in, answer log
    database_url: SecretStr = Field(
        SecretStr(""),
        description="postgresql://user:pass@host/db to share feedback, staff accounts and "
        "sessions, rate limits and the answer log between replicas; empty: the SQLite file "
        "feedback_db. Secret because the URL carries the password.",
    )
    session_secret: SecretStr | None = Field(
        None,
        description="Signs staff session cookies (at least 32 characters, the same on every "
        "replica); empty: a random one per process, so sessions end at a restart.",
    )
    staff_cookie_secure: bool = Field(
        True,
        description="Send the staff cookies over HTTPS only (false only for plain-HTTP tests).",
    )
    staff_max_failures: int = Field(
        5, ge=1, le=100, description="Wrong passwords in a row that lock a staff account."
    )
    staff_lock_minutes: float = Field(
        15, gt=0, description="How long a locked staff account stays locked."
    )
    staff_session_hours: float = Field(
        8, gt=0, le=24 * 30, description="How long a staff sign-in lasts."
    )
    # 200: a screenful to scan; a filter narrows a longer corpus rather than a longer table.
    staff_documents_shown: int = Field(
        200, ge=1, le=10_000, description="Documents the staff Sources tab lists at once."
    )
    # 1 s: the bar moves while staff watch, for one cheap status call a second per open tab.
    staff_progress_seconds: float = Field(
        1.0, gt=0, le=60, description="How often the Sources tab refreshes a re-index's progress."
    )
    log_answers: bool = Field(
        False, description="Keep each public question and answer in the database (opt-in)."
    )
    answer_retention_days: int = Field(
        30, ge=1, le=3650, description="Days a logged answer is kept before it is deleted."
    )

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.index_dir.parent / "feedback.db"

    @property
    def storage_url(self) -> str:
        """The database every shared record goes to: database_url, else the SQLite file."""
        from baybot.db.engine import sqlite_url

        return self.database_url.get_secret_value() or sqlite_url(self.feedback_path)

    @field_validator(
        "embedding_models", "embedding_weights", "api_keys", "cors_origins", mode="before"
    )
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("seed_vectors", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError("chunk_overlap must be smaller than chunk_tokens")
        if len(self.embedding_weights) != len(self.embedding_models):
            raise ValueError(
                f"{len(self.embedding_weights)} embedding_weights for "
                f"{len(self.embedding_models)} embedding_models"
            )
        if len(set(self.embedding_models)) != len(self.embedding_models):
            raise ValueError("embedding_models lists a model twice")
        if any(w < 0 for w in self.embedding_weights):
            raise ValueError("embedding_weights must not be negative")
        return self
