"""The document signal (documents.py): whole announcements scored against the question, lifting
each document's best passage only. Written from the wrong-document failure class: a passage
whose words fit the question sits in an announcement about something else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from baybot import Retriever, Settings
from baybot.app.wiring import build_assistant, build_retriever
from baybot.errors import IndexStaleError
from baybot.search import documents as documents_module
from baybot.search.documents import DocumentSignal

pytestmark = pytest.mark.unit  # the hash embedder: runs with `pytest -m unit`

HOUSING = [
    "Dongguan pays newly arrived graduates a monthly rent subsidy for their first three years.",
    "The rent subsidy is paid into the tenant's bank account every quarter.",
    "Graduates who buy a first home in Dongguan receive a one-off home purchase subsidy.",
    "Talent apartments in Dongguan are let below market rent to recognised talent.",
    "Applications for the rent subsidy close on 30 June each year.",
]
CALENDAR = [
    "Youth internship places open on 1 March and close on 15 April.",
    "Entrepreneurship grants are decided each quarter by a review panel.",
    "Applications for the rent subsidy close on 30 June each year.",
    "Award ceremonies for outstanding employers take place in December.",
]
LONG = [
    f"Section {n} of the annual report describes how the innovation fund supported "
    f"{n * 3} start-ups in the bay area, their staff, their patents and their export sales."
    for n in range(1, 40)
]


def _write(folder: Path, doc_id: str, title: str, paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    folder.joinpath(f"{doc_id}.md").write_text(
        f'---\nid: {doc_id}\ntitle: "{title}"\npublished: 2025-01-01\nlanguage: en\n---\n\n'
        f"{body}\n",
        encoding="utf-8",
    )


@pytest.fixture
def settings(unit_settings: Settings, tmp_path: Path) -> Settings:
    corpus = tmp_path / "own-corpus"
    corpus.mkdir()
    _write(corpus, "housing", "Dongguan talent housing support", HOUSING)
    _write(corpus, "calendar", "Calendar of talent programme events", CALENDAR)
    _write(corpus, "report", "Innovation fund annual report", LONG)
    # A weight of its own, whatever the default, so these tests measure the signal itself.
    return unit_settings.model_copy(
        update={
            "corpus_dir": corpus,
            "index_dir": tmp_path / "own-index",
            "chunk_tokens": 40,
            "document_weight": 1.5,
        }
    )


@pytest.fixture
def retriever(settings: Settings) -> Retriever:
    return build_retriever(settings)


def test_windows_fit_the_model_and_cover_every_passage(retriever: Retriever) -> None:
    signal = retriever.documents
    assert signal is not None
    embedder = retriever.embedders[0]
    by_doc: dict[str, list[str]] = {}
    for text, owner in zip(signal.window_texts, signal.window_doc.tolist(), strict=True):
        by_doc.setdefault(signal.doc_ids[owner], []).append(text)
        assert embedder.count_tokens(text) <= embedder.max_tokens
    assert len(by_doc["report"]) > 1  # longer than the model reads: cut into windows
    assert len(by_doc["housing"]) == 1  # a short notice is one window
    for chunk in retriever.index.chunks:
        title = retriever.index.documents[chunk.doc_id].title
        windows = by_doc[chunk.doc_id]
        assert all(w.startswith(title + "\n") for w in windows)
        assert any(chunk.text in w for w in windows)


def test_the_document_about_the_question_scores_highest(retriever: Retriever) -> None:
    signal = retriever.documents
    assert signal is not None
    vector = retriever.embedders[0].embed_query("rent subsidy and talent apartments in Dongguan")
    among = np.arange(len(signal.doc_ids))
    scores = signal.scores(vector, among)
    best = signal.doc_ids[int(np.argmax(scores))]
    assert best == "housing"
    assert float(scores.mean()) == pytest.approx(0.0, abs=1e-9)  # standardised


def test_only_each_documents_best_passage_is_lifted(
    retriever: Retriever, settings: Settings
) -> None:
    question = "When do applications for the rent subsidy close?"
    every = {"max_hits_per_doc": 50, "duplicate_threshold": 1.0}  # all passages in the hits

    def with_weight(weight: float) -> Retriever:
        return Retriever(
            retriever.index,
            retriever.embedders,
            settings.model_copy(update={"document_weight": weight, **every}),
            calibrator=retriever.calibrator,
            documents=retriever.documents,
        )

    assert len(retriever.index.chunks) <= 50
    before = {h.chunk_id: h.score for h in with_weight(0.0).search(question, 50)}
    result = with_weight(settings.document_weight).run(question, 50, explain=True)
    assert {h.chunk_id for h in result.hits} == set(before)
    best = {}  # the best passage of each document without the signal
    for chunk_id, _ in sorted(before.items(), key=lambda item: -item[1]):
        best.setdefault(chunk_id.split("#")[0], chunk_id)
    lifts = {"up": 0, "down": 0}
    for hit, signals in zip(result.hits, result.signals, strict=True):
        move = hit.score - before[hit.chunk_id]
        shift = settings.document_weight * signals["documents"].score
        assert hit.passage_score == pytest.approx(before[hit.chunk_id])  # its own score, kept
        if hit.chunk_id == best[hit.doc_id]:
            assert move == pytest.approx(shift, abs=1e-6)
        else:  # goes down with a disfavoured document, never up with a favoured one
            assert move == pytest.approx(min(shift, 0.0), abs=1e-6)
        lifts["up" if shift > 0 else "down"] += 1
    assert lifts["up"] and lifts["down"]
    assert result.hits[0].doc_id == "housing"  # the same sentence stands in both notices


def test_weight_zero_leaves_the_passage_ranking_as_it_was(
    retriever: Retriever, settings: Settings
) -> None:
    off = settings.model_copy(update={"document_weight": 0.0})
    bare = Retriever(retriever.index, retriever.embedders, off, calibrator=retriever.calibrator)
    silenced = Retriever(
        retriever.index,
        retriever.embedders,
        off,
        calibrator=retriever.calibrator,
        documents=retriever.documents,
    )
    question = "innovation fund start-ups and their patents"
    assert [h.chunk_id for h in silenced.search(question, 10)] == [
        h.chunk_id for h in bare.search(question, 10)
    ]
    assert "documents" not in silenced.run(question, 5, explain=True).signals[0]
    assert "documents" in retriever.run(question, 5, explain=True).signals[0]


def test_a_signal_built_for_another_index_is_refused(
    retriever: Retriever, settings: Settings, unit_settings: Settings
) -> None:
    other = build_retriever(unit_settings.model_copy(update={"document_weight": 1.5}))
    assert other.documents is not None
    with pytest.raises(IndexStaleError, match="another index"):
        Retriever(retriever.index, retriever.embedders, settings, documents=other.documents)


def test_language_calibration_can_be_turned_off(retriever: Retriever) -> None:
    signal = retriever.documents
    assert signal is not None
    vector = retriever.embedders[0].embed_query("rent subsidy")
    calibrated = dict(zip(signal.languages, signal.offsets(vector).tolist(), strict=True))
    assert calibrated["en"] == 0.0  # English is the reference
    plain = DocumentSignal.build(retriever.index, retriever.embedders[0], calibrate=False)
    assert not plain.backgrounds and not plain.offsets(vector).any()


def test_answer_sentences_rank_by_the_passages_own_scores(settings: Settings) -> None:
    """The signal orders the hits; the composer's passage prior reads each passage's own score,
    so a favoured document does not also win every sentence choice."""
    every = {"max_hits_per_doc": 50, "duplicate_threshold": 1.0}
    on = build_assistant(settings.model_copy(update=every))
    off = Retriever(
        on.retriever.index,
        on.retriever.embedders,
        on.retriever.settings.model_copy(update={"document_weight": 0.0}),
        calibrator=on.retriever.calibrator,
    )
    question = "When do applications for the rent subsidy close?"
    lifted, plain = on.retriever.search(question, 50), off.search(question, 50)
    assert [h.chunk_id for h in lifted] != [h.chunk_id for h in plain]  # the signal moved them

    def sentence_scores(hits: list) -> dict[tuple[str, str], float]:
        evidence = on.evidence.assess(
            question, question, hits, expand_documents=0, expand_passages=0
        )
        chunk = {p.n: p.hit.chunk_id for p in evidence.passages}
        return {(chunk[s.n], s.text): s.score for s in evidence.sentences}

    with_signal, without = sentence_scores(lifted), sentence_scores(plain)
    assert with_signal.keys() == without.keys()
    for key, score in with_signal.items():
        assert score == pytest.approx(without[key], abs=1e-6)


def test_each_document_language_is_scored_on_its_own_scale(
    unit_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At document length a model can score one language's documents lower as a block; each
    language's scores are centred among themselves (shrunk for a language with few
    documents), so the gap between the languages' blocks closes."""
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    _write(corpus, "housing", "Dongguan talent housing support", HOUSING)
    _write(corpus, "calendar", "Calendar of talent programme events", CALENDAR)
    _write(corpus, "report", "Innovation fund annual report", LONG[:6])
    chinese = (
        (
            "housing-zh",
            "东莞人才住房支持",
            "东莞向新到的毕业生发放租房补贴，为期三年。人才公寓以低于市场的租金出租。",
        ),
        (
            "calendar-zh",
            "人才计划活动日历",
            "青年实习名额于三月一日开放，四月十五日截止。创业资助每季度评审一次。",
        ),
        (
            "report-zh",
            "创新基金年度报告",
            "创新基金支持了大湾区的初创企业，包括其员工、专利和出口。",
        ),
    )
    for doc_id, title, body in chinese:
        corpus.joinpath(f"{doc_id}.md").write_text(
            f'---\nid: {doc_id}\ntitle: "{title}"\npublished: 2025-01-01\nlanguage: zh-Hans\n'
            f"---\n\n{body}\n",
            encoding="utf-8",
        )
    retriever = build_retriever(
        unit_settings.model_copy(
            update={
                "corpus_dir": corpus,
                "index_dir": tmp_path / "mixed-index",
                "chunk_tokens": 40,
                "document_weight": 1.5,
            }
        )
    )
    signal = retriever.documents
    assert signal is not None and set(signal.languages) == {"en", "zh-Hans"}
    among = np.arange(len(signal.doc_ids))
    chinese_docs = signal.doc_language[among] == signal.languages.index("zh-Hans")

    def block_gap(question: str) -> float:
        scores = signal.scores(retriever.embedders[0].embed_query(question), among)
        assert scores.std() > 0  # documents are still told apart
        return abs(float(scores[chinese_docs].mean() - scores[~chinese_docs].mean()))

    for question in ("rent subsidy for graduates", "租房补贴", "innovation fund patents"):
        centred = block_gap(question)
        with monkeypatch.context() as patch:
            patch.setattr(documents_module, "LANGUAGE_SCALE_PRIOR", 1e12)  # no centring
            plain = block_gap(question)
        assert centred < plain or plain < 1e-9
