from __future__ import annotations

import pytest

from baybot import Retriever, Settings
from baybot.app.wiring import build_retriever
from baybot.errors import IndexStaleError, QueryError
from baybot.index.store import IndexStore
from baybot.search.filters import latest_date
from baybot.text.terms import jaccard
from tests.conftest import HIT_KEYS, copy_corpus

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
def retriever(full_settings) -> Retriever:
    return build_retriever(full_settings)


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
    assert set(top.to_dict()) == HIT_KEYS


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


def test_index_built_with_other_settings_is_not_used_silently(small_settings):
    stale = small_settings.model_copy(update={"chunk_tokens": 64, "auto_update": False})
    with pytest.raises(IndexStaleError, match="other settings"):
        build_retriever(stale)


def test_build_retriever_builds_a_missing_index(make_settings, embedder):
    settings = make_settings()
    retriever = build_retriever(settings, embedders=[embedder])
    assert len(retriever.index) > 0
    assert IndexStore(settings.index_dir).current() is not None
    assert retriever.search("GBA Youth Employment Scheme", k=1)[0].doc_id == "hk-gba-yes"


# Cross-lingual: the only source on the topic is in the other language, among same-language
# distractors that a language-biased model would prefer.
CROSS_LINGUAL = [
    (
        "What are the eligibility categories of the Top Talent Pass Scheme?",
        "hk-ttps.zh",
        ["hk-ttps.zh.md", "hk-iang.md", "hk-qmas-overview.md", "gd-gba-lawyers.md",
         "hk-gba-yes.md", "gd-hengqin-iit.md"],
    ),
    (
        "香港補充勞工計劃可以輸入外地工人嗎？",
        "hk-esls-labour-importation",
        ["hk-esls-labour-importation.md", "hk-iang.zh.md", "hk-qmas.zh.md",
         "gd-gba-lawyers.zh.md", "hk-gba-yes.zh.md", "gd-hengqin-iit.zh.md"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected", "files"), CROSS_LINGUAL, ids=["en->zh", "zh->en"])
def test_question_finds_a_source_written_only_in_the_other_language(
    tmp_path, cache_dir, question, expected, files
):
    settings = Settings(
        corpus_dir=copy_corpus(tmp_path / "corpus", files),
        index_dir=tmp_path / "index",
        cache_dir=cache_dir,
    )
    hits = build_retriever(settings).search(question, k=3)
    assert hits[0].doc_id == expected, [h.doc_id for h in hits]


def test_filters_return_only_the_matching_subset(retriever):
    query = "work visa for talent"
    region = retriever.search(query, k=10, filters={"region": "HK"})
    assert region and all(retriever.index.documents[h.doc_id].region == "Hong Kong" for h in region)
    chinese = retriever.search(query, k=10, filters={"language": "zh"})
    assert chinese and all(h.language in {"zh-Hant", "zh-Hans"} for h in chinese)
    recent = retriever.search(query, k=10, filters={"since": "2024-06-01"})
    assert recent and all(
        str(latest_date(retriever.index.documents[h.doc_id])) >= "2024-06-01" for h in recent
    )
    both = retriever.search(query, k=10, filters={"region": "Macao", "language": "en"})
    assert both and {retriever.index.documents[h.doc_id].region for h in both} == {"Macao"}
    assert {h.language for h in both} == {"en"}
    assert {h.doc_id for h in region} != {h.doc_id for h in retriever.search(query, k=10)}


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"region": "Atlantis"}, "unknown region 'Atlantis'.*Hong Kong"),
        ({"scheme": "Moon Visa"}, "unknown scheme"),
        ({"language": "fr"}, "unknown language"),
        ({"since": "last year"}, "date"),
        ({"colour": "red"}, "unknown filter"),
    ],
)
def test_bad_filter_values_are_clear_errors(retriever, filters, message):
    with pytest.raises(QueryError, match=message):
        retriever.search("talent", k=5, filters=filters)


def test_top_hits_are_not_copies_of_one_passage(retriever):
    limit = retriever.settings.max_hits_per_doc
    for query in ("Top Talent Pass Scheme", "高才通", "GBA individual income tax subsidy"):
        hits = retriever.search(query, k=10)
        assert len(hits) == 10
        per_doc: dict[str, list[int]] = {}
        for h in hits:
            per_doc.setdefault(h.doc_id, []).append(h.rank)
        assert max(len(v) for v in per_doc.values()) <= limit
        for a in hits:
            for b in hits:
                if a.rank < b.rank and a.doc_id == b.doc_id:
                    terms_a = retriever._terms_of(_row(retriever, a.chunk_id))
                    terms_b = retriever._terms_of(_row(retriever, b.chunk_id))
                    assert jaccard(terms_a, terms_b) < retriever.settings.duplicate_threshold


