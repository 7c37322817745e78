from __future__ import annotations

import pytest

from baybot import Retriever
from baybot.errors import IndexStaleError, QueryError
from baybot.index import IndexStore

# (question, acceptable documents): English and Chinese, phrased the way applicants ask.
EXPECTED = [
    (
        "How much must I earn to qualify for the Top Talent Pass Scheme?",
        {"hk-ttps-overview", "hk-ttps.zh"},
    ),
    ("港澳青年去前海工作有补贴吗", {"gd-qianhai-youth.zh", "gd-qianhai-youth"}),
    (
        "What monthly salary must employers pay under the GBA Youth Employment Scheme?",
        {"hk-gba-yes", "hk-gba-yes.zh"},
    ),
    ("高才通計劃的申請資格是甚麼？", {"hk-ttps.zh", "hk-ttps-overview"}),
    ("What is IANG and who can apply?", {"hk-iang", "hk-iang.zh"}),
    (
        "Can Hong Kong lawyers practise in the Greater Bay Area?",
        {"gd-gba-lawyers", "gd-gba-lawyers.zh"},
    ),
    (
        "Shenzhen-Hong Kong joint talent attraction plan announced at the Qianhai annual meeting",
        {"000_a15bed6abde3419e"},
    ),
    ("Hengqin income tax for Macao residents", {"gd-hengqin-iit", "gd-hengqin-iit.zh"}),
]


@pytest.fixture(scope="module")
def retriever(full_settings, embedder) -> Retriever:
    return Retriever.from_settings(full_settings, embedders=[embedder])


@pytest.mark.parametrize(("question", "expected"), EXPECTED, ids=[q for q, _ in EXPECTED])
def test_expected_document_in_top_three(retriever, question, expected):
    top = [h.doc_id for h in retriever.search(question, k=3)]
    assert expected & set(top), top


def test_hits_carry_citation_metadata(retriever):
    hits = retriever.search("Top Talent Pass Scheme category C quota", k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))
    top = hits[0]
    doc = retriever.index.documents[top.doc_id]
    assert doc.text[top.start : top.end] == top.text
    assert top.url and top.url.startswith("http")
    assert top.published is not None and top.title == doc.title
    assert set(top.to_dict()) == {
        "rank",
        "chunk_id",
        "doc_id",
        "title",
        "score",
        "text",
        "url",
        "published",
        "language",
    }


@pytest.mark.parametrize(
    ("query", "k", "message"),
    [
        ("", 5, "empty"),
        ("   \n", 5, "empty"),
        ("x" * 2001, 5, "2000"),
        ("ok", 0, "k must"),
        ("ok", 51, "k must"),
    ],
)
def test_bad_queries_are_refused(retriever, query, k, message):
    with pytest.raises(QueryError, match=message):
        retriever.search(query, k=k)


def test_index_built_with_other_settings_is_not_used_silently(small_settings, embedder):
    stale = small_settings.model_copy(update={"chunk_tokens": 64, "auto_update": False})
    with pytest.raises(IndexStaleError, match="other settings"):
        Retriever.from_settings(stale, embedders=[embedder])


def test_from_settings_builds_a_missing_index(make_settings, embedder):
    settings = make_settings()
    retriever = Retriever.from_settings(settings, embedders=[embedder])
    assert len(retriever.index) > 0
    assert IndexStore(settings.index_dir).current() is not None
    assert retriever.search("GBA Youth Employment Scheme", k=1)[0].doc_id == "hk-gba-yes"
