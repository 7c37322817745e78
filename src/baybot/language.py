"""Which of our three languages a text is in: English, Traditional or Simplified Chinese."""

from __future__ import annotations

import re

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