def _row(retriever: Retriever, chunk_id: str) -> int:
    return next(i for i, c in enumerate(retriever.index.chunks) if c.id == chunk_id)


FILLER = (
    "The canteen opens at noon and closes at two. Lockers are on the second floor, next to the "
    "meeting rooms. Visitors sign in at reception and wear a badge at all times."
)


def test_fusion_ranks_a_document_only_lexical_search_finds(tmp_path, cache_dir):
    """Four notes differ only in a form code: embeddings cannot tell the codes apart, BM25 can."""
    corpus = copy_corpus(tmp_path / "corpus", ["hk-iang.md", "hk-qmas-overview.md"])
    codes = ["KX-7731Q", "KX-7713Q", "KX-1377Q", "KX-3717Q"]
    for i, code in enumerate(codes):
        (corpus / f"note-{i}.md").write_text(
            f"---\ntitle: Office note {i}\n---\n\n{FILLER} Form {code} is kept in the cabinet. "
            f"{FILLER}\n"
        )
    base = {"corpus_dir": corpus, "index_dir": tmp_path / "index", "cache_dir": cache_dir}
    dense_only = build_retriever(Settings(**base, lexical_weight=0.0))
    hybrid = build_retriever(Settings(**base, lexical_weight=1.0))
    dense_right = sum(
        dense_only.search(c, k=1)[0].doc_id == f"note-{i}" for i, c in enumerate(codes)
    )
    hybrid_right = sum(hybrid.search(c, k=1)[0].doc_id == f"note-{i}" for i, c in enumerate(codes))
    assert hybrid_right == len(codes)
    assert dense_right < len(codes)


def test_explain_gives_each_retrievers_score_and_rank_without_changing_the_hits(retriever):
    query = "Top Talent Pass income requirement"
    plain = retriever.run(query, 5, {"region": "HK"})
    explained = retriever.run(query, 5, {"region": "HK"}, explain=True)
    assert [h.chunk_id for h in explained.hits] == [h.chunk_id for h in plain.hits]
    assert plain.signals == () and len(explained.signals) == len(explained.hits)
    assert explained.filters.region == ("HK",)
    names = {"multilingual-e5-small", "use-multilingual", "bm25", "fused"}
    if retriever.settings.document_weight:
        names.add("documents")
    for hit, signals in zip(explained.hits, explained.signals, strict=True):
        assert set(signals) == names
        assert signals["fused"].score == pytest.approx(hit.score)
        assert signals["bm25"].rank is not None and signals["bm25"].rank >= 1
    fused_ranks = [s["fused"].rank for s in explained.signals]
    assert fused_ranks == sorted(fused_ranks) and fused_ranks[0] == 1


def test_a_question_naming_a_place_prefers_that_places_documents(tmp_path, cache_dir):
    """Four city notes with the same title and text, told apart only by their schemes
    metadata: the models and BM25 cannot see it, the place match can (in either language)."""
    corpus = copy_corpus(tmp_path / "corpus", ["hk-iang.md"])
    cities = ["Guangzhou", "Dongguan", "Zhuhai", "Foshan"]
    for city in cities:
        (corpus / f"{city.lower()}.md").write_text(
            f"---\ntitle: City rules for the IIT subsidy\nschemes: [{city} IIT subsidy]\n---\n\n"
            "The subsidy refunds income tax paid above 15% of taxable income. Apply online "
            "in the first half of the following year.\n"
        )
    base = {"corpus_dir": corpus, "index_dir": tmp_path / "index", "cache_dir": cache_dir}
    blind = build_retriever(Settings(**base, place_weight=0.0))
    placed = build_retriever(Settings(**base))
    questions = [f"When do I apply for the IIT subsidy in {city}?" for city in cities]
    expected = [c.lower() for c in cities]
    assert [blind.search(q, k=1)[0].doc_id for q in questions] != expected
    assert [placed.search(q, k=1)[0].doc_id for q in questions] == expected
    assert placed.search("东莞的个税补贴什么时候申请？", k=1)[0].doc_id == "dongguan"
    explained = placed.run(questions[1], 4, explain=True)
    assert [s["places"].score for s in explained.signals][:1] == [1.0]
    unplaced = placed.run("When do I apply for the IIT subsidy?", 4, explain=True)
    assert "places" not in unplaced.signals[0]
