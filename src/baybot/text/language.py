"""Which of our three languages a text is in: English, Traditional or Simplified Chinese."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import hanzidentifier

LANGUAGES = ("en", "zh-Hant", "zh-Hans")

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")

_ALIASES = {
    "en": "en",
    "english": "en",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
}


def normalise_language(tag: object) -> str | None:
    """Map BCP-47-ish tags (zh-HK, zh-CN, ...) to ours; None when unknown or bare 'zh'."""
    if not tag:
        return None
    return _ALIASES.get(str(tag).strip().lower().replace("_", "-"))


def is_chinese(text: str) -> bool:
    """Han characters outweigh Latin words (a word ~ five letters ~ one character)."""
    han = len(HAN.findall(text))
    return han > 0 and han * 5 > len(_LATIN.findall(text))


def detect_language(text: str) -> str:
    """English unless the text is Chinese; then the script most of its characters belong to."""
    if not is_chinese(text):
        return "en"
    han = HAN.findall(text)
    trad = simp = 0
    for ch in set(han):
        kind = hanzidentifier.identify(ch)
        trad += kind == hanzidentifier.TRADITIONAL
        simp += kind == hanzidentifier.SIMPLIFIED
    return "zh-Hant" if trad > simp else "zh-Hans"


@cache
def opencc(config: str):  # type: ignore[no-untyped-def]
    """One OpenCC converter per configuration (t2s, s2hk) for the whole process."""
    import opencc as _opencc

    return _opencc.OpenCC(config)


def to_script(text: str, language: str) -> str:
    """Chinese text in the script of `language` (zh-Hant / zh-Hans); other text unchanged."""
    if language == "zh-Hans":
        return str(opencc("t2s").convert(text))
    if language == "zh-Hant":
        return str(opencc("s2hk").convert(text))
    return text


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """One form for matching: NFKC width folding, lower case, Traditional -> Simplified."""
    text = unicodedata.normalize("NFKC", text).lower()
    return opencc("t2s").convert(text) if HAN.search(text) else text
