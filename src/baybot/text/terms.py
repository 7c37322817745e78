"""Terms of a text for matching across English and Chinese: what BM25 indexes, and what
quotes, evidence and answers compare.

English words are lower-cased, stop-worded and Snowball-stemmed (PyStemmer); Chinese runs
become single characters plus character bigrams, after folding Traditional to Simplified.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from functools import cache

from bm25s.stopwords import STOPWORDS_EN
from spellchecker import SpellChecker

from baybot.text.language import HAN, fold

LEXICAL_VERSION = 1  # bump when tokenize() changes what it produces

_TOKEN = re.compile(HAN.pattern + r"+|[a-z0-9]+(?:[.,'’][a-z0-9]+)*")
_STOPWORDS = frozenset(STOPWORDS_EN)
_DIGIT_GROUPS = re.compile(r"(?<=\d),(?=\d{3})")


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Terms of `text`: stemmed English words, numbers, Chinese characters and bigrams."""
    out: list[str] = []
    stem = _stemmer().stemWord
    for match in _TOKEN.finditer(fold(text)):
        run = match.group()
        if HAN.match(run):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        elif run not in _STOPWORDS:
            run = _DIGIT_GROUPS.sub("", run).replace("’", "'")
            out.append(stem(run) if run[0].isalpha() else run)
    return out


def jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    """Term-set overlap; two empty sets are the same set."""
    union = len(a | b)
    return len(a & b) / union if union else 1.0


# A word this close (difflib ratio) to a known word is read as that word, misspelt; words
# shorter than TYPO_MIN_LENGTH are too often another word one letter off.
TYPO_CUTOFF = 0.8
TYPO_MIN_LENGTH = 5


def misspelt(word: str, words: Collection[str]) -> bool:
    """`word` is one or two letters off one of `words` (resturant, whcih, exemtpion). A real
    English word counts too: in the vocabulary and coverage checks a word one letter off a
    corpus word is more often about it than not (refusal out of fold over 8 fold seeds: 0.33
    so, 0.32 with real words left out)."""
    return len(word) >= TYPO_MIN_LENGTH and bool(
        difflib.get_close_matches(word, words, n=1, cutoff=TYPO_CUTOFF)
    )


@cache
def _english() -> SpellChecker:
    """pyspellchecker's English word list (in its wheel): which words are words."""
    return SpellChecker(language="en")


def is_english(word: str) -> bool:
    """An English word as spelt: the question analysis does not read it as a misspelt slot
    word ("posts" is not "costs")."""
    return word.lower() in _english()


def load_english_words() -> None:
    """Read the English word list now rather than on the first question."""
    _english()
