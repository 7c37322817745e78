from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from baybot.errors import BayBotError
from baybot.staff.evaluation import (
    ANSWER_KEYS,
    RETRIEVAL_KEYS,
    EvalFileError,
    EvalReport,
    QuestionResult,
    load_questions,
    render_table,
    retrieval_metrics,
    write_report,
)

# --- retrieval_metrics ----------------------------------------------------------------------


def test_first_hit_relevant() -> None:
    m = retrieval_metrics(["a", "x", "y"], {"a"})
    assert m == {"recall@1": 1.0, "recall@5": 1.0, "recall@10": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0}


def test_relevant_at_rank_three() -> None:
    m = retrieval_metrics(["x", "y", "r", "z"], ["r"])
    assert m["recall@1"] == 0.0
    assert m["recall@5"] == 1.0
    assert m["recall@10"] == 1.0
    assert m["mrr@10"] == pytest.approx(1 / 3)
    assert m["ndcg@10"] == pytest.approx(1 / math.log2(4))  # = 0.5


def test_relevant_at_rank_seven() -> None:
    hits = ["x1", "x2", "x3", "x4", "x5", "x6", "r", "x8"]
    m = retrieval_metrics(hits, {"r"})
    assert (m["recall@1"], m["recall@5"], m["recall@10"]) == (0.0, 0.0, 1.0)
    assert m["mrr@10"] == pytest.approx(1 / 7)
    assert m["ndcg@10"] == pytest.approx(1 / 3)  # 1 / log2(8)


def test_relevant_only_after_rank_ten_counts_for_nothing() -> None:
    hits = [f"x{i}" for i in range(10)] + ["r"]
    assert retrieval_metrics(hits, {"r"}) == dict.fromkeys(RETRIEVAL_KEYS, 0.0)


def test_no_hits() -> None:
    assert retrieval_metrics([], {"r"}) == dict.fromkeys(RETRIEVAL_KEYS, 0.0)


def test_duplicates_of_a_document_count_once_in_ndcg() -> None:
    m = retrieval_metrics(["a", "a", "a"], {"a", "b"})
    # gains: 1 (rank 1); the repeats add nothing. ideal: 1 + 1/log2(3)
    assert m["ndcg@10"] == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert m["ndcg@10"] < 1.0
    assert m["recall@1"] == 1.0 and m["mrr@10"] == 1.0


def test_multiple_relevant_documents_with_a_duplicate_between() -> None:
    m = retrieval_metrics(["a", "b", "a", "c", "d"], {"a", "c"})
    # gains: a at rank 1 -> 1, a again skipped, c at rank 4 -> 1/log2(5)
    # ideal for two relevant: 1 + 1/log2(3)
    expected = (1 + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m["ndcg@10"] == pytest.approx(expected)
    assert m["ndcg@10"] == pytest.approx(0.877215, abs=1e-5)
    assert m["mrr@10"] == 1.0


def test_mrr_uses_the_first_of_several_relevant() -> None:
    m = retrieval_metrics(["x", "y", "c", "a"], {"a", "c"})
    assert m["mrr@10"] == pytest.approx(1 / 3)
    expected = (1 / math.log2(4) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m["ndcg@10"] == pytest.approx(expected)


def test_all_relevant_at_the_top_is_perfect() -> None:
    m = retrieval_metrics(["b", "a", "c", "x"], {"a", "b", "c"})
    assert m["ndcg@10"] == pytest.approx(1.0)


def test_ideal_dcg_is_capped_at_ten_documents() -> None:
    relevant = [f"r{i}" for i in range(15)]
    m = retrieval_metrics(relevant[:10], relevant)
    assert m["ndcg@10"] == pytest.approx(1.0)


# --- load_questions -------------------------------------------------------------------------


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_valid_questions(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        [
            json.dumps(
                {
                    "id": "q1",
                    "question": "What is TTPS?",
                    "language": "en",
                    "kind": "factoid",
                    "relevant": ["hk-ttps-overview"],
                    "facts": ["HK$2.5 million"],
                }
            ),
            "",
            json.dumps(
                {
                    "id": 2,
                    "question": "還有嗎？",
                    "language": "zh-Hant",
                    "kind": "followup",
                    "history": [{"role": "user", "content": "高才通是甚麼？"}],
                },
                ensure_ascii=False,
            ),
            json.dumps({"id": "q3", "question": "What is the weather?", "kind": "out_of_scope"}),
        ],
    )
    questions = load_questions(path)
    assert [q.id for q in questions] == ["q1", "2", "q3"]
    first, second, third = questions
    assert first.relevant == ("hk-ttps-overview",)
    assert first.facts == ("HK$2.5 million",)
    assert second.language == "zh-Hant" and second.kind == "followup"
    assert second.history == ({"role": "user", "content": "高才通是甚麼？"},)
    assert third.language == "en"  # default
    assert third.relevant == () and third.history == ()


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        json.dumps({"question": "no id"}),
        json.dumps({"id": "q2"}),
        json.dumps(["q2", "a list"]),
        json.dumps({"id": "q2", "question": "x", "history": [{"role": "user"}]}),
    ],
)
def test_malformed_line_names_its_number(tmp_path: Path, bad: str) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        [json.dumps({"id": "q1", "question": "fine"}), "", bad],
    )
    with pytest.raises(EvalFileError, match=r"q\.jsonl:3:"):
        load_questions(path)


