"""A plugin package as a third party would write one, importing only BayBot's public types.

- `echo-test` generator: quotes the best sentence (or the first passage) and cites it.
- `hash-test` embedder: deterministic hashed bag of words and Chinese character bigrams, so
  fast unit tests need no model; texts that share words get similar vectors.
- `rst` loader: reStructuredText files, title from the first line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence

import numpy as np

from baybot.config import Settings
from baybot.types import Document, SourceFile

_TERM = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")


def _terms(text: str) -> list[str]:
    found = _TERM.findall(text.lower())
    han = [t for t in found if len(t) == 1 and "\u3400" <= t <= "\u9fff"]
    return [*found, *("".join(p) for p in zip(han, han[1:], strict=False))]


class HashEmbedder:
    """Each term adds a signed unit to one of `dimension` slots chosen by its hash."""

    name = "hash-test"
    dimension = 256
    max_tokens = 512

    def count_tokens(self, text: str) -> int:
        return len(_TERM.findall(text.lower())) + 2

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for term in _terms(text):
            digest = hashlib.blake2b(term.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dimension
            vector[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            vector[0] = norm = 1.0
        return vector / norm

    def embed_documents(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        return (
            np.stack([self._vector(t) for t in texts])
            if texts
            else np.zeros((0, self.dimension), dtype=np.float32)
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class EchoGenerator:
    """Answers with the best-scored sentence (else the first passage) and cites its passage."""

    name = "echo-test"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def stream(self, request) -> Iterator[str]:  # type: ignore[no-untyped-def]
        if request.sentences:
            best = max(request.sentences, key=lambda s: s.score)
            yield f"{best.text.strip()} [{best.n}]"
        elif request.passages:
            yield f"{request.passages[0].text.strip()} [{request.passages[0].n}]"


def load_rst(file: SourceFile, data: bytes) -> Document:
    """reStructuredText: the first line is the title (its underline is dropped)."""
    text = data.decode("utf-8").strip()
    lines = text.splitlines()
    title = lines[0].strip() if lines else file.doc_id
    body = "\n".join(line for line in lines[1:] if not re.fullmatch(r"[=\-~^]{3,}", line.strip()))
    return Document(id=file.doc_id, title=title, text=body.strip() or title, path=file.relpath)
