"""Wording in BayBot's three languages: one table shape for the answers' fixed sentences
(text/messages.py) and the web UI (app/web/strings.py)."""

from __future__ import annotations

from datetime import date

from baybot.text.language import LANGUAGES

# key -> the wording in each of LANGUAGES, in that order (English first: the fallback).
Translations = dict[str, tuple[str, str, str]]


def translate(table: Translations, key: str, language: str, **values: object) -> str:
    """`key` of `table` in `language` (English for a language BayBot does not write)."""
    versions = table[key]
    wording = versions[LANGUAGES.index(language) if language in LANGUAGES else 0]
    return wording.format(**values) if values else wording


def format_date(day: date, language: str) -> str:
    """A date as a reader writes it: 31 December 2027, or 2027年12月31日 in Chinese."""
    if language.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"