def test_empty_question_text(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "q.jsonl", [json.dumps({"id": "q1", "question": "   "})])
    with pytest.raises(EvalFileError, match=r":1: empty question"):
        load_questions(path)


def test_duplicate_id(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        [
            json.dumps({"id": "q1", "question": "one"}),
            json.dumps({"id": "q2", "question": "two"}),
            json.dumps({"id": "q1", "question": "three"}),
        ],
    )
    with pytest.raises(EvalFileError, match=r":3: duplicate id 'q1'"):
        load_questions(path)


def test_relevant_as_a_string_is_not_split_into_characters(tmp_path: Path) -> None:
    row = {"id": "q1", "question": "What is TTPS?", "relevant": "hk-ttps-overview"}
    path = write_lines(tmp_path / "q.jsonl", [json.dumps(row)])
    try:
        questions = load_questions(path)
    except EvalFileError:
        return
    assert questions[0].relevant == ("hk-ttps-overview",)


@pytest.mark.parametrize("body", ["", "\n\n   \n"])
def test_empty_file(tmp_path: Path, body: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(EvalFileError, match="no questions"):
        load_questions(path)


def test_missing_or_undecodable_file(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="cannot read"):
        load_questions(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(EvalFileError, match="cannot read"):
        load_questions(binary)


def test_eval_file_error_is_a_baybot_error() -> None:
    assert issubclass(EvalFileError, BayBotError)


# --- EvalReport -----------------------------------------------------------------------------


def metrics(r1: float, r5: float, r10: float, mrr: float, ndcg: float) -> dict[str, float]:
    return dict(zip(RETRIEVAL_KEYS, (r1, r5, r10, mrr, ndcg), strict=True))


@pytest.fixture
def report() -> EvalReport:
    results = [
        QuestionResult("q1", "factoid", "en", ["a", "b"], 10.0, metrics(1, 1, 1, 1.0, 1.0)),
        QuestionResult("q2", "factoid", "zh-Hant", ["c"], 30.0, metrics(0, 1, 1, 0.5, 0.6)),
        QuestionResult("q3", "list", "en", ["d"], 20.0, metrics(0, 0, 1, 0.25, 0.2)),
        QuestionResult("q4", "out_of_scope", "en", ["e"], 40.0, None),
        QuestionResult("q5", "custom", "zh-Hans", [], 50.0, metrics(0, 0, 0, 0.0, 0.0)),
    ]
    return EvalReport(10, results, {"fusion": "zscore"})


def test_overall_means_skip_out_of_scope_but_count_it(report: EvalReport) -> None:
    data = report.to_dict()
    overall = data["overall"]
    assert data["n"] == overall["n"] == 5
    assert data["k"] == 10
    assert overall["recall@1"] == pytest.approx(1 / 4)
    assert overall["recall@5"] == pytest.approx(2 / 4)
    assert overall["recall@10"] == pytest.approx(3 / 4)
    assert overall["mrr@10"] == pytest.approx((1 + 0.5 + 0.25 + 0) / 4)
    assert overall["ndcg@10"] == pytest.approx((1 + 0.6 + 0.2 + 0) / 4)
    assert overall["latency_ms_mean"] == pytest.approx(30.0)  # every question is timed
    assert overall["latency_ms_p50"] == pytest.approx(30.0)


def test_by_kind(report: EvalReport) -> None:
    by_kind = report.to_dict()["by_kind"]
    assert list(by_kind) == ["factoid", "list", "out_of_scope", "custom"]
    assert by_kind["factoid"]["n"] == 2
    assert by_kind["factoid"]["recall@1"] == pytest.approx(0.5)
    assert by_kind["factoid"]["mrr@10"] == pytest.approx(0.75)
    assert by_kind["factoid"]["latency_ms_mean"] == pytest.approx(20.0)
    assert by_kind["list"]["recall@10"] == pytest.approx(1.0)
    out = by_kind["out_of_scope"]
    assert out["n"] == 1
    assert all(out[key] is None for key in RETRIEVAL_KEYS)
    assert out["latency_ms_mean"] == pytest.approx(40.0)


def test_by_language(report: EvalReport) -> None:
    by_language = report.to_dict()["by_language"]
    assert set(by_language) == {"en", "zh-Hant", "zh-Hans"}
    en = by_language["en"]
    assert en["n"] == 3  # q1, q3 and the out-of-scope q4
    assert en["recall@1"] == pytest.approx(0.5)  # mean over q1 and q3 only
    assert en["ndcg@10"] == pytest.approx(0.6)
    assert by_language["zh-Hant"]["recall@5"] == pytest.approx(1.0)
    assert by_language["zh-Hans"]["recall@10"] == pytest.approx(0.0)


def test_answer_keys_are_present_and_null(report: EvalReport) -> None:
    data = report.to_dict()
    for summary in [data["overall"], *data["by_kind"].values(), *data["by_language"].values()]:
        for key in ANSWER_KEYS:
            assert key in summary and summary[key] is None


def test_questions_and_settings_in_the_dict(report: EvalReport) -> None:
    data = report.to_dict()
    assert [q["id"] for q in data["questions"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert data["questions"][0]["hits"] == ["a", "b"]
    assert data["settings"] == {"fusion": "zscore"}
    json.dumps(data)  # serialisable as is


def test_report_with_only_out_of_scope_questions() -> None:
    report = EvalReport(5, [QuestionResult("q", "out_of_scope", "en", [], 3.0, None)])
    overall = report.to_dict()["overall"]
    assert overall["n"] == 1
    assert all(overall[key] is None for key in RETRIEVAL_KEYS)


def test_render_table_has_every_group(report: EvalReport) -> None:
    table = render_table(report)
    for name in (
        "overall",
        "kind=factoid",
        "kind=list",
        "kind=out_of_scope",
        "kind=custom",
        "language=en",
        "language=zh-Hant",
        "language=zh-Hans",
    ):
        assert name in table
    for key in RETRIEVAL_KEYS:
        assert key in table
    lines = table.splitlines()
    assert len(lines) == 2 + 1 + 4 + 3  # header, rule, overall, kinds, languages
    out_of_scope = next(line for line in lines if line.startswith("kind=out_of_scope"))
    assert out_of_scope.split()[2:7] == ["-"] * 5  # null metrics shown as '-'
    overall = next(line for line in lines if line.startswith("overall"))
    assert overall.split()[1:3] == ["5", "0.250"]


def test_write_report(report: EvalReport, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "eval"
    paths = write_report(report, folder)
    assert {p.name for p in paths} == {"metrics.json", "metrics.png", "report.html"}
    assert all(p.parent == folder and p.exists() for p in paths)
    assert json.loads((folder / "metrics.json").read_text(encoding="utf-8")) == report.to_dict()
    png = (folder / "metrics.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "metrics.png" in page
    assert "kind=factoid" in page and "language=zh-Hant" in page


def test_write_report_escapes_html(tmp_path: Path) -> None:
    report = EvalReport(
        10, [QuestionResult("q", "<script>", "en", ["a"], 1.0, metrics(1, 1, 1, 1, 1))]
    )
    write_report(report, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_write_report_with_nothing_to_chart(tmp_path: Path) -> None:
    report = EvalReport(10, [QuestionResult("q", "out_of_scope", "en", [], 2.0, None)])
    write_report(report, tmp_path)
    assert (tmp_path / "metrics.png").read_bytes().startswith(b"\x89PNG")
    assert json.loads((tmp_path / "metrics.json").read_text())["overall"]["recall@5"] is None


def test_facts_match_ignoring_case_width_and_thousands_separators():
    from baybot.staff.evaluation import facts_in

    answer = "Employers get ＨＫ$10000 a month; the cap is 5 million. 最多500万元"
    assert facts_in(answer, ["10,000", "hk$10,000", "5 Million", "500万", "7%"]) == [
        "10,000",
        "hk$10,000",
        "5 Million",
        "500万",
    ]


def test_answer_metrics_are_measured_when_answering(assistant, tmp_path):
    from baybot.staff.evaluation import evaluate, load_questions

    path = tmp_path / "q.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {
                    "id": "a",
                    "question": "What is the minimum monthly salary under the GBA Youth "
                    "Employment Scheme?",
                    "language": "en",
                    "kind": "factoid",
                    "relevant": ["hk-gba-yes", "hk-gba-yes.zh"],
                    "facts": ["18,000", "no such fact"],
                },
                {
                    "id": "b",
                    "question": "What's the minimum salary for Singapore's ONE Pass?",
                    "language": "en",
                    "kind": "out_of_scope",
                    "relevant": [],
                    "facts": [],
                },
            ]
        ),
        "utf-8",
    )
    report = evaluate(assistant.retriever, load_questions(path), k=5, assistant=assistant)
    overall = report.to_dict()["overall"]
    assert overall["fact_recall"] == 0.5
    assert overall["citation_precision"] == 1.0
    assert overall["refusal_accuracy"] == 1.0 and overall["false_refusal_rate"] == 0.0
    assert overall["latency_ms_p95"] > 0 and overall["search_latency_ms_p95"] > 0
    by_kind = report.to_dict()["by_kind"]
    assert by_kind["out_of_scope"]["fact_recall"] is None
    assert by_kind["factoid"]["refusal_accuracy"] is None
    questions = {q["id"]: q for q in report.to_dict()["questions"]}
    assert questions["b"]["refused"] is True and questions["a"]["facts_found"] == ["18,000"]
