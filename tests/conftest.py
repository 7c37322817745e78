"""Shared fixtures: the real packaged model, real FAISS, small real indexes built once a session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from baybot import Settings, ingest
from baybot.app.wiring import build_assistant
from baybot.corpus.discovery import doc_id_for
from baybot.index.embedders import SentenceTransformerEmbedder
from tests.postgres import postgres_uri

__all__ = ["postgres_uri"]  # a session fixture: one PostgreSQL server for every test that asks

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

# A small corpus that still has every shape: English and Chinese (both scripts), tables,
# nested headings, and both plain-text seeds.
SMALL_CORPUS = (
    "hk-ttps-overview.md",
    "hk-ttps.zh.md",
    "gd-qianhai-youth.zh.md",
    "hk-gba-yes.md",
    "hk-qmas-overview.md",
    "000_a15bed6abde3419e.txt",
    "002_26cfad88e5733b16.txt",
)
# Pipeline mechanics are tested with the fast English model; retrieval quality with the defaults.
MINILM = ("all-MiniLM-L6-v2",)
# The default dense models, as Settings overrides. Tests that start BayBot in subprocesses use
# them: their engines load in under a second, while MiniLM makes every process import torch and
# sentence-transformers first (5-10 s on 2 cores). The seed holds both sets' vectors.
DEFAULT_MODELS: dict[str, object] = {
    name: Settings.model_fields[name].default for name in ("embedding_models", "embedding_weights")
}
# The public hit shape (DESIGN.md): exactly these keys.
HIT_KEYS = frozenset(
    {"rank", "chunk_id", "doc_id", "title", "score", "text", "url", "published", "language"}
)
SMALL_IDS = frozenset(doc_id_for(Path(name)) for name in SMALL_CORPUS)


class CountingEmbedder:
    """The real embedder, recording which texts it was asked to embed."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.embedded: list[str] = []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_documents(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts, batch_size=batch_size, progress=progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture
def counting_embedder(embedder: SentenceTransformerEmbedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Empty each session (CI); BAYBOT_TEST_CACHE_DIR keeps embedded vectors between local
    runs, which saves most of the set-up time."""
    kept = os.environ.get("BAYBOT_TEST_CACHE_DIR")
    return Path(kept) if kept else tmp_path_factory.mktemp("cache")


def copy_corpus(target: Path, names: Sequence[str] = SMALL_CORPUS) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(CORPUS / name, target / name)
    return target


@pytest.fixture
def make_settings(tmp_path: Path, cache_dir: Path):
    """Settings over a fresh copy of the small corpus and an empty index folder."""

    def make(**overrides: object) -> Settings:
        corpus = overrides.pop("corpus_dir", None) or copy_corpus(tmp_path / "corpus")
        values = {
            "embedding_models": MINILM,
            "embedding_weights": (1.0,),
            "corpus_dir": corpus,
            "index_dir": tmp_path / "index",
            "cache_dir": cache_dir,
            **overrides,
        }
        return Settings(**values)

    return make


@pytest.fixture(scope="session")
def full_settings(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Settings:
    """The whole shipped corpus with the default models, indexed once per session."""
    settings = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("full-index"), cache_dir=cache_dir
    )
    ingest(settings)
    return settings


@pytest.fixture(scope="session")
def small_settings(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Settings:
    """The small corpus with the default models, indexed once per session; read-only."""
    base = tmp_path_factory.mktemp("small")
    settings = Settings(
        corpus_dir=copy_corpus(base / "corpus"), index_dir=base / "index", cache_dir=cache_dir
    )
    ingest(settings)
    return settings


_NO_NETWORK = textwrap.dedent(
    """
    import socket

    def _refuse(*args, **kwargs):
        raise OSError("network disabled for this test")

    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse
    """
)


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """Every connection the test tries from this process, refused: offline code leaves it
    empty (a retried request to the hub waits about 30 s before it fails)."""
    attempts: list[tuple[object, ...]] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled for this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def offline_command(
    args: Sequence[str], tmp: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command with the network off and empty model/tokenizer caches.

    Network namespaces (`unshare -n`) give a real cut where we are allowed to make one;
    a sitecustomize that refuses every socket connection backs it up everywhere else.
    """
    guard = tmp / "no-network"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(_NO_NETWORK)
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BAYBOT_", "HF_", "TIKTOKEN_", "TRANSFORMERS_"))
    }
    full_env.update(
        {
            "PYTHONPATH": str(guard),
            "HOME": str(tmp / "home"),
            "HF_HOME": str(tmp / "hf-home"),
            "XDG_CACHE_HOME": str(tmp / "xdg-cache"),
            "BAYBOT_CACHE_DIR": str(tmp / "baybot-cache"),
            **(env or {}),
        }
    )
    prefix: list[str] = []
    if (
        shutil.which("unshare")
        and subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode
        == 0
    ):
        prefix = ["unshare", "-n"]
    return subprocess.run(
        [*prefix, *args], capture_output=True, text=True, env=full_env, timeout=600, check=False
    )


def baybot_command() -> list[str]:
    return [sys.executable, "-m", "baybot"]


@pytest.fixture(scope="session")
def assistant(full_settings: Settings):
    """The Assistant over the whole shipped corpus with the default models and backend."""

    return build_assistant(full_settings)


PLUGINS = Path(__file__).resolve().parent / "plugins"


@pytest.fixture(scope="session")
def test_plugins() -> Iterator[None]:
    """The test plugin package (tests/plugins: a module and its dist-info with entry points)
    importable and visible to the plugin registry, as `pip install` would make it."""
    sys.path.insert(0, str(PLUGINS))
    yield
    sys.path.remove(str(PLUGINS))


@pytest.fixture
def unit_settings(make_settings, test_plugins) -> Settings:
    """Settings for unit tests: the hash embedder and the echo generator, both plugins."""
    return make_settings(
        embedding_models=("hash-test",), embedding_weights=(1.0,), generator="echo-test"
    )
