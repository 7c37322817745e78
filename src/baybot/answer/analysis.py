"""Question analysis, done once: what a question asks for and what it names.

Every later stage (evidence, agreement, the composer) reads the frozen `QuestionAnalysis`
instead of re-parsing the string. The slots say what kind of fact answers the question (an
amount, a duration, a date, a contact...), the constraints what it is about (places, schemes,
years, a category). Chinese is read through its standard written form (cantonese.py), so
"使唔使" asks the same as "需不需要".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from baybot.text.cantonese import is_colloquial, to_standard
from baybot.text.gazetteer import default_gazetteer
from baybot.text.glossary import Glossary, default_glossary
from baybot.text.language import detect_language, fold
from baybot.text.terms import TYPO_CUTOFF, is_english

# What is asked: slot name -> pattern over the folded (lower-case, Simplified) standard form.
_SLOTS: dict[str, re.Pattern[str]] = {
    "fee": re.compile(
        r"\b(fees?|cost|costs|charge[sd]?|price|pay for|how much (does|do|is|will) .{0,30}"
        r"(cost|charge))\b|费|收费|多少钱|价钱|价格"
    ),
    "amount": re.compile(
        # "income tax" names a topic, not an amount asked for ("until when do the income
        # tax benefits apply" asks a date).
        r"\b(how much|amount|salary|income(?! tax)|rate|percentage|per ?cent|subsidy of|cap|"
        r"ceiling|minimum|maximum|rmb|hk\$|mop)\b|多少钱|金额|额度|上限|下限|最多|最少|标准|比例|工资|薪"
    ),
    "number": re.compile(
        r"\b(how many|number of|quota|places|headcount|so far|score|points)\b"
        r"|多少(个|人|宗|名|家|位|份|项|次|分)?|几(个|人|宗|名|家|位|份|项|次|分)|名额|至今|分数|满分"
    ),
    "age": re.compile(r"\b(age|aged|how old|years old|under \d\d|over \d\d)\b|岁|年龄|年纪"),
    "duration": re.compile(
        r"\b(how long|duration|valid for|validity|period of stay|months?|years? (of|to))\b"
        r"|多久|多长时间|几年|有效期|期限|住满|逗留期"
    ),
    "date": re.compile(
        r"\b(when|what date|which year|deadline|until when|start date|opens?|closes?|by when)\b"
        r"|什么时候|何时|哪天|哪一年|截止|几时|开始(接受|申请|申报)|日期"
    ),
    "contact": re.compile(
        r"\b(contact|phone|telephone|hotline|e-?mail|address|office hours|opening hours|"
        r"where (do|can|should) i (apply|submit|go)|website)\b"
        r"|电话|热线|地址|邮箱|办公时间|开不开|几点|哪里(交|申请|办)"
    ),
    "eligibility": re.compile(
        r"^(can|could|may|am|is|are|do|does|did|will|would|should|must)\b"
        r"|\b(eligible|eligibility|qualify|qualifies|allowed|entitled|count as)\b"
        r"|可不可以|能不能|是否|是不是|需不需要|要不要|有没有资格|符合|合资格|可以.{0,12}吗|能.{0,12}吗"
    ),
    "list": re.compile(
        r"\b(which|list|categories|types|what (are|were) the|name the|main tasks|what kinds?)\b"
        r"|哪些|哪几|有什么|什么(行业|专业|人才|条件|要求|文件|材料)"
    ),
    "procedure": re.compile(
        r"\b(how (do|can|should) i|how to|steps?|procedure|process|apply|application)\b"
        r"|怎样|怎么|如何|手续|流程|程序|申请"
    ),
    "reason": re.compile(r"\b(why|reason)\b|为什么|原因"),
    "definition": re.compile(r"^(what is|what's|what are)\b|什么是|是什么|指什么|意思"),
    "comparison": re.compile(
        r"\b(vs\.?|versus|compare[sd]?|comparison|both|differ(ence|s)?|same as|the same (in|for)"
        r"|which (one|of (them|the two))|either of them)\b"
        r"|\b(more|higher|lower|larger|bigger|longer|shorter|better|cheaper) than\b"
        r"|比较|分别|一样|区别|相比|相同|差别|差异|差距"
        # "which is more" (哪边更多, Cantonese 边度多啲 -> 哪里多些); "X 跟 Y 比," closing a
        # clause (a Cantonese 比 inside one is "give": 要比几多钱)
        r"|哪(边|个|里|一个)[^，。？?]{0,20}(更|多些|较)|(同|跟|和|与)[^，。？?]{1,20}比(较|起来|一下)?(?=[，。？?,]|$)"
    ),
}
_ENGLISH_WORD = re.compile(r"[a-z]{4,}")


@cache
def _slot_words() -> tuple[str, ...]:
    words = {w for p in _SLOTS.values() for w in re.findall(r"[a-z]{4,}", p.pattern)}
    return tuple(sorted(words))


def _spelt(text: str) -> str:
    """English words one or two letters off a slot word (dedline, vaild) put right (the
    ratio terms.TYPO_CUTOFF), and slot words typed without their apostrophe (whats, whens);
    a word English has is left alone: "posts" asks no cost, "come" no income, "change" no
    charge."""
    known = set(_slot_words())

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        if word in known:
            return word
        if word.endswith("s") and word[:-1] in known:
            return word[:-1]  # typed without its apostrophe (whats), or a plural
        if is_english(word):
            return word
        close = difflib.get_close_matches(word, _slot_words(), n=1, cutoff=TYPO_CUTOFF)
        return close[0] if close else word

    return _ENGLISH_WORD.sub(fix, text)


_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")
_CATEGORY = re.compile(r"\b(?:category|class|type)\s*([a-d])\b|(?<![a-z])([a-d])\s*类")
_APPLICANTS: dict[str, re.Pattern[str]] = {
    "graduate": re.compile(r"\b(graduat\w*|student|degree)\b|毕业|学生|学位"),
    "employer": re.compile(r"\b(hr|employer|company|hire|hiring|recruit\w*)\b|雇主|公司|招聘|企业"),
    "family": re.compile(
        r"\b(spouse|wife|husband|child(ren)?|dependants?)\b|配偶|丈夫|妻子|子女|家属"
    ),
    "youth": re.compile(r"\b(youth|young)\b|青年"),
}


# A place right after these is where the asker is or comes from ("from the UK", "an employer in
# Singapore", "我喺英國", "在前海"), not what the question is about ("Singapore's ONE Pass",
# "澳洲全球人才簽證").
_LOCATIVE = re.compile(
    r"(?:\b(?:from|in|at|to|into|near)(?:\s+the)?\s*"
    r"|[在喺从来自到去住]\s*)$"
)
_LOCATIVE_REACH = 16  # characters before a place searched for the preposition


def _about(folded: str, start: int) -> bool:
    """The place named at `start` is what the question is about, not where the asker is."""
    return not _LOCATIVE.search(folded[max(0, start - _LOCATIVE_REACH) : start])


def _subject_places(folded: str, glossary: Glossary) -> frozenset[int]:
    """Places the question is about: named at least once not after a locative preposition."""
    return frozenset(g for g, start in glossary.place_mentions(folded) if _about(folded, start))


def _world_places(folded: str, glossary: Glossary) -> tuple[str, ...]:
    """World places beyond the glossary that the question is about (gazetteer.py)."""
    mentions = default_gazetteer(glossary).mentions(folded)
    return tuple(dict.fromkeys(name for name, start in mentions if _about(folded, start)))


@dataclass(frozen=True)
class QuestionAnalysis:
    """A question as the answer path understands it."""

    text: str  # as asked
    standard: str  # Cantonese words in standard written Chinese; otherwise `text`
    language: str  # of the question as asked: en, zh-Hant or zh-Hans
    colloquial: bool
    slots: frozenset[str]
    places: frozenset[int]  # glossary place groups
    schemes: frozenset[int]  # other glossary groups (schemes, bodies, topics)
    years: tuple[int, ...]
    category: str | None  # "A".."D" as in TTPS category C
    applicants: frozenset[str]
    parts: tuple[str, ...] = ()  # the sub-questions of a question asking two things or more
    subject_places: frozenset[int] = frozenset()  # named by the question itself, not as context
    world_places: tuple[str, ...] = ()  # other places it is about ("Antarctica"), English names

    def asks(self, slot: str) -> bool:
        return slot in self.slots

    @property
    def specific_slots(self) -> frozenset[str]:
        """Slots a passage can visibly lack (a fee, an age, a contact, a date...)."""
        return self.slots & {"fee", "age", "contact", "date", "duration", "number", "amount"}


def analyse(question: str, context: str = "", glossary: Glossary | None = None) -> QuestionAnalysis:
    """Analyse `question` as asked; `context` (a follow-up's earlier turn) adds constraints
    (places, schemes, category) but never changes the language or the slots."""
    glossary = glossary or default_glossary()
    language = detect_language(question)
    standard = to_standard(question, language) if language.startswith("zh") else question
    folded = _spelt(fold(standard))
    slots = {name for name, pattern in _SLOTS.items() if pattern.search(folded)}
    if "fee" in slots:
        slots.add("amount")
    if slots & {"fee", "age"}:
        slots.discard("number")
    about = f"{context}\n{standard}" if context else standard
    groups = set(glossary.groups(about))
    places = frozenset(g for g in groups if g in glossary.places)
    category = None
    match = _CATEGORY.search(folded) or _CATEGORY.search(fold(context))
    if match:
        category = (match.group(1) or match.group(2)).upper()
    return QuestionAnalysis(
        text=question,
        standard=standard,
        language=language,
        colloquial=is_colloquial(question),
        slots=frozenset(slots),
        places=places,
        schemes=frozenset(groups - places),
        years=tuple(sorted({int(y) for y in _YEAR.findall(folded)})),
        category=category,
        applicants=frozenset(n for n, p in _APPLICANTS.items() if p.search(folded)),
        parts=split_parts(standard),
        subject_places=_subject_places(folded, glossary),
        world_places=_world_places(folded, glossary),
    )


_ASKING = re.compile(
    # "whats", "whens": question words typed without their apostrophe ask all the same.
    r"\b(what|which|when|who|how|where|why)s?\b|\b(is|are|does|do|did|can|will)\b"
    r"|多少|什么|什麼|哪|何|几|幾|吗|嗎|呢|谁|誰|是否|有没有|有沒有|怎",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[?？]\s*")
_CLAUSE_BREAK = re.compile(
    r"[,，;；]\s*(?:and\s+|以及|还有|還有|另外)?|\s+and\s+(?=(?:(?:what|which|when|who|how|where)s?|is|are|does|did|can)\b)",
    re.IGNORECASE,
)


def split_parts(question: str) -> tuple[str, ...]:
    """The sub-questions of "When does it open, and when does it close?": each clause that
    asks something on its own; () when the question asks one thing."""
    parts: list[str] = []
    for sentence in _SENTENCE_BREAK.split(question):
        clauses = [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]
        asking = [c for c in clauses if _ASKING.search(c)]
        parts += asking if len(asking) >= 2 else [sentence.strip()] if sentence.strip() else []
    parts = [p for p in parts if _ASKING.search(p)]
    return tuple(parts) if len(parts) >= 2 else ()
