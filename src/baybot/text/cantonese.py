"""Written Cantonese into standard written Chinese, word for word.

The sources are in standard written Chinese and English, so colloquial words (喺, 嘅, 使唔使,
仲有冇) are found nowhere in them: the unknown-term check would call them unknown and the
sentence scorer would weigh them as content. The map (`data/cantonese.yaml`) is applied to
whole words only: jieba segments the text with the map's words added to its dictionary, so 係
inside 關係 stays. (pycantonese segments and romanises Cantonese but has no mapping into
written Chinese; jieba with these words does the segmentation this needs.)
"""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from baybot.text.language import HAN, fold, to_script

# Characters that only written Cantonese uses: their presence marks a question as colloquial.
_CANTONESE_ONLY = re.compile("[喺嘅唔冇咗啲嚟佢哋乜咩嘢揾搵睇攞畀噉嗰]")


@cache
def word_map() -> dict[str, str]:
    """Cantonese word (Simplified) -> standard written Chinese (Simplified)."""

    body = resources.files("baybot").joinpath("data/cantonese.yaml").read_text("utf-8")
    words = yaml.safe_load(body)["words"]
    return {fold(str(k)): str(v) for k, v in words.items()}


@cache
def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in word_map():
        # Above any ordinary word, so 使唔使 is not cut into 使/唔/使.
        tokenizer.add_word(word, freq=200_000)
    return tokenizer


def prepare() -> None:
    """Load the word map and its tokenizer now: a first Chinese question otherwise waits for
    jieba's dictionary (seconds on a busy 2-core machine)."""
    _tokenizer().initialize()


def is_colloquial(text: str) -> bool:
    return bool(_CANTONESE_ONLY.search(text))


def to_standard(text: str, language: str) -> str:
    """`text` with its Cantonese words replaced, in the script of `language` (zh-Hant or
    zh-Hans); text without Chinese is returned as it is."""
    if not HAN.search(text):
        return text

    mapping = word_map()
    folded = fold(text)
    out = "".join(mapping.get(token, token) for token in _tokenizer().cut(folded, HMM=False))
    if out == folded:
        return text
    return to_script(out, language) if language.startswith("zh") else out
