"""What a question asks for: a list, a comparison, a number, a date.

Shared by the extractive backend (which sentences answer) and the evidence check (whether
any sentence could): a "how many" question whose best sentences hold no number is not
answered by them.
"""

from __future__ import annotations

import re
import unicodedata

from baybot.errors import QueryError

_LIST = re.compile(
    r"\b(which|list|categories|types|what (are|were) the|name the|main tasks)\b"
    r"|哪些|哪幾|哪几|邊啲|边啲|有咩|有什麼|有什么",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\b(vs\.?|versus|compare[sd]?|comparison|both|differ(ence|s)?|same)\b"
    r"|比較|比较|分別|分别|一樣|一样|區別|区别|相比",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b(how (many|much|long|old)|what (rate|percentage|amount|age)|minimum|maximum|cap|ceiling|"
    r"quota|threshold)\b|多少|幾多|几多|幾|几|多久|幾耐|几耐|上限|下限|最多|最少",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(when|what date|which year|until|deadline|window)\b"
    r"|何時|何时|幾時|几时|哪天|哪一年|什麼時候|什么时候|期限|截止",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_YEAR_OR_MONTH = re.compile(
    r"\b(19|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d+\s*月|\d+\s*年",
    re.IGNORECASE,
)


def asks_for_list(question: str) -> bool:
    return bool(_LIST.search(question))


def asks_for_comparison(question: str) -> bool:
    return bool(_COMPARISON.search(question))


def asks_for_number(question: str) -> bool:
    return bool(_NUMBER.search(question))


def asks_for_date(question: str) -> bool:
    return bool(_DATE.search(question))


def has_number(text: str) -> bool:
    return bool(_DIGIT.search(text))


def has_date(text: str) -> bool:
    return bool(_YEAR_OR_MONTH.search(text))


def clean_question(text: object, what: str = "question") -> str:
    """`text` without control and format characters (NUL, zero-width, bidi overrides) and
    surrounding space; a clear QueryError when nothing searchable is left."""
    if not isinstance(text, str):
        raise QueryError(f"{what} must be text")
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" else ch for ch in text
    ).strip()
    if not kept:
        raise QueryError(f"{what} is empty")
    if not any(ch.isalnum() for ch in kept):
        raise QueryError(f"{what} has no words or numbers to search for")
    return kept
