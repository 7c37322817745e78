"""Answerability per asked slot: does a sentence hold the kind of fact the question asks for?

A question about an application fee is not answered by a sentence about eligibility, however
close its wording; near misses on covered topics look exactly like that. Each specific slot
(`analysis.py`) has the shape its answer takes in text (a currency amount, an age, a phone
number...), in English and Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from baybot.text.language import fold

_MONEY = r"(hk\$|us\$|rmb|mop|\$|¥|yuan|dollars?|元|港元|澳门元|万元|亿元|per cent|%)"
_EVIDENCE: dict[str, re.Pattern[str]] = {
    # A fee is stated with a fee word; a bare amount is the `amount` slot's, which a fee question
    # asks too (analysis.py), so an income threshold does not pass for an application fee.
    "fee": re.compile(r"\b(fees?|costs?|charges?|charged|free of charge|payable)\b|费|免费"),
    "amount": re.compile(
        rf"{_MONEY}\s*\d|\d[\d,.]*\s*({_MONEY}|万|million|billion)|\d+(\.\d+)?\s*%"
    ),
    "number": re.compile(r"\d"),
    "age": re.compile(r"\b(age[ds]?|years old|under \d\d|below \d\d)\b|岁|年龄|年满"),
    "duration": re.compile(
        r"\d+\s*(years?|months?|weeks?|days?|working days)\b|\d+\s*(年|个月|月|周|天|日|个工作日)"
        r"|\b(one|two|three|four|five|six|twelve) (years?|months?|weeks?|days?)\b"
        r"|[一二三四五六两]\s*(年|个月)"
    ),
    "date": re.compile(
        r"\b(19|20)\d\d\b|\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|june?|july?|aug(ust)?"
        r"|sep(t|tember)?|oct(ober)?|nov(ember)?|dec(ember)?)\b"
        r"|\d\s*may\b|\bmay\s*\d|\d+\s*月|\d+\s*年|\d{4}-\d\d"  # "may" is a month only by a number
        # Press releases date things relative to their own date ("open from today").
        r"|\b(today|tomorrow|with immediate effect|hoje)\b|即日|今日|今天|明日|明天"
    ),
    "contact": re.compile(
        r"\b\d{4}\s?\d{4}\b|@|www\.|https?://|\b(hotline|telephone|phone|address|office|counter|"
        r"website|online at|e-?mail)\b|电话|热线|地址|网站|网址|柜台|办事处"
    ),
}


def holds(slot: str, text: str) -> bool:
    """`text` has the shape of an answer to `slot` (a slot without a shape always holds)."""
    pattern = _EVIDENCE.get(slot)
    return pattern is None or bool(pattern.search(fold(text)))


def missing(slots: Iterable[str], texts: Iterable[str]) -> tuple[str, ...]:
    """The slots none of `texts` holds an answer to."""
    texts = list(texts)
    return tuple(s for s in sorted(slots) if not any(holds(s, t) for t in texts))
