"""The CLI as a user runs it: real subprocesses, network off, empty model and tokenizer caches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from baybot.index.store import FAISS_FILE, IndexStore, dense_file
from tests.conftest import HIT_KEYS, SMALL_IDS, baybot_command, copy_corpus, offline_command

TTPS_QUESTION = "How much must I earn to qualify for the Top Talent Pass Scheme?"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BAYBOT_")}
    full_env.update(env)
    return subprocess.run(
        [*baybot_command(), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def offline_index(tmp_path_factory) -> tuple[Path, Path, dict]:
    """Ingest with the network off and nothing cached: tiktoken and the model must be local."""
    base = tmp_path_factory.mktemp("cli")
    corpus = copy_corpus(base / "corpus")
    index = base / "index"
    result = offline_command(
        [*baybot_command(), "ingest", "--corpus", str(corpus), "--index", str(index), "--json"],
        base,
    )
    assert result.returncode == 0, result.stderr
    return corpus, index, json.loads(result.stdout)


def test_ingest_json_summary(offline_index) -> None:
    _, _, report = offline_index
    assert report["documents"] == 7 and report["chunks"] == report["embedded_chunks"] > 20
    assert set(report["added"]) == SMALL_IDS
    assert report["updated"] == [] and report["removed"] == [] and report["skipped"] == []


def test_search_offline_returns_the_design_shape(offline_index, tmp_path) -> None:
    corpus, index, _ = offline_index
    result = offline_command(
        [
            *baybot_command(),
            "search",
            TTPS_QUESTION,
            "-k",
            "4",
            "--json",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"query", "hits"} and data["query"] == TTPS_QUESTION
    assert len(data["hits"]) == 4
    assert all(set(h) == HIT_KEYS for h in data["hits"])
    top = data["hits"][0]
    assert top["doc_id"] in {"hk-ttps-overview", "hk-ttps.zh"} and top["rank"] == 1
    assert top["published"] == "2022-12-28" and top["url"].startswith("http")


def test_second_ingest_reports_up_to_date(offline_index) -> None:
    corpus, index, _ = offline_index
    result = run(["ingest", "--corpus", str(corpus), "--index", str(index)])
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout and "7 documents" in result.stdout


def test_human_readable_search(offline_index) -> None:
    corpus, index, _ = offline_index
    result = run(
        [
            "search",
            "港澳青年去前海工作有补贴吗",
            "-k",
            "2",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. 前海")
    assert "2. " in result.stdout and "gd-qianhai-youth.zh" in result.stdout


def test_errors_are_clear_and_exit_non_zero(offline_index) -> None:
    corpus, index, _ = offline_index
    empty = run(["search", "   ", "--corpus", str(corpus), "--index", str(index)])
    assert empty.returncode == 1 and "error: query is empty" in empty.stderr
    bad_k = run(["search", "QMAS", "-k", "0", "--corpus", str(corpus), "--index", str(index)])
    assert bad_k.returncode == 2 and "-k" in bad_k.stderr
    missing = run(["ingest", "--corpus", str(corpus.parent / "nope"), "--index", str(index)])
    assert missing.returncode == 1 and "corpus folder not found" in missing.stderr
    bad_env = run(["search", "QMAS"], BAYBOT_CHUNK_TOKENS="many")
    assert bad_env.returncode == 1 and "chunk_tokens" in bad_env.stderr
    assert "Traceback" not in empty.stderr + bad_k.stderr + missing.stderr + bad_env.stderr


def test_search_rebuilds_a_truncated_index(tmp_path) -> None:
    corpus = copy_corpus(tmp_path / "corpus", ["hk-iang.md", "hk-qmas-overview.md"])
    index = tmp_path / "index"
    assert run(["ingest", "--corpus", str(corpus), "--index", str(index)]).returncode == 0
    target = IndexStore(index).current() / dense_file(0, FAISS_FILE)
    target.write_bytes(target.read_bytes()[:64])
    result = run(
        [
            "search",
            "IANG non-local graduates",
            "-k",
            "1",
            "--json",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ]
    )
    assert result.returncode == 0, result.stderr
    assert "corrupt" in result.stderr
    assert json.loads(result.stdout)["hits"][0]["doc_id"] == "hk-iang"
    assert len(IndexStore(index).load()) > 0


def test_python_module_entry_point_matches_console_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "baybot", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "ingest" in result.stdout and "search" in result.stdout


def test_search_filters_from_the_command_line(offline_index) -> None:
    corpus, index, _ = offline_index
    where = ["--corpus", str(corpus), "--index", str(index)]
    ok = run(["search", "talent scheme", "--region", "HK", "--language", "zh", "--json", *where])
    assert ok.returncode == 0, ok.stderr
    hits = json.loads(ok.stdout)["hits"]
    assert hits and {h["doc_id"] for h in hits} <= {"hk-ttps.zh"}
    bad = run(["search", "talent", "--region", "Atlantis", *where])
    assert bad.returncode == 1 and "unknown region 'Atlantis'" in bad.stderr
    assert "Hong Kong" in bad.stderr and "Traceback" not in bad.stderr
    since = run(["search", "talent", "--since", "yesterday", *where])
    assert since.returncode == 1 and "date" in since.stderr


def test_eval_prints_a_table_json_and_a_report(offline_index, tmp_path) -> None:
    corpus, index, _ = offline_index
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "question": "Top Talent Pass Scheme income", "language": "en",
         "kind": "factoid", "relevant": ["hk-ttps-overview", "hk-ttps.zh"]},
        {"id": "b", "question": "港澳青年去前海工作有补贴吗", "language": "zh-Hans",
         "kind": "factoid", "relevant": ["gd-qianhai-youth.zh"]},
        {"id": "c", "question": "what about the salary?", "language": "en", "kind": "followup",
         "relevant": ["hk-gba-yes"], "history": [
             {"role": "user", "content": "Tell me about the GBA Youth Employment Scheme"},
             {"role": "assistant", "content": "It places graduates in GBA cities."}]},
        {"id": "d", "question": "best ramen in Osaka?", "language": "en",
         "kind": "out_of_scope", "relevant": []},
    ]  # fmt: skip
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    where = ["--corpus", str(corpus), "--index", str(index)]
    table = run(["eval", str(questions), *where])
    assert table.returncode == 0, table.stderr
    assert "recall@5" in table.stdout and "kind=followup" in table.stdout
    report = tmp_path / "report"
    as_json = run(["eval", str(questions), "-k", "5", "--json", "--report", str(report), *where])
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["n"] == 4 and data["k"] == 5
    assert data["overall"]["recall@5"] == 1.0
    assert data["by_kind"]["out_of_scope"]["recall@5"] is None
    assert data["overall"]["fact_recall"] is None and data["overall"]["latency_ms_p95"] > 0
    assert [q["id"] for q in data["questions"]] == ["a", "b", "c", "d"]
    assert len(data["questions"][0]["hits"]) == 5
    assert (report / "metrics.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((report / "metrics.json").read_text())["n"] == 4
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "question": "ok"}\nnot json\n')
    bad = run(["eval", str(broken), *where])
    assert bad.returncode == 1 and ":2:" in bad.stderr and "Traceback" not in bad.stderr


def test_help_names_the_environment_variables() -> None:
    result = run(["search", "--help"], COLUMNS="200")
    assert result.returncode == 0
    for name in ("BAYBOT_CORPUS_DIR", "BAYBOT_INDEX_DIR", "BAYBOT_EMBEDDING_MODELS"):
        assert name in result.stdout


def test_ask_offline_returns_a_cited_answer_in_the_design_shape(offline_index, tmp_path) -> None:
    corpus, index, _ = offline_index
    result = offline_command(
        [
            *baybot_command(),
            "ask",
            TTPS_QUESTION,
            "--json",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ],
        tmp_path,
        # The refusal model is calibrated on the shipped corpus; this one has seven documents.
        env={"BAYBOT_REFUSAL": "false"},
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"question", "answer", "refused", "citations", "timings_ms"} <= set(data)
    assert data["question"] == TTPS_QUESTION and data["refused"] is False
    assert data["citations"], data["answer"]
    for c in data["citations"]:
        assert {"n", "chunk_id", "doc_id", "title", "url", "published", "quote"} <= set(c)
        assert f"[{c['n']}]" in data["answer"]
        for start, end in c["spans"]:
            assert c["passage"][start:end].strip() in c["quote"]


def test_ask_reads_history_and_prints_sources(offline_index, tmp_path) -> None:
    corpus, index, _ = offline_index
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": "What is the QMAS?"}]))
    result = run(
        [
            "ask",
            "what was its yearly quota?",
            "--history",
            str(history),
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ],
        BAYBOT_REFUSAL="false",
    )
    assert result.returncode == 0, result.stderr
    assert "Sources:" in result.stdout and "[1]" in result.stdout
    bad = run(
        ["ask", "QMAS?", "--generator", "nope", "--corpus", str(corpus), "--index", str(index)]
    )
    assert bad.returncode == 1 and "unknown generator 'nope'" in bad.stderr
