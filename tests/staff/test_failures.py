"""The automatic failure classifier of the answer benchmark."""

from __future__ import annotations

from typing import Any

import pytest

from baybot.staff.failures import answer_language_ok, classify, is_fragment, metrics
from baybot.types import Document

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`

DOCS = {"a": Document("a", "A", "Figures for 2023 and for 2025.")}


def row(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "set": "s",
        "relevant": ["a"],
        "facts": ["42"],
        "facts_found": ["42"],
        "refused": False,
        "cited_docs": ["a"],
        "answer": "The figure is 42. [1]",
        "language": "en",
        "latency_ms": 1.0,
        "retrieval": {"recall@5": 1.0, "mrr@10": 1.0},
    }
    return {**base, **overrides}


def test_classes_in_order() -> None:
    assert classify(row(), DOCS) == "ok"
    assert classify(row(refused=True), DOCS) == "false_refusal"
    assert classify(row(relevant=[], refused=False), DOCS) == "off_topic"
    assert classify(row(relevant=[], refused=True), DOCS) == "ok"
    assert classify(row(cited_docs=["b", "a"]), DOCS) == "wrong_document"
    assert classify(row(language="zh-Hans"), DOCS) == "wrong_language"
    assert classify(row(answer="Fees: [1]"), DOCS) == "fragment"
    stale = row(facts_found=[], answer="In 2023 the figure was 40. [1]")
    assert classify(stale, DOCS) == "stale"
    assert classify(row(facts_found=[], answer="Something else. [1]"), DOCS) == "missing_facts"


def test_fragments() -> None:
    assert is_fragment("补贴标准： [1]")
    assert is_fragment("They must apply in person. [1]")
    assert is_fragment("- A – Annual income – None [1]")
    assert not is_fragment("Permit: A; Fee: HK$230 [1]")
    assert not is_fragment("以下内容摘自英文资料：\nThe fee is HK$230. [1]")


def test_language_framing_counts_as_the_readers_language() -> None:
    assert not answer_language_ok("The fee is HK$230. [1]", "zh-Hans")
    assert answer_language_ok("以下内容摘自英文资料：\nThe fee is HK$230. [1]", "zh-Hans")
    assert answer_language_ok("费用为230港元。 [1]", "zh-Hans")


def test_metrics_follow_the_eval_definitions() -> None:
    rows = [
        {**row(), "failure": "ok"},
        {**row(relevant=[], refused=True), "failure": "ok"},
        {**row(relevant=[], refused=False), "failure": "off_topic"},
    ]
    m = metrics(rows)
    assert m["fact_recall"] == 1.0 and m["refusal_accuracy"] == 0.5
    assert m["classes"] == {"ok": 2, "off_topic": 1}
