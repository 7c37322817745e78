from __future__ import annotations


def test_unknown_terms_are_content_words_the_corpus_never_uses(assistant):
    check = assistant.evidence
    assert check.unknown_terms("Are Macau casinos allowed to hire croupiers?") == [
        "casinos",
        "croupiers",
    ]
    # Typos, inflections and chat words are not unknown; glossary names are known.
    assert check.unknown_terms("I'm asking about renewals of my TTPS visa, thanks") == []
    assert "马化腾" in check.unknown_terms("马化腾拿了多少个税补贴？")
    assert check.unknown_terms("高才通续签要看哪些方面？") == []
    # Chinese words the sources only have in English are known through their translation,
    # compounds of known words are known; a fee the sources never mention is not.
    assert check.unknown_terms("香港人喺內地退休可以攞養老金嗎？") == []
    assert check.unknown_terms("前海服务公司提供什么？") == []
    assert check.unknown_terms("高才通申請費要幾多錢？") == ["申请费"]


def test_places_no_passage_mentions_are_reported(assistant):
    question = "What is the income threshold for Australia's Global Talent visa?"
    hits = assistant.retriever.search(question, 5)
    evidence = assistant.evidence.assess(question, question, hits)
    assert evidence.missing_places == ("Australia",)
    assert evidence.features["missing_place"] == 1.0
    assert not evidence.answerable


def test_evidence_adds_the_best_other_passages_of_the_top_documents(assistant):
    question = "When is the filing window in Shenzhen for the GBA IIT subsidy?"
    hits = assistant.retriever.search(question, 5)
    evidence = assistant.evidence.assess(question, question, hits, expand_passages=2)
    extra = evidence.passages[len(hits) :]
    assert 0 < len(extra) <= 2
    top_documents = list(dict.fromkeys(h.doc_id for h in hits))[:2]
    assert all(p.hit.doc_id in top_documents for p in extra)
    assert [p.n for p in evidence.passages] == list(range(1, len(evidence.passages) + 1))
    assert {p.hit.chunk_id for p in extra}.isdisjoint(h.chunk_id for h in hits)
    scores = [s.score for s in evidence.sentences]
    assert scores == sorted(scores, reverse=True)
