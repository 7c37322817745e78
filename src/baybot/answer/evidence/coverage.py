"""Coverage: does what the best agreeing sources say cover what the question asks about?

A near miss on a covered topic ("the Saturday opening hours of the talent office", "a later
year's figure") retrieves the right documents, whose sentences then lack the question's own
content words or the year it names. These counts are refusal-model features (refusal.py).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from baybot.answer.analysis import QuestionAnalysis
from baybot.answer.evidence.vocabulary import (
    _CHAT_WORDS_EN,
    _QUESTION_WORDS_ZH,
    _TOPIC_TAGS,
    _WORD,
    _dictionary,
    _jieba,
)
from baybot.text.glossary import Glossary
from baybot.text.language import HAN, fold
from baybot.text.terms import misspelt, tokenize
from baybot.types import Document

_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")
# Question phrasing that no source uses (what, how, much, when...), beyond the chat words.
_STOP_EN = frozenset(
    """what which when where who whom whose why how much many does did do is are was were be
    been can could would should will shall may might must have has had the and for with from
    into about there their this that these those any some more most than then also only
    usually actually currently still already yet ever really roughly approximately""".split()  # noqa: SIM905
)
# A question word this close to a phrasing word ("whens", "whcih") is phrasing; stricter than
# terms.TYPO_CUTOFF, as short words ("cost"/"most") sit at 0.75. A word misspelt from one
# of the text ("exemtpion", "proccess") is present (terms.misspelt).
PHRASING_TYPO_CUTOFF = 0.85


class Coverage:
    """Question words and years against a few documents or sentences; one per index."""

    def __init__(self, documents: Mapping[str, Document], glossary: Glossary) -> None:
        self.documents = documents
        self.glossary = glossary

    def missing_in(self, question: str, text: str, *, count_all: bool = False) -> list[str]:
        """Content words of the question that `text` does not contain (as written, as a stem,
        or for Chinese through an English gloss). `count_all` lists every content word
        instead, present or not."""
        if not text:
            return []
        stems = set(tokenize(text))
        named = {fold(t) for g in self.glossary.groups(question) for t in self.glossary.entries[g]}
        out: list[str] = []
        folded = fold(question)
        if HAN.search(folded):
            for word, tag in _jieba(self.glossary).cut(folded):
                if (
                    tag in _TOPIC_TAGS
                    and len(word) >= 2
                    and HAN.fullmatch(word[0])
                    and word not in _QUESTION_WORDS_ZH
                    and word not in named
                    and (count_all or word not in text)
                    and not any(
                        re.search(rf"(?<![a-z]){re.escape(g)}(?![a-z])", text)
                        for g in _dictionary().get(word, ())
                        if not count_all
                    )
                ):
                    out.append(word)
        words = set(_WORD.findall(text)) if not count_all else set()
        for word in _WORD.findall(folded):
            base = re.split("['’]", word)[0]  # what's -> what
            if len(word) < 3 or word in _CHAT_WORDS_EN or word in named or _phrasing(base):
                continue
            stem = (tokenize(base) or [""])[0]
            if (
                stem
                and (count_all or (stem not in stems and not misspelt(word, words)))
                and not any(stem in n for n in named)
            ):
                out.append(word)
        return list(dict.fromkeys(out))

    def share_missing(self, question: str, texts: Sequence[str]) -> float:
        """The share of the question's content words that `texts` (the best agreeing
        sentences and their titles) do not contain."""
        if not texts:
            return 1.0
        text = fold("\n".join(texts))
        words = self.missing_in(question, text, count_all=True)
        absent = self.missing_in(question, text)
        return len(absent) / len(words) if words else 0.0

    def year_beyond(self, analysis: QuestionAnalysis, doc_ids: Sequence[str]) -> float:
        """1 when the question names a year its best agreeing document never mentions (a
        figure for a later year than the sources cover is not in them)."""
        if not analysis.years or not doc_ids:
            return 0.0
        doc = self.documents.get(doc_ids[0])
        years = {int(y) for y in _YEAR.findall(doc.text)} if doc else set()
        return 0.0 if any(y in years for y in analysis.years) else 1.0


def _phrasing(word: str) -> bool:
    """A word questions are phrased with (what, when), or a misspelling of one (whens)."""
    return word in _STOP_EN or (
        len(word) >= 4 and bool(difflib.get_close_matches(word, _STOP_EN, 1, PHRASING_TYPO_CUTOFF))
    )
