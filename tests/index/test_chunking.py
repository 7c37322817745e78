from __future__ import annotations

import re

import pytest

from baybot.corpus.discovery import load_corpus
from baybot.index.chunking import Chunker
from baybot.text.tokens import get_encoding
from baybot.types import Chunk, Document
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def chunker(embedder, cache_dir) -> Chunker:
    return Chunker(
        encoding=get_encoding("cl100k_base", cache_dir),
        max_tokens=160,
        overlap_tokens=32,
        model_tokens=embedder.count_tokens,
        model_max_tokens=embedder.max_tokens,
    )


@pytest.fixture(scope="module")
def corpus_chunks(chunker) -> list[tuple[Document, list[Chunk]]]:
    return [(doc, chunker.split(doc)) for doc in load_corpus(CORPUS).documents]


def test_every_chunk_is_an_exact_span_within_both_token_limits(corpus_chunks, chunker, embedder):
    assert len(corpus_chunks) == len([p for p in CORPUS.iterdir() if p.suffix in (".md", ".txt")])
    for doc, chunks in corpus_chunks:
        assert chunks, doc.id
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert chunk.text == chunk.text.strip() and chunk.text
            assert chunk.tokens == chunker.count(chunk.text) <= 160
            assert embedder.count_tokens(chunk.embedding_text) <= embedder.max_tokens
            assert chunk.doc_id == doc.id and chunk.title == doc.title


def test_chunks_cover_all_text_except_markdown_headings(corpus_chunks):
    for doc, chunks in corpus_chunks:
        covered = [False] * len(doc.text)
        for c in chunks:
            covered[c.start : c.end] = [True] * (c.end - c.start)
        missed = "".join(ch for ch, ok in zip(doc.text, covered, strict=True) if not ok)
        headings = "".join(re.findall(r"^#{1,6} .*$", doc.text, flags=re.MULTILINE))
        assert len(missed.replace("\n", "").replace(" ", "")) <= len(headings.replace(" ", "")), (
            doc.id
        )


def test_chunk_ids_are_unique_and_stable(corpus_chunks, chunker):
    ids = [c.id for _, chunks in corpus_chunks for c in chunks]
    assert len(ids) == len(set(ids))
    doc, chunks = corpus_chunks[0]
    assert [c.id for c in chunker.split(doc)] == [c.id for c in chunks]
    assert all(c.id.startswith(doc.id + "#") for c in chunks)


def test_sections_follow_headings(corpus_chunks):
    by_id = dict(corpus_chunks)
    doc = next(d for d in by_id if d.id == "hk-ttps.zh")
    sections = [c.section for c in by_id[doc]]
    assert any(s.endswith("三個類別") for s in sections)
    table = next(c for c in by_id[doc] if "A類" in c.text)
    assert table.section.endswith("三個類別")
    assert "## " not in table.text


def test_plain_text_headings_become_sections(corpus_chunks):
    by_id = {d.id: cs for d, cs in corpus_chunks}
    sections = {c.section for c in by_id["000_a15bed6abde3419e"]}
    assert "Shenzhen-Hong Kong Joint Attraction for Global Talents" in sections


def _doc(text: str, title: str = "Test notice") -> Document:
    return Document(id="t", title=title, text=text)


def test_long_chinese_paragraph_splits_at_chinese_punctuation(chunker):
    sentence = "港澳青年在前海就业可申请每月最高三千元的生活补贴，并享受免费的创业工位。"
    text = "".join(sentence.replace("三千", f"{n}千") for n in range(1, 10)) * 3
    chunks = chunker.split(_doc(text, "前海支持港澳青年"))
    assert len(chunks) > 2
    for c in chunks[:-1]:
        assert c.text.endswith("。")
    assert all(c.tokens <= 160 for c in chunks)


def test_unpunctuated_run_is_hard_split_within_limits(chunker, embedder):
    text = "申請" * 600 + " " + "word " * 400
    chunks = chunker.split(_doc(text))
    assert len(chunks) > 4
    for c in chunks:
        assert c.tokens <= 160
        assert embedder.count_tokens(c.embedding_text) <= embedder.max_tokens
        assert text[c.start : c.end] == c.text


def _assert_overlap_only_inside_paragraphs(text: str, chunks: list[Chunk]) -> int:
    overlaps = 0
    for a, b in zip(chunks, chunks[1:], strict=False):
        if b.section != a.section:
            continue
        if b.start < a.end:
            overlaps += 1
            assert "\n\n" not in text[b.start : a.end]
        if text[a.end : a.end + 2] == "\n\n":
            assert b.start >= a.end, "a chunk ending a paragraph is not repeated"
    return overlaps


def test_overlap_only_inside_a_paragraph(chunker, corpus_chunks):
    para = " ".join(
        f"Sentence number {i} describes one condition of the scheme." for i in range(40)
    )
    text = para + "\n\n" + para.replace("Sentence", "Clause")
    assert _assert_overlap_only_inside_paragraphs(text, chunker.split(_doc(text))) >= 2
    for doc, chunks in corpus_chunks:
        _assert_overlap_only_inside_paragraphs(doc.text, chunks)


def test_short_paragraphs_are_packed_together(chunker):
    text = "\n\n".join(f"Point {i}: a short fact." for i in range(6))
    chunks = chunker.split(_doc(text))
    assert len(chunks) == 1 and chunks[0].text == text


def test_model_limit_applies_even_when_tiktoken_budget_is_larger(embedder, cache_dir):
    wide = Chunker(
        encoding=get_encoding("cl100k_base", cache_dir),
        max_tokens=2000,
        overlap_tokens=0,
        model_tokens=embedder.count_tokens,
        model_max_tokens=embedder.max_tokens,
    )
    text = " ".join(f"Condition {i} of the Top Talent Pass Scheme applies." for i in range(200))
    for c in wide.split(_doc(text)):
        assert embedder.count_tokens(c.embedding_text) <= embedder.max_tokens
